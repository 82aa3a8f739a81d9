package store

import (
	"context"
	"time"

	"passnum"
)

// Consumption is what a funder follows of a programme: where the passes
// are, how many were used, what they cost and each funder's share of it.
type Consumption struct {
	ProgrammeID    string
	ProgrammeName  string
	FaceValueCents int64
	// PassesIssued were created; PassesAllocated sent to agencies;
	// PassesHandedOut given to young people: a booklet's worth for each
	// booklet handed out that replaces none (a replacement carries the
	// unused value of the booklet it replaces and gives nothing new);
	// PassesBlocked left unused in lost booklets that nothing replaced.
	PassesIssued    int64
	PassesAllocated int64
	PassesHandedOut int64
	PassesBlocked   int64
	// PassesRedeemed counts active redemptions; CancelledRedemptions the
	// redemptions cancelled since (their passes may have been used again).
	PassesRedeemed       int64
	CancelledRedemptions int64
	// AmountRedeemedCents is the face value of the active redemptions.
	AmountRedeemedCents int64
	// Months runs without gaps from the programme's first month to the
	// current one (or its last redeeming month if earlier), by Paris month.
	Months []MonthConsumption
	// Funders splits AmountRedeemedCents by share, summing exactly to it.
	Funders []FunderConsumption
	// Secrecy (SecretConsumption): the figures statistical secrecy hides
	// from a funder, each counting 1 to 4 young people, as the dashboard
	// hides them; a hidden figure reads zero. UsedMasked hides the passes
	// redeemed with their amounts, each funder's included.
	HandedOutMasked, UsedMasked, BlockedMasked, CancelledMasked bool
}

// MonthConsumption is one Paris month of active redemptions.
type MonthConsumption struct {
	Month       string // "2026-03"
	Redemptions int64
	AmountCents int64
	// Masked: statistical secrecy hides the month from a funder
	// (SecretConsumption); its figures then read zero.
	Masked bool
}

// FunderConsumption is one funder's part of the amount redeemed.
type FunderConsumption struct {
	OrganisationID string
	Name           string
	ShareBps       int64
	AmountCents    int64
}

// hourMicros is one hour in microseconds. Paris is a whole number of hours
// from UTC, so an hour of UTC never straddles two Paris months: redemptions
// are summed by UTC hour in SQL, portably, and the hours put in their Paris
// month in Go.
const hourMicros = int64(time.Hour / time.Microsecond)

// ProgrammeConsumption computes a programme's consumption figures.
func (tx *Tx) ProgrammeConsumption(ctx context.Context, programmeID string) (Consumption, error) {
	p, err := tx.programmeSettings(ctx, programmeID)
	if err != nil {
		return Consumption{}, err
	}
	return tx.consumption(ctx, p)
}

func (tx *Tx) consumption(ctx context.Context, p passnum.Programme) (Consumption, error) {
	programmeID := p.ID
	c := Consumption{ProgrammeID: p.ID, ProgrammeName: p.Name, FaceValueCents: p.FaceValueCents,
		PassesIssued: p.Stock.IssuedBooklets * int64(p.BookletSize), Months: []MonthConsumption{}, Funders: []FunderConsumption{}}
	if err := tx.consumptionStock(ctx, &c, programmeID, int64(p.BookletSize)); err != nil {
		return c, err
	}
	byMonth, first, last, err := tx.consumptionMonths(ctx, &c, programmeID)
	if err != nil {
		return c, err
	}
	c.Months = consumptionSpan(p, tx.Today(), byMonth, first, last)
	return c, tx.consumptionFunders(ctx, &c, programmeID)
}

// SecretConsumption is a programme's consumption as a funder sees it: the
// months of use masked as its dashboard masks them (secretMonths).
func (tx *Tx) SecretConsumption(ctx context.Context, programmeID string) (Consumption, error) {
	p, err := tx.programmeSettings(ctx, programmeID)
	if err != nil {
		return Consumption{}, err
	}
	c, err := tx.consumption(ctx, p)
	if err != nil {
		return c, err
	}
	maxPerPerson, size := maxPassesPerPerson(p), int64(p.BookletSize)
	months, passes := make([]string, len(c.Months)), make([]int64, len(c.Months))
	for i, m := range c.Months {
		months[i], passes[i] = m.Month, m.Redemptions
	}
	hidden, usedTotal := secretMonths(months, passes, maxPerPerson)
	for i, hide := range hidden {
		if hide {
			c.Months[i] = MonthConsumption{Month: c.Months[i].Month, Masked: true}
		}
	}
	// The programme's totals, as the dashboard's total: booklets handed
	// out and lost count one young person each, passes used at least one
	// for each booklet's worth, cancellations at least one each.
	secret := func(people int64) bool { return people > 0 && people < passnum.SecrecyThreshold }
	c.HandedOutMasked = secret(ceilDiv(c.PassesHandedOut, size))
	// Months hidden that add up to the total alone hide it too.
	c.UsedMasked = secret(ceilDiv(c.PassesRedeemed, maxPerPerson)) || usedTotal
	c.BlockedMasked = secret(ceilDiv(c.PassesBlocked, size))
	c.CancelledMasked = secret(ceilDiv(c.CancelledRedemptions, maxPerPerson))
	if c.HandedOutMasked {
		c.PassesHandedOut = 0
	}
	if c.UsedMasked {
		c.PassesRedeemed, c.AmountRedeemedCents = 0, 0
		for i := range c.Funders {
			c.Funders[i].AmountCents = 0
		}
	}
	if c.BlockedMasked {
		c.PassesBlocked = 0
	}
	if c.CancelledMasked {
		c.CancelledRedemptions = 0
	}
	return c, nil
}

// consumptionStock counts the passes allocated, handed out (a replacement
// gives its holder nothing new), blocked, and the redemptions cancelled.
func (tx *Tx) consumptionStock(ctx context.Context, c *Consumption, programmeID string, size int64) error {
	var allocated, available int64
	if err := tx.queryRow(ctx, `SELECT CAST(COALESCE(SUM(allocated_booklets), 0) AS BIGINT), CAST(COALESCE(SUM(available_booklets), 0) AS BIGINT)
		FROM distributor_stock WHERE programme_id = ?`, programmeID).Scan(&allocated, &available); err != nil {
		return err
	}
	// A replacement gives its holder nothing new: the lost booklet was
	// counted when it was handed out.
	var replacements int64
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM booklets WHERE programme_id = ? AND status = 'blocked' AND replaced_by IS NOT NULL`,
		programmeID).Scan(&replacements); err != nil {
		return err
	}
	c.PassesAllocated, c.PassesHandedOut = allocated*size, (allocated-available-replacements)*size
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM passes WHERE booklet_id IN (SELECT id FROM booklets WHERE programme_id = ? AND status = 'blocked' AND replaced_by IS NULL) AND status = 'blocked'`,
		programmeID).Scan(&c.PassesBlocked); err != nil {
		return err
	}
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM redemptions WHERE programme_id = ? AND status = 'cancelled'`, programmeID).Scan(&c.CancelledRedemptions); err != nil {
		return err
	}

	return nil
}

// consumptionMonths reads the active redemptions by Paris month from the
// statistics' counters (kept with each redemption and cancellation,
// stat_counts.go) rather than every redemption read again on each page;
// first and last are the months that have any.
func (tx *Tx) consumptionMonths(ctx context.Context, c *Consumption, programmeID string) (byMonth map[string]*MonthConsumption, first, last string, err error) {
	rows, err := tx.query(ctx, `SELECT month, n, amount_cents FROM `+statRows+`
		WHERE programme_id = ? AND dim = '`+dimAll+`' AND dim_value = '' AND metric = '`+metricUsed+`' AND (n <> 0 OR amount_cents <> 0)`, programmeID)
	if err != nil {
		return nil, "", "", err
	}
	byMonth = map[string]*MonthConsumption{}
	for rows.Next() {
		var m string
		var n, amount int64
		if err := rows.Scan(&m, &n, &amount); err != nil {
			rows.Close()
			return nil, "", "", err
		}
		mc := byMonth[m]
		if mc == nil {
			mc = &MonthConsumption{Month: m}
			byMonth[m] = mc
		}
		mc.Redemptions += n
		mc.AmountCents += amount
		c.PassesRedeemed += n
		c.AmountRedeemedCents += amount
		if first == "" || m < first {
			first = m
		}
		if m > last {
			last = m
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", "", err
	}
	return byMonth, first, last, nil
}

// consumptionSpan lists the months from the programme's first one to
// today's (or its last redeeming month), widened to any month that has
// redemptions; a month without any reads 0.
func consumptionSpan(p passnum.Programme, today passnum.Date, byMonth map[string]*MonthConsumption, first, last string) []MonthConsumption {
	out := []MonthConsumption{}
	start, lastDay := p.ActivityMonths()
	end := min(today.YearMonth(), lastDay)
	if first != "" && first < start {
		start = first
	}
	if last > end {
		end = last
	}
	for m := start; m <= end; m = nextMonth(m) {
		if mc := byMonth[m]; mc != nil {
			out = append(out, *mc)
		} else {
			out = append(out, MonthConsumption{Month: m})
		}
	}

	return out
}

// consumptionFunders gives each funder its share of the amount redeemed.
func (tx *Tx) consumptionFunders(ctx context.Context, c *Consumption, programmeID string) error {
	frows, err := tx.query(ctx, `SELECT f.organisation_id, o.name, f.share_bps FROM programme_funders f JOIN organisations o ON o.id = f.organisation_id
		WHERE f.programme_id = ? ORDER BY f.organisation_id`, programmeID)
	if err != nil {
		return err
	}
	defer frows.Close()
	var shares []int64
	for frows.Next() {
		var f FunderConsumption
		if err := frows.Scan(&f.OrganisationID, &f.Name, &f.ShareBps); err != nil {
			return err
		}
		c.Funders = append(c.Funders, f)
		shares = append(shares, f.ShareBps)
	}
	if err := frows.Err(); err != nil {
		return err
	}
	for i, part := range passnum.Apportion(c.AmountRedeemedCents, shares) {
		c.Funders[i].AmountCents = part
	}
	return nil
}

// nextMonth turns "2026-12" into "2027-01".
func nextMonth(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return "9999-12" // ends the loop
	}
	return t.AddDate(0, 1, 0).Format("2006-01")
}
