package store_test

import (
	"cmp"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"passnum"
	"passnum/store"
)

// The model-based test: random sequences of operations, each outcome
// predicted by a small in-memory model, the invariants checked after every
// step. A failing seed replays the same sequence of decisions.

var modelSeed = flag.Uint64("seed", 0, "replay TestModel with this seed (default: PASSNUM_MODEL_SEED, else fixed seeds and one from the clock)")

var modelSteps = flag.Int("steps", 0, "steps of each TestModel run (default: PASSNUM_MODEL_STEPS, else 500)")

// stepsOfModel is how many operations each seed runs: a few thousand in
// all by default, many more on demand.
func stepsOfModel(t *testing.T) int {
	t.Helper()
	if *modelSteps > 0 {
		return *modelSteps
	}
	if v := os.Getenv("PASSNUM_MODEL_STEPS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("PASSNUM_MODEL_STEPS=%q: a number of steps, 1 or more", v)
		}
		return n
	}
	return 500
}

func modelSeeds(t *testing.T) []uint64 {
	t.Helper()
	if *modelSeed != 0 {
		return []uint64{*modelSeed}
	}
	if v := os.Getenv("PASSNUM_MODEL_SEED"); v != "" {
		seed, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("PASSNUM_MODEL_SEED=%q: %v", v, err)
		}
		return []uint64{seed}
	}
	return []uint64{1, 2, uint64(time.Now().UnixNano())}
}

func TestModel(t *testing.T) {
	for _, seed := range modelSeeds(t) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel() // each seed has its own databases
			eachWithDB(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB) {
				m := newModel(t, s, clock, db, seed)
				t.Cleanup(func() {
					if t.Failed() {
						t.Logf("last steps:\n  %s", strings.Join(m.log[max(0, len(m.log)-25):], "\n  "))
						t.Logf("replay with: go test ./store -run 'TestModel/seed=%d/%s' -seed=%d -v   (or PASSNUM_MODEL_SEED=%d)",
							seed, s.Engine(), seed, seed)
					}
				})
				steps := stepsOfModel(t)
				for step := range steps {
					m.step, m.touched = step, -1
					m.doRandomOperation()
					m.verify()
				}
				t.Logf("%d steps: %d programmes, %d passes handed out, %d redemptions (%d cancelled), %d settlements; outcomes %v",
					steps, len(m.progs), len(m.passes), len(m.reds), m.cancelled(), len(m.setts), m.outcomes)
			})
		})
	}
}

type mPlace struct {
	actor  passnum.Actor
	status passnum.OrgStatus
	bank   bool // has approved bank details
	// siret is the SIRET the place holds ("" once a new application took
	// it back), created when it was registered (never submitted here).
	siret   string
	created time.Time
}

// releases says whether a new application may take the place's SIRET
// back: its application was refused or withdrawn, or never submitted
// within passnum.UnsubmittedHold.
func (p *mPlace) releases(now time.Time) bool {
	switch p.status {
	case passnum.OrgRefused, passnum.OrgWithdrawn:
		return true
	case passnum.OrgPending:
		return p.created.Before(now.Add(-passnum.UnsubmittedHold))
	}
	return false
}

type mStock struct{ allocated, available int64 }

type mProgramme struct {
	p           passnum.Programme // as created, with its id
	shares      map[string]int64  // funder id → basis points
	issued      int64
	unallocated int64
	unassigned  []string  // codes of passes not handed out
	stock       []*mStock // by distributor index; nil when never allocated
	expired     bool
	// expiry is the record of the expiry step, frozen when it first ran:
	// a redemption cancelled since does not change it.
	expiry passnum.ProgrammeExpiry
	// By place index: the carry of its last line (≤ 0), the corrections
	// waiting for a settlement (their sum, ≤ 0, and count), and what its
	// paid settlements paid it.
	carry    map[int]int64
	pending  map[int]int64
	npending map[int]int
	paid     map[int]int64
	// cutoffs: the latest settlement of each cut-off day.
	cutoffs map[string]int
}

type mBeneficiary struct {
	id      string
	dist    int
	birth   passnum.Date
	seeker  bool
	studies bool
	held    map[int]int // programme index → booklets
}

type mPass struct {
	code    string
	prog    int
	booklet int
	status  passnum.PassStatus // assigned, redeemed or blocked
}

type mBooklet struct {
	id                string
	prog, ben, dist   int
	passes            []int // indexes in model.passes of its usable passes
	blocked, replaced bool
}

type mRedemption struct {
	id        string
	pass      int
	place     int
	at        time.Time
	amount    int64
	cancelled bool
	settled   int // index of its settlement, or -1
	corrected bool
}

type mSettlement struct {
	id     string
	prog   int
	status passnum.SettlementStatus
	amount map[int]int64 // paid lines' amounts by place index
}

type model struct {
	*fixture
	db       *sql.DB
	r        *rand.Rand
	step     int
	touched  int // index of the programme the step acted on, or -1
	log      []string
	outcomes map[string]int

	dists   []passnum.Actor
	places  []*mPlace
	funders []string
	sirets  []string
	progs   []*mProgramme
	bens    []*mBeneficiary
	passes  []*mPass // handed out, in hand-out order
	bks     []*mBooklet
	known   map[string]bool
	reds    []*mRedemption
	setts   []*mSettlement
}

func newModel(t *testing.T, s *store.Store, clock *passnum.FixedClock, db *sql.DB, seed uint64) *model {
	t.Helper()
	return &model{
		fixture: newFixture(t, s, clock), db: db,
		r:        rand.New(rand.NewPCG(seed, 0x9a55)),
		outcomes: map[string]int{}, known: map[string]bool{},
	}
}

func (m *model) logf(format string, args ...any) {
	m.log = append(m.log, fmt.Sprintf("step %d, %s: %s", m.step, m.clock.Now().In(passnum.Paris).Format("2006-01-02 15:04"), fmt.Sprintf(format, args...)))
}

func (m *model) today() passnum.Date { return passnum.ParisDate(m.clock.Now()) }

// expect compares an outcome with the prediction: want is "" for success
// or an error code.
func (m *model) expect(op string, err error, want string) {
	m.t.Helper()
	got := passnum.ErrorCode(err)
	m.logf("%s → %s", op, cmp.Or(got, "ok"))
	if got != want {
		m.t.Fatalf("step %d: %s: got %v, model predicts %q", m.step, op, err, cmp.Or(want, "success"))
	}
	m.outcomes[cmp.Or(want, "ok")]++
}

func (m *model) pick(n int) int { return m.r.IntN(n) }

func (m *model) chance(percent int) bool { return m.r.IntN(100) < percent }

func (m *model) cancelled() int {
	n := 0
	for _, r := range m.reds {
		if r.cancelled {
			n++
		}
	}
	return n
}

func (m *model) doRandomOperation() {
	// Weights follow the state: build the chain funder → programme → stock
	// → beneficiary quickly, then spend most steps on hand-outs,
	// redemptions and cancellations.
	few := func(n, limit, many, otherwise int) int {
		if n < limit {
			return many
		}
		return otherwise
	}
	var unallocated, available int64
	for _, pi := range m.openProgrammes() {
		p := m.progs[pi]
		unallocated += p.unallocated
		for _, st := range p.stock {
			if st != nil {
				available += st.available
			}
		}
	}
	ops := []struct {
		weight int
		run    func() bool
	}{
		{few(len(m.dists), 2, 6, 1), m.createDistributor},
		{few(len(m.places), 2, 6, 1), m.createPlace},
		{few(len(m.funders), 1, 6, 1), m.createFunder},
		{few(len(m.labelledPlaces()), 1, 6, 2), m.setPlaceStatus},
		{few(len(m.openProgrammes()), 1, 8, 1), m.createProgramme},
		{few(int(unallocated), 3, 6, 2), m.issue},
		{few(int(available), 3, 6, 2), m.allocate},
		{few(len(m.bens), 8, 6, 2), m.registerBeneficiary},
		{8, m.handOut},
		{16, m.redeem},
		{5, m.cancel},
		{3, m.advanceClock},
		{2, m.giveBankDetails},
		{3, m.settle},
		{3, m.correct},
		{3, m.paySettlement},
		{1, m.expire},
		{2, m.blockBooklet},
		{2, m.replaceBooklet},
	}
	total := 0
	for _, o := range ops {
		total += o.weight
	}
	for {
		k := m.pick(total)
		for _, o := range ops {
			if k < o.weight {
				if o.run() {
					return
				}
				break
			}
			k -= o.weight
		}
	}
}

func (m *model) createDistributor() bool {
	if len(m.dists) >= 4 {
		return false
	}
	m.dists = append(m.dists, m.MustDistributor(fmt.Sprintf("Distributeur %d", len(m.dists))))
	m.logf("create distributor %d", len(m.dists)-1)
	return true
}

func (m *model) createFunder() bool {
	if len(m.funders) >= 4 {
		return false
	}
	m.funders = append(m.funders, m.MustFunder(fmt.Sprintf("Financeur %d", len(m.funders))).ID)
	m.logf("create funder %d", len(m.funders)-1)
	return true
}

func (m *model) createPlace() bool {
	if len(m.places) >= 5 {
		return false
	}
	siret, want := nextSIRET(), ""
	var holder *mPlace // the place the SIRET is taken from
	switch {
	case len(m.sirets) > 0 && m.chance(15):
		siret, want = m.sirets[m.pick(len(m.sirets))], passnum.ECONFLICT
		for _, p := range m.places {
			if p.siret == siret {
				holder = p
			}
		}
		if holder != nil && holder.releases(m.clock.Now()) {
			want = ""
		}
	case m.chance(10):
		siret, want = siret[:13]+string('0'+(siret[13]-'0'+1)%10), passnum.EINVALID
	}
	o, err := write(m.t, m.s, func(ctx context.Context, tx *store.Tx) (passnum.Organisation, error) {
		return tx.CreateOrganisation(ctx, m.op, passnum.NewOrganisation{Kind: passnum.RolePlace, Name: fmt.Sprintf("Lieu %d", len(m.places)), SIRET: siret})
	})
	m.expect("create place", err, want)
	if err == nil {
		if o.Status != passnum.OrgPending {
			m.t.Fatalf("step %d: new place is %q", m.step, o.Status)
		}
		if holder != nil {
			holder.siret = ""
		}
		m.places = append(m.places, &mPlace{actor: actorOf(o), status: o.Status, siret: siret, created: m.clock.Now()})
		m.sirets = append(m.sirets, siret)
	}
	return true
}

func (m *model) setPlaceStatus() bool {
	if len(m.places) == 0 {
		return false
	}
	pli := m.pick(len(m.places))
	pl := m.places[pli]
	status := passnum.OrgLabelled
	switch k := m.pick(100); {
	case k < 25:
		status = passnum.OrgSuspended
	case k < 32:
		status = passnum.OrgWithdrawn
	case k < 37:
		status = passnum.OrgRefused
	}
	reason, want := "motif", ""
	if m.chance(15) {
		reason = ""
	}
	switch {
	case reason == "" && status != passnum.OrgLabelled:
		want = passnum.EINVALID
	case pl.status != status && !slices.Contains(placeDecisions[pl.status], status):
		want = passnum.ECONFLICT
	case pl.status != status && status == passnum.OrgLabelled && pl.siret == "":
		// Its SIRET was released and another application holds it.
		want = passnum.ECONFLICT
	}
	o, err := write(m.t, m.s, func(ctx context.Context, tx *store.Tx) (passnum.Organisation, error) {
		return tx.SetPlaceStatus(ctx, m.op, pl.actor.OrganisationID, status, reason)
	})
	m.expect(fmt.Sprintf("place %d → %s", pli, status), err, want)
	if err == nil {
		pl.status = status
		if o.Status != status {
			m.t.Fatalf("step %d: place status %q, want %q", m.step, o.Status, status)
		}
	}
	return true
}

// placeDecisions lists the label decisions the operator may take from each
// status of a place.
var placeDecisions = map[passnum.OrgStatus][]passnum.OrgStatus{
	passnum.OrgPending:   {passnum.OrgLabelled, passnum.OrgRefused},
	passnum.OrgLabelled:  {passnum.OrgSuspended, passnum.OrgWithdrawn},
	passnum.OrgSuspended: {passnum.OrgLabelled, passnum.OrgWithdrawn},
	passnum.OrgRefused:   {passnum.OrgLabelled},
	passnum.OrgWithdrawn: {passnum.OrgLabelled},
}

// randomShares splits 10000 basis points between k funders.
func (m *model) randomShares(k int) []int64 {
	cuts := []int64{0, passnum.TotalBasisPoints}
	for len(cuts) < k+1 {
		if c := 1 + m.r.Int64N(passnum.TotalBasisPoints-1); !slices.Contains(cuts, c) {
			cuts = append(cuts, c)
		}
	}
	slices.Sort(cuts)
	shares := make([]int64, k)
	for i := range shares {
		shares[i] = cuts[i+1] - cuts[i]
	}
	return shares
}

func (m *model) createProgramme() bool {
	if len(m.progs) >= 12 || len(m.openProgrammes()) >= 3 {
		return false
	}
	from := m.today().AddDays(m.pick(23) - 20)
	p := passnum.Programme{
		Name:                      fmt.Sprintf("Programme %d", len(m.progs)),
		FaceValueCents:            100 + m.r.Int64N(1901),
		BookletSize:               1 + m.pick(5),
		ValidFrom:                 from,
		ValidUntil:                from.AddDays(20 + m.pick(41)),
		GraceDays:                 m.pick(11),
		MinAge:                    16 + m.pick(3),
		MaxAge:                    22 + m.pick(4),
		MaxBookletsPerBeneficiary: 1 + m.pick(3),
		CancelWindowHours:         []int{0, 1, 24, 48}[m.pick(4)],
	}
	want := ""
	if len(m.funders) == 0 {
		want = passnum.EINVALID
	} else {
		ids := slices.Clone(m.funders)
		m.r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		ids = ids[:1+m.pick(len(ids))]
		for i, bps := range m.randomShares(len(ids)) {
			p.Funders = append(p.Funders, passnum.FunderShare{OrganisationID: ids[i], ShareBps: bps})
		}
		if m.chance(10) {
			p.Funders[0].ShareBps++
			want = passnum.EINVALID
		}
	}
	got, err := write(m.t, m.s, func(ctx context.Context, tx *store.Tx) (passnum.Programme, error) {
		return tx.CreateProgramme(ctx, m.op, p)
	})
	m.expect(fmt.Sprintf("create programme %s..%s+%d", p.ValidFrom, p.ValidUntil, p.GraceDays), err, want)
	if err == nil {
		mp := &mProgramme{p: got, shares: map[string]int64{}, carry: map[int]int64{}, pending: map[int]int64{}, npending: map[int]int{},
			paid: map[int]int64{}, cutoffs: map[string]int{}}
		for _, f := range p.Funders {
			mp.shares[f.OrganisationID] = f.ShareBps
		}
		m.progs = append(m.progs, mp)
		m.touched = len(m.progs) - 1
	}
	return true
}

func (m *model) issue() bool {
	if len(m.progs) == 0 {
		return false
	}
	pi := m.pick(len(m.progs))
	if open := m.openProgrammes(); len(open) > 0 && m.chance(80) {
		pi = open[m.pick(len(open))]
	}
	p := m.progs[pi]
	m.touched = pi
	n, want := int64(1+m.pick(6)), ""
	if m.chance(5) {
		n, want = 0, passnum.EINVALID
	} else if p.expired {
		want = passnum.EPROGRAMMECLOSED
	}
	_, err := write(m.t, m.s, func(ctx context.Context, tx *store.Tx) (passnum.Issuance, error) {
		return tx.Issue(ctx, m.op, p.p.ID, n)
	})
	m.expect(fmt.Sprintf("issue %d booklets of programme %d", n, pi), err, want)
	if err == nil {
		p.issued += n
		p.unallocated += n
		// Learn the new codes, to try them before they are handed out.
		for _, code := range rawStrings(m.t, m.db, `SELECT code FROM passes WHERE programme_id = '`+p.p.ID+`' ORDER BY code`) {
			if !m.known[code] {
				m.known[code] = true
				p.unassigned = append(p.unassigned, code)
			}
		}
	}
	return true
}

func (m *model) allocate() bool {
	if len(m.progs) == 0 || len(m.dists) == 0 {
		return false
	}
	pi, di := m.pick(len(m.progs)), m.pick(len(m.dists))
	if open := m.openProgrammes(); len(open) > 0 && m.chance(80) {
		pi = open[m.pick(len(open))]
	}
	p := m.progs[pi]
	m.touched = pi
	n := int64(1 + m.pick(4))
	target, want := m.dists[di].OrganisationID, ""
	switch {
	case p.expired:
		want = passnum.EPROGRAMMECLOSED
	case len(m.places) > 0 && m.chance(5):
		target, want = m.places[0].actor.OrganisationID, passnum.EINVALID
	case p.unallocated < n:
		want = passnum.EINSUFFICIENTSTOCK
	}
	_, err := write(m.t, m.s, func(ctx context.Context, tx *store.Tx) (passnum.Allocation, error) {
		return tx.Allocate(ctx, m.op, p.p.ID, target, n)
	})
	m.expect(fmt.Sprintf("allocate %d booklets of programme %d to distributor %d", n, pi, di), err, want)
	if err == nil {
		p.unallocated -= n
		for len(p.stock) <= di {
			p.stock = append(p.stock, nil)
		}
		if p.stock[di] == nil {
			p.stock[di] = &mStock{}
		}
		p.stock[di].allocated += n
		p.stock[di].available += n
	}
	return true
}

func (m *model) registerBeneficiary() bool {
	if len(m.dists) == 0 || len(m.bens) >= 40 {
		return false
	}
	di := m.pick(len(m.dists))
	age := 16 + m.pick(10)
	if m.chance(25) {
		age = 13 + m.pick(16) // around and beyond the bounds
	}
	birth := m.today().AddDays(-(age*365 + age/4 + m.pick(365)))
	b := passnum.Beneficiary{FirstName: "Camille", LastName: fmt.Sprintf("Nº%d", len(m.bens)), BirthDate: birth, CommuneINSEE: "39300",
		JobSeeker: m.chance(92), InStudies: m.chance(8)}
	got, err := write(m.t, m.s, func(ctx context.Context, tx *store.Tx) (passnum.Beneficiary, error) {
		return tx.CreateBeneficiary(ctx, m.dists[di], b)
	})
	m.expect(fmt.Sprintf("register beneficiary born %s at distributor %d", birth, di), err, "")
	m.bens = append(m.bens, &mBeneficiary{id: got.ID, dist: di, birth: birth, seeker: b.JobSeeker, studies: b.InStudies, held: map[int]int{}})
	return true
}

// openProgrammes lists the programmes that hand out booklets today.
func (m *model) openProgrammes() []int {
	today := m.today().String()
	var open []int
	for i, p := range m.progs {
		if p.p.ValidFrom.String() <= today && today <= p.p.ValidUntil.String() {
			open = append(open, i)
		}
	}
	return open
}

// stockedPairs lists (beneficiary, programme) pairs where the programme
// hands out today and the beneficiary's distributor has some of its stock.
func (m *model) stockedPairs() [][2]int {
	today := m.today().String()
	var pairs [][2]int
	for pi, p := range m.progs {
		if today < p.p.ValidFrom.String() || today > p.p.ValidUntil.String() {
			continue
		}
		for bi, b := range m.bens {
			if b.dist < len(p.stock) && p.stock[b.dist] != nil && p.stock[b.dist].available > 0 {
				pairs = append(pairs, [2]int{bi, pi})
			}
		}
	}
	return pairs
}

func (m *model) labelledPlaces() []*mPlace {
	var out []*mPlace
	for _, pl := range m.places {
		if pl.status == passnum.OrgLabelled {
			out = append(out, pl)
		}
	}
	return out
}

// ageOn is the age in whole years on day.
func ageOn(birth, day passnum.Date) int {
	age := day.Year - birth.Year
	if day.Month < birth.Month || (day.Month == birth.Month && day.Day < birth.Day) {
		age--
	}
	return age
}

func (m *model) handOut() bool {
	if len(m.bens) == 0 || len(m.progs) == 0 {
		return false
	}
	bi, pi := m.pick(len(m.bens)), m.pick(len(m.progs))
	// Mostly a programme open today and a beneficiary of a distributor
	// with stock, so that hand-outs get far enough.
	if pairs := m.stockedPairs(); len(pairs) > 0 && m.chance(75) {
		pair := pairs[m.pick(len(pairs))]
		bi, pi = pair[0], pair[1]
	}
	b, p := m.bens[bi], m.progs[pi]
	m.touched = pi
	di := b.dist
	if len(m.dists) > 1 && m.chance(8) {
		di = (b.dist + 1 + m.pick(len(m.dists)-1)) % len(m.dists)
	}
	today := m.today().String()
	var reasons []string
	if age := ageOn(b.birth, m.today()); age < p.p.MinAge || age > p.p.MaxAge {
		reasons = append(reasons, passnum.ReasonAge)
	}
	if !b.seeker {
		reasons = append(reasons, passnum.ReasonNotJobSeeker)
	}
	if b.studies {
		reasons = append(reasons, passnum.ReasonInStudies)
	}
	var st *mStock
	if di < len(p.stock) {
		st = p.stock[di]
	}
	want := ""
	switch {
	case di != b.dist:
		want = passnum.ENOTFOUND
	case today < p.p.ValidFrom.String() || today > p.p.ValidUntil.String():
		want = passnum.EPROGRAMMECLOSED
	case len(reasons) > 0:
		want = passnum.ENOTELIGIBLE
	case b.held[pi] >= p.p.MaxBookletsPerBeneficiary:
		want = passnum.EBOOKLETLIMIT
	case st == nil || st.available < 1:
		want = passnum.EINSUFFICIENTSTOCK
	}
	bk, err := write(m.t, m.s, func(ctx context.Context, tx *store.Tx) (passnum.Booklet, error) {
		return tx.HandOut(ctx, m.dists[di], b.id, p.p.ID)
	})
	m.expect(fmt.Sprintf("distributor %d hands programme %d to beneficiary %d", di, pi, bi), err, want)
	if want == passnum.ENOTELIGIBLE {
		if e := wantCode(m.t, err, want); !slices.Equal(e.Reasons, reasons) {
			m.t.Fatalf("step %d: refusal reasons %v, model predicts %v", m.step, e.Reasons, reasons)
		}
	}
	if err != nil {
		return true
	}
	if len(bk.Passes) != p.p.BookletSize || bk.BeneficiaryID != b.id || bk.ProgrammeID != p.p.ID {
		m.t.Fatalf("step %d: booklet %+v", m.step, bk)
	}
	m.takeBooklet(bk, pi, bi, di)
	b.held[pi]++
	st.available--
	return true
}

func (m *model) redeem() bool {
	if len(m.places) == 0 {
		return false
	}
	today := m.today().String()
	pl := m.places[m.pick(len(m.places))]
	if labelled := m.labelledPlaces(); len(labelled) > 0 && m.chance(80) {
		pl = labelled[m.pick(len(labelled))]
	}
	pli := slices.Index(m.places, pl)
	service := passnum.NationalServices[m.pick(len(passnum.NationalServices))]
	if m.chance(4) {
		service = "Atelier cuisine"
	}
	var code, what, want string
	var pass *mPass
	var prog *mProgramme
	var assigned []int
	for i, ps := range m.passes {
		if ps.status == passnum.PassAssigned {
			assigned = append(assigned, i)
		}
	}
	switch k := m.pick(100); {
	case k < 85 && len(m.passes) > 0:
		pi := m.pick(len(m.passes))
		if len(assigned) > 0 && m.chance(75) {
			pi = assigned[m.pick(len(assigned))]
		}
		pass, prog = m.passes[pi], m.progs[m.passes[pi].prog]
		code, what = pass.code, fmt.Sprintf("pass %d (%s)", pi, pass.status)
		switch {
		case pass.status == passnum.PassRedeemed:
			want = passnum.EALREADYREDEEMED
		case pass.status == passnum.PassBlocked:
			want = passnum.EBLOCKED
		case today < prog.p.ValidFrom.String() || today > prog.p.LastRedeemDay().String():
			want = passnum.EEXPIRED
		}
	case k < 95:
		var withCodes []int
		for i, p := range m.progs {
			if len(p.unassigned) > 0 {
				withCodes = append(withCodes, i)
			}
		}
		if len(withCodes) == 0 {
			return false
		}
		pi := withCodes[m.pick(len(withCodes))]
		prog = m.progs[pi]
		code, what = prog.unassigned[m.pick(len(prog.unassigned))], fmt.Sprintf("an unassigned pass of programme %d", pi)
		want = passnum.ENOTASSIGNED
		if today > prog.p.LastRedeemDay().String() {
			want = passnum.EEXPIRED
		}
	default:
		code, what, want = passnum.NewPassCode(), "an unknown code", passnum.ENOTFOUND
	}
	// The store checks the request, then the place, then the pass.
	switch {
	case !passnum.ValidService(service):
		want = passnum.EINVALID
	case pl.status != passnum.OrgLabelled:
		want = passnum.EPLACENOTLABELLED
	}
	if pass != nil {
		m.touched = pass.prog
	}
	red, err := write(m.t, m.s, func(ctx context.Context, tx *store.Tx) (passnum.Redemption, error) {
		return tx.Redeem(ctx, pl.actor, store.RedeemRequest{Code: code, Service: service})
	})
	m.expect(fmt.Sprintf("place %d (%s) redeems %s", pli, pl.status, what), err, want)
	if err != nil {
		return true
	}
	if red.AmountCents != prog.p.FaceValueCents || !red.RedeemedAt.Equal(m.clock.Now()) || red.PlaceID != pl.actor.OrganisationID || red.ProgrammeID != prog.p.ID {
		m.t.Fatalf("step %d: redemption %+v", m.step, red)
	}
	m.wantApportioned(prog, red.AmountCents)
	pass.status = passnum.PassRedeemed
	m.reds = append(m.reds, &mRedemption{id: red.ID, pass: slices.Index(m.passes, pass), place: pli, at: red.RedeemedAt, amount: red.AmountCents, settled: -1})
	return true
}

func (m *model) cancel() bool {
	if len(m.reds) == 0 {
		return false
	}
	ri := m.pick(len(m.reds))
	red := m.reds[ri]
	m.touched = m.passes[red.pass].prog
	prog := m.progs[m.touched]
	actor, who := m.places[red.place].actor, "its place"
	switch k := m.pick(100); {
	case k < 20:
		actor, who = m.op, "the operator"
	case k < 30 && len(m.places) > 1:
		other := (red.place + 1 + m.pick(len(m.places)-1)) % len(m.places)
		actor, who = m.places[other].actor, "another place"
	}
	reason := "erreur de saisie"
	if m.chance(5) {
		reason = ""
	}
	deadline := red.at.Add(time.Duration(prog.p.CancelWindowHours) * time.Hour)
	want := ""
	switch {
	case reason == "":
		want = passnum.EINVALID
	case actor.Role != passnum.RoleOperator && actor.OrganisationID != m.places[red.place].actor.OrganisationID:
		want = passnum.ENOTFOUND
	case red.cancelled:
		want = passnum.EALREADYCANCELLED
	case red.settled >= 0:
		want = passnum.EALREADYREIMBURSED
	case actor.Role != passnum.RoleOperator && m.clock.Now().After(deadline):
		want = passnum.ECANCELWINDOWCLOSED
	}
	_, err := write(m.t, m.s, func(ctx context.Context, tx *store.Tx) (passnum.Redemption, error) {
		return tx.CancelRedemption(ctx, actor, red.id, reason)
	})
	m.expect(fmt.Sprintf("%s cancels redemption %d (window until %s)", who, ri, deadline.In(passnum.Paris).Format("2006-01-02 15:04")), err, want)
	if err == nil {
		red.cancelled = true
		m.passes[red.pass].status = passnum.PassAssigned
		if m.bks[m.passes[red.pass].booklet].blocked {
			m.passes[red.pass].status = passnum.PassBlocked
		}
		m.wantApportioned(prog, -red.amount)
	}
	return true
}

// advanceClock moves time forward by hours or days, or to just before or
// at the end of a programme's hand-out or redemption window.
func (m *model) advanceClock() bool {
	now := m.clock.Now()
	next := now
	switch k := m.pick(100); {
	case k < 60:
		next = now.Add(time.Duration(1+m.pick(30)) * time.Hour)
	case k < 90:
		next = now.Add(time.Duration(1+m.pick(5)) * 24 * time.Hour)
	default:
		if len(m.progs) == 0 {
			return false
		}
		p := m.progs[m.pick(len(m.progs))].p
		end := p.ValidUntil.EndInstant()
		if m.chance(50) {
			end = p.LastRedeemDay().EndInstant()
		}
		if m.chance(50) {
			end = end.Add(-time.Second)
		}
		if !end.After(now) {
			return false
		}
		next = end
	}
	m.clock.Set(next)
	m.logf("clock → %s", next.In(passnum.Paris).Format("2006-01-02 15:04:05"))
	return true
}

// wantApportioned checks that the funders' parts of an amount add up to
// it exactly, each within a cent of its exact share.
func (m *model) wantApportioned(p *mProgramme, amount int64) {
	m.t.Helper()
	ids := slices.Sorted(func(yield func(string) bool) {
		for id := range p.shares {
			if !yield(id) {
				return
			}
		}
	})
	shares := make([]int64, len(ids))
	for i, id := range ids {
		shares[i] = p.shares[id]
	}
	parts := passnum.Apportion(amount, shares)
	var sum int64
	for i, part := range parts {
		sum += part
		if d := part*passnum.TotalBasisPoints - amount*shares[i]; d <= -passnum.TotalBasisPoints || d >= passnum.TotalBasisPoints {
			m.t.Fatalf("step %d: %d cents at %v: part %d is %d", m.step, amount, shares, i, part)
		}
	}
	if sum != amount {
		m.t.Fatalf("step %d: %d cents apportioned at %v into %v, which sum to %d", m.step, amount, shares, parts, sum)
	}
}

// verify compares the store with the model after a step: Check, then
// counts read straight from the tables for every programme, then what the
// store reports of the programme the step acted on.
func (m *model) verify() {
	m.t.Helper()
	if err := m.s.Check(m.t.Context()); err != nil {
		m.t.Fatalf("step %d: Check: %v", m.step, err)
	}
	counts := map[[2]string]int64{}
	m.scanRows(`SELECT programme_id, status, COUNT(*) FROM passes GROUP BY programme_id, status`, func(rows *sql.Rows) error {
		var k [2]string
		var n int64
		err := rows.Scan(&k[0], &k[1], &n)
		counts[k] = n
		return err
	})
	m.scanRows(`SELECT programme_id, 'active', COUNT(*) FROM redemptions WHERE status = 'active' GROUP BY programme_id`, func(rows *sql.Rows) error {
		var k [2]string
		var n int64
		err := rows.Scan(&k[0], &k[1], &n)
		counts[k] = n
		return err
	})
	stocks := map[[2]string]mStock{}
	m.scanRows(`SELECT programme_id, distributor_id, allocated_booklets, available_booklets FROM distributor_stock`, func(rows *sql.Rows) error {
		var k [2]string
		var st mStock
		err := rows.Scan(&k[0], &k[1], &st.allocated, &st.available)
		stocks[k] = st
		return err
	})
	counters := map[string][2]int64{}
	m.scanRows(`SELECT id, issued_booklets, unallocated_booklets FROM programmes`, func(rows *sql.Rows) error {
		var id string
		var c [2]int64
		err := rows.Scan(&id, &c[0], &c[1])
		counters[id] = c
		return err
	})

	for pi, p := range m.progs {
		want := map[string]int64{string(passnum.PassUnassigned): int64(len(p.unassigned))}
		for _, ps := range m.passes {
			if ps.prog == pi {
				want[string(ps.status)]++
			}
		}
		var used int64
		for _, r := range m.reds {
			if m.passes[r.pass].prog == pi && !r.cancelled {
				want["active"]++
				used += r.amount
			}
		}
		for _, status := range []string{string(passnum.PassUnassigned), string(passnum.PassAssigned), string(passnum.PassRedeemed), string(passnum.PassBlocked), "active"} {
			if got := counts[[2]string{p.p.ID, status}]; got != want[status] {
				m.t.Fatalf("step %d: programme %d has %d %s, model %d", m.step, pi, got, status, want[status])
			}
		}
		if got := counters[p.p.ID]; got != [2]int64{p.issued, p.unallocated} {
			m.t.Fatalf("step %d: programme %d issued/unallocated %v, model %d/%d", m.step, pi, got, p.issued, p.unallocated)
		}
		var handedOut int64
		for di, d := range m.dists {
			var st mStock
			if di < len(p.stock) && p.stock[di] != nil {
				st = *p.stock[di]
			}
			handedOut += st.allocated - st.available
			if got := stocks[[2]string{p.p.ID, d.OrganisationID}]; got != st {
				m.t.Fatalf("step %d: programme %d, distributor %d: stock %+v, model %+v", m.step, pi, di, got, st)
			}
		}
		// What the funders owe for the passes used so far.
		m.wantApportioned(p, used)

		if pi != m.touched {
			continue
		}
		m.verifyBalances(pi)
		got := m.Programme(p.p.ID)
		wantStock := passnum.ProgrammeStock{IssuedBooklets: p.issued, UnallocatedBooklets: p.unallocated, HandedOutBooklets: handedOut, RedeemedPasses: want["active"]}
		if *got.Stock != wantStock {
			m.t.Fatalf("step %d: programme %d stock %+v, model %+v", m.step, pi, *got.Stock, wantStock)
		}
		if len(got.Funders) != len(p.shares) {
			m.t.Fatalf("step %d: programme %d funders %+v, model %v", m.step, pi, got.Funders, p.shares)
		}
		for _, f := range got.Funders {
			if p.shares[f.OrganisationID] != f.ShareBps {
				m.t.Fatalf("step %d: programme %d funders %+v, model %v", m.step, pi, got.Funders, p.shares)
			}
		}
	}
}

func (m *model) scanRows(query string, scan func(*sql.Rows) error) {
	m.t.Helper()
	rows, err := m.db.QueryContext(m.t.Context(), query)
	if err != nil {
		m.t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			m.t.Fatalf("%s: %v", query, err)
		}
	}
	if err := rows.Err(); err != nil {
		m.t.Fatalf("%s: %v", query, err)
	}
}
