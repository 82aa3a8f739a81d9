package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"passnum"
	"passnum/store"
)

// pubMustSite adds a site to a place.
func (st *site) pubMustSite(placeID string, n passnum.NewSite) passnum.Site {
	st.t.Helper()
	actor := passnum.Actor{OrganisationID: placeID, Role: passnum.RolePlace, Kind: "system", ID: "tests"}
	var s passnum.Site
	st.write(func(ctx context.Context, tx *store.Tx) error {
		var err error
		s, err = tx.CreateSite(ctx, actor, placeID, n)
		return err
	})
	return s
}

func TestPublicPlacesSearch(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		lat, lng := 47.2262, 5.9736 // Planoise, Besançon
		planoise := st.pubMustSite(st.place.ID, passnum.NewSite{Name: "EPN de Planoise", Address: "6 rue Picasso", CommuneINSEE: "25056", Postcode: "25000",
			Latitude: &lat, Longitude: &lng, Phone: "03 81 87 80 00", OpeningHours: "Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00; PH off",
			Services: []string{passnum.NationalServices[1], passnum.NationalServices[2]}})
		dijon := st.pubMustSite(st.otherPlace.ID, passnum.NewSite{Name: "Médiathèque Champollion", Address: "14 rue Champollion", CommuneINSEE: "21231", Postcode: "21000",
			Services: []string{passnum.NationalServices[1]}})
		// A place whose application is still pending is not listed.
		pending := st.mustOrg(st.op, passnum.NewOrganisation{Kind: passnum.RolePlace, Name: "Tiers-lieu en attente", SIRET: nextSIRET(), CommuneINSEE: "25056"})
		st.write(func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.SetPlaceStatus(ctx, st.op, pending.ID, passnum.OrgPending, "")
			if passnum.ErrorCode(err) == passnum.ECONFLICT || passnum.ErrorCode(err) == passnum.EINVALID {
				return nil // already pending
			}
			return err
		})
		st.pubMustSite(pending.ID, passnum.NewSite{Name: "Tiers-lieu de Battant", Address: "1 rue Battant", CommuneINSEE: "25056", Postcode: "25000",
			Services: []string{passnum.NationalServices[1]}})

		b := st.browser()
		a := b.get("/lieux")
		if a.Status != http.StatusOK || !a.has("Trouver un lieu") || !a.has(`name="q"`) || a.has("carte-donnees") {
			t.Fatalf("empty search: %d\n%s", a.Status, a.Body)
		}
		for _, q := range []string{"25000", "Besançon", "besancon", "25056"} {
			a := b.get("/lieux?q=" + url.QueryEscape(q))
			if a.Status != http.StatusOK || !a.has("EPN de Planoise") || !a.has(`href="/lieux/`+planoise.ID+`"`) {
				t.Fatalf("search %q: %d\n%s", q, a.Status, a.Body)
			}
			if a.has("Médiathèque Champollion") || a.has("Tiers-lieu de Battant") {
				t.Errorf("search %q lists a place too far or not labelled", q)
			}
			for _, want := range []string{"6 rue Picasso", "25000 Besançon", "03 81 87 80 00", `href="tel:&#43;33381878000"`,
				"du lundi au vendredi : 9 h – 12 h, 14 h – 18 h", "samedi : 9 h – 12 h", "jours fériés : fermé",
				passnum.NationalServices[2], "1 lieu labellisé", `id="carte-donnees"`, `"lat":47.2262`} {
				if !a.has(want) {
					t.Errorf("search %q: %q missing\n%s", q, want, a.Body)
				}
			}
		}
		// A service the place does not offer.
		a = b.get("/lieux?q=25000&service=" + url.QueryEscape(passnum.NationalServices[0]))
		if a.Status != http.StatusOK || a.has("EPN de Planoise") || !a.has("Aucun lieu labellisé") {
			t.Fatalf("other service: %d\n%s", a.Status, a.Body)
		}
		// Dijon, from its own postcode.
		if a = b.get("/lieux?q=21000&rayon=10"); !a.has("Médiathèque Champollion") || a.has("EPN de Planoise") {
			t.Fatalf("Dijon:\n%s", a.Body)
		}
		// Outside the programme's territory: said by name, with a town of
		// the territory to search from instead (the nearest big one).
		a = b.get("/lieux?q=Paris")
		if a.Status != http.StatusOK || !a.has("Paris est hors du territoire du programme</strong>, qui couvre : Bourgogne-Franche-Comté.") ||
			!a.has(`<a href="/lieux?q=89387&amp;service=&amp;rayon=30">Sens (89100)</a>`) {
			t.Fatalf("search outside the territory: %d\n%s", a.Status, a.Body)
		}
		if a = b.get("/lieux?q=25000"); a.has("hors du territoire") {
			t.Error("a search inside the territory says it is outside")
		}
		// An unknown commune: a clear message with an example.
		a = b.get("/lieux?q=" + url.QueryEscape("Zyxwvu"))
		if a.Status != http.StatusOK || !a.has("Aucune commune ne s&#39;appelle « Zyxwvu »") || !a.has("25000") {
			t.Fatalf("unknown commune: %d\n%s", a.Status, a.Body)
		}
		a = b.get("/lieux?q=99999")
		if a.Status != http.StatusOK || !a.has("Aucune commune n&#39;a le code postal ou le code INSEE") {
			t.Fatalf("unknown postcode: %d\n%s", a.Status, a.Body)
		}
		// The card of a site, and of a site that does not exist.
		a = b.get("/lieux/" + planoise.ID)
		if a.Status != http.StatusOK || !a.has("<h1>EPN de Planoise</h1>") || !a.has("accepte le Pass numérique") || !a.has("03 81 87 80 00") {
			t.Fatalf("card: %d\n%s", a.Status, a.Body)
		}
		if a = b.get("/lieux/" + dijon.ID); a.Status != http.StatusOK || !a.has("approximatif") {
			t.Fatalf("card without coordinates: %d", a.Status)
		}
		if a = b.get("/lieux/" + strings.Repeat("0", 26)); a.Status != http.StatusNotFound {
			t.Fatalf("unknown card: %d", a.Status)
		}
		if a = b.get("/lieux/pas-un-id"); a.Status != http.StatusNotFound {
			t.Fatalf("malformed card id: %d", a.Status)
		}
	})
}
