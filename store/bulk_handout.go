package store

import (
	"context"
	"strings"

	"passnum"
)

// pickBulkBooklets gives each row a booklet of its distributor: the
// distributor's allocated booklets in id order, the rows in their order,
// as successive HandOut calls would pick them. One query per distributor
// of the batch, on the index HandOut uses.
func (tx *Tx) pickBulkBooklets(ctx context.Context, programmeID string, rows []BulkHandOutRow, out []BulkHandedOut) error {
	byDist := map[string][]int{}
	var order []string
	for i, r := range rows {
		d := r.Distributor.OrganisationID
		if _, ok := byDist[d]; !ok {
			order = append(order, d)
		}
		byDist[d] = append(byDist[d], i)
	}
	for _, d := range order {
		want := byDist[d]
		ids, err := tx.stringColumn(ctx, `SELECT id FROM booklets WHERE programme_id = ? AND status = 'allocated' AND distributor_id = ? ORDER BY id LIMIT ?`,
			programmeID, d, len(want))
		if err != nil {
			return err
		}
		if len(ids) < len(want) {
			return passnum.Errorf(passnum.EINSUFFICIENTSTOCK, "Une structure n'a plus assez de carnets de ce programme en stock (%d demandés, %d disponibles).", len(want), len(ids))
		}
		for k, i := range want {
			out[i].BookletID = ids[k]
		}
	}
	return nil
}

// stringColumn reads a one-column result.
func (tx *Tx) stringColumn(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// insertBulkBeneficiaries writes the young people, the lock rows HandOut
// takes per person and programme, and their count of booklets held.
func (tx *Tx) insertBulkBeneficiaries(ctx context.Context, programmeID string, rows []BulkHandOutRow) error {
	bens := make([][]any, len(rows))
	locks := make([][]any, len(rows))
	held := make([][]any, len(rows))
	for i, r := range rows {
		b := r.Beneficiary
		var consentAt any
		if b.ContactConsentAt != nil {
			consentAt = micros(*b.ContactConsentAt)
		}
		key := identityKey(b.FirstName, b.LastName, b.BirthDate)
		bens[i] = []any{b.ID, b.DistributorID, b.FirstName, b.LastName, b.BirthDate.String(), b.CommuneINSEE, b.JobSeeker, b.InStudies, micros(r.At),
			b.Email, b.Phone, consentAt, b.GuardianConsent, b.GuardianName, nil, key}
		locks[i] = []any{key, programmeID}
		held[i] = []any{b.ID, programmeID}
	}
	if err := tx.execRows(ctx, `beneficiaries (`+beneficiaryColumns+`, identity_key) VALUES `, `(`+placeholders(16)+`)`, "", bens); err != nil {
		return err
	}
	if err := tx.execRows(ctx, `person_programme_locks (identity_key, programme_id) VALUES `, `(?, ?)`, "", locks); err != nil {
		return err
	}
	return tx.execRows(ctx, `beneficiary_booklets (beneficiary_id, programme_id, booklets) VALUES `, `(?, ?, 1)`, "", held)
}

// takeBulkStock takes the booklets handed out from each distributor's
// stock, refusing (the CHECK on available_booklets) to overdraw it.
func (tx *Tx) takeBulkStock(ctx context.Context, programmeID string, rows []BulkHandOutRow) error {
	n := map[string]int64{}
	var order []string
	for _, r := range rows {
		d := r.Distributor.OrganisationID
		if n[d] == 0 {
			order = append(order, d)
		}
		n[d]++
	}
	for lo := 0; lo < len(order); lo += bulkRows {
		part := order[lo:min(lo+bulkRows, len(order))]
		var cases strings.Builder
		var args []any
		for _, d := range part {
			cases.WriteString(" WHEN ? THEN CAST(? AS BIGINT)")
			args = append(args, d, n[d])
		}
		args = append(append(args, programmeID), anys(part)...)
		res, err := tx.q.ExecContext(ctx, tx.s.dialect.rebind(tx.s.dialect.bulkUpdate(tx.alone)+`distributor_stock SET available_booklets = available_booklets - CASE distributor_id`+cases.String()+` END
			WHERE programme_id = ? AND distributor_id IN (`+placeholders(len(part))+`)`), args...)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k != int64(len(part)) {
			return passnum.Errorf(passnum.EINSUFFICIENTSTOCK, "Une structure n'a pas de stock de ce programme : demandez une dotation à l'opérateur.")
		}
	}
	return nil
}

// handBulkBooklets marks the booklets handed out, with who they went to as
// the statistics count them (statHandOut's columns), assigns their passes
// and writes the audit entries CreateBeneficiary and HandOut write, in
// their order.
func (tx *Tx) handBulkBooklets(ctx context.Context, programmeID string, rows []BulkHandOutRow, out []BulkHandedOut) error {
	vals := make([][]any, len(rows))
	ids := make([]string, len(rows))
	var entries []bulkAudit
	for i, r := range rows {
		b := r.Beneficiary
		dims := bookletStatDims(b.BirthDate, b.CommuneINSEE, &b, passnum.ParisDate(r.At), passnum.ParisMonth(r.At))
		vals[i] = []any{out[i].BookletID, b.ID, micros(r.At), dims.departement, dims.commune, dims.ageBand, dims.target, dims.month, r.Distributor.OrganisationID}
		ids[i] = out[i].BookletID
		entries = append(entries,
			bulkAudit{r.At, r.Distributor, "beneficiary.create", "beneficiary", b.ID, consentDetails(b)},
			bulkAudit{r.At, r.Distributor, "booklet.hand_out", "booklet", out[i].BookletID, map[string]any{"beneficiary_id": b.ID, "programme_id": programmeID}})
	}
	for lo := 0; lo < len(vals); lo += bulkRows {
		part := vals[lo:min(lo+bulkRows, len(vals))]
		row := `(?, ?, CAST(? AS BIGINT), ?, ?, ?, CAST(? AS INTEGER), ?, ?)`
		var q strings.Builder
		var args []any
		for i, v := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(row)
			args = append(args, v...)
		}
		res, err := tx.q.ExecContext(ctx, tx.s.dialect.rebind(tx.s.dialect.bulkUpdate(tx.alone)+`booklets SET status = 'handed_out', beneficiary_id = v.column2, handed_out_at = v.column3,
			stat_departement = v.column4, stat_commune = v.column5, stat_age_band = v.column6, stat_target = v.column7, stat_month = v.column8, stat_replacement = 0
			FROM (VALUES `+q.String()+`) AS v
			WHERE booklets.id = v.column1 AND booklets.status = 'allocated' AND booklets.distributor_id = v.column9`), args...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != int64(len(part)) {
			return passnum.Errorf(passnum.ECONFLICT, "Des carnets ont changé d'état pendant la remise : rien n'a été remis, recommencez.")
		}
		idPart := ids[lo:min(lo+bulkRows, len(ids))]
		if _, err := tx.q.ExecContext(ctx, tx.s.dialect.rebind(tx.s.dialect.bulkUpdate(tx.alone)+`passes SET status = 'assigned' WHERE booklet_id IN (`+placeholders(len(idPart))+`) AND status = 'unassigned'`),
			anys(idPart)...); err != nil {
			return err
		}
	}
	return tx.insertAudit(ctx, entries)
}

// readBulkCodes reads the codes of the booklets handed out, in pass order.
func (tx *Tx) readBulkCodes(ctx context.Context, out []BulkHandedOut) error {
	at := make(map[string]int, len(out))
	for i, o := range out {
		at[o.BookletID] = i
	}
	for lo := 0; lo < len(out); lo += bulkRows {
		part := make([]any, 0, bulkRows)
		for _, o := range out[lo:min(lo+bulkRows, len(out))] {
			part = append(part, o.BookletID)
		}
		rows, err := tx.q.QueryContext(ctx, tx.s.dialect.rebind(`SELECT booklet_id, code FROM passes WHERE booklet_id IN (`+placeholders(len(part))+`) ORDER BY booklet_id, id`), part...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var b, c string
			if err := rows.Scan(&b, &c); err != nil {
				rows.Close()
				return err
			}
			out[at[b]].Codes = append(out[at[b]].Codes, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}
