package web_test

import (
	"context"
	"fmt"
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

// Failed sign-ins from one address are refused beyond the limit, whatever
// accounts they try; another address, and so the account's owner
// elsewhere, is not affected; successes are not held against an address.
func TestSignInThrottling(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		st := newSite(t, s, clock, web.Config{TrustedProxy: "127.0.0.1"})
		attacker := st.browser()
		email := st.emails[passnum.RoleDistributor]
		try := func(b *browser, from, who, pw string) answer {
			req, _ := http.NewRequest(http.MethodPost, st.srv.URL+"/connexion", strings.NewReader(url.Values{"email": {who}, "password": {pw}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", from)
			return b.do(req)
		}
		// A shared connection signs in many times: successes are given back.
		for range passnum.SigninAddressLimit.Max + 5 {
			if a := try(st.browser(), "198.51.100.50", st.emails[passnum.RolePlace], testPassword); a.Status != http.StatusSeeOther {
				t.Fatalf("a success counted against its address: %d", a.Status)
			}
		}
		// Failures on many accounts from one address.
		for i := range passnum.SigninAddressLimit.Max {
			if a := try(attacker, "203.0.113.9", fmt.Sprintf("personne%d@exemple.fr", i), "mauvais mot de passe"); a.Status != http.StatusUnauthorized {
				t.Fatalf("attempt %d: %d", i+1, a.Status)
			}
		}
		a := try(attacker, "203.0.113.9", email, testPassword)
		if a.Status != http.StatusTooManyRequests || !a.has("Trop d&#39;essais") {
			t.Fatalf("attempt beyond the limit: %d\n%s", a.Status, a.Body)
		}
		// The owner, from their own address, signs in.
		owner := st.browser()
		if a := try(owner, "198.51.100.7", email, testPassword); a.Status != http.StatusSeeOther {
			t.Fatalf("owner refused: %d", a.Status)
		}
		// After the window, the address may try again.
		clock.Advance(16 * time.Minute)
		if a := try(attacker, "203.0.113.9", email, testPassword); a.Status != http.StatusSeeOther {
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

var (
	secretRE   = regexp.MustCompile(`name="secret" value="([A-Z2-7]+)"`)
	recoveryRE = regexp.MustCompile(`<code>([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})</code>`)
)

// code is the TOTP code of secret at the site's clock.
func (st *site) code(secret string, offset time.Duration) string {
	st.t.Helper()
	c, err := totp.GenerateCode(secret, st.clock.Now().Add(offset))
	if err != nil {
		st.t.Fatal(err)
	}
	return c
}

// enableFactor turns the second factor on for a signed-in browser and
// returns the secret and the recovery codes shown.
func (st *site) enableFactor(b *browser) (string, []string) {
	st.t.Helper()
	a := b.post("/compte/double-authentification", nil)
	m := secretRE.FindStringSubmatch(a.Body)
	if a.Status != http.StatusOK || m == nil {
		st.t.Fatalf("setup: %d", a.Status)
	}
	secret := m[1]
	a = b.post("/compte/double-authentification", url.Values{"secret": {secret}, "code": {st.code(secret, 0)}, "current_password": {testPassword}})
	if a.Status != http.StatusOK || !a.has("activée") {
		st.t.Fatalf("enable: %d %s", a.Status, a.Body)
	}
	var codes []string
	for _, m := range recoveryRE.FindAllStringSubmatch(a.Body, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != passnum.RecoveryCodeCount {
		st.t.Fatalf("%d recovery codes shown", len(codes))
	}
	return secret, codes
}

func TestSecondFactor(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		b := st.as(passnum.RoleOperator)
		a := b.post("/compte/double-authentification", nil)
		m := secretRE.FindStringSubmatch(a.Body)
		if a.Status != http.StatusOK || m == nil {
			t.Fatalf("setup: %d", a.Status)
		}
		secret := m[1]
		// The password is asked, and the code checked.
		if a = b.post("/compte/double-authentification", url.Values{"secret": {secret}, "code": {st.code(secret, 0)}}); a.Status != http.StatusUnauthorized || !a.has("mot de passe incorrect") {
			t.Fatalf("without the password: %d", a.Status)
		}
		if a = b.post("/compte/double-authentification", url.Values{"secret": {secret}, "code": {"000000"}, "current_password": {testPassword}}); !a.has("code incorrect") {
			t.Fatal("a wrong code turned the second factor on")
		}
		st.clock.Advance(30 * time.Second)
		a = b.post("/compte/double-authentification", url.Values{"secret": {secret}, "code": {st.code(secret, 0)}, "current_password": {testPassword}})
		if a.Status != http.StatusOK || len(recoveryRE.FindAllString(a.Body, -1)) != passnum.RecoveryCodeCount {
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
		// The code used to turn the factor on is spent already.
		if a = b2.post("/connexion/code", url.Values{"code": {st.code(secret, 0)}}); a.Status != http.StatusUnauthorized || !a.has("déjà servi") {
			t.Fatalf("the enabling code replayed: %d", a.Status)
		}
		st.clock.Advance(30 * time.Second)
		code := st.code(secret, 0)
		if a = b2.post("/connexion/code", url.Values{"code": {code}}); a.Status != http.StatusSeeOther {
			t.Fatalf("right code: %d", a.Status)
		}
		if a = b2.get("/compte"); a.Status != http.StatusOK || !a.has("activée") {
			t.Fatalf("after the code: %d", a.Status)
		}
		// RFC 6238 §5.2: the same code, seen over a shoulder, does not open
		// another session.
		b3 := st.browser()
		b3.signIn(st.emails[passnum.RoleOperator])
		if a = b3.post("/connexion/code", url.Values{"code": {code}}); a.Status != http.StatusUnauthorized || !a.has("déjà servi") {
			t.Fatalf("a code accepted twice: %d", a.Status)
		}
	})
}

// Recovery codes stand in for the application, once each; turning the
// factor off or replacing it needs the password and a current code.
func TestSecondFactorRecoveryAndChanges(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		b := st.as(passnum.RoleDistributor)
		secret, codes := st.enableFactor(b)
		signInWith := func(code string) answer {
			t.Helper()
			nb := st.browser()
			nb.signIn(st.emails[passnum.RoleDistributor])
			return nb.post("/connexion/code", url.Values{"code": {code}})
		}
		if a := signInWith(strings.ToLower(codes[0])); a.Status != http.StatusSeeOther {
			t.Fatalf("recovery code: %d %s", a.Status, a.Body)
		}
		if a := signInWith(codes[0]); a.Status != http.StatusUnauthorized {
			t.Fatalf("a recovery code used twice: %d", a.Status)
		}
		if a := b.get("/compte"); !a.has("<strong>9</strong> codes de secours") {
			t.Fatalf("codes left not shown:\n%s", a.Body)
		}

		// Turning it off: an open session is not enough.
		st.clock.Advance(time.Minute)
		if a := b.post("/compte/double-authentification/desactiver", nil); a.Status != http.StatusUnauthorized {
			t.Fatalf("turned off without password: %d", a.Status)
		}
		if a := b.post("/compte/double-authentification/desactiver", url.Values{"current_password": {testPassword}, "current_code": {"000000"}}); a.Status != http.StatusUnauthorized {
			t.Fatalf("turned off without a current code: %d", a.Status)
		}
		// Replacing it (a new phone) also needs the current code.
		a := b.post("/compte/double-authentification", nil)
		m := secretRE.FindStringSubmatch(a.Body)
		if m == nil || !a.has("current_code") {
			t.Fatalf("replacement form: %d", a.Status)
		}
		newSecret := m[1]
		st.clock.Advance(time.Minute)
		if a := b.post("/compte/double-authentification", url.Values{"secret": {newSecret}, "code": {st.code(newSecret, 0)}, "current_password": {testPassword}}); a.Status != http.StatusUnauthorized {
			t.Fatalf("replaced without the current code: %d", a.Status)
		}
		st.clock.Advance(time.Minute)
		a = b.post("/compte/double-authentification", url.Values{"secret": {newSecret}, "code": {st.code(newSecret, 0)}, "current_password": {testPassword}, "current_code": {codes[1]}})
		if a.Status != http.StatusOK || len(recoveryRE.FindAllString(a.Body, -1)) != passnum.RecoveryCodeCount {
			t.Fatalf("replace with a recovery code: %d %s", a.Status, a.Body)
		}
		// The old application and the old recovery codes no longer work.
		st.clock.Advance(time.Minute)
		if a := signInWith(st.code(secret, 0)); a.Status != http.StatusUnauthorized {
			t.Fatalf("the old application still works: %d", a.Status)
		}
		st.clock.Advance(time.Minute)
		if a := signInWith(codes[2]); a.Status != http.StatusUnauthorized {
			t.Fatalf("an old recovery code still works: %d", a.Status)
		}
		// New recovery codes, with the password and a current code; the
		// ones shown before stop working.
		before := recoveryRE.FindAllStringSubmatch(a.Body, -1)[0][1]
		st.clock.Advance(time.Minute)
		if a := b.post("/compte/codes-de-secours", url.Values{"current_password": {testPassword}}); a.Status != http.StatusUnauthorized {
			t.Fatalf("new codes without a current code: %d", a.Status)
		}
		a = b.post("/compte/codes-de-secours", url.Values{"current_password": {testPassword}, "current_code": {st.code(newSecret, 0)}})
		renewed := recoveryRE.FindAllStringSubmatch(a.Body, -1)
		if a.Status != http.StatusOK || len(renewed) != passnum.RecoveryCodeCount || renewed[0][1] == before {
			t.Fatalf("new recovery codes: %d %s", a.Status, a.Body)
		}
		if a := signInWith(before); a.Status != http.StatusUnauthorized {
			t.Fatalf("a recovery code drawn before still works: %d", a.Status)
		}
		st.clock.Advance(time.Minute)
		if a := b.post("/compte/double-authentification/desactiver", url.Values{"current_password": {testPassword}, "current_code": {st.code(newSecret, 0)}}); a.Status != http.StatusSeeOther {
			t.Fatalf("turn off: %d %s", a.Status, a.Body)
		}
		if a := b.get("/compte"); !a.has("Configurer la double authentification") {
			t.Fatal("still on")
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
