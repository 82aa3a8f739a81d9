// Package passnum holds the domain of the Pass numérique: programmes, passes,
// booklets, beneficiaries, organisations, redemptions and the rules that bind
// them. It imports no database and no HTTP; the store and api packages do.
package passnum

import (
	"errors"
	"fmt"
	"unicode"
)

// Stable machine error codes, shared by the API, the CLI and the web pages.
const (
	ECONFLICT            = "conflict"
	EINVALID             = "invalid"
	EINVALIDCODE         = "invalid_code"
	ENOTFOUND            = "not_found"
	EFORBIDDEN           = "forbidden"
	EUNAUTHENTICATED     = "unauthenticated"
	EMALFORMED           = "malformed"
	ETOOLARGE            = "too_large"
	EINTERNAL            = "internal"
	EUNAVAILABLE         = "unavailable"
	ENOTELIGIBLE         = "not_eligible"
	EINSUFFICIENTSTOCK   = "insufficient_stock"
	EBOOKLETLIMIT        = "booklet_limit"
	EPROGRAMMECLOSED     = "programme_closed"
	EALREADYREDEEMED     = "already_redeemed"
	ENOTASSIGNED         = "not_assigned"
	EEXPIRED             = "expired"
	EPLACENOTLABELLED    = "place_not_labelled"
	ECANCELWINDOWCLOSED  = "cancel_window_closed"
	EALREADYCANCELLED    = "already_cancelled"
	EALREADYREIMBURSED   = "already_reimbursed"
	EIDEMPOTENCYMISMATCH = "idempotency_mismatch"
	EBLOCKED             = "blocked"
	EMETHODNOTALLOWED    = "method_not_allowed"
	EOUTSIDETERRITORY    = "outside_territory"
)

// FieldError names one invalid field of a request and what to fix.
type FieldError struct {
	Field  string `json:"field"`
	Detail string `json:"detail"`
}

// Error is the one error type the domain returns to users. Message is in
// French and says what to do; internal details never go into it.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
	// Reasons lists machine codes of failed rules (eligibility).
	Reasons []string
	// Extra carries ids or dates that help the caller (e.g. when a pass was
	// already redeemed). It holds no personal data.
	Extra map[string]any
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf builds a domain error with a French message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// NotFound says that an object (named in French: "programme", "carnet"…)
// does not exist or is not the caller's: the two must read the same.
func NotFound(what string) *Error {
	r := []rune(what)
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	return Errorf(ENOTFOUND, "%s introuvable : vérifiez l'identifiant.", string(r))
}

// Invalid builds an "invalid" error from field errors.
func Invalid(fields ...FieldError) *Error {
	msg := "La requête contient des champs invalides : corrigez-les et réessayez."
	if len(fields) == 1 {
		msg = fields[0].Field + " : " + fields[0].Detail
	}
	return &Error{Code: EINVALID, Message: msg, Fields: fields}
}

// ErrorCode returns the code of a domain error, or EINTERNAL.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Erreur interne : l'équipe technique a été prévenue, réessayez plus tard."
}

// FieldErrors accumulates validation failures.
type FieldErrors []FieldError

// Add records a failure on field.
func (fe *FieldErrors) Add(field, detail string) {
	*fe = append(*fe, FieldError{Field: field, Detail: detail})
}

// Err returns nil when nothing failed.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return Invalid(fe...)
}
