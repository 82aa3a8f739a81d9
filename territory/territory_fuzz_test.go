package territory

import (
	"testing"
)

// FuzzFindCommunes: whatever is typed in a commune field, the look-up
// never panics; what it finds exists; suggestions come only when nothing
// matched exactly, 12 at most; and a commune's own code or name finds it.
func FuzzFindCommunes(f *testing.F) {
	for _, s := range []string{"25056", "25000", "Besançon", "besancon", "St-Claude", "Saint Claude", "L'Abergement", "75", "750", "75001",
		"Paris", "  ", "", "0", "99999", "é", "Ｂｅｓａｎçon", "--", "'", "Châlon", "\x00", "a\u0301"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, typed string) {
		exact, suggestions := FindCommunes(typed)
		if len(exact) > 0 && len(suggestions) > 0 {
			t.Fatalf("%q: both exact matches and suggestions", typed)
		}
		if len(suggestions) > 12 {
			t.Fatalf("%q: %d suggestions", typed, len(suggestions))
		}
		for _, c := range append(exact, suggestions...) {
			if got, ok := LookupCommune(c.Code); !ok || got.Name != c.Name {
				t.Fatalf("%q found %+v, which does not exist", typed, c)
			}
		}
		SearchCommunes(typed, 10)
		Fold(typed)
	})
}
