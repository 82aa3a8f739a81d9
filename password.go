package passnum

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password hashing: argon2id with OWASP's parameters for servers short of
// memory (19 MiB, 2 passes, 1 lane), in the PHC string format, so that a
// stored hash carries its own parameters and older ones keep verifying.
//
// Why not RFC 9106's options: the first asks 2 GiB per hash, the second
// 64 MiB with 4 lanes. On the 2-core, modest server this runs on, 64 MiB
// per sign-in is what let a burst of sign-ins take gigabytes, and 4 lanes
// would make one hash fight the whole machine for its cores. OWASP's 19 MiB
// × 2 passes costs an attacker about as much per guess (memory × passes)
// as 64 MiB × 1 pass did, for a third of the memory, on one core; and a
// PasswordHasher bounds how many run at once.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024 // KiB
	argonThreads = 1
	argonKeyLen  = 32
	// maxArgonMemory refuses a stored hash asking for more memory than any
	// hash this program ever wrote (64 MiB before OWASP's parameters).
	maxArgonMemory = 64 * 1024
)

// MinPasswordLength is the shortest password accepted (ANSSI recommends
// at least 12 characters for a password alone).
const MinPasswordLength = 12

// CheckNewPassword says what is wrong with a password chosen by a person.
func CheckNewPassword(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLength {
		return Invalid(FieldError{Field: "password", Detail: fmt.Sprintf("%d caractères au moins : une phrase de passe de quelques mots convient bien", MinPasswordLength)})
	}
	if len(pw) > 1024 {
		return Invalid(FieldError{Field: "password", Detail: "1024 octets au plus"})
	}
	return nil
}

// HashPassword returns the argon2id hash of pw in PHC format, with the
// current parameters. It is not bounded: servers hash through a
// PasswordHasher; the command line and the demo seed call it directly.
func HashPassword(pw string) string {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		panic(err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// PasswordMatches reports whether pw matches a hash made by HashPassword,
// with the parameters the hash names. An empty or unreadable hash never
// matches.
func PasswordMatches(hash, pw string) bool {
	match, _ := checkPassword(hash, pw)
	return match
}

// checkPassword says whether pw matches hash and whether hash was made
// with the current parameters.
func checkPassword(hash, pw string) (match, current bool) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, false
	}
	var version int
	var memory, time uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &time, &threads); err != nil || memory == 0 || time == 0 || threads == 0 || memory > maxArgonMemory || time > 10 {
		return false, false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 64 {
		return false, false
	}
	got := argon2.IDKey([]byte(pw), salt, time, memory, threads, uint32(len(want)))
	current = memory == argonMemory && time == argonTime && threads == argonThreads && len(want) == argonKeyLen
	return subtle.ConstantTimeCompare(got, want) == 1, current
}

// decoyHash is what a sign-in for an address without an account is checked
// against, so that it takes as long as one for an account.
var decoyHash = sync.OnceValue(func() string { return HashPassword("pas de compte pour cette adresse") })

// PasswordHasher bounds the memory that password hashing takes: at most
// Concurrent hashes run at once (each takes argon2's memory, 19 MiB), the
// others wait in a short queue, and beyond the queue or the wait a sign-in
// is refused as "busy" rather than piling up hashes until the server runs
// out of memory.
type PasswordHasher struct {
	slots      chan struct{}
	waiting    atomic.Int64
	maxWaiting int64
	wait       time.Duration
	checks     atomic.Int64
}

// PasswordHasherLimits are the bounds of a PasswordHasher.
type PasswordHasherLimits struct {
	// Concurrent hashes at most; 0 is one per core, up to 4.
	Concurrent int
	// Queue is how many may wait for a slot (64 when 0).
	Queue int
	// Wait is how long one waits before being refused (3 s when 0).
	Wait time.Duration
}

// NewPasswordHasher returns a hasher with the given bounds.
func NewPasswordHasher(l PasswordHasherLimits) *PasswordHasher {
	if l.Concurrent <= 0 {
		l.Concurrent = min(max(runtime.GOMAXPROCS(0), 1), 4)
	}
	if l.Queue <= 0 {
		l.Queue = 64
	}
	if l.Wait <= 0 {
		l.Wait = 3 * time.Second
	}
	return &PasswordHasher{slots: make(chan struct{}, l.Concurrent), maxWaiting: int64(l.Queue), wait: l.Wait}
}

// busyRetry is what a refused sign-in is told to wait.
const busyRetry = 5 * time.Second

func errBusy() error {
	return &Error{Code: EBUSY, RetryAfter: busyRetry,
		Message: "Le serveur reçoit trop de connexions en même temps : réessayez dans quelques secondes."}
}

func (h *PasswordHasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	default:
	}
	if h.waiting.Add(1) > h.maxWaiting {
		h.waiting.Add(-1)
		return errBusy()
	}
	defer h.waiting.Add(-1)
	t := time.NewTimer(h.wait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-t.C:
		return errBusy()
	case <-ctx.Done():
		return errBusy()
	}
}

func (h *PasswordHasher) release() { <-h.slots }

// PasswordCheck is the outcome of checking a password.
type PasswordCheck struct {
	// Match: the password is the right one.
	Match bool
	// Outdated: it matched a hash made with older parameters, which
	// should be replaced by a hash made now (HashPassword).
	Outdated bool
}

// Check checks pw against hash. An empty hash (an address without an
// account, a person without a password yet) is checked against a decoy,
// so that it takes the same time, and never matches. It refuses with
// "busy" when too many hashes are running or waiting.
func (h *PasswordHasher) Check(ctx context.Context, hash, pw string) (PasswordCheck, error) {
	if err := h.acquire(ctx); err != nil {
		return PasswordCheck{}, err
	}
	defer h.release()
	h.checks.Add(1)
	if hash == "" {
		checkPassword(decoyHash(), pw)
		return PasswordCheck{}, nil
	}
	match, current := checkPassword(hash, pw)
	return PasswordCheck{Match: match, Outdated: match && !current}, nil
}

// Hash hashes a new password within the same bounds as Check.
func (h *PasswordHasher) Hash(ctx context.Context, pw string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	return HashPassword(pw), nil
}

// Checks counts the passwords this hasher has checked: what a test reads
// to know how many sign-in attempts were really evaluated.
func (h *PasswordHasher) Checks() int64 { return h.checks.Load() }
