package passnum

import (
	"strings"
	"testing"
)

func FuzzParsePassCode(f *testing.F) {
	for _, seed := range []string{
		"",
		"K7QF-3M9T-XR2P-8HWC",
		"k7qf 3m9t xr2p 8hwc",
		"0000000000000000",
		"OOOO-IIII-LLLL-oooo",
		"ZZZZ-ZZZZ-ZZZZ-ZZZZ-",
		"UUUU-UUUU-UUUU-UUUU",
		"----------------------------------------------------------------------",
		"É7QF-3M9T-XR2P-8HWC",
		"\x00\xff\x80",
	} {
		f.Add(seed)
	}
	for i := 0; i < 8; i++ {
		c := NewPassCode()
		f.Add(c)
		f.Add(FormatPassCode(c))
		f.Add(strings.ToLower(c))
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParsePassCode(s)
		if err != nil {
			if ErrorCode(err) != EINVALIDCODE {
				t.Fatalf("ParsePassCode(%q): code %q, want %q", s, ErrorCode(err), EINVALIDCODE)
			}
			return
		}
		if len(c) != codeLen {
			t.Fatalf("ParsePassCode(%q) = %q: %d symbols, want %d", s, c, len(c), codeLen)
		}
		for i := 0; i < len(c); i++ {
			if strings.IndexByte(codeAlphabet, c[i]) < 0 {
				t.Fatalf("ParsePassCode(%q) = %q: symbol %q outside the alphabet", s, c, c[i])
			}
		}
		for _, form := range []string{c, FormatPassCode(c), strings.ToLower(FormatPassCode(c))} {
			back, err := ParsePassCode(form)
			if err != nil || back != c {
				t.Fatalf("ParsePassCode(%q) = %q, %v; want %q (accepted from %q)", form, back, err, c, s)
			}
		}
	})
}
