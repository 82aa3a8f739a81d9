package paydoc

import (
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestFileNames(t *testing.T) {
	cases := []struct{ in, plain, utf8 string }{
		{fileName(PDF, "relevé-de-remboursement", "PN-20261130-0007", slug("Médiathèque Pierre-Bayle")),
			`filename="releve-de-remboursement-PN-20261130-0007-mediatheque-pierre-bayle.pdf"`,
			`filename*=UTF-8''relev%C3%A9-de-remboursement-PN-20261130-0007-mediatheque-pierre-bayle.pdf`},
		{fileName(PDF, "bilan-de-clôture", slug("Pass numérique BFC 2026"), slug("État")),
			`filename="bilan-de-cloture-pass-numerique-bfc-2026-etat.pdf"`, `filename*=UTF-8''bilan-de-cl%C3%B4ture-pass-num`},
		{fileName(CSV, "export-comptable", "PN-1", slug("")), `filename="export-comptable-PN-1.csv"`, ""},
	}
	for _, c := range cases {
		cd := ContentDisposition(c.in)
		if !strings.HasPrefix(cd, "attachment; ") || !strings.Contains(cd, c.plain) || !strings.Contains(cd, c.utf8) {
			t.Errorf("%q: %s", c.in, cd)
		}
	}
	if s := slug("L'Atelier « numérique » du Grand-Besançon, centre social et culturel des Clairs-Soleils"); len(s) > 40 || strings.HasSuffix(s, "-") || !strings.HasPrefix(s, "l-atelier-numerique") {
		t.Errorf("slug %q", s)
	}
}

// A document refused before its first byte sends no header: the caller
// still answers with the error; one that writes sends its headers first.
func TestServe(t *testing.T) {
	refused := Document{Name: "x.pdf", Format: PDF, write: func(w io.Writer) error { return errors.New("refusé") }}
	rec := httptest.NewRecorder()
	started, err := Serve(rec, refused)
	if started || err == nil || rec.Header().Get("Content-Type") != "" {
		t.Fatalf("refused: started %v, err %v, headers %v", started, err, rec.Header())
	}
	ok := Document{Name: "relevé.csv", Format: CSV, write: func(w io.Writer) error { _, err := w.Write([]byte("a;b\r\n")); return err }}
	rec = httptest.NewRecorder()
	started, err = Serve(rec, ok)
	if !started || err != nil || rec.Header().Get("Content-Type") != "text/csv; charset=utf-8" || rec.Header().Get("Cache-Control") != "no-store" || rec.Body.String() != "a;b\r\n" {
		t.Fatalf("served: %v %v %v %q", started, err, rec.Header(), rec.Body.String())
	}
}
