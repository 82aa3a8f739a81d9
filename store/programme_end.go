package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"passnum"
)

// ClosingTable is the end-of-programme table the operator and the funders
// read from 30 days before the end of validity: per distributor, what it
// was given, handed out, and what the young people did with it.
type ClosingTable struct {
	ProgrammeID   string
	ProgrammeName string
	ValidUntil    passnum.Date
	HandoutUntil  passnum.Date
	LastRedeemDay passnum.Date
	// From is the first day the pages show the table (J-30); InPeriod
	// says whether today is on or after it.
	From     passnum.Date
	InPeriod bool
	// The programme as a whole: booklets issued and still in its central
	// stock; then the distributors' sums.
	BookletsIssued      int64
	BookletsUnallocated int64
	Totals              DistributorClosing
	Distributors        []DistributorClosing
	// Masked names, for a funder, what statistical secrecy hides
	// (secret): a line ("totals" or a distributor's id) whose figures of
	// young people are nil, or one figure of a line shown,
	// "id:booklets_started" or "id:passes_used".
	Masked []string
	// PublishedAt is when a funder's table was computed: it is published
	// once a month (nil for the operator's, read live).
	PublishedAt *time.Time
}

// DistributorClosing is one distributor's line of the closing table.
type DistributorClosing struct {
	DistributorID   string
	DistributorName string
	// BookletsAllocated are the booklets it holds or handed out (what it
	// received, less what was moved away); BookletsNotHandedOut those it
	// holds. They are stock, but their difference is the booklets handed
	// out: a line statistical secrecy hides loses them too.
	BookletsAllocated    *int64
	BookletsNotHandedOut *int64
	// The figures of young people, nil where statistical secrecy hides
	// them from a funder: the booklets handed out, those of them started
	// (at least one pass used), their passes used and not used yet.
	BookletsHandedOut *int64
	BookletsStarted   *int64
	PassesUsed        *int64
	PassesUnused      *int64
}

// ClosingTable is the programme's closing table; secret applies
// statistical secrecy, for a funder, who reads the month's publication
// (publishedView, computed with the year tables: funderViews) with the
// days of today, and before the table's first day (J-30) its days only.
func (tx *Tx) ClosingTable(ctx context.Context, programmeID string, secret bool) (ClosingTable, error) {
	if !secret {
		return tx.closingTable(ctx, programmeID, nil)
	}
	p, err := tx.programmeSettings(ctx, programmeID)
	if err != nil {
		return ClosingTable{}, err
	}
	// Before its first day (J-30), or when the month's figures were
	// published before that day moved into this month (the programme's
	// validity shortened since), its days only, as not yet in its period.
	daysOnly := closingDays(p, tx.Today())
	daysOnly.InPeriod = false
	if tx.Today().Before(p.ClosingFrom()) {
		return daysOnly, nil
	}
	t, at, absent, err := publishedView[ClosingTable](ctx, tx, programmeID, viewClosing)
	if err != nil {
		return t, err
	}
	if absent {
		// Published with the next month's figures: until then, as
		// before its first day.
		return daysOnly, nil
	}
	// The published figures under today's days.
	days := closingDays(p, tx.Today())
	days.Totals, days.Distributors, days.Masked, days.PublishedAt = t.Totals, t.Distributors, t.Masked, &at
	days.BookletsIssued, days.BookletsUnallocated = t.BookletsIssued, t.BookletsUnallocated
	return days, nil
}

// closingDays is a closing table with its programme's days and stock
// (as of today), and no line yet.
func closingDays(p passnum.Programme, today passnum.Date) ClosingTable {
	return ClosingTable{ProgrammeID: p.ID, ProgrammeName: p.Name, ValidUntil: p.ValidUntil, HandoutUntil: p.LastHandOutDay(), LastRedeemDay: p.LastRedeemDay(),
		From: p.ClosingFrom(), InPeriod: !today.Before(p.ClosingFrom()), BookletsIssued: p.Stock.IssuedBooklets, BookletsUnallocated: p.Stock.UnallocatedBooklets,
		Distributors: []DistributorClosing{}, Masked: []string{}}
}

// closingTable computes the programme's closing table, one pass over its
// booklets. byYears, for a funder, says what its year tables hide
// (closingHiddenByYears): nil for the operator, who sees all.
func (tx *Tx) closingTable(ctx context.Context, programmeID string, byYears map[string]bool) (ClosingTable, error) {
	p, err := tx.programmeSettings(ctx, programmeID)
	if err != nil {
		return ClosingTable{}, err
	}
	groups, err := tx.bookletGroups(ctx, p, false)
	if err != nil {
		return ClosingTable{}, err
	}
	return closingFromGroups(p, tx.Today(), groups, byYears), nil
}

// bookletGroup is a group of a programme's booklets: those of one
// distributor (none for the central stock) and, when fine, handed out in
// one year ("" for none) to young people of one département, commune and
// age band, with how many they are, how many are handed out (blocked
// included), allocated and not handed out, started, and their passes
// used and not used (of those handed out).
type bookletGroup struct {
	year, departement, commune, distributor, distributorName, ageBand string
	booklets, handed, allocated, started, used, unused                int64
}

// bookletGroups reads the programme's booklets once, in groups: by
// distributor for its closing table, finer for its year tables' linked
// sets too (yearLinks), so that the month's publication reads
// them once. Each booklet keeps its passes used (used_passes, kept with
// every redemption and cancellation, and recounted by passnum check), and
// the others of its booklet_size passes are not used (its voided ones
// too). Grouping the passes instead read ten million rows for a national
// programme, 19 s.
func (tx *Tx) bookletGroups(ctx context.Context, p passnum.Programme, fine bool) ([]bookletGroup, error) {
	booklets, err := tx.programmeScan(ctx, "booklets", "b", p.Stock.IssuedBooklets)
	if err != nil {
		return nil, err
	}
	keys := `'', '', '', COALESCE(b.distributor_id, ''), ''`
	by := `b.distributor_id`
	if fine {
		keys = `SUBSTR(b.stat_month, 1, 4), b.stat_departement, b.stat_commune, COALESCE(b.distributor_id, ''), b.stat_age_band`
		by = `SUBSTR(b.stat_month, 1, 4), b.stat_departement, b.stat_commune, b.distributor_id, b.stat_age_band`
	}
	rows, err := tx.query(ctx, `SELECT `+keys+`, COUNT(*),
			CAST(SUM(CASE WHEN b.status IN ('handed_out', 'blocked') THEN 1 ELSE 0 END) AS BIGINT),
			CAST(SUM(CASE WHEN b.status = 'allocated' THEN 1 ELSE 0 END) AS BIGINT),
			CAST(SUM(CASE WHEN b.used_passes > 0 THEN 1 ELSE 0 END) AS BIGINT),
			CAST(SUM(b.used_passes) AS BIGINT),
			CAST(SUM(CASE WHEN b.status IN ('handed_out', 'blocked') THEN ? - b.used_passes ELSE 0 END) AS BIGINT)
		FROM `+booklets+` WHERE b.programme_id = ? GROUP BY `+by, p.BookletSize, p.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []bookletGroup
	for rows.Next() {
		var g bookletGroup
		if err := rows.Scan(&g.year, &g.departement, &g.commune, &g.distributor, &g.ageBand,
			&g.booklets, &g.handed, &g.allocated, &g.started, &g.used, &g.unused); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The distributors' names, apart: joined to each booklet, they cost
	// a quarter more of the reading.
	names := map[string]string{}
	nrows, err := tx.query(ctx, `SELECT o.id, o.name FROM organisations o WHERE o.id IN (SELECT distributor_id FROM distributor_stock WHERE programme_id = ?)`, p.ID)
	if err != nil {
		return nil, err
	}
	defer nrows.Close()
	for nrows.Next() {
		var id, name string
		if err := nrows.Scan(&id, &name); err != nil {
			return nil, err
		}
		names[id] = name
	}
	for i := range out {
		out[i].distributorName = cmp.Or(names[out[i].distributor], out[i].distributor)
	}
	return out, nrows.Err()
}

// closingFromGroups is the programme's closing table from its booklets'
// groups (bookletGroups): a line a distributor, by name.
func closingFromGroups(p passnum.Programme, today passnum.Date, groups []bookletGroup, byYears map[string]bool) ClosingTable {
	t := closingDays(p, today)
	lines := map[string]*[6]int64{}
	names := map[string]string{}
	for _, g := range groups {
		if g.distributor == "" {
			continue
		}
		l := lines[g.distributor]
		if l == nil {
			l = &[6]int64{}
			lines[g.distributor], names[g.distributor] = l, g.distributorName
		}
		for i, v := range [6]int64{g.booklets, g.handed, g.allocated, g.started, g.used, g.unused} {
			l[i] += v
		}
	}
	ids := slices.Collect(maps.Keys(lines))
	slices.SortFunc(ids, func(a, b string) int { return cmp.Or(strings.Compare(names[a], names[b]), strings.Compare(a, b)) })
	var totals [6]int64
	for _, id := range ids {
		l := *lines[id]
		d := DistributorClosing{DistributorID: id, DistributorName: names[id]}
		d.BookletsAllocated, d.BookletsHandedOut, d.BookletsNotHandedOut = ptr(l[0]), ptr(l[1]), ptr(l[2])
		d.BookletsStarted, d.PassesUsed, d.PassesUnused = ptr(l[3]), ptr(l[4]), ptr(l[5])
		t.Distributors = append(t.Distributors, d)
		for i := range totals {
			totals[i] += l[i]
		}
	}
	t.Totals.BookletsAllocated, t.Totals.BookletsHandedOut, t.Totals.BookletsNotHandedOut = ptr(totals[0]), ptr(totals[1]), ptr(totals[2])
	t.Totals.BookletsStarted, t.Totals.PassesUsed, t.Totals.PassesUnused = ptr(totals[3]), ptr(totals[4]), ptr(totals[5])
	if byYears != nil {
		// The funder's year tables hide what the whole programme, less
		// its other years, would give back: the table hides it first.
		t.applySecrecy(maxPassesPerPerson(p), byYears)
	}
	return t
}

// MoveStock moves booklets not handed out from a distributor to another
// (toDistributorID) or back to the programme's central stock (empty
// toDistributorID), until the hand-out closing day, with a reason. The
// distributor's guarded counter decides, so concurrent moves and hand-outs
// never take a booklet twice; the booklets themselves are picked skipping
// those another transaction holds.
func (tx *Tx) MoveStock(ctx context.Context, actor passnum.Actor, programmeID, fromDistributorID, toDistributorID string, booklets int64, reason string) (passnum.StockTransfer, error) {
	m := passnum.StockTransfer{ProgrammeID: programmeID, FromDistributorID: fromDistributorID, ToDistributorID: toDistributorID, Booklets: booklets, Reason: reason}
	if err := passnum.CheckReason("reason", reason, "indiquez pourquoi le stock est déplacé (structure fermée, carnets non distribués…)"); err != nil {
		return m, err
	}
	if err := passnum.CheckBookletCount(booklets); err != nil {
		return m, err
	}
	if fromDistributorID == toDistributorID {
		return m, passnum.Invalid(passnum.FieldError{Field: "to_distributor_id", Detail: "un autre distributeur que celui d'où partent les carnets, ou rien pour les rendre au programme"})
	}
	p, err := tx.programmeSettings(ctx, programmeID)
	if err != nil {
		return m, err
	}
	if err := p.StockMoveOpen(tx.Today()); err != nil {
		return m, err
	}
	for _, d := range []struct{ field, id string }{{"from_distributor_id", fromDistributorID}, {"to_distributor_id", toDistributorID}} {
		if d.id == "" && d.field == "to_distributor_id" {
			continue
		}
		o, err := tx.Organisation(ctx, d.id)
		if err != nil || o.Kind != passnum.RoleDistributor {
			if err != nil && passnum.ErrorCode(err) != passnum.ENOTFOUND {
				return m, err
			}
			return m, passnum.Invalid(passnum.FieldError{Field: d.field, Detail: "distributeur inconnu : indiquez l'identifiant d'une organisation de type distributeur"})
		}
	}
	res, err := tx.exec(ctx, `UPDATE distributor_stock SET available_booklets = available_booklets - ?, allocated_booklets = allocated_booklets - ?
		WHERE programme_id = ? AND distributor_id = ? AND available_booklets >= ?`, booklets, booklets, programmeID, fromDistributorID, booklets)
	if err != nil {
		return m, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		st, err := tx.Stock(ctx, programmeID, fromDistributorID)
		if err != nil {
			return m, err
		}
		e := passnum.Errorf(passnum.EINSUFFICIENTSTOCK, "Ce distributeur n'a que %d carnet(s) non remis de ce programme, pour %d à déplacer.", st.AvailableBooklets, booklets)
		e.Extra = map[string]any{"available_booklets": st.AvailableBooklets}
		return m, e
	}
	status, to := passnum.BookletAllocated, nullString(toDistributorID)
	if toDistributorID == "" {
		status = passnum.BookletInStock
	}
	var allocatedAt any
	if toDistributorID != "" {
		allocatedAt = micros(tx.now)
	}
	res, err = tx.exec(ctx, `UPDATE booklets SET status = ?, distributor_id = ?, allocated_at = ?
		WHERE id IN (SELECT id FROM booklets WHERE programme_id = ? AND status = 'allocated' AND distributor_id = ? ORDER BY id LIMIT ?`+tx.s.dialect.skipLocked()+`)`,
		status, to, allocatedAt, programmeID, fromDistributorID, booklets)
	if err != nil {
		return m, err
	}
	if n, _ := res.RowsAffected(); n != booklets {
		return m, passnum.Errorf(passnum.ECONFLICT, "Des carnets de ce distributeur sont remis au même moment : rien n'a été déplacé, réessayez.")
	}
	if toDistributorID == "" {
		_, err = tx.exec(ctx, `UPDATE programmes SET unallocated_booklets = unallocated_booklets + ? WHERE id = ?`, booklets, programmeID)
	} else {
		err = tx.addDistributorStock(ctx, programmeID, toDistributorID, booklets)
	}
	if err != nil {
		return m, err
	}
	m.ID, m.CreatedAt = passnum.NewID(tx.now), tx.now
	if _, err := tx.exec(ctx, `INSERT INTO stock_transfers (id, programme_id, from_distributor_id, to_distributor_id, booklets, reason, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, m.ID, programmeID, fromDistributorID, to, booklets, reason, micros(tx.now), bankActorRef(actor)); err != nil {
		return m, err
	}
	return m, tx.audit(ctx, actor, "stock.move", "stock_transfer", m.ID, reason, map[string]any{"programme_id": programmeID,
		"from_distributor_id": fromDistributorID, "to_distributor_id": toDistributorID, "booklets": booklets})
}

// ExpireProgramme is the programme's explicit expiry step, after the grace
// period: its unused passes are expired for good (their stored status is
// left as it is: a pass past its programme's last redeem day has always
// read "expired", and redemption was already refused), the figures are
// frozen, and the programme's validity, issuance and stock no longer
// change. Running it again answers the first run's record (Created false).
func (tx *Tx) ExpireProgramme(ctx context.Context, actor passnum.Actor, programmeID string) (passnum.ProgrammeExpiry, error) {
	// The programme's row is locked first: two runs at once write once.
	res, err := tx.exec(ctx, `UPDATE programmes SET name = name WHERE id = ?`, programmeID)
	if err != nil {
		return passnum.ProgrammeExpiry{}, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return passnum.ProgrammeExpiry{}, notFound("programme")
	}
	if e, err := tx.ProgrammeExpiry(ctx, programmeID); err == nil {
		return e, nil
	} else if passnum.ErrorCode(err) != passnum.ENOTFOUND {
		return e, err
	}
	p, err := tx.programmeSettings(ctx, programmeID)
	if err != nil {
		return passnum.ProgrammeExpiry{}, err
	}
	if err := p.ExpiryOpen(tx.Today()); err != nil {
		return passnum.ProgrammeExpiry{}, err
	}
	e := passnum.ProgrammeExpiry{ProgrammeID: programmeID, ExpiredAt: tx.now, Created: true, PassesIssued: p.Stock.IssuedBooklets * int64(p.BookletSize)}
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM redemptions WHERE programme_id = ? AND status = 'active'`, programmeID).Scan(&e.PassesUsed); err != nil {
		return e, err
	}
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM passes WHERE programme_id = ? AND status = 'unassigned'`, programmeID).Scan(&e.PassesNotHandedOut); err != nil {
		return e, err
	}
	e.PassesUnused = e.PassesIssued - e.PassesUsed - e.PassesNotHandedOut
	e.ReleasedCents = (e.PassesIssued - e.PassesUsed) * p.FaceValueCents
	if _, err := tx.exec(ctx, `INSERT INTO programme_expiries (programme_id, expired_at, expired_by, passes_issued, passes_used, passes_unused, passes_not_handed_out, released_cents)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, programmeID, micros(tx.now), bankActorRef(actor), e.PassesIssued, e.PassesUsed, e.PassesUnused, e.PassesNotHandedOut, e.ReleasedCents); err != nil {
		return e, err
	}
	return e, tx.audit(ctx, actor, "programme.expire", "programme", programmeID, "", map[string]any{"passes_unused": e.PassesUnused,
		"passes_not_handed_out": e.PassesNotHandedOut, "released_cents": e.ReleasedCents})
}

// ProgrammeExpiry returns the record of the programme's expiry step; not
// found until it ran.
func (tx *Tx) ProgrammeExpiry(ctx context.Context, programmeID string) (passnum.ProgrammeExpiry, error) {
	e := passnum.ProgrammeExpiry{ProgrammeID: programmeID}
	var at int64
	err := tx.queryRow(ctx, `SELECT expired_at, passes_issued, passes_used, passes_unused, passes_not_handed_out, released_cents FROM programme_expiries WHERE programme_id = ?`,
		programmeID).Scan(&at, &e.PassesIssued, &e.PassesUsed, &e.PassesUnused, &e.PassesNotHandedOut, &e.ReleasedCents)
	if errors.Is(err, sql.ErrNoRows) {
		return e, passnum.Errorf(passnum.ENOTFOUND, "Ce programme n'a pas encore expiré.")
	}
	e.ExpiredAt = fromMicros(at)
	return e, err
}

// ClosingStatement is a programme's closing statement: what its passes
// became and, per funder, what that costs it. Used and adjusted face
// value and the face value released are split between the funders by
// their shares (largest remainder); settled and paid are the sums of the
// funders' shares of the settlements' lines, the figures their statements
// show. Before the expiry step the figures are those of today.
type ClosingStatement struct {
	ProgrammeID        string
	ProgrammeName      string
	Expired            bool
	Expiry             *passnum.ProgrammeExpiry
	PassesIssued       int64
	PassesHandedOut    int64
	PassesUsed         int64
	PassesUnused       int64
	PassesNotHandedOut int64
	UsedCents          int64
	AdjustedCents      int64
	ReleasedCents      int64
	SettledCents       int64
	PaidCents          int64
	// FinalSettlement is the programme's latest settlement (without its
	// lines), nil when there is none.
	FinalSettlement *passnum.Settlement
	Funders         []FunderClosing
}

// FunderClosing is one funder's part of the closing statement.
type FunderClosing struct {
	FunderID      string
	FunderName    string
	ShareBps      int64
	UsedCents     int64
	AdjustedCents int64
	ReleasedCents int64
	SettledCents  int64
	PaidCents     int64
	// DueCents is what the funder still has to pay for the settlements
	// made: settled but not yet paid.
	DueCents int64
}

// ClosingStatement computes the programme's closing statement; funderID,
// when set, keeps that funder's part only.
func (tx *Tx) ClosingStatement(ctx context.Context, programmeID, funderID string) (ClosingStatement, error) {
	p, err := tx.Programme(ctx, programmeID)
	if err != nil {
		return ClosingStatement{}, err
	}
	size := int64(p.BookletSize)
	c := ClosingStatement{ProgrammeID: p.ID, ProgrammeName: p.Name, PassesIssued: p.Stock.IssuedBooklets * size, PassesHandedOut: p.Stock.HandedOutBooklets * size,
		PassesUsed: p.Stock.RedeemedPasses, UsedCents: p.Money.UsedCents, AdjustedCents: p.Money.CorrectedCents, SettledCents: p.Money.SettledCents, PaidCents: p.Money.PaidCents,
		Funders: []FunderClosing{}}
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM passes WHERE programme_id = ? AND status = 'unassigned'`, programmeID).Scan(&c.PassesNotHandedOut); err != nil {
		return c, err
	}
	// A replacement gives its holder nothing new: the lost booklet was
	// counted when it was handed out (as in the consumption and the
	// statistics).
	var replacements int64
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM booklets WHERE programme_id = ? AND status = 'blocked' AND replaced_by IS NOT NULL`,
		programmeID).Scan(&replacements); err != nil {
		return c, err
	}
	c.PassesHandedOut -= replacements * size
	c.PassesUnused = c.PassesIssued - c.PassesUsed - c.PassesNotHandedOut
	c.ReleasedCents = (c.PassesIssued - c.PassesUsed) * p.FaceValueCents
	if e, err := tx.ProgrammeExpiry(ctx, programmeID); err == nil {
		c.Expired, c.Expiry = true, &e
	} else if passnum.ErrorCode(err) != passnum.ENOTFOUND {
		return c, err
	}
	var last string
	if err := tx.queryRow(ctx, `SELECT id FROM settlements WHERE programme_id = ? ORDER BY number DESC LIMIT 1`, programmeID).Scan(&last); err == nil {
		s, err := scanSettlement(tx.queryRow(ctx, `SELECT `+settlementColumns+` FROM settlements s JOIN programmes p ON p.id = s.programme_id WHERE s.id = ?`, last))
		if err != nil {
			return c, err
		}
		c.FinalSettlement = &s
	} else if !errors.Is(err, sql.ErrNoRows) {
		return c, err
	}
	statements, err := tx.FunderStatements(ctx, programmeID, "")
	if err != nil {
		return c, err
	}
	bps := make([]int64, len(p.Funders))
	for i, f := range p.Funders {
		bps[i] = f.ShareBps
	}
	used, adjusted, released := passnum.Apportion(c.UsedCents, bps), passnum.Apportion(c.AdjustedCents, bps), passnum.Apportion(c.ReleasedCents, bps)
	for i, f := range p.Funders {
		fc := FunderClosing{FunderID: f.OrganisationID, ShareBps: f.ShareBps, UsedCents: used[i], AdjustedCents: adjusted[i], ReleasedCents: released[i]}
		for _, st := range statements {
			if st.FunderID == f.OrganisationID {
				fc.FunderName, fc.SettledCents, fc.PaidCents, fc.DueCents = st.FunderName, st.SettledCents, st.PaidCents, st.DueCents
			}
		}
		if funderID == "" || funderID == f.OrganisationID {
			c.Funders = append(c.Funders, fc)
		}
	}
	return c, nil
}
