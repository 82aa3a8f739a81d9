package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"passnum"
	"passnum/store"
)

// The place's pages: a trainer in a labelled place checks a pass, checks
// the young person's identity and encashes it; follows the place's
// redemptions, its catalogue of trainings and sessions, its staff and its
// label.

// placeFuncs are the template functions of the labelled place's pages.
var placeFuncs = template.FuncMap{
	"lieuMask":   passnum.MaskPassCode,
	"lieuClock":  func(t time.Time) string { return t.In(passnum.Paris).Format("15h04") },
	"lieuBank":   passnum.BankStatus.Label,
	"lieuStatus": passnum.OrgStatus.Label,
}

// placePages: encashing passes, the redemption history, the catalogue,
// the staff and the label.
func placePages() []*page {
	p := func(method, path string, h func(q *request) error) *page {
		return &page{Method: method, Path: path, Access: staffOnly, Roles: placeRole, Handle: h}
	}
	return append([]*page{
		p("GET", "/lieu", lieuRedeemPage),
		urgent(p("POST", "/lieu/verifier", lieuCheck)),
		urgent(p("POST", "/lieu/encaisser", lieuRedeem)),
		p("GET", "/lieu/encaissements", lieuHistoryPage),
		p("POST", "/lieu/encaissements/{id}/annuler", lieuCancelRedemption),
		p("GET", "/lieu/formations", lieuTrainingsPage),
		p("POST", "/lieu/formations", lieuCreateTraining),
		p("POST", "/lieu/formations/{id}/desactiver", lieuDeactivateTraining),
		p("POST", "/lieu/formations/{id}/sessions", lieuCreateSession),
		p("GET", "/lieu/sessions/{id}", lieuSessionPage),
		p("POST", "/lieu/sessions/{id}/annuler", lieuCancelSession),
		p("GET", "/lieu/equipe", lieuTeamPage),
		p("POST", "/lieu/equipe", lieuInvite),
		p("POST", "/lieu/equipe/{id}/inviter", lieuReinvite),
		p("POST", "/lieu/equipe/{id}/desactiver", lieuSetDisabled(true)),
		p("POST", "/lieu/equipe/{id}/reactiver", lieuSetDisabled(false)),
		p("GET", "/lieu/label", lieuLabelPage),
	}, placeProfilePages()...)
}

// lieuStatusOf is the HTTP status of a domain error shown inside a page.
func lieuStatusOf(err error) int {
	switch passnum.ErrorCode(err) {
	case passnum.ENOTFOUND:
		return http.StatusNotFound
	case passnum.ECONFLICT, passnum.EALREADYREDEEMED, passnum.EALREADYCANCELLED, passnum.EALREADYREIMBURSED:
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

// lieuIsDomain reports whether err is a domain error, the user's to read.
func lieuIsDomain(err error) bool {
	var pe *passnum.Error
	return errors.As(err, &pe)
}

// --- Encashing a pass ----------------------------------------------------

// lieuRedeemView is the "Encaisser un pass" page.
type lieuRedeemView struct {
	Labelled bool
	Status   passnum.OrgStatus
}

func lieuRedeemPage(q *request) error {
	return lieuRedeemForm(q, http.StatusOK, nil)
}

// lieuRedeemForm draws the check form, with what was typed and what is
// wrong; a place that is not labelled sees a notice instead.
func lieuRedeemForm(q *request, status int, f *form) error {
	var o passnum.Organisation
	if err := q.view(func(tx *store.Tx) error {
		var err error
		o, err = tx.Organisation(q.ctx(), q.org())
		return err
	}); err != nil {
		return err
	}
	return q.render(status, "place/redeem", "Encaisser un pass", lieuRedeemView{Labelled: o.Status == passnum.OrgLabelled, Status: o.Status}, f)
}

// lieuConfirmView is the confirmation page: who holds the pass, and the
// choices the redemption records.
type lieuConfirmView struct {
	Pass         passnum.Pass
	Code         string
	ServiceField field
	SessionField *field
	SiteField    *field
}

// lieuRedeemFailed shows the check form again with why the pass was
// refused; errors that are not the user's are returned.
func lieuRedeemFailed(q *request, f *form, err error) error {
	var pe *passnum.Error
	if !errors.As(err, &pe) {
		return err
	}
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	status := http.StatusUnprocessableEntity
	switch pe.Code {
	case passnum.EINVALIDCODE:
		f.Errors["code"] = pe.Message
		f.Message = "Le code saisi n'est pas un code de pass valable : corrigez-le."
	case passnum.ENOTFOUND:
		f.Errors["code"] = "Aucun pass ne correspond à ce code : vérifiez-le avec le bénéficiaire."
		f.Message = "Aucun pass ne correspond à ce code."
	case passnum.EALREADYREDEEMED:
		status = http.StatusConflict
		f.Message = pe.Message
	default:
		f.Message = pe.Message
	}
	return lieuRedeemForm(q, status, f)
}

// lieuCheck reads a pass typed or scanned, and shows who holds it before
// it is encashed. With ?fragment=1 (htmx, while typing) it only answers
// whether the code is well formed.
func lieuCheck(q *request) error {
	f := newForm(q.r)
	raw := f.Values.Get("code")
	if q.r.URL.Query().Get("fragment") == "1" {
		return lieuCodeFeedback(q, raw)
	}
	code, err := passnum.ParsePassCode(raw)
	if err != nil {
		return lieuRedeemFailed(q, f, err)
	}
	f.Values.Set("code", passnum.FormatPassCode(code))
	var v lieuConfirmView
	var refusal error
	err = q.view(func(tx *store.Tx) error {
		if err := tx.PlaceLabelled(q.ctx(), q.org()); err != nil {
			return err
		}
		p, err := tx.Pass(q.ctx(), code)
		if err != nil {
			return err
		}
		if refusal = passnum.RedeemRefusal(p); refusal != nil {
			return nil
		}
		v, err = lieuConfirm(q, tx, p, &form{Values: url.Values{"code": {code}}, Errors: map[string]string{}})
		return err
	})
	if err != nil {
		return lieuRedeemFailed(q, f, err)
	}
	if refusal != nil {
		// The check itself succeeded: its answer is that this pass
		// cannot be encashed, and why.
		f.Message = passnum.ErrorMessage(refusal)
		return lieuRedeemForm(q, http.StatusOK, f)
	}
	return q.render(http.StatusOK, "place/confirm", "Confirmer l'encaissement", v, v.ServiceField.Form)
}

// lieuConfirm gathers what the confirmation form offers: the services
// (the place's own first), its sessions around today, its sites.
func lieuConfirm(q *request, tx *store.Tx, p passnum.Pass, f *form) (lieuConfirmView, error) {
	v := lieuConfirmView{Pass: p, Code: p.Code}
	sites, err := tx.PlaceSites(q.ctx(), q.org())
	if err != nil {
		return v, err
	}
	var own []string
	for _, s := range sites {
		for _, sv := range s.Services {
			if passnum.ValidService(sv) && !slices.Contains(own, sv) {
				own = append(own, sv)
			}
		}
	}
	services := []option{{"", "Choisissez le service délivré"}}
	for _, sv := range own {
		services = append(services, option{sv, sv})
	}
	for _, sv := range passnum.NationalServices {
		if !slices.Contains(own, sv) {
			services = append(services, option{sv, sv})
		}
	}
	v.ServiceField = field{Form: f, Name: "service", Label: "Service délivré", Type: "select", ID: "f-service", Required: true, Options: services,
		Hint: "Le service du référentiel national que vous avez délivré. Avec une session, laissez celui de la formation.", Extra: map[string]string{}}
	trainings, _, err := tx.ListTrainings(q.ctx(), q.org(), false, store.Page{Limit: store.MaxPageSize})
	if err != nil {
		return v, err
	}
	now := tx.Now()
	sessions := []option{{"", "Aucune session : service délivré hors session"}}
	for _, t := range trainings {
		list, _, err := tx.ListSessions(q.ctx(), t.ID, store.SessionWindow{From: now.Add(-7 * 24 * time.Hour), To: now.Add(30 * 24 * time.Hour)}, store.Page{Limit: 20})
		if err != nil {
			return v, err
		}
		for _, s := range list {
			label := fmt.Sprintf("%s — %s à %s, %s", t.Title, frDate(s.StartsAt), s.StartsAt.In(passnum.Paris).Format("15h04"), s.SiteName)
			if t.PassesCost > 1 {
				label += " (" + passnum.CountOf(t.PassesCost, "pass", "pass") + ")"
			}
			sessions = append(sessions, option{s.ID, label})
		}
	}
	if len(sessions) > 1 {
		v.SessionField = &field{Form: f, Name: "session_id", Label: "Session de formation (facultatif)", Type: "select", ID: "f-session_id", Options: sessions,
			Hint: "Une formation qui demande plusieurs pass encaisse en une fois les autres pass du bénéficiaire.", Extra: map[string]string{}}
	}
	if len(sites) > 1 {
		opts := []option{{"", "Choisissez le site"}}
		for _, s := range sites {
			opts = append(opts, option{s.ID, s.Name + " (" + s.CommuneName + ")"})
		}
		v.SiteField = &field{Form: f, Name: "site_id", Label: "Site où la formation a eu lieu", Type: "select", ID: "f-site_id", Options: opts,
			Hint: "Avec une session, laissez vide : c'est le site de la session.", Extra: map[string]string{}}
	}
	return v, nil
}

// lieuRedeem encashes the pass confirmed on the previous page.
func lieuRedeem(q *request) error {
	f := newForm(q.r)
	code, err := passnum.ParsePassCode(f.Values.Get("code"))
	if err != nil {
		return lieuRedeemFailed(q, f, err)
	}
	req, err := lieuRedeemRequest(f, code)
	var out store.Redeemed
	if err == nil {
		// A place with one site need not name it: the store records
		// it, as for the API (redeem_decide.go).
		err = q.write(func(tx *store.Tx) error {
			var err error
			out, err = tx.RedeemTraining(q.ctx(), q.actor(), req)
			return err
		})
	}
	if err != nil {
		return lieuRedeemRefused(q, f, code, err)
	}
	var total int64
	for _, r := range out.Redemptions {
		total += r.AmountCents
	}
	q.s.cfg.Events.Redeemed(len(out.Redemptions), total)
	msg := "Pass encaissé : " + euros(total) + " seront remboursés à votre structure."
	if n := len(out.Redemptions); n > 1 {
		msg = passnum.CountOf(n, "pass encaissé", "pass encaissés") + " pour cette formation : " + euros(total) + " seront remboursés à votre structure."
	}
	return q.redirect("/lieu", msg)
}

// lieuRedeemRequest reads the confirmation form: a service (or a
// session), and a site and a session that can be ids.
func lieuRedeemRequest(f *form, code string) (store.RedeemRequest, error) {
	req := store.RedeemRequest{Code: code, Service: f.Get("service"), SiteID: f.Get("site_id"), SessionID: f.Get("session_id")}
	var fe passnum.FieldErrors
	if req.Service == "" && req.SessionID == "" {
		fe.Add("service", "choisissez le service que vous avez délivré")
	}
	if req.SiteID != "" && !passnum.ValidID(req.SiteID) {
		fe.Add("site_id", "site inconnu : choisissez un de vos sites")
	}
	if req.SessionID != "" && !passnum.ValidID(req.SessionID) {
		fe.Add("session_id", "session inconnue : choisissez une de vos sessions")
	}
	return req, fe.Err()
}

// lieuRedeemRefused answers a redemption refused: something to fix is
// shown on the confirmation page again; a pass already redeemed says when
// and where, as the check does.
func lieuRedeemRefused(q *request, f *form, code string, err error) error {
	switch passnum.ErrorCode(err) {
	case passnum.EINVALID:
		f.Values.Set("code", code)
		var v lieuConfirmView
		verr := q.view(func(tx *store.Tx) error {
			p, err := tx.Pass(q.ctx(), code)
			if err != nil {
				return err
			}
			if err := passnum.RedeemRefusal(p); err != nil {
				return err
			}
			v, err = lieuConfirm(q, tx, p, f)
			return err
		})
		if verr != nil {
			return lieuRedeemFailed(q, f, verr)
		}
		f.Fail(err)
		return q.render(http.StatusUnprocessableEntity, "place/confirm", "Confirmer l'encaissement", v, f)
	case passnum.EALREADYREDEEMED:
		var p passnum.Pass
		if verr := q.view(func(tx *store.Tx) error {
			var err error
			p, err = tx.Pass(q.ctx(), code)
			return err
		}); verr == nil {
			if why := passnum.RedeemRefusal(p); why != nil && p.LastRedemption != nil {
				err = why
			}
		}
	}
	f.Values.Set("code", passnum.FormatPassCode(code))
	return lieuRedeemFailed(q, f, err)
}

// lieuCodeFeedback answers, while the code is typed, whether it is well
// formed: nothing until 16 characters unless one cannot be in a code.
func lieuCodeFeedback(q *request, raw string) error {
	type feedback struct{ OK, Message string }
	var fb feedback
	n := 0
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case ' ', '-', '\t', '.', '_':
		default:
			n++
		}
	}
	switch {
	case n == 0:
	case n < 16:
		// Pad with zeros: only a foreign character can fail other than
		// by the check symbol.
		if _, err := passnum.ParsePassCode(raw + strings.Repeat("0", 16-n)); err != nil && passnum.ErrorMessage(err) != lieuChecksumMessage {
			fb.Message = passnum.ErrorMessage(err)
		}
	default:
		if _, err := passnum.ParsePassCode(raw); err != nil {
			fb.Message = passnum.ErrorMessage(err)
		} else {
			fb.OK = "Code complet et sans faute de frappe : vous pouvez vérifier le pass."
		}
	}
	t, ok := q.s.tmpl.pages["place/redeem"]
	if !ok {
		return fmt.Errorf("web: no template place/redeem")
	}
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "code-feedback", fb); err != nil {
		return err
	}
	q.w.Header().Set("Content-Type", "text/html; charset=utf-8")
	q.w.Header().Set("Cache-Control", "no-store")
	_, err := q.w.Write([]byte(b.String()))
	return err
}

// lieuChecksumMessage is what a code with a wrong check symbol answers.
var lieuChecksumMessage = func() string {
	_, err := passnum.ParsePassCode("0000000000000001")
	return passnum.ErrorMessage(err)
}()

// --- Redemption history --------------------------------------------------

type lieuHistoryView struct {
	Rows  []lieuHistoryRow
	Next  string
	First bool
}

type lieuHistoryRow struct {
	passnum.Redemption
	Cancellable bool
	Deadline    time.Time
	Error       string
}

func lieuHistoryPage(q *request) error {
	return lieuHistory(q, http.StatusOK, nil, "")
}

// lieuHistory draws the history; failedID names the redemption whose
// cancellation was refused, with f holding why.
func lieuHistory(q *request, status int, f *form, failedID string) error {
	cursor := q.r.URL.Query().Get("apres")
	pg, err := store.NewPage(0, cursor)
	if err != nil {
		pg, cursor = store.Page{}, ""
	}
	v := lieuHistoryView{First: cursor == ""}
	now := q.s.cfg.Now()
	if err := q.view(func(tx *store.Tx) error {
		list, next, err := tx.ListRedemptions(q.ctx(), q.org(), pg)
		if err != nil {
			return err
		}
		v.Next = next
		windows := map[string]int{}
		for _, r := range list {
			row := lieuHistoryRow{Redemption: r}
			if r.Status == passnum.RedemptionActive {
				h, ok := windows[r.ProgrammeID]
				if !ok {
					p, err := tx.Programme(q.ctx(), r.ProgrammeID)
					if err != nil {
						return err
					}
					h = p.CancelWindowHours
					windows[r.ProgrammeID] = h
				}
				row.Deadline = r.RedeemedAt.Add(time.Duration(h) * time.Hour)
				row.Cancellable = now.Before(row.Deadline)
			}
			if r.ID == failedID && f != nil {
				row.Error = f.Message
				if e := f.Errors["reason"]; e != "" {
					row.Error = e
				}
			}
			v.Rows = append(v.Rows, row)
		}
		return nil
	}); err != nil {
		return err
	}
	return q.render(status, "place/history", "Encaissements", v, f)
}

func lieuCancelRedemption(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	f := newForm(q.r)
	err = q.write(func(tx *store.Tx) error {
		// Another place's redemption is not found, whatever the form says.
		if _, err := tx.Redemption(q.ctx(), id, q.org()); err != nil {
			return err
		}
		_, err := tx.CancelRedemption(q.ctx(), q.actor(), id, f.Get("reason"))
		return err
	})
	if err == nil {
		return q.redirect("/lieu/encaissements", "Encaissement annulé : le pass peut de nouveau être utilisé, et il ne vous sera pas remboursé.")
	}
	if !lieuIsDomain(err) || passnum.ErrorCode(err) == passnum.ENOTFOUND {
		return err
	}
	f.Fail(err)
	if f.Errors["reason"] != "" {
		f.Message = "Indiquez le motif de l'annulation."
	}
	return lieuHistory(q, lieuStatusOf(err), f, id)
}
