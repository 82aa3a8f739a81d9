// Package server assembles the HTTP handler that "passnum serve" runs: the
// JSON API, the web pages, the health check, request logging and security
// headers.
package server

import (
	"log/slog"
	"net/http"
	"time"

	"passnum/api"
	"passnum/store"
	"passnum/web"
)

// New returns the whole HTTP handler over a store.
func New(s *store.Store, log *slog.Logger, cfg web.Config) (http.Handler, error) {
	if log == nil {
		log = slog.Default()
	}
	mux := http.NewServeMux()
	a := api.New(s, log)
	siteURL := cfg.PublicURL
	if siteURL == "" {
		siteURL = "http://127.0.0.1:8080"
	}
	a.SetMail(cfg.Mail, siteURL)
	a.Register(mux)
	mux.HandleFunc("GET /healthz", a.Health)
	pages, err := web.New(s, log, cfg)
	if err != nil {
		return nil, err
	}
	pages.Register(mux)
	return logRequests(log, securityHeaders(mux)), nil
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

// logRequests logs each request by its route pattern, never its raw path:
// pass codes are bearer secrets and must not reach the logs.
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		pattern := r.Pattern
		if pattern == "" {
			pattern = "(aucune route)"
		}
		log.Info("request", "method", r.Method, "route", pattern, "status", rec.status, "bytes", rec.bytes, "duration_ms", float64(time.Since(start).Microseconds())/1000)
	})
}
