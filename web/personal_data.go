package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"passnum"
	"passnum/document"
	"passnum/store"
)

// What is held on a young person, in French words, once: the pages, the
// readable PDF and the JSON file of the counsellor, the operator and the
// young person all draw from personalSections and personalDownload.

// personalIntro opens the readable document.
const personalIntro = "Ce document rassemble tout ce que le Pass numérique conserve sur vous : votre fiche, ses corrections, vos pass et leur utilisation, vos réservations et la liste des consultations de votre fiche par le personnel. Pour faire corriger ou effacer vos données, adressez-vous à la structure qui vous a inscrit ou à l'opérateur du programme (voir la page « Vos données personnelles » du site)."

func personalYesNo(b bool) string {
	if b {
		return "oui"
	}
	return "non"
}

// personalSections writes what is held, section by section.
func personalSections(d store.PersonalData) []document.PersonalDataSection {
	b := d.Person
	identity := document.PersonalDataSection{Title: "Identité et situation", Facts: [][2]string{
		{"Prénom", b.FirstName}, {"Nom", b.LastName}, {"Date de naissance", frDate(b.BirthDate)},
		{"Commune de résidence", passnum.CommuneLabel(b.CommuneINSEE)},
		{"En recherche d'emploi", personalYesNo(b.JobSeeker)}, {"En études", personalYesNo(b.InStudies)},
		{"Inscrit le", frDate(b.CreatedAt) + " par " + d.Distributor},
	}}
	if b.PseudonymisedAt != nil {
		identity.Facts = append(identity.Facts, [2]string{"Identité effacée le", frDate(b.PseudonymisedAt) + " (nom, prénom, jour et mois de naissance, coordonnées)"})
	}
	consent := "non"
	if b.ContactConsentAt != nil {
		consent = "oui, depuis le " + frDate(b.ContactConsentAt)
	}
	contact := document.PersonalDataSection{Title: "Coordonnées et accords", Facts: [][2]string{
		{"E-mail", personalOr(b.Email)}, {"Mobile", personalOr(passnum.FormatPhone(b.Phone))},
		{"Accord pour être contacté", consent}, {"Mineur à l'inscription", personalYesNo(b.Minor)},
	}}
	if b.Minor {
		contact.Facts = append(contact.Facts, [2]string{"Accord d'un représentant légal", personalYesNo(b.GuardianConsent)},
			[2]string{"Représentant légal", personalOr(b.GuardianName)})
	}
	passes := document.PersonalDataSection{Title: "Pass", Columns: []string{"Code", "Programme", "Valeur", "État", "Utilisé le", "Lieu", "Formation"},
		Empty: "Aucun carnet remis."}
	for _, p := range d.Passes {
		place := p.PlaceName
		if p.Commune != "" {
			place += " (" + p.Commune + ")"
		}
		passes.Rows = append(passes.Rows, []string{passnum.FormatPassCode(p.Code), p.ProgrammeName, passnum.FormatEuros(p.FaceValueCents),
			p.Status.Label(), frDate(p.RedeemedAt), place, p.Service})
	}
	bookings := document.PersonalDataSection{Title: "Réservations", Columns: []string{"Formation", "Séance", "Réservée le", "État"}, Empty: "Aucune réservation."}
	for _, bk := range d.Bookings {
		state := "réservée"
		if bk.Status == passnum.BookingCancelled {
			state = "annulée le " + frDate(bk.CancelledAt)
		}
		bookings.Rows = append(bookings.Rows, []string{bk.TrainingTitle, frDateTime(bk.StartsAt), frDate(bk.CreatedAt), state})
	}
	changes := document.PersonalDataSection{Title: "Corrections de la fiche", Columns: []string{"Date", "Champ", "Avant", "Après"}, Empty: "Aucune correction."}
	for _, c := range d.Changes {
		changes.Rows = append(changes.Rows, []string{frDateTime(c.At), distFieldFR(c.Field), distChangeFR(c.Field, c.Old), distChangeFR(c.Field, c.New)})
	}
	reads := document.PersonalDataSection{Title: "Consultations de la fiche par le personnel", Columns: []string{"Date", "Structure", "Par", "Motif", "Moyen"},
		Empty: "Aucune consultation enregistrée."}
	for _, r := range d.Reads {
		reads.Rows = append(reads.Rows, []string{frDateTime(r.At), r.OrganisationName, r.ActorName, r.Purpose.Label(), r.Via.Label()})
	}
	return []document.PersonalDataSection{identity, contact, passes, bookings, changes, reads}
}

func personalOr(s string) string {
	if s == "" {
		return "aucun"
	}
	return s
}

// personalDownload answers what is held on a person as a file: "json" or
// "pdf". Its name holds no name: donnees-personnelles-2026-12-04.pdf.
func personalDownload(q *request, d store.PersonalData, format string) error {
	var buf bytes.Buffer
	name := "donnees-personnelles-" + exportDay(q)
	if format == "json" {
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		if err := enc.Encode(d); err != nil {
			return err
		}
		return q.sendDownload(name+".json", "application/json; charset=utf-8", buf.Bytes())
	}
	person := strings.TrimSpace(d.Person.FirstName + " " + d.Person.LastName)
	if err := document.PersonalDataPDF(&buf, q.siteIdentity().Name, person, personalIntro, q.s.cfg.Now(), personalSections(d)); err != nil {
		return err
	}
	return q.sendDownload(name+".pdf", "application/pdf", buf.Bytes())
}

// staffPersonalData reads what is held on a person for a staff member
// (distributorID "" for the operator) and logs the read, in one write.
func staffPersonalData(q *request, id, distributorID string, purpose passnum.ReadPurpose, via passnum.ReadVia) (store.PersonalData, error) {
	var d store.PersonalData
	err := q.write(func(tx *store.Tx) error {
		var err error
		if d, err = tx.PersonalDataOf(q.ctx(), id, distributorID); err != nil {
			return err
		}
		return tx.LogRead(q.ctx(), q.actor(), purpose, via, id)
	})
	return d, err
}

// logRecordRead logs that the signed-in staff member read records ids.
func logRecordRead(q *request, purpose passnum.ReadPurpose, ids ...string) error {
	return q.write(func(tx *store.Tx) error { return tx.LogRead(q.ctx(), q.actor(), purpose, passnum.ReadViaPage, ids...) })
}

// logExportRead logs a read of every young person of the agency: their
// list is being downloaded.
func logExportRead(q *request) error {
	return q.write(func(tx *store.Tx) error { return tx.LogExportRead(q.ctx(), q.actor(), q.org(), passnum.ReadSupport) })
}

// downloadFormat is the format a download's address ends with.
func downloadFormat(q *request) string {
	if strings.HasSuffix(q.r.URL.Path, ".json") {
		return "json"
	}
	return "pdf"
}

// privacyView is what the privacy notice reads from the settings.
type privacyView struct {
	RetentionMonths int
	// Register is the register of processing, in the repository.
	Register string
}

func privacyPage(q *request) error {
	months := q.s.cfg.RetentionMonths
	if months == 0 {
		months = passnum.DefaultRetentionMonths
	}
	return q.render(http.StatusOK, "public/privacy", "Vos données personnelles", privacyView{RetentionMonths: months, Register: "/confidentialite/registre"}, nil)
}

// registerPage serves the register of processing as the repository holds
// it, in plain text.
func registerPage(q *request) error {
	h := q.w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	q.w.WriteHeader(http.StatusOK)
	_, err := q.w.Write([]byte(passnum.RegisterOfProcessing))
	return err
}
