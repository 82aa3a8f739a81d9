// Package sepatest checks, in tests of any package, that a SEPA transfer
// file validates against the official pain.001.001.03 schema kept in the
// repository's testdata, with xmllint (Debian package libxml2-utils).
package sepatest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Schema is the path of the schema in the repository.
func Schema() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "pain.001.001.03.xsd")
}

// Validate fails the test when data does not validate against the schema.
// Without xmllint the test is skipped, except in CI where it fails.
func Validate(t testing.TB, data []byte) {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("xmllint is missing (Debian package libxml2-utils): the SEPA file cannot be checked against its schema")
		}
		t.Skip("xmllint is missing (Debian package libxml2-utils)")
	}
	file := filepath.Join(t.TempDir(), "pain.xml")
	if err := os.WriteFile(file, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("xmllint", "--noout", "--schema", Schema(), file).CombinedOutput(); err != nil {
		t.Fatalf("the file does not validate against pain.001.001.03.xsd: %v\n%s", err, out)
	}
}
