package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"passnum"
	"passnum/mail"
	"passnum/server"
	"passnum/store"
	"passnum/store/storetest"
	"passnum/web"
)

// The web tests run on both engines, like the store's and the API's: each
// gets a fresh database, a running server and a small world.

// testPassword is every test account's password.
const testPassword = "mot de passe de test"

// site is a running server over a fresh store, with one organisation of
// each role, a programme with stock, and one signed-up person per role.
type site struct {
	t      *testing.T
	s      *store.Store
	clock  *passnum.FixedClock
	srv    *httptest.Server
	outbox string

	op          passnum.Actor // the operator organisation, acting as the system
	operator    passnum.Organisation
	funder      passnum.Organisation
	distributor passnum.Organisation
	other       passnum.Organisation // a second distributor
	place       passnum.Organisation // labelled, in Besançon
	otherPlace  passnum.Organisation // labelled, in Dijon
	programme   passnum.Programme
	// One account per role: email → role.
	emails map[passnum.Role]string
}

// each runs fn on both engines with a fresh site.
func each(t *testing.T, fn func(t *testing.T, st *site)) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		fn(t, newSite(t, s, clock, web.Config{}))
	})
}

var siretSeq atomic.Int64

func nextSIRET() string {
	body := fmt.Sprintf("%013d", 2_000_000_000_000+siretSeq.Add(1))
	for key := byte('0'); key <= '9'; key++ {
		if s := body + string(key); passnum.ValidSIRET(s) {
			return s
		}
	}
	panic("no SIRET key")
}

func newSite(t *testing.T, s *store.Store, clock *passnum.FixedClock, cfg web.Config) *site {
	t.Helper()
	st := &site{t: t, s: s, clock: clock, outbox: t.TempDir(), emails: map[passnum.Role]string{}}
	if cfg.Mail == nil {
		cfg.Mail = mail.Outbox{Dir: st.outbox}
	}
	// The server is started first so that links can name its address.
	mux := http.NewServeMux()
	st.srv = httptest.NewServer(mux)
	t.Cleanup(st.srv.Close)
	if cfg.PublicURL == "" {
		cfg.PublicURL = st.srv.URL
	}
	h, err := server.New(s, slog.New(slog.DiscardHandler), cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux.Handle("/", h)

	sys := passnum.SystemActor
	st.operator = st.mustOrg(sys, passnum.NewOrganisation{Kind: passnum.RoleOperator, Name: "Région — Service du numérique"})
	st.op = passnum.Actor{OrganisationID: st.operator.ID, Role: passnum.RoleOperator, Kind: "system", ID: "tests"}
	st.funder = st.mustOrg(st.op, passnum.NewOrganisation{Kind: passnum.RoleFunder, Name: "Région Bourgogne-Franche-Comté"})
	state := st.mustOrg(st.op, passnum.NewOrganisation{Kind: passnum.RoleFunder, Name: "État"})
	st.distributor = st.mustOrg(st.op, passnum.NewOrganisation{Kind: passnum.RoleDistributor, Name: "Mission locale du Grand Besançon", CommuneINSEE: "25056"})
	st.other = st.mustOrg(st.op, passnum.NewOrganisation{Kind: passnum.RoleDistributor, Name: "Mission locale de Dijon", CommuneINSEE: "21231"})
	st.place = st.mustOrg(st.op, passnum.NewOrganisation{Kind: passnum.RolePlace, Name: "Espace public numérique de Planoise", SIRET: nextSIRET(), CommuneINSEE: "25056"})
	st.otherPlace = st.mustOrg(st.op, passnum.NewOrganisation{Kind: passnum.RolePlace, Name: "Médiathèque de Dijon", SIRET: nextSIRET(), CommuneINSEE: "21231"})
	st.write(func(ctx context.Context, tx *store.Tx) error {
		for _, p := range []string{st.place.ID, st.otherPlace.ID} {
			if _, err := tx.SetPlaceStatus(ctx, st.op, p, passnum.OrgLabelled, ""); err != nil {
				return err
			}
		}
		var err error
		st.programme, err = tx.CreateProgramme(ctx, st.op, passnum.Programme{
			Name: "Pass numérique 2026", FaceValueCents: 1000, BookletSize: 5,
			ValidFrom: passnum.MustDate("2026-01-01"), ValidUntil: passnum.MustDate("2026-12-31"),
			GraceDays: 31, MinAge: 16, MaxAge: 25, MaxBookletsPerBeneficiary: 1, CancelWindowHours: 24,
			Funders: []passnum.FunderShare{{OrganisationID: st.funder.ID, ShareBps: 5000}, {OrganisationID: state.ID, ShareBps: 5000}},
		})
		return err
	})
	st.write(func(ctx context.Context, tx *store.Tx) error {
		if _, err := tx.Issue(ctx, st.op, st.programme.ID, 20); err != nil {
			return err
		}
		for _, d := range []string{st.distributor.ID, st.other.ID} {
			if _, err := tx.Allocate(ctx, st.op, st.programme.ID, d, 5); err != nil {
				return err
			}
		}
		return nil
	})
	for role, org := range map[passnum.Role]passnum.Organisation{passnum.RoleOperator: st.operator, passnum.RoleFunder: st.funder,
		passnum.RoleDistributor: st.distributor, passnum.RolePlace: st.place} {
		st.emails[role] = st.mustUser(org.ID, string(role)+"@exemple.fr")
	}
	return st
}

func (st *site) mustOrg(actor passnum.Actor, n passnum.NewOrganisation) passnum.Organisation {
	st.t.Helper()
	var o passnum.Organisation
	st.write(func(ctx context.Context, tx *store.Tx) error {
		var err error
		o, err = tx.CreateOrganisation(ctx, actor, n)
		return err
	})
	return o
}

// hashed is the test password's hash, computed once: argon2id is slow on
// purpose.
var hashed = passnum.HashPassword(testPassword)

// mustUser adds a person with the test password to an organisation.
func (st *site) mustUser(orgID, email string) string {
	st.t.Helper()
	st.write(func(ctx context.Context, tx *store.Tx) error {
		u, err := tx.CreateUser(ctx, st.op, passnum.NewUser{OrganisationID: orgID, Email: email, Name: "Personne " + email})
		if err != nil {
			return err
		}
		return tx.SetPassword(ctx, st.op, u.ID, hashed)
	})
	return email
}

func (st *site) write(fn func(ctx context.Context, tx *store.Tx) error) {
	st.t.Helper()
	if err := st.s.Write(st.t.Context(), func(tx *store.Tx) error { return fn(st.t.Context(), tx) }); err != nil {
		st.t.Fatal(err)
	}
}

func (st *site) view(fn func(ctx context.Context, tx *store.Tx) error) {
	st.t.Helper()
	if err := st.s.View(st.t.Context(), func(tx *store.Tx) error { return fn(st.t.Context(), tx) }); err != nil {
		st.t.Fatal(err)
	}
}

// mustBeneficiary registers a young person at the distributor and hands
// them a booklet; it returns them and their pass codes.
func (st *site) mustBeneficiary(distributorID, first, last, birth string) (passnum.Beneficiary, []string) {
	st.t.Helper()
	actor := passnum.Actor{OrganisationID: distributorID, Role: passnum.RoleDistributor, Kind: "system", ID: "tests"}
	var b passnum.Beneficiary
	var codes []string
	st.write(func(ctx context.Context, tx *store.Tx) error {
		var err error
		b, err = tx.CreateBeneficiary(ctx, actor, passnum.Beneficiary{FirstName: first, LastName: last, BirthDate: passnum.MustDate(birth),
			CommuneINSEE: "25056", JobSeeker: true})
		if err != nil {
			return err
		}
		bk, err := tx.HandOut(ctx, actor, b.ID, st.programme.ID)
		if err != nil {
			return err
		}
		for _, p := range bk.Passes {
			codes = append(codes, p.Code)
		}
		return nil
	})
	return b, codes
}

// browser is one visitor, with its cookies.
type browser struct {
	t      *testing.T
	st     *site
	client *http.Client
}

func (st *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: st.t, st: st, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is an answer: its status, where it redirects, its body.
type answer struct {
	Status   int
	Location string
	Body     string
}

// has says whether the page holds s; the French no-break spaces (before
// a unit, between thousands) count as spaces.
func (a answer) has(s string) bool {
	return strings.Contains(frSpaces.Replace(a.Body), frSpaces.Replace(s))
}

var frSpaces = strings.NewReplacer("\u00a0", " ", "\u202f", " ")

func (b *browser) do(req *http.Request) answer {
	b.t.Helper()
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return answer{Status: res.StatusCode, Location: res.Header.Get("Location"), Body: string(body)}
}

func (b *browser) get(path string) answer {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, b.st.srv.URL+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) answer {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.st.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// follow follows redirects from an answer, like a browser after a form.
func (b *browser) follow(a answer) answer {
	b.t.Helper()
	for i := 0; i < 5 && a.Status >= 300 && a.Status < 400; i++ {
		a = b.get(strings.TrimPrefix(a.Location, b.st.srv.URL))
	}
	return a
}

// signIn signs a person in with the test password.
func (b *browser) signIn(email string) {
	b.t.Helper()
	a := b.post("/connexion", url.Values{"email": {email}, "password": {testPassword}})
	if a.Status != http.StatusSeeOther {
		b.t.Fatalf("sign-in of %s: %d\n%s", email, a.Status, a.Body)
	}
}

// as is a browser signed in with the account of a role.
func (st *site) as(role passnum.Role) *browser {
	st.t.Helper()
	b := st.browser()
	b.signIn(st.emails[role])
	return b
}

// lastMail reads the newest message of the outbox.
func (st *site) lastMail() string {
	st.t.Helper()
	entries, err := os.ReadDir(st.outbox)
	if err != nil || len(entries) == 0 {
		st.t.Fatalf("no mail in the outbox (%v)", err)
	}
	b, err := os.ReadFile(filepath.Join(st.outbox, entries[len(entries)-1].Name()))
	if err != nil {
		st.t.Fatal(err)
	}
	// Undo quoted-printable soft breaks, enough to read links.
	return strings.NewReplacer("=\r\n", "", "=3D", "=").Replace(string(b))
}

var linkRE = regexp.MustCompile(`/lien/(invite|reset)/[A-Za-z0-9_-]+`)

// mailedLink finds the one-time link in the newest message.
func (st *site) mailedLink() string {
	st.t.Helper()
	l := linkRE.FindString(st.lastMail())
	if l == "" {
		st.t.Fatalf("no link in the mail:\n%s", st.lastMail())
	}
	return l
}
