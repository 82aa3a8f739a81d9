package store_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"passnum"
	"passnum/store"
)

func byPass(t *testing.T, s *store.Store, code, birth string) (passnum.Beneficiary, error) {
	t.Helper()
	var b passnum.Beneficiary
	err := s.View(t.Context(), func(tx *store.Tx) error {
		var err error
		b, err = tx.BeneficiaryByPass(t.Context(), code, passnum.MustDate(birth))
		return err
	})
	return b, err
}

func TestBeneficiaryByPass(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		w := newWorld(t, s, clock) // w.ben born 2005-06-15
		bk := w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
		w.MustRedeem(w.place, bk.Passes[0].Code)

		for _, code := range []string{bk.Passes[0].Code, bk.Passes[4].Code} {
			b, err := byPass(t, s, code, "2005-06-15")
			if err != nil {
				t.Fatalf("sign in with %s: %v", passnum.MaskPassCode(code), err)
			}
			if b.ID != w.ben.ID || b.FirstName != "Léa" || b.DistributorID != w.dist.OrganisationID || b.BirthDate.String() != "2005-06-15" {
				t.Fatalf("signed in as %+v", b)
			}
		}
		// Whatever is wrong, the same answer.
		_, wrongBirth := byPass(t, s, bk.Passes[0].Code, "2005-06-16")
		e1 := wantCode(t, wrongBirth, passnum.EUNAUTHENTICATED)
		_, unknown := byPass(t, s, passnum.NewPassCode(), "2005-06-15")
		e2 := wantCode(t, unknown, passnum.EUNAUTHENTICATED)
		if e1.Message != e2.Message || e1.Message == "" {
			t.Fatalf("messages differ: %q / %q", e1.Message, e2.Message)
		}
		// A pass of a booklet never handed out does not sign in.
		loose := rawStrings(t, db, `SELECT ps.code FROM passes ps JOIN booklets b ON b.id = ps.booklet_id WHERE b.status = 'allocated' ORDER BY ps.id LIMIT 1`)
		_, err := byPass(t, s, loose[0], "2005-06-15")
		wantCode(t, err, passnum.EUNAUTHENTICATED)

		// Nor does one of a lost booklet; the replacement's codes do.
		nb, err := w.Replace(w.dist, bk.ID, w.dist.OrganisationID, "perdu")
		if err != nil {
			t.Fatal(err)
		}
		_, err = byPass(t, s, bk.Passes[4].Code, "2005-06-15")
		wantCode(t, err, passnum.EUNAUTHENTICATED)
		if b, err := byPass(t, s, nb.Passes[0].Code, "2005-06-15"); err != nil || b.ID != w.ben.ID {
			t.Fatalf("replacement sign in: %+v, %v", b, err)
		}
	})
}

func beneficiaryPasses(t *testing.T, s *store.Store, id string) ([]store.BeneficiaryPass, error) {
	t.Helper()
	var out []store.BeneficiaryPass
	err := s.View(t.Context(), func(tx *store.Tx) error {
		var err error
		out, err = tx.BeneficiaryPasses(t.Context(), id)
		return err
	})
	return out, err
}

func TestBeneficiaryPasses(t *testing.T) {
	eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
		w := newWorld(t, s, clock)
		if got, err := beneficiaryPasses(t, s, w.ben.ID); err != nil || len(got) != 0 {
			t.Fatalf("before any booklet: %v, %v", got, err)
		}
		_, err := beneficiaryPasses(t, s, passnum.NewID(clock.Now()))
		wantCode(t, err, passnum.ENOTFOUND)

		bk := w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
		site, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Site, error) {
			return tx.CreateSite(ctx, w.op, w.place.OrganisationID, passnum.NewSite{Name: "Antenne de Dole", Address: "2 place Nationale Charles de Gaulle",
				CommuneINSEE: "39198", Postcode: "39100", Services: []string{"Maîtrise des outils numériques du quotidien"}})
		})
		if err != nil {
			t.Fatal(err)
		}
		// A second site: a redemption naming none is then recorded at none
		// (with one site, it would be that site's).
		if _, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Site, error) {
			return tx.CreateSite(ctx, w.op, w.place.OrganisationID, passnum.NewSite{Name: "Antenne de Dole, salle des fêtes", Address: "1 rue de la Sous-Préfecture",
				CommuneINSEE: "39198", Postcode: "39100", Services: []string{"Maîtrise des outils numériques du quotidien"}})
		}); err != nil {
			t.Fatal(err)
		}
		clock.Set(at("2026-03-12 14:30:00"))
		firstAt := clock.Now()
		w.MustRedeem(w.place, bk.Passes[0].Code) // no site: the place's commune, Dijon
		clock.Set(at("2026-04-02 09:15:00"))
		if _, err := write(t, s, func(ctx context.Context, tx *store.Tx) (passnum.Redemption, error) {
			return tx.Redeem(ctx, w.place, store.RedeemRequest{Code: bk.Passes[1].Code, Service: "Aide aux démarches administratives", SiteID: site.ID})
		}); err != nil {
			t.Fatal(err)
		}
		r := w.MustRedeem(w.place, bk.Passes[2].Code)
		if _, err := w.Cancel(w.place, r.ID, "erreur de saisie"); err != nil {
			t.Fatal(err)
		}

		got, err := beneficiaryPasses(t, s, w.ben.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 5 {
			t.Fatalf("%d passes, want 5", len(got))
		}
		for i, p := range got {
			if p.Code != bk.Passes[i].Code || p.BookletID != bk.ID || p.ProgrammeID != w.prog.ID || p.ProgrammeName != "Pass numérique 2026" ||
				p.ValidUntil.String() != "2026-12-31" || p.FaceValueCents != 1000 {
				t.Fatalf("pass %d: %+v", i, p)
			}
		}
		if p := got[0]; p.Status != passnum.PassRedeemed || p.RedeemedAt == nil || !p.RedeemedAt.Equal(firstAt) ||
			p.PlaceName != "Médiathèque Pierre-Bayle" || p.SiteName != "" || p.Commune != "Dijon" || p.Service != "Maîtrise des outils numériques du quotidien" {
			t.Fatalf("first pass: %+v", p)
		}
		if p := got[1]; p.Status != passnum.PassRedeemed || p.SiteName != "Antenne de Dole" || p.Commune != "Dole" || p.Service != "Aide aux démarches administratives" {
			t.Fatalf("second pass: %+v", p)
		}
		// A cancelled redemption leaves the pass usable, with no place.
		for _, p := range got[2:] {
			if p.Status != passnum.PassAssigned || p.RedeemedAt != nil || p.PlaceName != "" || p.Commune != "" {
				t.Fatalf("unused pass: %+v", p)
			}
		}

		// After a replacement: the new booklet first, with the lost one's
		// unused value only (3 passes: its voided ones are not listed), the
		// lost one's unused passes blocked.
		clock.Advance(time.Hour)
		nb, err := w.Replace(w.dist, bk.ID, w.dist.OrganisationID, "perdu")
		if err != nil {
			t.Fatal(err)
		}
		got, err = beneficiaryPasses(t, s, w.ben.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 8 || got[0].BookletID != nb.ID || got[3].BookletID != bk.ID {
			t.Fatalf("after replacement: %d passes, first of booklet %s", len(got), got[0].BookletID)
		}
		want := []passnum.PassStatus{passnum.PassAssigned, passnum.PassAssigned, passnum.PassAssigned,
			passnum.PassRedeemed, passnum.PassRedeemed, passnum.PassBlocked, passnum.PassBlocked, passnum.PassBlocked}
		for i, p := range got {
			if p.Status != want[i] {
				t.Fatalf("pass %d status %s, want %s", i, p.Status, want[i])
			}
		}
		// Past the last redeeming day, unused passes show as expired.
		clock.Set(at("2027-02-15 10:00:00"))
		got, err = beneficiaryPasses(t, s, w.ben.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got[0].Status != passnum.PassExpired || got[3].Status != passnum.PassRedeemed || got[7].Status != passnum.PassBlocked {
			t.Fatalf("after the end: %s %s %s", got[0].Status, got[3].Status, got[7].Status)
		}
	})
}
