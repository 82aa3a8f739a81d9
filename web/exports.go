package web

import (
	"net/http"
	"strings"
	"time"

	"passnum"
	"passnum/sheet"
	"passnum/store"
	"passnum/territory"
)

// Downloads where people work: each list has its CSV in the French
// spreadsheet dialect (sheet.French: UTF-8 with BOM, ";", comma decimals,
// JJ/MM/AAAA), written row by row inside one read transaction, scoped to
// the signed-in organisation. File names say what and when, never who.

// downloadPages are the downloads of the place's and the operator's lists
// (the counsellor's are with their pages, distributor_record.go).
func downloadPages() []*page {
	return []*page{
		{Method: "GET", Path: "/lieu/encaissements.csv", Access: staffOnly, Roles: placeRole, Handle: lieuExportRedemptions},
		{Method: "GET", Path: "/operateur/organisations.csv", Access: staffOnly, Roles: operatorRole, Handle: operatorExportOrganisations},
		{Method: "GET", Path: "/operateur/lieux.csv", Access: staffOnly, Roles: operatorRole, Handle: operatorExportPlaces},
	}
}

// csvDownload streams a CSV file: name is the file name, fill writes the
// rows. Once the first bytes left, an error can only cut the connection.
func (q *request) csvDownload(name string, header []string, fill func(tx *store.Tx, w *sheet.CSV) error) error {
	started := false
	err := q.view(func(tx *store.Tx) error {
		q.startDownload(sheet.Filename(name), sheet.ContentType)
		started = true
		w, err := sheet.NewCSV(q.w, sheet.French, header...)
		if err != nil {
			return err
		}
		if err := fill(tx, w); err != nil {
			return err
		}
		return w.Close()
	})
	if err != nil && started {
		q.abortDownload(err)
	}
	return err
}

// startDownload sends the headers of a file to download, never cached.
func (q *request) startDownload(filename, contentType string) {
	h := q.w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	h.Set("Cache-Control", "no-store")
	q.w.WriteHeader(http.StatusOK)
}

// sendDownload sends a file made in memory, to download, never cached
// (the server adds nosniff to every answer).
func (q *request) sendDownload(filename, contentType string, body []byte) error {
	q.startDownload(filename, contentType)
	_, err := q.w.Write(body)
	return err
}

// abortDownload ends a download that failed once its first bytes left:
// only cutting the connection tells the browser it is incomplete.
func (q *request) abortDownload(err error) {
	q.s.log.Error("download failed", "route", q.r.Pattern, "err", err)
	panic(http.ErrAbortHandler)
}

// exportDay is today's date in a file name: 2026-03-10.
func exportDay(q *request) string { return passnum.ParisDate(q.s.cfg.Now()).String() }

func yesNo(b bool) string {
	if b {
		return "oui"
	}
	return "non"
}

func dayOf(t time.Time) passnum.Date { return passnum.ParisDate(t) }

// ---- A place's redemptions, with totals per month ----

func lieuExportRedemptions(q *request) error {
	header := []string{"Date", "Heure", "Mois", "Service", "Site", "Formation", "Montant (€)", "État", "Remboursé"}
	return q.csvDownload("encaissements-"+exportDay(q)+".csv", header, func(tx *store.Tx, w *sheet.CSV) error {
		month := ""
		var count, cents, allCount, allCents int64
		total := func() error {
			if month == "" {
				return nil
			}
			return w.Write(sheet.Text(""), sheet.Text(""), sheet.Text("Total "+passnum.MonthLabel(month)), sheet.Text(plainCount(count, "encaissement", "encaissements")),
				sheet.Text(""), sheet.Text(""), sheet.Cents(cents), sheet.Text(""), sheet.Text(""))
		}
		err := tx.EachPlaceRedemption(q.ctx(), q.org(), func(r store.PlaceRedemptionRow) error {
			at := time.UnixMicro(r.RedeemedAt).In(passnum.Paris)
			m := at.Format("2006-01")
			if m != month {
				if err := total(); err != nil {
					return err
				}
				month, count, cents = m, 0, 0
			}
			state := r.Status.Label()
			if r.Status != passnum.RedemptionCancelled {
				count++
				cents += r.AmountCents
				allCount++
				allCents += r.AmountCents
			}
			return w.Write(sheet.Day(dayOf(at)), sheet.Text(at.Format("15:04")), sheet.Text(passnum.MonthLabel(m)), sheet.Text(r.Service), sheet.Text(r.SiteName),
				sheet.Text(r.TrainingTitle), sheet.Cents(r.AmountCents), sheet.Text(state), sheet.Text(yesNo(r.Settled)))
		})
		if err != nil {
			return err
		}
		if err := total(); err != nil {
			return err
		}
		return w.Write(sheet.Text(""), sheet.Text(""), sheet.Text("Total général"), sheet.Text(plainCount(allCount, "encaissement", "encaissements")),
			sheet.Text(""), sheet.Text(""), sheet.Cents(allCents), sheet.Text(""), sheet.Text(""))
	})
}

func plainCount(n int64, one, many string) string {
	// A spreadsheet cell: plain spaces rather than the page's no-break ones.
	return strings.NewReplacer("\u202f", " ", "\u00a0", " ").Replace(passnum.CountOf(n, one, many))
}

// ---- A counsellor's young people and booklets ----

func distExportBeneficiaries(q *request) error {
	header := []string{"Prénom", "Nom", "Date de naissance", "Commune", "Code INSEE", "En recherche d'emploi", "En études", "Inscrit le", "Pass remis", "Pass utilisés"}
	if err := logExportRead(q); err != nil {
		return err
	}
	return q.csvDownload("jeunes-"+exportDay(q)+".csv", header, func(tx *store.Tx, w *sheet.CSV) error {
		return tx.EachBeneficiary(q.ctx(), q.org(), func(b store.BeneficiarySummary) error {
			return w.Write(sheet.Text(b.FirstName), sheet.Text(b.LastName), sheet.Day(b.BirthDate), sheet.Text(communeName(b.CommuneINSEE)), sheet.Text(b.CommuneINSEE),
				sheet.Text(yesNo(b.JobSeeker)), sheet.Text(yesNo(b.InStudies)), sheet.Day(dayOf(b.CreatedAt)), sheet.Int(int64(b.PassesTotal)), sheet.Int(int64(b.PassesUsed)))
		})
	})
}

func distExportBooklets(q *request) error {
	header := []string{"Carnet", "Programme", "Prénom", "Nom", "État", "Remis le", "Valable jusqu'au", "Pass", "Pass utilisés", "Pass disponibles"}
	if err := logExportRead(q); err != nil {
		return err
	}
	return q.csvDownload("carnets-"+exportDay(q)+".csv", header, func(tx *store.Tx, w *sheet.CSV) error {
		return tx.EachAgencyBooklet(q.ctx(), q.org(), func(r store.AgencyBookletRow) error {
			var handed passnum.Date
			if r.HandedOutAt.Valid {
				handed = dayOf(time.UnixMicro(r.HandedOutAt.Int64))
			}
			return w.Write(sheet.Text(r.ID), sheet.Text(r.ProgrammeName), sheet.Text(r.FirstName), sheet.Text(r.LastName), sheet.Text(r.Status.Label()),
				sheet.Day(handed), sheet.Day(r.ValidUntil), sheet.Int(r.Total), sheet.Int(r.Used), sheet.Int(r.Left))
		})
	})
}

// ---- The operator's organisations and places ----

func operatorExportOrganisations(q *request) error {
	header := []string{"Nom", "Type", "SIRET", "Commune", "Code INSEE", "Statut", "Créée le", "Identifiant"}
	return q.csvDownload("organisations-"+exportDay(q)+".csv", header, func(tx *store.Tx, w *sheet.CSV) error {
		return tx.EachOrganisation(q.ctx(), func(o passnum.Organisation) error {
			return w.Write(sheet.Text(o.Name), sheet.Text(o.Kind.Label()), sheet.Text(o.SIRET), sheet.Text(communeName(o.CommuneINSEE)), sheet.Text(o.CommuneINSEE),
				sheet.Text(o.Status.Label()), sheet.Day(dayOf(o.CreatedAt)), sheet.Text(o.ID))
		})
	})
}

func operatorExportPlaces(q *request) error {
	header := []string{"Lieu", "SIRET", "Statut du label", "Courriel de contact", "Site", "Adresse", "Code postal", "Commune", "Téléphone", "Identifiant du lieu"}
	return q.csvDownload("lieux-"+exportDay(q)+".csv", header, func(tx *store.Tx, w *sheet.CSV) error {
		return tx.EachPlaceSite(q.ctx(), func(r store.PlaceSiteRow) error {
			o := r.Organisation
			return w.Write(sheet.Text(o.Name), sheet.Text(o.SIRET), sheet.Text(o.Status.Label()), sheet.Text(r.ContactEmail), sheet.Text(r.SiteName),
				sheet.Text(r.Address), sheet.Text(r.Postcode), sheet.Text(r.CommuneName), sheet.Text(r.Phone), sheet.Text(o.ID))
		})
	})
}

// communeName is a commune's name, or nothing for an unknown code.
func communeName(code string) string {
	if code == "" {
		return ""
	}
	if c, ok := territory.LookupCommune(code); ok {
		return c.Name
	}
	return ""
}
