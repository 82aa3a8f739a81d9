package passnum

import "testing"

// TestEveryValueHasFrenchWords: no status or role is ever shown by its
// internal code, and no two values of one kind share a word.
func TestEveryValueHasFrenchWords(t *testing.T) {
	kinds := []struct {
		name   string
		values []string
		label  func(string) string
	}{
		{"role", []string{string(RoleOperator), string(RoleFunder), string(RoleDistributor), string(RolePlace)}, func(s string) string { return Role(s).Label() }},
		{"pass", []string{PassUnassigned, PassAssigned, PassRedeemed, PassBlocked, PassExpired}, PassStatusLabel},
		{"booklet", []string{BookletInStock, BookletAllocated, BookletHandedOut, BookletBlocked}, BookletStatusLabel},
		{"organisation", []string{OrgActive, OrgPending, OrgLabelled, OrgSuspended, OrgRefused, OrgWithdrawn}, OrgStatusLabel},
		{"bank details", []string{BankPending, BankApproved, BankRejected, BankReplaced}, BankStatusLabel},
	}
	for _, k := range kinds {
		seen := map[string]string{}
		for _, v := range k.values {
			w := k.label(v)
			if w == "" || w == v {
				t.Errorf("%s %q has no French word (%q)", k.name, v, w)
			}
			if other, dup := seen[w]; dup {
				t.Errorf("%s %q and %q are both %q", k.name, other, v, w)
			}
			seen[w] = v
		}
	}
}
