package passnum

import (
	"crypto/rand"
	"encoding/binary"
	"time"
)

const idAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// NewID returns a 26-character identifier: 48 bits of milliseconds then 80
// random bits, in lower-case Crockford base32. Ids sort by creation time,
// which keeps indexes compact and gives stable "newest first" cursors.
func NewID(now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16)
	if _, err := rand.Read(b[6:]); err != nil {
		panic("crypto/rand: " + err.Error())
	}
	hi := binary.BigEndian.Uint64(b[:8])
	lo := binary.BigEndian.Uint64(b[8:])
	var out [26]byte
	// 128 bits in 26 symbols of 5 bits (130 bits: the top two are zero).
	for i := 25; i >= 0; i-- {
		out[i] = idAlphabet[lo&0x1f]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}

// ValidID reports whether s has the shape of an id, so that a malformed id
// in a path is answered "not found" without a database round trip.
func ValidID(s string) bool {
	if len(s) != 26 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z') || c == 'i' || c == 'l' || c == 'o' || c == 'u' {
			return false
		}
	}
	return true
}
