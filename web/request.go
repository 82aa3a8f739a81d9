package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"passnum"
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
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if s.cfg.TrustedProxy != "" && host == s.cfg.TrustedProxy {
		if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			if ip := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); ip != nil {
				return ip.String()
			}
		}
	}
	return host
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
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			if err := r.ParseMultipartForm(maxFormBytes); err != nil && !errors.Is(err, http.ErrNotMultipart) {
				s.renderError(w, r, q, http.StatusRequestEntityTooLarge, "Formulaire trop volumineux", "Le formulaire envoyé dépasse la taille permise : raccourcissez les textes et réessayez.")
				return
			}
		}
		if err := p.Handle(q); err != nil {
			s.fail(q, err)
		}
	})
	return s.headers(protect.Handler(h))
}

const maxFormBytes = 1 << 20

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
		s.renderError(q.w, q.r, q, http.StatusForbidden, "Accès refusé", fmt.Sprintf("Cette page n'est pas ouverte aux comptes %s.", roleFR(q.user.Role)))
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
	status := http.StatusUnprocessableEntity
	title := "Action impossible"
	switch pe.Code {
	case passnum.ENOTFOUND:
		status, title = http.StatusNotFound, "Introuvable"
	case passnum.EFORBIDDEN:
		status, title = http.StatusForbidden, "Accès refusé"
	case passnum.EUNAUTHENTICATED:
		status, title = http.StatusUnauthorized, "Connexion nécessaire"
	case passnum.ECONFLICT:
		status = http.StatusConflict
	case passnum.EUNAVAILABLE:
		status, title = http.StatusServiceUnavailable, "Service indisponible"
	}
	s.renderError(q.w, q.r, q, status, title, pe.Message)
}

func roleFR(r passnum.Role) string {
	switch r {
	case passnum.RoleOperator:
		return "opérateur"
	case passnum.RoleFunder:
		return "financeur"
	case passnum.RoleDistributor:
		return "distributeur"
	case passnum.RolePlace:
		return "lieu"
	}
	return string(r)
}

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }
