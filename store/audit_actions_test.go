package store

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"passnum"
)

// TestEveryAuditActionNamed reads the store's code for the actions it
// writes to the audit trail and requires each to have its French words in
// passnum.AuditActions, so that no page ever shows a raw action code.
func TestEveryAuditActionNamed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	literal := regexp.MustCompile(`tx\.audit\(ctx, [^,]+, "([a-z_]+\.[a-z_]+)"|Action: +"([a-z_]+\.[a-z_]+)"`)
	found := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
			found[m[1]+m[2]] = true
		}
	}
	// Actions built from a status or a purpose.
	for _, s := range []passnum.OrgStatus{passnum.OrgLabelled, passnum.OrgRefused, passnum.OrgSuspended, passnum.OrgWithdrawn} {
		found["place."+string(s)] = true
	}
	for _, p := range []string{LinkInvite, LinkReset} {
		found["user."+p+"_link"] = true
	}
	if len(found) < 40 {
		t.Fatalf("found only %d actions: the test no longer reads the code", len(found))
	}
	for a := range found {
		if _, ok := passnum.AuditActions[a]; !ok {
			t.Errorf("the audit action %q has no French words in passnum.AuditActions (audit.go)", a)
		}
	}
}
