package passnum

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// The second factor: a TOTP application (RFC 6238, 6 digits every 30
// seconds) and one-time recovery codes for the day the phone is lost.

// totpPeriod is the length of a TOTP time step.
const totpPeriod = 30

// TOTPStep finds the time step whose code is code: now's, or the one just
// before or after (a phone's clock a little off). ok is false when none
// matches. The store refuses a step already used by the same person (RFC
// 6238 §5.2: a code is accepted once).
func TOTPStep(secret, code string, now time.Time) (step int64, ok bool) {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" || secret == "" {
		return 0, false
	}
	current := now.Unix() / totpPeriod
	// The latest matching step wins, so that a code typed at the edge of
	// a period is not taken for the previous one.
	for _, s := range []int64{current + 1, current, current - 1} {
		want, err := totpCode(secret, time.Unix(s*totpPeriod, 0))
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

func totpCode(secret string, at time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// RecoveryCodeCount is how many recovery codes a person gets at a time.
const RecoveryCodeCount = 10

// recoveryAlphabet is Crockford's base32, as for pass codes.
const recoveryAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewRecoveryCodes draws RecoveryCodeCount codes of 16 symbols (80 random
// bits each), written in four groups: "K7QF-3M9T-XR2P-8HWC".
func NewRecoveryCodes() []string {
	out := make([]string, RecoveryCodeCount)
	for i := range out {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			panic(err)
		}
		var sb strings.Builder
		for j, c := range b {
			if j > 0 && j%4 == 0 {
				sb.WriteByte('-')
			}
			sb.WriteByte(recoveryAlphabet[c&31])
		}
		out[i] = sb.String()
	}
	return out
}

// NormaliseRecoveryCode reads a recovery code as typed: case, spaces and
// dashes do not matter, O reads as 0 and I or L as 1. It returns "" when
// the text cannot be a recovery code.
func NormaliseRecoveryCode(s string) string {
	s = strings.ToUpper(s)
	s = strings.NewReplacer(" ", "", "-", "", "\u00a0", "", "O", "0", "I", "1", "L", "1").Replace(s)
	if len(s) != 16 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(recoveryAlphabet, s[i]) < 0 {
			return ""
		}
	}
	return s
}

// HashRecoveryCode is what is stored of a person's recovery code: a
// SHA-256 of the code (80 random bits: no slow hash needed) salted with
// the person's id.
func HashRecoveryCode(userID, code string) string {
	h := sha256.Sum256([]byte(userID + ":" + NormaliseRecoveryCode(code)))
	return hex.EncodeToString(h[:])
}
