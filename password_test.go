package passnum

import (
	"strings"
	"testing"
)

func TestPasswordHash(t *testing.T) {
	h := HashPassword("une phrase de passe")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=1,p=2$") {
		t.Fatalf("hash %q is not argon2id in PHC format", h)
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
	for _, bad := range []string{"", "$argon2id$", "$bcrypt$v=19$m=1,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=0,t=1,p=1$AAAA$AAAA"} {
		if PasswordMatches(bad, "x") {
			t.Errorf("unreadable hash %q matches", bad)
		}
	}
}

func TestCheckNewPassword(t *testing.T) {
	if err := CheckNewPassword("court"); err == nil || !strings.Contains(err.Error(), "12 caractères") {
		t.Errorf("short password: %v", err)
	}
	if err := CheckNewPassword("assez longue phrase"); err != nil {
		t.Errorf("good password refused: %v", err)
	}
}
