package web

import (
	"errors"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"passnum"
	"passnum/store"
	"passnum/territory"
)

// Finding a labelled place: a plain GET form (a commune's name, postcode
// or INSEE code, and optionally a service) whose answer is a list that
// works without JavaScript, plus a map that enhances it.

// placesShown is how many places a search lists.
const placesShown = 20

// placeSearchFuncs are the template functions of the place search.
var placeSearchFuncs = template.FuncMap{
	"telHref": placeTelHref,
	"kmFR":    placeKmFR,
}

// publicPlacePages are the public search and a place's card; they are
// listed with the application pages (see applicationPages).
func publicPlacePages() []*page {
	return []*page{
		{Method: "GET", Path: "/lieux", Access: public, Handle: publicPlacesPage},
		{Method: "GET", Path: "/lieux/{id}", Access: public, Handle: publicPlaceCard},
	}
}

// placeSearchPage is what the search template shows.
type placeSearchPage struct {
	Title, Action, Lead string
	// Near is the INSEE code of the commune to search around when nothing
	// was typed (a young person's own commune).
	Near string
	// What was asked.
	Query, Service, Radius string
	Searched               bool
	// Problem says why no search could be run (unknown commune…), with
	// communes the person may have meant.
	Problem     string
	Suggestions []territory.Commune
	Origin      passnum.SearchOrigin
	// Others are the other communes of a postcode served by several.
	Others []passnum.SearchCommune
	Items  []placeItem
	// Outside says that the search starts outside the programme's
	// territory, and where to search instead.
	Outside  *placeOutside
	Services []string
	Radii    []option
	Map      placeMap
}

// placeOutside is the answer to a search outside the territory: its name
// and a town of it to search from.
type placeOutside struct {
	Territory string
	Suggest   territory.Commune
}

// programmesTerritory is the territory of the programmes under way (the
// default territory when there is none): a place is found for a pass only
// there.
func programmesTerritory(q *request, tx *store.Tx) ([]string, error) {
	list, _, err := tx.ListProgrammes(q.ctx(), "", store.Page{Limit: store.MaxPageSize})
	if err != nil {
		return nil, err
	}
	var codes []string
	today := tx.Today()
	for _, p := range list {
		if p.LastRedeemDay().Before(today) {
			continue
		}
		for _, c := range p.Territory {
			if !slices.Contains(codes, c) {
				codes = append(codes, c)
			}
		}
	}
	if len(codes) == 0 {
		codes = passnum.DefaultTerritory
	}
	return codes, nil
}

// placeItem is one place of the list.
type placeItem struct {
	store.NearSite
	Phone string
}

// placeMap is what map.js draws, read from a JSON block.
type placeMap struct {
	Tiles       string     `json:"tiles"`
	Attribution string     `json:"attribution"`
	Origin      *mapPoint  `json:"origin,omitempty"`
	Points      []mapPoint `json:"points"`
}

type mapPoint struct {
	Lat         float64 `json:"lat"`
	Lng         float64 `json:"lng"`
	Name        string  `json:"name"`
	Address     string  `json:"address,omitempty"`
	Href        string  `json:"href,omitempty"`
	Approximate bool    `json:"approximate,omitempty"`
}

func publicPlacesPage(q *request) error {
	return q.placeSearch(placeSearchPage{
		Title:  "Trouver un lieu",
		Action: "/lieux",
		Lead:   "Les lieux labellisés où les jeunes utilisent leurs pass numériques pour se former gratuitement. Cherchez autour d'une commune.",
	}, q.r.URL.Query())
}

var placeRadii = []option{{"10", "10 km"}, {"20", "20 km"}, {"30", "30 km"}, {"50", "50 km"}, {"100", "100 km"}}

// placeSearch runs a search from the query string and shows it.
func (q *request) placeSearch(p placeSearchPage, query url.Values) error {
	p.Query = strings.TrimSpace(query.Get("q"))
	// The API's names are understood too: commune=25056, postcode=25000.
	for _, alias := range []string{"commune", "postcode"} {
		if p.Query == "" {
			p.Query = strings.TrimSpace(query.Get(alias))
		}
	}
	p.Service = strings.TrimSpace(query.Get("service"))
	p.Radius = strings.TrimSpace(query.Get("rayon"))
	p.Services, p.Radii = passnum.NationalServices, placeRadii
	p.Map = placeMap{Tiles: q.s.cfg.TileURL, Attribution: q.s.cfg.TileAttribution, Points: []mapPoint{}}
	f, nq := placeSearchFilters(&p)
	// Every answer is a 200: a search that found nothing, or could not
	// start, is still the search page, with what to do next.
	typed := p.Query
	if typed == "" && p.Near != "" {
		if c, ok := territory.LookupCommune(p.Near); ok {
			typed = c.Code
			f.Values.Set("q", c.Name)
		}
	}
	if typed == "" {
		return q.render(http.StatusOK, "places/search", p.Title, p, f)
	}
	origin, suggestions, problem := resolvePlaceQuery(typed)
	p.Suggestions = suggestions
	if problem != "" {
		p.Problem = problem
		f.Message = problem
		f.Errors["q"] = "commune non reconnue : corrigez-la ou tapez son code postal"
		if len(suggestions) > 0 {
			f.Errors["q"] = "plusieurs communes possibles : choisissez la vôtre dans la liste sous le formulaire"
		}
		return q.render(http.StatusOK, "places/search", p.Title, p, f)
	}
	if len(f.Errors) > 0 {
		f.Message = "Vérifiez les champs signalés."
		return q.render(http.StatusOK, "places/search", p.Title, p, f)
	}
	p.Origin, p.Others, p.Searched = origin, origin.OtherCommunes, true
	err := q.placesNear(&p, origin, nq)
	if err != nil {
		if f.Fail(err) {
			return q.render(http.StatusOK, "places/search", p.Title, p, f)
		}
		return err
	}
	p.Map.Origin = &mapPoint{Lat: origin.Latitude, Lng: origin.Longitude, Name: "Centre " + passnum.De(origin.Commune)}
	for _, it := range p.Items {
		p.Map.Points = append(p.Map.Points, mapPoint{Lat: it.Latitude, Lng: it.Longitude, Name: it.Name,
			Address: strings.TrimSpace(it.Address + ", " + it.Postcode + " " + it.Commune), Href: "/lieux/" + it.SiteID, Approximate: it.ApproximatePlace})
	}
	return q.render(http.StatusOK, "places/search", p.Title, p, f)
}

// placeSearchFilters reads the service and the distance into the store's
// query, marking on the form what is not in the lists.
func placeSearchFilters(p *placeSearchPage) (*form, store.NearQuery) {
	f := &form{Values: url.Values{"q": {p.Query}, "service": {p.Service}, "rayon": {p.Radius}}, Errors: map[string]string{}}
	nq := store.NearQuery{Limit: store.MaxNearLimit}
	if p.Service != "" && !passnum.ValidService(p.Service) {
		f.Errors["service"] = "service inconnu : choisissez-en un dans la liste"
	} else {
		nq.Service = p.Service
	}
	if p.Radius != "" {
		r, err := strconv.Atoi(p.Radius)
		if err != nil || r < 1 || r > store.MaxRadiusKm {
			f.Errors["rayon"] = "distance inconnue : choisissez-en une dans la liste"
		} else {
			nq.RadiusKm = float64(r)
		}
	} else {
		p.Radius = strconv.Itoa(store.DefaultRadiusKm)
		f.Values.Set("rayon", p.Radius)
	}
	return f, nq
}

// placesNear finds the labelled places around origin, each with its phone
// number, and says when origin is outside every programme's territory.
func (q *request) placesNear(p *placeSearchPage, origin passnum.SearchOrigin, nq store.NearQuery) error {
	nq.Latitude, nq.Longitude = origin.Latitude, origin.Longitude
	return q.view(func(tx *store.Tx) error {
		codes, err := programmesTerritory(q, tx)
		if err != nil {
			return err
		}
		if !passnum.InTerritory(codes, origin.CommuneINSEE) {
			if c, ok := passnum.CommuneToSuggest(codes, origin.Latitude, origin.Longitude, true); ok {
				p.Outside = &placeOutside{Territory: passnum.TerritoryName(codes), Suggest: c}
			}
		}
		sites, err := tx.SitesNear(q.ctx(), nq)
		if err != nil {
			return err
		}
		for _, s := range sites {
			if !s.AcceptsPass {
				continue // a directory entry, or a place not labelled now
			}
			// The card has the phone number, which the search leaves out.
			card, err := tx.SiteCard(q.ctx(), s.SiteID)
			if err != nil {
				return err
			}
			p.Items = append(p.Items, placeItem{NearSite: s, Phone: card.Phone})
			if len(p.Items) == placesShown {
				break
			}
		}
		return nil
	})
}

// resolvePlaceQuery finds the commune a search starts from: a postcode, an
// INSEE code or a name. When it cannot, problem says why, in words a
// visitor understands, with communes they may have meant.
func resolvePlaceQuery(s string) (origin passnum.SearchOrigin, suggestions []territory.Commune, problem string) {
	s = strings.TrimSpace(s)
	example := " Tapez le nom d'une commune, son code postal ou son code INSEE, par exemple « Besançon » ou « 25000 »."
	fail := func(err error) (passnum.SearchOrigin, []territory.Commune, string) {
		var msgs []string
		var pe *passnum.Error
		if errors.As(err, &pe) {
			for _, fe := range pe.Fields {
				msgs = append(msgs, fe.Detail)
			}
			if len(msgs) == 0 {
				msgs = append(msgs, pe.Message)
			}
		} else {
			msgs = append(msgs, "recherche impossible")
		}
		return passnum.SearchOrigin{}, nil, strings.Join(msgs, " ; ")
	}
	if len([]rune(s)) > 100 {
		return passnum.SearchOrigin{}, nil, "Texte trop long." + example
	}
	upper := strings.ToUpper(s)
	if len(s) == 5 && isDigits(s) && len(territory.CommunesByPostcode(s)) > 0 {
		o, err := passnum.ResolveOrigin("", s)
		if err != nil {
			return fail(err)
		}
		return o, nil, ""
	}
	if passnum.ValidINSEECode(upper) {
		if _, ok := territory.LookupCommune(upper); ok {
			o, err := passnum.ResolveOrigin(upper, "")
			if err != nil {
				return fail(err)
			}
			return o, nil, ""
		}
		return passnum.SearchOrigin{}, nil, "Aucune commune n'a le code postal ou le code INSEE « " + s + " » : vérifiez-le." + example
	}
	if strings.Trim(s, "0123456789 ") == "" {
		return passnum.SearchOrigin{}, nil, "« " + s + " » n'est ni un code postal ni un code INSEE : ils comptent 5 chiffres." + example
	}
	// A name: the communes of that name, or suggestions when none has it.
	exact, hits := territory.FindCommunes(s)
	var pick territory.Commune
	switch {
	case len(exact) > 0:
		// The most populated of the communes of that name, the others (11 at
		// most) to choose from.
		pick = exact[0]
		suggestions = exact[1:min(len(exact), 12)]
	case len(hits) == 1:
		pick = hits[0]
	case len(hits) > 1:
		return passnum.SearchOrigin{}, hits[:min(len(hits), 8)], "Plusieurs communes correspondent à « " + s + " » : choisissez la vôtre ci-dessous, ou précisez le nom ou le code postal."
	default:
		return passnum.SearchOrigin{}, nil, "Aucune commune ne s'appelle « " + s + " »." + example
	}
	o, err := passnum.ResolveOrigin(pick.Code, "")
	if err != nil {
		return fail(err)
	}
	return o, suggestions, ""
}

// placeCardPage is a place's public card.
type placeCardPage struct {
	Card store.SiteCard
	Map  placeMap
	// UpdatedFR is the date of the last update, dd/mm/yyyy.
	UpdatedFR string
}

func publicPlaceCard(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	var c store.SiteCard
	if err := q.view(func(tx *store.Tx) error {
		var err error
		c, err = tx.SiteCard(q.ctx(), id)
		return err
	}); err != nil {
		return err
	}
	p := placeCardPage{Card: c, Map: placeMap{Tiles: q.s.cfg.TileURL, Attribution: q.s.cfg.TileAttribution, Points: []mapPoint{}}}
	if d, err := passnum.ParseDate(c.UpdatedOn); err == nil {
		p.UpdatedFR = frDate(d)
	}
	lat, lng, approx := 0.0, 0.0, false
	switch {
	case c.Latitude != nil && c.Longitude != nil:
		lat, lng = *c.Latitude, *c.Longitude
	default:
		if tc, ok := territory.LookupCommune(c.CommuneINSEE); ok && tc.HasCoordinates {
			lat, lng, approx = tc.Lat, tc.Lng, true
		}
	}
	if lat != 0 || lng != 0 {
		p.Map.Points = append(p.Map.Points, mapPoint{Lat: lat, Lng: lng, Name: c.Name,
			Address: strings.TrimSpace(c.Address + ", " + c.Postcode + " " + c.Commune), Approximate: approx})
	}
	return q.render(http.StatusOK, "places/card", c.Name, p, nil)
}

// Phone links and distances.

// placeTelHref is a tel: link, which html/template would refuse as a
// plain string; only "+" and digits are kept.
func placeTelHref(p string) template.URL {
	return template.URL("tel:" + strings.Map(func(r rune) rune {
		if r == '+' || (r >= '0' && r <= '9') {
			return r
		}
		return -1
	}, p))
}

// placeKmFR writes a distance: "2,3 km", "moins de 100 m".
func placeKmFR(km float64) string {
	if km < 0.1 {
		return "moins de 100 m"
	}
	if km >= 10 {
		return strconv.Itoa(int(math.Round(km))) + " km"
	}
	return strings.Replace(strconv.FormatFloat(km, 'f', 1, 64), ".", ",", 1) + " km"
}
