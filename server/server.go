// Package server assembles the HTTP handler that "passnum serve" runs: the
// JSON API, the web pages, the health checks, request identifiers and
// logging, metrics and security headers.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"sync/atomic"
	"time"

	"passnum/api"
	"passnum/requestid"
	"passnum/store"
	"passnum/web"
)

// Server is what "passnum serve" runs.
type Server struct {
	// Handler answers the site, the API and the health checks.
	Handler http.Handler
	// Metrics answers /metrics in the Prometheus format; serve it on an
	// address of its own, reachable by the monitoring only.
	Metrics http.Handler

	store    *store.Store
	log      *slog.Logger
	draining atomic.Bool
	urgent   []string // patterns that skip the general lane
	lanes    *lanes
}

// UrgentPatterns lists the routes that never wait for a slot of the
// general lane: checking and redeeming a pass, and the health checks.
func (srv *Server) UrgentPatterns() []string { return slices.Sorted(slices.Values(srv.urgent)) }

// New returns the whole HTTP handler over a store.
func New(s *store.Store, log *slog.Logger, cfg web.Config, opts ...Option) (http.Handler, error) {
	srv, err := Build(s, log, cfg, opts...)
	if err != nil {
		return nil, err
	}
	return srv.Handler, nil
}

// Option tunes what Build assembles.
type Option func(*options)

type options struct{ generalSlots int }

// WithGeneralSlots sets how many requests of the general lane (everything
// but redemptions, pass look-ups and health checks) are served at once;
// 0 keeps the default, one per processor and at least 2. See lanes.
func WithGeneralSlots(n int) Option { return func(o *options) { o.generalSlots = n } }

// Build assembles the server. Its logger adds each request's identifier to
// the lines logged with the request's context.
func Build(s *store.Store, log *slog.Logger, cfg web.Config, opts ...Option) (*Server, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if log == nil {
		log = slog.Default()
	}
	log = slog.New(requestid.LogHandler(log.Handler()))
	srv := &Server{store: s, log: log}
	mux := http.NewServeMux()
	ln := newLanes(o.generalSlots, nil)
	srv.lanes = ln
	m := newMetrics(s, ln)
	cfg.Events = m
	s.SetEvents(m) // the limits' refusals, counted where they are decided
	a := api.New(s, log, api.Config{TrustedProxy: cfg.TrustedProxy, Events: m})
	siteURL := cfg.PublicURL
	if siteURL == "" {
		siteURL = "http://127.0.0.1:8080"
	}
	a.SetMail(cfg.Mail, siteURL)
	a.Register(mux)
	health := map[string]http.HandlerFunc{"GET /livez": srv.live, "GET /readyz": srv.ready, "GET /healthz": srv.ready}
	for pattern, h := range health {
		mux.HandleFunc(pattern, h)
	}
	pages, err := web.New(s, log, cfg)
	if err != nil {
		return nil, err
	}
	pages.Register(mux)
	urgent := append(a.UrgentPatterns(), pages.UrgentPatterns()...)
	for pattern := range health {
		urgent = append(urgent, pattern)
	}
	ln.urgent = urgentByPattern(mux, urgent)
	srv.urgent = urgent
	srv.Metrics = m.handler()
	trusted := func(r *http.Request) bool { return cfg.TrustedProxy != "" && remoteHost(r) == cfg.TrustedProxy }
	// The lanes sit inside the logging, so that the time a request waits
	// for its lane counts in its logged and measured duration.
	srv.Handler = requestid.Middleware(trusted, logRequests(log, m, ln.wrap(securityHeaders(mux))))
	return srv, nil
}

// Drain makes the readiness check fail, so that a load balancer stops
// sending new requests before the server shuts down.
func (srv *Server) Drain() { srv.draining.Store(true) }

// live answers 200 as long as the process serves HTTP: a supervisor
// restarts the process when it stops answering.
func (srv *Server) live(w http.ResponseWriter, r *http.Request) {
	writeHealth(w, http.StatusOK, "alive", srv.store.Engine())
}

// ready answers 200 when the server can take requests: the database
// answers and no shutdown has begun; 503 otherwise.
func (srv *Server) ready(w http.ResponseWriter, r *http.Request) {
	if srv.draining.Load() {
		writeHealth(w, http.StatusServiceUnavailable, "draining", srv.store.Engine())
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if err := srv.store.Ping(ctx); err != nil {
		srv.log.WarnContext(r.Context(), "readiness: database unavailable", "err", err)
		writeHealth(w, http.StatusServiceUnavailable, "database_unavailable", srv.store.Engine())
		return
	}
	writeHealth(w, http.StatusOK, "ok", srv.store.Engine())
}

func writeHealth(w http.ResponseWriter, status int, state, engine string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write([]byte(`{"status":"` + state + `","engine":"` + engine + `"}`))
}

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		// The API answers data, never pages: nothing may run in it. Pages
		// set their own policy (package web).
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		next.ServeHTTP(w, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

// Flush lets streamed answers (CSV exports) reach the client as written.
func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// logRequests logs and counts each request by its route pattern, never
// its raw path: pass codes are bearer secrets and must not reach the logs
// or the metrics.
func logRequests(log *slog.Logger, m *metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			pattern := r.Pattern
			if pattern == "" {
				pattern = "(aucune route)"
			}
			d := time.Since(start)
			m.observe(pattern, rec.status, d)
			log.InfoContext(r.Context(), "request", "method", r.Method, "route", pattern, "status", rec.status, "bytes", rec.bytes, "duration_ms", float64(d.Microseconds())/1000)
		}()
		next.ServeHTTP(rec, r)
	})
}

func remoteHost(r *http.Request) string {
	host := r.RemoteAddr
	for i := len(host) - 1; i >= 0; i-- {
		if host[i] == ':' {
			host = host[:i]
			break
		}
	}
	if len(host) > 1 && host[0] == '[' && host[len(host)-1] == ']' {
		host = host[1 : len(host)-1]
	}
	return host
}
