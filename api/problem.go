package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"passnum"
)

// statusOf maps every error code to its HTTP status, in one place.
var statusOf = map[string]int{
	passnum.EMALFORMED:           http.StatusBadRequest,
	passnum.EUNAUTHENTICATED:     http.StatusUnauthorized,
	passnum.EFORBIDDEN:           http.StatusForbidden,
	passnum.EPLACENOTLABELLED:    http.StatusForbidden,
	passnum.EOUTSIDETERRITORY:    http.StatusForbidden,
	passnum.ENOTFOUND:            http.StatusNotFound,
	passnum.EMETHODNOTALLOWED:    http.StatusMethodNotAllowed,
	passnum.ECONFLICT:            http.StatusConflict,
	passnum.EINSUFFICIENTSTOCK:   http.StatusConflict,
	passnum.EBOOKLETLIMIT:        http.StatusConflict,
	passnum.EPROGRAMMECLOSED:     http.StatusConflict,
	passnum.EALREADYREDEEMED:     http.StatusConflict,
	passnum.ENOTASSIGNED:         http.StatusConflict,
	passnum.EEXPIRED:             http.StatusConflict,
	passnum.EBLOCKED:             http.StatusConflict,
	passnum.ECANCELWINDOWCLOSED:  http.StatusConflict,
	passnum.EALREADYCANCELLED:    http.StatusConflict,
	passnum.EALREADYREIMBURSED:   http.StatusConflict,
	passnum.ETOOLARGE:            http.StatusRequestEntityTooLarge,
	passnum.EINVALID:             http.StatusUnprocessableEntity,
	passnum.EINVALIDCODE:         http.StatusUnprocessableEntity,
	passnum.ENOTELIGIBLE:         http.StatusUnprocessableEntity,
	passnum.EIDEMPOTENCYMISMATCH: http.StatusUnprocessableEntity,
	passnum.EINTERNAL:            http.StatusInternalServerError,
	passnum.EUNAVAILABLE:         http.StatusServiceUnavailable,
}

// titles are the short French titles of each problem type.
var titles = map[string]string{
	passnum.EMALFORMED:           "Corps de requête illisible",
	passnum.EUNAUTHENTICATED:     "Authentification requise",
	passnum.EFORBIDDEN:           "Action non autorisée",
	passnum.EPLACENOTLABELLED:    "Lieu non labellisé",
	passnum.EOUTSIDETERRITORY:    "Hors du territoire du programme",
	passnum.ENOTFOUND:            "Introuvable",
	passnum.EMETHODNOTALLOWED:    "Méthode non autorisée",
	passnum.ECONFLICT:            "Conflit",
	passnum.EINSUFFICIENTSTOCK:   "Stock insuffisant",
	passnum.EBOOKLETLIMIT:        "Nombre maximal de carnets atteint",
	passnum.EPROGRAMMECLOSED:     "Programme fermé",
	passnum.EALREADYREDEEMED:     "Pass déjà encaissé",
	passnum.ENOTASSIGNED:         "Pass non remis",
	passnum.EEXPIRED:             "Pass expiré",
	passnum.EBLOCKED:             "Pass bloqué",
	passnum.ECANCELWINDOWCLOSED:  "Délai d'annulation dépassé",
	passnum.EALREADYCANCELLED:    "Encaissement déjà annulé",
	passnum.EALREADYREIMBURSED:   "Encaissement déjà remboursé",
	passnum.ETOOLARGE:            "Requête trop volumineuse",
	passnum.EINVALID:             "Données invalides",
	passnum.EINVALIDCODE:         "Code de pass invalide",
	passnum.ENOTELIGIBLE:         "Non éligible",
	passnum.EIDEMPOTENCYMISMATCH: "Clé d'idempotence déjà utilisée",
	passnum.EINTERNAL:            "Erreur interne",
	passnum.EUNAVAILABLE:         "Service momentanément indisponible",
}

// Problem is an RFC 9457 problem details document with a stable code.
type Problem struct {
	Type    string               `json:"type"`
	Title   string               `json:"title"`
	Status  int                  `json:"status"`
	Detail  string               `json:"detail"`
	Code    string               `json:"code"`
	Errors  []passnum.FieldError `json:"errors,omitempty"`
	Reasons []string             `json:"reasons,omitempty"`
	Extra   map[string]any       `json:"-"`
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
	if s, ok := statusOf[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

func problemOf(err error) Problem {
	code := passnum.ErrorCode(err)
	p := Problem{
		Type:   "urn:passnum:probleme:" + code,
		Title:  titles[code],
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
	if p.Status >= 500 {
		log.Error("request failed", "pattern", r.Pattern, "code", p.Code, "err", err)
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
