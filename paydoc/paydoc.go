// Package paydoc makes the files of paying the places from the store: a
// place's statement, the accounting export, the SEPA transfer file, the
// funders' statements and their closing statement, and the yearly report
// to the State and the Région. It decides who may
// read each one (another organisation's file reads as one that does not
// exist), reads what the document package needs inside the caller's read
// transaction, and streams the rows into the file as they are read. The
// API and the pages call it alike, so both serve the same file under the
// same rules.
package paydoc

import (
	"context"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strings"

	"passnum"
	"passnum/document"
	"passnum/sheet"
	"passnum/store"
)

// Format is the kind of file asked for.
type Format string

// The formats of the documents.
const (
	PDF  Format = "pdf"
	CSV  Format = "csv"
	XLSX Format = "xlsx"
	XML  Format = "xml"
)

// ContentType is the media type of a format.
func (f Format) ContentType() string {
	switch f {
	case PDF:
		return "application/pdf"
	case CSV:
		return sheet.ContentType
	case XLSX:
		return sheet.XLSXContentType
	case XML:
		return "application/xml; charset=utf-8"
	}
	return "application/octet-stream"
}

// Document is a file ready to be written: its French file name, its
// format, and the work that writes it inside the read transaction it was
// made in. Write returns before writing anything when the document is
// refused (it does not add up, or misses its paying account), so the
// caller can still answer with an error.
type Document struct {
	Name   string
	Format Format
	write  func(w io.Writer) error
}

// Write writes the document.
func (d Document) Write(w io.Writer) error { return d.write(w) }

// Serve writes the document as an HTTP download. Its headers go out with
// the first bytes, so a document refused before it starts is still
// answered by the caller as an error; started says whether anything left.
func Serve(w http.ResponseWriter, d Document) (started bool, err error) {
	hw := &headerWriter{w: w, d: d}
	err = d.Write(hw)
	if err == nil && !hw.started {
		hw.begin() // an empty file is still a file
	}
	return hw.started, err
}

// headerWriter sends the download's headers before its first byte.
type headerWriter struct {
	w       http.ResponseWriter
	d       Document
	started bool
}

func (h *headerWriter) begin() {
	h.started = true
	hd := h.w.Header()
	hd.Set("Content-Type", h.d.Format.ContentType())
	hd.Set("Content-Disposition", ContentDisposition(h.d.Name))
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	h.w.WriteHeader(http.StatusOK)
}

func (h *headerWriter) Write(p []byte) (int, error) {
	if !h.started {
		h.begin()
	}
	return h.w.Write(p)
}

// ContentDisposition names a download: the plain ASCII name for every
// browser, and the French name with its accents (RFC 6266) for those that
// read it.
func ContentDisposition(name string) string {
	plain := sheet.Filename(asciiFold(name))
	return `attachment; filename="` + plain + `"; filename*=UTF-8''` + url.PathEscape(name)
}

var folds = strings.NewReplacer("é", "e", "è", "e", "ê", "e", "ë", "e", "à", "a", "â", "a", "ä", "a", "î", "i", "ï", "i",
	"ô", "o", "ö", "o", "ù", "u", "û", "u", "ü", "u", "ç", "c", "œ", "oe", "æ", "ae", "É", "E", "È", "E", "Ê", "E", "À", "A",
	"Â", "A", "Î", "I", "Ô", "O", "Û", "U", "Ç", "C", "Œ", "OE", "Æ", "AE", "’", "-", "'", "-")

func asciiFold(s string) string { return folds.Replace(s) }

// slug writes a name for a file name: lower case, dashes between words.
func slug(s string) string {
	s = strings.ToLower(asciiFold(s))
	var b strings.Builder
	dash := false
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimSuffix(b.String(), "-")
	if len(out) > 40 {
		out = strings.TrimSuffix(out[:40], "-")
	}
	return out
}

// fileName joins the parts of a file name and its extension.
func fileName(f Format, parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "-") + "." + string(f)
}

// seq turns a store read that calls back row by row into the iterator the
// document package reads; the read stops when the document stops.
func seq[S, D any](read func(fn func(S) error) error, conv func(S) D) iter.Seq2[D, error] {
	return func(yield func(D, error) bool) {
		stopped := false
		err := read(func(s S) error {
			if !yield(conv(s), nil) {
				stopped = true
				return errStop
			}
			return nil
		})
		if err != nil && !stopped {
			var zero D
			yield(zero, err)
		}
	}
}

type stopError struct{}

func (stopError) Error() string { return "stopped" }

var errStop error = stopError{}

// notFound is what an organisation reads of another's document.
func notFound(what string) error { return passnum.NotFound(what) }

// funders returns the programme's funders with their names, in the order
// of the programme's funders (the columns of the documents).
func funders(ctx context.Context, tx *store.Tx, programmeID string) ([]document.Funder, error) {
	st, err := tx.FunderStatements(ctx, programmeID, "")
	if err != nil {
		return nil, err
	}
	out := make([]document.Funder, 0, len(st))
	for _, s := range st {
		out = append(out, document.Funder{OrganisationID: s.FunderID, Name: s.FunderName, ShareBps: s.ShareBps})
	}
	return out, nil
}

// canReadSettlement says whether who may read a settlement of programme:
// the operator, and the funders of the programme. A place's own line is
// decided where it is read (placeID).
func canReadProgramme(ctx context.Context, tx *store.Tx, who passnum.Actor, programmeID string) (bool, error) {
	switch who.Role {
	case passnum.RoleOperator:
		return true, nil
	case passnum.RoleFunder:
		return tx.IsProgrammeFunder(ctx, programmeID, who.OrganisationID)
	}
	return false, nil
}
