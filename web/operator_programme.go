package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"passnum"
	"passnum/store"
)

// opMaxWebIssuance bounds one issuance from the web page: bigger runs go
// through the API or the command line, which are made for them.
const opMaxWebIssuance = 5000

// opNoTerritory is said when no box of the territory is ticked.
const opNoTerritory = "cochez au moins une région ou un département"

// opFunderRows is how many funders the programme form offers.
const opFunderRows = 3

type opProgrammeList struct {
	Programmes  []passnum.Programme
	Next, First string
}

func operatorProgrammes(q *request) error {
	p, err := opPageFrom(q)
	if err != nil {
		return err
	}
	var d opProgrammeList
	var next string
	if err := q.view(func(tx *store.Tx) error {
		var err error
		d.Programmes, next, err = tx.ListProgrammes(q.ctx(), "", p)
		return err
	}); err != nil {
		return err
	}
	d.Next = opNextURL("/operateur/programmes", q.r.URL.Query(), next)
	d.First = opFirstURL("/operateur/programmes", q.r.URL.Query())
	return q.render(http.StatusOK, "operator/programmes", "Programmes", d, nil)
}

// opProgrammeForm is the new-programme form: its funder rows.
type opProgrammeForm struct {
	Rows []opFunderRow
}

type opFunderRow struct {
	Funder, Share field
}

func opProgrammeFormData(q *request, f *form) (opProgrammeForm, error) {
	var orgs []passnum.Organisation
	if err := q.view(func(tx *store.Tx) error {
		var err error
		orgs, _, err = tx.ListOrganisations(q.ctx(), string(passnum.RoleFunder), "", store.Page{Limit: store.MaxPageSize})
		return err
	}); err != nil {
		return opProgrammeForm{}, err
	}
	options := []option{{"", "— aucun —"}}
	for _, o := range orgs {
		options = append(options, option{o.ID, o.Name})
	}
	var d opProgrammeForm
	for i := 1; i <= opFunderRows; i++ {
		n := strconv.Itoa(i)
		fd := opSelect(f, "funder_"+n, "Financeur "+n, options)
		sh := newField(f, "share_"+n, "Part du financeur "+n+" (en %)", "text", "attr:inputmode=decimal", "hint=Par exemple 50 ou 33,33")
		d.Rows = append(d.Rows, opFunderRow{fd, sh})
	}
	return d, nil
}

func operatorNewProgramme(q *request) error {
	f := &form{Values: url.Values{
		"face_value": {"10"}, "booklet_size": {"5"}, "grace_days": {strconv.Itoa(passnum.DefaultGraceDays)}, "min_age": {"16"}, "max_age": {"25"},
		"max_booklets_per_beneficiary": {"1"}, "cancel_window_hours": {strconv.Itoa(passnum.DefaultCancelWindowHours)},
		"max_passes_per_training": {strconv.Itoa(passnum.DefaultMaxTrainingPasses)}, "territory": slices.Clone(passnum.DefaultTerritory),
	}, Errors: map[string]string{}}
	d, err := opProgrammeFormData(q, f)
	if err != nil {
		return err
	}
	return q.render(http.StatusOK, "operator/programme_new", "Nouveau programme", d, f)
}

// opReadProgramme reads the programme form. Its own checks come first, in
// the words of the form (euros, percentages, JJ/MM/AAAA); the domain's
// follow, for what the form cannot see.
func opReadProgramme(f *form) (passnum.Programme, error) {
	var fe passnum.FieldErrors
	p := passnum.Programme{Name: f.Get("name")}
	if cents, ok := opHundredths(f.Get("face_value")); !ok {
		fe.Add("face_value", "montant en euros attendu, par exemple 10 ou 10,00")
	} else if cents < 1 || cents > 100_000 {
		fe.Add("face_value", "valeur d'un pass entre 0,01 € et 1 000 €")
	} else {
		p.FaceValueCents = cents
	}
	p.BookletSize = opInt(&fe, f, "booklet_size")
	var err error
	if p.ValidFrom, err = parseFrenchDate("valid_from", f.Get("valid_from")); err != nil {
		fe = append(fe, err.(*passnum.Error).Fields...)
	}
	if p.ValidUntil, err = parseFrenchDate("valid_until", f.Get("valid_until")); err != nil {
		fe = append(fe, err.(*passnum.Error).Fields...)
	}
	if !p.ValidFrom.IsZero() && !p.ValidUntil.IsZero() && p.ValidUntil.Before(p.ValidFrom) {
		fe.Add("valid_until", "la fin de validité doit suivre le début de validité")
	}
	p.GraceDays = opInt(&fe, f, "grace_days")
	p.MinAge = opInt(&fe, f, "min_age")
	p.MaxAge = opInt(&fe, f, "max_age")
	p.MaxBookletsPerBeneficiary = opInt(&fe, f, "max_booklets_per_beneficiary")
	p.CancelWindowHours = opInt(&fe, f, "cancel_window_hours")
	p.MaxPassesPerTraining = opInt(&fe, f, "max_passes_per_training")
	p.Territory = territoryValues(f)
	if len(p.Territory) == 0 {
		fe.Add("territory", opNoTerritory)
	}
	var sum int64
	sharesOK := true
	for i := 1; i <= opFunderRows; i++ {
		n := strconv.Itoa(i)
		id, share := f.Get("funder_"+n), f.Get("share_"+n)
		if id == "" && share == "" {
			continue
		}
		if id == "" {
			fe.Add("funder_"+n, "choisissez le financeur de cette part, ou effacez la part")
			sharesOK = false
			continue
		}
		bps, ok := opHundredths(share)
		switch {
		case share == "":
			fe.Add("share_"+n, "indiquez la part de ce financeur, en pourcentage")
			sharesOK = false
		case !ok:
			fe.Add("share_"+n, "pourcentage attendu, par exemple 50 ou 33,33 (deux décimales au plus)")
			sharesOK = false
		case bps <= 0 || bps > passnum.TotalBasisPoints:
			fe.Add("share_"+n, "part comprise entre 0,01 % et 100 %")
			sharesOK = false
		}
		sum += bps
		p.Funders = append(p.Funders, passnum.FunderShare{OrganisationID: id, ShareBps: bps})
	}
	if sharesOK && len(p.Funders) > 0 && sum != passnum.TotalBasisPoints {
		fe.Add("funders", "les parts des financeurs doivent totaliser exactement 100 % : elles totalisent "+passnum.FormatBasisPoints(sum))
	}
	if sharesOK && len(p.Funders) == 0 {
		fe.Add("funders", "indiquez au moins un financeur et sa part (100 % s'il est seul)")
	}
	if err := p.Validate(); err != nil {
		if pe, ok := err.(*passnum.Error); ok {
			fe = append(fe, pe.Fields...)
		}
	}
	return p, fe.Err()
}

func operatorCreateProgramme(q *request) error {
	f := newForm(q.r)
	p, err := opReadProgramme(f)
	if err == nil {
		err = q.write(func(tx *store.Tx) error {
			var err error
			p, err = tx.CreateProgramme(q.ctx(), q.actor(), p)
			return err
		})
	}
	if err != nil {
		status, ok := opFormStatus(f, err, "face_value_cents", "face_value")
		if !ok {
			return err
		}
		d, derr := opProgrammeFormData(q, f)
		if derr != nil {
			return derr
		}
		return q.render(status, "operator/programme_new", "Nouveau programme", d, f)
	}
	return q.redirect("/operateur/programmes/"+p.ID, "Le programme « "+p.Name+" » est créé : émettez maintenant des carnets, puis attribuez-les aux distributeurs.")
}

// opProgrammeView is a programme's page: its settings, where its booklets
// are and what was used.
type opProgrammeView struct {
	P            passnum.Programme
	Consumption  store.Consumption
	Distributors []opDistributorStock
	Allocations  []opAllocationLine
	// AllocationsMore says that older allocations are not listed.
	AllocationsMore bool
	// DistributorOptions feed the allocation form.
	DistributorOptions []option
	// AtDistributors counts booklets allocated but not yet handed out.
	AtDistributors int64
	// LastDay is the last day a pass may be redeemed.
	LastDay              passnum.Date
	IssueForm, AllocForm *form
	MaxIssuance          int
}

type opDistributorStock struct {
	ID, Name                        string
	Allocated, Available, HandedOut int64
}

type opAllocationLine struct {
	At       time.Time
	ID, Name string
	Booklets int64
}

func opLoadProgramme(q *request, id string) (opProgrammeView, error) {
	v := opProgrammeView{IssueForm: &form{Values: url.Values{}}, AllocForm: &form{Values: url.Values{}}, MaxIssuance: opMaxWebIssuance}
	err := q.view(func(tx *store.Tx) error {
		var err error
		if v.P, err = tx.Programme(q.ctx(), id); err != nil {
			return err
		}
		v.LastDay = v.P.LastRedeemDay()
		if v.Consumption, err = tx.ProgrammeConsumption(q.ctx(), id); err != nil {
			return err
		}
		dists, _, err := tx.ListOrganisations(q.ctx(), string(passnum.RoleDistributor), "", store.Page{Limit: store.MaxPageSize})
		if err != nil {
			return err
		}
		names := map[string]string{}
		v.DistributorOptions = []option{{"", "— choisissez un distributeur —"}}
		for _, o := range dists {
			names[o.ID] = o.Name
			v.DistributorOptions = append(v.DistributorOptions, option{o.ID, o.Name})
		}
		allocs, next, err := tx.ListAllocations(q.ctx(), id, "", store.Page{Limit: store.MaxPageSize})
		if err != nil {
			return err
		}
		v.AllocationsMore = next != ""
		seen := map[string]bool{}
		var order []string
		for _, a := range allocs {
			v.Allocations = append(v.Allocations, opAllocationLine{At: a.CreatedAt, ID: a.DistributorID, Name: names[a.DistributorID], Booklets: a.Booklets})
			if !seen[a.DistributorID] {
				seen[a.DistributorID] = true
				order = append(order, a.DistributorID)
			}
		}
		for _, d := range order {
			s, err := tx.Stock(q.ctx(), id, d)
			if err != nil {
				return err
			}
			v.Distributors = append(v.Distributors, opDistributorStock{ID: d, Name: names[d], Allocated: s.AllocatedBooklets,
				Available: s.AvailableBooklets, HandedOut: s.AllocatedBooklets - s.AvailableBooklets})
			v.AtDistributors += s.AvailableBooklets
		}
		return nil
	})
	return v, err
}

func operatorProgramme(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	v, err := opLoadProgramme(q, id)
	if err != nil {
		return err
	}
	return q.render(http.StatusOK, "operator/programme", v.P.Name, v, nil)
}

// opBooklets reads the number of booklets of the issue and allocation forms.
func opBooklets(f *form, max int64) (int64, error) {
	s := f.Get("booklets")
	n, err := strconv.ParseInt(s, 10, 64)
	switch {
	case s == "":
		return 0, passnum.Invalid(passnum.FieldError{Field: "booklets", Detail: "indiquez le nombre de carnets"})
	case err != nil || n < 1:
		return 0, passnum.Invalid(passnum.FieldError{Field: "booklets", Detail: "nombre entier de carnets attendu, 1 au moins"})
	case n > max:
		return 0, passnum.Invalid(passnum.FieldError{Field: "booklets", Detail: "au plus " + passnum.CountOf(max, "carnet", "carnets") + " à la fois depuis cette page ; pour une émission plus grande, utilisez l'API ou la ligne de commande"})
	}
	return n, nil
}

func operatorIssue(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	f := newForm(q.r)
	var is passnum.Issuance
	n, err := opBooklets(f, opMaxWebIssuance)
	if err == nil {
		// Issuing writes many rows: it runs alone, never batched with others.
		err = q.s.store.WriteExclusive(q.ctx(), func(tx *store.Tx) error {
			var err error
			is, err = tx.Issue(q.ctx(), q.actor(), id, n)
			return err
		})
	}
	if err != nil {
		return opProgrammeFormFailed(q, id, f, err, func(v *opProgrammeView) { v.IssueForm = f })
	}
	return q.redirect("/operateur/programmes/"+id, passnum.CountOf(is.Booklets, "carnet émis", "carnets émis")+", soit "+passnum.CountOf(is.Passes, "pass", "pass")+" : "+passnum.Plural(is.Booklets, "il attend", "ils attendent")+" d'être "+passnum.Plural(is.Booklets, "attribué", "attribués")+" à un distributeur.")
}

// opProgrammeFormFailed shows the programme page again with one of its
// forms, f, refused: place puts f where the page draws it. Errors that are
// not the user's to fix are returned as they are.
func opProgrammeFormFailed(q *request, id string, f *form, err error, place func(*opProgrammeView)) error {
	status, ok := opFormStatus(f, err)
	if !ok {
		return err
	}
	v, lerr := opLoadProgramme(q, id)
	if lerr != nil {
		return lerr
	}
	place(&v)
	return q.render(status, "operator/programme", v.P.Name, v, nil)
}

func operatorAllocate(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	f := newForm(q.r)
	dist := f.Get("distributor_id")
	var name string
	n, err := opBooklets(f, passnum.MaxIssuanceBooklets)
	if dist == "" || !passnum.ValidID(dist) {
		f.Errors["distributor_id"] = "choisissez le distributeur qui reçoit les carnets"
		if err == nil {
			err = passnum.Invalid(passnum.FieldError{Field: "distributor_id", Detail: f.Errors["distributor_id"]})
		}
	}
	if err == nil {
		err = q.write(func(tx *store.Tx) error {
			if _, err := tx.Allocate(q.ctx(), q.actor(), id, dist, n); err != nil {
				return err
			}
			o, err := tx.Organisation(q.ctx(), dist)
			name = o.Name
			return err
		})
	}
	if err != nil {
		return opProgrammeFormFailed(q, id, f, err, func(v *opProgrammeView) { v.AllocForm = f })
	}
	return q.redirect("/operateur/programmes/"+id, passnum.CountOf(n, "carnet attribué", "carnets attribués")+" à « "+name+" ».")
}

// The settings form: what may change after a programme's creation, on the
// terms of passnum.ProgrammeUpdate; the rest is shown with the reason it
// no longer changes.

// opSettingsView is the settings page: the programme, what its form needs
// to explain its rules, and the settings that no longer change.
type opSettingsView struct {
	P       passnum.Programme
	LastDay passnum.Date
	Today   passnum.Date
	// ValidFromOpen: no booklet issued yet, so valid_from may still move.
	ValidFromOpen bool
	// MostHeld is the most booklets one beneficiary holds: the floor of
	// the per-beneficiary limit.
	MostHeld int
	Funders  []opSettingsFunder
	// Frozen gives, field by field, why a setting no longer changes.
	Frozen map[string]string
}

type opSettingsFunder struct {
	ID, Name string
	ShareBps int64
}

func opLoadSettings(q *request, id string) (opSettingsView, error) {
	v := opSettingsView{Frozen: map[string]string{}}
	for k, reason := range passnum.FrozenProgrammeFields {
		v.Frozen[k] = opSentence(reason)
	}
	v.Frozen["valid_from"] = opSentence(passnum.FrozenValidFrom)
	err := q.view(func(tx *store.Tx) error {
		var err error
		if v.P, err = tx.Programme(q.ctx(), id); err != nil {
			return err
		}
		v.LastDay, v.Today = v.P.LastRedeemDay(), tx.Today()
		v.ValidFromOpen = v.P.Stock == nil || v.P.Stock.IssuedBooklets == 0
		if v.MostHeld, err = tx.MostBookletsHeld(q.ctx(), id); err != nil {
			return err
		}
		for _, f := range v.P.Funders {
			o, err := tx.Organisation(q.ctx(), f.OrganisationID)
			if err != nil {
				return err
			}
			v.Funders = append(v.Funders, opSettingsFunder{ID: o.ID, Name: o.Name, ShareBps: f.ShareBps})
		}
		return nil
	})
	return v, err
}

// opSentence capitalises a reason to show it as a sentence.
func opSentence(s string) string {
	r := []rune(s)
	if len(r) > 0 {
		r[0] = []rune(strings.ToUpper(string(r[0])))[0]
	}
	return string(r) + "."
}

// opSettingsForm fills the form with the programme's current settings.
func opSettingsForm(p passnum.Programme) *form {
	v := url.Values{
		"name": {p.Name}, "valid_until": {frDate(p.ValidUntil)}, "grace_days": {strconv.Itoa(p.GraceDays)},
		"min_age": {strconv.Itoa(p.MinAge)}, "max_age": {strconv.Itoa(p.MaxAge)},
		"max_booklets_per_beneficiary": {strconv.Itoa(p.MaxBookletsPerBeneficiary)}, "cancel_window_hours": {strconv.Itoa(p.CancelWindowHours)},
		"max_passes_per_training": {strconv.Itoa(p.MaxPassesPerTraining)}, "territory": slices.Clone(p.Territory),
		"dormant_days": {strconv.Itoa(p.DormantDays)},
	}
	if p.Stock == nil || p.Stock.IssuedBooklets == 0 {
		v.Set("valid_from", frDate(p.ValidFrom))
	}
	opPaymentSettingsValues(p, v)
	return &form{Values: v, Errors: map[string]string{}}
}

func operatorProgrammeSettings(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	v, err := opLoadSettings(q, id)
	if err != nil {
		return err
	}
	return q.render(http.StatusOK, "operator/programme_settings", "Réglages — "+v.P.Name, v, opSettingsForm(v.P))
}

// opReadSettings reads the settings form in its own words (JJ/MM/AAAA,
// whole numbers); the domain's rules follow in the store. valid_from is
// read only when the form offers it.
func opReadSettings(f *form) (passnum.ProgrammeUpdate, error) {
	var fe passnum.FieldErrors
	name := f.Get("name")
	u := passnum.ProgrammeUpdate{Name: &name}
	day := func(field string) *passnum.Date {
		d, err := parseFrenchDate(field, f.Get(field))
		if err != nil {
			fe = append(fe, err.(*passnum.Error).Fields...)
			return nil
		}
		return &d
	}
	if _, offered := f.Values["valid_from"]; offered {
		u.ValidFrom = day("valid_from")
	}
	u.ValidUntil = day("valid_until")
	whole := func(field string) *int {
		before := len(fe)
		n := opInt(&fe, f, field)
		if len(fe) > before {
			return nil
		}
		return &n
	}
	u.GraceDays = whole("grace_days")
	u.MinAge = whole("min_age")
	u.MaxAge = whole("max_age")
	u.MaxBookletsPerBeneficiary = whole("max_booklets_per_beneficiary")
	u.CancelWindowHours = whole("cancel_window_hours")
	u.MaxPassesPerTraining = whole("max_passes_per_training")
	if _, sent := f.Values["dormant_days"]; sent {
		u.DormantDays = whole("dormant_days")
	}
	u.Territory = territoryValues(f)
	if u.Territory == nil {
		u.Territory = []string{} // an emptied field is refused, not "unchanged"
	}
	opReadPaymentSettings(f, &u, &fe)
	return u, fe.Err()
}

func operatorUpdateProgrammeSettings(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	f := newForm(q.r)
	var changes []passnum.ProgrammeChange
	u, err := opReadSettings(f)
	if err == nil {
		err = q.write(func(tx *store.Tx) error {
			before, err := tx.Programme(q.ctx(), id)
			if err != nil {
				return err
			}
			after, err := tx.UpdateProgramme(q.ctx(), q.actor(), id, u)
			changes = passnum.ProgrammeChanges(&before, &after)
			return err
		})
	}
	if err != nil {
		status, ok := opFormStatus(f, err, opPaymentSettingNames...)
		if !ok {
			return err
		}
		if _, ok := f.Errors["territory"]; ok && len(territoryValues(f)) == 0 {
			f.Errors["territory"] = opNoTerritory // the domain's words name codes
		}
		if len(f.Errors) > 0 {
			// The fields say what is wrong, in their own words.
			f.Message = "Les réglages n'ont pas été enregistrés : corrigez les champs signalés."
		}
		v, lerr := opLoadSettings(q, id)
		if lerr != nil {
			return lerr
		}
		opPaymentSettingsErrors(f, v.P)
		return q.render(status, "operator/programme_settings", "Réglages — "+v.P.Name, v, f)
	}
	return q.redirect("/operateur/programmes/"+id, opChangesMessage(changes))
}

// opSettingLabels name the settings in the flash message.
var opSettingLabels = map[string]string{
	"name": "nom", "valid_from": "premier jour de validité", "valid_until": "dernier jour de validité",
	"grace_days": "délai de tolérance", "last_redeem_day": "dernier jour d'encaissement", "min_age": "âge minimum", "max_age": "âge maximum",
	"max_booklets_per_beneficiary": "carnets par bénéficiaire", "cancel_window_hours": "délai d'annulation par le lieu",
	"max_passes_per_training": "pass pour une même formation", "territory": "territoire", "dormant_days": "jours avant qu'un carnet soit dormant",
	"handout_until": "dernier jour de remise", "budget_cents": "budget", "four_eyes": "quatre yeux", "payer": "compte payeur",
}

// opChangesMessage says what an update changed: "Réglages modifiés :
// dernier jour de validité 31/12/2026 → 30/06/2027 ; …".
func opChangesMessage(changes []passnum.ProgrammeChange) string {
	if len(changes) == 0 {
		return "Aucun réglage n'a changé."
	}
	parts := make([]string, 0, len(changes))
	for _, c := range changes {
		parts = append(parts, opSettingLabels[c.Field]+" : "+opSettingValue(c.Field, c.Old)+" → "+opSettingValue(c.Field, c.New))
	}
	return "Réglages modifiés : " + strings.Join(parts, " ; ") + "."
}

func opSettingValue(field string, v any) string {
	switch x := v.(type) {
	case passnum.Date:
		return frDate(x)
	case []string:
		return passnum.TerritoryName(x)
	case string:
		// Kept short: the message travels in a cookie.
		if r := []rune(x); len(r) > 60 {
			x = string(r[:59]) + "…"
		}
		return "« " + x + " »"
	case nil:
		return "non fixé"
	case int64:
		return passnum.FormatEuros(x)
	case bool:
		if x {
			return "oui"
		}
		return "non"
	case passnum.PayingAccount:
		return x.Name + " " + x.IBAN
	case int:
		switch field {
		case "grace_days":
			return passnum.CountOf(x, "jour", "jours")
		case "min_age", "max_age":
			return passnum.CountOf(x, "an", "ans")
		case "cancel_window_hours":
			return strconv.Itoa(x) + " h"
		}
		return passnum.FormatCount(x)
	}
	return ""
}
