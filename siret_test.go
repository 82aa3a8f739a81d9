package passnum

import "testing"

func TestValidSIRET(t *testing.T) {
	tests := []struct {
		name  string
		siret string
		want  bool
	}{
		{"Luhn key", "73282932000074", true},
		{"another Luhn key", "44306184100047", true},
		{"Luhn key off by one", "73282932000075", false},
		{"La Poste head office follows Luhn", "35600000000048", true},
		{"La Poste establishment: digits sum to 45", "35600000049837", true},
		{"La Poste establishment: digits sum to 15", "35600000000001", true},
		{"La Poste establishment: digits sum to 16", "35600000000002", false},
		{"La Poste: a Luhn key is not enough (sum 19)", "35600000000014", false},
		{"La Poste: Luhn key with sum 15 passes both", "35600000000006", true},
		{"13 digits", "7328293200007", false},
		{"15 digits", "732829320000740", false},
		{"SIREN only", "732829320", false},
		{"empty", "", false},
		{"letters", "73282932OOOO74", false},
		{"spaces", "732 829 320 00074", false},
		{"sign", "-7328293200007", false},
		{"non-ASCII digits", "７３２８２９３２０００７４", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidSIRET(tt.siret); got != tt.want {
				t.Fatalf("ValidSIRET(%q) = %v, want %v", tt.siret, got, tt.want)
			}
		})
	}
}

// The Luhn key catches every single mistyped digit.
func TestValidSIRETCatchesEverySubstitution(t *testing.T) {
	for _, siret := range []string{"73282932000074", "44306184100047", "35600000000048"} {
		for pos := 0; pos < len(siret); pos++ {
			for d := byte('0'); d <= '9'; d++ {
				if d == siret[pos] {
					continue
				}
				typo := siret[:pos] + string(d) + siret[pos+1:]
				if typo[:9] == laPosteSIREN && typo != "35600000000048" {
					continue // La Poste's own rule, tested above
				}
				if ValidSIRET(typo) {
					t.Errorf("ValidSIRET(%q) = true: typo at position %d of %s not caught", typo, pos, siret)
				}
			}
		}
	}
}
