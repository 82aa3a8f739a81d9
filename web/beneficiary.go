package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"passnum"
	"passnum/document"
	"passnum/store"
)

// beneficiaryPages: a young person signs in with one of their pass codes
// and their birth date, sees their passes (with a QR code each, to show at
// the place) and the labelled places near them.
func beneficiaryPages() []*page {
	return []*page{
		{Method: "GET", Path: "/mon-pass", Access: public, Handle: beneficiarySignInPage},
		{Method: "POST", Path: "/mon-pass", Access: public, Handle: beneficiarySignIn},
		{Method: "GET", Path: "/mon-pass/espace", Access: beneficiaryOnly, Handle: beneficiaryPassesPage},
		{Method: "GET", Path: "/mon-pass/qr/{file}", Access: beneficiaryOnly, Handle: beneficiaryQR},
		{Method: "GET", Path: "/mon-pass/lieux", Access: beneficiaryOnly, Handle: beneficiaryPlacesPage},
		{Method: "POST", Path: "/mon-pass/rappels/arreter", Access: beneficiaryOnly, Handle: beneficiaryStopReminders},
		{Method: "POST", Path: "/mon-pass/rappels/accepter", Access: beneficiaryOnly, Handle: beneficiaryStartReminders},
	}
}

func beneficiarySignInPage(q *request) error {
	if q.beneficiaryID != "" {
		return q.redirect("/mon-pass/espace", "")
	}
	return q.render(http.StatusOK, "beneficiary/signin", "Accéder à mes pass", nil, nil)
}

// beneficiaryWrong is the one answer to a wrong code or birth date: it
// never says which of the two was wrong.
const beneficiaryWrong = "Code de pass ou date de naissance incorrect : vérifiez le code inscrit sur l'un de vos pass et votre date de naissance (JJ/MM/AAAA), ou demandez de l'aide à la structure qui vous a remis le carnet."

func beneficiarySignIn(q *request) error {
	f := newForm(q.r)
	// A typo in the code (its last character is a check) is said as such:
	// it tells nothing about which codes exist.
	code, codeErr := passnum.ParsePassCode(f.Get("code"))
	if codeErr != nil {
		if f.Get("code") == "" {
			f.Errors["code"] = "obligatoire : le code de 16 caractères inscrit sur l'un de vos pass, par exemple ABCD-EFGH-JKMN-PQRS"
		} else {
			var pe *passnum.Error
			if !errors.As(codeErr, &pe) {
				return codeErr
			}
			f.Errors["code"] = pe.Message
		}
	}
	birth, birthErr := parseFrenchDate("birth_date", f.Get("birth_date"))
	if birthErr != nil {
		f.Fail(birthErr)
	}
	if codeErr != nil || birthErr != nil {
		f.Message = "Vérifiez les champs signalés."
		return q.render(http.StatusUnprocessableEntity, "beneficiary/signin", "Accéder à mes pass", nil, f)
	}
	// The attempt is counted before the birth date is compared: against
	// the address, and against the young person the code belongs to (all
	// their codes together), whatever the address.
	var holder string
	if err := q.view(func(tx *store.Tx) error {
		var err error
		holder, err = tx.PassHolderKey(q.ctx(), code)
		return err
	}); err != nil {
		return err
	}
	t := target{passnum.PassHolderLimit, holder}
	if err := q.countAttempt(t); err != nil {
		return q.refused(err, "beneficiary/signin", "Accéder à mes pass", nil, f)
	}
	var b passnum.Beneficiary
	err := q.view(func(tx *store.Tx) error {
		var err error
		b, err = tx.BeneficiaryByPass(q.ctx(), code, birth)
		return err
	})
	if passnum.ErrorCode(err) == passnum.EUNAUTHENTICATED {
		f.Message = beneficiaryWrong
		return q.render(http.StatusUnauthorized, "beneficiary/signin", "Accéder à mes pass", nil, f)
	}
	if err != nil {
		return err
	}
	if err := q.startSession(store.NewWebSession{BeneficiaryID: b.ID, TTL: beneficiarySessionTTL}, t, nil); err != nil {
		return err
	}
	return q.redirect("/mon-pass/espace", "")
}

// benefPass is one pass on the "Mes pass" page.
type benefPass struct {
	store.BeneficiaryPass
	// Index is the pass's place in the list: its QR code's address.
	Index     int
	Available bool
}

// benefProgramme groups the passes of one programme.
type benefProgramme struct {
	Name       string
	ValidUntil passnum.Date
	Passes     []benefPass
}

type benefSpace struct {
	FirstName                 string
	Available, Used, Unusable int
	// LeftCents is what the available passes are worth.
	LeftCents  int64
	ValidUntil passnum.Date
	Programmes []benefProgramme
	HasPasses  bool
	// Contacted: the person agreed to be contacted (reminders go to them);
	// Minor: they were a minor at registration, and a guardian consents.
	Contacted, Minor bool
}

func (q *request) beneficiaryPasses() (passnum.Beneficiary, []store.BeneficiaryPass, error) {
	var b passnum.Beneficiary
	var passes []store.BeneficiaryPass
	err := q.view(func(tx *store.Tx) error {
		var err error
		if b, err = tx.Beneficiary(q.ctx(), q.beneficiaryID, ""); err != nil {
			return err
		}
		passes, err = tx.BeneficiaryPasses(q.ctx(), q.beneficiaryID)
		return err
	})
	return b, passes, err
}

func beneficiaryPassesPage(q *request) error {
	return beneficiaryRenderSpace(q, http.StatusOK, nil)
}

func beneficiaryRenderSpace(q *request, status int, f *form) error {
	b, passes, err := q.beneficiaryPasses()
	if err != nil {
		return err
	}
	sp := benefSpace{FirstName: b.FirstName, HasPasses: len(passes) > 0, Contacted: b.ContactConsent, Minor: b.Minor}
	for i, p := range passes {
		bp := benefPass{BeneficiaryPass: p, Index: i + 1, Available: p.Status == passnum.PassAssigned}
		switch p.Status {
		case passnum.PassAssigned:
			sp.Available++
			sp.LeftCents += p.FaceValueCents
			if sp.ValidUntil.IsZero() || p.ValidUntil.After(sp.ValidUntil) {
				sp.ValidUntil = p.ValidUntil
			}
		case passnum.PassRedeemed:
			sp.Used++
		default:
			sp.Unusable++
		}
		if n := len(sp.Programmes); n == 0 || sp.Programmes[n-1].Name != p.ProgrammeName || sp.Programmes[n-1].ValidUntil != p.ValidUntil {
			sp.Programmes = append(sp.Programmes, benefProgramme{Name: p.ProgrammeName, ValidUntil: p.ValidUntil})
		}
		last := &sp.Programmes[len(sp.Programmes)-1]
		last.Passes = append(last.Passes, bp)
	}
	if sp.ValidUntil.IsZero() && len(passes) > 0 {
		sp.ValidUntil = passes[0].ValidUntil
	}
	if f == nil {
		f = &form{Values: url.Values{}, Errors: map[string]string{}}
	}
	return q.render(status, "beneficiary/passes", "Mes pass", sp, f)
}

// beneficiaryQR draws the QR code of the signed-in person's n-th pass: the
// address names its place in the list, never its code.
func beneficiaryQR(q *request) error {
	name, ok := strings.CutSuffix(q.r.PathValue("file"), ".png")
	n, err := strconv.Atoi(name)
	if !ok || err != nil || n < 1 || strconv.Itoa(n) != name {
		return passnum.NotFound("pass")
	}
	_, passes, err := q.beneficiaryPasses()
	if err != nil {
		return err
	}
	if n > len(passes) {
		return passnum.NotFound("pass")
	}
	png, err := document.QRPNG(passes[n-1].Code, 264)
	if err != nil {
		return err
	}
	h := q.w.Header()
	h.Set("Content-Type", "image/png")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(png)))
	_, err = q.w.Write(png)
	return err
}

// beneficiaryPlacesPage lists the labelled places near the young person's
// commune, or near another commune they type.
func beneficiaryPlacesPage(q *request) error {
	var b passnum.Beneficiary
	if err := q.view(func(tx *store.Tx) error {
		var err error
		b, err = tx.Beneficiary(q.ctx(), q.beneficiaryID, "")
		return err
	}); err != nil {
		return err
	}
	return q.placeSearch(placeSearchPage{
		Title:  "Lieux près de chez moi",
		Action: "/mon-pass/lieux",
		Lead:   "Les lieux labellisés où utiliser vos pass, autour de votre commune. Vous pouvez aussi chercher autour d'une autre commune.",
		Near:   b.CommuneINSEE,
	}, q.r.URL.Query())
}

// beneficiaryStopReminders: the young person no longer wants reminders.
// Their consent to be contacted goes, with the e-mail address and mobile
// number kept for it; being contacted again goes through their counsellor
// (who checks the details and, for a minor, the guardian's consent).
func beneficiaryStopReminders(q *request) error {
	if err := q.write(func(tx *store.Tx) error { return tx.WithdrawContactConsent(q.ctx(), q.beneficiaryID) }); err != nil {
		return err
	}
	return q.redirect("/mon-pass/espace", "C'est noté : vous ne recevrez plus de rappels, ni par e-mail ni par SMS. Votre e-mail et votre mobile sont effacés de votre dossier.")
}

// beneficiaryStartReminders: a young person who was of age at registration
// agrees, on their own, to be reminded at the address or number they give.
func beneficiaryStartReminders(q *request) error {
	f := newForm(q.r)
	if f.Get("email") == "" && f.Get("phone") == "" {
		f.Errors["email"] = "indiquez votre e-mail ou votre numéro de mobile (ou les deux)"
	}
	if f.Get("contact_consent") == "" {
		f.Errors["contact_consent"] = "cochez la case pour accepter de recevoir des rappels"
	}
	if f.Failed() {
		return beneficiaryRenderSpace(q, http.StatusUnprocessableEntity, f)
	}
	err := q.write(func(tx *store.Tx) error {
		_, err := tx.GiveContactConsent(q.ctx(), q.beneficiaryID, f.Get("email"), f.Get("phone"))
		return err
	})
	if err != nil {
		if !f.Fail(err) {
			return err
		}
		return beneficiaryRenderSpace(q, http.StatusUnprocessableEntity, f)
	}
	return q.redirect("/mon-pass/espace", "C'est noté : vous recevrez des rappels sur vos pass. Vous pouvez les arrêter ici à tout moment.")
}
