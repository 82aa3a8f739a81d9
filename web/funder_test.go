package web_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"passnum"
	"passnum/store"
)

func TestFunderSeesItsProgrammes(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		// One pass of the funded programme is used: 10 €, half of it the
		// Région's.
		_, codes := st.mustBeneficiary(st.distributor.ID, "Léa", "Martin", "2004-05-14")
		place := passnum.Actor{OrganisationID: st.place.ID, Role: passnum.RolePlace, Kind: "system", ID: "tests"}
		st.write(func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.Redeem(ctx, place, store.RedeemRequest{Code: codes[0], Service: passnum.NationalServices[1]})
			return err
		})
		// Another funder's programme, which the Région does not pay for.
		other := st.mustOrg(st.op, passnum.NewOrganisation{Kind: passnum.RoleFunder, Name: "Département du Doubs"})
		var foreign passnum.Programme
		st.write(func(ctx context.Context, tx *store.Tx) error {
			var err error
			foreign, err = tx.CreateProgramme(ctx, st.op, passnum.Programme{Name: "Pass numérique Doubs", FaceValueCents: 1500, BookletSize: 4,
				ValidFrom: passnum.MustDate("2026-01-01"), ValidUntil: passnum.MustDate("2026-12-31"), GraceDays: 31, MinAge: 16, MaxAge: 25,
				MaxBookletsPerBeneficiary: 1, CancelWindowHours: 24, Funders: []passnum.FunderShare{{OrganisationID: other.ID, ShareBps: 10000}}})
			return err
		})

		b := st.as(passnum.RoleFunder)
		a := b.get("/financeur")
		if a.Status != http.StatusOK || !a.has("Pass numérique 2026") || a.has("Pass numérique Doubs") {
			t.Fatalf("funder dashboard: %d\n%s", a.Status, a.Body)
		}
		// One young person: the funder sees the stock, but the passes
		// handed out and used, and their amounts, only as "secret" (passes
		// are not young people: 5 of them may be one).
		for _, want := range []string{
			"<strong>100</strong> pass émis", // 20 booklets of 5
			"<strong>secret</strong> pass remis à des jeunes",
			"<strong>secret</strong> pass utilisés",
			"<strong>secret</strong> montant des pass utilisés",
			"<strong>secret</strong> votre part (50\u00a0%)",
			"mars 2026",
		} {
			if !a.has(want) {
				t.Errorf("dashboard lacks %q", want)
			}
		}
		if a.has("<strong>5</strong> pass remis") || a.has("<strong>10\u00a0€</strong>") {
			t.Errorf("the funder's dashboard shows one young person's figures\n%s", a.Body)
		}
		a = b.get("/financeur/programmes/" + st.programme.ID)
		if a.Status != http.StatusOK || !a.has("Région Bourgogne-Franche-Comté (vous)") || !a.has("<strong>secret</strong> pass remis pas encore utilisés") ||
			!a.has(`<th scope="row">mars 2026</th><td class="num">secret</td><td class="num">secret</td>`) || a.has("<td class=\"num\">5\u00a0€</td>") {
			t.Fatalf("funder programme page: %d\n%s", a.Status, a.Body)
		}
		// The operator sees the figures.
		if a = st.as(passnum.RoleOperator).get("/operateur/programmes/" + st.programme.ID); !a.has(`<th scope="row">mars 2026</th><td class="num">1</td>`) {
			t.Errorf("operator's programme page lacks March's one use\n%s", a.Body)
		}
		// Five more young people use their five passes each: 6 booklets
		// handed out, 26 passes used (at least 6 people), shown.
		st.write(func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.Allocate(ctx, st.op, st.programme.ID, st.distributor.ID, 5)
			return err
		})
		for i, first := range []string{"Inès", "Noah", "Jade", "Adam", "Lina"} {
			_, codes := st.mustBeneficiary(st.distributor.ID, first, "Bernard", fmt.Sprintf("2003-0%d-10", i+1))
			st.write(func(ctx context.Context, tx *store.Tx) error {
				for _, c := range codes {
					if _, err := tx.Redeem(ctx, place, store.RedeemRequest{Code: c, Service: passnum.NationalServices[1]}); err != nil {
						return err
					}
				}
				return nil
			})
		}
		a = b.get("/financeur")
		for _, want := range []string{
			"<strong>30</strong> pass remis à des jeunes",
			"<strong>26</strong> pass utilisés",
			"<strong>260\u00a0€</strong> montant des pass utilisés",
			"<strong>130\u00a0€</strong> votre part (50\u00a0%)",
			`<th scope="row">mars 2026</th><td class="num">26</td>`,
		} {
			if !a.has(want) {
				t.Errorf("dashboard lacks %q", want)
			}
		}
		if a = b.get("/financeur/programmes/" + st.programme.ID); !a.has("<strong>4</strong> pass remis pas encore utilisés") || a.has(">secret<") || a.has(">&lt; 5<") {
			t.Errorf("funder programme page with 6 young people\n%s", a.Body)
		}
		// A programme it does not fund does not exist for it.
		if a = b.get("/financeur/programmes/" + foreign.ID); a.Status != http.StatusNotFound {
			t.Fatalf("another funder's programme: %d", a.Status)
		}
		if a = b.get("/financeur/programmes/" + passnum.NewID(st.clock.Now())); a.Status != http.StatusNotFound {
			t.Fatalf("unknown programme: %d", a.Status)
		}
		// The other funder sees its own and not the Région's.
		st.mustUser(other.ID, "doubs@exemple.fr")
		ob := st.browser()
		ob.signIn("doubs@exemple.fr")
		if a = ob.get("/financeur"); !a.has("Pass numérique Doubs") || a.has("Pass numérique 2026") {
			t.Errorf("other funder's dashboard\n%s", a.Body)
		}
		if a = ob.get("/financeur/programmes/" + st.programme.ID); a.Status != http.StatusNotFound {
			t.Errorf("other funder on the Région's programme: %d", a.Status)
		}
		// Funders stay out of the operator's pages.
		if a = b.get("/operateur/programmes/" + st.programme.ID); a.Status != http.StatusForbidden {
			t.Errorf("funder on an operator page: %d", a.Status)
		}
		// Once the last redeeming day is past, the passes never used
		// have expired: the page no longer says they may still be.
		st.clock.Set(time.Date(2027, 3, 1, 10, 0, 0, 0, passnum.Paris))
		if a = st.as(passnum.RoleFunder).get("/financeur/programmes/" + st.programme.ID); !a.has("<strong>4</strong> pass remis jamais utilisés, expirés") {
			t.Errorf("ended programme's page\n%s", a.Body)
		}
	})
}
