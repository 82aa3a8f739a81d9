package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"passnum"
	"passnum/store/storetest"
)

const exampleFile = "../../testdata/lieux-mediation-numerique-exemple-valide.csv"

func TestPlacesImport(t *testing.T) {
	example, err := os.ReadFile(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("lieux.csv", example)
	var latin1 []byte
	for _, r := range string(example) {
		latin1 = append(latin1, byte(r))
	}
	bad := write("lieux-latin1.csv", latin1)
	mixed := write("lieux-mixte.csv", append(append([]byte{}, example...),
		[]byte("structure-2,43493312300028,Autre lieu,Reims,51100,51454,1 rue,,,,,,,,Lundi 9h-12h,,,,,,2024-04-02,,,,,,,,,,,\n")...))

	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			_, db := eng.Open(t, passnum.NewFixedClock(storetest.Epoch))
			var out, errOut bytes.Buffer
			ctx := context.Background()

			// Flags after the file name, too.
			if err := run(ctx, []string{"places", "import", good, "--db", db}, &out, &errOut); err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"1 ligne lue ; 1 lieu créé, 0 mis à jour, 0 inchangé, 0 ligne rejetée, 2 avertissements.",
				"ligne 2 (id structure-1), code_insee : Reims (51454) est hors du territoire", "ligne 2 (id structure-1), latitude : les coordonnées sont à 645 km"} {
				if !strings.Contains(out.String(), want) {
					t.Fatalf("report lacks %q:\n%s", want, out.String())
				}
			}
			if errOut.Len() != 0 {
				t.Fatalf("no progress bar outside a terminal: %q", errOut.String())
			}

			out.Reset()
			if err := run(ctx, []string{"places", "import", "--db", db, mixed}, &out, &errOut); err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"0 lieu créé, 0 mis à jour, 1 inchangé, 1 ligne rejetée", "Lignes rejetées (non importées) :",
				"ligne 3 (id structure-2), pivot : SIRET invalide", "ligne 3 (id structure-2), horaires :"} {
				if !strings.Contains(out.String(), want) {
					t.Fatalf("report lacks %q:\n%s", want, out.String())
				}
			}

			out.Reset()
			err := run(ctx, []string{"places", "import", bad, "--db", db}, &out, &errOut)
			var ue usageError
			if err == nil || errors.As(err, &ue) || !strings.Contains(err.Error(), "pas encodé en UTF-8") || out.Len() != 0 {
				t.Fatalf("a Latin-1 file: %v (%q)", err, out.String())
			}
		})
	}
	for _, args := range [][]string{{"places"}, {"places", "export"}, {"places", "import"}, {"places", "import", "a.csv", "b.csv"}} {
		var ue usageError
		if err := run(context.Background(), args, &bytes.Buffer{}, &bytes.Buffer{}); !errors.As(err, &ue) {
			t.Errorf("%v: %v", args, err)
		}
	}
	if err := run(context.Background(), []string{"places", "import", filepath.Join(dir, "absent.csv")}, &bytes.Buffer{}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "illisible") {
		t.Errorf("missing file: %v", err)
	}
}
