package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"passnum"
)

const programmeColumns = `id, name, face_value_cents, booklet_size, valid_from, valid_until, grace_days, min_age, max_age,
	max_booklets_per_beneficiary, cancel_window_hours, issued_booklets, unallocated_booklets, created_at, territory, max_passes_per_training,
	budget_cents, four_eyes, COALESCE(handout_until, valid_until), payer_name, payer_iban, payer_bic, dormant_days,
	(SELECT expired_at FROM programme_expiries e WHERE e.programme_id = programmes.id)`

func scanProgramme(sc interface{ Scan(...any) error }) (passnum.Programme, error) {
	var p passnum.Programme
	var terr string
	var created int64
	var budget, expired sql.NullInt64
	st := &passnum.ProgrammeStock{}
	err := sc.Scan(&p.ID, &p.Name, &p.FaceValueCents, &p.BookletSize, &p.ValidFrom, &p.ValidUntil, &p.GraceDays, &p.MinAge, &p.MaxAge,
		&p.MaxBookletsPerBeneficiary, &p.CancelWindowHours, &st.IssuedBooklets, &st.UnallocatedBooklets, &created, &terr, &p.MaxPassesPerTraining,
		&budget, &p.FourEyes, &p.HandoutUntil, &p.Payer.Name, &p.Payer.IBAN, &p.Payer.BIC, &p.DormantDays, &expired)
	if err != nil {
		return p, err
	}
	if budget.Valid {
		p.BudgetCents = &budget.Int64
	}
	p.ExpiredAt = nullMicros(expired)
	p.CreatedAt = fromMicros(created)
	p.Territory = strings.Split(terr, ",")
	p.Stock = st
	return p, nil
}

// CreateProgramme sets up a programme with its funders' shares.
func (tx *Tx) CreateProgramme(ctx context.Context, actor passnum.Actor, p passnum.Programme) (passnum.Programme, error) {
	if err := p.Validate(); err != nil {
		return p, err
	}
	for _, f := range p.Funders {
		o, err := tx.Organisation(ctx, f.OrganisationID)
		if err != nil || o.Kind != passnum.RoleFunder {
			if err != nil && passnum.ErrorCode(err) != passnum.ENOTFOUND {
				return p, err
			}
			return p, passnum.Invalid(passnum.FieldError{Field: "funders", Detail: "financeur inconnu : " + f.OrganisationID + " n'est pas une organisation de type financeur"})
		}
	}
	p.ID = passnum.NewID(tx.now)
	p.CreatedAt = tx.now
	p.Stock = &passnum.ProgrammeStock{}
	_, err := tx.exec(ctx, `INSERT INTO programmes (id, name, face_value_cents, booklet_size, valid_from, valid_until, last_redeem_day, grace_days,
		min_age, max_age, max_booklets_per_beneficiary, cancel_window_hours, created_at, territory, max_passes_per_training,
		handout_until, budget_cents, four_eyes, payer_name, payer_iban, payer_bic, dormant_days) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.Name, p.FaceValueCents, p.BookletSize, p.ValidFrom.String(), p.ValidUntil.String(), p.LastRedeemDay().String(), p.GraceDays,
		p.MinAge, p.MaxAge, p.MaxBookletsPerBeneficiary, p.CancelWindowHours, micros(tx.now), strings.Join(p.Territory, ","), p.MaxPassesPerTraining,
		p.LastHandOutDay().String(), nullInt64(p.BudgetCents), p.FourEyes, p.Payer.Name, p.Payer.IBAN, p.Payer.BIC, p.DormantDays)
	if err != nil {
		return p, err
	}
	for _, f := range p.Funders {
		if _, err := tx.exec(ctx, `INSERT INTO programme_funders (programme_id, organisation_id, share_bps) VALUES (?, ?, ?)`, p.ID, f.OrganisationID, f.ShareBps); err != nil {
			return p, err
		}
	}
	var details map[string]any
	if p.BudgetCents != nil {
		details = map[string]any{"budget_cents": *p.BudgetCents}
	}
	return p, tx.audit(ctx, actor, "programme.create", "programme", p.ID, "", details)
}

// Programme returns a programme with its funders and stock counters.
func (tx *Tx) Programme(ctx context.Context, id string) (passnum.Programme, error) {
	p, err := tx.programmeSettings(ctx, id)
	if err != nil {
		return p, err
	}
	if p.Funders, err = tx.programmeFunders(ctx, id); err != nil {
		return p, err
	}
	return p, tx.countUse(ctx, &p)
}

// programmeSettings reads a programme's settings without counting its use:
// what writes need, cheaply, however many passes the programme has.
func (tx *Tx) programmeSettings(ctx context.Context, id string) (passnum.Programme, error) {
	p, err := scanProgramme(tx.queryRow(ctx, `SELECT `+programmeColumns+` FROM programmes WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, notFound("programme")
	}
	return p, err
}

// countUse fills the handed-out and redeemed figures. They are counted
// rather than kept on the programme row, which every hand-out and
// redemption would otherwise lock.
func (tx *Tx) countUse(ctx context.Context, p *passnum.Programme) error {
	if err := tx.queryRow(ctx, `SELECT COALESCE(SUM(allocated_booklets - available_booklets), 0) FROM distributor_stock WHERE programme_id = ?`, p.ID).
		Scan(&p.Stock.HandedOutBooklets); err != nil {
		return err
	}
	// The statistics' counters hold the active redemptions by month: a
	// few rows instead of every redemption counted on each read.
	if err := tx.queryRow(ctx, `SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM `+statRows+` WHERE programme_id = ? AND dim = 'all' AND dim_value = '' AND metric = 'used'`, p.ID).Scan(&p.Stock.RedeemedPasses); err != nil {
		return err
	}
	return tx.countMoney(ctx, p)
}

// countMoney fills the programme's money figures. What was used is counted
// as redemptions × face value, which never changes once the programme
// exists (FrozenProgrammeFields): every redemption's amount is the face
// value, and the count reads the index alone.
func (tx *Tx) countMoney(ctx context.Context, p *passnum.Programme) error {
	m := &passnum.ProgrammeMoney{BudgetCents: p.BudgetCents}
	m.IssuedCents = p.FaceValueOfBooklets(p.Stock.IssuedBooklets)
	m.HandedOutCents = p.FaceValueOfBooklets(p.Stock.HandedOutBooklets)
	m.UsedCents = p.Stock.RedeemedPasses * p.FaceValueCents
	if err := tx.queryRow(ctx, `SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM corrections WHERE programme_id = ?`, p.ID).Scan(&m.CorrectedCents); err != nil {
		return err
	}
	if err := tx.queryRow(ctx, `SELECT CAST(COALESCE(SUM(total_cents), 0) AS BIGINT), CAST(COALESCE(SUM(CASE WHEN status = 'paid' THEN total_cents ELSE 0 END), 0) AS BIGINT)
		FROM settlements WHERE programme_id = ?`, p.ID).Scan(&m.SettledCents, &m.PaidCents); err != nil {
		return err
	}
	m.OwedCents = m.UsedCents + m.CorrectedCents - m.PaidCents
	if p.BudgetCents != nil {
		left := *p.BudgetCents - m.IssuedCents
		passes := p.PassesWithinBudget(p.Stock.IssuedBooklets)
		m.RemainingCents, m.RemainingPasses = &left, &passes
	}
	p.Money = m
	return nil
}

func (tx *Tx) programmeFunders(ctx context.Context, id string) ([]passnum.FunderShare, error) {
	rows, err := tx.query(ctx, `SELECT organisation_id, share_bps FROM programme_funders WHERE programme_id = ? ORDER BY organisation_id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []passnum.FunderShare
	for rows.Next() {
		var f passnum.FunderShare
		if err := rows.Scan(&f.OrganisationID, &f.ShareBps); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// ListProgrammes lists programmes, newest first; funderID restricts to the
// programmes a funder pays for.
func (tx *Tx) ListProgrammes(ctx context.Context, funderID string, p Page) ([]passnum.Programme, string, error) {
	q := `SELECT ` + programmeColumns + ` FROM programmes WHERE 1=1`
	var args []any
	if funderID != "" {
		q += ` AND id IN (SELECT programme_id FROM programme_funders WHERE organisation_id = ?)`
		args = append(args, funderID)
	}
	q, args = p.apply(q, args, "created_at", "id")
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	var out []passnum.Programme
	for rows.Next() {
		pr, err := scanProgramme(rows)
		if err != nil {
			rows.Close()
			return nil, "", err
		}
		out = append(out, pr)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := trimPage(out, p, func(i int) (int64, string) { return micros(out[i].CreatedAt), out[i].ID })
	for i := range out {
		if out[i].Funders, err = tx.programmeFunders(ctx, out[i].ID); err != nil {
			return nil, "", err
		}
		if err := tx.countUse(ctx, &out[i]); err != nil {
			return nil, "", err
		}
	}
	return out, next, nil
}

// IsProgrammeFunder reports whether org funds the programme.
func (tx *Tx) IsProgrammeFunder(ctx context.Context, programmeID, orgID string) (bool, error) {
	var one int
	err := tx.queryRow(ctx, `SELECT 1 FROM programme_funders WHERE programme_id = ? AND organisation_id = ?`, programmeID, orgID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// issueChunk is how many booklets go into one multi-row INSERT: large
// enough to make issuing a million passes quick, small enough for both
// engines' limits on bound parameters.
const issueChunk = 200

// Issue creates booklets and their passes in the programme's central stock.
func (tx *Tx) Issue(ctx context.Context, actor passnum.Actor, programmeID string, booklets int64) (passnum.Issuance, error) {
	if err := passnum.CheckBookletCount(booklets); err != nil {
		return passnum.Issuance{}, err
	}
	p, err := tx.programmeSettings(ctx, programmeID)
	if err != nil {
		return passnum.Issuance{}, err
	}
	if p.ExpiredAt != nil {
		return passnum.Issuance{}, programmeExpired(&p)
	}
	if p.BudgetCents != nil && p.FaceValueOfBooklets(p.Stock.IssuedBooklets+booklets) > *p.BudgetCents {
		return passnum.Issuance{}, p.BudgetExceeded(p.Stock.IssuedBooklets, booklets)
	}
	size := p.BookletSize
	var bq, pq strings.Builder
	bargs := make([]any, 0, issueChunk*3)
	pargs := make([]any, 0, issueChunk*size*4)
	for done := int64(0); done < booklets; {
		n := min(int64(issueChunk), booklets-done)
		bq.Reset()
		pq.Reset()
		bargs, pargs = bargs[:0], pargs[:0]
		bq.WriteString(tx.s.dialect.bulkInsert(tx.alone) + `booklets (id, programme_id, status) VALUES `)
		pq.WriteString(tx.s.dialect.bulkInsert(tx.alone) + `passes (id, code, programme_id, booklet_id, status) VALUES `)
		for i := int64(0); i < n; i++ {
			bid := passnum.NewID(tx.now)
			if i > 0 {
				bq.WriteString(",")
			}
			bq.WriteString("(?,?,'stock')")
			bargs = append(bargs, bid, programmeID)
			for j := 0; j < size; j++ {
				if i > 0 || j > 0 {
					pq.WriteString(",")
				}
				pq.WriteString("(?,?,?,?,'unassigned')")
				pargs = append(pargs, passnum.NewID(tx.now), passnum.NewPassCode(), programmeID, bid)
			}
		}
		if _, err := tx.exec(ctx, bq.String(), bargs...); err != nil {
			return passnum.Issuance{}, err
		}
		if _, err := tx.exec(ctx, pq.String(), pargs...); err != nil {
			// 75 random bits make a collision practically impossible; if
			// one ever happens the whole issuance rolls back and can be rerun.
			return passnum.Issuance{}, err
		}
		done += n
	}
	// The budget decides again in the statement that counts the booklets:
	// two issuances at once cannot both squeeze under it.
	res, err := tx.exec(ctx, `UPDATE programmes SET issued_booklets = issued_booklets + ?, unallocated_booklets = unallocated_booklets + ?
		WHERE id = ? AND (budget_cents IS NULL OR (issued_booklets + ?) * booklet_size * face_value_cents <= budget_cents)`,
		booklets, booklets, programmeID, booklets)
	if err != nil {
		return passnum.Issuance{}, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		now, err := tx.programmeSettings(ctx, programmeID)
		if err != nil {
			return passnum.Issuance{}, err
		}
		return passnum.Issuance{}, now.BudgetExceeded(now.Stock.IssuedBooklets, booklets)
	}
	out := passnum.Issuance{Booklets: booklets, Passes: booklets * int64(size)}
	return out, tx.audit(ctx, actor, "programme.issue", "programme", programmeID, "", map[string]any{"booklets": booklets, "passes": out.Passes})
}

// Allocate moves booklets from the programme's central stock to a
// distributor. The guarded counter makes the check and the decrement one
// statement, so two concurrent allocations can never overdraw the stock.
func (tx *Tx) Allocate(ctx context.Context, actor passnum.Actor, programmeID, distributorID string, booklets int64) (passnum.Allocation, error) {
	a := passnum.Allocation{ProgrammeID: programmeID, DistributorID: distributorID, Booklets: booklets}
	if err := passnum.CheckBookletCount(booklets); err != nil {
		return a, err
	}
	if err := tx.checkAllocation(ctx, programmeID, []string{distributorID}); err != nil {
		return a, err
	}
	res, err := tx.exec(ctx, `UPDATE programmes SET unallocated_booklets = unallocated_booklets - ? WHERE id = ? AND unallocated_booklets >= ?`,
		booklets, programmeID, booklets)
	if err != nil {
		return a, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		var left int64
		_ = tx.queryRow(ctx, `SELECT unallocated_booklets FROM programmes WHERE id = ?`, programmeID).Scan(&left)
		e := passnum.Errorf(passnum.EINSUFFICIENTSTOCK, "Stock insuffisant : %s pour %s. Émettez d'abord de nouveaux carnets.",
			passnum.CountOf(left, "carnet non attribué", "carnets non attribués"), passnum.CountOf(booklets, "demandé", "demandés"))
		e.Extra = map[string]any{"available_booklets": left}
		return a, e
	}
	// Pick the booklets themselves; SKIP LOCKED keeps concurrent PostgreSQL
	// allocations off each other's rows.
	res, err = tx.exec(ctx, `UPDATE booklets SET status = 'allocated', distributor_id = ?, allocated_at = ?
		WHERE id IN (SELECT id FROM booklets WHERE programme_id = ? AND status = 'stock' AND distributor_id IS NULL ORDER BY id LIMIT ?`+tx.s.dialect.skipLocked()+`)`,
		distributorID, micros(tx.now), programmeID, booklets)
	if err != nil {
		return a, err
	}
	if n, _ := res.RowsAffected(); n != booklets {
		return a, passnum.Errorf(passnum.EINSUFFICIENTSTOCK, "Stock insuffisant : des carnets sont en cours d'attribution, réessayez.")
	}
	if err := tx.addDistributorStock(ctx, programmeID, distributorID, booklets); err != nil {
		return a, err
	}
	a.ID = passnum.NewID(tx.now)
	a.CreatedAt = tx.now
	if _, err := tx.exec(ctx, `INSERT INTO allocations (id, programme_id, distributor_id, booklets, created_at) VALUES (?, ?, ?, ?, ?)`,
		a.ID, programmeID, distributorID, booklets, micros(tx.now)); err != nil {
		return a, err
	}
	return a, tx.audit(ctx, actor, "programme.allocate", "programme", programmeID, "", map[string]any{"distributor_id": distributorID, "booklets": booklets, "allocation_id": a.ID})
}

// ListAllocations lists a programme's allocations; distributorID restricts
// them to one distributor.
func (tx *Tx) ListAllocations(ctx context.Context, programmeID, distributorID string, p Page) ([]passnum.Allocation, string, error) {
	q := `SELECT id, programme_id, distributor_id, booklets, created_at FROM allocations WHERE programme_id = ?`
	args := []any{programmeID}
	if distributorID != "" {
		q += ` AND distributor_id = ?`
		args = append(args, distributorID)
	}
	q, args = p.apply(q, args, "created_at", "id")
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []passnum.Allocation
	for rows.Next() {
		var a passnum.Allocation
		var created int64
		if err := rows.Scan(&a.ID, &a.ProgrammeID, &a.DistributorID, &a.Booklets, &created); err != nil {
			return nil, "", err
		}
		a.CreatedAt = fromMicros(created)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := trimPage(out, p, func(i int) (int64, string) { return micros(out[i].CreatedAt), out[i].ID })
	return out, next, nil
}

// DistributorStock is a distributor's stock of one programme.
type DistributorStock struct {
	ProgrammeID       string
	DistributorID     string
	AllocatedBooklets int64
	AvailableBooklets int64
}

// Stock returns a distributor's stock of a programme (zero when none).
func (tx *Tx) Stock(ctx context.Context, programmeID, distributorID string) (DistributorStock, error) {
	st := DistributorStock{ProgrammeID: programmeID, DistributorID: distributorID}
	err := tx.queryRow(ctx, `SELECT allocated_booklets, available_booklets FROM distributor_stock WHERE programme_id = ? AND distributor_id = ?`,
		programmeID, distributorID).Scan(&st.AllocatedBooklets, &st.AvailableBooklets)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return st, err
}

// programmeExpired refuses what no longer makes sense once the programme's
// unused passes were expired.
func programmeExpired(p *passnum.Programme) error {
	return passnum.Errorf(passnum.EPROGRAMMECLOSED, "Le programme « %s » a expiré le %s : ses carnets ne s'émettent, ne s'attribuent et ne se déplacent plus.",
		p.Name, frDate(passnum.ParisDate(*p.ExpiredAt)))
}

// addDistributorStock adds booklets to a distributor's stock of a
// programme, allocated and available, creating its row at the first.
func (tx *Tx) addDistributorStock(ctx context.Context, programmeID, distributorID string, booklets int64) error {
	_, err := tx.exec(ctx, `INSERT INTO distributor_stock (programme_id, distributor_id, allocated_booklets, available_booklets) VALUES (?, ?, ?, ?)
		ON CONFLICT (programme_id, distributor_id) DO UPDATE SET allocated_booklets = distributor_stock.allocated_booklets + excluded.allocated_booklets,
		available_booklets = distributor_stock.available_booklets + excluded.available_booklets`, programmeID, distributorID, booklets, booklets)
	return err
}

// checkAllocation refuses an allocation of programmeID's booklets once the
// programme has expired, or to anything but a distributor.
func (tx *Tx) checkAllocation(ctx context.Context, programmeID string, distributorIDs []string) error {
	p, err := tx.programmeSettings(ctx, programmeID)
	if err != nil {
		return err
	}
	if p.ExpiredAt != nil {
		return programmeExpired(&p)
	}
	for _, id := range distributorIDs {
		d, err := tx.Organisation(ctx, id)
		if err != nil && passnum.ErrorCode(err) != passnum.ENOTFOUND {
			return err
		}
		if err != nil || d.Kind != passnum.RoleDistributor {
			return passnum.Invalid(passnum.FieldError{Field: "distributor_id", Detail: "distributeur inconnu : créez d'abord l'organisation de type distributeur"})
		}
	}
	return nil
}
