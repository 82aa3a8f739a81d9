package web

import (
	"errors"
	"net/http"
	"time"

	"passnum"
	"passnum/store"
	"passnum/territory"
)

// The counsellor's work on one young person beyond the hand-out: correcting
// their record, and booking them a seat in a session of a labelled place
// near them (or cancelling it). Every query is scoped to the counsellor's
// agency.

func distributorRecordPages() []*page {
	d := func(method, path string, h func(q *request) error) *page {
		return &page{Method: method, Path: path, Access: staffOnly, Roles: distributorRole, Handle: h}
	}
	return []*page{
		d("GET", "/distributeur/beneficiaires/{id}/fiche", distRecordPage),
		d("POST", "/distributeur/beneficiaires/{id}/fiche", distCorrectRecord),
		d("GET", "/distributeur/beneficiaires/{id}/seances", distSessionsPage),
		d("POST", "/distributeur/beneficiaires/{id}/seances", distBook),
		d("POST", "/distributeur/beneficiaires/{id}/reservations/{booking}/annuler", distCancelBooking),
		d("GET", "/distributeur/beneficiaires.csv", distExportBeneficiaries),
		d("GET", "/distributeur/carnets.csv", distExportBooklets),
	}
}

// ---- Correcting a record ----

type distRecordView struct {
	B       passnum.Beneficiary
	Changes []store.BeneficiaryChange
	// Existing is the other record of the agency the correction would make
	// the same person as.
	Existing string
}

// distFields names the fields of a record in French.
var distFields = map[string]string{
	"first_name": "Prénom", "last_name": "Nom", "birth_date": "Date de naissance", "commune_insee": "Commune de résidence",
	"job_seeker": "En recherche d'emploi", "in_studies": "En études",
	"email": "E-mail", "phone": "Mobile", "contact_consent": "Accord pour être contacté", "guardian_consent": "Accord d'un représentant légal",
	"guardian_name": "Représentant légal",
}

func distFieldFR(name string) string {
	if s, ok := distFields[name]; ok {
		return s
	}
	return name
}

// distChangeFR writes a recorded value as the counsellor typed it.
func distChangeFR(field, value string) string {
	switch field {
	case "birth_date":
		if d, err := passnum.ParseDate(value); err == nil {
			return frDate(d)
		}
	case "commune_insee":
		return passnum.CommuneLabel(value)
	case "phone":
		return passnum.FormatPhone(value)
	case "job_seeker", "in_studies", "contact_consent", "guardian_consent":
		if value == "true" {
			return "oui"
		}
		return "non"
	}
	return value
}

func distLoadRecord(q *request, id string) (distRecordView, error) {
	var v distRecordView
	err := q.view(func(tx *store.Tx) error {
		var err error
		if v.B, err = tx.Beneficiary(q.ctx(), id, q.org()); err != nil {
			return err
		}
		v.Changes, err = tx.BeneficiaryChanges(q.ctx(), id)
		return err
	})
	return v, err
}

func distRecordPage(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	v, err := distLoadRecord(q, id)
	if err != nil {
		return err
	}
	if err := logRecordRead(q, passnum.ReadCorrection, id); err != nil {
		return err
	}
	f := &form{Values: map[string][]string{
		"first_name": {v.B.FirstName}, "last_name": {v.B.LastName}, "birth_date": {frDate(v.B.BirthDate)}, "commune_insee": {v.B.CommuneINSEE},
	}, Errors: map[string]string{}}
	if v.B.JobSeeker {
		f.Values.Set("job_seeker", "1")
	}
	if v.B.InStudies {
		f.Values.Set("in_studies", "1")
	}
	distContactValues(f, v.B)
	return q.render(http.StatusOK, "distributor/record", "Corriger la fiche", v, f)
}

func distCorrectRecord(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	v, err := distLoadRecord(q, id)
	if err != nil {
		return err
	}
	f := newForm(q.r)
	birth, err := parseFrenchDate("birth_date", f.Get("birth_date"))
	if err != nil {
		f.Fail(err)
	}
	commune, err := resolveCommune("commune_insee", f.Get("commune_insee"))
	if err != nil {
		f.Fail(err)
	}
	b := v.B
	b.FirstName, b.LastName, b.BirthDate, b.CommuneINSEE = f.Get("first_name"), f.Get("last_name"), birth, commune
	b.JobSeeker, b.InStudies = f.Get("job_seeker") != "", f.Get("in_studies") != ""
	distContactFrom(f, &b)
	if err := b.Validate(distToday(q)); err != nil {
		f.Fail(err)
	}
	if f.Failed() {
		f.Message = ""
		return q.render(http.StatusUnprocessableEntity, "distributor/record", "Corriger la fiche", v, f)
	}
	err = q.write(func(tx *store.Tx) error {
		_, err := tx.CorrectBeneficiary(q.ctx(), q.actor(), id, b, f.Get("reason"))
		return err
	})
	if passnum.ErrorCode(err) == passnum.EDUPLICATEPERSON {
		v.Existing = distExistingRecord(err)
		return q.render(http.StatusConflict, "distributor/record", "Corriger la fiche", v, f)
	}
	if err != nil {
		if passnum.ErrorCode(err) != passnum.ENOTFOUND && distFail(f, err) {
			return q.render(http.StatusUnprocessableEntity, "distributor/record", "Corriger la fiche", v, f)
		}
		return err
	}
	return q.redirect("/distributeur/beneficiaires/"+id, "Fiche corrigée : les anciennes valeurs sont conservées dans son historique.")
}

// distExistingRecord is the id of the record a duplicate_person refusal
// names, "" when it names none.
func distExistingRecord(err error) string {
	var pe *passnum.Error
	if !errors.As(err, &pe) {
		return ""
	}
	id, _ := pe.Extra["beneficiary_id"].(string)
	return id
}

// ---- Booking a seat ----

// distSessionWeeks is how far ahead the sessions offered are.
const distSessionWeeks = 8

type distSessionsView struct {
	B      passnum.Beneficiary
	Places []store.NearSite
	// NoPosition is true when the young person's commune has no reference
	// coordinates: no place can be said near.
	NoPosition bool
}

func distSessionsPage(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	return distRenderSessions(q, id, http.StatusOK, nil)
}

func distRenderSessions(q *request, id string, status int, f *form) error {
	var v distSessionsView
	if err := q.view(func(tx *store.Tx) error {
		var err error
		if v.B, err = tx.Beneficiary(q.ctx(), id, q.org()); err != nil {
			return err
		}
		c, ok := territory.LookupCommune(v.B.CommuneINSEE)
		if !ok || !c.HasCoordinates {
			v.NoPosition = true
			return nil
		}
		sites, err := tx.SitesNear(q.ctx(), store.NearQuery{Latitude: c.Lat, Longitude: c.Lng, RadiusKm: 50, WithinWeeks: distSessionWeeks, Limit: 10})
		for _, s := range sites {
			if s.AcceptsPass && len(s.NextSessions) > 0 {
				v.Places = append(v.Places, s)
			}
		}
		return err
	}); err != nil {
		return err
	}
	return q.render(status, "distributor/sessions", "Réserver une séance", v, f)
}

func distBook(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	f := newForm(q.r)
	sessionID := f.Get("session_id")
	if !passnum.ValidID(sessionID) {
		f.Message = "Choisissez une séance dans la liste."
		return distRenderSessions(q, id, http.StatusUnprocessableEntity, f)
	}
	var bk passnum.Booking
	err = q.write(func(tx *store.Tx) error {
		var err error
		bk, err = tx.Book(q.ctx(), q.actor(), sessionID, id)
		return err
	})
	if err != nil {
		// A full, closed or already booked session is told on the list;
		// an unknown young person or session is a page not found.
		if passnum.ErrorCode(err) != passnum.ENOTFOUND && distFail(f, err) {
			return distRenderSessions(q, id, http.StatusConflict, f)
		}
		return err
	}
	return q.redirect("/distributeur/beneficiaires/"+id, "Place réservée : « "+bk.TrainingTitle+" » le "+frDateTime(bk.StartsAt)+". Prévenez le jeune.")
}

func distCancelBooking(q *request) error {
	ids, err := q.ids("id", "booking")
	if err != nil {
		return err
	}
	id, bookingID := ids[0], ids[1]
	var bk passnum.Booking
	err = q.write(func(tx *store.Tx) error {
		var err error
		if bk, err = tx.Booking(q.ctx(), bookingID, q.org()); err != nil {
			return err
		}
		if bk.BeneficiaryID != id {
			return passnum.NotFound("réservation")
		}
		bk, err = tx.CancelBooking(q.ctx(), q.actor(), bookingID, "Annulée par le conseiller")
		return err
	})
	if err != nil {
		return err
	}
	return q.redirect("/distributeur/beneficiaires/"+id, "Réservation annulée : la place est rendue au lieu.")
}

// distUpcoming keeps the bookings still to come, active.
func distUpcoming(list []passnum.Booking, now time.Time) []passnum.Booking {
	var out []passnum.Booking
	for _, b := range list {
		if b.Status == passnum.BookingBooked && b.StartsAt.After(now) {
			out = append(out, b)
		}
	}
	return out
}
