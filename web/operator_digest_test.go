package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"passnum"
)

// TestOperatorDigests shows the signed daily digest to the operator, with
// its public key, and to nobody else.
func TestOperatorDigests(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		op := st.as(passnum.RoleOperator)
		if a := op.get("/operateur/empreintes"); a.Status != http.StatusOK || !a.has("Aucune empreinte signée") {
			t.Fatalf("before any digest: %d\n%s", a.Status, a.Body)
		}
		ctx := context.Background()
		if _, err := st.s.Seal(ctx); err != nil {
			t.Fatal(err)
		}
		d, _, err := st.s.DailyDigest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		a := op.get("/operateur/empreintes")
		// html/template writes base64's "+" as "&#43;".
		for _, want := range []string{d.Day, d.Hash, d.PublicKey, d.Signature} {
			if a.Status != http.StatusOK || !a.has(strings.ReplaceAll(want, "+", "&#43;")) {
				t.Fatalf("the page lacks %q: %d\n%s", want, a.Status, a.Body)
			}
		}
		if a := st.as(passnum.RoleFunder).get("/operateur/empreintes"); a.Status == http.StatusOK {
			t.Fatalf("a funder sees the operator's digests")
		}
	})
}
