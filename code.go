package passnum

import (
	"crypto/rand"
	"strings"
)

// A pass code is 15 random symbols (75 bits from crypto/rand) in Crockford's
// base32 alphabet, which has no I, L, O or U to confuse, followed by one
// check symbol, written in four groups of four: "K7QF-3M9T-XR2P-8HWC".
//
// The check symbol makes the code a word of a linear code over GF(32):
// sum(s_i * a^(n-1-i)) = 0 with a the primitive element x. A single changed
// symbol adds e*a^k, never zero; swapping neighbours a,b adds
// (a-b)*a^k*(a+1), never zero either: every single typo and every adjacent
// swap is caught, which a plain mod-32 sum would not do.
const (
	codeAlphabet   = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	codeDataLen    = 15
	codeLen        = codeDataLen + 1
	codeGroupLen   = 4
	gf32Polynomial = 0x25 // x^5 + x^2 + 1, irreducible over GF(2)
)

var codeValues = func() [256]int8 {
	var v [256]int8
	for i := range v {
		v[i] = -1
	}
	for i := 0; i < len(codeAlphabet); i++ {
		c := codeAlphabet[i]
		v[c] = int8(i)
		v[c|0x20] = int8(i) // lower case
	}
	// Forgiving reading: look-alikes map to the digit they resemble.
	for _, c := range "Oo" {
		v[c] = 0
	}
	for _, c := range "IiLl" {
		v[c] = 1
	}
	return v
}()

func gf32Double(v byte) byte {
	v <<= 1
	if v&0x20 != 0 {
		v ^= gf32Polynomial
	}
	return v
}

// checkSymbol returns the value that completes data into a valid code.
func checkSymbol(data []byte) byte {
	var acc byte
	for _, s := range data {
		acc = gf32Double(acc) ^ s
	}
	return gf32Double(acc)
}

// NewPassCode draws a fresh code in canonical form (16 symbols, no dashes).
func NewPassCode() string {
	var raw [codeDataLen]byte
	if _, err := rand.Read(raw[:]); err != nil {
		panic("crypto/rand: " + err.Error()) // never fails on supported platforms
	}
	var sym [codeLen]byte
	for i := range raw {
		sym[i] = raw[i] & 0x1f
	}
	sym[codeDataLen] = checkSymbol(sym[:codeDataLen])
	var out [codeLen]byte
	for i, s := range sym {
		out[i] = codeAlphabet[s]
	}
	return string(out[:])
}

// ParsePassCode reads a code as a person may type it (any case, spaces,
// dashes, O for 0, I or L for 1) and returns its canonical form. Codes of the
// wrong length, with foreign characters or a wrong check symbol are refused
// with EINVALIDCODE.
func ParsePassCode(s string) (string, error) {
	if len(s) > 64 {
		return "", Errorf(EINVALIDCODE, "Ce code de pass est trop long : un code compte 16 caractères.")
	}
	sym := make([]byte, 0, codeLen)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case ' ', '-', '\t', '.', '_':
			continue
		}
		v := codeValues[c]
		if v < 0 {
			return "", Errorf(EINVALIDCODE, "Le caractère %q ne peut pas figurer dans un code de pass : vérifiez la saisie.", string(rune(c)))
		}
		sym = append(sym, byte(v))
	}
	if len(sym) != codeLen {
		return "", Errorf(EINVALIDCODE, "Un code de pass compte 16 caractères, celui-ci en a %d : vérifiez la saisie.", len(sym))
	}
	var acc byte
	for _, v := range sym {
		acc = gf32Double(acc) ^ v
	}
	if acc != 0 {
		return "", Errorf(EINVALIDCODE, "Ce code de pass contient une faute de frappe : vérifiez chaque caractère.")
	}
	out := make([]byte, codeLen)
	for i, v := range sym {
		out[i] = codeAlphabet[v]
	}
	return string(out), nil
}

// FormatPassCode groups a canonical code for reading aloud.
func FormatPassCode(code string) string {
	var b strings.Builder
	for i := 0; i < len(code); i++ {
		if i > 0 && i%codeGroupLen == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(code[i])
	}
	return b.String()
}

// MaskPassCode hides all but the last group, for logs: codes are bearer secrets.
func MaskPassCode(code string) string {
	if len(code) <= codeGroupLen {
		return "****"
	}
	return "****-****-****-" + code[len(code)-codeGroupLen:]
}
