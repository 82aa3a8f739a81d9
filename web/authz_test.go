package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
	"passnum/web"
)

// visitor is one kind of visitor the authorization walk tries.
type visitor struct {
	name        string
	role        passnum.Role // staff role, or ""
	beneficiary bool
}

var visitors = []visitor{
	{name: "anonyme"},
	{name: "bénéficiaire", beneficiary: true},
	{name: "opérateur", role: passnum.RoleOperator},
	{name: "financeur", role: passnum.RoleFunder},
	{name: "distributeur", role: passnum.RoleDistributor},
	{name: "lieu", role: passnum.RolePlace},
}

var paramRE = regexp.MustCompile(`\{[^}]+\}`)

var addrSeq atomic.Int64

// TestEveryPageWithEveryVisitor walks every page of the table with every
// kind of visitor, signed out included, and checks that each is let in or
// kept out as the table says. Path parameters get well-formed ids that
// exist nowhere: what is checked is the door, not the room.
func TestEveryPageWithEveryVisitor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		// Each request comes from its own address (through the trusted
		// proxy) so that failed sign-ins of the walk are not slowed.
		st := newSite(t, s, clock, web.Config{TrustedProxy: "127.0.0.1"})
		_, codes := st.mustBeneficiary(st.distributor.ID, "Léa", "Martin", "2004-05-14")
		browsers := map[string]*browser{}
		for _, v := range visitors {
			b := st.browser()
			switch {
			case v.role != "":
				b.signIn(st.emails[v.role])
			case v.beneficiary:
				a := b.post("/mon-pass", url.Values{"code": {codes[0]}, "birth_date": {"14/05/2004"}})
				if a.Status != http.StatusSeeOther {
					t.Fatalf("beneficiary sign-in: %d\n%s", a.Status, a.Body)
				}
			}
			browsers[v.name] = b
		}
		pages := web.Pages()
		if len(pages) < 40 {
			t.Fatalf("only %d pages in the table", len(pages))
		}
		for _, p := range pages {
			if p.Path == "/deconnexion" {
				continue // signing out is tried by TestSignInAndOut
			}
			path := strings.ReplaceAll(p.Path, "{$}", "")
			path = paramRE.ReplaceAllStringFunc(path, func(m string) string {
				switch m {
				case "{purpose}":
					return "invite"
				case "{n}":
					return "0"
				}
				return passnum.NewID(time.Now())
			})
			for _, v := range visitors {
				b := browsers[v.name]
				req, _ := http.NewRequest(p.Method, st.srv.URL+path, strings.NewReader(""))
				if p.Method == http.MethodPost {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", addrSeq.Add(1)%250+1))
				a := b.do(req)
				where := fmt.Sprintf("%s %s as %s: %d %q", p.Method, p.Path, v.name, a.Status, a.Location)
				if a.Status >= 500 {
					t.Errorf("%s: server error\n%s", where, a.Body)
					continue
				}
				allowed := p.Public || (p.Beneficiary && v.beneficiary)
				for _, r := range p.Roles {
					if r == v.role && !p.Beneficiary {
						allowed = true
					}
				}
				switch {
				case p.PendingFactor:
					// Only a sign-in waiting for its second factor gets in.
					if a.Status != http.StatusSeeOther || a.Location != "/connexion" {
						t.Errorf("%s: want a redirect to /connexion", where)
					}
				case allowed:
					if a.Status == http.StatusForbidden || a.Status == http.StatusUnauthorized && !p.Public ||
						a.Status == http.StatusSeeOther && (strings.HasPrefix(a.Location, "/connexion?suite=") || a.Location == "/mon-pass" && !p.Public) {
						t.Errorf("%s: allowed by the table but refused", where)
					}
				case p.Beneficiary:
					if !(p.Method == http.MethodGet && a.Status == http.StatusSeeOther && a.Location == "/mon-pass") && a.Status != http.StatusUnauthorized {
						t.Errorf("%s: a beneficiary page let this visitor in", where)
					}
				case v.role == "":
					if !(p.Method == http.MethodGet && a.Status == http.StatusSeeOther && strings.HasPrefix(a.Location, "/connexion?suite=")) && a.Status != http.StatusUnauthorized {
						t.Errorf("%s: a staff page let a signed-out visitor in", where)
					}
				default:
					if a.Status != http.StatusForbidden {
						t.Errorf("%s: want 403 for this role", where)
					}
				}
			}
		}
	})
}
