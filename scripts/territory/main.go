// Command territory generates the embedded data of package passnum/territory.
//
// Regenerate from the module root with:
//
//	D=$(mktemp -d) && (cd "$D" && npm install @etalab/decoupage-administratif@4.0.0)
//	go run ./scripts/territory -communes ../shared/data/communes \
//	    -decoupage "$D/node_modules/@etalab/decoupage-administratif" -out territory/data
//
// Version 4.0.0 of @etalab/decoupage-administratif is the 2024 edition of the
// Code officiel géographique, the one the communes CSV follows; later versions
// describe a newer geography (merged communes, new codes) and are rejected.
// See README.md beside this file.
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

const (
	communesFile     = "communes-france-2024.csv"
	departementsFile = "departements-france-2024.csv"
	regionsFile      = "regions-france-2024.csv"
)

type commune struct {
	code, parent, name, dep, reg string
	postcodes                    []string
	lat, lng                     string // verbatim from the source; empty when unknown
	population                   int
}

type decoupageCommune struct {
	Code         string   `json:"code"`
	Name         string   `json:"nom"`
	Type         string   `json:"type"`
	Departement  string   `json:"departement"`
	Region       string   `json:"region"`
	CodesPostaux []string `json:"codesPostaux"`
	Population   int      `json:"population"`
}

func main() {
	communesDir := flag.String("communes", "../shared/data/communes", "folder holding "+communesFile)
	decoupageDir := flag.String("decoupage", "", "folder of the npm package @etalab/decoupage-administratif (node_modules/@etalab/decoupage-administratif)")
	outDir := flag.String("out", "territory/data", "output folder")
	flag.Parse()
	if *decoupageDir == "" {
		log.Fatal("-decoupage is required (see scripts/territory/README.md)")
	}
	if err := run(*communesDir, *decoupageDir, *outDir); err != nil {
		log.Fatal(err)
	}
}

func run(communesDir, decoupageDir, outDir string) error {
	regs, err := readTable(filepath.Join(communesDir, regionsFile), "insee_reg", "region")
	if err != nil {
		return err
	}
	deps, err := readTable(filepath.Join(communesDir, departementsFile), "insee_dep", "insee_reg", "departement")
	if err != nil {
		return err
	}
	regNames := map[string]string{}
	for _, r := range regs {
		regNames[r[0]] = r[1]
	}
	depRegion := map[string]string{}
	for _, d := range deps {
		if _, ok := regNames[d[1]]; !ok {
			return fmt.Errorf("département %s: unknown région %s", d[0], d[1])
		}
		depRegion[d[0]] = d[1]
	}

	communes, areas, err := readCommunes(filepath.Join(communesDir, communesFile), depRegion)
	if err != nil {
		return err
	}
	version, license, err := readPackage(decoupageDir)
	if err != nil {
		return err
	}
	added, err := mergeDecoupage(communes, areas, depRegion, filepath.Join(decoupageDir, "data", "communes.json"))
	if err != nil {
		return fmt.Errorf("@etalab/decoupage-administratif %s: %w", version, err)
	}

	codes := make([]string, 0, len(communes))
	districts := 0
	for code, c := range communes {
		codes = append(codes, code)
		if c.parent != "" {
			districts++
		}
	}
	slices.Sort(codes)

	if err := writeTables(outDir, communes, codes, deps, regs); err != nil {
		return err
	}
	sources, err := sourcesText(communesDir, version, license, len(codes), districts, added, len(deps), len(regs))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(outDir, "SOURCES.txt"), []byte(sources), 0o644); err != nil {
		return err
	}
	log.Printf("wrote %d communes (%d districts), %d départements, %d régions to %s", len(codes), districts, len(deps), len(regs), outDir)
	return nil
}

// writeTables writes the communes (in codes' order, gzipped), the
// départements and the régions as the tab-separated files the territory
// package embeds.
func writeTables(outDir string, communes map[string]*commune, codes []string, deps, regs [][]string) error {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("code\tparent\tname\tdepartement\tregion\tpostcodes\tlat\tlng\tpopulation\n")
	for _, code := range codes {
		c := communes[code]
		fmt.Fprintf(&buf, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", c.code, c.parent, c.name, c.dep, c.reg,
			strings.Join(c.postcodes, ","), c.lat, c.lng, c.population)
	}
	if err := writeGzip(filepath.Join(outDir, "communes.tsv.gz"), buf.Bytes()); err != nil {
		return err
	}
	buf.Reset()
	buf.WriteString("code\tregion\tname\n")
	for _, d := range deps {
		fmt.Fprintf(&buf, "%s\t%s\t%s\n", d[0], d[1], d[2])
	}
	if err := os.WriteFile(filepath.Join(outDir, "departements.tsv"), buf.Bytes(), 0o644); err != nil {
		return err
	}
	buf.Reset()
	buf.WriteString("code\tname\n")
	for _, r := range regs {
		fmt.Fprintf(&buf, "%s\t%s\n", r[0], r[1])
	}
	if err := os.WriteFile(filepath.Join(outDir, "regions.tsv"), buf.Bytes(), 0o644); err != nil {
		return err
	}

	return nil
}

// readTable returns the named columns of a CSV file, in file order.
func readTable(path string, columns ...string) ([][]string, error) {
	header, rows, err := readCSV(path)
	if err != nil {
		return nil, err
	}
	idx := make([]int, len(columns))
	for i, col := range columns {
		if idx[i] = slices.Index(header, col); idx[i] < 0 {
			return nil, fmt.Errorf("%s: no column %q", path, col)
		}
	}
	out := make([][]string, 0, len(rows))
	for _, row := range rows {
		vals := make([]string, len(idx))
		for i, j := range idx {
			vals[i] = strings.TrimSpace(row[j])
			if vals[i] == "" || strings.ContainsAny(vals[i], "\t\n") {
				return nil, fmt.Errorf("%s: bad %s %q", path, columns[i], row[j])
			}
		}
		out = append(out, vals)
	}
	return out, nil
}

func readCSV(path string) ([]string, [][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	rows, err := r.ReadAll()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) == 0 {
		return nil, nil, fmt.Errorf("%s: empty", path)
	}
	return rows[0], rows[1:], nil
}

// readCommunes keeps one entry per COM or ARM code. COMD rows (former communes
// that reuse the code of the commune they merged into) are skipped, and the
// rows repeated once per postcode are folded into one commune. It also returns
// the area of each ARM district, to place the centre of its city.
func readCommunes(path string, depRegion map[string]string) (map[string]*commune, map[string]float64, error) {
	header, rows, err := readCSV(path)
	if err != nil {
		return nil, nil, err
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	for _, name := range []string{"insee_com", "insee_reg", "insee_dep", "commune_article", "code_postal", "commune_type", "insee_parente", "lat", "lng", "superficie_km2", "population_2021"} {
		if _, ok := col[name]; !ok {
			return nil, nil, fmt.Errorf("%s: no column %q", path, name)
		}
	}
	communes := map[string]*commune{}
	areas := map[string]float64{}
	var merged []string
	for line, row := range rows {
		get := func(name string) string { return strings.TrimSpace(row[col[name]]) }
		code, typ := get("insee_com"), get("commune_type")
		where := fmt.Sprintf("%s line %d (%s)", path, line+2, code)
		switch typ {
		case "COMD":
			merged = append(merged, code)
			continue
		case "COM", "ARM":
		default:
			return nil, nil, fmt.Errorf("%s: unknown commune_type %q", where, typ)
		}
		pop, err := strconv.Atoi(get("population_2021"))
		if err != nil {
			return nil, nil, fmt.Errorf("%s: population: %w", where, err)
		}
		c := &commune{
			code: code, name: get("commune_article"), dep: get("insee_dep"), reg: get("insee_reg"),
			postcodes: []string{get("code_postal")}, lat: get("lat"), lng: get("lng"), population: pop,
		}
		if typ == "ARM" {
			c.parent = get("insee_parente")
			if c.parent == "" {
				return nil, nil, fmt.Errorf("%s: district without insee_parente", where)
			}
			area, err := strconv.ParseFloat(get("superficie_km2"), 64)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: superficie_km2: %w", where, err)
			}
			areas[code] = area
		}
		if err := checkCommune(c, depRegion); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", where, err)
		}
		prev, ok := communes[code]
		if !ok {
			communes[code] = c
			continue
		}
		if prev.name != c.name || prev.dep != c.dep || prev.reg != c.reg || prev.parent != c.parent {
			return nil, nil, fmt.Errorf("%s: differs from an earlier row of the same code", where)
		}
		if !slices.Contains(prev.postcodes, c.postcodes[0]) {
			prev.postcodes = append(prev.postcodes, c.postcodes[0])
		}
	}
	for _, code := range merged {
		if _, ok := communes[code]; !ok {
			return nil, nil, fmt.Errorf("%s: COMD row %s has no current commune of the same code", path, code)
		}
	}
	return communes, areas, nil
}

func checkCommune(c *commune, depRegion map[string]string) error {
	if len(c.code) != 5 || c.name == "" || strings.ContainsAny(c.name, "\t\n") {
		return fmt.Errorf("bad code or name %q %q", c.code, c.name)
	}
	if reg, ok := depRegion[c.dep]; !ok || reg != c.reg {
		return fmt.Errorf("département %q and région %q do not match the départements table", c.dep, c.reg)
	}
	for _, p := range c.postcodes {
		if !isPostcode(p) {
			return fmt.Errorf("bad postcode %q", p)
		}
	}
	if (c.lat == "") != (c.lng == "") {
		return fmt.Errorf("only one of lat and lng")
	}
	if c.lat != "" {
		if _, err := strconv.ParseFloat(c.lat, 64); err != nil {
			return err
		}
		if _, err := strconv.ParseFloat(c.lng, 64); err != nil {
			return err
		}
	}
	return nil
}

func isPostcode(p string) bool {
	if len(p) != 5 {
		return false
	}
	for _, r := range p {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func readPackage(dir string) (version, license string, err error) {
	data, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return "", "", err
	}
	var pkg struct{ Name, Version, License string }
	if err := json.Unmarshal(data, &pkg); err != nil {
		return "", "", fmt.Errorf("%s/package.json: %w", dir, err)
	}
	if pkg.Name != "@etalab/decoupage-administratif" || pkg.Version == "" {
		return "", "", fmt.Errorf("%s is not the @etalab/decoupage-administratif package", dir)
	}
	return pkg.Version, pkg.License, nil
}

// mergeDecoupage takes every postcode of each commune from the package, in its
// order (the CSV lists only some), and adds the current communes of the known
// départements that the CSV lacks, notably Paris, Lyon and Marseille, whose
// CSV rows are only their districts. It fails when the package describes
// another geography than the CSV. It returns the codes it added.
func mergeDecoupage(communes map[string]*commune, areas map[string]float64, depRegion map[string]string, path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var list []decoupageCommune
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	seen := map[string]bool{}
	var added []string
	for _, d := range list {
		if d.Type != "commune-actuelle" && d.Type != "arrondissement-municipal" {
			continue
		}
		seen[d.Code] = true
		c, ok := communes[d.Code]
		if !ok {
			if _, known := depRegion[d.Departement]; !known {
				continue // collectivités d'outre-mer: outside the départements table
			}
			c = &commune{code: d.Code, name: d.Name, dep: d.Departement, reg: d.Region, population: d.Population}
			placeCity(c, communes, areas)
			communes[d.Code] = c
			added = append(added, d.Code)
		} else if c.name != d.Name || c.dep != d.Departement {
			return nil, fmt.Errorf("commune %s is %q in %s in the CSV but %q in %s in the package: install version 4.0.0",
				d.Code, c.name, c.dep, d.Name, d.Departement)
		}
		postcodes := slices.Clone(d.CodesPostaux)
		for _, p := range c.postcodes {
			if !slices.Contains(postcodes, p) {
				postcodes = append(postcodes, p)
			}
		}
		c.postcodes = postcodes
		if err := checkCommune(c, depRegion); err != nil {
			return nil, fmt.Errorf("commune %s: %w", d.Code, err)
		}
		if len(c.postcodes) == 0 {
			return nil, fmt.Errorf("commune %s has no postcode", d.Code)
		}
	}
	var missing []string
	for code := range communes {
		if !seen[code] {
			missing = append(missing, code)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, fmt.Errorf("%d communes of the CSV are not in the package (e.g. %s): install version 4.0.0",
			len(missing), strings.Join(missing[:min(5, len(missing))], ", "))
	}
	slices.Sort(added)
	return added, nil
}

// placeCity gives a city split into districts (Paris, Lyon, Marseille) the
// summed population of its districts and, as centre, the area-weighted mean of
// their centres, so its figures match the districts' vintage.
func placeCity(c *commune, communes map[string]*commune, areas map[string]float64) {
	var pop int
	var lat, lng, area float64
	for _, d := range communes {
		if d.parent != c.code {
			continue
		}
		pop += d.population
		if d.lat == "" {
			continue
		}
		la, _ := strconv.ParseFloat(d.lat, 64)
		ln, _ := strconv.ParseFloat(d.lng, 64)
		w := areas[d.code]
		lat += la * w
		lng += ln * w
		area += w
	}
	if pop > 0 {
		c.population = pop
	}
	if area > 0 {
		c.lat = strconv.FormatFloat(lat/area, 'f', 5, 64)
		c.lng = strconv.FormatFloat(lng/area, 'f', 5, 64)
	}
}

func sourcesText(communesDir, version, license string, communes, districts int, added []string, deps, regs int) (string, error) {
	var b strings.Builder
	b.WriteString("Reference territory of France: communes, départements, régions.\n")
	b.WriteString("Generated by scripts/territory (see its README.md); do not edit by hand.\n\n")
	fmt.Fprintf(&b, "Contents: %d communes (of which %d municipal districts of Paris, Lyon and Marseille), %d départements, %d régions.\n\n", communes, districts, deps, regs)
	b.WriteString("Sources:\n")
	for _, f := range []struct{ name, use string }{
		{communesFile, "communes (COM and ARM rows): codes, names, départements, régions, postcodes, centres, population 2021"},
		{departementsFile, "départements: codes, names, régions"},
		{regionsFile, "régions: codes, names"},
	} {
		sum, err := sha256File(filepath.Join(communesDir, f.name))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "- %s (sha256 %s): %s.\n", f.name, sum, f.use)
	}
	if readme, err := os.ReadFile(filepath.Join(communesDir, "README.md")); err == nil {
		if _, after, ok := strings.Cut(string(readme), "## Sources\n"); ok {
			section, _, _ := strings.Cut(after, "\n## ")
			b.WriteString("  These files say of themselves: ")
			b.WriteString(strings.Join(strings.Fields(section), " "))
			b.WriteString("\n")
		}
	}
	fmt.Fprintf(&b, "- npm package @etalab/decoupage-administratif %s (%s license, https://github.com/etalab/decoupage-administratif), data/communes.json: every postcode of every commune, and the communes missing from the CSV: %s.\n",
		version, license, strings.Join(added, ", "))
	b.WriteString("\nNotes:\n")
	b.WriteString("- Former communes merged into another (COMD rows) are not communes of their own.\n")
	b.WriteString("- Paris, Lyon and Marseille: population summed over their districts, centre the area-weighted mean of the districts' centres.\n")
	b.WriteString("- Communes with no coordinates in the sources have none here.\n")
	return b.String(), nil
}

func sha256File(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// writeGzip writes a gzip stream with no name or time in its header, so that
// regenerating from the same sources gives the same bytes.
func writeGzip(path string, data []byte) error {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(data); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
