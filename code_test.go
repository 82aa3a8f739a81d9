package passnum

import (
	"strings"
	"testing"
)

// sampleCodes draws n fresh codes; the tests below work on any of them.
func sampleCodes(t *testing.T, n int) []string {
	t.Helper()
	codes := make([]string, n)
	for i := range codes {
		codes[i] = NewPassCode()
	}
	return codes
}

// completeCode returns data (15 symbols) followed by the one check symbol
// ParsePassCode accepts, found by trying all 32.
func completeCode(t *testing.T, data string) string {
	t.Helper()
	var found []string
	for i := 0; i < len(codeAlphabet); i++ {
		c := data + string(codeAlphabet[i])
		if _, err := ParsePassCode(c); err == nil {
			found = append(found, c)
		}
	}
	if len(found) != 1 {
		t.Fatalf("data %s: %d check symbols accepted, want exactly 1: %v", data, len(found), found)
	}
	return found[0]
}

func wantInvalidCode(t *testing.T, input string) {
	t.Helper()
	got, err := ParsePassCode(input)
	if err == nil {
		t.Fatalf("ParsePassCode(%q) = %q, want refusal", input, got)
	}
	if ErrorCode(err) != EINVALIDCODE {
		t.Fatalf("ParsePassCode(%q): code %q, want %q (%v)", input, ErrorCode(err), EINVALIDCODE, err)
	}
	if ErrorMessage(err) == "" {
		t.Fatalf("ParsePassCode(%q): empty message", input)
	}
}

func TestNewPassCodeShape(t *testing.T) {
	const n = 2000
	seen := make(map[string]bool, n)
	var perPosition [codeLen][32]int
	for _, c := range sampleCodes(t, n) {
		if len(c) != codeLen {
			t.Fatalf("code %q has %d symbols, want %d", c, len(c), codeLen)
		}
		for i := 0; i < len(c); i++ {
			k := strings.IndexByte(codeAlphabet, c[i])
			if k < 0 {
				t.Fatalf("code %q: symbol %q outside the alphabet", c, c[i])
			}
			perPosition[i][k]++
		}
		if got, err := ParsePassCode(c); err != nil || got != c {
			t.Fatalf("ParsePassCode(%q) = %q, %v; a fresh code must parse to itself", c, got, err)
		}
		if seen[c] {
			t.Fatalf("code %q drawn twice in %d", c, n)
		}
		seen[c] = true
	}
	// 15 random symbols of 5 bits: every symbol shows up at every data
	// position, near the expected n/32 = 62.5 (bounds are ~6 standard
	// deviations away, so a fair generator never fails them).
	for pos := 0; pos < codeDataLen; pos++ {
		for k, count := range perPosition[pos] {
			if count < 20 || count > 110 {
				t.Errorf("position %d: symbol %c drawn %d times in %d codes, want about %d", pos, codeAlphabet[k], count, n, n/32)
			}
		}
	}
	// The check symbol depends on the data, so it is spread as well.
	for k, count := range perPosition[codeDataLen] {
		if count == 0 {
			t.Errorf("check symbol %c never drawn in %d codes", codeAlphabet[k], n)
		}
	}
}

func TestParsePassCodeCatchesEverySubstitution(t *testing.T) {
	for _, code := range sampleCodes(t, 200) {
		for pos := 0; pos < codeLen; pos++ {
			for k := 0; k < len(codeAlphabet); k++ {
				if codeAlphabet[k] == code[pos] {
					continue
				}
				typo := code[:pos] + string(codeAlphabet[k]) + code[pos+1:]
				wantInvalidCode(t, typo)
			}
		}
	}
}

func TestParsePassCodeCatchesEveryAdjacentSwap(t *testing.T) {
	for _, code := range sampleCodes(t, 200) {
		for pos := 0; pos+1 < codeLen; pos++ {
			if code[pos] == code[pos+1] {
				continue // swapping equal symbols changes nothing
			}
			b := []byte(code)
			b[pos], b[pos+1] = b[pos+1], b[pos]
			wantInvalidCode(t, string(b))
		}
	}
}

func TestParsePassCodeForgiving(t *testing.T) {
	// A code with 0 and 1 in it, to read them back from O, I and L.
	code := completeCode(t, "01ABCDEFGHJK0M1")
	grouped := FormatPassCode(code)
	tests := []struct {
		name  string
		input string
	}{
		{"canonical", code},
		{"grouped", grouped},
		{"lower case", strings.ToLower(grouped)},
		{"mixed case", strings.ToLower(code[:8]) + code[8:]},
		{"spaces", strings.ReplaceAll(grouped, "-", " ")},
		{"surrounding spaces", "  " + grouped + "\t"},
		{"dots and underscores", strings.ReplaceAll(strings.ReplaceAll(grouped, "-", "."), "0", "_0")},
		{"double dashes", strings.ReplaceAll(grouped, "-", "--")},
		{"O for 0", strings.ReplaceAll(code, "0", "O")},
		{"o for 0", strings.ReplaceAll(code, "0", "o")},
		{"I for 1", strings.ReplaceAll(code, "1", "I")},
		{"i for 1", strings.ReplaceAll(code, "1", "i")},
		{"L for 1", strings.ReplaceAll(code, "1", "L")},
		{"l for 1", strings.ReplaceAll(code, "1", "l")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParsePassCode(tt.input)
			if err != nil {
				t.Fatalf("ParsePassCode(%q): %v", tt.input, err)
			}
			if got != code {
				t.Fatalf("ParsePassCode(%q) = %q, want %q", tt.input, got, code)
			}
		})
	}
}

func TestParsePassCodeRefuses(t *testing.T) {
	code := completeCode(t, "K7QF3M9TXR2P8HW")
	tests := []struct {
		name  string
		input string
	}{
		{"empty", ""},
		{"only separators", "----  ----"},
		{"one symbol short", code[:15]},
		{"one symbol too many", code + "0"},
		{"twice the code", code + code},
		{"U is not in the alphabet", code[:3] + "U" + code[4:]},
		{"u is not in the alphabet", code[:3] + "u" + code[4:]},
		{"punctuation", code[:15] + "*"},
		{"slash", code[:8] + "/" + code[8:]},
		{"accented letter", "É" + code[1:]},
		{"emoji", code[:15] + "😀"},
		{"NUL byte", code[:15] + "\x00"},
		{"too long even if only spaces", code + strings.Repeat(" ", 60)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantInvalidCode(t, tt.input) })
	}
}

func TestFormatAndMaskPassCode(t *testing.T) {
	tests := []struct {
		code, formatted, masked string
	}{
		{"K7QF3M9TXR2P8HWC", "K7QF-3M9T-XR2P-8HWC", "****-****-****-8HWC"},
		{"0000111122223333", "0000-1111-2222-3333", "****-****-****-3333"},
		{"ABC", "ABC", "****"},
		{"", "", "****"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			if got := FormatPassCode(tt.code); got != tt.formatted {
				t.Errorf("FormatPassCode(%q) = %q, want %q", tt.code, got, tt.formatted)
			}
			if got := MaskPassCode(tt.code); got != tt.masked {
				t.Errorf("MaskPassCode(%q) = %q, want %q", tt.code, got, tt.masked)
			}
		})
	}
	for _, c := range sampleCodes(t, 100) {
		if got, err := ParsePassCode(FormatPassCode(c)); err != nil || got != c {
			t.Fatalf("ParsePassCode(FormatPassCode(%q)) = %q, %v", c, got, err)
		}
	}
}
