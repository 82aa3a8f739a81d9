package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"passnum"
	"passnum/store"
)

// operatorPages: what the programme's operator (the Région or its digital
// mediation network) runs: programmes and their stock, organisations and
// their people and keys, the labelling of places, the audit trail.
func operatorPages() []*page {
	op := func(method, path string, h func(*request) error) *page {
		return &page{Method: method, Path: path, Access: staffOnly, Roles: operatorRole, Handle: h}
	}
	return []*page{
		op("GET", "/operateur", operatorDashboard),
		op("GET", "/operateur/programmes", operatorProgrammes),
		op("GET", "/operateur/programmes/nouveau", operatorNewProgramme),
		op("POST", "/operateur/programmes/nouveau", operatorCreateProgramme),
		op("GET", "/operateur/programmes/{id}", operatorProgramme),
		op("GET", "/operateur/programmes/{id}/parametres", operatorProgrammeSettings),
		op("POST", "/operateur/programmes/{id}/parametres", operatorUpdateProgrammeSettings),
		op("POST", "/operateur/programmes/{id}/emettre", operatorIssue),
		op("POST", "/operateur/programmes/{id}/doter", operatorAllocate),
		op("GET", "/operateur/organisations", operatorOrganisations),
		op("GET", "/operateur/organisations/nouvelle", operatorNewOrganisation),
		op("POST", "/operateur/organisations/nouvelle", operatorCreateOrganisation),
		op("GET", "/operateur/organisations/{id}", operatorOrganisation),
		op("POST", "/operateur/organisations/{id}/personnes", operatorInviteToOrganisation),
		op("POST", "/operateur/organisations/{id}/cles", operatorCreateKey),
		op("POST", "/operateur/organisations/{id}/cles/{key}/revoquer", operatorRevokeKey),
		op("POST", "/operateur/organisations/{id}/statut", operatorDecidePlace),
		op("GET", "/operateur/labellisation", operatorLabelling),
		op("GET", "/operateur/labellisation/{id}", operatorApplication),
		op("POST", "/operateur/labellisation/{id}/rib/{bank}/approuver", operatorDecideBank(true)),
		op("POST", "/operateur/labellisation/{id}/rib/{bank}/rejeter", operatorDecideBank(false)),
		op("POST", "/operateur/labellisation/{id}/liberer-siret", operatorReleaseSIRET),
		op("GET", "/operateur/personnes", operatorPeople),
		op("POST", "/operateur/personnes", operatorInvitePerson),
		op("POST", "/operateur/personnes/{id}/desactiver", operatorSetDisabled(true)),
		op("POST", "/operateur/personnes/{id}/activer", operatorSetDisabled(false)),
		op("POST", "/operateur/personnes/{id}/lien", operatorSendLink),
		op("POST", "/operateur/personnes/{id}/double-authentification", operatorResetFactor),
		op("GET", "/operateur/journal", operatorAudit),
		op("GET", "/operateur/doublons", operatorDuplicates),
	}
}

// operatorFuncs are the template functions of the operator's and the
// funder's pages.
var operatorFuncs = template.FuncMap{
	"opPercent": passnum.FormatBasisPoints,
	"opMonth":   passnum.MonthLabel,
	"opSelect":  opSelect,
	"opAction":  passnum.AuditActionLabel,
	"opActor":   passnum.AuditActorKindLabel,
	"opObject":  passnum.AuditObjectTypeLabel,
	"opBank":    passnum.BankStatus.Label,
	"opIBAN":    passnum.FormatIBAN,
	"opHeldHint": func(n int) string {
		if n == 0 {
			return " ; aucun carnet n'est encore remis."
		}
		return " : " + passnum.CountOf(n, "carnet", "carnets") + " au plus aujourd'hui."
	},
	"opJoin":            func(s []string) string { return strings.Join(s, ", ") },
	"opTerritoryPicker": newTerritoryPicker,
	"opTerritory":       passnum.TerritoryName,
	"opAtDistributors": func(s *passnum.ProgrammeStock) int64 {
		if s == nil {
			return 0
		}
		return s.IssuedBooklets - s.UnallocatedBooklets - s.HandedOutBooklets
	},
	"int64ToInt":  func(n int64) int { return int(n) },
	"opKilobytes": func(n int) string { return passnum.FormatCount((n+1023)/1024) + "\u00a0Ko" },
}

// opDashboard is the operator's home: where each open programme stands and
// what waits for a decision.
type opDashboard struct {
	Programmes []opDashboardProgramme
	// More says that older programmes exist beyond those listed.
	More bool
	// Pending counts the applications to decide on; PendingMore says there
	// are more than Pending.
	Pending     int
	PendingMore bool
	// Duplicates counts the hand-outs confirmed although the same person
	// held a booklet of the programme in another agency.
	Duplicates int64
}

func operatorDashboard(q *request) error {
	var d opDashboard
	if err := q.view(func(tx *store.Tx) error {
		list, next, err := tx.ListProgrammes(q.ctx(), "", store.Page{Limit: store.MaxPageSize})
		if err != nil {
			return err
		}
		today := tx.Today()
		for _, p := range list {
			if !p.LastRedeemDay().Before(today) {
				d.Programmes = append(d.Programmes, opDashboardOf(p))
			}
		}
		d.More = next != "" || len(d.Programmes) < len(list)
		apps, next, err := tx.ListPlaceApplications(q.ctx(), passnum.OrgPending, store.Page{Limit: store.MaxPageSize})
		d.Pending, d.PendingMore = len(apps), next != ""
		if err != nil {
			return err
		}
		d.Duplicates, err = tx.CountDuplicateConfirmations(q.ctx(), "")
		return err
	}); err != nil {
		return err
	}
	return q.render(http.StatusOK, "operator/dashboard", "Tableau de bord de l'opérateur", d, nil)
}

// opDashboardProgramme is where a programme's booklets and passes stand,
// one unit per row: a booklet holds BookletSize passes, and the two must
// never be read side by side as if they were the same thing.
type opDashboardProgramme struct {
	passnum.Programme
	// Booklets: issued, not allocated, at the distributors, handed out.
	Booklets [4]int64
	// Passes: the same, then redeemed.
	Passes [5]int64
}

func opDashboardOf(p passnum.Programme) opDashboardProgramme {
	d := opDashboardProgramme{Programme: p}
	if s := p.Stock; s != nil {
		d.Booklets = [4]int64{s.IssuedBooklets, s.UnallocatedBooklets, s.IssuedBooklets - s.UnallocatedBooklets - s.HandedOutBooklets, s.HandedOutBooklets}
		size := int64(p.BookletSize)
		for i, n := range d.Booklets {
			d.Passes[i] = n * size
		}
		d.Passes[4] = s.RedeemedPasses
	}
	return d
}

// Helpers shared by the operator's and the funder's pages.

// opPageFrom reads the list position from the query (?apres=…).
func opPageFrom(q *request) (store.Page, error) {
	return store.NewPage(0, q.r.URL.Query().Get("apres"))
}

// opNextURL is the address of the next page of a list, keeping its filters.
func opNextURL(path string, filters url.Values, next string) string {
	if next == "" {
		return ""
	}
	v := url.Values{}
	for k, vals := range filters {
		if k != "apres" && len(vals) > 0 && vals[0] != "" {
			v.Set(k, vals[0])
		}
	}
	v.Set("apres", next)
	return path + "?" + v.Encode()
}

// opFirstURL is the address of the first page, when not on it.
func opFirstURL(path string, filters url.Values) string {
	if filters.Get("apres") == "" {
		return ""
	}
	v := url.Values{}
	for k, vals := range filters {
		if k != "apres" && len(vals) > 0 && vals[0] != "" {
			v.Set(k, vals[0])
		}
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// opFormStatus records err on f when it is for the person to fix, and
// returns the status to answer with; ok is false for errors shown as a
// page of their own (not found, unavailable, internal).
func opFormStatus(f *form, err error, names ...string) (int, bool) {
	switch passnum.ErrorCode(err) {
	case passnum.ENOTFOUND, passnum.EFORBIDDEN, passnum.EUNAUTHENTICATED, passnum.EUNAVAILABLE, passnum.EINTERNAL:
		return 0, false
	}
	if !f.Fail(err, names...) {
		return 0, false
	}
	if passnum.ErrorCode(err) == passnum.ECONFLICT {
		return http.StatusConflict, true
	}
	return http.StatusUnprocessableEntity, true
}

// opHundredths reads a decimal number as people type it in France ("10",
// "10,5", "10,50", "10.50", "1 000 €", "50 %") in hundredths.
func opHundredths(s string) (int64, bool) {
	s = strings.NewReplacer(" ", "", "\u00a0", "", "\u202f", "", "€", "", "%", "").Replace(strings.TrimSpace(s))
	whole, frac, hasFrac := strings.Cut(strings.Replace(s, ",", ".", 1), ".")
	if whole == "" || len(whole) > 12 || !opDigits(whole) || hasFrac && (frac == "" || len(frac) > 2 || !opDigits(frac)) {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	c, _ := strconv.ParseInt(frac, 10, 64)
	return w*100 + c, true
}

func opDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// opInt reads a whole number field, recording what is wrong on fe.
func opInt(fe *passnum.FieldErrors, f *form, name string) int {
	s := strings.TrimSpace(f.Get(name))
	n, err := strconv.Atoi(s)
	if s == "" {
		fe.Add(name, "obligatoire")
	} else if err != nil {
		fe.Add(name, "nombre entier attendu, par exemple 5")
	}
	return n
}

// opSelect is a select field whose options are computed (organisations),
// for {{template "field" (opSelect .Form "name" "Libellé" .Data.Options "required")}}.
func opSelect(f *form, name, label string, options []option, opts ...string) field {
	fd := newField(f, name, label, "select", opts...)
	fd.Options = options
	return fd
}
