package web

import (
	"net/http"

	"passnum"
	"passnum/sheet"
	"passnum/store"
)

// The agency's dormant booklets: handed out more than their programme's
// dormant days ago and never used. The counsellor calls the young person
// back and marks it ("Rappelé(e)", audited by the store). The list names
// young people and how to reach them: each reading is logged as a read of
// their records (support), by page or by download.

func distributorDormantPages() []*page {
	d := func(method, path string, h func(q *request) error) *page {
		return &page{Method: method, Path: path, Access: staffOnly, Roles: distributorRole, Handle: h}
	}
	return []*page{
		d("GET", "/distributeur/carnets-dormants", distDormantPage),
		d("GET", "/distributeur/carnets-dormants.csv", distExportDormant),
		d("POST", "/distributeur/carnets/{id}/rappele", distMarkCalled),
	}
}

// distDormantRead lists the agency's dormant booklets and logs the read of
// every young person listed, in one write: no list goes out unlogged.
func distDormantRead(q *request, via passnum.ReadVia) ([]store.DormantBooklet, error) {
	var list []store.DormantBooklet
	err := q.write(func(tx *store.Tx) error {
		var err error
		if list, err = tx.DormantBooklets(q.ctx(), q.org()); err != nil {
			return err
		}
		ids := make([]string, 0, len(list))
		for _, d := range list {
			ids = append(ids, d.BeneficiaryID)
		}
		return tx.LogRead(q.ctx(), q.actor(), passnum.ReadSupport, via, ids...)
	})
	return list, err
}

func distDormantPage(q *request) error {
	list, err := distDormantRead(q, passnum.ReadViaPage)
	if err != nil {
		return err
	}
	return q.render(http.StatusOK, "distributor/dormant", "Carnets dormants", list, nil)
}

func distMarkCalled(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	var name string
	err = q.write(func(tx *store.Tx) error {
		d, err := tx.MarkCalled(q.ctx(), q.actor(), id, q.org())
		if err != nil {
			return err
		}
		b, err := tx.Beneficiary(q.ctx(), d.BeneficiaryID, q.org())
		name = b.FirstName + " " + b.LastName
		return err
	})
	if err != nil {
		return err
	}
	return q.redirect("/distributeur/carnets-dormants", "Rappel noté pour "+name+" : la date apparaît dans la liste.")
}

func distExportDormant(q *request) error {
	list, err := distDormantRead(q, passnum.ReadViaExport)
	if err != nil {
		return err
	}
	header := []string{"Prénom", "Nom", "Carnet", "Programme", "Remis le", "Jours depuis la remise", "Contact accepté", "E-mail", "Mobile", "Rappelé(e) le", "Dernier rappel envoyé le"}
	return q.csvDownload("carnets-dormants-"+exportDay(q)+".csv", header, func(_ *store.Tx, w *sheet.CSV) error {
		for _, d := range list {
			var called, reminded passnum.Date
			if d.CalledAt != nil {
				called = dayOf(*d.CalledAt)
			}
			if d.LastReminderAt != nil {
				reminded = dayOf(*d.LastReminderAt)
			}
			// As the page says it: without an address or a number kept
			// (the young person did not agree), a cell says so rather than
			// two empty ones that read as missing data.
			contact := "oui"
			if d.Email == "" && d.Phone == "" {
				contact = "non"
			}
			if err := w.Write(sheet.Text(d.FirstName), sheet.Text(d.LastName), sheet.Text(d.BookletID), sheet.Text(d.ProgrammeName), sheet.Day(dayOf(d.HandedOutAt)),
				sheet.Int(int64(d.DaysDormant)), sheet.Text(contact), sheet.Text(d.Email), sheet.Text(passnum.FormatPhone(d.Phone)), sheet.Day(called), sheet.Day(reminded)); err != nil {
				return err
			}
		}
		return nil
	})
}
