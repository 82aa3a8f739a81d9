package store_test

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"testing"

	"passnum"
	"passnum/opendata"
	"passnum/store"
	"passnum/store/storetest"
	"passnum/territory"
)

// siretFor builds a SIRET with a valid key from a number.
func siretFor(n int) string {
	base := fmt.Sprintf("%013d", 1_000_000_000_000+n)
	for k := 0; k < 10; k++ {
		if s := base + strconv.Itoa(k); passnum.ValidSIRET(s) {
			return s
		}
	}
	panic("no key")
}

// generatedSites makes n plausible places spread over the communes of
// Bourgogne-Franche-Comté, with most columns filled.
func generatedSites(n int) []passnum.SiteRecord {
	var communes []territory.Commune
	for _, c := range territory.CommunesIn("reg:27") {
		if c.HasCoordinates {
			communes = append(communes, c)
		}
	}
	out := make([]passnum.SiteRecord, n)
	for i := range out {
		c := communes[i*7919%len(communes)]
		lat, lng := c.Lat+float64(i%11-5)/1000, c.Lng+float64(i%13-6)/1000
		out[i] = passnum.SiteRecord{
			OpenDataID: fmt.Sprintf("gen-%06d", i), Pivot: siretFor(i / 3), Name: fmt.Sprintf("Espace numérique n° %d, « %s »", i, c.Name),
			CommuneName: c.Name, Postcode: c.Postcodes[0], CommuneINSEE: c.Code, Address: fmt.Sprintf("%d rue de la Mairie", 1+i%120),
			Latitude: &lat, Longitude: &lng, Typology: []string{"ASSO"}, Phone: fmt.Sprintf("+33381%06d", i),
			Emails: []string{fmt.Sprintf("contact%d@example.fr", i)}, OpeningHours: "Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00; PH off",
			Summary: "Accompagnement au numérique, ateliers collectifs et accès libre.", UpdatedOn: passnum.MustDate("2026-01-15"),
			Services: []string{passnum.NationalServices[i%9], passnum.NationalServices[(i+4)%9]}, Fees: []string{"Gratuit"},
			AccessModes: []string{"Se présenter", "Téléphoner"}, SupportModes: []string{"Accompagnement individuel"},
		}
	}
	return out
}

func csvOf(tb testing.TB, recs []passnum.SiteRecord) []byte {
	var b bytes.Buffer
	if err := opendata.WriteCSV(&b, recs); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func readRows(tb testing.TB, data []byte) *opendata.File {
	f, err := opendata.ReadCSV(data, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if len(f.Report.Rejected) > 0 {
		tb.Fatalf("rejected: %+v", f.Report.Rejected[0])
	}
	return f
}

func countSites(t *testing.T, s *store.Store) int {
	t.Helper()
	var n int
	err := s.View(context.Background(), func(tx *store.Tx) error {
		recs, err := tx.ExportSites(context.Background(), store.SitesAll)
		n = len(recs)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportSitesAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, _ *passnum.FixedClock) {
		ctx := context.Background()
		f := readRows(t, csvOf(t, generatedSites(450)))
		// A row the file reader would never pass, last, after two batches
		// have gone in: the database refuses it, and the whole import with it.
		bad := 200.0
		f.Rows[len(f.Rows)-1].Record.Latitude = &bad
		_, err := s.ImportSites(ctx, passnum.SystemActor, store.SiteImport{Rows: f.Rows, Channel: "test"})
		if err == nil {
			t.Fatal("an impossible latitude was stored")
		}
		if n := countSites(t, s); n != 0 {
			t.Fatalf("%d sites kept from a failed import", n)
		}
		var audit []passnum.AuditEntry
		s.View(ctx, func(tx *store.Tx) error {
			audit, _, err = tx.ListAudit(ctx, store.AuditFilter{ObjectType: "site_import", Page: store.Page{Limit: 10}})
			return err
		})
		if len(audit) != 0 {
			t.Fatalf("audit of a failed import: %v", audit)
		}

		// The same rows, fixed, go in together; progress reaches the end.
		f = readRows(t, csvOf(t, generatedSites(450)))
		last := -1
		rep, err := s.ImportSites(ctx, passnum.SystemActor, store.SiteImport{Rows: f.Rows, Channel: "test", Progress: func(done, total int) {
			if done < last || done > total || total != 450 {
				t.Fatalf("progress %d/%d after %d", done, total, last)
			}
			last = done
		}})
		if err != nil || rep.Created != 450 || last != 450 || countSites(t, s) != 450 {
			t.Fatalf("%v %+v, progress %d", err, rep, last)
		}
	})
}

func TestDirectoryTerritoryFollowsProgrammes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, _ *passnum.FixedClock) {
		ctx := context.Background()
		f := readRows(t, csvOf(t, generatedSites(3)))
		f.Rows[0].Record.CommuneINSEE, f.Rows[0].Record.CommuneName, f.Rows[0].Record.Postcode = "51454", "Reims", "51100"
		f.Rows[0].Record.Latitude, f.Rows[0].Record.Longitude = nil, nil
		// Before any programme: the default territory, région 27.
		rep, err := s.ImportSites(ctx, passnum.SystemActor, store.SiteImport{Rows: f.Rows})
		if err != nil || len(rep.Warnings) != 1 || rep.Warnings[0].Field != "code_insee" || rep.Warnings[0].Line != f.Rows[0].Line {
			t.Fatalf("%v %+v", err, rep)
		}
		// A programme that covers Grand Est too: Reims is inside.
		err = s.Write(ctx, func(tx *store.Tx) error {
			funder, err := tx.CreateOrganisation(ctx, passnum.SystemActor, passnum.NewOrganisation{Kind: passnum.RoleFunder, Name: "Région"})
			if err != nil {
				return err
			}
			_, err = tx.CreateProgramme(ctx, passnum.SystemActor, passnum.Programme{Name: "Pass", FaceValueCents: 1000, BookletSize: 5,
				ValidFrom: passnum.MustDate("2026-01-01"), ValidUntil: passnum.MustDate("2026-12-31"), MinAge: 16, MaxAge: 25,
				MaxBookletsPerBeneficiary: 1, Territory: []string{"reg:27", "reg:44"},
				Funders: []passnum.FunderShare{{OrganisationID: funder.ID, ShareBps: 10000}}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		rep, err = s.ImportSites(ctx, passnum.SystemActor, store.SiteImport{Rows: f.Rows})
		if err != nil || len(rep.Warnings) != 0 || rep.Unchanged != 3 {
			t.Fatalf("%v %+v", err, rep)
		}
	})
}

// BenchmarkImportSites measures a national-scale import: 20,000 places
// read from CSV and written in one transaction, then the same file again
// (nothing to change).
func BenchmarkImportSites(b *testing.B) {
	const n = 20_000
	data := csvOf(b, generatedSites(n))
	b.Run("read", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			readRows(b, data)
		}
	})
	for _, eng := range storetest.Engines() {
		b.Run(eng.Name+"/create", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				s, _ := eng.Open(b, passnum.NewFixedClock(storetest.Epoch))
				b.StartTimer()
				f := readRows(b, data)
				rep, err := s.ImportSites(context.Background(), passnum.SystemActor, store.SiteImport{Rows: f.Rows, Report: f.Report})
				if err != nil || rep.Created != n {
					b.Fatalf("%v %d", err, rep.Created)
				}
			}
		})
		b.Run(eng.Name+"/unchanged", func(b *testing.B) {
			s, _ := eng.Open(b, passnum.NewFixedClock(storetest.Epoch))
			f := readRows(b, data)
			if _, err := s.ImportSites(context.Background(), passnum.SystemActor, store.SiteImport{Rows: f.Rows}); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				f := readRows(b, data)
				rep, err := s.ImportSites(context.Background(), passnum.SystemActor, store.SiteImport{Rows: f.Rows, Report: f.Report})
				if err != nil || rep.Unchanged != n {
					b.Fatalf("%v %d", err, rep.Unchanged)
				}
			}
		})
	}
}
