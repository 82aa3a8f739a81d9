package web

import (
	"net/http"

	"passnum"
	"passnum/store"
)

// The operator and the young people's personal data: find a person in any
// agency, see everything held on them (each opening is logged as a
// "contrôle"), download it, erase their identity on request, and list who
// read their record, when and why.

func operatorDataPages() []*page {
	o := func(method, path string, h func(q *request) error) *page {
		return &page{Method: method, Path: path, Access: staffOnly, Roles: operatorRole, Handle: h}
	}
	return []*page{
		o("GET", "/operateur/jeunes", opPeopleDataPage),
		o("POST", "/operateur/jeunes", opPeopleDataSearch),
		o("GET", "/operateur/jeunes/{id}", opPersonPage),
		o("GET", "/operateur/jeunes/{id}/donnees.json", opPersonDownload),
		o("GET", "/operateur/jeunes/{id}/donnees.pdf", opPersonDownload),
		o("POST", "/operateur/jeunes/{id}/effacer", opPersonErase),
		o("GET", "/operateur/jeunes/{id}/consultations", opPersonReads),
	}
}

type opYoungPeopleView struct {
	Searched bool
	Found    []store.BeneficiarySummary
	Names    map[string]string
}

func opPeopleDataPage(q *request) error {
	return q.render(http.StatusOK, "operator/young_people", "Jeunes", opYoungPeopleView{}, &form{Values: map[string][]string{}, Errors: map[string]string{}})
}

// opPeopleDataSearch finds people by name in every agency; the names are
// POSTed, never in the address.
func opPeopleDataSearch(q *request) error {
	f := newForm(q.r)
	v := opYoungPeopleView{Searched: true, Names: map[string]string{}}
	err := q.view(func(tx *store.Tx) error {
		var err error
		if v.Found, _, err = tx.SearchBeneficiaries(q.ctx(), "", f.Get("q"), store.Page{Limit: 50}); err != nil {
			return err
		}
		for _, b := range v.Found {
			if _, ok := v.Names[b.DistributorID]; !ok {
				o, err := tx.Organisation(q.ctx(), b.DistributorID)
				if err != nil {
					return err
				}
				v.Names[o.ID] = o.Name
			}
		}
		return nil
	})
	if err != nil {
		if f.Fail(err) {
			return q.render(http.StatusUnprocessableEntity, "operator/young_people", "Jeunes", opYoungPeopleView{}, f)
		}
		return err
	}
	return q.render(http.StatusOK, "operator/young_people", "Jeunes", v, f)
}

func opPersonPage(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	d, err := staffPersonalData(q, id, "", passnum.ReadControl, passnum.ReadViaPage)
	if err != nil {
		return err
	}
	return q.render(http.StatusOK, "operator/young_person", "Données personnelles", newPersonalView(d, "/operateur/jeunes/"+id, nil), nil)
}

func opPersonDownload(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	d, err := staffPersonalData(q, id, "", passnum.ReadControl, passnum.ReadViaExport)
	if err != nil {
		return err
	}
	return personalDownload(q, d, downloadFormat(q))
}

func opPersonErase(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	return eraseOnRequest(q, id, "", "/operateur/jeunes/"+id, "operator/young_person")
}

type opReadsView struct {
	ID    string
	Reads []passnum.RecordRead
}

// opPersonReads lists the reads of a person's record; it shows no
// identity, so it is not itself a read.
func opPersonReads(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	v := opReadsView{ID: id}
	if err := q.view(func(tx *store.Tx) error {
		var err error
		v.Reads, _, err = tx.RecordReads(q.ctx(), id, "", store.Page{Limit: store.MaxPageSize})
		return err
	}); err != nil {
		return err
	}
	return q.render(http.StatusOK, "operator/record_reads", "Consultations d'une fiche", v, nil)
}
