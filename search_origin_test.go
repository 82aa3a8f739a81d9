package passnum

import (
	"errors"
	"strings"
	"testing"
)

// wantError checks err's code and returns it.
func wantError(t *testing.T, err error, code string) *Error {
	t.Helper()
	if got := ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
	var e *Error
	errors.As(err, &e)
	return e
}

func TestResolveOrigin(t *testing.T) {
	o, err := ResolveOrigin("25056", "")
	if err != nil || o.Commune != "Besançon" || o.Postcode != "25000" || o.Note != "" {
		t.Fatalf("%+v %v", o, err)
	}
	o, err = ResolveOrigin("", "25000")
	if err != nil || o.CommuneINSEE != "25056" || o.Note != "" || len(o.OtherCommunes) != 0 {
		t.Fatalf("%+v %v", o, err)
	}
	// 39100 serves Dole and thirteen villages around it: the search
	// starts from Dole, the biggest, and says so.
	o, err = ResolveOrigin("", "39100")
	if err != nil || o.CommuneINSEE != "39198" || o.Commune != "Dole" || len(o.OtherCommunes) != 13 ||
		!strings.Contains(o.Note, "plusieurs communes") || !strings.Contains(o.Note, "Dole (39198)") || !strings.Contains(o.Note, "Authume (39030)") {
		t.Fatalf("%+v %v", o, err)
	}
	// A postcode of Paris starts from its district, not the city's centre.
	o, err = ResolveOrigin("", "75001")
	if err != nil || o.CommuneINSEE != "75101" || len(o.OtherCommunes) != 0 {
		t.Fatalf("%+v %v", o, err)
	}
	refusals := []struct {
		commune, postcode, field, says string
	}{
		{"99999", "", "commune", "aucune commune ne porte le code INSEE 99999"},
		{"25000", "", "commune", "25000 est un code postal, pas un code INSEE : cherchez avec postcode=25000, ou avec commune=25056 (Besançon)"},
		{"besancon", "", "commune", "Besançon : commune=25056"},
		{"zzzz", "", "commune", "n'est pas un code INSEE"},
		{"", "99999", "postcode", "aucune commune n'a le code postal 99999"},
		{"", "2500", "postcode", "5 chiffres"},
		{"25056", "25000", "commune", "pas les deux"},
		{"", "", "commune", "commune=25056"},
	}
	for _, r := range refusals {
		_, err := ResolveOrigin(r.commune, r.postcode)
		e := wantError(t, err, EINVALID)
		if len(e.Fields) != 1 || e.Fields[0].Field != r.field || !strings.Contains(e.Fields[0].Detail, r.says) {
			t.Fatalf("%q/%q: %+v", r.commune, r.postcode, e.Fields)
		}
	}
	_, err = ResolveOrigin("besancon", "")
	if sug, _ := wantError(t, err, EINVALID).Extra["suggestions"].([]SearchCommune); len(sug) == 0 || sug[0].Code != "25056" {
		t.Fatalf("suggestions: %+v", err)
	}
}
