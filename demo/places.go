package demo

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"passnum"
	"passnum/territory"
)

// Places' files: what each place declared when it applied (profile, first
// site, bank details), its catalogue, and its dated sessions with the seats
// booked on them. They are planned after the history, each part from its
// own generator, so that the hand-outs and redemptions stay as they were.

const (
	upcomingWeeks       = 6
	pastSessionDays     = 120 // places schedule sessions in the product for the last months
	bookedShare         = 0.6 // of the young people trained in a past session, those who had booked
	maxUpcomingBookings = 1   // per young person, so that seats go round
	bookingRadiusKm     = 30
	siteJitterMetres    = 400
	sessionMorningStart = 9 * 60 // no session before 9:00, even where the door opens at 8:30
)

// placeFile is what a place declared and publishes.
type placeFile struct {
	app         passnum.NewPlaceApplication // with its first site and bank details
	sites       []*sitePlan
	trainings   []*trainingPlan
	catalogueAt time.Time // zero: no catalogue
	bankChange  *bankChangePlan
}

// sitePlan is one site of a place, with its weekly opening hours read
// back from the OpenStreetMap text, to schedule sessions when it is open.
type sitePlan struct {
	place     *orgPlan
	n         passnum.NewSite
	week      [7][]passnum.TimeSpan // by time.Weekday
	openedAt  time.Time             // the first site opens with the application
	refreshAt time.Time             // zero: never updated since
	refresh   passnum.SiteUpdate
	id        string
}

type trainingPlan struct {
	place *orgPlan
	t     passnum.Training
	id    string
}

type sessionPlan struct {
	training         *trainingPlan
	site             *sitePlan
	createdAt        time.Time
	startsAt, endsAt time.Time
	capacity         int
	upcoming         bool
	attendees        int // past sessions: the redemptions that name it
	id               string
}

// bookingPlan is a seat booked by the young person's distributor.
type bookingPlan struct {
	session *sessionPlan
	ho      *handOutPlan // the booklet the seat will be paid with
	at      time.Time
}

// bankChangePlan is a change of bank details after the label.
type bankChangePlan struct {
	n              passnum.NewBankAccount
	at, approvedAt time.Time // approvedAt zero: waiting for the operator
	id             string
}

// placeFiles plans each place's application, sites and catalogue.
func (p *plan) placeFiles() error {
	curFrom := p.current.p.ValidFrom
	for i, pl := range p.places {
		spec := placeSpecs[i]
		c, _ := territory.LookupCommune(pl.n.CommuneINSEE)
		f := &placeFile{}
		pl.file = f
		female := p.r.IntN(2) == 0
		first := maleAdultNames
		if female {
			first = femaleAdultNames
		}
		rep := passnum.LegalRepresentative{
			Name: first[p.r.IntN(len(first))] + " " + lastNames[p.r.IntN(len(lastNames))],
			Role: representativeRole(pl.n.Name, female),
		}
		if !pl.labelledAt.IsZero() {
			f.catalogueAt = parisAt(nextOpen(passnum.ParisDate(pl.labelledAt).AddDays(2+p.r.IntN(10)), false), 9+p.r.IntN(8), 5*p.r.IntN(12))
			p.catalogue(pl)
		}
		services := map[string]bool{}
		for _, t := range f.trainings {
			services[t.t.Service] = true
		}
		if len(services) == 0 {
			services[p.service()] = true
		}
		if p.r.Float64() < 0.7 {
			services["Maîtrise des outils numériques du quotidien"] = true
		}
		if p.r.Float64() < 0.5 {
			services["Accès internet et matériel informatique"] = true
		}
		phone := p.phone()
		email := "contact@" + spec.domain
		site, err := p.newSite(pl, c, "", spec.address, spec.complement, p.hoursFor(pl.n.Name), phone, email, services)
		if err != nil {
			return err
		}
		site.openedAt = pl.createdAt
		f.sites = append(f.sites, site)
		f.app = passnum.NewPlaceApplication{Name: pl.n.Name, SIRET: pl.n.SIRET, LegalRep: rep, ContactEmail: email, ContactPhone: phone,
			Site: site.n, CharterAccepted: true, CharterVersion: passnum.CharterVersion, Bank: p.bankAccount(pl.n.Name, "")}

		// Most older places updated their site when the current programme
		// opened, so that the open data is not all from 2022.
		if !pl.labelledAt.IsZero() && pl.labelledAt.Before(p.current.createdAt) && p.r.Float64() < 0.6 {
			site.refreshAt = parisAt(p.dayBetween(curFrom.AddDays(-30), curFrom.AddDays(45)), 10+p.r.IntN(7), 5*p.r.IntN(12))
			support := slices.Clone(site.n.SpecificSupport)
			for _, v := range []string{"Langues étrangères (autres)", "Illettrisme", "Handicaps moteurs", "Déficience visuelle"} {
				if !slices.Contains(support, v) {
					support = append(support, v)
					break
				}
			}
			support = inOrder(support, passnum.PlaceSpecificSupports)
			site.refresh = passnum.SiteUpdate{SpecificSupport: &support}
		}
		if s, ok := secondSites[pl.n.Name]; ok {
			second, err := p.newSite(pl, c, s.name, s.address, s.complement, hoursCommon[p.r.IntN(len(hoursCommon))], p.phone(), email, services)
			if err != nil {
				return err
			}
			second.openedAt = parisAt(p.dayBetween(curFrom.AddDays(-60), curFrom.AddDays(-20)), 10+p.r.IntN(6), 5*p.r.IntN(12))
			f.sites = append(f.sites, second)
		}
		switch pl.n.Name {
		case bankChangedPlace:
			at := parisAt(p.dayBetween(curFrom.AddDays(30), curFrom.AddDays(60)), 11, 5*p.r.IntN(12))
			f.bankChange = &bankChangePlan{n: p.bankAccount(pl.n.Name, f.app.Bank.BIC), at: at,
				approvedAt: parisAt(nextOpen(passnum.ParisDate(at).AddDays(6), false), 15, 0)}
		case bankPendingPlace:
			f.bankChange = &bankChangePlan{n: p.bankAccount(pl.n.Name, f.app.Bank.BIC), at: parisAt(prevOpen(p.today.AddDays(-4), false), 14, 20)}
		}
	}
	return nil
}

// communal reports whether a place is a service of its commune, rather
// than an association or a community of communes.
func communal(name string) bool {
	return (strings.HasPrefix(name, "Médiathèque") || strings.Contains(name, "France services") || strings.HasPrefix(name, "Espace")) &&
		!strings.Contains(name, "Grand ")
}

// representativeRole is who signs for a place: an elected member by
// delegation of the mayor for a communal service, else the president.
func representativeRole(name string, female bool) string {
	switch {
	case communal(name) && female:
		return "adjointe au maire, par délégation"
	case communal(name):
		return "adjoint au maire, par délégation"
	case female:
		return "présidente"
	}
	return "président"
}

// hoursFor draws the weekly timetable of a place's first site.
func (p *plan) hoursFor(name string) string {
	switch {
	case strings.HasPrefix(name, "Médiathèque"):
		return hoursLibrary
	case strings.Contains(name, "France services"):
		return hoursOffice
	case strings.Contains(strings.ToLower(name), "tiers-lieu"), strings.Contains(name, "Repair café"), strings.Contains(name, "Atelier partagé"):
		return hoursThirdPlace
	}
	return hoursCommon[p.r.IntN(len(hoursCommon))]
}

// phone draws a number in the range ARCEP keeps for fiction (03 53 48 xx
// xx), so that no real line is ever printed.
func (p *plan) phone() string {
	return fmt.Sprintf("03 53 48 %02d %02d", p.r.IntN(100), p.r.IntN(100))
}

func (p *plan) newSite(pl *orgPlan, c territory.Commune, name, address, complement, hours, phone, email string, services map[string]bool) (*sitePlan, error) {
	lat, lng := p.jitter(c)
	s := &sitePlan{place: pl, n: passnum.NewSite{Name: name, Address: address, AddressComplement: complement,
		CommuneINSEE: c.Code, Postcode: c.Postcodes[0], Latitude: &lat, Longitude: &lng, OpeningHours: hours,
		Phone: phone, Email: email}}
	for _, sv := range passnum.NationalServices {
		if services[sv] {
			s.n.Services = append(s.n.Services, sv)
		}
	}
	s.n.Publics = []string{"Jeunes"}
	if c.Population > 100000 && p.r.Float64() < 0.5 {
		s.n.Publics = append(s.n.Publics, "Étudiants")
	}
	if strings.HasPrefix(pl.n.Name, "Centre social") && p.r.Float64() < 0.7 {
		s.n.Publics = append(s.n.Publics, "Familles et/ou enfants")
	}
	if strings.HasPrefix(pl.n.Name, "Médiathèque") && p.r.Float64() < 0.6 {
		s.n.Publics = append(s.n.Publics, "Seniors")
	}
	if p.r.Float64() < 0.15 {
		s.n.Publics = append(s.n.Publics, "Femmes")
	}
	for _, v := range passnum.PlaceSpecificSupports {
		share := 0.15
		switch v {
		case "Illettrisme", "Handicaps moteurs", "Langues étrangères (autres)":
			share = 0.35
		}
		if p.r.Float64() < share {
			s.n.SpecificSupport = append(s.n.SpecificSupport, v)
		}
	}
	var err error
	if s.week, err = weekHours(hours); err != nil {
		return nil, fmt.Errorf("démo : horaires de « %s » : %w", pl.n.Name, err)
	}
	return s, nil
}

// jitter places a site a few hundred metres from its commune's centre.
func (p *plan) jitter(c territory.Commune) (float64, float64) {
	r := siteJitterMetres * math.Sqrt(p.r.Float64())
	a := 2 * math.Pi * p.r.Float64()
	lat := c.Lat + r*math.Cos(a)/111_320
	lng := c.Lng + r*math.Sin(a)/(111_320*math.Cos(c.Lat*math.Pi/180))
	round := func(x float64) float64 { return math.Round(x*1e6) / 1e6 }
	return round(lat), round(lng)
}

// inOrder sorts values in the order of their reference list.
func inOrder(values, reference []string) []string {
	slices.SortFunc(values, func(a, b string) int { return slices.Index(reference, a) - slices.Index(reference, b) })
	return values
}

// weekHours reads an opening_hours text back into the spans of each
// weekday, with the product's own parser. Holidays are left to the
// calendar.
func weekHours(text string) ([7][]passnum.TimeSpan, error) {
	var week [7][]passnum.TimeSpan
	oh, err := passnum.ParseOpeningHours(text)
	if err != nil {
		return week, err
	}
	for d := time.Sunday; d <= time.Saturday; d++ {
		for _, r := range oh.Rules {
			switch {
			case !r.Has(d):
			case r.Closed:
				week[d] = nil
			case r.Additional:
				week[d] = append(week[d], r.Spans...)
			default:
				week[d] = slices.Clone(r.Spans)
			}
		}
	}
	return week, nil
}

// holds reports whether the site is open from start to end, one day.
func (s *sitePlan) holds(start, end time.Time) bool {
	start, end = start.In(passnum.Paris), end.In(passnum.Paris)
	day := passnum.ParisDate(start)
	if day != passnum.ParisDate(end) || !open(day, true) {
		return false
	}
	from, to := start.Hour()*60+start.Minute(), end.Hour()*60+end.Minute()
	for _, sp := range s.week[start.Weekday()] {
		if from >= sp.Start && to <= sp.End {
			return true
		}
	}
	return false
}

// slots are the starts of the sessions of minutes the site can hold on
// day d: one per opening span long enough.
func (s *sitePlan) slots(d passnum.Date, minutes int) []time.Time {
	if !open(d, true) {
		return nil
	}
	var out []time.Time
	for _, sp := range s.week[weekday(d)] {
		start := max(sp.Start, sessionMorningStart)
		if start+minutes <= sp.End {
			out = append(out, parisAt(d, 0, 0).Add(time.Duration(start)*time.Minute))
		}
	}
	return out
}

// bankAccount draws the French bank details of a place: a bank other than
// notBIC's, a branch and an account number, and the keys that make them
// valid (RIB key, IBAN mod-97 key). Communal services are paid on the
// Treasury's account at the Banque de France.
func (p *plan) bankAccount(holder, notBIC string) passnum.NewBankAccount {
	b := banks[p.r.IntN(len(banks))]
	if communal(holder) {
		b = bank{"30001", "BDFEFRPPCCT"}
	}
	for b.bic == notBIC {
		b = banks[p.r.IntN(len(banks))]
	}
	digits := func(n int) string {
		out := make([]byte, n)
		for i := range out {
			out[i] = byte('0' + p.r.IntN(10))
		}
		return string(out)
	}
	branch := strconv.Itoa(1+p.r.IntN(9)) + digits(4)
	account := "0" + digits(10)
	return passnum.NewBankAccount{Holder: holder, IBAN: frenchIBAN(b.code, branch, account), BIC: b.bic}
}

// frenchIBAN builds a French IBAN from its bank code, branch code and
// all-digit account number: the RIB key, then the ISO 13616 check digits.
func frenchIBAN(bankCode, branch, account string) string {
	bban := bankCode + branch + account
	bban += fmt.Sprintf("%02d", ribKey(bban))
	return fmt.Sprintf("FR%02d%s", 98-mod97(bban+"152700"), bban) // F = 15, R = 27, then "00"
}

// ribKey is the key of a French RIB: 97 − (89 × bank + 15 × branch + 3 ×
// account) mod 97, on the 21 digits of bank, branch and account.
func ribKey(digits string) int {
	bankCode, _ := strconv.Atoi(digits[:5])
	branch, _ := strconv.Atoi(digits[5:10])
	account, _ := strconv.Atoi(digits[10:21])
	return 97 - (89*bankCode+15*branch+3*account)%97
}

func mod97(digits string) int {
	r := 0
	for i := range len(digits) {
		r = (r*10 + int(digits[i]-'0')) % 97
	}
	return r
}

// catalogue draws 2 to 4 trainings, the bigger places more: services the
// place delivered most in 2022-2023 (or, for a newcomer, those young people
// ask for most), the first one in everyday skills or job search.
func (p *plan) catalogue(pl *orgPlan) {
	n := 2 + p.r.IntN(3)
	if pl.weight >= 5 {
		n = min(n+1, 4)
	}
	delivered := map[string]float64{}
	for _, rp := range p.redemptions {
		if rp.place == pl && rp.ho.prog == p.past {
			delivered[rp.service]++
		}
	}
	var chosen []int
	for len(chosen) < n {
		w := make([]float64, len(trainingSpecs))
		for i, t := range trainingSpecs {
			switch {
			case slices.Contains(chosen, i):
			case len(chosen) == 0 && t.service != "Maîtrise des outils numériques du quotidien" && t.service != "Insertion professionnelle via le numérique":
			case len(delivered) > 0:
				w[i] = (delivered[t.service] + 0.5) / float64(t.passes*t.passes) // longer courses are rarer
			default:
				w[i] = serviceWeights[t.service] / float64(t.passes*t.passes)
			}
		}
		chosen = append(chosen, p.pick(w))
	}
	for _, i := range chosen {
		t := trainingSpecs[i]
		pl.file.trainings = append(pl.file.trainings, &trainingPlan{place: pl, t: passnum.Training{Title: t.title, Service: t.service,
			Level: t.level, DurationMinutes: t.minutes, PassesCost: t.passes, Description: t.description}})
	}
}

// pastSessions names a site on every redemption and, in the last months,
// the session it paid for: the session of a one-pass training of the same
// service that ended at the place earlier that day. Some of the young
// people had booked their seat.
func (p *plan) pastSessions() {
	from := p.today.AddDays(-pastSessionDays)
	type slot struct {
		site     *sitePlan
		training *trainingPlan
		start    time.Time
	}
	bySlot := map[slot]*sessionPlan{}
	var past []*sessionPlan
	for _, rp := range p.redemptions {
		f := rp.place.file
		day := passnum.ParisDate(rp.at)
		rp.site = f.sites[0]
		if len(f.sites) > 1 && f.sites[1].openedAt.Before(parisAt(day, 0, 0)) && p.r.Float64() < 0.35 {
			rp.site = f.sites[1]
		}
		if rp.ho.prog != p.current || day.Before(from) || f.catalogueAt.IsZero() {
			continue
		}
		var tr *trainingPlan
		for _, t := range f.trainings {
			if t.t.Service == rp.service && t.t.PassesCost == 1 {
				tr = t
				break
			}
		}
		if tr == nil {
			continue
		}
		// The latest slot that ended before the scan, at most two hours
		// before it.
		var start time.Time
		for _, s := range rp.site.slots(day, tr.t.DurationMinutes) {
			end := s.Add(time.Duration(tr.t.DurationMinutes) * time.Minute)
			if !end.After(rp.at) && rp.at.Sub(end) <= 2*time.Hour {
				start = s
			}
		}
		if start.IsZero() {
			continue
		}
		k := slot{rp.site, tr, start}
		se := bySlot[k]
		if se == nil {
			se = &sessionPlan{training: tr, site: rp.site, startsAt: start, endsAt: start.Add(time.Duration(tr.t.DurationMinutes) * time.Minute)}
			se.createdAt = parisAt(prevOpen(day.AddDays(-7-p.r.IntN(14)), false), 9+p.r.IntN(8), 5*p.r.IntN(12))
			if earliest := latest(f.catalogueAt, rp.site.openedAt).Add(time.Hour); se.createdAt.Before(earliest) {
				se.createdAt = earliest
			}
			bySlot[k] = se
			past = append(past, se)
		}
		se.attendees++
		rp.session = se
	}
	for _, se := range past {
		se.capacity = max(4+p.r.IntN(9), se.attendees+p.r.IntN(3))
	}
	p.sessions = append(p.sessions, past...)
	for _, rp := range p.redemptions {
		if rp.session == nil || p.r.Float64() >= bookedShare {
			continue
		}
		if at, ok := p.bookingTime(latest(rp.session.createdAt, rp.ho.at), rp.session.startsAt.Add(-2*time.Hour)); ok {
			p.bookings = append(p.bookings, &bookingPlan{session: rp.session, ho: rp.ho, at: at})
		}
	}
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// bookingTime draws an instant between from and to, to the minute.
func (p *plan) bookingTime(from, to time.Time) (time.Time, bool) {
	if !to.After(from.Add(time.Minute)) {
		return time.Time{}, false
	}
	at := from.Add(time.Duration(p.r.Float64() * float64(to.Sub(from)))).Truncate(time.Minute)
	if !at.After(from) {
		at = at.Add(time.Minute)
	}
	return at, true
}

// upcomingSessions schedules each labelled place's sessions for the next
// weeks at its sites, when they are open, and books some seats for young
// people living nearby who still hold passes. A place's first session
// always keeps a seat free; now and then a later one is full.
func (p *plan) upcomingSessions() {
	left := map[*handOutPlan]int{}
	var holders []*handOutPlan
	for _, ho := range p.handOuts {
		if ho.prog == p.current {
			left[ho] = ho.prog.p.BookletSize
			holders = append(holders, ho)
		}
	}
	for _, rp := range p.redemptions {
		left[rp.ho]-- // a cancelled redemption gives the pass back, but counting it keeps to the safe side
	}
	upcoming := map[*handOutPlan]int{}
	for _, pl := range p.places {
		if pl.labelledAt.IsZero() || !pl.suspendedAt.IsZero() {
			continue
		}
		f := pl.file
		perWeek := 1 + int(pl.weight/6)
		type slot struct {
			site  *sitePlan
			start time.Time
		}
		taken := map[slot]bool{}
		first := true
		for w := range upcomingWeeks {
			for range perWeek {
				tr := f.trainings[p.r.IntN(len(f.trainings))]
				site := f.sites[0]
				if len(f.sites) > 1 && p.r.IntN(3) == 0 {
					site = f.sites[1]
				}
				var starts []time.Time
				for d := range 7 {
					for _, s := range site.slots(p.today.AddDays(1+7*w+d), tr.t.DurationMinutes) {
						if !taken[slot{site, s}] {
							starts = append(starts, s)
						}
					}
				}
				if len(starts) == 0 {
					continue
				}
				start := starts[p.r.IntN(len(starts))]
				taken[slot{site, start}] = true
				se := &sessionPlan{training: tr, site: site, startsAt: start, endsAt: start.Add(time.Duration(tr.t.DurationMinutes) * time.Minute),
					capacity: 4 + p.r.IntN(9), upcoming: true,
					createdAt: parisAt(prevOpen(p.today.AddDays(-1-p.r.IntN(20)), false), 9+p.r.IntN(8), 5*p.r.IntN(12))}
				p.sessions = append(p.sessions, se)
				want := p.r.IntN(se.capacity/2 + 1)
				if !first && p.r.IntN(8) == 0 {
					want = se.capacity
				}
				first = false
				var cands []*handOutPlan
				for _, ho := range holders {
					if left[ho] >= tr.t.PassesCost && upcoming[ho] < maxUpcomingBookings &&
						territory.DistanceKm(ho.ben.lat, ho.ben.lng, *site.n.Latitude, *site.n.Longitude) <= bookingRadiusKm {
						cands = append(cands, ho)
					}
				}
				for i := 0; i < want && i < len(cands); i++ {
					j := i + p.r.IntN(len(cands)-i)
					cands[i], cands[j] = cands[j], cands[i]
					ho := cands[i]
					at, ok := p.bookingTime(latest(se.createdAt, ho.at), p.now.Add(-30*time.Minute))
					if !ok {
						continue
					}
					left[ho] -= tr.t.PassesCost
					upcoming[ho]++
					p.bookings = append(p.bookings, &bookingPlan{session: se, ho: ho, at: at})
				}
			}
		}
	}
}
