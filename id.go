package passnum

import (
	"crypto/rand"
	"encoding/binary"
	"sync"
	"time"
)

const idAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"

var idState struct {
	sync.Mutex
	ms     uint64
	hi, lo uint64 // the 80 random bits: 16 in hi, 64 in lo
}

// NewID returns a 26-character identifier: 48 bits of milliseconds then 80
// random bits, in lower-case Crockford base32. Ids sort by creation time,
// which keeps indexes compact and gives stable "newest first" cursors;
// within one millisecond of one process they keep increasing.
func NewID(now time.Time) string {
	ms := uint64(now.UnixMilli())
	idState.Lock()
	if ms == idState.ms && idState.lo+1 != 0 {
		idState.lo++
	} else {
		var b [10]byte
		if _, err := rand.Read(b[:]); err != nil {
			panic("crypto/rand: " + err.Error())
		}
		idState.ms = ms
		idState.hi = uint64(binary.BigEndian.Uint16(b[:2]))
		idState.lo = binary.BigEndian.Uint64(b[2:]) >> 1 // room to count up
	}
	hi := ms<<16 | idState.hi
	lo := idState.lo
	idState.Unlock()
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
	if len(s) != 26 || s[0] > '7' {
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
