// Package requestid gives each HTTP request an identifier, carried in its
// context, answered in the X-Request-Id header and in error answers, and
// added to every log line written with that context: a person who reports
// an error can quote it, and the team finds the request's lines.
package requestid

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"log/slog"
	"net/http"
)

// Header is the HTTP header that carries the identifier.
const Header = "X-Request-Id"

type key struct{}

// New returns a fresh identifier: 16 random characters.
func New() string {
	b := make([]byte, 10)
	rand.Read(b)
	return base32.StdEncoding.EncodeToString(b)
}

// With returns ctx carrying id.
func With(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, key{}, id)
}

// From returns the identifier ctx carries, or "".
func From(ctx context.Context) string {
	id, _ := ctx.Value(key{}).(string)
	return id
}

// Middleware gives each request an identifier: the one a trusted reverse
// proxy sent, when trusted says so and it is well-formed, or a new one.
func Middleware(trusted func(*http.Request) bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(Header)
		if !valid(id) || trusted == nil || !trusted(r) {
			id = New()
		}
		w.Header().Set(Header, id)
		next.ServeHTTP(w, r.WithContext(With(r.Context(), id)))
	})
}

// valid accepts 1 to 64 letters, digits, dashes and underscores: what
// proxies send, and nothing that could forge a log line.
func valid(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for _, c := range id {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}

// LogHandler adds the request's identifier to every record logged with a
// context that carries one.
func LogHandler(next slog.Handler) slog.Handler { return logHandler{next} }

type logHandler struct{ next slog.Handler }

func (h logHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h logHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := From(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.next.Handle(ctx, r)
}

func (h logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return logHandler{h.next.WithAttrs(attrs)}
}

func (h logHandler) WithGroup(name string) slog.Handler { return logHandler{h.next.WithGroup(name)} }
