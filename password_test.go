package passnum

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
)

func TestPasswordHash(t *testing.T) {
	h := HashPassword("une phrase de passe")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not argon2id with OWASP's parameters in PHC format", h)
	}
	if !PasswordMatches(h, "une phrase de passe") {
		t.Fatal("the right password does not match")
	}
	for _, wrong := range []string{"", "une phrase de pass", "Une phrase de passe"} {
		if PasswordMatches(h, wrong) {
			t.Errorf("%q matches", wrong)
		}
	}
	if h2 := HashPassword("une phrase de passe"); h2 == h {
		t.Error("two hashes of the same password are equal: the salt is not random")
	}
	for _, bad := range []string{"", "$argon2id$", "$bcrypt$v=19$m=1,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=0,t=1,p=1$AAAA$AAAA",
		"$argon2id$v=19$m=4194304,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		if PasswordMatches(bad, "x") {
			t.Errorf("unreadable hash %q matches", bad)
		}
	}
}

// oldHash makes a hash with the parameters used before (64 MiB, 1 pass,
// 2 lanes), as stored in existing databases.
func oldHash(pw string) string {
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte(pw), salt, 1, 64*1024, 2, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=19$m=65536,t=1,p=2$%s$%s", b64.EncodeToString(salt), b64.EncodeToString(key))
}

func TestPasswordHasherOldHashes(t *testing.T) {
	h := NewPasswordHasher(PasswordHasherLimits{Concurrent: 1})
	old := oldHash("une phrase de passe")
	c, err := h.Check(t.Context(), old, "une phrase de passe")
	if err != nil || !c.Match || !c.Outdated {
		t.Fatalf("an old hash: %+v %v; want a match to upgrade", c, err)
	}
	if c, _ := h.Check(t.Context(), old, "autre chose"); c.Match || c.Outdated {
		t.Fatalf("a wrong password on an old hash: %+v", c)
	}
	c, err = h.Check(t.Context(), HashPassword("une phrase de passe"), "une phrase de passe")
	if err != nil || !c.Match || c.Outdated {
		t.Fatalf("a current hash: %+v %v", c, err)
	}
	// No hash (no account): checked against the decoy, never a match.
	if c, err := h.Check(t.Context(), "", "pas de compte pour cette adresse"); err != nil || c.Match {
		t.Fatalf("no hash: %+v %v", c, err)
	}
	if n := h.Checks(); n != 4 {
		t.Fatalf("%d checks counted, want 4", n)
	}
}

// Beyond its slots and its queue, the hasher refuses at once, as busy,
// with a wait to retry after; a waiting check gives up at its deadline.
func TestPasswordHasherBounds(t *testing.T) {
	h := NewPasswordHasher(PasswordHasherLimits{Concurrent: 1, Queue: 1, Wait: time.Hour})
	// Hold the only slot.
	if err := h.acquire(t.Context()); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	waiting := make(chan error, 1)
	wg.Go(func() {
		_, err := h.Check(context.Background(), "", "x")
		waiting <- err
	})
	for h.waiting.Load() != 1 {
		time.Sleep(time.Millisecond)
	}
	// The queue is full: refused without waiting.
	_, err := h.Check(t.Context(), "", "x")
	e, ok := err.(*Error)
	if !ok || e.Code != EBUSY || e.RetryAfter <= 0 {
		t.Fatalf("over the queue: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	h2 := NewPasswordHasher(PasswordHasherLimits{Concurrent: 1, Queue: 5, Wait: time.Hour})
	if err := h2.acquire(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := h2.Hash(ctx, "x"); ErrorCode(err) != EBUSY {
		t.Fatalf("a cancelled wait: %v", err)
	}
	// The slot frees: the waiting check runs.
	h.release()
	if err := <-waiting; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
}

func TestCheckNewPassword(t *testing.T) {
	if err := CheckNewPassword("court"); err == nil || !strings.Contains(err.Error(), "12 caractères") {
		t.Errorf("short password: %v", err)
	}
	if err := CheckNewPassword("assez longue phrase"); err != nil {
		t.Errorf("good password refused: %v", err)
	}
}
