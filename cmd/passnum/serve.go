package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"passnum"
	"passnum/demo"
	"passnum/mail"
	"passnum/remind"
	"passnum/server"
	"passnum/store"
	"passnum/web"
)

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	db := dbFlag(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "adresse d'écoute")
	withDemo := fs.Bool("demo", false, "remplir une base vide avec un programme de démonstration")
	public := publicURLFlag(fs, "")
	outbox := fs.String("outbox", envOr("PASSNUM_OUTBOX", "outbox"), "dossier où écrire les courriels quand aucun serveur SMTP n'est réglé (PASSNUM_OUTBOX)")
	smtpURL := fs.String("smtp", os.Getenv("PASSNUM_SMTP"), "serveur d'envoi des courriels, smtp://utilisateur:motdepasse@hôte:587 (PASSNUM_SMTP)")
	from := fs.String("mail-from", envOr("PASSNUM_MAIL_FROM", "Pass numérique <ne-pas-repondre@passnum.example>"), "expéditeur des courriels (PASSNUM_MAIL_FROM)")
	proxy := fs.String("trusted-proxy", os.Getenv("PASSNUM_TRUSTED_PROXY"), "adresse IP du proxy inverse dont l'en-tête X-Forwarded-For est cru (PASSNUM_TRUSTED_PROXY)")
	totpRequired := fs.Bool("require-operator-totp", os.Getenv("PASSNUM_REQUIRE_OPERATOR_TOTP") == "true", "rendre la double authentification obligatoire pour l'opérateur (PASSNUM_REQUIRE_OPERATOR_TOTP=true)")
	tiles := fs.String("tiles", os.Getenv("PASSNUM_TILES"), "serveur de tuiles des cartes, https://…/{z}/{x}/{y}.png ; aucun par défaut (PASSNUM_TILES)")
	tilesAttribution := fs.String("tiles-attribution", os.Getenv("PASSNUM_TILES_ATTRIBUTION"), "mention des sources des tuiles (PASSNUM_TILES_ATTRIBUTION)")
	metricsAddr := fs.String("metrics-addr", os.Getenv("PASSNUM_METRICS_ADDR"), "adresse d'écoute de /metrics (format Prometheus), à réserver à la supervision, par exemple 127.0.0.1:9464 ; aucune par défaut (PASSNUM_METRICS_ADDR)")
	retentionMonths := retentionFlag(fs)
	slots := generalSlotsFlag(fs)
	smsDir := smsFlag(fs)
	digestKeyFile := digestKeyFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *slots < 0 {
		return usageError{"PASSNUM_GENERAL_SLOTS : un nombre de requêtes entre 0 et 10000"}
	}
	if *withDemo && *smsDir == "" {
		// The demo's young people with a mobile only are reminded by
		// text message, as its replayed history has them: written to a
		// folder beside the e-mails' outbox, as no provider is plugged.
		*smsDir = "sms-outbox"
	}
	digestKey, err := loadDigestKey(*digestKeyFile)
	if err != nil {
		return err
	}
	if err := passnum.CheckRetentionMonths(*retentionMonths); err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	s, err := store.Open(ctx, *db, store.Options{Migrate: true, Logger: log, DigestKey: digestKey})
	if err != nil {
		return err
	}
	defer s.Close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("écoute sur %s impossible : %w (choisissez une autre adresse avec --addr)", *addr, err)
	}
	base := "http://" + ln.Addr().String()
	if *withDemo {
		if err := serveDemo(ctx, s, base, stdout); err != nil {
			return err
		}
	}

	if *public == "" {
		*public = base
	}
	sender, err := mail.New(mail.Config{SMTPURL: *smtpURL, From: *from, OutboxDir: *outbox})
	if err != nil {
		return err
	}
	built, err := server.Build(s, log, web.Config{PublicURL: *public, TrustedProxy: *proxy, RequireOperatorTOTP: *totpRequired,
		TileURL: *tiles, TileAttribution: *tilesAttribution, Mail: sender, RetentionMonths: *retentionMonths}, server.WithGeneralSlots(int(*slots)))
	if err != nil {
		return err
	}
	if *metricsAddr != "" {
		stopMetrics, err := serveMetrics(*metricsAddr, built.Metrics, stdout)
		if err != nil {
			return err
		}
		defer stopMetrics()
	}
	srv := newHTTPServer(built.Handler, log)
	go retentionDaily(ctx, s, *retentionMonths, log)
	go remindersDaily(ctx, s, remind.Config{Mail: sender, SMS: smsSender(*smsDir), SiteURL: *public, Log: log}, log)
	fmt.Fprintf(stdout, "passnum écoute sur %s (base %s)\n", base, s.Engine())
	go runSealer(ctx, s, log)
	go runStatFolder(ctx, s, log)
	go runMonthlyPublisher(ctx, s, log)
	return serveUntilStopped(ctx, srv, ln, built, stdout)
}

// newHTTPServer bounds how long a client may take: a slow or stalled one
// never holds a connection for ever.
func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// serveDemo fills an empty database with the demonstration programme, or
// prints the accounts of the one already there (with new API keys); it
// adds nothing to a database holding other data, and says so.
func serveDemo(ctx context.Context, s *store.Store, base string, stdout io.Writer) error {
	empty, err := demo.Empty(ctx, s)
	if err != nil {
		return err
	}
	if empty {
		fmt.Fprintln(stdout, "Création des données de démonstration…")
		sum, err := demo.Seed(ctx, s, time.Now())
		if err != nil {
			return fmt.Errorf("données de démonstration : %w", err)
		}
		sum.Print(stdout, base)
		return nil
	}
	sum, err := demo.Again(ctx, s, time.Now())
	switch {
	case errors.Is(err, demo.ErrNotDemo):
		fmt.Fprintln(stdout, "La base contient déjà des données qui ne viennent pas de la démonstration : --demo n'y ajoute rien.")
		fmt.Fprintln(stdout, demo.Afresh)
	case err != nil:
		return fmt.Errorf("données de démonstration : %w", err)
	default:
		sum.Print(stdout, base)
	}
	return nil
}

// serveMetrics answers GET /metrics on an address of its own, for the
// monitoring only; the function it returns stops it.
func serveMetrics(addr string, metrics http.Handler, stdout io.Writer) (func(), error) {
	mln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("écoute de /metrics sur %s impossible : %w (choisissez une autre adresse avec --metrics-addr)", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics)
	msrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go msrv.Serve(mln)
	fmt.Fprintf(stdout, "Métriques sur http://%s/metrics\n", mln.Addr())
	return func() { msrv.Close() }, nil
}

// serveUntilStopped serves until the server fails or ctx ends (SIGINT,
// SIGTERM); then it says "not ready" so that a load balancer sends nothing
// new, finishes the requests in flight (30 s at most) and returns.
func serveUntilStopped(ctx context.Context, srv *http.Server, ln net.Listener, built *server.Server, stdout io.Writer) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(stdout, "Arrêt demandé : fin des requêtes en cours…")
	built.Drain()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// generalSlotsFlag is --general-slots: how many requests other than
// redemptions, pass look-ups and health checks are served at once (the
// others wait their turn, so that a redemption never queues behind them).
func generalSlotsFlag(fs *flag.FlagSet) *generalSlots {
	g := generalSlots(0)
	fs.Var(&g, "general-slots", "nombre de requêtes servies à la fois hors encaissements, vérifications de pass et sondes de santé ; 0 : une par processeur, au moins 2 (PASSNUM_GENERAL_SLOTS)")
	if v := os.Getenv("PASSNUM_GENERAL_SLOTS"); v != "" {
		if err := g.Set(v); err != nil {
			g = -1 // told by serve, which checks it after parsing
		}
	}
	return &g
}

// generalSlots is the value of --general-slots.
type generalSlots int

func (g *generalSlots) String() string { return strconv.Itoa(int(*g)) }

func (g *generalSlots) Set(v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 10000 {
		return fmt.Errorf("%q n'est pas un nombre de requêtes entre 0 et 10000", v)
	}
	*g = generalSlots(n)
	return nil
}
