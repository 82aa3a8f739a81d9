package remote

import (
	"net/http/httptest"
	"testing"
)

func TestAddress(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "192.0.2.1:5555"
	r.Header.Set("X-Forwarded-For", "203.0.113.9, 198.51.100.4")
	if got := Address(r, ""); got != "192.0.2.1" {
		t.Fatalf("no trusted proxy: %q", got)
	}
	if got := Address(r, "192.0.2.9"); got != "192.0.2.1" {
		t.Fatalf("another proxy: %q", got)
	}
	// The proxy's own addition, never what the client wrote before it.
	if got := Address(r, "192.0.2.1"); got != "198.51.100.4" {
		t.Fatalf("trusted proxy: %q", got)
	}
	r.Header.Set("X-Forwarded-For", "pas une adresse")
	if got := Address(r, "192.0.2.1"); got != "192.0.2.1" {
		t.Fatalf("unreadable header: %q", got)
	}
}
