// Package api serves the versioned JSON API (/api/v1) that partners'
// information systems integrate with. Every route, with the roles allowed
// on it, is declared once in routes.go; the OpenAPI document is generated
// from that same table.
package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"passnum"
	"passnum/mail"
	"passnum/remote"
	"passnum/store"
)

// Prefix is where the API lives.
const Prefix = "/api/v1"

// Server answers the API.
type Server struct {
	store *store.Store
	log   *slog.Logger
	cfg   Config
	// mail tells people of decisions (a place's label); nil sends nothing.
	mail    mail.Sender
	siteURL string
}

// SetMail lets the API send the messages a decision calls for (a place
// told of its label), with links to siteURL.
func (s *Server) SetMail(m mail.Sender, siteURL string) {
	s.mail, s.siteURL = m, strings.TrimRight(siteURL, "/")
}

// send mails a message after a write committed; a failure is logged and
// does not undo the write.
func (s *Server) send(ctx context.Context, m mail.Message) {
	if s.mail == nil {
		return
	}
	if err := s.mail.Send(ctx, m); err != nil {
		s.log.ErrorContext(ctx, "mail not sent", "subject", m.Subject, "err", err)
	}
}

// Config holds the settings of the API.
type Config struct {
	// TrustedProxy is the address of a reverse proxy whose
	// X-Forwarded-For header is believed for the client's address (what
	// anonymous routes are limited and scoped by).
	TrustedProxy string
	// Events hears what was committed (redemptions, settlements), for the
	// metrics; nil hears nothing.
	Events passnum.Events
}

// New builds the API over a store.
func New(s *store.Store, log *slog.Logger, cfg Config) *Server {
	if log == nil {
		log = slog.Default()
	}
	if cfg.Events == nil {
		cfg.Events = passnum.NoEvents{}
	}
	return &Server{store: s, log: log, cfg: cfg}
}

// Register adds every API route to mux.
func (s *Server) Register(mux *http.ServeMux) {
	paths := map[string]bool{}
	for _, rt := range routes {
		mux.Handle(rt.Method+" "+rt.fullPath(), s.handler(rt))
		paths[rt.fullPath()] = true
	}
	// Other methods on a known path: 405 as a problem document.
	for p := range paths {
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			writeError(w, r, s.log, passnum.Errorf(passnum.EMETHODNOTALLOWED, "Méthode %s non prise en charge sur cette adresse : consultez %s/openapi.json.", r.Method, Prefix))
		})
	}
	mux.HandleFunc(Prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, s.log, passnum.Errorf(passnum.ENOTFOUND, "Adresse inconnue dans l'API : consultez %s/openapi.json.", Prefix))
	})
}

// UrgentPatterns lists the patterns, as registered on the mux, of the
// routes marked Urgent.
func (s *Server) UrgentPatterns() []string {
	var ps []string
	for _, rt := range routes {
		if rt.Urgent {
			ps = append(ps, rt.Method+" "+rt.fullPath())
		}
	}
	return ps
}

// call is one request as a handler sees it.
type call struct {
	r     *http.Request
	actor passnum.Actor
	// address is the client's IP address (see package remote).
	address string
	body    []byte
	// direct, when a write's handler sets it, does the whole write by
	// itself, outside any transaction of write's: used instead of the
	// returned work when there is no Idempotency-Key to record with it
	// (a redemption, which the store may group with concurrent ones).
	direct func(*store.Store) (any, error)
	// mails, set by a write's work, are sent once the write committed (not
	// on an idempotent replay, which runs no work).
	mails []mail.Message
	// siteURL is the site's public address, for links in messages.
	siteURL string
	// reads, set by a read's work, are the young people's records it
	// read: logged before the answer is sent, or no answer.
	reads []recordRead
}

func (c *call) ctx() context.Context { return c.r.Context() }

// id reads a path id; a malformed one is simply not found.
func (c *call) id(name string) (string, error) {
	v := c.r.PathValue(name)
	if !passnum.ValidID(v) {
		return "", passnum.Errorf(passnum.ENOTFOUND, "Identifiant %q inconnu : un identifiant compte 26 caractères, vérifiez l'adresse.", v)
	}
	return v, nil
}

// idAndReason reads the path id and the optional {"reason"} body of a
// decision (cancel, suspend, reject…). Whether a reason is required is the
// store's rule, which answers with what to write.
func (c *call) idAndReason() (id, reason string, err error) {
	if id, err = c.id("id"); err != nil {
		return "", "", err
	}
	var req reasonRequest
	if err := c.decode(&req); err != nil {
		return "", "", err
	}
	return id, strings.TrimSpace(deref(req.Reason)), nil
}

// code reads a pass code from the path.
func (c *call) code() (string, error) { return passnum.ParsePassCode(c.r.PathValue("code")) }

// decode reads the JSON body into dst.
func (c *call) decode(dst any) error { return decodeStrict(c.body, dst) }

// page reads ?limit= and ?cursor=.
func (c *call) page() (store.Page, error) {
	q := c.r.URL.Query()
	limit := 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return store.Page{}, passnum.Invalid(passnum.FieldError{Field: "limit", Detail: "nombre entier attendu"})
		}
		if n == 0 {
			n = -1 // 0 is out of range, not "default"
		}
		limit = n
	}
	return store.NewPage(limit, q.Get("cursor"))
}

// isOperator reports whether the caller sees everything.
func (c *call) isOperator() bool { return c.actor.Role == passnum.RoleOperator }

// ownFilter is "" for the operator (no filter) and the caller's
// organisation otherwise.
func (c *call) ownFilter() string {
	if c.isOperator() {
		return ""
	}
	return c.actor.OrganisationID
}

// list is every list's answer.
type list[T any] struct {
	Items []T     `json:"items"`
	Next  *string `json:"next"`
}

func newList[T any](items []T, next string) list[T] {
	if items == nil {
		items = []T{}
	}
	l := list[T]{Items: items}
	if next != "" {
		l.Next = &next
	}
	return l
}

// redacted is implemented by answers that hold a secret shown only once:
// what is kept for idempotent replays leaves it out.
type redacted interface{ redacted() any }

// statused is implemented by answers whose success status depends on
// what happened: a run that finds its work already done answers 200
// rather than the route's 201 (the route documents it as AltStatus).
type statused interface{ httpStatus() int }

// reported is implemented by answers that tell the metrics what happened
// (a redemption, a settlement): called once the write committed, never on
// an idempotent replay.
type reported interface{ report(passnum.Events) }

// streamer is implemented by answers that are a file rather than JSON (CSV
// exports): they write their own headers and body, inside the read
// transaction. started says whether anything was written: after that, an
// error can only be logged.
type streamer interface {
	stream(w http.ResponseWriter) (started bool, err error)
}

func (s *Server) handler(rt *route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &call{r: r, address: remote.Address(r, s.cfg.TrustedProxy), siteURL: s.siteURL}
		if len(rt.Roles) > 0 {
			actor, err := s.authenticate(r)
			if err != nil {
				w.Header().Set("WWW-Authenticate", `Bearer realm="passnum"`)
				writeError(w, r, s.log, err)
				return
			}
			if !rt.allows(actor.Role) {
				writeError(w, r, s.log, passnum.Errorf(passnum.EFORBIDDEN, "Votre rôle (%s) ne permet pas cette action.", actor.Role.Label()))
				return
			}
			c.actor = actor
		}
		if err := checkQuery(r); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if r.Method == http.MethodPost {
			body, err := readBody(w, r, rt.MaxBody)
			if err == nil {
				err = checkContentType(r, rt, body)
			}
			if err != nil {
				writeError(w, r, s.log, err)
				return
			}
			c.body = body
		}
		run, err := rt.Handle(c)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			var out any
			started := false
			err := s.store.View(r.Context(), func(tx *store.Tx) error {
				var err error
				out, err = run(tx)
				if st, ok := out.(streamer); ok && err == nil {
					started, err = st.stream(w)
				}
				return err
			})
			if err != nil {
				if started {
					// Headers are gone: break the connection so that the
					// client sees a cut-off file rather than a short one.
					s.log.ErrorContext(r.Context(), "stream failed", "pattern", r.Pattern, "err", err)
					panic(http.ErrAbortHandler)
				}
				writeError(w, r, s.log, err)
				return
			}
			if started {
				return
			}
			if err := s.logReads(r, c); err != nil {
				writeError(w, r, s.log, err)
				return
			}
			writeJSON(w, rt.Status, out, "application/json")
			return
		}
		s.write(w, r, rt, c, run)
	})
}

// write runs a state change, with its idempotency record in the same
// transaction: a retry with the same key and body gets the first answer,
// the same key with another body is refused. Without a key, a handler's
// direct path (c.direct), when it offers one, runs instead.
func (s *Server) write(w http.ResponseWriter, r *http.Request, rt *route, c *call, run func(*store.Tx) (any, error)) {
	key := r.Header.Get("Idempotency-Key")
	if len(key) > 255 {
		writeError(w, r, s.log, passnum.Invalid(passnum.FieldError{Field: "Idempotency-Key", Detail: "255 caractères au plus"}))
		return
	}
	if key == "" && c.direct != nil {
		s.writeDirect(w, r, rt, c)
		return
	}
	a := &keyedWrite{key: key, scope: idempotencyScope(rt, c), hash: requestHash(r, c.body)}
	write := s.store.Write
	if rt.Exclusive {
		write = s.store.WriteExclusive
	}
	err := write(r.Context(), func(tx *store.Tx) error { return a.run(r.Context(), tx, rt, c, run) })
	for i := 0; i < 3 && key != "" && passnum.ErrorCode(err) == passnum.ECONFLICT; i++ {
		// Two retries of one request ran at once (PostgreSQL): the loser
		// waited on the key's claim; now the winner's answer is stored.
		err = write(r.Context(), func(tx *store.Tx) error { return a.run(r.Context(), tx, rt, c, run) })
	}
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	if a.done != nil {
		a.done.report(s.cfg.Events)
	}
	for _, m := range c.mails {
		s.send(r.Context(), m)
	}
	if len(a.body) == 0 {
		w.WriteHeader(a.status)
		return
	}
	writeRaw(w, a.status, a.body, "application/json")
}

// writeDirect runs a write that has its own path to the store (a
// redemption without Idempotency-Key goes through the group redemption).
func (s *Server) writeDirect(w http.ResponseWriter, r *http.Request, rt *route, c *call) {
	var body []byte
	out, err := c.direct(s.store)
	if err == nil && out != nil {
		body, err = json.Marshal(out)
	}
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	if rp, ok := out.(reported); ok {
		rp.report(s.cfg.Events)
	}
	if len(body) == 0 {
		w.WriteHeader(rt.Status)
		return
	}
	writeRaw(w, rt.Status, body, "application/json")
}

// idempotencyScope scopes keys by who calls: an organisation's key by the
// organisation, an anonymous caller's by its address, so that one
// anonymous caller can neither read nor block another's answers.
func idempotencyScope(rt *route, c *call) string {
	if len(rt.Roles) == 0 {
		return "address:" + c.address
	}
	return c.actor.OrganisationID
}

// requestHash tells a key reused for another request from a retry.
func requestHash(r *http.Request, body []byte) string {
	h := sha256.New()
	h.Write([]byte(r.Method + " " + r.URL.Path + "\n"))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// keyedWrite is one run of a write, answered from an earlier run with the
// same Idempotency-Key when there was one, its answer kept for the next
// retry otherwise.
type keyedWrite struct {
	key, scope, hash string
	body             []byte
	status           int
	done             reported
}

func (a *keyedWrite) run(ctx context.Context, tx *store.Tx, rt *route, c *call, run func(*store.Tx) (any, error)) error {
	a.body, a.status, a.done = nil, rt.Status, nil
	c.mails = nil
	if a.key != "" {
		prev, err := tx.LookupIdempotency(ctx, a.scope, a.key, a.hash)
		if err != nil {
			return err
		}
		if prev != nil {
			a.body, a.status = prev.Body, prev.Status
			return nil
		}
		if err := tx.ClaimIdempotency(ctx, a.scope, a.key, a.hash); err != nil {
			return err
		}
	}
	out, err := run(tx)
	if err != nil {
		return err
	}
	if st, ok := out.(statused); ok {
		a.status = st.httpStatus()
	}
	a.done, _ = out.(reported)
	if out != nil {
		if a.body, err = json.Marshal(out); err != nil {
			return err
		}
	}
	if a.key == "" {
		return nil
	}
	kept := a.body
	if rd, ok := out.(redacted); ok {
		if kept, err = json.Marshal(rd.redacted()); err != nil {
			return err
		}
	}
	return tx.SaveIdempotency(ctx, a.scope, a.key, store.IdempotentAnswer{Status: a.status, Body: kept})
}

func (s *Server) authenticate(r *http.Request) (passnum.Actor, error) {
	h := r.Header.Get("Authorization")
	scheme, secret, ok := strings.Cut(h, " ")
	if h == "" || !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		return passnum.Actor{}, passnum.Errorf(passnum.EUNAUTHENTICATED, "Authentification requise : envoyez l'en-tête « Authorization: Bearer <clé d'API> ».")
	}
	return s.store.Authenticate(r.Context(), strings.TrimSpace(secret))
}
