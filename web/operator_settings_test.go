package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"passnum"
	"passnum/store"
)

// settingsForm is the settings form as the page fills it for the test
// world's programme, ready to be edited.
func settingsForm() url.Values {
	return url.Values{"name": {"Pass numérique 2026"}, "valid_until": {"31/12/2026"}, "grace_days": {"31"}, "min_age": {"16"}, "max_age": {"25"},
		"max_booklets_per_beneficiary": {"1"}, "cancel_window_hours": {"24"}, "max_passes_per_training": {"5"}, "territory": {"reg:27"}}
}

func (st *site) opProgramme(id string) passnum.Programme {
	st.t.Helper()
	var p passnum.Programme
	st.view(func(ctx context.Context, tx *store.Tx) error {
		var err error
		p, err = tx.Programme(ctx, id)
		return err
	})
	return p
}

func TestOperatorSettingsForm(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		b := st.as(passnum.RoleOperator)
		prog := "/operateur/programmes/" + st.programme.ID
		path := prog + "/parametres"
		if a := b.get(prog); !strings.Contains(a.Body, `href="`+path+`"`) {
			t.Fatalf("no link to the settings from the programme page\n%s", a.Body)
		}

		// Prefilled with the current values; what no longer changes is
		// shown with its reason, and valid_from is frozen (booklets issued).
		a := b.get(path)
		if a.Status != http.StatusOK || !a.has(`value="Pass numérique 2026"`) || !a.has(`value="31/12/2026"`) || !a.has(`name="grace_days" value="31"`) ||
			!a.has(`id="f-territory-r27" name="territory" value="reg:27" checked`) || !a.has(`<label for="f-territory-r27">Bourgogne-Franche-Comté</label>`) ||
			a.has("reg:27 pour") || !a.has("Ce qui ne change plus") || !a.has("Région Bourgogne-Franche-Comté (50\u00a0%)") || !a.has("10\u00a0€") {
			t.Fatalf("settings form: %d\n%s", a.Status, a.Body)
		}
		if a.has(`name="valid_from"`) || !a.has("20 carnets émis") {
			t.Errorf("valid_from should be frozen once booklets are issued\n%s", a.Body)
		}

		// Shortening before today: the error is next to the field, and
		// what was typed is kept.
		form := settingsForm()
		form.Set("name", "Pass numérique BFC")
		form.Set("valid_until", "01/03/2026")
		a = b.post(path, form)
		if a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-valid_until-error">la fin de validité peut être avancée au plus tôt`) ||
			!a.has(`value="01/03/2026"`) || !a.has(`value="Pass numérique BFC"`) {
			t.Fatalf("shortening before today: %d\n%s", a.Status, a.Body)
		}
		// Form-level mistakes, each next to its field.
		form = settingsForm()
		form.Set("valid_until", "31 juin")
		form.Set("grace_days", "trente")
		form.Set("territory", "")
		a = b.post(path, form)
		if a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-valid_until-error">date attendue au format JJ/MM/AAAA`) ||
			!a.has(`id="f-grace_days-error">nombre entier`) || !a.has(`value="trente"`) {
			t.Fatalf("bad date and number: %d\n%s", a.Status, a.Body)
		}
		form = settingsForm()
		form.Set("territory", "")
		form.Set("min_age", "30")
		if a = b.post(path, form); a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-territory-error"`) || !a.has(`id="f-max_age-error"`) {
			t.Fatalf("empty territory and crossed ages: %d\n%s", a.Status, a.Body)
		}
		// The summary above the form names the fields by their labels, in
		// the order of the form, each linked to its field; never by key.
		summary := regexp.MustCompile(`(?s)<ul class="summary">(.*?)</ul>`).FindStringSubmatch(a.Body)
		if summary == nil || !strings.Contains(summary[1], `<a href="#f-max_age">Âge maximum le jour de la remise : `) ||
			!strings.Contains(summary[1], `<a href="#f-territory">Territoire : cochez au moins une région ou un département</a>`) || strings.Index(summary[1], "Âge maximum") > strings.Index(summary[1], "Territoire") ||
			strings.Contains(summary[1], "max_age :") || strings.Contains(a.Body, "territory :") || strings.Contains(summary[1], "reg:27") || strings.Contains(a.Body, pendingLabelsMark) {
			t.Errorf("error summary: %q", summary)
		}
		if p := st.opProgramme(st.programme.ID); p.Name != "Pass numérique 2026" || p.ValidUntil != passnum.MustDate("2026-12-31") || p.MinAge != 16 {
			t.Fatalf("refused forms changed the programme: %+v", p)
		}

		// Extended: redirect to the programme, with what changed.
		form = settingsForm()
		form.Set("valid_until", "30/06/2027")
		form.Set("max_booklets_per_beneficiary", "2")
		form["territory"] = []string{"dep:25", "dep:39"} // two ticked départements
		a = b.post(path, form)
		if a.Status != http.StatusSeeOther || a.Location != prog {
			t.Fatalf("update: %d %q\n%s", a.Status, a.Location, a.Body)
		}
		a = b.follow(a)
		for _, want := range []string{"Réglages modifiés", "31/12/2026 → 30/06/2027", "31/01/2027 → 31/07/2027", "1 → 2", "Doubs (25)"} {
			if !a.has(want) {
				t.Errorf("the message lacks %q\n%s", want, a.Body)
			}
		}
		p := st.opProgramme(st.programme.ID)
		if p.ValidUntil != passnum.MustDate("2027-06-30") || p.LastRedeemDay() != passnum.MustDate("2027-07-31") || p.MaxBookletsPerBeneficiary != 2 ||
			strings.Join(p.Territory, ",") != "dep:25,dep:39" || p.Name != "Pass numérique 2026" {
			t.Fatalf("stored programme %+v", p)
		}
		// The settings form shows them ticked, their région's list open.
		a = b.get(path)
		if !a.has(`id="f-territory-d25" name="territory" value="dep:25" checked`) || !a.has(`id="f-territory-d39" name="territory" value="dep:39" checked`) ||
			a.has(`value="reg:27" checked`) || !a.has(`<details class="territory-group" open>
      <summary>Départements : Bourgogne-Franche-Comté</summary>`) {
			t.Errorf("the settings form does not show the départements ticked\n%s", a.Body)
		}
		if a = b.get(prog); !a.has("<dd>Doubs (25), Jura (39)</dd>") {
			t.Errorf("the programme page does not name its territory\n%s", a.Body)
		}
		// The same form again changes nothing, and says so.
		if a = b.follow(b.post(path, form)); !a.has("Aucun réglage n") {
			t.Errorf("no-op update message\n%s", a.Body)
		}
		// The journal names the action.
		if a = b.get("/operateur/journal"); !a.has("Modification des réglages d") {
			t.Errorf("journal\n%s", a.Body)
		}

		// A limit below what someone holds is refused next to its field.
		ben, _ := st.mustBeneficiary(st.distributor.ID, "Léa", "Martin", "2005-05-17")
		st.write(func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.HandOut(ctx, passnum.Actor{OrganisationID: st.distributor.ID, Role: passnum.RoleDistributor, Kind: "system", ID: "tests"}, ben.ID, st.programme.ID)
			return err
		})
		form.Set("max_booklets_per_beneficiary", "1")
		a = b.post(path, form)
		if a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-max_booklets_per_beneficiary-error">au moins 2`) {
			t.Fatalf("limit below what is held: %d\n%s", a.Status, a.Body)
		}

		// Others are kept out; an unknown programme is not found.
		if a = st.as(passnum.RoleDistributor).get(path); a.Status != http.StatusForbidden {
			t.Errorf("distributor on the settings: %d", a.Status)
		}
		if a = st.as(passnum.RoleFunder).post(path, form); a.Status != http.StatusForbidden {
			t.Errorf("funder posting the settings: %d", a.Status)
		}
		unknown := "/operateur/programmes/" + passnum.NewID(st.clock.Now()) + "/parametres"
		if a = b.get(unknown); a.Status != http.StatusNotFound {
			t.Errorf("unknown programme: %d", a.Status)
		}
		if a = b.post(unknown, settingsForm()); a.Status != http.StatusNotFound {
			t.Errorf("unknown programme, posted: %d", a.Status)
		}
	})
}

func TestOperatorSettingsValidFrom(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		var p passnum.Programme
		st.write(func(ctx context.Context, tx *store.Tx) error {
			var err error
			p, err = tx.CreateProgramme(ctx, st.op, passnum.Programme{
				Name: "Pass numérique 2027", FaceValueCents: 1000, BookletSize: 5,
				ValidFrom: passnum.MustDate("2027-01-01"), ValidUntil: passnum.MustDate("2027-12-31"),
				GraceDays: 31, MinAge: 16, MaxAge: 25, MaxBookletsPerBeneficiary: 1, CancelWindowHours: 24,
				Funders: []passnum.FunderShare{{OrganisationID: st.funder.ID, ShareBps: 10000}},
			})
			return err
		})
		b := st.as(passnum.RoleOperator)
		path := "/operateur/programmes/" + p.ID + "/parametres"
		// No booklet yet: valid_from is in the form.
		if a := b.get(path); a.Status != http.StatusOK || !a.has(`name="valid_from" value="01/01/2027"`) {
			t.Fatalf("valid_from before issuance: %d\n%s", a.Status, a.Body)
		}
		form := url.Values{"name": {"Pass numérique 2027"}, "valid_from": {"01/02/2027"}, "valid_until": {"31/01/2027"}, "grace_days": {"31"}, "min_age": {"16"},
			"max_age": {"25"}, "max_booklets_per_beneficiary": {"1"}, "cancel_window_hours": {"24"}, "max_passes_per_training": {"5"}, "territory": {"reg:27"}}
		if a := b.post(path, form); a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-valid_until-error"`) {
			t.Fatalf("end before start: %d\n%s", a.Status, a.Body)
		}
		form.Set("valid_until", "31/12/2027")
		a := b.follow(b.post(path, form))
		if !a.has("01/01/2027 → 01/02/2027") {
			t.Fatalf("valid_from moved: %s", a.Body)
		}
		if got := st.opProgramme(p.ID); got.ValidFrom != passnum.MustDate("2027-02-01") {
			t.Fatalf("stored valid_from %s", got.ValidFrom)
		}
	})
}

// pendingLabelsMark is the mark of a page drawn before its labels were
// known; it never reaches the browser.
const pendingLabelsMark = "data-labels-pending"
