package web

import (
	"context"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"passnum"
	"passnum/remote"
	"passnum/store"
)

// request is one page request as a handler sees it.
type request struct {
	s *Server
	w http.ResponseWriter
	r *http.Request
	// Who is signed in: a staff person, or a beneficiary, or no one.
	user          *passnum.User
	beneficiaryID string
	session       *store.WebSession
	sessionSecret string
	flash         string
}

func (q *request) ctx() context.Context { return q.r.Context() }

// actor is who the signed-in person acts as.
func (q *request) actor() passnum.Actor { return q.user.Actor() }

// org is the signed-in person's organisation.
func (q *request) org() string { return q.user.OrganisationID }

// id reads a path id; a malformed one is simply not found.
func (q *request) id(name string) (string, error) {
	v := q.r.PathValue(name)
	if !passnum.ValidID(v) {
		return "", passnum.NotFound("page")
	}
	return v, nil
}

// ids reads several path ids, in the order named; a malformed one is
// simply not found, as with id.
func (q *request) ids(names ...string) ([]string, error) {
	out := make([]string, len(names))
	for i, name := range names {
		v, err := q.id(name)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// view runs fn in a read transaction.
func (q *request) view(fn func(tx *store.Tx) error) error {
	return q.s.store.View(q.ctx(), fn)
}

// write runs fn as one atomic write.
func (q *request) write(fn func(tx *store.Tx) error) error {
	return q.s.store.Write(q.ctx(), fn)
}

// redirect answers a form with "see other" (POST, redirect, GET), with an
// optional message shown once on the next page.
func (q *request) redirect(path, flash string) error {
	if flash != "" {
		http.SetCookie(q.w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(flash), Path: "/", HttpOnly: true, Secure: q.s.secure, SameSite: http.SameSiteLaxMode, MaxAge: 60})
	}
	http.Redirect(q.w, q.r, path, http.StatusSeeOther)
	return nil
}

const (
	sessionCookie = "passnum_session"
	flashCookie   = "passnum_message"
)

// Sessions last a working day for staff and an hour for beneficiaries.
const (
	staffSessionTTL       = 12 * time.Hour
	beneficiarySessionTTL = time.Hour
	factorSessionTTL      = 10 * time.Minute
)

func (q *request) setSession(secret string, ttl time.Duration) {
	http.SetCookie(q.w, &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true, Secure: q.s.secure || q.r.TLS != nil,
		SameSite: http.SameSiteLaxMode, MaxAge: int(ttl.Seconds())})
}

func (q *request) clearSession() {
	http.SetCookie(q.w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: q.s.secure || q.r.TLS != nil, SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// clientAddress is the visitor's address: the socket's peer, or the
// address a trusted reverse proxy reports.
func (s *Server) clientAddress(r *http.Request) string {
	return remote.Address(r, s.cfg.TrustedProxy)
}

// handler checks who may see a page, then runs it.
func (s *Server) handler(p *page) http.Handler {
	protect := http.NewCrossOriginProtection()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := &request{s: s, w: w, r: r}
		if c, err := r.Cookie(flashCookie); err == nil {
			q.flash, _ = url.QueryUnescape(c.Value)
			http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
		}
		if err := s.loadSession(q); err != nil {
			s.fail(q, err)
			return
		}
		if !s.admit(q, p) {
			return
		}
		if !s.readForm(q) {
			return
		}
		if err := p.Handle(q); err != nil {
			s.fail(q, err)
		}
	})
	return s.headers(protect.Handler(h))
}

const maxFormBytes = 1 << 20

// readForm reads what a page is sent, once for every page: the query
// string and, for a POST, the form (URL-encoded or multipart), at most
// maxFormBytes. A form over the limit is answered 413, never read as an
// empty one; an unreadable one 400; a NUL character in any value (which
// no one types, and PostgreSQL cannot store) 400. It reports whether to go
// on.
func (s *Server) readForm(q *request) bool {
	w, r := q.w, q.r
	tooLarge := func() bool {
		s.renderError(w, r, q, http.StatusRequestEntityTooLarge, "Formulaire trop volumineux", "Le formulaire envoyé dépasse la taille permise (1 Mio) : raccourcissez les textes et réessayez.")
		return false
	}
	unreadable := func() bool {
		s.renderError(w, r, q, http.StatusBadRequest, "Formulaire illisible", "Le formulaire envoyé n'a pas pu être lu : rechargez la page et réessayez.")
		return false
	}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	}
	// ParseForm first: ParseMultipartForm would hide its error (an
	// URL-encoded form over the limit) behind ErrNotMultipart.
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge()
		}
		return unreadable()
	}
	if r.Method == http.MethodPost {
		if err := r.ParseMultipartForm(maxFormBytes); err != nil && !errors.Is(err, http.ErrNotMultipart) {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) || errors.Is(err, multipart.ErrMessageTooLarge) {
				return tooLarge()
			}
			return unreadable()
		}
	}
	for _, vs := range r.Form {
		for _, v := range vs {
			if passnum.HasNUL(v) {
				s.renderError(w, r, q, http.StatusBadRequest, "Caractère refusé", "Un champ envoyé contient un caractère nul (U+0000), que personne ne tape : retapez le texte plutôt que de le coller, puis réessayez.")
				return false
			}
		}
	}
	return true
}

// loadSession reads the session cookie, if any.
func (s *Server) loadSession(q *request) error {
	c, err := q.r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	var ws store.WebSession
	err = s.store.View(q.ctx(), func(tx *store.Tx) error {
		var err error
		ws, err = tx.WebSession(q.ctx(), c.Value)
		return err
	})
	var pe *passnum.Error
	if errors.As(err, &pe) && pe.Code == passnum.ENOTFOUND {
		q.clearSession()
		return nil
	}
	if err != nil {
		return err
	}
	q.session, q.sessionSecret = &ws, c.Value
	if ws.PendingTOTP {
		return nil // only the second-factor page sees it
	}
	q.user, q.beneficiaryID = ws.User, ws.BeneficiaryID
	return nil
}

// admit answers for the pages a visitor may not see, and says whether to
// go on.
func (s *Server) admit(q *request, p *page) bool {
	switch p.Access {
	case public:
		return true
	case pendingFactor:
		if q.session != nil && q.session.PendingTOTP && q.session.User != nil {
			return true
		}
		q.redirect("/connexion", "")
		return false
	case beneficiaryOnly:
		if q.beneficiaryID != "" {
			return true
		}
		if q.r.Method == http.MethodGet {
			q.redirect("/mon-pass", "Votre session a pris fin : saisissez à nouveau votre code de pass et votre date de naissance.")
		} else {
			s.renderError(q.w, q.r, q, http.StatusUnauthorized, "Session terminée", "Votre session a pris fin : reconnectez-vous avec votre code de pass et votre date de naissance.")
		}
		return false
	}
	if q.user == nil {
		if q.r.Method == http.MethodGet {
			q.redirect("/connexion?suite="+url.QueryEscape(q.r.URL.RequestURI()), "")
		} else {
			s.renderError(q.w, q.r, q, http.StatusUnauthorized, "Connexion nécessaire", "Votre session a pris fin : connectez-vous puis recommencez.")
		}
		return false
	}
	if !slices.Contains(p.Roles, q.user.Role) {
		s.renderError(q.w, q.r, q, http.StatusForbidden, "Accès refusé", fmt.Sprintf("Cette page n'est pas ouverte aux comptes %s.", q.user.Role.Label()))
		return false
	}
	if q.user.Role == passnum.RoleOperator && s.cfg.RequireOperatorTOTP && !q.user.TOTPEnabled && p.Path != securityPath {
		q.redirect(securityPath, "La double authentification est obligatoire pour les comptes de l'opérateur : activez-la pour continuer.")
		return false
	}
	return true
}

// fail shows an error as a page with the right status.
func (s *Server) fail(q *request, err error) {
	var pe *passnum.Error
	if !errors.As(err, &pe) {
		s.log.ErrorContext(q.ctx(), "page failed", "route", q.r.Pattern, "err", err)
		s.renderError(q.w, q.r, q, http.StatusInternalServerError, "Erreur interne", "Une erreur imprévue est survenue : rien n'a été enregistré. Réessayez dans un instant.")
		return
	}
	status, title := errorStatus(pe)
	setRetryAfter(q.w, pe)
	s.logRefusal(q.r, pe)
	msg := pe.Message
	if pe.Code == passnum.EINVALID && len(pe.Fields) == 1 {
		// The domain's message names the field by its key ("year : …"),
		// the API's word; a page says what is wrong in French alone.
		msg = passnum.Capitalize(pe.Fields[0].Detail) + "."
	}
	s.renderError(q.w, q.r, q, status, title, msg)
}

// errorStatus is the status and title of an error page: the status of the
// code's table (error.go); the titles pages show.
func errorStatus(pe *passnum.Error) (int, string) {
	status := http.StatusUnprocessableEntity
	if info, ok := passnum.LookupCode(pe.Code); ok {
		status = info.Status
	}
	title := "Action impossible"
	switch pe.Code {
	case passnum.ENOTFOUND:
		title = "Introuvable"
	case passnum.EFORBIDDEN:
		title = "Accès refusé"
	case passnum.EUNAUTHENTICATED:
		title = "Connexion nécessaire"
	case passnum.EUNAVAILABLE, passnum.EBUSY:
		title = "Service indisponible"
	case passnum.ETOOMANYATTEMPTS:
		title = "Trop d'essais"
	}
	return status, title
}

// logRefusal logs an attempt refused by a limit or a busy server: the
// limit's kind and the route, never the address, account or pass it was
// for. A limit's refusal is counted by the store where the limit decides
// (store.CountAttempt), with the API's; busy password hashing, decided
// here, is counted here.
func (s *Server) logRefusal(r *http.Request, pe *passnum.Error) {
	switch pe.Code {
	case passnum.ETOOMANYATTEMPTS:
		kind, _ := pe.Extra["limit"].(string)
		s.log.Warn("attempt refused", "limit", kind, "route", r.Pattern)
	case passnum.EBUSY:
		s.log.Warn("password hashing busy", "route", r.Pattern)
		s.cfg.Events.Refused("busy")
	}
}

// setRetryAfter answers how long to wait before trying again, when the
// error says.
func setRetryAfter(w http.ResponseWriter, pe *passnum.Error) {
	if pe.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((pe.RetryAfter+time.Second-1)/time.Second)))
	}
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
