package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"passnum"
)

// Reading settlements. The lists and the one-settlement read answer the
// API and the pages; the streaming reads (SettlementLines,
// SettlementRedemptions, SettlementCorrections, SettlementAccounting) feed
// the documents row by row, never holding a settlement in memory. Their
// callback must not use the transaction while it runs: on PostgreSQL the
// connection is busy streaming.

const settlementColumns = `s.id, s.programme_id, p.name, s.reference, s.cutoff, s.status, s.four_eyes, s.total_cents, s.created_at, s.sent_at,
	s.paid_on, COALESCE(s.bank_reference, ''), s.payment_recorded_at, s.paid_at,
	(SELECT COUNT(*) FROM settlement_lines l WHERE l.settlement_id = s.id),
	(SELECT COUNT(*) FROM settlement_lines l WHERE l.settlement_id = s.id AND l.held_back)`

func scanSettlement(sc interface{ Scan(...any) error }) (passnum.Settlement, error) {
	var s passnum.Settlement
	var paidOn passnum.Date
	var created int64
	var sent, recorded, paid sql.NullInt64
	err := sc.Scan(&s.ID, &s.ProgrammeID, &s.ProgrammeName, &s.Reference, &s.Cutoff, &s.Status, &s.FourEyes, &s.TotalCents, &created, &sent,
		&paidOn, &s.BankReference, &recorded, &paid, &s.LineCount, &s.HeldBackCount)
	if err != nil {
		return s, err
	}
	s.CreatedAt = fromMicros(created)
	s.SentAt, s.PaymentRecordedAt, s.PaidAt = nullMicros(sent), nullMicros(recorded), nullMicros(paid)
	if !paidOn.IsZero() {
		s.PaidOn = &paidOn
	}
	return s, nil
}

// Settlement returns a settlement with its lines and their shares, in the
// places' names order. placeID, when set, keeps that place's line only, and
// a settlement without a line of the place is not found.
func (tx *Tx) Settlement(ctx context.Context, id, placeID string) (passnum.Settlement, error) {
	s, err := scanSettlement(tx.queryRow(ctx, `SELECT `+settlementColumns+` FROM settlements s JOIN programmes p ON p.id = s.programme_id WHERE s.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return s, notFound("remboursement")
	}
	if err != nil {
		return s, err
	}
	s.Lines = []passnum.SettlementLine{}
	err = tx.SettlementLines(ctx, id, placeID, func(l passnum.SettlementLine) error {
		s.Lines = append(s.Lines, l)
		return nil
	})
	if err != nil {
		return s, err
	}
	if placeID != "" && len(s.Lines) == 0 {
		return s, notFound("remboursement")
	}
	return s, nil
}

// SettlementFilter narrows a list of settlements.
type SettlementFilter struct {
	ProgrammeID string
	// PlaceID keeps the settlements with a line of that place (a place's
	// own view); FunderID those of the programmes the funder pays for.
	PlaceID  string
	FunderID string
}

// ListSettlements lists settlements, newest first, without their lines;
// with f.PlaceID, each carries the place's own line.
func (tx *Tx) ListSettlements(ctx context.Context, f SettlementFilter, p Page) ([]passnum.Settlement, string, error) {
	q := `SELECT ` + settlementColumns + ` FROM settlements s JOIN programmes p ON p.id = s.programme_id WHERE 1=1`
	var args []any
	if f.ProgrammeID != "" {
		q += ` AND s.programme_id = ?`
		args = append(args, f.ProgrammeID)
	}
	if f.PlaceID != "" {
		q += ` AND EXISTS (SELECT 1 FROM settlement_lines l WHERE l.settlement_id = s.id AND l.place_id = ?)`
		args = append(args, f.PlaceID)
	}
	if f.FunderID != "" {
		q += ` AND s.programme_id IN (SELECT programme_id FROM programme_funders WHERE organisation_id = ?)`
		args = append(args, f.FunderID)
	}
	q, args = p.apply(q, args, "s.created_at", "s.id")
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	var out []passnum.Settlement
	for rows.Next() {
		s, err := scanSettlement(rows)
		if err != nil {
			rows.Close()
			return nil, "", err
		}
		out = append(out, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := trimPage(out, p, func(i int) (int64, string) { return micros(out[i].CreatedAt), out[i].ID })
	if f.PlaceID != "" {
		for i := range out {
			err := tx.SettlementLines(ctx, out[i].ID, f.PlaceID, func(l passnum.SettlementLine) error {
				out[i].Lines = append(out[i].Lines, l)
				return nil
			})
			if err != nil {
				return nil, "", err
			}
		}
	}
	return out, next, nil
}

// SettlementLines streams a settlement's lines with their funders' shares,
// by place name (then id); placeID, when set, keeps that place's line.
// IBANs are in full: the caller masks them for whoever may not see them.
func (tx *Tx) SettlementLines(ctx context.Context, settlementID, placeID string, fn func(passnum.SettlementLine) error) error {
	q := `SELECT l.place_id, o.name, l.count, l.redemptions_cents, l.adjustments_cents, l.carried_in_cents, l.amount_cents, l.carried_out_cents,
			l.held_back, l.held_back_reason, l.held_count, l.held_cents, COALESCE(l.bank_account_id, ''), COALESCE(l.holder, ''), COALESCE(l.iban, ''), COALESCE(l.bic, ''),
			s.status, sh.funder_id, sh.share_bps, sh.amount_cents
		FROM settlement_lines l JOIN organisations o ON o.id = l.place_id JOIN settlements s ON s.id = l.settlement_id
		LEFT JOIN settlement_line_shares sh ON sh.settlement_id = l.settlement_id AND sh.place_id = l.place_id
		WHERE l.settlement_id = ?`
	args := []any{settlementID}
	if placeID != "" {
		q += ` AND l.place_id = ?`
		args = append(args, placeID)
	}
	q += ` ORDER BY o.name, l.place_id, sh.funder_id`
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	var cur *passnum.SettlementLine
	for rows.Next() {
		var l passnum.SettlementLine
		var reason, funder sql.NullString
		var bps, part sql.NullInt64
		if err := rows.Scan(&l.PlaceID, &l.PlaceName, &l.Count, &l.RedemptionsCents, &l.AdjustmentsCents, &l.CarriedInCents, &l.AmountCents, &l.CarriedOutCents,
			&l.HeldBack, &reason, &l.HeldCount, &l.HeldCents, &l.BankAccountID, &l.Holder, &l.IBAN, &l.BIC, &l.Status, &funder, &bps, &part); err != nil {
			return err
		}
		if cur == nil || cur.PlaceID != l.PlaceID {
			if cur != nil {
				if err := fn(*cur); err != nil {
					return err
				}
			}
			if reason.Valid {
				r := passnum.HeldBackReason(reason.String)
				l.HeldBackReason = &r
			}
			l.Shares = []passnum.FunderAmount{}
			cur = &l
		}
		if funder.Valid {
			cur.Shares = append(cur.Shares, passnum.FunderAmount{OrganisationID: funder.String, ShareBps: bps.Int64, AmountCents: part.Int64})
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if cur != nil {
		return fn(*cur)
	}
	return nil
}

// SettledRedemption is one redemption a settlement's line pays, as a
// place's statement lists it. Code is masked but for its last group.
type SettledRedemption struct {
	RedemptionID string
	Code         string
	RedeemedAt   time.Time
	SiteID       string
	SiteName     string
	Service      string
	AmountCents  int64
	// Corrected is set when a correction later took it back (in a later
	// settlement): the statement may say so.
	Corrected bool
}

// SettlementRedemptions streams the redemptions a place's line of a
// settlement pays, oldest first.
func (tx *Tx) SettlementRedemptions(ctx context.Context, settlementID, placeID string, fn func(SettledRedemption) error) error {
	rows, err := tx.query(ctx, `SELECT r.id, ps.code, r.redeemed_at, COALESCE(r.site_id, ''), COALESCE(si.name, ''), r.service, r.amount_cents,
			EXISTS (SELECT 1 FROM corrections c WHERE c.redemption_id = r.id)
		FROM redemptions r JOIN passes ps ON ps.id = r.pass_id LEFT JOIN sites si ON si.id = r.site_id
		WHERE r.settlement_id = ? AND r.place_id = ?
		ORDER BY r.redeemed_at, r.id`, settlementID, placeID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r SettledRedemption
		var at int64
		if err := rows.Scan(&r.RedemptionID, &r.Code, &at, &r.SiteID, &r.SiteName, &r.Service, &r.AmountCents, &r.Corrected); err != nil {
			return err
		}
		r.Code = passnum.MaskPassCode(r.Code)
		r.RedeemedAt = fromMicros(at)
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

const correctionColumns = `c.id, c.redemption_id, c.programme_id, c.place_id, c.amount_cents, c.reason, c.created_at, COALESCE(c.settlement_id, ''),
	ps.code, r.redeemed_at, COALESCE(r.settlement_id, '')`

func scanCorrection(sc interface{ Scan(...any) error }) (passnum.Correction, error) {
	var c passnum.Correction
	var created, redeemed int64
	err := sc.Scan(&c.ID, &c.RedemptionID, &c.ProgrammeID, &c.PlaceID, &c.AmountCents, &c.Reason, &created, &c.SettlementID, &c.Code, &redeemed, &c.SettledIn)
	c.CreatedAt, c.RedeemedAt = fromMicros(created), fromMicros(redeemed)
	c.Code = passnum.MaskPassCode(c.Code)
	return c, err
}

// SettlementCorrections streams the corrections a settlement took, by
// place and date; placeID, when set, keeps that place's.
func (tx *Tx) SettlementCorrections(ctx context.Context, settlementID, placeID string, fn func(passnum.Correction) error) error {
	q := `SELECT ` + correctionColumns + ` FROM corrections c JOIN redemptions r ON r.id = c.redemption_id JOIN passes ps ON ps.id = r.pass_id
		WHERE c.settlement_id = ?`
	args := []any{settlementID}
	if placeID != "" {
		q += ` AND c.place_id = ?`
		args = append(args, placeID)
	}
	rows, err := tx.query(ctx, q+` ORDER BY c.place_id, c.created_at, c.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCorrection(rows)
		if err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	return rows.Err()
}

// AccountingEntry is one row of a settlement's accounting export: a
// settled redemption (positive) or a correction it took (negative).
type AccountingEntry struct {
	// Kind is "redemption" or "correction".
	Kind         string
	Reference    string
	Cutoff       passnum.Date
	PlaceID      string
	PlaceName    string
	PlaceSIRET   string
	RedemptionID string
	Code         string // masked
	// At is when it happened: the redemption, or the correction.
	At          time.Time
	Service     string
	AmountCents int64
	Reason      string // corrections only
}

// SettlementAccounting streams every settled redemption and every
// correction of a settlement, place by place (by place id), each place's
// redemptions by date (redemptions of the same instant, a training's
// passes, in the index's order) and then its corrections. The corrections, few, are
// read first; the redemptions stream by the settlement's index, unsorted
// in memory.
func (tx *Tx) SettlementAccounting(ctx context.Context, settlementID string, fn func(AccountingEntry) error) error {
	var ref string
	var day passnum.Date
	if err := tx.queryRow(ctx, `SELECT reference, cutoff FROM settlements WHERE id = ?`, settlementID).Scan(&ref, &day); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("remboursement")
		}
		return err
	}
	byPlace, order, err := tx.correctionsByPlace(ctx, settlementID, ref, day)
	if err != nil {
		return err
	}
	places, err := tx.paidPlaceNames(ctx, settlementID)
	if err != nil {
		return err
	}
	emitted := map[string]bool{}
	flush := func(place string) error {
		emitted[place] = true
		for _, e := range byPlace[place] {
			e.PlaceName, e.PlaceSIRET = places[place][0], places[place][1]
			if err := fn(e); err != nil {
				return err
			}
		}
		return nil
	}
	// The redemptions stream; each place's corrections follow its
	// redemptions; those of places with no redemption in the settlement
	// come last.
	// In the settlement index's order: no sort, however many rows.
	rows, err := tx.query(ctx, `SELECT r.place_id, r.id, ps.code, r.redeemed_at, r.service, r.amount_cents
		FROM redemptions r JOIN passes ps ON ps.id = r.pass_id WHERE r.settlement_id = ? ORDER BY r.settlement_id, r.place_id, r.redeemed_at`, settlementID)
	if err != nil {
		return err
	}
	defer rows.Close()
	last := ""
	for rows.Next() {
		e := AccountingEntry{Kind: "redemption", Reference: ref, Cutoff: day}
		var at int64
		if err := rows.Scan(&e.PlaceID, &e.RedemptionID, &e.Code, &at, &e.Service, &e.AmountCents); err != nil {
			return err
		}
		if e.PlaceID != last && last != "" {
			if err := flush(last); err != nil {
				return err
			}
		}
		last = e.PlaceID
		e.Code = passnum.MaskPassCode(e.Code)
		e.At = fromMicros(at)
		e.PlaceName, e.PlaceSIRET = places[e.PlaceID][0], places[e.PlaceID][1]
		if err := fn(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if last != "" {
		if err := flush(last); err != nil {
			return err
		}
	}
	for _, pl := range order {
		if !emitted[pl] {
			if err := flush(pl); err != nil {
				return err
			}
		}
	}
	return nil
}

// correctionsByPlace are the settlement's corrections as accounting
// entries, per place, and the places in the order their first correction
// came.
func (tx *Tx) correctionsByPlace(ctx context.Context, settlementID, ref string, day passnum.Date) (map[string][]AccountingEntry, []string, error) {
	byPlace := map[string][]AccountingEntry{}
	var order []string
	err := tx.SettlementCorrections(ctx, settlementID, "", func(c passnum.Correction) error {
		if _, ok := byPlace[c.PlaceID]; !ok {
			order = append(order, c.PlaceID)
		}
		byPlace[c.PlaceID] = append(byPlace[c.PlaceID], AccountingEntry{Kind: "correction", Reference: ref, Cutoff: day, PlaceID: c.PlaceID,
			RedemptionID: c.RedemptionID, Code: c.Code, At: c.CreatedAt, AmountCents: c.AmountCents, Reason: c.Reason})
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return byPlace, order, nil
}

// paidPlaceNames are the name and SIRET of each place the settlement pays.
func (tx *Tx) paidPlaceNames(ctx context.Context, settlementID string) (map[string][2]string, error) {
	places := map[string][2]string{}
	rows, err := tx.query(ctx, `SELECT l.place_id, o.name, COALESCE(o.siret, '') FROM settlement_lines l JOIN organisations o ON o.id = l.place_id
		WHERE l.settlement_id = ? AND NOT l.held_back`, settlementID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id, name, siret string
		if err := rows.Scan(&id, &name, &siret); err != nil {
			rows.Close()
			return nil, err
		}
		places[id] = [2]string{name, siret}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return places, nil
}

// PlaceNotice is a place to tell about a settlement that was sent or paid:
// its line and where to write.
type PlaceNotice struct {
	PlaceID     string
	PlaceName   string
	Email       string // the contact e-mail of its application; may be empty
	AmountCents int64
	Reference   string
	Status      passnum.SettlementStatus
	PaidOn      *passnum.Date
}

// SettlementNotices lists the places to tell that the settlement was sent
// to the bank, or paid: every place with a paid line (held-back lines pay
// nothing, and their places hear of it on their pages). A settlement still
// to send tells no one.
func (tx *Tx) SettlementNotices(ctx context.Context, settlementID string) ([]PlaceNotice, error) {
	s, err := scanSettlement(tx.queryRow(ctx, `SELECT `+settlementColumns+` FROM settlements s JOIN programmes p ON p.id = s.programme_id WHERE s.id = ?`, settlementID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("remboursement")
	}
	if err != nil {
		return nil, err
	}
	if s.Status == passnum.SettlementCreated {
		return []PlaceNotice{}, nil
	}
	rows, err := tx.query(ctx, `SELECT l.place_id, o.name, COALESCE(pp.contact_email, ''), l.amount_cents
		FROM settlement_lines l JOIN organisations o ON o.id = l.place_id LEFT JOIN place_profiles pp ON pp.organisation_id = l.place_id
		WHERE l.settlement_id = ? AND NOT l.held_back ORDER BY o.name, l.place_id`, settlementID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []PlaceNotice{}
	for rows.Next() {
		n := PlaceNotice{Reference: s.Reference, Status: s.Status, PaidOn: s.PaidOn}
		if err := rows.Scan(&n.PlaceID, &n.PlaceName, &n.Email, &n.AmountCents); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Correction returns one correction.
func (tx *Tx) Correction(ctx context.Context, id string) (passnum.Correction, error) {
	c, err := scanCorrection(tx.queryRow(ctx, `SELECT `+correctionColumns+` FROM corrections c JOIN redemptions r ON r.id = c.redemption_id
		JOIN passes ps ON ps.id = r.pass_id WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, notFound("correction")
	}
	return c, err
}

// PlaceBalance is what a place is owed by a programme on a day (its whole
// Paris day included), from its ledger entries alone: redemptions minus
// cancellations, corrections and payments. Empty programmeID sums every
// programme. The operator, the place and the funders read this one figure.
func (tx *Tx) PlaceBalance(ctx context.Context, placeID, programmeID string, on passnum.Date) (int64, error) {
	q := `SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM ledger_entries WHERE place_id = ? AND at < ?`
	args := []any{placeID, micros(on.EndInstant())}
	if programmeID != "" {
		q += ` AND programme_id = ?`
		args = append(args, programmeID)
	}
	var b int64
	err := tx.queryRow(ctx, q, args...).Scan(&b)
	return b, err
}
