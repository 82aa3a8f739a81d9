package territory

import (
	"compress/gzip"
	"encoding/csv"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const sourceCSV = "../testdata/communes-france-2024.csv.gz"

func mustCommune(t *testing.T, code string) Commune {
	t.Helper()
	c, ok := LookupCommune(code)
	if !ok {
		t.Fatalf("LookupCommune(%q) not found", code)
	}
	return c
}

func codes(cs []Commune) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Code
	}
	return out
}

func TestLoadCountsEverything(t *testing.T) {
	s, err := load()
	if err != nil {
		t.Fatal(err)
	}
	// Load time is measured by BenchmarkLoad, never asserted here.
	if len(s.communes) < 34000 || len(s.search) == 0 {
		t.Errorf("loaded %d communes, %d search keys", len(s.communes), len(s.search))
	}
}

func TestBesancon(t *testing.T) {
	c := mustCommune(t, "25056")
	if c.Name != "Besançon" || c.Departement != "25" || c.Region != "27" || c.Parent != "" {
		t.Errorf("Besançon = %+v", c)
	}
	if !slices.Contains(c.Postcodes, "25000") {
		t.Errorf("Besançon postcodes %v lack 25000", c.Postcodes)
	}
	if !c.HasCoordinates || math.Abs(c.Lat-47.2602) > 1e-6 || math.Abs(c.Lng-6.01226) > 1e-6 {
		t.Errorf("Besançon centre = %v,%v (%v)", c.Lat, c.Lng, c.HasCoordinates)
	}
	if c.Population != 119198 {
		t.Errorf("Besançon population = %d", c.Population)
	}
	if _, ok := LookupCommune("99999"); ok {
		t.Error("LookupCommune(99999) found")
	}
}

func TestSeveralPostcodes(t *testing.T) {
	toulouse := mustCommune(t, "31555")
	want := []string{"31000", "31100", "31200", "31300", "31400", "31500"}
	if !slices.Equal(toulouse.Postcodes, want) {
		t.Errorf("Toulouse postcodes = %v, want %v", toulouse.Postcodes, want)
	}
	// Each postcode of Toulouse leads back to it.
	for _, p := range want {
		if !slices.Contains(codes(CommunesByPostcode(p)), "31555") {
			t.Errorf("CommunesByPostcode(%s) lacks Toulouse", p)
		}
	}
	// A commune listed once per postcode in the CSV becomes one commune.
	c := mustCommune(t, "01050")
	if !slices.Equal(c.Postcodes, []string{"01190", "01380"}) {
		t.Errorf("01050 postcodes = %v", c.Postcodes)
	}
	// Returned slices are copies.
	toulouse.Postcodes[0] = "00000"
	if mustCommune(t, "31555").Postcodes[0] != "31000" {
		t.Error("modifying a returned Postcodes changed the data")
	}
}

func TestParisLyonMarseille(t *testing.T) {
	paris := mustCommune(t, "75056")
	if paris.Name != "Paris" || paris.Departement != "75" || paris.Region != "11" || !paris.HasCoordinates {
		t.Errorf("Paris = %+v", paris)
	}
	if len(paris.Postcodes) != 21 || paris.Postcodes[0] != "75001" || !slices.Contains(paris.Postcodes, "75116") {
		t.Errorf("Paris postcodes = %v", paris.Postcodes)
	}
	if d := DistanceKm(paris.Lat, paris.Lng, 48.8566, 2.3522); d > 3 {
		t.Errorf("Paris centre %v,%v is %.1f km from the Hôtel de Ville", paris.Lat, paris.Lng, d)
	}
	first := mustCommune(t, "75101")
	if first.Name != "Paris 1er Arrondissement" || first.Parent != "75056" || first.Departement != "75" {
		t.Errorf("75101 = %+v", first)
	}
	// The city's population is the sum of its districts'.
	for _, city := range []struct {
		code      string
		districts int
	}{{"75056", 20}, {"69123", 9}, {"13055", 16}} {
		sum, n := 0, 0
		counted := map[string]bool{}
		c := mustCommune(t, city.code)
		for _, d := range CommunesIn("dep:" + c.Departement) {
			if d.Parent != "" {
				t.Errorf("CommunesIn returned district %s", d.Code)
			}
		}
		for _, p := range c.Postcodes {
			for _, d := range CommunesByPostcode(p) {
				if d.Parent == city.code && !counted[d.Code] {
					counted[d.Code] = true
					sum += d.Population
					n++
				}
			}
		}
		if n != city.districts || sum != c.Population {
			t.Errorf("%s: %d district rows summing to %d, city population %d", city.code, n, sum, c.Population)
		}
	}
	got := codes(CommunesByPostcode("75001"))
	if !slices.Equal(got, []string{"75056", "75101"}) {
		t.Errorf("CommunesByPostcode(75001) = %v", got)
	}
}

func TestMergedCommunesAreNotCommunes(t *testing.T) {
	// 01015 is both Arboys en Bugey (COM) and the former Arbignieu (COMD).
	c := mustCommune(t, "01015")
	if c.Name != "Arboys en Bugey" || c.Departement != "01" || c.Region != "84" {
		t.Errorf("01015 = %+v", c)
	}
	n := 0
	for _, x := range CommunesIn("dep:01") {
		if x.Code == "01015" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("01015 appears %d times in département 01", n)
	}
	for _, x := range SearchCommunes("arbignieu", 5) {
		t.Errorf("former commune name found: %+v", x)
	}
}

func TestRegion27(t *testing.T) {
	r, ok := LookupRegion("27")
	if !ok || r.Name != "Bourgogne-Franche-Comté" {
		t.Fatalf("LookupRegion(27) = %+v, %v", r, ok)
	}
	communes := CommunesIn("27")
	seen := map[string]bool{}
	deps := map[string]bool{}
	for _, c := range communes {
		if c.Region != "27" {
			t.Errorf("%s is in région %s", c.Code, c.Region)
		}
		seen[c.Code] = true
		deps[c.Departement] = true
	}
	if len(communes) != 3697 || len(seen) != 3697 {
		t.Errorf("région 27: %d communes, %d distinct; want 3697", len(communes), len(seen))
	}
	var gotDeps []string
	for d := range deps {
		gotDeps = append(gotDeps, d)
	}
	slices.Sort(gotDeps)
	want := []string{"21", "25", "39", "58", "70", "71", "89", "90"}
	if !slices.Equal(gotDeps, want) {
		t.Errorf("départements of région 27 = %v, want %v", gotDeps, want)
	}
	var fromTable []string
	for _, d := range Departements() {
		if d.Region == "27" {
			fromTable = append(fromTable, d.Code)
		}
	}
	if !slices.Equal(fromTable, want) {
		t.Errorf("Departements() in région 27 = %v", fromTable)
	}
	if !slices.IsSortedFunc(communes, func(a, b Commune) int { return strings.Compare(a.Code, b.Code) }) {
		t.Error("CommunesIn not sorted by code")
	}
}

func TestCommunesInCodes(t *testing.T) {
	eure := CommunesIn("dep:27")
	if len(eure) < 500 {
		t.Fatalf("dep:27 gave %d communes", len(eure))
	}
	for _, c := range eure {
		if c.Departement != "27" {
			t.Fatalf("dep:27 gave %+v", c)
		}
	}
	if n := len(CommunesIn("reg:27")); n != 3697 {
		t.Errorf("reg:27 gave %d", n)
	}
	// Doubs is a département only; overlapping codes are counted once.
	doubs := CommunesIn("25")
	if len(doubs) == 0 || len(CommunesIn("25", "27")) != 3697 || len(CommunesIn("dep:27", "reg:27")) != 3697+len(eure) {
		t.Errorf("combining codes: doubs %d", len(doubs))
	}
	if got := CommunesIn("2a"); len(got) == 0 || got[0].Departement != "2A" {
		t.Errorf("CommunesIn(2a) = %d communes", len(got))
	}
	if got := CommunesIn("nowhere"); got != nil {
		t.Errorf("unknown code gave %d communes", len(got))
	}
}

func TestDepartementsAndRegions(t *testing.T) {
	deps := Departements()
	if len(deps) != 101 {
		t.Errorf("%d départements", len(deps))
	}
	if !slices.IsSortedFunc(deps, func(a, b Departement) int { return strings.Compare(a.Code, b.Code) }) {
		t.Error("Departements not sorted")
	}
	regs := Regions()
	if len(regs) != 18 || regs[0].Code != "01" || regs[len(regs)-1].Code != "94" {
		t.Errorf("Regions = %v", regs)
	}
	for _, d := range deps {
		if _, ok := LookupRegion(d.Region); !ok {
			t.Errorf("département %s: unknown région %s", d.Code, d.Region)
		}
	}
	if d, ok := LookupDepartement("2B"); !ok || d.Name != "Haute-Corse" || d.Region != "94" {
		t.Errorf("2B = %+v", d)
	}
	if d, ok := LookupDepartement("971"); !ok || d.Name != "Guadeloupe" || d.Region != "01" {
		t.Errorf("971 = %+v", d)
	}
	if _, ok := LookupDepartement("20"); ok {
		t.Error("département 20 exists")
	}
	// Callers may not alter the tables through the returned slices.
	deps[0].Name = "x"
	if Departements()[0].Name == "x" {
		t.Error("Departements returned the internal slice")
	}
}

// TestMatchesSource checks every row of the source CSV against the data.
func TestMatchesSource(t *testing.T) {
	f, err := os.Open(sourceCSV)
	if err != nil {
		t.Fatalf("source CSV: %v", err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("source CSV: %v", err)
	}
	rows, err := csv.NewReader(gz).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	seen := map[string]string{}
	coms := map[string]bool{}
	comPopulation := 0
	for _, row := range rows[1:] {
		get := func(name string) string { return row[col[name]] }
		code, typ := get("insee_com"), get("commune_type")
		c, ok := LookupCommune(code)
		if !ok {
			t.Errorf("%s %s %s not found", typ, code, get("commune_article"))
			continue
		}
		if typ == "COMD" {
			continue // checked below, once every commune row is known
		}
		if prev, dup := seen[code]; dup && prev != typ {
			t.Errorf("%s is both %s and %s", code, prev, typ)
		}
		if typ == "COM" && !coms[code] {
			coms[code] = true
			comPopulation += c.Population
		}
		seen[code] = typ
		if c.Name != get("commune_article") || c.Departement != get("insee_dep") || c.Region != get("insee_reg") {
			t.Errorf("%s: got %q in %s/%s, source %q in %s/%s", code, c.Name, c.Departement, c.Region,
				get("commune_article"), get("insee_dep"), get("insee_reg"))
		}
		if !slices.Contains(c.Postcodes, get("code_postal")) {
			t.Errorf("%s: postcodes %v lack %s", code, c.Postcodes, get("code_postal"))
		}
		if (typ == "ARM") != (c.Parent == get("insee_parente") && c.Parent != "") {
			t.Errorf("%s: parent %q, source %s %q", code, c.Parent, typ, get("insee_parente"))
		}
		if pop, _ := strconv.Atoi(get("population_2021")); pop != c.Population {
			t.Errorf("%s: population %d, source %d", code, c.Population, pop)
		}
		if get("lat") == "" {
			if c.HasCoordinates {
				t.Errorf("%s: coordinates the source lacks", code)
			}
		} else {
			lat, _ := strconv.ParseFloat(get("lat"), 64)
			lng, _ := strconv.ParseFloat(get("lng"), 64)
			if !c.HasCoordinates || lat != c.Lat || lng != c.Lng {
				t.Errorf("%s: centre %v,%v, source %v,%v", code, c.Lat, c.Lng, lat, lng)
			}
		}
	}
	for _, row := range rows[1:] {
		if code := row[col["insee_com"]]; row[col["commune_type"]] == "COMD" && seen[code] != "COM" {
			t.Errorf("COMD %s has no commune row of its code", code)
		}
	}
	if len(coms) != 34931 {
		t.Errorf("%d distinct COM codes in the source, README says 34931", len(coms))
	}
	// The README's check: distinct COM rows add up to 63.9 million people.
	if comPopulation < 63_850_000 || comPopulation > 63_950_000 {
		t.Errorf("distinct COM population %d", comPopulation)
	}
	// Beyond the CSV: Paris, Lyon, Marseille and Les Trois Lacs (27676), from
	// the postcode package.
	s := get()
	if extra := len(s.communes) - len(seen); extra != 4 {
		t.Errorf("%d communes not in the CSV, want 4", extra)
	}
	for _, code := range []string{"75056", "69123", "13055", "27676"} {
		if _, ok := seen[code]; ok {
			t.Errorf("%s unexpectedly in the CSV", code)
		}
		mustCommune(t, code)
	}
}

func TestEveryCentreInFrance(t *testing.T) {
	s := get()
	without := 0
	for _, c := range s.communes {
		if !c.HasCoordinates {
			without++
			continue
		}
		if !InFrance(c.Lat, c.Lng) {
			t.Errorf("%s %s at %v,%v is not InFrance", c.Code, c.Name, c.Lat, c.Lng)
		}
	}
	// 3 communes lack coordinates in the CSV, 1 (27676) comes without them.
	if without != 4 {
		t.Errorf("%d communes without coordinates, want 4", without)
	}
}

func TestDistance(t *testing.T) {
	besancon := mustCommune(t, "25056")
	dijon := mustCommune(t, "21231")
	paris := mustCommune(t, "75056")
	lyon := mustCommune(t, "69123")
	for _, tc := range []struct {
		name      string
		a, b      Commune
		want, tol float64
	}{
		{"Besançon–Dijon", besancon, dijon, 76, 5},
		{"Paris–Lyon", paris, lyon, 392, 10},
		{"Dijon–Dijon", dijon, dijon, 0, 0},
	} {
		got := DistanceKm(tc.a.Lat, tc.a.Lng, tc.b.Lat, tc.b.Lng)
		if math.Abs(got-tc.want) > tc.tol {
			t.Errorf("%s = %.1f km, want %v ± %v", tc.name, got, tc.want, tc.tol)
		}
		if back := DistanceKm(tc.b.Lat, tc.b.Lng, tc.a.Lat, tc.a.Lng); math.Abs(back-got) > 1e-9 {
			t.Errorf("%s not symmetric: %v vs %v", tc.name, got, back)
		}
	}
	// A quarter of a meridian.
	if d := DistanceKm(0, 0, 90, 0); math.Abs(d-math.Pi*6371.0088/2) > 1e-6 {
		t.Errorf("equator to pole = %v", d)
	}
	if d := DistanceKm(0, 0, 0, 180); math.IsNaN(d) || math.Abs(d-math.Pi*6371.0088) > 1e-6 {
		t.Errorf("antipodes = %v", d)
	}
}

func TestInFrance(t *testing.T) {
	for _, tc := range []struct {
		name     string
		lat, lng float64
		want     bool
	}{
		{"Besançon", 47.2602, 6.01226, true},
		{"Ajaccio", 41.9268, 8.7369, true},
		{"Pointe-à-Pitre", 16.2411, -61.5331, true},
		{"Saint-Denis de La Réunion", -20.8823, 55.4504, true},
		{"Cayenne", 4.9372, -52.326, true},
		{"Mamoudzou", -12.7806, 45.2279, true},
		{"null island", 0, 0, false},
		{"Berlin", 52.52, 13.405, false},
		{"London", 51.5072, -0.1276, false},
		{"Madrid", 40.4168, -3.7038, false},
	} {
		if got := InFrance(tc.lat, tc.lng); got != tc.want {
			t.Errorf("InFrance(%s) = %v", tc.name, got)
		}
	}
}

func TestSearchCommunes(t *testing.T) {
	first := func(q string, limit int) []Commune {
		t.Helper()
		got := SearchCommunes(q, limit)
		if len(got) == 0 {
			t.Fatalf("SearchCommunes(%q) found nothing", q)
		}
		if len(got) > limit {
			t.Errorf("SearchCommunes(%q, %d) returned %d", q, limit, len(got))
		}
		return got
	}
	if got := first("besan", 5); got[0].Code != "25056" {
		t.Errorf("besan: %v", codes(got))
	}
	if got := first("25000", 5); !slices.Contains(codes(got), "25056") {
		t.Errorf("25000: %v", codes(got))
	}
	if got := first("chalon-sur-saone", 5); got[0].Code != "71076" || got[0].Name != "Chalon-sur-Saône" {
		t.Errorf("chalon-sur-saone: %v", codes(got))
	}
	if got := first("CHALON SUR SAÔNE", 5); got[0].Code != "71076" {
		t.Errorf("CHALON SUR SAÔNE: %v", codes(got))
	}
	// Biggest population first.
	got := first("saint", 50)
	if len(got) != 50 {
		t.Errorf("saint: %d results", len(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i].Population > got[i-1].Population {
			t.Errorf("saint: %s (%d) after %s (%d)", got[i].Name, got[i].Population, got[i-1].Name, got[i-1].Population)
		}
	}
	if got[0].Code != "42218" { // Saint-Étienne
		t.Errorf("saint: first is %s", got[0].Name)
	}
	// "st " reads as "saint ", but "st" alone may be the start of Strasbourg.
	if got := first("st etienne", 1); got[0].Code != "42218" {
		t.Errorf("st etienne: %v", codes(got))
	}
	if got := first("st", 1); got[0].Code != "67482" {
		t.Errorf("st: %v", codes(got))
	}
	// Articles are optional; œ folds to oe.
	if got := first("abergement-clem", 3); got[0].Code != "01001" {
		t.Errorf("abergement-clem: %v", codes(got))
	}
	if got := first("l'abergement-clém", 3); got[0].Code != "01001" {
		t.Errorf("l'abergement-clém: %v", codes(got))
	}
	if got := first("coeuvres", 3); !strings.HasPrefix(got[0].Name, "Cœuvres") {
		t.Errorf("coeuvres: %v", got[0].Name)
	}
	// A postcode prefix: Paris first.
	if got := first("750", 3); got[0].Code != "75056" {
		t.Errorf("750: %v", codes(got))
	}
	for _, q := range []string{"", "  ", "-", "zzzzqx"} {
		if got := SearchCommunes(q, 5); len(got) != 0 {
			t.Errorf("SearchCommunes(%q) = %v", q, codes(got))
		}
	}
	if got := SearchCommunes("besan", 0); got != nil {
		t.Errorf("limit 0 gave %v", codes(got))
	}
}

func TestCommunesByPostcodeSortedByName(t *testing.T) {
	got := CommunesByPostcode("01300")
	if len(got) < 5 {
		t.Fatalf("01300: %d communes", len(got))
	}
	for i := 1; i < len(got); i++ {
		if fold(got[i-1].Name) > fold(got[i].Name) {
			t.Errorf("01300: %s before %s", got[i-1].Name, got[i].Name)
		}
	}
	for _, c := range got {
		if !slices.Contains(c.Postcodes, "01300") {
			t.Errorf("%s lacks 01300", c.Code)
		}
	}
	if got := CommunesByPostcode("00000"); got != nil {
		t.Errorf("00000 gave %v", codes(got))
	}
}

func TestSources(t *testing.T) {
	s := Sources()
	for _, want := range []string{"communes-france-2024.csv", "@etalab/decoupage-administratif 4.0.0", "MIT", "Code officiel géographique"} {
		if !strings.Contains(s, want) {
			t.Errorf("Sources() lacks %q", want)
		}
	}
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := load(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSearch(b *testing.B) {
	get()
	for b.Loop() {
		SearchCommunes("sa", 10)
	}
}
