package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"passnum"
	"passnum/requestid"
)

// Problem is an RFC 9457 problem details document with a stable code.
type Problem struct {
	Type    string               `json:"type"`
	Title   string               `json:"title"`
	Status  int                  `json:"status"`
	Detail  string               `json:"detail"`
	Code    string               `json:"code"`
	Errors  []passnum.FieldError `json:"errors,omitempty"`
	Reasons []string             `json:"reasons,omitempty"`
	// RequestID names the request in the server's logs: quote it when
	// reporting a problem.
	RequestID string         `json:"request_id,omitempty"`
	Extra     map[string]any `json:"-"`
}

// MarshalJSON flattens Extra members next to the standard ones, as RFC
// 9457 extension members.
func (p Problem) MarshalJSON() ([]byte, error) {
	type plain Problem
	b, err := json.Marshal(plain(p))
	if err != nil || len(p.Extra) == 0 {
		return b, err
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for k, v := range p.Extra {
		if _, taken := m[k]; !taken {
			m[k] = v
		}
	}
	return json.Marshal(m)
}

// StatusOf returns the HTTP status of an error code.
func StatusOf(code string) int {
	if info, ok := passnum.LookupCode(code); ok {
		return info.Status
	}
	return http.StatusInternalServerError
}

// titleOf returns the short French title of an error code.
func titleOf(code string) string {
	if info, ok := passnum.LookupCode(code); ok {
		return info.Title
	}
	info, _ := passnum.LookupCode(passnum.EINTERNAL)
	return info.Title
}

func problemOf(err error) Problem {
	code := passnum.ErrorCode(err)
	p := Problem{
		Type:   "urn:passnum:probleme:" + code,
		Title:  titleOf(code),
		Status: StatusOf(code),
		Detail: passnum.ErrorMessage(err),
		Code:   code,
	}
	var de *passnum.Error
	if errors.As(err, &de) {
		p.Errors, p.Reasons, p.Extra = de.Fields, de.Reasons, de.Extra
	}
	return p
}

// writeError answers with a problem document; internal errors are logged
// with their details and shown without them.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	p := problemOf(err)
	p.RequestID = requestid.From(r.Context())
	if p.Status >= 500 && p.Code != passnum.EBUSY {
		log.ErrorContext(r.Context(), "request failed", "pattern", r.Pattern, "code", p.Code, "err", err)
	}
	if p.Code == passnum.ETOOMANYATTEMPTS {
		// The limit's kind, never the address it counts.
		log.WarnContext(r.Context(), "attempt refused", "limit", p.Extra["limit"], "pattern", r.Pattern)
	}
	var de *passnum.Error
	if errors.As(err, &de) && de.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((de.RetryAfter+time.Second-1)/time.Second)))
	}
	writeJSON(w, p.Status, p, "application/problem+json")
}

func writeJSON(w http.ResponseWriter, status int, v any, contentType string) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"type":"urn:passnum:probleme:internal","title":"Erreur interne","status":500,"code":"internal","detail":"Erreur interne."}`)
		contentType = "application/problem+json"
	}
	writeRaw(w, status, b, contentType)
}

func writeRaw(w http.ResponseWriter, status int, body []byte, contentType string) {
	w.Header().Set("Content-Type", contentType+"; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(body)
	w.Write([]byte("\n"))
}
