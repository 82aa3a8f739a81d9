package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"passnum"
	"passnum/opendata"
	"passnum/store"
)

// places runs "passnum places import FILE".
func places(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "import" {
		return usageError{"sous-commande inconnue : utilisez « passnum places import FICHIER »"}
	}
	return importPlaces(ctx, args[1:], stdout, stderr)
}

// importPlaces imports a file of the national open-data standard for
// digital mediation places into the directory: a report of rejected rows
// with their line numbers, and exit status 1 when the file as a whole is
// refused.
func importPlaces(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("places import", stderr)
	db := dbFlag(fs)
	path, err := parseFile(fs, args, "passnum places import FICHIER [--db URL]")
	if err != nil {
		return err
	}
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("fichier %s illisible : %w", path, err)
	}
	if info.Size() > opendata.MaxFileBytes {
		return fmt.Errorf("fichier refusé : %s fait %d Mio, l'import est limité à %d Mio ; découpez-le en plusieurs fichiers", path, info.Size()>>20, opendata.MaxFileBytes>>20)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("fichier %s illisible : %w", path, err)
	}

	bar := newProgressBar(stderr)
	f, err := opendata.Read(data, strings.EqualFold(filepath.Ext(path), ".json"), func(done, total int64) {
		bar.show("Lecture", int(done>>10), int(total>>10))
	})
	bar.end()
	if err != nil {
		return fmt.Errorf("%s", passnum.ErrorMessage(err))
	}
	s, err := store.Open(ctx, *db, store.Options{Migrate: true})
	if err != nil {
		return err
	}
	defer s.Close()
	rep, err := s.ImportSites(ctx, passnum.SystemActor, store.SiteImport{
		Rows: f.Rows, Report: f.Report, Channel: "cli",
		Progress: func(done, total int) { bar.show("Enregistrement", done, total) },
	})
	bar.end()
	if err != nil {
		return fmt.Errorf("rien n'a été importé : %s", passnum.ErrorMessage(err))
	}
	printImportReport(stdout, path, f.Records, rep)
	return nil
}

func printImportReport(w io.Writer, path string, records int, rep passnum.ImportReport) {
	fmt.Fprintf(w, "%s : %s ; %s, %s, %s, %s, %s.\n", path, count(records, "ligne lue", "lignes lues"),
		count(rep.Created, "lieu créé", "lieux créés"), count(rep.Updated, "mis à jour", "mis à jour"), count(rep.Unchanged, "inchangé", "inchangés"),
		count(rep.RejectedRows(), "ligne rejetée", "lignes rejetées"), count(len(rep.Warnings), "avertissement", "avertissements"))
	issue := func(i passnum.ImportIssue) string {
		where := fmt.Sprintf("ligne %d", i.Line)
		if i.ID != "" {
			where += " (id " + i.ID + ")"
		}
		if i.Field != "" {
			where += ", " + i.Field
		}
		return where + " : " + i.Reason
	}
	if len(rep.Rejected) > 0 {
		fmt.Fprintln(w, "Lignes rejetées (non importées) :")
		for _, i := range rep.Rejected {
			fmt.Fprintln(w, "  "+issue(i))
		}
	}
	if len(rep.Warnings) > 0 {
		fmt.Fprintln(w, "Avertissements (lignes importées) :")
		for _, i := range rep.Warnings {
			fmt.Fprintln(w, "  "+issue(i))
		}
	}
}

func count(n int, one, many string) string {
	if n > 1 {
		return fmt.Sprintf("%d %s", n, many)
	}
	return fmt.Sprintf("%d %s", n, one)
}

// progressBar draws on a terminal only: in a log or a pipe it would be
// noise, and the final report says everything.
type progressBar struct {
	w     io.Writer
	on    bool
	last  time.Time
	shown bool
}

func newProgressBar(w io.Writer) *progressBar {
	f, ok := w.(*os.File)
	if !ok {
		return &progressBar{w: w}
	}
	info, err := f.Stat()
	return &progressBar{w: w, on: err == nil && info.Mode()&os.ModeCharDevice != 0}
}

func (p *progressBar) show(what string, done, total int) {
	if !p.on || total <= 0 {
		return
	}
	now := time.Now()
	if done < total && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	const width = 30
	n := done * width / total
	fmt.Fprintf(p.w, "\r%-15s [%s%s] %3d %%", what, strings.Repeat("#", n), strings.Repeat(".", width-n), done*100/total)
	p.shown = true
}

func (p *progressBar) end() {
	if p.shown {
		fmt.Fprintln(p.w)
		p.shown = false
	}
}
