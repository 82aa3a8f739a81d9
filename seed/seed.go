// Package seed fills a database with a realistic national programme, for
// measuring the dashboards at scale (passnum seed, passnum bench stats).
// Everything goes through the store's own methods, a few hundred writes to
// a transaction, so the data keeps every invariant "passnum check"
// verifies, counters included.
package seed

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
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
	perTx       = 400 // writes per transaction
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
	progress := o.Progress
	if progress == nil {
		progress = func(string, int, int) {}
	}
	r := rand.New(rand.NewPCG(o.Seed, 2026))
	booklets := int(o.Passes / bookletSize)
	nDist, nPlaces := max(5, int(o.Passes/10000)), max(10, int(o.Passes/2000))
	communes := weightedCommunes()

	// Organisations, the programme, its stock.
	var op passnum.Actor
	var distActors, placeActors []passnum.Actor
	var distCommunes []string
	var placeDeps = map[string][]int{}
	err := s.WriteAt(ctx, start.AddDate(0, -1, 0), func(tx *store.Tx) error {
		o, err := tx.CreateOrganisation(ctx, passnum.SystemActor, passnum.NewOrganisation{Kind: passnum.RoleOperator, Name: "Opérateur national du Pass numérique"})
		if err != nil {
			return err
		}
		op = passnum.Actor{OrganisationID: o.ID, Role: passnum.RoleOperator, Kind: "system", ID: "seed"}
		for _, name := range []string{"État", "Régions de France"} {
			f, err := tx.CreateOrganisation(ctx, op, passnum.NewOrganisation{Kind: passnum.RoleFunder, Name: name})
			if err != nil {
				return err
			}
			res.FunderIDs = append(res.FunderIDs, f.ID)
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	for lo := 0; lo < nDist+nPlaces; lo += perTx {
		hi := min(lo+perTx, nDist+nPlaces)
		err := s.WriteAt(ctx, start.AddDate(0, -1, 0), func(tx *store.Tx) error {
			for i := lo; i < hi; i++ {
				c := communes.pick(r)
				n := passnum.NewOrganisation{Kind: passnum.RoleDistributor, Name: fmt.Sprintf("Mission locale %s n° %d", c.Name, i+1), CommuneINSEE: c.Code}
				if i >= nDist {
					n = passnum.NewOrganisation{Kind: passnum.RolePlace, Name: fmt.Sprintf("Espace numérique %s n° %d", c.Name, i-nDist+1), CommuneINSEE: c.Code, SIRET: siret(r)}
				}
				org, err := tx.CreateOrganisation(ctx, op, n)
				if err != nil {
					return err
				}
				a := passnum.Actor{OrganisationID: org.ID, Role: n.Kind, Kind: "system", ID: "seed"}
				if i < nDist {
					distActors, distCommunes = append(distActors, a), append(distCommunes, c.Code)
					res.DistributorIDs = append(res.DistributorIDs, org.ID)
					continue
				}
				if _, err := tx.SetPlaceStatus(ctx, op, org.ID, passnum.OrgLabelled, "Commission de labellisation"); err != nil {
					return err
				}
				placeDeps[c.Departement] = append(placeDeps[c.Departement], len(placeActors))
				placeActors = append(placeActors, a)
			}
			return nil
		})
		if err != nil {
			return res, err
		}
		progress("Organisations", hi, nDist+nPlaces)
	}
	var territoryCodes []string
	for _, reg := range territory.Regions() {
		territoryCodes = append(territoryCodes, "reg:"+reg.Code)
	}
	budget := o.Passes * 1000
	err = s.WriteAt(ctx, start.AddDate(0, -1, 0), func(tx *store.Tx) error {
		p, err := tx.CreateProgramme(ctx, op, passnum.Programme{
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
		return res, err
	}
	for done := 0; done < booklets; {
		n := min(passnum.MaxIssuanceBooklets, booklets-done)
		if err := s.WriteAt(ctx, start.AddDate(0, 0, -7), func(tx *store.Tx) error {
			_, err := tx.Issue(ctx, op, res.ProgrammeID, int64(n))
			return err
		}); err != nil {
			return res, err
		}
		done += n
		progress("Émission", done, booklets)
	}
	res.Booklets = booklets

	// Who gets what: 95 % of the booklets handed out, each agency its
	// share, over 18 months; 55 % of them used, from a few days to months
	// later, most often to the end.
	handed := booklets * 95 / 100
	plan := make([]booklet, handed)
	perDist := make([]int64, nDist)
	for i := range plan {
		d := r.IntN(nDist)
		if i < nDist {
			d = i
		}
		plan[i].dist = d
		perDist[d]++
	}
	err = s.WriteAt(ctx, start.AddDate(0, 0, -3), func(tx *store.Tx) error {
		for d, n := range perDist {
			if n == 0 {
				continue
			}
			if _, err := tx.Allocate(ctx, op, res.ProgrammeID, distActors[d].OrganisationID, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return res, err
	}
	span := 18 * 30 * 24 * time.Hour
	handAt := func(i int) time.Time { return start.Add(time.Duration(float64(span) * float64(i) / float64(handed))) }
	for lo := 0; lo < handed; lo += perTx {
		hi := min(lo+perTx, handed)
		err := s.WriteAt(ctx, handAt(lo), func(tx *store.Tx) error {
			today := tx.Today()
			for i := lo; i < hi; i++ {
				b := &plan[i]
				actor := distActors[b.dist]
				c, ok := territory.LookupCommune(distCommunes[b.dist])
				if !ok {
					return fmt.Errorf("commune %s", distCommunes[b.dist])
				}
				age := 16 + r.IntN(10)
				birth := today.AddDays(-(age*365 + 30 + r.IntN(300)))
				ben, err := tx.CreateBeneficiary(ctx, actor, passnum.Beneficiary{FirstName: firstNames[r.IntN(len(firstNames))],
					LastName: lastNames[i%len(lastNames)] + " " + letters(i/len(lastNames)), BirthDate: birth, CommuneINSEE: c.Code, JobSeeker: true})
				if err != nil {
					return err
				}
				bk, err := tx.HandOut(ctx, actor, ben.ID, res.ProgrammeID)
				if err != nil {
					return err
				}
				if r.Float64() < 0.55 {
					b.uses = 5
					if r.IntN(2) == 0 {
						b.uses = 1 + r.IntN(4)
					}
					for _, ps := range bk.Passes[:b.uses] {
						b.codes = append(b.codes, ps.Code)
					}
					wait := time.Duration(r.ExpFloat64()*40*24) * time.Hour
					b.first = tx.Now().Add(wait)
					deps := placeDeps[c.Departement]
					if len(deps) > 0 {
						b.place = deps[r.IntN(len(deps))]
					} else {
						b.place = r.IntN(len(placeActors))
					}
				}
			}
			return nil
		})
		if err != nil {
			return res, err
		}
		res.HandedOut = hi
		progress("Remises", hi, handed)
		if err := foldNow(ctx, s, lo); err != nil {
			return res, err
		}
	}

	// Uses in time order: the first at its day, the next ones a week or
	// two apart, none after the programme's last redeeming day.
	type use struct {
		at    time.Time
		code  string
		place int
	}
	end := time.Date(2026, 11, 30, 12, 0, 0, 0, passnum.Paris)
	var uses []use
	for i := range plan {
		b := &plan[i]
		at := b.first
		for _, code := range b.codes {
			if at.After(end) {
				break
			}
			uses = append(uses, use{at, code, b.place})
			at = at.Add(time.Duration(5+r.IntN(15)) * 24 * time.Hour)
		}
		b.codes = nil
	}
	sort.Slice(uses, func(i, j int) bool { return uses[i].at.Before(uses[j].at) })
	for lo := 0; lo < len(uses); lo += perTx {
		hi := min(lo+perTx, len(uses))
		err := s.WriteAt(ctx, uses[lo].at, func(tx *store.Tx) error {
			for _, u := range uses[lo:hi] {
				if _, err := tx.Redeem(ctx, placeActors[u.place], store.RedeemRequest{Code: u.code, Service: passnum.NationalServices[r.IntN(4)]}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return res, err
		}
		res.Redeemed = hi
		progress("Utilisations", hi, len(uses))
		if err := foldNow(ctx, s, lo); err != nil {
			return res, err
		}
	}
	if _, err := s.FoldStats(ctx); err != nil {
		return res, err
	}
	return res, s.Analyze(ctx)
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
