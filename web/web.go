// Package web serves the pages people use: staff of every role, young
// beneficiaries, training places applying for the label, and the public.
// Pages are rendered on the server (html/template), work without
// JavaScript, and use a little vendored JavaScript where it helps (htmx,
// Leaflet, a QR scanner). Every page, with the roles allowed on it, is
// declared once in a route table (routes.go), the way the API is.
package web

import (
	"embed"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"passnum"
	"passnum/mail"
	"passnum/store"
)

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config holds the settings of the web pages.
type Config struct {
	// PublicURL is the address people reach the site at, used in links
	// sent by e-mail; cookies are Secure when it is HTTPS.
	PublicURL string
	// TrustedProxy is the address of a reverse proxy whose
	// X-Forwarded-For header is believed for the client's address.
	TrustedProxy string
	// RequireOperatorTOTP makes the second factor compulsory for
	// operator accounts.
	RequireOperatorTOTP bool
	// TileURL is a map tile server ("https://tile.example/{z}/{x}/{y}.png");
	// none by default: maps then show the points on a plain background.
	TileURL         string
	TileAttribution string
	// Mail sends invitations and password resets.
	Mail mail.Sender
	// Now, when set, replaces the clock for what is only displayed.
	Now func() time.Time
	// Passwords bounds the memory password hashing takes; by default one
	// hash per core (4 at most) at a time, the others waiting a little.
	Passwords *passnum.PasswordHasher
	// Events hears what was committed (redemptions, settlements) and the
	// attempts refused, for the metrics; nil hears nothing.
	Events passnum.Events
	// RetentionMonths is how long young people's identities are kept after
	// their programme ends, as the privacy notice says;
	// passnum.DefaultRetentionMonths when zero.
	RetentionMonths int
}

// Server serves the pages.
type Server struct {
	store *store.Store
	log   *slog.Logger
	cfg   Config
	tmpl  *templates
	// secure says whether cookies carry the Secure attribute.
	secure bool
	hasher *passnum.PasswordHasher
}

// New builds the web pages over a store.
func New(s *store.Store, log *slog.Logger, cfg Config) (*Server, error) {
	if log == nil {
		log = slog.Default()
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://127.0.0.1:8080"
	}
	u, err := url.Parse(cfg.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errorf("adresse publique %q invalide : donnez une adresse complète, par exemple https://pass.exemple.fr", cfg.PublicURL)
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	if cfg.Now == nil {
		cfg.Now = s.Now
	}
	t, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	if cfg.Events == nil {
		cfg.Events = passnum.NoEvents{}
	}
	if cfg.Passwords == nil {
		cfg.Passwords = passnum.NewPasswordHasher(passnum.PasswordHasherLimits{})
	}
	return &Server{store: s, log: log, cfg: cfg, tmpl: t, secure: u.Scheme == "https", hasher: cfg.Passwords}, nil
}

// Register adds every page, and the static files, to mux.
func (s *Server) Register(mux *http.ServeMux) {
	for _, p := range pages {
		mux.Handle(p.Method+" "+p.Path, s.handler(p))
	}
	static, _ := fs.Sub(staticFS, "static")
	files := http.FileServerFS(static)
	mux.Handle("GET /static/", s.headers(http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	}))))
	// Browsers ask for /favicon.ico whatever the page says: the PNG icon.
	mux.Handle("GET /favicon.ico", s.headers(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		http.ServeFileFS(w, r, static, "favicon-32.png")
	})))
	mux.Handle("/", s.headers(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := &request{s: s, w: w, r: r}
		if err := s.loadSession(q); err != nil {
			s.fail(q, err)
			return
		}
		s.renderError(w, r, q, http.StatusNotFound, "Page introuvable", "Cette adresse ne mène à aucune page : revenez à l'accueil.")
	})))
}

// UrgentPatterns lists the patterns, as registered on the mux, of the
// pages marked Urgent.
func (s *Server) UrgentPatterns() []string {
	var ps []string
	for _, p := range pages {
		if p.Urgent {
			ps = append(ps, p.Method+" "+p.Path)
		}
	}
	return ps
}

// headers sets the security headers of pages: scripts only from this
// site, no inline script, no framing.
func (s *Server) headers(next http.Handler) http.Handler {
	img := "'self' data: blob:"
	if origin := tileOrigin(s.cfg.TileURL); origin != "" {
		img += " " + origin
	}
	csp := "default-src 'self'; script-src 'self'; style-src 'self'; img-src " + img +
		"; connect-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("Permissions-Policy", "camera=(self), geolocation=(), microphone=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

func tileOrigin(tile string) string {
	u, err := url.Parse(strings.NewReplacer("{s}", "a", "{z}", "0", "{x}", "0", "{y}", "0").Replace(tile))
	if tile == "" || err != nil || u.Host == "" {
		return ""
	}
	host := u.Host
	if strings.Contains(tile, "{s}.") {
		host = "*." + strings.SplitN(host, ".", 2)[1]
	}
	return u.Scheme + "://" + host
}
