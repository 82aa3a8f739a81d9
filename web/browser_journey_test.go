package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"passnum"
	"passnum/store"
)

// TestBrowserJourney follows one pass from end to end in a real browser:
// the operator labels a new place, a counsellor registers a young person
// and hands out a booklet, the place's trainer encashes a pass (and is
// told, the second time, that it was already used), and the young person
// sees what is left.
func TestBrowserJourney(t *testing.T) {
	c := newChrome(t)
	st := c.st
	place := st.mustOrg(st.op, passnum.NewOrganisation{Kind: passnum.RolePlace, Name: "Tiers-lieu de Pontarlier", SIRET: nextSIRET(), CommuneINSEE: "25462"})
	trainer := st.mustUser(place.ID, "pontarlier@exemple.fr")

	// 1. The operator labels the place.
	c.signIn(st.emails[passnum.RoleOperator], "")
	c.step("ouvrir la fiche du lieu", c.visit("/operateur/organisations/"+place.ID), see("Tiers-lieu de Pontarlier"))
	c.step("labelliser le lieu", labelPlace())
	c.step("le lieu est labellisé", seeMatch(`labellisé`))
	st.view(func(ctx context.Context, tx *store.Tx) error {
		o, err := tx.Organisation(ctx, place.ID)
		if err == nil && o.Status != passnum.OrgLabelled {
			err = fmt.Errorf("the place is %q after the operator's decision", o.Status)
		}
		return err
	})

	// 2. A counsellor registers Léa and hands her a booklet.
	c.signIn(st.emails[passnum.RoleDistributor], "")
	c.step("formulaire d'inscription",
		c.visit("/distributeur/inscrire"),
		fill("f-first_name", "Léa"),
		fill("f-last_name", "Martin"),
		fill("f-birth_date", "14/05/2004"),
		fill("f-commune_insee", "25056"),
		check("f-job_seeker", true),
		check("f-handout", true),
		choose("f-programme_id", st.programme.ID),
	)
	c.step("inscrire", submit("Inscrire"), c.pathIs(`/distributeur/carnets/[^/]+`))
	codes := read(c, "codes du carnet", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll(".passcode")].map(e => e.textContent.trim())`))
	if len(codes) != 5 {
		c.fail("codes du carnet", fmt.Errorf("%d codes on the booklet page, want 5: %q", len(codes), codes))
	}

	// 3. The place's trainer encashes the first pass.
	c.signIn(trainer, "")
	c.step("vérifier le pass",
		c.visit("/lieu"),
		fill("f-code", codes[0]),
		submit("Vérifier le pass"),
		see("Léa", "2004"),
	)
	c.step("choisir l'accompagnement", chooseFirstOption("f-service"))
	c.step("encaisser", submit("Encaisser ce pass"), see("Pass encaissé"))
	st.view(func(ctx context.Context, tx *store.Tx) error {
		rs, _, err := tx.ListRedemptions(ctx, place.ID, store.Page{})
		if err == nil && len(rs) != 1 {
			err = fmt.Errorf("%d redemptions stored for the place, want 1", len(rs))
		}
		return err
	})

	// 4. The same pass again: already used, and when.
	today := st.clock.Now().In(passnum.Paris).Format("02/01/2006")
	c.step("vérifier de nouveau le même pass",
		c.visit("/lieu"),
		fill("f-code", codes[0]),
		submit("Vérifier le pass", http.StatusConflict, http.StatusUnprocessableEntity),
		seeMatch(`déjà (été )?(utilisé|encaissé).*le `+regexp.QuoteMeta(today)),
	)

	// 5. Léa sees one pass used and four left.
	c.step("Léa ouvre ses pass",
		clearCookies(),
		c.visit("/mon-pass"),
		fill("f-code", codes[0]),
		fill("f-birth_date", "14/05/2004"),
		submit("Accéder à mes pass"),
	)
	c.step("un pass utilisé, quatre restants",
		c.pathIs("/mon-pass/espace"),
		seeMatch(`(^|\D)1 pass utilisé( |$)`),
		seeMatch(`(^|\D)4 pass disponibles`),
		seeMatch(`Utilisé le `+regexp.QuoteMeta(today)+`.*Tiers-lieu de Pontarlier`),
	)
	used := read(c, "pass utilisés", chromedp.Evaluate[int](`(document.body.innerText.match(/Utilisé le /g) || []).length`))
	if used != 1 {
		c.fail("pass utilisés", fmt.Errorf("%d passes shown as used, want 1", used))
	}
}

// labelPlace takes the decision "labellisé" on an organisation's page:
// a "Labelliser" button, or a status choice and its form's button.
func labelPlace() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		kind, err := chromedp.Evaluate[string](`(() => {
			const b = [...document.querySelectorAll("button[type=submit]")].find(b => b.textContent.trim() === "Labelliser");
			if (b) return "button";
			const e = document.querySelector("[name=status]");
			return e ? e.tagName.toLowerCase() + ":" + (e.type || "") : "";
		})()`)(ctx, t)
		if err != nil {
			return err
		}
		form := `//form[.//*[@name="status"]]//button[@type="submit"]`
		switch {
		case kind == "button":
			_, err = submit("Labelliser")(ctx, t)
		case strings.HasPrefix(kind, "select"):
			if _, err = chromedp.SetValue(chromedp.CSS(`select[name=status]`), string(passnum.OrgLabelled))(ctx, t); err == nil {
				_, err = navigated(chromedp.Click(chromedp.Search(form)))(ctx, t)
			}
		case kind == "input:radio":
			if _, err = chromedp.Click(chromedp.CSS(`input[name=status][value=labelled]`))(ctx, t); err == nil {
				_, err = navigated(chromedp.Click(chromedp.Search(form)))(ctx, t)
			}
		default:
			err = fmt.Errorf("no decision form on the page (button « Labelliser » or field status): %q", kind)
		}
		return err
	})
}

// chooseFirstOption selects the first option with a value of a <select>.
func chooseFirstOption(id string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := chromedp.WaitReady(chromedp.ID(id))(ctx, t); err != nil {
			return err
		}
		v, err := chromedp.Evaluate[string](fmt.Sprintf(`(() => {
			const s = document.getElementById(%q);
			const o = [...s.options].find(o => o.value !== "" && !o.disabled);
			if (!o) return "";
			s.value = o.value;
			s.dispatchEvent(new Event("change", {bubbles: true}));
			return o.value;
		})()`, id))(ctx, t)
		if err == nil && v == "" {
			err = fmt.Errorf("#%s has no option to choose", id)
		}
		return err
	})
}
