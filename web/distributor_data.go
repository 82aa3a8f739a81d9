package web

import (
	"net/http"

	"passnum"
	"passnum/document"
	"passnum/store"
)

// A young person's personal data in the counsellor's pages: contact
// details with consent, the rights of access and erasure, and the log of
// reads of their record.

// distContactFrom reads the contact fields of a registration or a
// correction form.
func distContactFrom(f *form, b *passnum.Beneficiary) {
	b.Email, b.Phone = f.Get("email"), f.Get("phone")
	b.ContactConsent, b.GuardianConsent = f.Get("contact_consent") != "", f.Get("guardian_consent") != ""
	b.GuardianName = f.Get("guardian_name")
}

// distContactValues fills the contact fields with a record's.
func distContactValues(f *form, b passnum.Beneficiary) {
	f.Values.Set("email", b.Email)
	f.Values.Set("phone", passnum.FormatPhone(b.Phone))
	f.Values.Set("guardian_name", b.GuardianName)
	if b.ContactConsent {
		f.Values.Set("contact_consent", "1")
	}
	if b.GuardianConsent {
		f.Values.Set("guardian_consent", "1")
	}
}

func distributorDataPages() []*page {
	d := func(method, path string, h func(q *request) error) *page {
		return &page{Method: method, Path: path, Access: staffOnly, Roles: distributorRole, Handle: h}
	}
	return []*page{
		d("GET", "/distributeur/beneficiaires/{id}/donnees", distDataPage),
		d("GET", "/distributeur/beneficiaires/{id}/donnees.json", distDataDownload),
		d("GET", "/distributeur/beneficiaires/{id}/donnees.pdf", distDataDownload),
		d("POST", "/distributeur/beneficiaires/{id}/effacer", distErase),
	}
}

// personalView is a page of what is held on a person, with the erase form.
type personalView struct {
	B        passnum.Beneficiary
	Sections []document.PersonalDataSection
	// Base is the address of the downloads, without their .pdf or .json;
	// Back the person's page, where the downloads and the erasure live.
	Base, Back string
	Erase      eraseBox
}

// eraseBox is the erase form of a page.
type eraseBox struct {
	Action string
	Form   *form
}

// newPersonalView is the page of what is held on a person whose page is
// home: the downloads are home/donnees.pdf and .json, the erasure
// home/effacer.
func newPersonalView(d store.PersonalData, home string, f *form) personalView {
	if f == nil {
		f = &form{Values: map[string][]string{}, Errors: map[string]string{}}
	}
	return personalView{B: d.Person, Sections: personalSections(d), Base: home + "/donnees", Back: home, Erase: eraseBox{Action: home + "/effacer", Form: f}}
}

func distDataPage(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	d, err := staffPersonalData(q, id, q.org(), passnum.ReadRequest, passnum.ReadViaPage)
	if err != nil {
		return err
	}
	return q.render(http.StatusOK, "distributor/data", "Données personnelles", newPersonalView(d, "/distributeur/beneficiaires/"+id, nil), nil)
}

func distDataDownload(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	d, err := staffPersonalData(q, id, q.org(), passnum.ReadRequest, passnum.ReadViaExport)
	if err != nil {
		return err
	}
	return personalDownload(q, d, downloadFormat(q))
}

func distErase(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	return eraseOnRequest(q, id, q.org(), "/distributeur/beneficiaires/"+id, "distributor/data")
}

// eraseOnRequest erases a person's identity from the erase form of a page
// (the counsellor's, distributorID set, or the operator's): a reason and
// the confirmation box are required; a refusal shows the page again.
func eraseOnRequest(q *request, id, distributorID, home, tmpl string) error {
	f := newForm(q.r)
	var err error
	if f.Get("confirm") == "" {
		f.Errors["confirm"] = "cochez la case pour confirmer : l'effacement est définitif"
	} else {
		err = q.write(func(tx *store.Tx) error {
			_, err := tx.EraseBeneficiary(q.ctx(), q.actor(), id, distributorID, f.Get("reason"))
			return err
		})
		if err == nil {
			return q.redirect(home, "Identité effacée : nom, prénom, date de naissance et coordonnées ne sont plus conservés. Les carnets, pass et encaissements restent.")
		}
		if passnum.ErrorCode(err) == passnum.ENOTFOUND {
			return err
		}
		f.Fail(err)
	}
	var d store.PersonalData
	if verr := q.view(func(tx *store.Tx) error {
		var err error
		d, err = tx.PersonalDataOf(q.ctx(), id, distributorID)
		return err
	}); verr != nil {
		return verr
	}
	status := http.StatusUnprocessableEntity
	if passnum.ErrorCode(err) == passnum.EERASED {
		status = http.StatusConflict
	}
	return q.render(status, tmpl, "Données personnelles", newPersonalView(d, home, f), f)
}
