package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
	"passnum/web"
)

func TestSignInAndOut(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		b := st.browser()
		// Signed out, a staff page leads to sign-in and back.
		a := b.get("/compte")
		if a.Status != http.StatusSeeOther || !strings.HasPrefix(a.Location, "/connexion?suite=") {
			t.Fatalf("signed out: %d %q", a.Status, a.Location)
		}
		a = b.post("/connexion", url.Values{"email": {st.emails[passnum.RoleDistributor]}, "password": {"faux mot de passe"}})
		if a.Status != http.StatusUnauthorized || !a.has("Adresse électronique ou mot de passe incorrect") || a.has("faux mot de passe") {
			t.Fatalf("bad password: %d\n%s", a.Status, a.Body)
		}
		// The address typed is kept.
		if !a.has(`value="` + st.emails[passnum.RoleDistributor] + `"`) {
			t.Error("the address typed is not kept after a failed sign-in")
		}
		a = b.post("/connexion", url.Values{"email": {"  " + strings.ToUpper(st.emails[passnum.RoleDistributor])}, "password": {testPassword}, "suite": {"/compte"}})
		if a.Status != http.StatusSeeOther || a.Location != "/compte" {
			t.Fatalf("sign-in: %d %q", a.Status, a.Location)
		}
		if a = b.get("/compte"); a.Status != http.StatusOK || !a.has("Mission locale du Grand Besançon") {
			t.Fatalf("account page: %d", a.Status)
		}
		// A return address off the site is ignored.
		b2 := st.browser()
		a = b2.post("/connexion", url.Values{"email": {st.emails[passnum.RolePlace]}, "password": {testPassword}, "suite": {"//evil.example/"}})
		if a.Location != "/lieu" {
			t.Fatalf("off-site return address followed: %q", a.Location)
		}
		b.post("/deconnexion", nil)
		if a = b.get("/compte"); a.Status != http.StatusSeeOther {
			t.Fatalf("after sign-out: %d", a.Status)
		}
	})
}

func TestSessionCookie(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		b := st.browser()
		req, _ := http.NewRequest(http.MethodPost, st.srv.URL+"/connexion", strings.NewReader(url.Values{"email": {st.emails[passnum.RoleOperator]}, "password": {testPassword}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := b.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		var c *http.Cookie
		for _, k := range res.Cookies() {
			if k.Name == "passnum_session" {
				c = k
			}
		}
		if c == nil {
			t.Fatal("no session cookie after signing in")
		}
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/" || len(c.Value) < 40 {
			t.Fatalf("session cookie: HttpOnly %v, SameSite %v, Secure %v, Path %q", c.HttpOnly, c.SameSite, c.Secure, c.Path)
		}
	})
}

func TestSecureCookieBehindHTTPS(t *testing.T) {
	s, _ := storetest.OpenSQLite(t, passnum.NewFixedClock(storetest.Epoch))
	st := newSite(t, s, passnum.NewFixedClock(storetest.Epoch), web.Config{PublicURL: "https://pass.exemple.fr"})
	b := st.browser()
	req, _ := http.NewRequest(http.MethodPost, st.srv.URL+"/connexion", strings.NewReader(url.Values{"email": {st.emails[passnum.RoleOperator]}, "password": {testPassword}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	found := false
	for _, k := range res.Cookies() {
		if k.Name == "passnum_session" {
			found = true
			if !k.Secure {
				t.Fatal("the session cookie is not Secure when the public address is HTTPS")
			}
		}
	}
	if !found {
		t.Fatal("no session cookie after signing in")
	}
}

func TestCrossSiteFormsRefused(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		b := st.as(passnum.RoleDistributor)
		req, _ := http.NewRequest(http.MethodPost, st.srv.URL+"/deconnexion", nil)
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if a := b.do(req); a.Status != http.StatusForbidden {
			t.Fatalf("cross-site form: %d", a.Status)
		}
		// Still signed in.
		if a := b.get("/compte"); a.Status != http.StatusOK {
			t.Fatalf("after a refused cross-site form: %d", a.Status)
		}
	})
}

// Failed sign-ins from one address are slowed, then refused; another
// address, and so the account's owner elsewhere, is not affected.
func TestSignInThrottling(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		st := newSite(t, s, clock, web.Config{TrustedProxy: "127.0.0.1"})
		attacker := st.browser()
		email := st.emails[passnum.RoleDistributor]
		try := func(b *browser, from, pw string) answer {
			req, _ := http.NewRequest(http.MethodPost, st.srv.URL+"/connexion", strings.NewReader(url.Values{"email": {email}, "password": {pw}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", from)
			return b.do(req)
		}
		// Record the failures directly rather than waiting for the slowed
		// answers: the count is what the rule reads.
		for range 20 {
			st.write(func(ctx context.Context, tx *store.Tx) error { return tx.RecordSigninFailure(ctx, "203.0.113.9") })
		}
		a := try(attacker, "203.0.113.9", testPassword)
		if a.Status != http.StatusTooManyRequests || !a.has("Trop d&#39;essais") {
			t.Fatalf("21st attempt: %d\n%s", a.Status, a.Body)
		}
		// The owner, from their own address, signs in.
		owner := st.browser()
		if a := try(owner, "198.51.100.7", testPassword); a.Status != http.StatusSeeOther {
			t.Fatalf("owner refused: %d", a.Status)
		}
		// After the window, the address may try again.
		clock.Advance(16 * time.Minute)
		if a := try(attacker, "203.0.113.9", testPassword); a.Status != http.StatusSeeOther {
			t.Fatalf("after the window: %d", a.Status)
		}
	})
}

func TestPasswordReset(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		b := st.browser()
		a := b.post("/mot-de-passe-oublie", url.Values{"email": {st.emails[passnum.RolePlace]}})
		if a.Status != http.StatusSeeOther {
			t.Fatalf("forgot: %d %s", a.Status, a.Body)
		}
		link := st.mailedLink()
		if !strings.HasPrefix(link, "/lien/reset/") {
			t.Fatalf("link %q", link)
		}
		if a = b.get(link); a.Status != http.StatusOK {
			t.Fatalf("link page: %d", a.Status)
		}
		a = b.post(link, url.Values{"password": {"court"}, "confirm": {"court"}})
		if a.Status != http.StatusUnprocessableEntity || !a.has("12 caractères") {
			t.Fatalf("short password: %d", a.Status)
		}
		a = b.post(link, url.Values{"password": {"nouvelle phrase secrète"}, "confirm": {"nouvelle phrase secrète"}})
		if a.Status != http.StatusSeeOther {
			t.Fatalf("reset: %d %s", a.Status, a.Body)
		}
		if a = b.get(link); a.Status != http.StatusNotFound {
			t.Fatalf("link used twice: %d", a.Status)
		}
		a = b.post("/connexion", url.Values{"email": {st.emails[passnum.RolePlace]}, "password": {"nouvelle phrase secrète"}})
		if a.Status != http.StatusSeeOther {
			t.Fatalf("sign-in with the new password: %d", a.Status)
		}
		// An unknown address gets the same answer and no mail.
		before := st.lastMail()
		a = b.post("/mot-de-passe-oublie", url.Values{"email": {"personne@exemple.fr"}})
		if a.Status != http.StatusSeeOther || st.lastMail() != before {
			t.Fatalf("unknown address: %d", a.Status)
		}
	})
}

func TestSecondFactor(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		b := st.as(passnum.RoleOperator)
		a := b.post("/compte/double-authentification", nil)
		m := regexp.MustCompile(`name="secret" value="([A-Z2-7]+)"`).FindStringSubmatch(a.Body)
		if a.Status != http.StatusOK || m == nil {
			t.Fatalf("setup: %d", a.Status)
		}
		secret := m[1]
		if a = b.post("/compte/double-authentification", url.Values{"secret": {secret}, "code": {"000000"}}); !a.has("code incorrect") {
			t.Fatal("a wrong code turned the second factor on")
		}
		code, _ := totp.GenerateCode(secret, time.Now())
		if a = b.post("/compte/double-authentification", url.Values{"secret": {secret}, "code": {code}}); a.Status != http.StatusSeeOther {
			t.Fatalf("enable: %d %s", a.Status, a.Body)
		}
		// Next sign-in asks for a code before anything else.
		b2 := st.browser()
		b2.signIn(st.emails[passnum.RoleOperator])
		if a = b2.get("/compte"); a.Status != http.StatusSeeOther || !strings.HasPrefix(a.Location, "/connexion") {
			t.Fatalf("before the code: %d %q", a.Status, a.Location)
		}
		if a = b2.post("/connexion/code", url.Values{"code": {"123456"}}); a.Status != http.StatusUnauthorized {
			t.Fatalf("wrong code: %d", a.Status)
		}
		code, _ = totp.GenerateCode(secret, time.Now())
		if a = b2.post("/connexion/code", url.Values{"code": {code}}); a.Status != http.StatusSeeOther {
			t.Fatalf("right code: %d", a.Status)
		}
		if a = b2.get("/compte"); a.Status != http.StatusOK || !a.has("activée") {
			t.Fatalf("after the code: %d", a.Status)
		}
	})
}

func TestOperatorSecondFactorRequired(t *testing.T) {
	s, _ := storetest.OpenSQLite(t, passnum.NewFixedClock(storetest.Epoch))
	st := newSite(t, s, passnum.NewFixedClock(storetest.Epoch), web.Config{RequireOperatorTOTP: true})
	b := st.as(passnum.RoleOperator)
	if a := b.get("/operateur"); a.Status != http.StatusSeeOther || a.Location != "/compte" {
		t.Fatalf("operator without a second factor: %d %q", a.Status, a.Location)
	}
	// Other roles are not concerned.
	if a := st.as(passnum.RoleDistributor).get("/compte"); a.Status != http.StatusOK {
		t.Fatalf("distributor: %d", a.Status)
	}
}

// An operator turns off the second factor of someone who lost their
// phone; the person then signs in with their password alone.
func TestOperatorResetsSecondFactor(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		var placeUser passnum.User
		st.view(func(ctx context.Context, tx *store.Tx) error {
			c, err := tx.UserCredentials(ctx, st.emails[passnum.RolePlace])
			placeUser = c.User
			return err
		})
		st.write(func(ctx context.Context, tx *store.Tx) error {
			return tx.SetTOTPSecret(ctx, placeUser.Actor(), placeUser.ID, "JBSWY3DPEHPK3PXP", true)
		})
		b := st.browser()
		b.signIn(st.emails[passnum.RolePlace])
		if a := b.get("/lieu"); a.Status != http.StatusSeeOther {
			t.Fatalf("with a second factor, the password alone let the place in: %d", a.Status)
		}
		op := st.as(passnum.RoleOperator)
		path := "/operateur/personnes/" + placeUser.ID + "/double-authentification"
		if a := st.as(passnum.RoleDistributor).post(path, nil); a.Status != http.StatusForbidden {
			t.Fatalf("a distributor reset a second factor: %d", a.Status)
		}
		if a := op.post(path, nil); a.Status != http.StatusSeeOther {
			t.Fatalf("reset: %d\n%s", a.Status, a.Body)
		}
		b2 := st.browser()
		b2.signIn(st.emails[passnum.RolePlace])
		if a := b2.get("/lieu"); a.Status != http.StatusOK {
			t.Fatalf("after the reset: %d", a.Status)
		}
		// Twice says there is nothing to reset.
		if a := op.post(path, nil); a.Status != http.StatusUnprocessableEntity {
			t.Fatalf("second reset: %d", a.Status)
		}
		var entries []passnum.AuditEntry
		st.view(func(ctx context.Context, tx *store.Tx) error {
			var err error
			entries, _, err = tx.ListAudit(ctx, store.AuditFilter{ObjectType: "user", ObjectID: placeUser.ID})
			return err
		})
		if len(entries) == 0 || entries[0].Action != "user.totp_disable" || entries[0].OrganisationID != st.operator.ID {
			t.Fatalf("audit %+v", entries)
		}
	})
}
