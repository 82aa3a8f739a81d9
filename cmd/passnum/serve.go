package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"passnum/demo"
	"passnum/server"
	"passnum/store"
)

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	db := dbFlag(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "adresse d'écoute")
	withDemo := fs.Bool("demo", false, "remplir une base vide avec un programme de démonstration")
	if err := parse(fs, args); err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	s, err := store.Open(ctx, *db, store.Options{Migrate: true, Logger: log})
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
		empty, err := demo.Empty(ctx, s)
		if err != nil {
			return err
		}
		if !empty {
			fmt.Fprintln(stdout, "La base contient déjà des données : la démonstration n'ajoute rien.")
		} else {
			fmt.Fprintln(stdout, "Création des données de démonstration…")
			sum, err := demo.Seed(ctx, s, time.Now())
			if err != nil {
				return fmt.Errorf("données de démonstration : %w", err)
			}
			sum.Print(stdout, base)
		}
	}

	srv := &http.Server{
		Handler:           server.New(s, log),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "passnum écoute sur %s (base %s)\n", base, s.Engine())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Finish the requests in flight, then stop.
	fmt.Fprintln(stdout, "Arrêt demandé : fin des requêtes en cours…")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
