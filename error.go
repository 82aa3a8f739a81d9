// Package passnum holds the domain of the Pass numérique: programmes, passes,
// booklets, beneficiaries, organisations, redemptions and the rules that bind
// them. It imports no database and no HTTP; the store and api packages do.
package passnum

import (
	"errors"
	"fmt"
	"sort"
	"time"
)

// Stable machine error codes, shared by the API, the CLI and the web pages.
// Each one is in the table below with its HTTP status and title: a code
// missing from it would be answered as an internal error, which a test
// prevents.
const (
	ECONFLICT            = "conflict"
	EINVALID             = "invalid"
	EINVALIDCODE         = "invalid_code"
	ENOTFOUND            = "not_found"
	EFORBIDDEN           = "forbidden"
	EUNAUTHENTICATED     = "unauthenticated"
	EMALFORMED           = "malformed"
	ETOOLARGE            = "too_large"
	EUNSUPPORTEDMEDIA    = "unsupported_media_type"
	ETOOMANYATTEMPTS     = "too_many_attempts"
	EBUSY                = "busy"
	EINTERNAL            = "internal"
	EUNAVAILABLE         = "unavailable"
	ENOTELIGIBLE         = "not_eligible"
	EINSUFFICIENTSTOCK   = "insufficient_stock"
	EBOOKLETLIMIT        = "booklet_limit"
	EPOSSIBLEDUPLICATE   = "possible_duplicate"
	EDUPLICATEPERSON     = "duplicate_person"
	EPROGRAMMECLOSED     = "programme_closed"
	EBUDGETEXCEEDED      = "budget_exceeded"
	EALREADYREDEEMED     = "already_redeemed"
	ENOTASSIGNED         = "not_assigned"
	EEXPIRED             = "expired"
	EPLACENOTLABELLED    = "place_not_labelled"
	ECANCELWINDOWCLOSED  = "cancel_window_closed"
	EALREADYCANCELLED    = "already_cancelled"
	EALREADYREIMBURSED   = "already_reimbursed"
	EALREADYSETTLED      = "already_settled"
	ENOTSETTLED          = "not_settled"
	ENOTHINGTOSETTLE     = "nothing_to_settle"
	EFOUREYESREQUIRED    = "four_eyes_required"
	EIDEMPOTENCYMISMATCH = "idempotency_mismatch"
	EBLOCKED             = "blocked"
	EMETHODNOTALLOWED    = "method_not_allowed"
	EOUTSIDETERRITORY    = "outside_territory"
	ESESSIONFULL         = "session_full"
	EALREADYBOOKED       = "already_booked"
	ESESSIONCLOSED       = "session_closed"
	ETRAININGINACTIVE    = "training_inactive"
	ENOTENOUGHPASSES     = "not_enough_passes"
	EINVALIDFILE         = "invalid_file"
	ENOPAYINGACCOUNT     = "no_paying_account"
	EERASED              = "person_erased"
)

// CodeInfo is what an error code means to a client: the HTTP status it is
// answered with and a short French title.
type CodeInfo struct {
	Status int
	Title  string
}

// codes is the one table of error codes. Statuses are HTTP's numbers: the
// domain imports no HTTP, but every caller answers with them.
var codes = map[string]CodeInfo{
	EMALFORMED:           {400, "Corps de requête illisible"},
	EUNAUTHENTICATED:     {401, "Authentification requise"},
	EFORBIDDEN:           {403, "Action non autorisée"},
	EPLACENOTLABELLED:    {403, "Lieu non labellisé"},
	EOUTSIDETERRITORY:    {403, "Hors du territoire du programme"},
	ENOTFOUND:            {404, "Introuvable"},
	EMETHODNOTALLOWED:    {405, "Méthode non autorisée"},
	ECONFLICT:            {409, "Conflit"},
	EINSUFFICIENTSTOCK:   {409, "Stock insuffisant"},
	EBOOKLETLIMIT:        {409, "Nombre maximal de carnets atteint"},
	EPOSSIBLEDUPLICATE:   {409, "Personne peut-être déjà servie ailleurs"},
	EDUPLICATEPERSON:     {409, "Personne déjà inscrite"},
	EPROGRAMMECLOSED:     {409, "Programme fermé"},
	EBUDGETEXCEEDED:      {409, "Budget dépassé"},
	EALREADYREDEEMED:     {409, "Pass déjà encaissé"},
	ENOTASSIGNED:         {409, "Pass non remis"},
	EEXPIRED:             {409, "Pass expiré"},
	EBLOCKED:             {409, "Pass bloqué"},
	ECANCELWINDOWCLOSED:  {409, "Délai d'annulation dépassé"},
	EALREADYCANCELLED:    {409, "Encaissement déjà annulé"},
	EALREADYREIMBURSED:   {409, "Encaissement déjà remboursé"},
	EALREADYSETTLED:      {409, "Déjà réglé"},
	ENOTSETTLED:          {409, "Pas encore remboursé"},
	ENOTHINGTOSETTLE:     {409, "Rien à rembourser"},
	EFOUREYESREQUIRED:    {409, "Second opérateur requis"},
	ESESSIONFULL:         {409, "Session complète"},
	EALREADYBOOKED:       {409, "Déjà inscrit"},
	ESESSIONCLOSED:       {409, "Session fermée"},
	ETRAININGINACTIVE:    {409, "Formation désactivée"},
	ENOTENOUGHPASSES:     {409, "Pas assez de pass"},
	EERASED:              {409, "Données d'identité effacées"},
	ETOOLARGE:            {413, "Requête trop volumineuse"},
	EUNSUPPORTEDMEDIA:    {415, "Type de contenu non pris en charge"},
	EINVALID:             {422, "Données invalides"},
	EINVALIDCODE:         {422, "Code de pass invalide"},
	ENOTELIGIBLE:         {422, "Non éligible"},
	EIDEMPOTENCYMISMATCH: {422, "Clé d'idempotence déjà utilisée"},
	EINVALIDFILE:         {422, "Fichier refusé"},
	ENOPAYINGACCOUNT:     {409, "Compte payeur du programme manquant"},
	ETOOMANYATTEMPTS:     {429, "Trop de tentatives"},
	EINTERNAL:            {500, "Erreur interne"},
	EUNAVAILABLE:         {503, "Service momentanément indisponible"},
	EBUSY:                {503, "Serveur occupé"},
}

// LookupCode returns what code means; ok is false for an unknown code,
// which callers answer as internal.
func LookupCode(code string) (info CodeInfo, ok bool) {
	info, ok = codes[code]
	return info, ok
}

// ErrorCodes lists every code of the table, sorted.
func ErrorCodes() []string {
	out := make([]string, 0, len(codes))
	for c := range codes {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

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
	// RetryAfter, when set, is how long to wait before trying again
	// (too_many_attempts, busy): answered as the Retry-After header.
	RetryAfter time.Duration
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf builds a domain error with a French message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// NotFound says that an object (named in French: "programme", "carnet"…)
// does not exist or is not the caller's: the two must read the same.
func NotFound(what string) *Error {
	return Errorf(ENOTFOUND, "%s introuvable : vérifiez l'identifiant.", Capitalize(what))
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
