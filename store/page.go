package store

import (
	"encoding/base64"
	"strconv"
	"strings"

	"passnum"
)

// Page is keyset pagination, newest first: a cursor names the last row seen
// by its (time, id), so pages stay stable while rows are added.
type Page struct {
	Limit int
	// After is decoded from the cursor; empty for the first page.
	afterKey int64
	afterID  string
}

// DefaultPageSize and MaxPageSize bound list sizes.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// NewPage validates limit and cursor from a request.
func NewPage(limit int, cursor string) (Page, error) {
	var fe passnum.FieldErrors
	p := Page{Limit: limit}
	if limit == 0 {
		p.Limit = DefaultPageSize
	} else if limit < 1 || limit > MaxPageSize {
		fe.Add("limit", "nombre d'éléments par page entre 1 et 500")
	}
	if cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(cursor)
		k, id, ok := strings.Cut(string(raw), ".")
		n, perr := strconv.ParseInt(k, 10, 64)
		if err != nil || !ok || perr != nil || !passnum.ValidID(id) {
			fe.Add("cursor", "curseur inconnu : reprenez la valeur « next » de la page précédente")
		}
		p.afterKey, p.afterID = n, id
	}
	return p, fe.Err()
}

func (p Page) apply(q string, args []any, keyCol, idCol string) (string, []any) {
	if p.afterID != "" {
		q += ` AND (` + keyCol + ` < ? OR (` + keyCol + ` = ? AND ` + idCol + ` < ?))`
		args = append(args, p.afterKey, p.afterKey, p.afterID)
	}
	limit := p.Limit
	if limit <= 0 {
		limit = DefaultPageSize
	}
	q += ` ORDER BY ` + keyCol + ` DESC, ` + idCol + ` DESC LIMIT ` + strconv.Itoa(limit+1)
	return q, args
}

// trimPage drops the extra row fetched to know whether a next page exists,
// and returns the cursor to it.
func trimPage[T any](items []T, p Page, key func(i int) (int64, string)) ([]T, string) {
	limit := p.Limit
	if limit <= 0 {
		limit = DefaultPageSize
	}
	if len(items) <= limit {
		return items, ""
	}
	k, id := key(limit - 1)
	return items[:limit], base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(k, 10) + "." + id))
}
