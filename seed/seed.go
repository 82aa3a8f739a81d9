// Package seed fills a database with a realistic national programme, for
// measuring the dashboards at scale (passnum seed, passnum bench stats).
// Everything goes through the store's own methods (the bulk path for
// the millions of hand-outs and uses, see store/bulk_load.go), so the
// data keeps every invariant "passnum check" verifies, counters included.
package seed

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"passnum"
	"passnum/store"
	"passnum/territory"
)

// Options size the programme. With Passes = 10,000,000: 2,000,000
// booklets of 5, 95 % handed out (one per young person) over 18 months,
// 1,000 distributors, 5,000 places, 40 % of the passes used within two
// years (about 4,000,000 redemptions).
type Options struct {
	Passes int64
	Seed   uint64
	// Distributors and Places, when not zero, replace the counts drawn
	// from Passes (one distributor per 10,000 passes, one place per
	// 2,000): a million passes over the national territory's 1,000
	// distributors and 5,000 places give the dashboards the national
	// number of cells in minutes of seeding.
	Distributors, Places int
	// PerItem writes every hand-out and use through the store's own
	// per-item writes (HandOut, Redeem), counters kept as they go: an
	// hour for the national scale. Without it they go through the bulk
	// path (BulkHandOut, BulkRedeem) and the counters are rebuilt at the
	// end; the same seed gives the same programme either way.
	PerItem bool
	// Progress is told how far each stage is (may be nil).
	Progress func(stage string, done, total int)
}

// Result sums up what was written.
type Result struct {
	ProgrammeID                   string
	FunderIDs, DistributorIDs     []string
	Booklets, HandedOut, Redeemed int
}

const (
	bookletSize = 5
	perTx       = 400        // per-item writes per transaction, and the grain of their instants
	bulkTx      = 25 * perTx // bulk rows per transaction
	// allocChunk is how many booklets an allocation round gives out: a
	// write of its own, so that SQLite's WAL is checkpointed between rounds.
	allocChunk = 100_000
)

// start is the programme's first day.
var start = time.Date(2025, 1, 6, 9, 0, 0, 0, passnum.Paris)

type booklet struct {
	dist  int
	codes []string
	place int
	uses  int
	first time.Time
}

// Run seeds s. The store's clock must be the one writes take their
// instant from: the seed writes at the instants it chooses (WriteAt).
func Run(ctx context.Context, s *store.Store, o Options) (Result, error) {
	var res Result
	if o.Passes < bookletSize*10 {
		return res, fmt.Errorf("au moins %d pass", bookletSize*10)
	}
	st := &state{r: rand.New(rand.NewPCG(o.Seed, 2026)), progress: o.Progress, placeDeps: map[string][]int{}}
	if st.progress == nil {
		st.progress = func(string, int, int) {}
	}
	booklets := int(o.Passes / bookletSize)
	nDist, nPlaces := max(5, int(o.Passes/10000)), max(10, int(o.Passes/2000))
	if o.Distributors > 0 {
		nDist = o.Distributors
	}
	if o.Places > 0 {
		nPlaces = o.Places
	}
	if !o.PerItem {
		// The secondary indexes the bulk path does not read are built
		// once at the end, each one sort, rather than inserted into row
		// by row (store/bulk_indexes.go).
		if _, err := s.DeferIndexes(ctx); err != nil {
			return res, err
		}
	}
	if err := createOrganisations(ctx, s, st, &res, nDist, nPlaces); err != nil {
		return res, err
	}
	if err := createProgramme(ctx, s, st, &res, o.Passes, booklets); err != nil {
		return res, err
	}
	// Each stage reads what the one before wrote: its tables' statistics
	// are refreshed between them (PostgreSQL may run without autovacuum).
	if err := s.AnalyzeLoaded(ctx, "booklets", "passes"); err != nil {
		return res, err
	}
	plan, err := allocate(ctx, s, st, booklets, nDist)
	if err != nil {
		return res, err
	}
	if err := s.AnalyzeLoaded(ctx, "booklets", "distributor_stock"); err != nil {
		return res, err
	}
	if err := handOut(ctx, s, o, st, plan); err != nil {
		return res, err
	}
	res.HandedOut = len(plan)
	if err := s.AnalyzeLoaded(ctx, "booklets", "passes", "beneficiaries"); err != nil {
		return res, err
	}
	n, err := redeem(ctx, s, o, st, plan)
	res.Redeemed = n
	if err != nil {
		return res, err
	}
	if !o.PerItem {
		// The bulk path left the booklets' uses and the counters alone:
		// written once, from the rows, the uses before the indexes that
		// hold them.
		if err := s.RebuildBookletUses(ctx); err != nil {
			return res, err
		}
		if err := s.RestoreIndexes(ctx, func(done, total int) { st.progress("Index", done, total) }); err != nil {
			return res, err
		}
	}
	// A bulk-load store's SQLite writer left the foreign keys to now:
	// checked before any figure is made from the rows.
	if err := s.CheckForeignKeys(ctx); err != nil {
		return res, err
	}
	if o.PerItem {
		_, err = s.FoldStats(ctx)
	} else {
		_, err = s.RebuildStats(ctx)
	}
	if err != nil {
		return res, err
	}
	return res, s.Analyze(ctx)
}

// createOrganisations makes the operator, the two funders, the agencies
// and the labelled places, in communes drawn by population.
func createOrganisations(ctx context.Context, s *store.Store, st *state, res *Result, nDist, nPlaces int) error {
	communes := weightedCommunes()
	err := s.WriteAt(ctx, start.AddDate(0, -1, 0), func(tx *store.Tx) error {
		o, err := tx.CreateOrganisation(ctx, passnum.SystemActor, passnum.NewOrganisation{Kind: passnum.RoleOperator, Name: "Opérateur national du Pass numérique"})
		if err != nil {
			return err
		}
		st.op = passnum.Actor{OrganisationID: o.ID, Role: passnum.RoleOperator, Kind: "system", ID: "seed"}
		for _, name := range []string{"État", "Régions de France"} {
			f, err := tx.CreateOrganisation(ctx, st.op, passnum.NewOrganisation{Kind: passnum.RoleFunder, Name: name})
			if err != nil {
				return err
			}
			res.FunderIDs = append(res.FunderIDs, f.ID)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for lo := 0; lo < nDist+nPlaces; lo += perTx {
		hi := min(lo+perTx, nDist+nPlaces)
		err := s.WriteAt(ctx, start.AddDate(0, -1, 0), func(tx *store.Tx) error {
			for i := lo; i < hi; i++ {
				if err := st.createOrganisation(ctx, tx, res, communes.pick(st.r), i, nDist); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		st.progress("Organisations", hi, nDist+nPlaces)
	}
	return nil
}

// createOrganisation makes the i-th organisation in commune c: an agency
// for the first nDist, a labelled place after.
func (st *state) createOrganisation(ctx context.Context, tx *store.Tx, res *Result, c territory.Commune, i, nDist int) error {
	n := passnum.NewOrganisation{Kind: passnum.RoleDistributor, Name: fmt.Sprintf("Mission locale %s n° %d", c.Name, i+1), CommuneINSEE: c.Code}
	if i >= nDist {
		n = passnum.NewOrganisation{Kind: passnum.RolePlace, Name: fmt.Sprintf("Espace numérique %s n° %d", c.Name, i-nDist+1), CommuneINSEE: c.Code, SIRET: siret(st.r)}
	}
	org, err := tx.CreateOrganisation(ctx, st.op, n)
	if err != nil {
		return err
	}
	a := passnum.Actor{OrganisationID: org.ID, Role: n.Kind, Kind: "system", ID: "seed"}
	if i < nDist {
		st.distActors, st.distCommunes = append(st.distActors, a), append(st.distCommunes, c.Code)
		res.DistributorIDs = append(res.DistributorIDs, org.ID)
		return nil
	}
	if _, err := tx.SetPlaceStatus(ctx, st.op, org.ID, passnum.OrgLabelled, "Commission de labellisation"); err != nil {
		return err
	}
	st.placeDeps[c.Departement] = append(st.placeDeps[c.Departement], len(st.placeActors))
	st.placeActors = append(st.placeActors, a)
	return nil
}

// createProgramme makes the national programme over every région, funded
// half and half, and issues its booklets.
func createProgramme(ctx context.Context, s *store.Store, st *state, res *Result, passes int64, booklets int) error {
	var territoryCodes []string
	for _, reg := range territory.Regions() {
		territoryCodes = append(territoryCodes, "reg:"+reg.Code)
	}
	budget := passes * 1000
	err := s.WriteAt(ctx, start.AddDate(0, -1, 0), func(tx *store.Tx) error {
		p, err := tx.CreateProgramme(ctx, st.op, passnum.Programme{
			Name: "Pass numérique national 2025-2026", FaceValueCents: 1000, BookletSize: bookletSize,
			ValidFrom: passnum.ParisDate(start), ValidUntil: passnum.MustDate("2026-12-31"), GraceDays: passnum.DefaultGraceDays,
			MinAge: 16, MaxAge: 25, MaxBookletsPerBeneficiary: 1, CancelWindowHours: passnum.DefaultCancelWindowHours,
			Territory: territoryCodes, BudgetCents: &budget,
			Funders: []passnum.FunderShare{{OrganisationID: res.FunderIDs[0], ShareBps: 5000}, {OrganisationID: res.FunderIDs[1], ShareBps: 5000}},
		})
		res.ProgrammeID = p.ID
		return err
	})
	if err != nil {
		return err
	}
	st.programmeID = res.ProgrammeID
	for done := 0; done < booklets; {
		n := min(passnum.MaxIssuanceBooklets, booklets-done)
		if err := s.WriteAt(ctx, start.AddDate(0, 0, -7), func(tx *store.Tx) error {
			_, err := tx.Issue(ctx, st.op, res.ProgrammeID, int64(n))
			return err
		}); err != nil {
			return err
		}
		done += n
		st.progress("Émission", done, booklets)
	}
	res.Booklets = booklets
	return nil
}

// allocate decides who gets what: 95 % of the booklets handed out, each
// agency its share (every agency at least one), over 18 months; and gives
// each agency its booklets, in the order they will be handed out
// (BulkAllocate), allocChunk booklets to an allocation round.
func allocate(ctx context.Context, s *store.Store, st *state, booklets, nDist int) ([]booklet, error) {
	handed := booklets * 95 / 100
	plan := make([]booklet, handed)
	for i := range plan {
		d := st.r.IntN(nDist)
		if i < nDist {
			d = i
		}
		plan[i].dist = d
	}
	for lo := 0; lo < handed; lo += allocChunk {
		hi := min(lo+allocChunk, handed)
		dists := make([]string, 0, hi-lo)
		for _, b := range plan[lo:hi] {
			dists = append(dists, st.distActors[b.dist].OrganisationID)
		}
		if err := s.WriteAt(ctx, start.AddDate(0, 0, -3), func(tx *store.Tx) error {
			_, err := tx.BulkAllocate(ctx, st.op, st.programmeID, dists)
			return err
		}); err != nil {
			return nil, err
		}
		st.progress("Attributions", hi, handed)
	}
	return plan, nil
}

// foldNow folds the statistics' deltas (PostgreSQL) every 25 transactions,
// as serve does every few seconds, so that they never pile up.
func foldNow(ctx context.Context, s *store.Store, lo int) error {
	if (lo/perTx)%25 != 24 {
		return nil
	}
	_, err := s.FoldStats(ctx)
	return err
}

// communeList picks communes by population.
type communeList struct {
	list []territory.Commune
	cum  []float64
}

func weightedCommunes() communeList {
	var cl communeList
	var deps []string
	for _, d := range territory.Departements() {
		deps = append(deps, d.Code)
	}
	total := 0.0
	for _, c := range territory.CommunesIn(deps...) {
		if c.Population < 2000 || c.Parent != "" {
			continue
		}
		if !passnum.InTerritory([]string{"reg:" + c.Region}, c.Code) {
			continue
		}
		total += math.Sqrt(float64(c.Population))
		cl.list = append(cl.list, c)
		cl.cum = append(cl.cum, total)
	}
	return cl
}

func (cl communeList) pick(r *rand.Rand) territory.Commune {
	x := r.Float64() * cl.cum[len(cl.cum)-1]
	i, _ := slices.BinarySearch(cl.cum, x)
	return cl.list[min(i, len(cl.list)-1)]
}

// letters spells n in letters ("Ba", "Be"…), to tell apart young people
// of the same name in an agency.
func letters(n int) string {
	const cons, vow = "bcdfglmnprstv", "aeiou"
	out := []byte{"BCDFGLMNPRSTV"[n%13], vow[(n/13)%5]}
	n /= 65
	for n > 0 {
		out = append(out, cons[n%13], vow[(n/13)%5])
		n /= 65
	}
	return string(out)
}

var firstNames = []string{"Léa", "Lucas", "Emma", "Hugo", "Chloé", "Nathan", "Inès", "Yanis", "Manon", "Enzo", "Camille", "Adam", "Sarah", "Louis", "Jade", "Rayan"}
var lastNames = []string{"Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent", "Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David"}

// siret draws a valid SIRET.
func siret(r *rand.Rand) string {
	for {
		b := make([]byte, 14)
		b[0] = byte('1' + r.IntN(9))
		for i := 1; i < 14; i++ {
			b[i] = byte('0' + r.IntN(10))
		}
		if s := string(b); passnum.ValidSIRET(s) && s[:9] != "356000000" {
			return s
		}
	}
}
