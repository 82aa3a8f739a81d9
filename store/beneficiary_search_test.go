package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

func search(t *testing.T, s *store.Store, distributorID, q string, limit int, cursor string) ([]store.BeneficiarySummary, string, error) {
	t.Helper()
	p, err := store.NewPage(limit, cursor)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.BeneficiarySummary
	var next string
	err = s.View(t.Context(), func(tx *store.Tx) error {
		var err error
		out, next, err = tx.SearchBeneficiaries(t.Context(), distributorID, q, p)
		return err
	})
	return out, next, err
}

func mustSearch(t *testing.T, s *store.Store, distributorID, q string) []store.BeneficiarySummary {
	t.Helper()
	out, next, err := search(t, s, distributorID, q, 0, "")
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	if next != "" {
		t.Fatalf("search %q: unexpected next page", q)
	}
	return out
}

func summaryIDs(list []store.BeneficiarySummary) []string {
	var out []string
	for _, b := range list {
		out = append(out, b.ID)
	}
	return out
}

func wantIDs(t *testing.T, what string, got []store.BeneficiarySummary, want ...passnum.Beneficiary) {
	t.Helper()
	var ids []string
	for _, b := range want {
		ids = append(ids, b.ID)
	}
	if g := summaryIDs(got); !slices.Equal(g, ids) {
		var names []string
		for _, b := range got {
			names = append(names, b.FirstName+" "+b.LastName)
		}
		t.Fatalf("%s: got %v (%v), want %v", what, g, names, ids)
	}
}

func TestSearchBeneficiaries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock) // w.ben is Léa Martin, the oldest
		other := w.MustDistributor("France Travail Dijon")
		named := func(dist passnum.Actor, first, last string) passnum.Beneficiary {
			clock.Advance(time.Minute)
			return w.MustBeneficiary(dist, func(b *passnum.Beneficiary) { b.FirstName, b.LastName = first, last })
		}
		eloise := named(w.dist, "Éloïse", "Dupont-Léger")
		marieLea := named(w.dist, "Marie-Léa", "Durand")
		shouting := named(w.dist, "LEA", "MARTINEZ")
		oneil := named(w.dist, "Seán", "O'Neil")
		elsewhere := named(other, "Léa", "Martin")

		// Case and accents are ignored, and each word of the query starts a
		// word of the names; newest first.
		wantIDs(t, "lea", mustSearch(t, s, w.dist.OrganisationID, "lea"), shouting, marieLea, w.ben)
		wantIDs(t, "LÉA", mustSearch(t, s, w.dist.OrganisationID, "LÉA"), shouting, marieLea, w.ben)
		wantIDs(t, "léa mar", mustSearch(t, s, w.dist.OrganisationID, "  léa   mar "), shouting, marieLea, w.ben)
		wantIDs(t, "martin lea", mustSearch(t, s, w.dist.OrganisationID, "martin lea"), shouting, w.ben)
		wantIDs(t, "martine", mustSearch(t, s, w.dist.OrganisationID, "martine"), shouting)
		wantIDs(t, "eloise", mustSearch(t, s, w.dist.OrganisationID, "ELOISE"), eloise)
		wantIDs(t, "leger", mustSearch(t, s, w.dist.OrganisationID, "léger"), eloise)
		wantIDs(t, "dupont-leger", mustSearch(t, s, w.dist.OrganisationID, "dupont-leger"), eloise)
		wantIDs(t, "neil", mustSearch(t, s, w.dist.OrganisationID, "neil"), oneil)
		wantIDs(t, "sean o", mustSearch(t, s, w.dist.OrganisationID, "sean o'"), oneil)
		wantIDs(t, "inside a word", mustSearch(t, s, w.dist.OrganisationID, "artin"))
		wantIDs(t, "nothing", mustSearch(t, s, w.dist.OrganisationID, "zoé"))
		// No query lists the agency's beneficiaries; the operator sees all.
		wantIDs(t, "all", mustSearch(t, s, w.dist.OrganisationID, ""), oneil, shouting, marieLea, eloise, w.ben)
		wantIDs(t, "other agency", mustSearch(t, s, other.OrganisationID, "lea"), elsewhere)
		wantIDs(t, "operator", mustSearch(t, s, "", "léa martin"), elsewhere, shouting, w.ben)

		// Pages follow each other without repeating.
		var seen []string
		cursor := ""
		for pages := 0; ; pages++ {
			page, next, err := search(t, s, w.dist.OrganisationID, "", 2, cursor)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) > 2 || pages > 3 {
				t.Fatalf("page %d of %d items", pages, len(page))
			}
			seen = append(seen, summaryIDs(page)...)
			if next == "" {
				break
			}
			cursor = next
		}
		if want := []string{oneil.ID, shouting.ID, marieLea.ID, eloise.ID, w.ben.ID}; !slices.Equal(seen, want) {
			t.Fatalf("pages %v, want %v", seen, want)
		}

		// So do the pages of a search.
		first, next, err := search(t, s, w.dist.OrganisationID, "lea", 2, "")
		if err != nil || next == "" {
			t.Fatalf("first page of lea: %v, next %q", err, next)
		}
		rest, last, err := search(t, s, w.dist.OrganisationID, "lea", 2, next)
		if err != nil || last != "" {
			t.Fatalf("second page of lea: %v, next %q", err, last)
		}
		wantIDs(t, "lea by pages", append(first, rest...), shouting, marieLea, w.ben)

		long := make([]byte, 101)
		for i := range long {
			long[i] = 'a'
		}
		_, _, err = search(t, s, w.dist.OrganisationID, string(long), 0, "")
		wantCode(t, err, passnum.EINVALID)
	})
}

func summaryOf(t *testing.T, s *store.Store, distributorID, id string) store.BeneficiarySummary {
	t.Helper()
	for _, b := range mustSearch(t, s, distributorID, "") {
		if b.ID == id {
			return b
		}
	}
	t.Fatalf("beneficiary %s not listed", id)
	return store.BeneficiarySummary{}
}

func TestBeneficiarySummaryCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock)
		none := w.MustBeneficiary(w.dist, func(b *passnum.Beneficiary) { b.FirstName = "Paul" })
		if got := summaryOf(t, s, w.dist.OrganisationID, none.ID); got.PassesTotal != 0 || got.PassesUsed != 0 || got.LatestBookletID != "" || got.FirstName != "Paul" {
			t.Fatalf("without booklet: %+v", got)
		}

		bk := w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
		w.MustRedeem(w.place, bk.Passes[0].Code)
		r := w.MustRedeem(w.place, bk.Passes[1].Code)
		if _, err := w.Cancel(w.place, r.ID, "erreur de saisie"); err != nil {
			t.Fatal(err)
		}
		got := summaryOf(t, s, w.dist.OrganisationID, w.ben.ID)
		if got.PassesTotal != 5 || got.PassesUsed != 1 || got.LatestBookletID != bk.ID {
			t.Fatalf("one booklet, one pass used: %+v", got)
		}

		// A lost booklet's unused passes no longer count; its replacement's
		// do (4: the unused value it carries), its voided one does not.
		clock.Advance(time.Hour)
		nb, err := w.Replace(w.dist, bk.ID, w.dist.OrganisationID, "perdu")
		if err != nil {
			t.Fatal(err)
		}
		w.MustRedeem(w.place, nb.Passes[0].Code)
		got = summaryOf(t, s, w.dist.OrganisationID, w.ben.ID)
		if got.PassesTotal != 5 || got.PassesUsed != 2 || got.LatestBookletID != nb.ID {
			t.Fatalf("after replacement: %+v, want 5 passes, 2 used, latest %s", got, nb.ID)
		}
		// The same figures when found by name.
		found := mustSearch(t, s, w.dist.OrganisationID, "lea")
		if len(found) != 1 || found[0] != got {
			t.Fatalf("search: %+v", found)
		}
	})
}

func heldElsewhere(t *testing.T, s *store.Store, distributorID, programmeID, first, last, birth string) bool {
	t.Helper()
	return view(t, s, func(ctx context.Context, tx *store.Tx) (bool, error) {
		return tx.HeldElsewhere(ctx, distributorID, programmeID, first, last, passnum.MustDate(birth))
	})
}

func TestHeldElsewhere(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock) // w.ben: Léa Martin, born 2005-06-15
		other := w.MustDistributor("France Travail Dijon")
		second := w.MustProgramme(func(p *passnum.Programme) { p.Name = "Pass numérique 2026 bis" })
		d, o := w.dist.OrganisationID, other.OrganisationID

		// Registered elsewhere but holding no booklet: no warning.
		if heldElsewhere(t, s, o, w.prog.ID, "Léa", "Martin", "2005-06-15") {
			t.Fatal("warned before any booklet was handed out")
		}
		w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
		for _, tc := range []struct {
			dist, prog, first, last, birth string
			want                           bool
		}{
			{o, w.prog.ID, "Léa", "Martin", "2005-06-15", true},
			{o, w.prog.ID, "  LEA ", "martin", "2005-06-15", true},
			{"", w.prog.ID, "lea", "MARTIN", "2005-06-15", true},
			{d, w.prog.ID, "Léa", "Martin", "2005-06-15", false}, // the same agency
			{o, w.prog.ID, "Léa", "Martin", "2005-06-16", false},
			{o, w.prog.ID, "Léa", "Martine", "2005-06-15", false},
			{o, w.prog.ID, "Léo", "Martin", "2005-06-15", false},
			{o, second.ID, "Léa", "Martin", "2005-06-15", false}, // another programme
		} {
			if got := heldElsewhere(t, s, tc.dist, tc.prog, tc.first, tc.last, tc.birth); got != tc.want {
				t.Errorf("HeldElsewhere(%q, %q %q %s) = %v, want %v", tc.dist, tc.first, tc.last, tc.birth, got, tc.want)
			}
		}
		// Hyphens and spaces compare equal.
		jp := w.MustBeneficiary(w.dist, func(b *passnum.Beneficiary) {
			b.FirstName, b.LastName, b.BirthDate = "Jean-Pierre", "Le Gall", passnum.MustDate("2004-01-31")
		})
		w.MustHandOut(w.dist, jp.ID, w.prog.ID)
		if !heldElsewhere(t, s, o, w.prog.ID, "jean pierre", "le-gall", "2004-01-31") {
			t.Fatal("Jean-Pierre Le Gall not recognised as jean pierre le-gall")
		}
	})
}
