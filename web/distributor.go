package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"passnum"
	"passnum/document"
	"passnum/store"
	"passnum/territory"
)

// The counsellor's pages (mission locale, France Travail agency…): the
// agency's young people, registering one, handing out booklets, printing
// them, blocking and replacing a lost one, and the agency's stock. Every
// query is scoped to the counsellor's agency: another agency's young
// person or booklet is "not found".

func distributorPages() []*page {
	d := func(method, path string, h func(q *request) error) *page {
		return &page{Method: method, Path: path, Access: staffOnly, Roles: distributorRole, Handle: h}
	}
	return []*page{
		d("GET", "/distributeur", distHome),
		d("POST", "/distributeur/recherche", distSearch),
		d("GET", "/distributeur/inscrire", distRegisterPage),
		d("POST", "/distributeur/inscrire", distRegister),
		d("GET", "/distributeur/beneficiaires/{id}", distBeneficiaryPage),
		d("POST", "/distributeur/beneficiaires/{id}/carnets", distHandOut),
		d("POST", "/distributeur/beneficiaires/{id}/debloquer-acces", distUnlockSignin),
		d("GET", "/distributeur/carnets/{id}", distBookletPage),
		d("GET", "/distributeur/carnets/{id}/pdf", distBookletPDF),
		d("POST", "/distributeur/carnets/{id}/bloquer", distBlock),
		d("POST", "/distributeur/carnets/{id}/remplacer", distReplace),
		d("GET", "/distributeur/stock", distStockPage),
	}
}

// distributorFuncs are the template functions of the counsellor's pages.
var distributorFuncs = template.FuncMap{
	"distField":         distFieldFR,
	"distChange":        distChangeFR,
	"distOptions":       func(fd field, opts []option) field { fd.Options = opts; return fd },
	"distMask":          passnum.MaskPassCode,
	"distBookletStatus": passnum.BookletStatus.Label,
	"distHeldElsewhere": func() string { return distHeldElsewhereWarning },
	"distLast4":         func(code string) string { return code[max(0, len(code)-4):] },
}

// distPageSize is the number of young people per page of the list.
const distPageSize = 25

// Messages shown to the counsellor.
const (
	distHeldElsewhereWarning = "Une personne avec les mêmes nom, prénom et date de naissance a déjà reçu un carnet de ce programme dans une autre structure."
)

// today is the Paris day, as the store sees it.
func distToday(q *request) passnum.Date { return passnum.ParisDate(q.s.cfg.Now()) }

// distFail records a domain error on a form; when fields are named, the
// general message stays the generic one (the field errors say it all).
func distFail(f *form, err error, names ...string) bool {
	if !f.Fail(err, names...) {
		return false
	}
	if passnum.ErrorCode(err) == passnum.EINVALID && len(f.Errors) > 0 {
		f.Message = ""
	}
	return true
}

// ---- The agency's stock ----

// distStockRow is the agency's stock of one programme.
type distStockRow struct {
	Programme                  passnum.Programme
	Open                       bool
	Allocated, HandedOut, Left int64
}

// distAgencyStock lists the programmes the agency received booklets of, newest
// programme first.
func distAgencyStock(q *request, tx *store.Tx, today passnum.Date) ([]distStockRow, error) {
	programmes, _, err := tx.ListProgrammes(q.ctx(), "", store.Page{Limit: store.MaxPageSize})
	if err != nil {
		return nil, err
	}
	var out []distStockRow
	for _, p := range programmes {
		s, err := tx.Stock(q.ctx(), p.ID, q.org())
		if err != nil {
			return nil, err
		}
		if s.AllocatedBooklets == 0 {
			continue
		}
		out = append(out, distStockRow{Programme: p, Open: distProgrammeOpen(p, today), Allocated: s.AllocatedBooklets,
			HandedOut: s.AllocatedBooklets - s.AvailableBooklets, Left: s.AvailableBooklets})
	}
	return out, nil
}

func distProgrammeOpen(p passnum.Programme, today passnum.Date) bool {
	return !today.Before(p.ValidFrom) && !today.After(p.ValidUntil)
}

// distOpenStock keeps the programmes handing out booklets today.
func distOpenStock(rows []distStockRow) []distStockRow {
	var out []distStockRow
	for _, r := range rows {
		if r.Open {
			out = append(out, r)
		}
	}
	return out
}

// distOffer is the choice of programmes a booklet can be handed out of: open,
// with booklets left.
func distOffer(rows []distStockRow) []option {
	var out []option
	for _, r := range rows {
		if r.Open && r.Left > 0 {
			out = append(out, option{Value: r.Programme.ID, Label: r.Programme.Name + " (" + passnum.CountOf(r.Left, "carnet", "carnets") + " en stock)"})
		}
	}
	return out
}

// distAllocationRow is one delivery of booklets to the agency.
type distAllocationRow struct {
	passnum.Allocation
	ProgrammeName string
}

type distStockView struct {
	Stock       []distStockRow
	Allocations []distAllocationRow
}

func distStockPage(q *request) error {
	var data distStockView
	if err := q.view(func(tx *store.Tx) error {
		var err error
		if data.Stock, err = distAgencyStock(q, tx, distToday(q)); err != nil {
			return err
		}
		for _, r := range data.Stock {
			list, _, err := tx.ListAllocations(q.ctx(), r.Programme.ID, q.org(), store.Page{Limit: 100})
			if err != nil {
				return err
			}
			for _, a := range list {
				data.Allocations = append(data.Allocations, distAllocationRow{Allocation: a, ProgrammeName: r.Programme.Name})
			}
		}
		return nil
	}); err != nil {
		return err
	}
	slices.SortFunc(data.Allocations, func(a, b distAllocationRow) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return q.render(http.StatusOK, "distributor/stock", "Stock de carnets", data, nil)
}

// ---- The list of young people ----

type distHomeView struct {
	Stock    []distStockRow
	Searched bool
	Query    string
	Rows     []store.BeneficiarySummary
	Next     string
	// Later is true past the first page.
	Later bool
	// Dormant counts the agency's dormant booklets.
	Dormant int
}

// distHome lists the agency's young people, newest first; "apres" is the
// cursor of the next page (no personal data in it).
func distHome(q *request) error {
	return distList(q, &form{Values: q.r.URL.Query(), Errors: map[string]string{}}, false)
}

// distSearch finds young people by name. The name is sent in the body of
// a form, never in the address, so that it stays out of histories and logs.
func distSearch(q *request) error {
	return distList(q, newForm(q.r), true)
}

func distList(q *request, f *form, searched bool) error {
	data := distHomeView{Searched: searched, Query: f.Get("q")}
	cursor := f.Get("apres")
	data.Later = cursor != ""
	status := http.StatusOK
	if err := q.view(func(tx *store.Tx) error {
		var err error
		if data.Stock, err = distAgencyStock(q, tx, distToday(q)); err != nil {
			return err
		}
		data.Stock = distOpenStock(data.Stock)
		if data.Dormant, err = tx.DormantCount(q.ctx(), q.org()); err != nil {
			return err
		}
		p, err := store.NewPage(distPageSize, cursor)
		if err != nil {
			f.Message = "Cette page de la liste est introuvable : revenez au début de la liste."
			status = http.StatusUnprocessableEntity
			return nil
		}
		data.Rows, data.Next, err = tx.SearchBeneficiaries(q.ctx(), q.org(), data.Query, p)
		if distFail(f, err) {
			status = http.StatusUnprocessableEntity
			return nil
		}
		return err
	}); err != nil {
		return err
	}
	return q.render(status, "distributor/home", "Bénéficiaires", data, f)
}

// ---- Eligibility in words ----

// distRefusal is a refused hand-out, rule by rule.
type distRefusal struct {
	Programme string
	Words     []string
}

// distEligibilityWords says in plain words why each failed rule failed.
func distEligibilityWords(b *passnum.Beneficiary, p *passnum.Programme, today passnum.Date, reasons []string) []string {
	var out []string
	for _, r := range reasons {
		switch r {
		case passnum.ReasonAge:
			out = append(out, fmt.Sprintf("Âge : %s le jour de la remise, le programme est réservé aux %d-%d ans", passnum.CountOf(b.BirthDate.AgeOn(today), "an", "ans"), p.MinAge, p.MaxAge))
		case passnum.ReasonNotJobSeeker:
			out = append(out, "Situation : la personne n'est pas en recherche d'emploi, le programme est réservé aux jeunes qui cherchent un emploi")
		case passnum.ReasonInStudies:
			out = append(out, "Études : la personne suit des études, le programme est réservé aux jeunes qui ne sont pas en études")
		case passnum.ReasonTerritory:
			out = append(out, fmt.Sprintf("Commune : %s est hors du territoire du programme (%s)", passnum.CommuneLabel(b.CommuneINSEE), passnum.TerritoryName(distTerritoryOf(p))))
		default:
			out = append(out, "Règle non respectée : "+r)
		}
	}
	return out
}

func distTerritoryOf(p *passnum.Programme) []string {
	if len(p.Territory) == 0 {
		return passnum.DefaultTerritory
	}
	return p.Territory
}

// distRefusalOf turns an ENOTELIGIBLE error into words; nil for other errors.
func distRefusalOf(err error, b *passnum.Beneficiary, p passnum.Programme, today passnum.Date) *distRefusal {
	var pe *passnum.Error
	if !errors.As(err, &pe) || pe.Code != passnum.ENOTELIGIBLE {
		return nil
	}
	r := &distRefusal{Programme: p.Name, Words: distEligibilityWords(b, &p, today, pe.Reasons)}
	if len(r.Words) == 0 {
		r.Words = []string{pe.Message}
	}
	return r
}

// distProgrammeByID finds a programme among the agency's stock rows, or reads it.
func distProgrammeByID(q *request, rows []distStockRow, id string) (passnum.Programme, error) {
	for _, r := range rows {
		if r.Programme.ID == id {
			return r.Programme, nil
		}
	}
	var p passnum.Programme
	err := q.view(func(tx *store.Tx) error {
		var err error
		p, err = tx.Programme(q.ctx(), id)
		return err
	})
	return p, err
}

// ---- Registering a young person ----

type distRegisterView struct {
	Programmes []option
	Duplicate  bool
	Refusal    *distRefusal
	// Existing is the record of the same person already registered by the
	// agency, when the registration was refused for it.
	Existing string
}

func distRegisterData(q *request) (distRegisterView, []distStockRow, error) {
	var rows []distStockRow
	err := q.view(func(tx *store.Tx) error {
		var err error
		rows, err = distAgencyStock(q, tx, distToday(q))
		return err
	})
	return distRegisterView{Programmes: distOffer(rows)}, rows, err
}

func distRegisterPage(q *request) error {
	data, _, err := distRegisterData(q)
	if err != nil {
		return err
	}
	f := &form{Values: map[string][]string{"handout": {"1"}}, Errors: map[string]string{}}
	if len(data.Programmes) == 1 {
		f.Values.Set("programme_id", data.Programmes[0].Value)
	}
	return q.render(http.StatusOK, "distributor/register", "Inscrire un jeune", data, f)
}

func distRegister(q *request) error {
	f := newForm(q.r)
	data, rows, err := distRegisterData(q)
	if err != nil {
		return err
	}
	today := distToday(q)
	birth, err := parseFrenchDate("birth_date", f.Get("birth_date"))
	if err != nil {
		f.Fail(err)
	}
	commune, err := resolveCommune("commune_insee", f.Get("commune_insee"))
	if err != nil {
		f.Fail(err)
	}
	b := passnum.Beneficiary{FirstName: f.Get("first_name"), LastName: f.Get("last_name"), BirthDate: birth, CommuneINSEE: commune,
		JobSeeker: f.Get("job_seeker") != "", InStudies: f.Get("in_studies") != ""}
	distContactFrom(f, &b)
	if err := b.Validate(today); err != nil {
		f.Fail(err)
	}
	handout := f.Get("handout") != ""
	programmeID := f.Get("programme_id")
	if handout && programmeID == "" {
		f.Errors["programme_id"] = "choisissez le programme du carnet à remettre, ou décochez « Remettre un carnet maintenant »"
	}
	if f.Failed() {
		f.Message = ""
		return q.render(http.StatusUnprocessableEntity, "distributor/register", "Inscrire un jeune", data, f)
	}
	var ben passnum.Beneficiary
	var bk passnum.Booklet
	err = q.write(func(tx *store.Tx) error {
		// Before registering, with or without a booklet now: the
		// counsellor hears of a person already served elsewhere.
		if programmeID != "" && f.Get("confirm_duplicate") == "" {
			dup, err := tx.HeldElsewhere(q.ctx(), q.org(), programmeID, b.FirstName, b.LastName, b.BirthDate)
			if err != nil || dup {
				data.Duplicate = dup
				return err
			}
		}
		var err error
		if ben, err = tx.CreateBeneficiary(q.ctx(), q.actor(), b); err != nil || !handout {
			return err
		}
		bk, err = tx.HandOutWith(q.ctx(), q.actor(), store.HandOutRequest{BeneficiaryID: ben.ID, ProgrammeID: programmeID,
			ConfirmPossibleDuplicate: f.Get("confirm_duplicate") != ""})
		return err
	})
	if data.Duplicate && err == nil {
		return q.render(http.StatusUnprocessableEntity, "distributor/register", "Inscrire un jeune", data, f)
	}
	switch passnum.ErrorCode(err) {
	case passnum.EPOSSIBLEDUPLICATE:
		data.Duplicate = true
		return q.render(http.StatusUnprocessableEntity, "distributor/register", "Inscrire un jeune", data, f)
	case passnum.EDUPLICATEPERSON:
		data.Existing = distExistingRecord(err)
		return q.render(http.StatusConflict, "distributor/register", "Inscrire un jeune", data, f)
	}
	if err != nil {
		if passnum.ErrorCode(err) == passnum.ENOTELIGIBLE {
			p, perr := distProgrammeByID(q, rows, programmeID)
			if perr != nil {
				return perr
			}
			data.Refusal = distRefusalOf(err, &b, p, today)
			return q.render(http.StatusUnprocessableEntity, "distributor/register", "Inscrire un jeune", data, f)
		}
		if distFail(f, err) {
			return q.render(http.StatusUnprocessableEntity, "distributor/register", "Inscrire un jeune", data, f)
		}
		return err
	}
	if handout {
		return q.redirect("/distributeur/carnets/"+bk.ID, "Le jeune est inscrit et son carnet lui est remis : imprimez-le ou recopiez ses codes.")
	}
	return q.redirect("/distributeur/beneficiaires/"+ben.ID, "Le jeune est inscrit. Vous pourrez lui remettre un carnet depuis cette page.")
}

// ---- A young person ----

// distBookletView is a booklet with its programme and counts.
type distBookletView struct {
	passnum.Booklet
	ProgrammeName string
	Used, Left    int
}

func distViewBooklet(bk passnum.Booklet, name string) distBookletView {
	v := distBookletView{Booklet: bk, ProgrammeName: name}
	for _, p := range bk.Passes {
		switch p.Status {
		case passnum.PassRedeemed:
			v.Used++
		case passnum.PassAssigned:
			v.Left++
		}
	}
	return v
}

// distVerdict is the eligibility of the young person to one open programme.
type distVerdict struct {
	Programme string
	Words     []string
	// Held counts the booklets of the programme the person holds in use
	// (not blocked), out of Max allowed.
	Held, Max int
}

type distBeneficiaryView struct {
	B           passnum.Beneficiary
	Age         int
	Eligibility []distVerdict
	Booklets    []distBookletView
	Programmes  []option
	// AtLimit is true when booklets are left but the person already holds
	// as many as allowed.
	AtLimit   bool
	Duplicate bool
	Refusal   *distRefusal
	// SigninLockedUntil is set while the young person's access to their
	// passes page is locked after wrong birth dates.
	SigninLockedUntil *time.Time
	// Bookings are the seats booked for the person in sessions to come.
	Bookings []passnum.Booking
}

func distLoadBeneficiary(q *request, id string) (distBeneficiaryView, []distStockRow, error) {
	var data distBeneficiaryView
	var rows []distStockRow
	today := distToday(q)
	err := q.view(func(tx *store.Tx) error {
		var err error
		if data.B, err = tx.Beneficiary(q.ctx(), id, q.org()); err != nil {
			return err
		}
		if locked, until, err := tx.BeneficiarySigninLock(q.ctx(), id, q.org()); err != nil {
			return err
		} else if locked {
			data.SigninLockedUntil = &until
		}
		if rows, err = distAgencyStock(q, tx, today); err != nil {
			return err
		}
		names := map[string]string{}
		for _, r := range rows {
			names[r.Programme.ID] = r.Programme.Name
		}
		bks, err := tx.BeneficiaryBooklets(q.ctx(), id)
		if err != nil {
			return err
		}
		bookings, _, err := tx.BeneficiaryBookings(q.ctx(), id, store.Page{Limit: store.MaxPageSize})
		if err != nil {
			return err
		}
		data.Bookings = distUpcoming(bookings, tx.Now())
		held, counted := map[string]int{}, map[string]int{}
		for _, bk := range bks {
			if _, ok := names[bk.ProgrammeID]; !ok {
				p, err := tx.Programme(q.ctx(), bk.ProgrammeID)
				if err != nil {
					return err
				}
				names[p.ID] = p.Name
			}
			// A blocked booklet still counts against the limit until it is
			// replaced, and its replacement takes its place: counting both
			// errs, when a programme allows several booklets, on the side
			// of offering one less, never one the store would refuse.
			counted[bk.ProgrammeID]++
			if bk.Status == passnum.BookletHandedOut {
				held[bk.ProgrammeID]++
			}
			data.Booklets = append(data.Booklets, distViewBooklet(bk, names[bk.ProgrammeID]))
		}
		var open []distStockRow
		for _, r := range distOpenStock(rows) {
			p := r.Programme
			v := distVerdict{Programme: p.Name, Held: held[p.ID], Max: p.MaxBookletsPerBeneficiary,
				Words: distEligibilityWords(&data.B, &p, today, passnum.CheckEligibility(&data.B, &p, today))}
			data.Eligibility = append(data.Eligibility, v)
			if counted[p.ID] < v.Max {
				open = append(open, r)
			}
		}
		data.Programmes = distOffer(open)
		data.AtLimit = len(data.Programmes) == 0 && len(distOffer(rows)) > 0
		return nil
	})
	data.Age = data.B.BirthDate.AgeOn(today)
	return data, rows, err
}

func distBeneficiaryPage(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	data, _, err := distLoadBeneficiary(q, id)
	if err != nil {
		return err
	}
	if err := logRecordRead(q, passnum.ReadSupport, id); err != nil {
		return err
	}
	f := &form{Values: map[string][]string{}, Errors: map[string]string{}}
	if len(data.Programmes) > 0 {
		f.Values.Set("programme_id", data.Programmes[0].Value)
	}
	return q.render(http.StatusOK, "distributor/beneficiary", "Bénéficiaire", data, f)
}

func distHandOut(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	data, rows, err := distLoadBeneficiary(q, id)
	if err != nil {
		return err
	}
	f := newForm(q.r)
	programmeID := f.Get("programme_id")
	if programmeID == "" {
		f.Errors["programme_id"] = "choisissez le programme du carnet à remettre"
		return q.render(http.StatusUnprocessableEntity, "distributor/beneficiary", "Bénéficiaire", data, f)
	}
	var bk passnum.Booklet
	err = q.write(func(tx *store.Tx) error {
		if f.Get("confirm_duplicate") == "" {
			dup, err := tx.HeldElsewhere(q.ctx(), q.org(), programmeID, data.B.FirstName, data.B.LastName, data.B.BirthDate)
			if err != nil || dup {
				data.Duplicate = dup
				return err
			}
		}
		var err error
		bk, err = tx.HandOutWith(q.ctx(), q.actor(), store.HandOutRequest{BeneficiaryID: id, ProgrammeID: programmeID,
			ConfirmPossibleDuplicate: f.Get("confirm_duplicate") != ""})
		return err
	})
	if data.Duplicate && err == nil || passnum.ErrorCode(err) == passnum.EPOSSIBLEDUPLICATE {
		data.Duplicate = true
		return q.render(http.StatusUnprocessableEntity, "distributor/beneficiary", "Bénéficiaire", data, f)
	}
	if err != nil {
		if passnum.ErrorCode(err) == passnum.ENOTELIGIBLE {
			p, perr := distProgrammeByID(q, rows, programmeID)
			if perr != nil {
				return perr
			}
			data.Refusal = distRefusalOf(err, &data.B, p, distToday(q))
			return q.render(http.StatusUnprocessableEntity, "distributor/beneficiary", "Bénéficiaire", data, f)
		}
		if distFail(f, err) {
			return q.render(http.StatusUnprocessableEntity, "distributor/beneficiary", "Bénéficiaire", data, f)
		}
		return err
	}
	return q.redirect("/distributeur/carnets/"+bk.ID, "Carnet remis : imprimez-le ou recopiez ses codes.")
}

// ---- A booklet ----

type distBookletData struct {
	distBookletView
	B          passnum.Beneficiary
	Programme  passnum.Programme
	ReplacedBy string
}

// distLoadBooklet reads a booklet the agency handed out, with its young
// person; any other booklet is "not found".
func distLoadBooklet(q *request, tx *store.Tx, id string) (distBookletData, error) {
	var data distBookletData
	bk, err := tx.Booklet(q.ctx(), id)
	if err != nil {
		return data, err
	}
	if bk.DistributorID != q.org() || bk.BeneficiaryID == "" {
		return data, passnum.NotFound("carnet")
	}
	if data.B, err = tx.Beneficiary(q.ctx(), bk.BeneficiaryID, q.org()); err != nil {
		return data, err
	}
	if data.Programme, err = tx.Programme(q.ctx(), bk.ProgrammeID); err != nil {
		return data, err
	}
	data.distBookletView = distViewBooklet(bk, data.Programme.Name)
	return data, nil
}

// distRenderBooklet shows a booklet: again after a refused form (f), or
// first with its young person's name, a read of their record logged like
// the record's own page (for support).
func distRenderBooklet(q *request, id string, status int, f *form, replacedBy string) error {
	var data distBookletData
	if err := q.view(func(tx *store.Tx) error {
		var err error
		data, err = distLoadBooklet(q, tx, id)
		return err
	}); err != nil {
		return err
	}
	if f == nil && replacedBy == "" {
		if err := logRecordRead(q, passnum.ReadSupport, data.B.ID); err != nil {
			return err
		}
	}
	data.ReplacedBy = replacedBy
	return q.render(status, "distributor/booklet", "Carnet", data, f)
}

func distBookletPage(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	return distRenderBooklet(q, id, http.StatusOK, nil, "")
}

func distBlock(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	f := newForm(q.r)
	err = q.write(func(tx *store.Tx) error {
		_, err := tx.BlockBooklet(q.ctx(), q.actor(), id, q.org(), f.Get("reason"))
		return err
	})
	if err != nil {
		if passnum.ErrorCode(err) != passnum.ENOTFOUND && distFail(f, err) {
			return distRenderBooklet(q, id, http.StatusUnprocessableEntity, f, "")
		}
		return err
	}
	return q.redirect("/distributeur/carnets/"+id, "Carnet bloqué : ses pass non utilisés ne peuvent plus être encaissés. Vous pouvez maintenant le remplacer.")
}

func distReplace(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	f := newForm(q.r)
	var bk passnum.Booklet
	err = q.write(func(tx *store.Tx) error {
		var err error
		bk, err = tx.ReplaceBooklet(q.ctx(), q.actor(), id, q.org(), f.Get("reason"))
		return err
	})
	if err != nil {
		var pe *passnum.Error
		if passnum.ErrorCode(err) != passnum.ENOTFOUND && distFail(f, err) {
			by := ""
			if errors.As(err, &pe) {
				by, _ = pe.Extra["replaced_by"].(string)
			}
			return distRenderBooklet(q, id, http.StatusUnprocessableEntity, f, by)
		}
		return err
	}
	return q.redirect("/distributeur/carnets/"+bk.ID, "Carnet remplacé : l'ancien reste bloqué. Remettez ce nouveau carnet au jeune.")
}

// distNearestPlaces is how many labelled places the printed booklet lists.
const distNearestPlaces = 5

func distBookletPDF(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	var data distBookletData
	var doc document.Booklet
	if err := q.view(func(tx *store.Tx) error {
		var err error
		if data, err = distLoadBooklet(q, tx, id); err != nil {
			return err
		}
		doc, err = distBookletDocument(q, tx, data)
		return err
	}); err != nil {
		return err
	}
	if data.Status == passnum.BookletBlocked {
		return passnum.Errorf(passnum.ECONFLICT, "Ce carnet est bloqué : ses pass ne peuvent plus être encaissés. Imprimez le carnet qui le remplace.")
	}
	// The printed booklet carries the person's name: a read, downloaded.
	if err := q.write(func(tx *store.Tx) error {
		return tx.LogRead(q.ctx(), q.actor(), passnum.ReadSupport, passnum.ReadViaExport, data.B.ID)
	}); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := document.BookletPDF(&buf, doc); err != nil {
		return err
	}
	// Whose booklet and when it was printed, in the file's name only: the
	// address holds the booklet's id, never a name.
	return q.sendDownload(document.BookletFileName(data.B.FirstName, data.B.LastName, q.s.cfg.Now().In(passnum.Paris)), "application/pdf", buf.Bytes())
}

// distBookletDocument is what the printed booklet says: the programme, the
// young person's first name, the passes still worth something, the places
// nearest their commune, the agency and counsellor printing it, and the
// funders' logos.
func distBookletDocument(q *request, tx *store.Tx, data distBookletData) (document.Booklet, error) {
	places, err := distPlacesNear(q, tx, data.B.CommuneINSEE)
	if err != nil {
		return document.Booklet{}, err
	}
	agency, err := tx.Organisation(q.ctx(), q.org())
	if err != nil {
		return document.Booklet{}, err
	}
	logos, err := siteLogos(q, tx)
	if err != nil {
		return document.Booklet{}, err
	}
	doc := document.Booklet{
		ProgrammeName:  data.Programme.Name,
		AgencyName:     q.user.OrganisationName,
		FirstName:      data.B.FirstName,
		FaceValueCents: data.Programme.FaceValueCents,
		ValidUntil:     time.Date(data.ValidUntil.Year, data.ValidUntil.Month, data.ValidUntil.Day, 12, 0, 0, 0, passnum.Paris),
		Places:         places,
		IssuedOn:       q.s.cfg.Now().In(passnum.Paris),
		SpaceURL:       q.s.cfg.PublicURL + "/mon-pass",
		// What is known of the agency and of the counsellor printing it.
		Counsellor: document.Contact{Agency: agency.Name, Person: q.user.Name, Email: q.user.Email},
		Logos:      logos,
	}
	if agency.CommuneINSEE != "" {
		doc.Counsellor.Address = passnum.CommuneLabel(agency.CommuneINSEE)
	}
	if data.HandedOutAt != nil {
		doc.IssuedOn = data.HandedOutAt.In(passnum.Paris)
	}
	for _, p := range data.Passes {
		if p.Status == passnum.PassUnassigned {
			continue // voided in a replacement: worth nothing, not printed
		}
		doc.Passes = append(doc.Passes, document.Cheque{Code: passnum.FormatPassCode(p.Code), QRText: p.Code})
	}
	return doc, nil
}

// siteLogos are the funders' logos as a document prints them: a PNG is
// printed, an SVG by its name.
func siteLogos(q *request, tx *store.Tx) ([]document.Logo, error) {
	identity, err := tx.SiteIdentity(q.ctx())
	if err != nil {
		return nil, err
	}
	var logos []document.Logo
	for _, l := range identity.Logos {
		dl := document.Logo{Name: l.Name}
		if l.ContentType == passnum.LogoPNG {
			if _, dl.PNG, err = tx.LogoFile(q.ctx(), l.ID); err != nil {
				return nil, err
			}
		}
		logos = append(logos, dl)
	}
	return logos, nil
}

// distPlacesNear lists the labelled places nearest a commune, for the letter
// of the printed booklet. A commune without reference coordinates gets
// none: the letter then says to ask the counsellor.
func distPlacesNear(q *request, tx *store.Tx, communeINSEE string) ([]document.NearPlace, error) {
	c, ok := territory.LookupCommune(communeINSEE)
	if !ok || !c.HasCoordinates {
		return nil, nil
	}
	sites, err := tx.SitesNear(q.ctx(), store.NearQuery{Latitude: c.Lat, Longitude: c.Lng, RadiusKm: 50, Limit: store.MaxNearLimit})
	if err != nil {
		return nil, err
	}
	var out []document.NearPlace
	for _, s := range sites {
		if !s.AcceptsPass {
			continue
		}
		addr := s.Address
		if s.AddressComplement != "" {
			addr = strings.TrimSpace(addr + ", " + s.AddressComplement)
		}
		// The card has the phone number, which the search leaves out.
		card, err := tx.SiteCard(q.ctx(), s.SiteID)
		if err != nil {
			return nil, err
		}
		out = append(out, document.NearPlace{Name: s.Name, Address: addr, Postcode: s.Postcode, Commune: s.Commune, Phone: card.Phone,
			Hours: passnum.FrenchHours(s.OpeningHours), DistanceKm: s.DistanceKm})
		if len(out) == distNearestPlaces {
			break
		}
	}
	return out, nil
}

// distUnlockSignin lifts the lock on a young person's access to their
// passes page, once the counsellor has checked the birth date on record
// with them. Audited.
func distUnlockSignin(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	if err := q.write(func(tx *store.Tx) error { return tx.UnlockBeneficiarySignin(q.ctx(), q.actor(), id, q.org()) }); err != nil {
		return err
	}
	return q.redirect("/distributeur/beneficiaires/"+id, "L'accès à « Mon pass » est débloqué : la personne peut se connecter de nouveau avec un code de pass et sa date de naissance.")
}
