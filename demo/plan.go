package demo

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"passnum"
	"passnum/territory"
)

// The seed is planned in full before anything is written: every choice is
// drawn here, in a fixed order, from generators with fixed seeds, so that
// two demos started on the same day tell the same story. Only ids and pass
// codes, drawn by the store from crypto/rand, differ.
const (
	randSeed = 20220627 // the Pass numérique BFC was presented on 27 June 2022

	pastHandOuts    = 330 // booklets handed out in 2022-2023
	currentHandOuts = 250 // booklets handed out so far in the current programme
	returningShare  = 0.08
	cancelShare     = 0.03
	homePlaceShare  = 0.85
	graceUseShare   = 0.25 // few know that passes are still accepted in January
)

// orgPlan is an organisation to create; id is known once it is.
type orgPlan struct {
	n           passnum.NewOrganisation
	createdAt   time.Time
	labelledAt  time.Time // zero: not labelled
	suspendedAt time.Time // zero: never suspended
	weight      float64
	radius      float64
	current     bool // a distributor that joined for the current programme
	lat, lng    float64
	file        *placeFile // places only
	id          string
}

func (o *orgPlan) actor() passnum.Actor {
	return passnum.Actor{OrganisationID: o.id, Role: o.n.Kind, Kind: "system", ID: "demo"}
}

// labelledOn reports whether a place may encash passes at t.
func (o *orgPlan) labelledOn(t time.Time) bool {
	return !o.labelledAt.IsZero() && !t.Before(o.labelledAt) && (o.suspendedAt.IsZero() || t.Before(o.suspendedAt))
}

type programmePlan struct {
	p            passnum.Programme
	createdAt    time.Time
	issuedAt     time.Time
	allocatedAt  time.Time
	topUpAt      time.Time
	booklets     int64
	allocations  []*allocationPlan // initial ones, then top-ups
	handOutFrom  passnum.Date
	handOutUntil passnum.Date
	redeemBefore time.Time
	id           string
}

type allocationPlan struct {
	prog     *programmePlan
	dist     *orgPlan
	at       time.Time
	booklets int64
	topUp    bool
}

type beneficiaryPlan struct {
	dist     *orgPlan
	b        passnum.Beneficiary
	lat, lng float64
	id       string
}

type handOutPlan struct {
	prog     *programmePlan
	ben      *beneficiaryPlan
	at       time.Time
	register bool // the beneficiary is registered in the same visit
	codes    []string
}

type redemptionPlan struct {
	ho           *handOutPlan
	pass         int // index of the pass in its booklet
	place        *orgPlan
	at           time.Time
	service      string
	cancelAt     time.Time // zero: kept
	cancelReason string
	site         *sitePlan
	session      *sessionPlan // nil: no session named
	id           string
}

type plan struct {
	r     *rand.Rand
	now   time.Time
	today passnum.Date

	coreAt                  time.Time
	operator, region, state *orgPlan
	distributors            []*orgPlan
	places                  []*orgPlan
	past, current           *programmePlan
	beneficiaries           []*beneficiaryPlan
	handOuts                []*handOutPlan
	redemptions             []*redemptionPlan
	showcase                *handOutPlan
	sessions                []*sessionPlan // past ones, then upcoming ones
	bookings                []*bookingPlan
	runs                    []*settlementPlan
	correction              *correctionPlan
	expiry                  *expiryPlan

	communes []territory.Commune // région 27, with coordinates
	near     map[*orgPlan]communePool
	sirets   map[string]bool
	people   map[string]bool // identity of each young person planned
}

// identity is who a young person is, as the store compares them.
func identity(b passnum.Beneficiary) string {
	return strings.ToLower(b.FirstName) + "|" + strings.ToLower(b.LastName) + "|" + b.BirthDate.String()
}

// communePool is where a distributor's young people live.
type communePool struct {
	communes []territory.Commune
	weights  []float64
}

// section switches to the generator of one part of the story, so that a
// part stays the same whatever "today" changes in the others: the
// 2022-2023 history is the same in every demo.
func (p *plan) section(n uint64) { p.r = rand.New(rand.NewPCG(randSeed, n)) }

// earliestNow is the first day a demo makes sense: the current programme,
// which starts 9 months before today, and the places that joined for it
// must come after 2022-2023.
var earliestNow = passnum.MustDate("2025-01-01")

func newPlan(now time.Time) (*plan, error) {
	now = now.In(passnum.Paris)
	p := &plan{now: now, today: passnum.ParisDate(now), near: map[*orgPlan]communePool{}, sirets: map[string]bool{}, people: map[string]bool{}}
	if p.today.Before(earliestNow) {
		return nil, fmt.Errorf("démo : la démonstration suppose une date du jour à partir du %s (reçu le %s)", frDate(earliestNow), frDate(p.today))
	}
	for _, c := range territory.CommunesIn("27") {
		if c.HasCoordinates {
			p.communes = append(p.communes, c)
		}
	}
	p.programmes()
	p.section(1)
	if err := p.organisations(); err != nil {
		return nil, err
	}
	p.section(2)
	p.handOutsOf(p.past, pastHandOuts, nil)
	p.section(3)
	p.handOutsOf(p.current, currentHandOuts, p.beneficiaries)
	p.addShowcase()
	for _, pr := range []*programmePlan{p.past, p.current} {
		p.allocate(pr)
	}
	for i, pr := range []*programmePlan{p.past, p.current} {
		p.section(4 + uint64(i))
		for _, ho := range p.handOuts {
			if ho.prog == pr && ho != p.showcase {
				p.redemptionsOf(ho)
			}
		}
	}
	p.showcaseRedemption()
	p.section(6)
	if err := p.placeFiles(); err != nil {
		return nil, err
	}
	p.section(7)
	p.pastSessions()
	p.section(8)
	p.upcomingSessions()
	p.settlements()
	return p, nil
}

func (p *plan) programmes() {
	settings := func(name string, from, until passnum.Date) passnum.Programme {
		return passnum.Programme{Name: name, FaceValueCents: 1000, BookletSize: 5, ValidFrom: from, ValidUntil: until,
			GraceDays: passnum.DefaultGraceDays, MinAge: 16, MaxAge: 25, MaxBookletsPerBeneficiary: 1,
			CancelWindowHours: passnum.DefaultCancelWindowHours}
	}
	past := &programmePlan{
		p:            settings("Pass numérique BFC 2022-2023", passnum.MustDate("2022-07-01"), passnum.MustDate("2023-12-31")),
		createdAt:    parisAt(passnum.MustDate("2022-06-27"), 11, 0),
		issuedAt:     parisAt(passnum.MustDate("2022-07-04"), 10, 0),
		allocatedAt:  parisAt(passnum.MustDate("2022-07-05"), 10, 30),
		topUpAt:      parisAt(passnum.MustDate("2023-01-16"), 10, 0),
		handOutFrom:  passnum.MustDate("2022-07-01"),
		handOutUntil: passnum.MustDate("2023-12-15"), // distributors stop at J-15
	}
	past.redeemBefore = past.p.LastRedeemDay().EndInstant()

	// The current programme started about 9 months ago and runs about 15
	// more, so that the demo has history and room ahead.
	y, m, _ := p.now.Date()
	from := passnum.DateOf(time.Date(y, m-9, 1, 12, 0, 0, 0, time.UTC))
	until := passnum.DateOf(time.Date(y, m+16, 0, 12, 0, 0, 0, time.UTC))
	cur := &programmePlan{
		p:            settings(fmt.Sprintf("Pass numérique BFC %d-%d", y, y+1), from, until),
		createdAt:    parisAt(prevOpen(from.AddDays(-21), false), 11, 0),
		issuedAt:     parisAt(prevOpen(from.AddDays(-10), false), 10, 0),
		allocatedAt:  parisAt(prevOpen(from.AddDays(-7), false), 10, 30),
		topUpAt:      parisAt(nextOpen(passnum.DateOf(time.Date(from.Year, from.Month+4, 1, 12, 0, 0, 0, time.UTC)), false), 10, 0),
		handOutFrom:  from,
		handOutUntil: p.today.AddDays(-1),
		redeemBefore: p.now.Add(-time.Hour),
	}
	p.past, p.current = past, cur
}

func (p *plan) organisations() error {
	p.coreAt = parisAt(passnum.MustDate("2022-05-16"), 9, 30)
	core := func(kind passnum.Role, name, commune string) (*orgPlan, error) {
		o := &orgPlan{n: passnum.NewOrganisation{Kind: kind, Name: name, CommuneINSEE: commune}, createdAt: p.coreAt}
		return o, p.locate(o)
	}
	var err error
	if p.operator, err = core(passnum.RoleOperator, operatorName, "21231"); err != nil {
		return err
	}
	if p.region, err = core(passnum.RoleFunder, regionName, "25056"); err != nil {
		return err
	}
	if p.state, err = core(passnum.RoleFunder, stateName, "21231"); err != nil {
		return err
	}
	for _, d := range distributorSpecs {
		o, err := core(passnum.RoleDistributor, d.name, d.commune)
		if err != nil {
			return err
		}
		o.weight, o.radius, o.current = d.weight, d.radius, d.current
		if d.current {
			o.createdAt = parisAt(prevOpen(passnum.ParisDate(p.current.createdAt).AddDays(-25), false), 14, 0)
		}
		p.distributors = append(p.distributors, o)
	}

	curFrom := p.current.p.ValidFrom
	for _, s := range placeSpecs {
		o := &orgPlan{n: passnum.NewOrganisation{Kind: passnum.RolePlace, Name: s.name, SIRET: p.siret(), CommuneINSEE: s.commune}, weight: s.weight}
		if err := p.locate(o); err != nil {
			return err
		}
		var created passnum.Date
		switch s.cohort {
		case cohortLaunch:
			created = p.dayBetween(passnum.MustDate("2022-05-23"), passnum.MustDate("2022-06-17"))
			o.labelledAt = parisAt(passnum.MustDate("2022-06-23"), 16, 0)
		case cohortAutumn:
			created = p.dayBetween(passnum.MustDate("2022-07-18"), passnum.MustDate("2022-09-02"))
			o.labelledAt = parisAt(passnum.MustDate("2022-09-15"), 16, 0)
		case cohortCurrent:
			created = p.dayBetween(curFrom.AddDays(-75), curFrom.AddDays(-35))
			o.labelledAt = parisAt(prevOpen(curFrom.AddDays(-14), false), 16, 0)
		case cohortPending:
			created = p.dayBetween(p.today.AddDays(-14), p.today.AddDays(-3))
		}
		o.createdAt = parisAt(created, 9+p.r.IntN(8), 5*p.r.IntN(12))
		if s.suspend {
			o.suspendedAt = parisAt(prevOpen(p.today.AddDays(-18), false), 11, 15)
		}
		p.places = append(p.places, o)
	}
	return nil
}

func (p *plan) locate(o *orgPlan) error {
	c, ok := territory.LookupCommune(o.n.CommuneINSEE)
	if !ok || c.Region != "27" || !c.HasCoordinates {
		return fmt.Errorf("démo : commune %s de « %s » hors de Bourgogne-Franche-Comté", o.n.CommuneINSEE, o.n.Name)
	}
	o.lat, o.lng = c.Lat, c.Lng
	return nil
}

// siret draws a fictitious SIRET with valid keys: a SIREN of 8 random
// digits and its Luhn key, the head office's NIC 0001, then the key of the
// whole number.
func (p *plan) siret() string {
	for {
		b := make([]byte, 0, 14)
		b = append(b, byte('1'+p.r.IntN(9)))
		for len(b) < 8 {
			b = append(b, byte('0'+p.r.IntN(10)))
		}
		b = append(b, luhnKey(b))
		b = append(b, "0001"...)
		b = append(b, luhnKey(b))
		s := string(b)
		if passnum.ValidSIRET(s) && !p.sirets[s] && s[:9] != "356000000" {
			p.sirets[s] = true
			return s
		}
	}
}

// luhnKey is the digit that makes payload+key pass the Luhn check.
func luhnKey(payload []byte) byte {
	sum := 0
	for i := range payload {
		d := int(payload[len(payload)-1-i] - '0')
		if i%2 == 0 { // doubled: the key will take position 0
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// dayBetween draws a weekday between a and b included.
func (p *plan) dayBetween(a, b passnum.Date) passnum.Date {
	return prevOpen(a.AddDays(p.r.IntN(daysBetween(a, b)+1)), false)
}

// pick draws an index with probability proportional to its weight.
func (p *plan) pick(weights []float64) int {
	var total float64
	for _, w := range weights {
		total += w
	}
	x := p.r.Float64() * total
	for i, w := range weights {
		x -= w
		if x < 0 {
			return i
		}
	}
	return len(weights) - 1
}

// handOutsOf plans n hand-outs over the programme's distribution period.
// In the current programme some young people of 2022-2023 come back.
func (p *plan) handOutsOf(pr *programmePlan, n int, former []*beneficiaryPlan) {
	var days []passnum.Date
	var dayWeights []float64
	for d := pr.handOutFrom; !d.After(pr.handOutUntil); d = d.AddDays(1) {
		if !open(d, false) {
			continue
		}
		// Distributors need a few weeks to get going.
		ramp := math.Min(1, 0.25+0.75*float64(daysBetween(pr.handOutFrom, d))/75)
		days = append(days, d)
		dayWeights = append(dayWeights, monthWeights[d.Month]*ramp)
	}
	var dists []*orgPlan
	var distWeights []float64
	for _, d := range p.distributors {
		if d.current && pr == p.past {
			continue
		}
		dists = append(dists, d)
		distWeights = append(distWeights, d.weight)
	}
	returned := map[*beneficiaryPlan]bool{}
	for range n {
		day := days[p.pick(dayWeights)]
		dist := dists[p.pick(distWeights)]
		at := p.handOutTime(day)
		var ben *beneficiaryPlan
		if len(former) > 0 && p.r.Float64() < returningShare {
			for _, b := range former {
				if b.dist == dist && !returned[b] && b.b.BirthDate.AgeOn(day) <= pr.p.MaxAge {
					ben = b
					returned[b] = true
					break
				}
			}
		}
		ho := &handOutPlan{prog: pr, ben: ben, at: at}
		if ben == nil {
			ho.ben = p.newBeneficiary(dist, day)
			ho.register = true
		}
		p.handOuts = append(p.handOuts, ho)
	}
}

// handOutTime is an appointment at a distributor: 9:00-12:00 or 13:30-17:00.
func (p *plan) handOutTime(d passnum.Date) time.Time {
	slot := p.r.IntN(26) // quarter hours
	if slot < 12 {
		return parisAt(d, 9, 0).Add(time.Duration(slot*15+p.r.IntN(10)) * time.Minute)
	}
	return parisAt(d, 13, 30).Add(time.Duration((slot-12)*15+p.r.IntN(10)) * time.Minute)
}

func (p *plan) newBeneficiary(dist *orgPlan, day passnum.Date) *beneficiaryPlan {
	first := femaleNames
	if p.r.IntN(2) == 0 {
		first = maleNames
	}
	b := &beneficiaryPlan{dist: dist, b: passnum.Beneficiary{
		FirstName: first[p.r.IntN(len(first))],
		LastName:  lastNames[p.r.IntN(len(lastNames))],
		BirthDate: p.birthDate(day),
		JobSeeker: true,
		InStudies: false,
	}}
	// The same names and birth date are one person: the store registers
	// them once per agency and asks to confirm a second booklet elsewhere.
	// A draw that repeats someone is drawn again (rare, and the same on
	// every run, so the story stays the same).
	for p.people[identity(b.b)] {
		b.b.LastName = lastNames[p.r.IntN(len(lastNames))]
	}
	p.people[identity(b.b)] = true
	c := p.communeNear(dist)
	b.b.CommuneINSEE, b.lat, b.lng = c.Code, c.Lat, c.Lng
	addContact(&b.b, day)
	p.beneficiaries = append(p.beneficiaries, b)
	return b
}

// addContact gives two adults out of three a mobile, and half of those an
// e-mail address too, with their consent to be contacted: the dormant
// booklets list whom to call, and the reminders have someone to write to.
// The draw comes from the person, not the plan's stream, so the rest of
// the story stays the same.
func addContact(b *passnum.Beneficiary, day passnum.Date) {
	if b.BirthDate.AgeOn(day) < passnum.MajorityAge {
		return // a minor's contact needs a guardian's consent: none here
	}
	h := fnv.New64a()
	fmt.Fprint(h, b.FirstName, "|", b.LastName, "|", b.BirthDate)
	r := rand.New(rand.NewPCG(h.Sum64(), 1))
	if r.IntN(3) == 0 {
		return
	}
	b.ContactConsent = true
	b.Phone = metropolitanMobile(r.IntN(100000000))
	if r.IntN(2) == 0 {
		local := strings.NewReplacer(" ", "-", "'", "").Replace(territory.Fold(b.FirstName) + "." + territory.Fold(b.LastName))
		b.Email = local + "@exemple.fr"
	}
}

// metropolitanMobile writes a draw of 0 to 99 999 999 as a mobile number
// of metropolitan France, 06 10 to 06 89 but 06 39: 06 39 and 06 90 to
// 06 97 are the overseas départements' mobiles (Mayotte, the Antilles,
// Guyane, La Réunion), stored with their own country code, to which the
// reminders' SMS are not sent; drawn among them, a demo young person's
// reminder failed at every start of the demo.
func metropolitanMobile(draw int) string {
	block := 10 + draw/1000000%79 // 10 to 88
	if block >= 39 {
		block++ // 40 to 89
	}
	return fmt.Sprintf("06%02d%06d", block, draw%1000000)
}

// birthDate draws a birth date giving an eligible age on day.
func (p *plan) birthDate(day passnum.Date) passnum.Date {
	ages := make([]float64, 26)
	for a, w := range ageWeights {
		ages[a] = w
	}
	age := p.pick(ages)
	born := passnum.DateOf(time.Date(day.Year-age, day.Month, day.Day, 12, 0, 0, 0, time.UTC)).AddDays(-p.r.IntN(365))
	for born.AgeOn(day) > age {
		born = born.AddDays(1)
	}
	for born.AgeOn(day) < age {
		born = born.AddDays(-1)
	}
	return born
}

// communeNear draws where a young person lives: a commune around the
// distributor, weighted by population, so towns dominate.
func (p *plan) communeNear(dist *orgPlan) territory.Commune {
	pool, ok := p.near[dist]
	if !ok {
		for _, c := range p.communes {
			if territory.DistanceKm(dist.lat, dist.lng, c.Lat, c.Lng) <= dist.radius {
				pool.communes = append(pool.communes, c)
				pool.weights = append(pool.weights, float64(c.Population))
			}
		}
		p.near[dist] = pool
	}
	return pool.communes[p.pick(pool.weights)]
}

// The young person printed for trying the API and the pages.
const (
	showcaseFirst = "Inès"
	showcaseLast  = "Girardot"
)

// addShowcase plans the beneficiary printed for trying the API: handed a
// booklet by the Besançon mission locale two weeks ago, one pass used.
func (p *plan) addShowcase() {
	dist := p.distributors[0]
	day := prevOpen(p.today.AddDays(-16), false)
	b := &beneficiaryPlan{dist: dist, b: passnum.Beneficiary{
		FirstName: showcaseFirst, LastName: showcaseLast, BirthDate: passnum.DateOf(time.Date(day.Year-19, time.April, 14, 12, 0, 0, 0, time.UTC)),
		CommuneINSEE: "25056", JobSeeker: true,
	}}
	c, _ := territory.LookupCommune("25056")
	b.lat, b.lng = c.Lat, c.Lng
	p.beneficiaries = append(p.beneficiaries, b)
	p.showcase = &handOutPlan{prog: p.current, ben: b, at: parisAt(day, 10, 30), register: true}
	p.handOuts = append(p.handOuts, p.showcase)
}

func (p *plan) showcaseRedemption() {
	day := nextOpen(p.today.AddDays(-6), true)
	p.redemptions = append(p.redemptions, &redemptionPlan{ho: p.showcase, pass: 0, place: p.places[0],
		at: parisAt(day, 16, 40), service: "Maîtrise des outils numériques du quotidien"})
}

// allocate sizes each distributor's stock to what it hands out, with a
// margin: an initial allocation, and a top-up for the later months.
func (p *plan) allocate(pr *programmePlan) {
	before := map[*orgPlan]int64{}
	after := map[*orgPlan]int64{}
	for _, ho := range p.handOuts {
		if ho.prog != pr {
			continue
		}
		if ho.at.Before(pr.topUpAt) {
			before[ho.ben.dist]++
		} else {
			after[ho.ben.dist]++
		}
	}
	margin := func(n int64) int64 { return (n + n/5 + 3 + 4) / 5 * 5 }
	var total int64
	var topUps []*allocationPlan
	for _, d := range p.distributors {
		if d.current && pr == p.past {
			continue
		}
		if n := margin(before[d]); n > 0 {
			pr.allocations = append(pr.allocations, &allocationPlan{prog: pr, dist: d, at: pr.allocatedAt, booklets: n})
			total += n
		}
		if after[d] > 0 {
			n := margin(after[d])
			topUps = append(topUps, &allocationPlan{prog: pr, dist: d, at: pr.topUpAt.Add(time.Duration(len(topUps)*7) * time.Minute), booklets: n, topUp: true})
			total += n
		}
	}
	pr.allocations = append(pr.allocations, topUps...)
	pr.booklets = (total + total/4 + 49) / 50 * 50
}

// redemptionsOf plans how a booklet gets used: often not at all, else a
// few sessions a week or two apart, mostly at one place near home.
func (p *plan) redemptionsOf(ho *handOutPlan) {
	uses := p.pick(usesWeights)
	if uses == 0 {
		return
	}
	mainService := p.service()
	var home *orgPlan
	t := ho.at
	gap := 3 + p.r.ExpFloat64()*16
	for i := range uses {
		day := nextOpen(passnum.ParisDate(t).AddDays(int(math.Ceil(gap))), true)
		gap = 5 + p.r.ExpFloat64()*8
		t = p.sessionTime(day)
		if !t.Before(ho.prog.redeemBefore) {
			return
		}
		if !t.Before(ho.prog.p.ValidUntil.EndInstant()) && p.r.Float64() >= graceUseShare {
			return
		}
		where := home
		if home == nil || !home.labelledOn(t) || p.r.Float64() >= homePlaceShare {
			if where = p.placeNear(ho.ben, t); where == nil {
				return
			}
			if home == nil || !home.labelledOn(t) {
				home = where
			}
		}
		service := mainService
		if p.r.Float64() < 0.3 {
			service = p.service()
		}
		rp := &redemptionPlan{ho: ho, pass: i, place: where, at: t, service: service}
		if p.r.Float64() < cancelShare {
			rp.cancelAt = t.Add(time.Duration(10+p.r.IntN(110)) * time.Minute)
			rp.cancelReason = cancelReasons[p.r.IntN(len(cancelReasons))]
		}
		p.redemptions = append(p.redemptions, rp)
	}
}

// service draws a national service by how often it is delivered.
func (p *plan) service() string {
	w := make([]float64, len(nationalServices))
	for i, s := range nationalServices {
		w[i] = serviceWeights[s]
	}
	return nationalServices[p.pick(w)]
}

// sessionTime is the end of a training session, when the place scans the
// pass: mornings from 10:30, afternoons from 15:30, Saturdays mornings only.
func (p *plan) sessionTime(d passnum.Date) time.Time {
	if weekday(d) == time.Saturday || p.r.IntN(5) < 2 {
		return parisAt(d, 10, 30).Add(time.Duration(p.r.IntN(90)) * time.Minute)
	}
	return parisAt(d, 15, 30).Add(time.Duration(p.r.IntN(150)) * time.Minute)
}

// placeNear draws a place labelled at t, the nearer the likelier.
func (p *plan) placeNear(b *beneficiaryPlan, t time.Time) *orgPlan {
	var cands []*orgPlan
	var w []float64
	for _, pl := range p.places {
		if !pl.labelledOn(t) {
			continue
		}
		d := territory.DistanceKm(b.lat, b.lng, pl.lat, pl.lng)
		cands = append(cands, pl)
		w = append(w, pl.weight/((d+4)*(d+4)))
	}
	if len(cands) == 0 {
		return nil
	}
	return cands[p.pick(w)]
}

// organisationsInOrder lists every organisation, core ones first.
func (p *plan) organisationsInOrder() []*orgPlan {
	return slices.Concat([]*orgPlan{p.operator, p.region, p.state}, p.distributors, p.places)
}
