package store_test

import (
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

// TestRedeemRefusalsSayWhy pins the words of every refusal of a
// redemption: the single path, the group path and the place's check page
// (passnum.RedeemRefusal on the pass as the place sees it) say the same
// thing, code, words and details.
func TestRedeemRefusalsSayWhy(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		w := newWorld(t, s, clock)
		codes := handOutMany(t, w, 3)
		paris := w.MustOrganisation(passnum.NewOrganisation{Kind: passnum.RolePlace, Name: "Espace numérique parisien", SIRET: nextSIRET(), CommuneINSEE: "75056"})
		w.MustSetPlaceStatus(paris.ID, passnum.OrgLabelled, "")
		suspended := w.MustPlace("Lieu suspendu")
		w.MustSetPlaceStatus(suspended.OrganisationID, passnum.OrgSuspended, "contrôle")
		bk := w.Pass(codes[5]).BookletID
		if _, err := w.Block(w.dist, bk, w.dist.OrganisationID, "perdu"); err != nil {
			t.Fatal(err)
		}
		first := w.MustRedeem(w.place, codes[0])
		var unassigned string
		if err := db.QueryRow(`SELECT code FROM passes WHERE status = 'unassigned' ORDER BY code LIMIT 1`).Scan(&unassigned); err != nil {
			t.Fatal(err)
		}
		req := func(code string) store.RedeemRequest { return store.RedeemRequest{Code: code, Service: groupService} }

		// refused redeems code by actor on both paths, checks they agree,
		// and returns the refusal.
		refused := func(t *testing.T, actor passnum.Actor, code, want string) *passnum.Error {
			t.Helper()
			_, alone := redeemAlone(s, actor, req(code))
			e := wantCode(t, alone, want)
			_, grouped := redeemGrouped(s, actor, req(code))
			var ge *passnum.Error
			if !errors.As(grouped, &ge) || ge.Code != e.Code || ge.Message != e.Message || !reflect.DeepEqual(ge.Extra, e.Extra) {
				t.Fatalf("grouped %#v\n   alone %#v", grouped, e)
			}
			return e
		}
		// asShown is the refusal the check page gives for the same pass.
		asShown := func(t *testing.T, code string, e *passnum.Error) {
			t.Helper()
			var pe *passnum.Error
			if !errors.As(passnum.RedeemRefusal(w.Pass(code)), &pe) || pe.Code != e.Code || pe.Message != e.Message || !reflect.DeepEqual(pe.Extra, e.Extra) {
				t.Fatalf("the check says %#v\n the redemption %#v", pe, e)
			}
		}

		t.Run("already redeemed", func(t *testing.T) {
			e := refused(t, actorOf(paris), codes[0], passnum.EALREADYREDEEMED)
			want := "Ce pass a déjà été utilisé le " + first.RedeemedAt.In(passnum.Paris).Format("02/01/2006 à 15h04") +
				" à Médiathèque Pierre-Bayle : il ne peut pas être encaissé une seconde fois."
			if e.Message != want {
				t.Fatalf("message %q, want %q", e.Message, want)
			}
			if at, _ := e.Extra["redeemed_at"].(time.Time); !at.Equal(first.RedeemedAt) || e.Extra["place_id"] != w.place.OrganisationID {
				t.Fatalf("extra %v", e.Extra)
			}
			asShown(t, codes[0], e)
		})
		t.Run("blocked", func(t *testing.T) {
			e := refused(t, w.place, codes[5], passnum.EBLOCKED)
			if !strings.HasPrefix(e.Message, "Ce pass appartient à un carnet bloqué (perdu ou remplacé)") {
				t.Fatalf("message %q", e.Message)
			}
			asShown(t, codes[5], e)
		})
		t.Run("not handed out", func(t *testing.T) {
			e := refused(t, w.place, unassigned, passnum.ENOTASSIGNED)
			if e.Message != "Ce pass n'a pas encore été remis à un bénéficiaire : il ne peut pas être encaissé." {
				t.Fatalf("message %q", e.Message)
			}
			asShown(t, unassigned, e)
		})
		t.Run("unknown", func(t *testing.T) {
			refused(t, w.place, passnum.NewPassCode(), passnum.ENOTFOUND)
		})
		t.Run("place not labelled", func(t *testing.T) {
			e := refused(t, suspended, codes[1], passnum.EPLACENOTLABELLED)
			if !strings.HasPrefix(e.Message, "Votre lieu n'est pas labellisé en ce moment") {
				t.Fatalf("message %q", e.Message)
			}
		})
		t.Run("outside the territory", func(t *testing.T) {
			e := refused(t, actorOf(paris), codes[1], passnum.EOUTSIDETERRITORY)
			if !strings.HasPrefix(e.Message, "Votre lieu est hors du territoire de ce programme (") {
				t.Fatalf("message %q", e.Message)
			}
		})
		t.Run("window not open yet", func(t *testing.T) {
			// The programme opens on 1 January 2026.
			clock.Set(time.Date(2025, 12, 15, 9, 0, 0, 0, passnum.Paris))
			defer clock.Set(storetest.Epoch)
			e := refused(t, w.place, codes[2], passnum.EEXPIRED)
			if e.Message != "Ce pass n'est pas encaissable aujourd'hui : la période de validité du programme n'est pas ouverte." {
				t.Fatalf("message %q", e.Message)
			}
			if why := passnum.RedeemRefusal(w.Pass(codes[2])); why != nil {
				t.Fatalf("the check refuses an assigned pass: %v", why)
			}
		})
		t.Run("expired", func(t *testing.T) {
			clock.Set(time.Date(2027, 3, 1, 9, 0, 0, 0, passnum.Paris))
			e := refused(t, w.place, codes[3], passnum.EEXPIRED)
			if !strings.Contains(e.Message, "il était valable jusqu'au 31/12/2026") {
				t.Fatalf("message %q", e.Message)
			}
			asShown(t, codes[3], e)
		})
		// Nothing refused was written.
		for _, c := range codes[1:] {
			if p := w.Pass(c); p.Status == passnum.PassRedeemed {
				t.Fatalf("refused pass %s was redeemed", c)
			}
		}
		mustCheck(t, s)
	})
}
