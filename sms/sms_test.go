package sms

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNormalise(t *testing.T) {
	for in, want := range map[string]string{"06 12 34 56 78": "+33612345678", "+33 7 12 34 56 78": "+33712345678", "07.12.34.56.78": "+33712345678", "0033612345678": "+33612345678"} {
		if got, err := Normalise(in); err != nil || got != want {
			t.Errorf("Normalise(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "03 81 00 00 00", "06 12 34 56", "06 12 34 56 7a", "+44 7700 900123"} {
		if got, err := Normalise(in); err == nil {
			t.Errorf("Normalise(%q) = %q, want an error", in, got)
		}
	}
}

func TestOutbox(t *testing.T) {
	dir := t.TempDir()
	o := Outbox{Dir: dir}
	if err := o.Send(context.Background(), "06 12 34 56 78", "Bonjour"); err != nil {
		t.Fatal(err)
	}
	if err := o.Send(context.Background(), "03 81 00 00 00", "Non"); err == nil {
		t.Fatal("a landline accepted")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.sms"))
	if len(files) != 1 {
		t.Fatalf("%d files", len(files))
	}
	b, _ := os.ReadFile(files[0])
	if !strings.HasPrefix(string(b), "+33612345678\nBonjour") {
		t.Fatalf("%q", b)
	}
}
