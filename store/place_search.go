package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"passnum"
	"passnum/territory"
)

// Finding a place: the sites nearest a commune, and a site's public card.
// Both are public: they show what the open-data directory shows, never
// anything about beneficiaries.

// Search bounds, as the API documents them.
const (
	DefaultRadiusKm   = 30
	MaxRadiusKm       = 100
	DefaultNearLimit  = 20
	MaxNearLimit      = 100
	MaxWithinWeeks    = 52
	nextSessionsShown = 3
	cardSessionsShown = 20
)

// NearQuery is a search for the sites nearest a point.
type NearQuery struct {
	Latitude, Longitude float64
	RadiusKm            float64 // 0: DefaultRadiusKm
	// Service keeps the sites that declare this national service, or that
	// hold an upcoming session of a training of this service.
	Service string
	// WithinWeeks keeps the sites with a scheduled session that still has
	// seats, starting between now and now + WithinWeeks weeks (and of
	// Service, when set).
	WithinWeeks int
	Limit       int // 0: DefaultNearLimit
}

// Validate checks the bounds of a search.
func (q *NearQuery) Validate() error {
	var fe passnum.FieldErrors
	if q.RadiusKm == 0 {
		q.RadiusKm = DefaultRadiusKm
	}
	if q.Limit == 0 {
		q.Limit = DefaultNearLimit
	}
	if !(q.RadiusKm >= 1 && q.RadiusKm <= MaxRadiusKm) { // NaN fails too
		fe.Add("radius_km", "rayon en kilomètres, de 1 à "+strconv.Itoa(MaxRadiusKm)+" (30 par défaut)")
	}
	if q.Limit < 1 || q.Limit > MaxNearLimit {
		fe.Add("limit", "nombre de lieux, de 1 à "+strconv.Itoa(MaxNearLimit)+" (20 par défaut)")
	}
	if q.Service != "" && !passnum.ValidService(q.Service) {
		fe.Add("service", "service inconnu : choisissez un libellé exact du référentiel national, par exemple « "+passnum.NationalServices[1]+" »")
	}
	if q.WithinWeeks < 0 || q.WithinWeeks > MaxWithinWeeks {
		fe.Add("within_weeks", "nombre de semaines, de 1 à "+strconv.Itoa(MaxWithinWeeks))
	}
	return fe.Err()
}

// NearSite is one result of a search, nearest first.
type NearSite struct {
	SiteID            string
	Name              string
	Address           string
	AddressComplement string
	Postcode          string
	Commune           string
	CommuneINSEE      string
	DistanceKm        float64
	Latitude          float64
	Longitude         float64
	ApproximatePlace  bool
	Services          []string
	OpeningHours      string
	AcceptsPass       bool
	PlaceID           string
	NextSessions      []SessionOffer
}

// SessionOffer is a dated session that still has seats, as the public
// sees it.
type SessionOffer struct {
	SessionID       string
	TrainingID      string
	TrainingTitle   string
	Service         string
	Level           string
	DurationMinutes int
	PassesCost      int
	StartsAt        time.Time
	EndsAt          time.Time
	Day             string
	SeatsLeft       int
}

// SitesNear returns the sites within q.RadiusKm of the point, nearest
// first. A latitude/longitude box on the indexed columns narrows the
// candidates, read from the index alone; exact great-circle distances are
// computed here, and only the sites kept are read whole. Sites without
// coordinates are placed at their commune's centre.
func (tx *Tx) SitesNear(ctx context.Context, q NearQuery) ([]NearSite, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	b := searchBoxAround(q.Latitude, q.Longitude, q.RadiusKm)
	var horizon int64
	if q.WithinWeeks > 0 {
		horizon = micros(tx.now.Add(time.Duration(q.WithinWeeks) * 7 * 24 * time.Hour))
	}
	filter, fargs := tx.nearFilter(q, horizon)
	args := append([]any{b.minLat, b.maxLat, b.minLng, b.maxLng}, fargs...)
	cands, err := tx.nearCandidates(ctx, q, `SELECT s.id, s.latitude, s.longitude, '' FROM sites s
		WHERE s.latitude BETWEEN ? AND ? AND s.longitude BETWEEN ? AND ?`+filter, args, nil)
	if err != nil {
		return nil, err
	}
	// Sites without coordinates: first the communes that have some (a
	// small partial index), then the sites of those within reach.
	codes, err := tx.communesWithoutPosition(ctx, q)
	if err != nil {
		return nil, err
	}
	for len(codes) > 0 {
		n := min(len(codes), 500)
		args := make([]any, 0, n+len(fargs))
		for _, c := range codes[:n] {
			args = append(args, c)
		}
		args = append(args, fargs...)
		if cands, err = tx.nearCandidates(ctx, q, `SELECT s.id, s.latitude, s.longitude, s.commune_insee FROM sites s
			WHERE (s.latitude IS NULL OR s.longitude IS NULL) AND s.commune_insee IN (`+placeholders(n)+`)`+filter, args, cands); err != nil {
			return nil, err
		}
		codes = codes[n:]
	}
	slices.SortFunc(cands, func(a, b nearCandidate) int {
		return cmp.Or(cmp.Compare(a.distance, b.distance), strings.Compare(a.id, b.id))
	})
	// The nearest candidates are read whole; those the public may not see
	// (a place not labelled) are dropped there, and the next ones read in
	// their stead until the list is full.
	out := make([]NearSite, 0, min(len(cands), q.Limit))
	for len(cands) > 0 && len(out) < q.Limit {
		n := min(len(cands), q.Limit-len(out))
		sites, err := tx.nearSites(ctx, cands[:n])
		if err != nil {
			return nil, err
		}
		out = append(out, sites...)
		cands = cands[n:]
	}
	if err := tx.attachSessions(ctx, out, q.Service, horizon); err != nil {
		return nil, err
	}
	return out, nil
}

// nearCandidate is a site in reach, before it is read whole.
type nearCandidate struct {
	id                 string
	lat, lng, distance float64
	approximate        bool
}

// nearCandidates appends to cands the sites that query returns (id,
// latitude, longitude, commune) within the radius.
func (tx *Tx) nearCandidates(ctx context.Context, q NearQuery, query string, args []any, cands []nearCandidate) ([]nearCandidate, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c nearCandidate
		var lat, lng sql.NullFloat64
		var commune string
		if err := rows.Scan(&c.id, &lat, &lng, &commune); err != nil {
			return nil, err
		}
		if lat.Valid && lng.Valid {
			c.lat, c.lng = lat.Float64, lng.Float64
		} else {
			tc, ok := territory.LookupCommune(commune)
			if !ok || !tc.HasCoordinates {
				continue
			}
			c.lat, c.lng, c.approximate = tc.Lat, tc.Lng, true
		}
		if c.distance = territory.DistanceKm(q.Latitude, q.Longitude, c.lat, c.lng); c.distance <= q.RadiusKm {
			cands = append(cands, c)
		}
	}
	return cands, rows.Err()
}

// nearSites reads the chosen sites whole, in the candidates' order.
func (tx *Tx) nearSites(ctx context.Context, cands []nearCandidate) ([]NearSite, error) {
	out := make([]NearSite, 0, len(cands))
	if len(cands) == 0 {
		return out, nil
	}
	at := make(map[string]int, len(cands))
	args := make([]any, len(cands))
	for i, c := range cands {
		at[c.id] = i
		args[i] = c.id
	}
	rows, err := tx.query(ctx, `SELECT s.id, s.organisation_id, s.name, s.address, s.address_complement, s.postcode, s.commune_name, s.commune_insee,
			s.services, s.opening_hours, COALESCE(o.kind, ''), COALESCE(o.status, '')
		FROM sites s LEFT JOIN organisations o ON o.id = s.organisation_id WHERE s.id IN (`+placeholders(len(cands))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	sites := make([]NearSite, len(cands))
	for rows.Next() {
		var s NearSite
		var org sql.NullString
		var services, kind, status string
		if err := rows.Scan(&s.SiteID, &org, &s.Name, &s.Address, &s.AddressComplement, &s.Postcode, &s.Commune, &s.CommuneINSEE,
			&services, &s.OpeningHours, &kind, &status); err != nil {
			return nil, err
		}
		if org.Valid && !publicPlace(kind, status) {
			continue
		}
		c := cands[at[s.SiteID]]
		s.Latitude, s.Longitude, s.ApproximatePlace = c.lat, c.lng, c.approximate
		s.DistanceKm = math.Round(c.distance*10) / 10
		s.Services = nearSplit(services)
		if kind == string(passnum.RolePlace) {
			s.PlaceID = org.String
			s.AcceptsPass = passnum.OrgStatus(status) == passnum.OrgLabelled
		}
		s.NextSessions = []SessionOffer{}
		sites[at[s.SiteID]] = s
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, s := range sites {
		if s.SiteID != "" { // a site deleted since is left out
			out = append(out, s)
		}
	}
	return out, nil
}

// publicPlace says whether the public may see an organisation's sites,
// catalogue and sessions: only a labelled place's. A place pending,
// suspended, refused or withdrawn may prepare its sites and catalogue; they
// are not public. Directory entries imported from open data (sites without
// an organisation) are public.
func publicPlace(kind, status string) bool {
	return kind == string(passnum.RolePlace) && passnum.OrgStatus(status) == passnum.OrgLabelled
}

// publicSiteSQL is publicPlace for a site s left-joined to its
// organisation o.
const publicSiteSQL = `(s.organisation_id IS NULL OR (o.kind = 'place' AND o.status = 'labelled'))`

// nearFilter is the SQL that keeps the sites matching the service and the
// coming-weeks filters.
func (tx *Tx) nearFilter(q NearQuery, horizon int64) (string, []any) {
	// A scalar subquery rather than EXISTS: PostgreSQL would turn EXISTS
	// into a join over every session, while this probes each candidate
	// site's sessions by (site_id, starts_at), whatever the statistics.
	open := func(cond string) string {
		return `(SELECT se.id FROM sessions se JOIN trainings t ON t.id = se.training_id
			WHERE se.site_id = s.id AND se.starts_at >= ?` + cond + ` AND se.status = 'scheduled' AND se.booked < se.capacity AND t.active
			LIMIT 1) IS NOT NULL`
	}
	now := micros(tx.now)
	switch {
	case q.WithinWeeks > 0 && q.Service != "":
		return ` AND ` + open(` AND se.starts_at < ? AND t.service = ?`), []any{now, horizon, q.Service}
	case q.WithinWeeks > 0:
		return ` AND ` + open(` AND se.starts_at < ?`), []any{now, horizon}
	case q.Service != "":
		// Services are stored joined by "|": framed, a LIKE finds a whole label.
		return ` AND (('|' || s.services || '|') LIKE ? OR ` + open(` AND t.service = ?`) + `)`, []any{"%|" + q.Service + "|%", now, q.Service}
	}
	return "", nil
}

// attachSessions fills the next sessions with seats left of each site, a
// few per site, in one query.
func (tx *Tx) attachSessions(ctx context.Context, sites []NearSite, service string, horizon int64) error {
	if len(sites) == 0 {
		return nil
	}
	bySite := make(map[string]int, len(sites))
	ids := make([]string, len(sites))
	for i, s := range sites {
		bySite[s.SiteID] = i
		ids[i] = s.SiteID
	}
	sessions, err := tx.sessionOffers(ctx, ids, service, horizon, nextSessionsShown)
	if err != nil {
		return err
	}
	for _, us := range sessions {
		i := bySite[us.siteID]
		sites[i].NextSessions = append(sites[i].NextSessions, us.SessionOffer)
	}
	return nil
}

type siteOffer struct {
	SessionOffer
	siteID string
}

// sessionOffers returns the first perSite scheduled sessions of each site
// still to start that have seats left (of service, and before horizon, when
// set), in time order.
func (tx *Tx) sessionOffers(ctx context.Context, siteIDs []string, service string, horizon int64, perSite int) ([]siteOffer, error) {
	if len(siteIDs) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(siteIDs)+4)
	args = append(args, micros(tx.now))
	for _, id := range siteIDs {
		args = append(args, id)
	}
	cond := ` AND se.site_id IN (` + placeholders(len(siteIDs)) + `)`
	if horizon > 0 {
		cond += ` AND se.starts_at < ?`
		args = append(args, horizon)
	}
	if service != "" {
		cond += ` AND t.service = ?`
		args = append(args, service)
	}
	args = append(args, perSite)
	rows, err := tx.query(ctx, `SELECT site_id, id, training_id, title, service, level, duration_minutes, passes_cost, starts_at, ends_at, seats FROM (
			SELECT se.site_id, se.id, se.training_id, t.title, t.service, t.level, t.duration_minutes, t.passes_cost, se.starts_at, se.ends_at,
				se.capacity - se.booked AS seats,
				ROW_NUMBER() OVER (PARTITION BY se.site_id ORDER BY se.starts_at, se.id) AS n
			FROM sessions se JOIN trainings t ON t.id = se.training_id
			WHERE se.starts_at >= ?`+cond+` AND se.status = 'scheduled' AND se.booked < se.capacity AND t.active
		) x WHERE n <= ? ORDER BY site_id, starts_at, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []siteOffer
	for rows.Next() {
		var s siteOffer
		var starts, ends int64
		if err := rows.Scan(&s.siteID, &s.SessionID, &s.TrainingID, &s.TrainingTitle, &s.Service, &s.Level, &s.DurationMinutes, &s.PassesCost,
			&starts, &ends, &s.SeatsLeft); err != nil {
			return nil, err
		}
		s.StartsAt, s.EndsAt = fromMicros(starts), fromMicros(ends)
		s.Day = passnum.ParisDate(s.StartsAt).String()
		out = append(out, s)
	}
	return out, rows.Err()
}

// SiteCard is a site's public card: everything its open-data row holds,
// the organisation it belongs to, whether it accepts the pass, and its
// upcoming sessions with seats left.
type SiteCard struct {
	SiteID             string
	OpenDataID         string
	Pivot              string
	Name               string
	Commune            string
	Postcode           string
	CommuneINSEE       string
	Departement        string
	DepartementName    string
	Region             string
	RegionName         string
	Address            string
	AddressComplement  string
	Latitude           *float64
	Longitude          *float64
	Typology           []string
	Phone              string
	Emails             []string
	Websites           []string
	OpeningHours       string
	Summary            string
	Description        string
	Source             string
	Itinerance         []string
	ParentStructure    string
	UpdatedOn          string
	Services           []string
	Publics            []string
	SpecificSupport    []string
	Fees               []string
	NationalProgrammes []string
	Labels             []string
	OtherLabels        []string
	AccessModes        []string
	SupportModes       []string
	AccessibilityURL   string
	BookingURL         string

	OrganisationName string
	PlaceID          string
	AcceptsPass      bool
	UpcomingSessions []SessionOffer
}

// SiteCard returns a site's public card.
func (tx *Tx) SiteCard(ctx context.Context, id string) (SiteCard, error) {
	var c SiteCard
	var lat, lng sql.NullFloat64
	var typology, emails, websites, itinerance, services, publics, support, fees, programmes, labels, other, access, modes string
	var orgName, kind, status string
	err := tx.queryRow(ctx, `SELECT s.id, s.opendata_id, s.pivot, s.name, s.commune_name, s.postcode, s.commune_insee, s.address, s.address_complement,
			s.latitude, s.longitude, s.typology, s.phone, s.emails, s.website, s.opening_hours, s.summary, s.description, s.source,
			s.itinerance, s.parent_structure, s.updated_on, s.services, s.publics, s.specific_support, s.fees, s.national_programmes,
			s.labels, s.other_labels, s.access_modes, s.support_modes, s.accessibility_url, s.booking_url,
			COALESCE(s.organisation_id, ''), COALESCE(o.name, ''), COALESCE(o.kind, ''), COALESCE(o.status, '')
		FROM sites s LEFT JOIN organisations o ON o.id = s.organisation_id WHERE s.id = ?`, id).Scan(
		&c.SiteID, &c.OpenDataID, &c.Pivot, &c.Name, &c.Commune, &c.Postcode, &c.CommuneINSEE, &c.Address, &c.AddressComplement,
		&lat, &lng, &typology, &c.Phone, &emails, &websites, &c.OpeningHours, &c.Summary, &c.Description, &c.Source,
		&itinerance, &c.ParentStructure, &c.UpdatedOn, &services, &publics, &support, &fees, &programmes,
		&labels, &other, &access, &modes, &c.AccessibilityURL, &c.BookingURL,
		&c.PlaceID, &orgName, &kind, &status)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && c.PlaceID != "" && !publicPlace(kind, status)) {
		return SiteCard{}, notFound("site")
	}
	if err != nil {
		return c, err
	}
	if lat.Valid {
		c.Latitude = &lat.Float64
	}
	if lng.Valid {
		c.Longitude = &lng.Float64
	}
	c.Typology, c.Emails, c.Websites, c.Itinerance = nearSplit(typology), nearSplit(emails), nearSplit(websites), nearSplit(itinerance)
	c.Services, c.Publics, c.SpecificSupport, c.Fees = nearSplit(services), nearSplit(publics), nearSplit(support), nearSplit(fees)
	c.NationalProgrammes, c.Labels, c.OtherLabels = nearSplit(programmes), nearSplit(labels), nearSplit(other)
	c.AccessModes, c.SupportModes = nearSplit(access), nearSplit(modes)
	c.OrganisationName = orgName
	if kind != string(passnum.RolePlace) {
		c.PlaceID = "" // only a place's id is useful to the public
	}
	c.AcceptsPass = kind == string(passnum.RolePlace) && passnum.OrgStatus(status) == passnum.OrgLabelled
	if c.AcceptsPass && !slices.Contains(c.Fees, passnum.FeesPassAccepted) {
		c.Fees = append(c.Fees, passnum.FeesPassAccepted)
	}
	if tc, ok := territory.LookupCommune(c.CommuneINSEE); ok {
		c.Departement, c.Region = tc.Departement, tc.Region
		if d, ok := territory.LookupDepartement(tc.Departement); ok {
			c.DepartementName = d.Name
		}
		if r, ok := territory.LookupRegion(tc.Region); ok {
			c.RegionName = r.Name
		}
	}
	sessions, err := tx.sessionOffers(ctx, []string{id}, "", 0, cardSessionsShown)
	if err != nil {
		return c, err
	}
	c.UpcomingSessions = make([]SessionOffer, len(sessions))
	for i, s := range sessions {
		c.UpcomingSessions[i] = s.SessionOffer
	}
	return c, nil
}

// nearSplit reads a multi-valued open-data field, joined by "|".
func nearSplit(s string) []string {
	out := []string{}
	for _, v := range strings.Split(s, "|") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// box is a latitude/longitude rectangle that holds a circle.
type searchBox struct{ minLat, maxLat, minLng, maxLng float64 }

// searchKmPerDegree is the length of a degree of latitude on the sphere that
// territory.DistanceKm uses.
const searchKmPerDegree = 6371.0088 * math.Pi / 180

// searchBoxAround returns a rectangle holding every point within radiusKm of
// (lat, lng), with a small margin so that rounding never loses one.
func searchBoxAround(lat, lng, radiusKm float64) searchBox {
	r := radiusKm * 1.01
	dLat := r / searchKmPerDegree
	b := searchBox{minLat: max(lat-dLat, -90), maxLat: min(lat+dLat, 90)}
	// Meridians converge: the widest longitude span is at the box's edge
	// nearest a pole.
	edge := math.Max(math.Abs(b.minLat), math.Abs(b.maxLat))
	cos := math.Cos(edge * math.Pi / 180)
	if cos < 0.01 {
		b.minLng, b.maxLng = -180, 180
		return b
	}
	dLng := r / (searchKmPerDegree * cos)
	b.minLng, b.maxLng = lng-dLng, lng+dLng
	return b
}

// communesWithoutPosition returns the communes within reach of the search
// that have sites without coordinates.
func (tx *Tx) communesWithoutPosition(ctx context.Context, q NearQuery) ([]string, error) {
	rows, err := tx.query(ctx, `SELECT DISTINCT commune_insee FROM sites WHERE latitude IS NULL OR longitude IS NULL`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			return nil, err
		}
		c, ok := territory.LookupCommune(code)
		if ok && c.HasCoordinates && territory.DistanceKm(q.Latitude, q.Longitude, c.Lat, c.Lng) <= q.RadiusKm {
			out = append(out, code)
		}
	}
	return out, rows.Err()
}
