package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"passnum"
)

// A settlement run pays the places of one programme for what they redeemed
// up to a cut-off day. Everything is set-based: a few aggregate reads, one
// conditional UPDATE per chunk of places that takes the redemptions, and
// multi-row INSERTs of the lines, so that a million redemptions settle in
// seconds, not a statement per redemption.
//
// The rules, written once here:
//   - what goes in: every active redemption of the programme not yet
//     settled, redeemed before the end of the cut-off's Paris day, at a
//     place that is labelled and has approved bank details; and every
//     correction of the place not yet taken, whatever its date (what a
//     place is known not to be owed is never paid);
//   - a place suspended, withdrawn or without approved bank details gets a
//     held-back line: its redemptions stay unsettled, its corrections
//     untaken, its carry unchanged, until the first run after the cause is
//     fixed;
//   - a line pays redemptions + adjustments + what the place carried in
//     from its previous line, never less than zero: what corrections take
//     beyond it is carried out to its next line (passnum.SettleLine);
//   - a settlement exists only when it pays (or takes a correction from)
//     at least one place. A run that finds nothing new answers with the
//     settlement already made for that cut-off (Created false), or
//     nothing_to_settle when there is none;
//   - a redemption belongs to one settlement: the UPDATE takes only rows
//     whose settlement_id is still NULL, and the sequence row taken first
//     makes concurrent runs wait for each other.

// settleChunk is how many lines one INSERT writes, or places one small
// statement names; takeChunk how many places the UPDATE that takes the
// redemptions names: all of them usually, so that the table is walked
// once; both well under the engines' limits on bound parameters (32766
// on SQLite, 65535 on PostgreSQL).
const (
	settleChunk = 200
	takeChunk   = 10000
)

// waiting is what a place has waiting: redemptions or corrections.
type waiting struct {
	count, cents int64
}

// placeStanding is what decides whether a place is paid now.
type placeStanding struct {
	name                       string
	status                     passnum.OrgStatus
	account, holder, iban, bic string
}

func (st placeStanding) heldBack() *passnum.HeldBackReason {
	var r passnum.HeldBackReason
	switch {
	case st.status == passnum.OrgSuspended:
		r = passnum.HeldSuspended
	case st.status != passnum.OrgLabelled:
		r = passnum.HeldWithdrawn
	case st.account == "":
		r = passnum.HeldNoBankAccount
	default:
		return nil
	}
	return &r
}

// Settle runs a settlement of the programme up to cutoff (a Paris day, the
// whole of it included, not after today), on the rules above. Created
// tells whether this run made a new settlement. Run it alone in its
// transaction (Store.WriteExclusive): it may write a million rows.
func (tx *Tx) Settle(ctx context.Context, actor passnum.Actor, programmeID string, cutoff passnum.Date) (passnum.Settlement, error) {
	if err := passnum.CheckCutoff(cutoff, tx.Today()); err != nil {
		return passnum.Settlement{}, err
	}
	restore, err := tx.s.dialect.narrowCache(ctx, tx)
	if err != nil {
		return passnum.Settlement{}, err
	}
	defer restore()
	if err := tx.holdSettlementSequence(ctx); err != nil {
		return passnum.Settlement{}, err
	}
	p, funders, err := tx.settledProgramme(ctx, programmeID)
	if err != nil {
		return passnum.Settlement{}, err
	}
	end := micros(cutoff.EndInstant())
	redemptions, corrections, places, err := tx.owedByPlace(ctx, programmeID, end)
	if err != nil {
		return passnum.Settlement{}, err
	}
	standing, err := tx.placeStandings(ctx, places)
	if err != nil {
		return passnum.Settlement{}, err
	}
	payable, held := splitPayable(places, standing)
	if len(payable) == 0 {
		return tx.nothingNew(ctx, &p, cutoff, len(held))
	}

	id := passnum.NewID(tx.now)
	taken, err := tx.takeRedemptions(ctx, id, programmeID, end, payable)
	if err != nil {
		return passnum.Settlement{}, err
	}
	hasCorrections := slices.ContainsFunc(payable, func(pl string) bool { return corrections[pl].count > 0 })
	if taken == 0 && !hasCorrections {
		// What was waiting was cancelled meanwhile (PostgreSQL).
		return tx.nothingNew(ctx, &p, cutoff, len(held))
	}

	number, reference, err := tx.insertSettlement(ctx, actor, id, programmeID, cutoff, p.FourEyes)
	if err != nil {
		return passnum.Settlement{}, err
	}
	if hasCorrections {
		if err := tx.takeCorrections(ctx, id, programmeID, payable); err != nil {
			return passnum.Settlement{}, err
		}
	}
	waited := redemptions
	// What the statements took, exactly: on PostgreSQL a redemption made
	// or cancelled since the first read may have come in or stayed out.
	if tx.s.dialect.concurrentWriters() {
		if redemptions, corrections, err = tx.takenByPlace(ctx, id); err != nil {
			return passnum.Settlement{}, err
		}
	}
	carried, err := tx.carries(ctx, programmeID)
	if err != nil {
		return passnum.Settlement{}, err
	}
	lines, total := settlementLines(payable, held, standing, redemptions, corrections, waited, carried, funders)
	if err := tx.insertLines(ctx, id, programmeID, number, lines); err != nil {
		return passnum.Settlement{}, err
	}
	if _, err := tx.exec(ctx, `UPDATE settlements SET total_cents = ? WHERE id = ?`, total, id); err != nil {
		return passnum.Settlement{}, err
	}
	if err := tx.audit(ctx, actor, "settlement.create", "settlement", id, "", map[string]any{"programme_id": programmeID, "cutoff": cutoff.String(),
		"reference": reference, "total_cents": total, "redemptions": taken, "lines": len(lines), "held_back": len(held)}); err != nil {
		return passnum.Settlement{}, err
	}
	s, err := tx.Settlement(ctx, id, "")
	s.Created = true
	return s, err
}

// settledProgramme reads the settings and the funders of the programme a
// run settles; an unknown programme is the request's field to fix.
func (tx *Tx) settledProgramme(ctx context.Context, programmeID string) (passnum.Programme, []passnum.FunderShare, error) {
	p, err := tx.programmeSettings(ctx, programmeID)
	if passnum.ErrorCode(err) == passnum.ENOTFOUND {
		err = passnum.Invalid(passnum.FieldError{Field: "programme_id", Detail: "programme inconnu : vérifiez l'identifiant"})
	}
	if err != nil {
		return p, nil, err
	}
	funders, err := tx.programmeFunders(ctx, programmeID)
	return p, funders, err
}

// holdSettlementSequence takes the settlements' sequence row first and
// holds it to the end: a concurrent run starts after this one commits, and
// sees what it settled. (The row is written back if it was lost, from the
// settlements themselves.)
func (tx *Tx) holdSettlementSequence(ctx context.Context) error {
	var lastNumber int64
	return tx.queryRow(ctx, `INSERT INTO settlement_sequence (id, last_number) VALUES (1, (SELECT COALESCE(MAX(number), 0) FROM settlements))
		ON CONFLICT (id) DO UPDATE SET last_number = settlement_sequence.last_number RETURNING last_number`).Scan(&lastNumber)
}

// owedByPlace sums, per place, the active redemptions of the programme
// not yet settled and made before end, and the corrections not yet
// settled; places are the places with either, sorted.
func (tx *Tx) owedByPlace(ctx context.Context, programmeID string, end int64) (redemptions, corrections map[string]waiting, places []string, err error) {
	redemptions, err = tx.sumByPlace(ctx, `SELECT place_id, COUNT(*), CAST(SUM(amount_cents) AS BIGINT) FROM redemptions
		WHERE programme_id = ? AND status = 'active' AND settlement_id IS NULL AND redeemed_at < ? GROUP BY place_id`, programmeID, end)
	if err != nil {
		return nil, nil, nil, err
	}
	corrections, err = tx.sumByPlace(ctx, `SELECT place_id, COUNT(*), CAST(SUM(amount_cents) AS BIGINT) FROM corrections
		WHERE programme_id = ? AND settlement_id IS NULL GROUP BY place_id`, programmeID)
	if err != nil {
		return nil, nil, nil, err
	}
	for id := range redemptions {
		places = append(places, id)
	}
	for id := range corrections {
		if _, ok := redemptions[id]; !ok {
			places = append(places, id)
		}
	}
	slices.Sort(places)
	return redemptions, corrections, places, nil
}

// splitPayable parts the places into those paid now and those held back
// (no approved bank details, suspended or withdrawn), in order.
func splitPayable(places []string, standing map[string]placeStanding) (payable, held []string) {
	for _, id := range places {
		if standing[id].heldBack() != nil {
			held = append(held, id)
		} else {
			payable = append(payable, id)
		}
	}
	return payable, held
}

// insertSettlement numbers the settlement (the sequence row is held since
// the start of Settle) and writes it, its total still 0.
func (tx *Tx) insertSettlement(ctx context.Context, actor passnum.Actor, id, programmeID string, cutoff passnum.Date, fourEyes bool) (int64, string, error) {
	var number int64
	if err := tx.queryRow(ctx, `UPDATE settlement_sequence SET last_number = last_number + 1 WHERE id = 1 RETURNING last_number`).Scan(&number); err != nil {
		return 0, "", err
	}
	reference := SettlementReference(cutoff, number)
	if _, err := tx.exec(ctx, `INSERT INTO settlements (id, programme_id, number, reference, cutoff, status, four_eyes, total_cents, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, 'created', ?, 0, ?, ?)`, id, programmeID, number, reference, cutoff.String(), fourEyes, micros(tx.now), bankActorRef(actor)); err != nil {
		return 0, "", err
	}
	return number, reference, nil
}

// takenByPlace sums, per place, what the settlement took: on PostgreSQL a
// redemption made or cancelled since the first read may have come in or
// stayed out.
func (tx *Tx) takenByPlace(ctx context.Context, settlementID string) (redemptions, corrections map[string]waiting, err error) {
	if redemptions, err = tx.sumByPlace(ctx, `SELECT place_id, COUNT(*), CAST(SUM(amount_cents) AS BIGINT) FROM redemptions WHERE settlement_id = ? GROUP BY place_id`, settlementID); err != nil {
		return nil, nil, err
	}
	corrections, err = tx.sumByPlace(ctx, `SELECT place_id, COUNT(*), CAST(SUM(amount_cents) AS BIGINT) FROM corrections WHERE settlement_id = ? GROUP BY place_id`, settlementID)
	return redemptions, corrections, err
}

// takeRedemptions gives the settlement the active redemptions of the
// payable places not yet settled, redeemed before end: one conditional
// UPDATE (in rounds on SQLite, see dialect.inTableOrder), whose condition
// settlement_id IS NULL is what keeps a redemption in one settlement.
func (tx *Tx) takeRedemptions(ctx context.Context, settlementID, programmeID string, end int64, payable []string) (int64, error) {
	var taken int64
	for chunk := range slices.Chunk(payable, takeChunk) {
		args := []any{settlementID, micros(tx.now), programmeID, end}
		for _, pl := range chunk {
			args = append(args, pl)
		}
		rows, round := tx.s.dialect.inTableOrder("redemptions",
			`programme_id = ? AND status = 'active' AND settlement_id IS NULL AND redeemed_at < ? AND place_id IN (`+placeholders(len(chunk))+`)`)
		for {
			res, err := tx.exec(ctx, tx.s.dialect.bulkUpdate(tx.alone)+`redemptions SET settlement_id = ?, settled_at = ? WHERE `+rows, args...)
			if err != nil {
				return taken, err
			}
			n, _ := res.RowsAffected()
			taken += n
			if round == 0 || n < round {
				break
			}
		}
	}
	return taken, nil
}

// takeCorrections gives the settlement the corrections of the payable
// places not yet taken.
func (tx *Tx) takeCorrections(ctx context.Context, settlementID, programmeID string, payable []string) error {
	for chunk := range slices.Chunk(payable, settleChunk) {
		args := []any{settlementID, programmeID}
		for _, pl := range chunk {
			args = append(args, pl)
		}
		if _, err := tx.exec(ctx, `UPDATE corrections SET settlement_id = ?
			WHERE programme_id = ? AND settlement_id IS NULL AND place_id IN (`+placeholders(len(chunk))+`)`, args...); err != nil {
			return err
		}
	}
	return nil
}

// settlementLines makes the lines: for each payable place with something
// taken, its redemptions, its corrections and its carry, paid to its bank
// account and shared between the funders; for each held-back place, what
// waits, and its carry passed on. It returns them with their total.
func settlementLines(payable, held []string, standing map[string]placeStanding, taken, corrections, waited map[string]waiting,
	carried map[string]int64, funders []passnum.FunderShare) ([]passnum.SettlementLine, int64) {
	bps := make([]int64, len(funders))
	for i, f := range funders {
		bps[i] = f.ShareBps
	}
	var lines []passnum.SettlementLine
	var total int64
	for _, pl := range payable {
		r, c := taken[pl], corrections[pl]
		if r.count == 0 && c.count == 0 {
			continue
		}
		st := standing[pl]
		l := passnum.SettlementLine{PlaceID: pl, Count: r.count, RedemptionsCents: r.cents, AdjustmentsCents: c.cents, CarriedInCents: carried[pl],
			BankAccountID: st.account, Holder: st.holder, IBAN: st.iban, BIC: st.bic}
		l.AmountCents, l.CarriedOutCents = passnum.SettleLine(l.RedemptionsCents, l.AdjustmentsCents, l.CarriedInCents)
		for i, part := range passnum.Apportion(l.AmountCents, bps) {
			l.Shares = append(l.Shares, passnum.FunderAmount{OrganisationID: funders[i].OrganisationID, ShareBps: funders[i].ShareBps, AmountCents: part})
		}
		total += l.AmountCents
		lines = append(lines, l)
	}
	for _, pl := range held {
		r := waited[pl]
		lines = append(lines, passnum.SettlementLine{PlaceID: pl, HeldBack: true, HeldBackReason: standing[pl].heldBack(), HeldCount: r.count, HeldCents: r.cents,
			CarriedInCents: carried[pl], CarriedOutCents: carried[pl]})
	}
	return lines, total
}

// SettlementReference is a settlement's reference: PN-<cut-off>-<number>,
// unique in the installation and short enough for a SEPA end-to-end
// identification (35 characters).
func SettlementReference(cutoff passnum.Date, number int64) string {
	return fmt.Sprintf("PN-%04d%02d%02d-%04d", cutoff.Year, cutoff.Month, cutoff.Day, number)
}

// nothingNew answers a run that found nothing to pay: the latest settlement
// of that cut-off, or why there is nothing to settle.
func (tx *Tx) nothingNew(ctx context.Context, p *passnum.Programme, cutoff passnum.Date, held int) (passnum.Settlement, error) {
	var id string
	err := tx.queryRow(ctx, `SELECT id FROM settlements WHERE programme_id = ? AND cutoff = ? ORDER BY number DESC LIMIT 1`, p.ID, cutoff.String()).Scan(&id)
	if err == nil {
		return tx.Settlement(ctx, id, "")
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return passnum.Settlement{}, err
	}
	msg := fmt.Sprintf("Rien à rembourser pour le programme « %s » jusqu'au %s inclus : aucun encaissement ni correction n'attend de remboursement.", p.Name, frDate(cutoff))
	if held > 0 {
		msg = fmt.Sprintf("Rien à rembourser pour le programme « %s » jusqu'au %s inclus : %d lieu(x) ont des encaissements en attente, mais leur paiement est retenu (coordonnées bancaires non approuvées, label suspendu ou retiré). Réglez la cause, puis relancez le remboursement.",
			p.Name, frDate(cutoff), held)
	}
	e := passnum.Errorf(passnum.ENOTHINGTOSETTLE, "%s", msg)
	e.Extra = map[string]any{"held_back_places": held}
	return passnum.Settlement{}, e
}

func (tx *Tx) sumByPlace(ctx context.Context, query string, args ...any) (map[string]waiting, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]waiting{}
	for rows.Next() {
		var id string
		var w waiting
		if err := rows.Scan(&id, &w.count, &w.cents); err != nil {
			return nil, err
		}
		out[id] = w
	}
	return out, rows.Err()
}

// placeStandings reads, for the places named, their status and approved
// bank details as they stand now.
func (tx *Tx) placeStandings(ctx context.Context, places []string) (map[string]placeStanding, error) {
	out := make(map[string]placeStanding, len(places))
	for chunk := range slices.Chunk(places, settleChunk) {
		args := make([]any, len(chunk))
		for i, pl := range chunk {
			args[i] = pl
		}
		rows, err := tx.query(ctx, `SELECT o.id, o.name, o.status, COALESCE(b.id, ''), COALESCE(b.holder, ''), COALESCE(b.iban, ''), COALESCE(b.bic, '')
			FROM organisations o LEFT JOIN bank_accounts b ON b.organisation_id = o.id AND b.status = 'approved'
			WHERE o.id IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			var st placeStanding
			if err := rows.Scan(&id, &st.name, &st.status, &st.account, &st.holder, &st.iban, &st.bic); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = st
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// carries reads what each place of the programme carries out of its last
// line (zero when it has none, or carried nothing).
func (tx *Tx) carries(ctx context.Context, programmeID string) (map[string]int64, error) {
	rows, err := tx.query(ctx, `SELECT l.place_id, l.carried_out_cents FROM settlement_lines l
		WHERE l.programme_id = ? AND l.carried_out_cents <> 0
		  AND l.number = (SELECT MAX(m.number) FROM settlement_lines m WHERE m.programme_id = l.programme_id AND m.place_id = l.place_id)`, programmeID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id string
		var c int64
		if err := rows.Scan(&id, &c); err != nil {
			return nil, err
		}
		out[id] = c
	}
	return out, rows.Err()
}

const lineColumns = `settlement_id, place_id, programme_id, number, count, redemptions_cents, adjustments_cents, carried_in_cents, amount_cents, carried_out_cents,
	held_back, held_back_reason, held_count, held_cents, bank_account_id, holder, iban, bic`

// insertLines writes the lines and their funders' shares, many rows a
// statement.
func (tx *Tx) insertLines(ctx context.Context, settlementID, programmeID string, number int64, lines []passnum.SettlementLine) error {
	for chunk := range slices.Chunk(lines, settleChunk) {
		var q strings.Builder
		q.WriteString(`INSERT INTO settlement_lines (` + lineColumns + `) VALUES `)
		args := make([]any, 0, len(chunk)*18)
		for i, l := range chunk {
			if i > 0 {
				q.WriteString(",")
			}
			q.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
			var reason any
			if l.HeldBackReason != nil {
				reason = string(*l.HeldBackReason)
			}
			args = append(args, settlementID, l.PlaceID, programmeID, number, l.Count, l.RedemptionsCents, l.AdjustmentsCents, l.CarriedInCents,
				l.AmountCents, l.CarriedOutCents, l.HeldBack, reason, l.HeldCount, l.HeldCents,
				nullString(l.BankAccountID), nullString(l.Holder), nullString(l.IBAN), nullString(l.BIC))
		}
		if _, err := tx.exec(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	type share struct {
		place string
		f     passnum.FunderAmount
	}
	var shares []share
	for _, l := range lines {
		for _, f := range l.Shares {
			shares = append(shares, share{l.PlaceID, f})
		}
	}
	for chunk := range slices.Chunk(shares, 4*settleChunk) {
		var q strings.Builder
		q.WriteString(`INSERT INTO settlement_line_shares (settlement_id, place_id, funder_id, share_bps, amount_cents) VALUES `)
		args := make([]any, 0, len(chunk)*5)
		for i, s := range chunk {
			if i > 0 {
				q.WriteString(",")
			}
			q.WriteString("(?,?,?,?,?)")
			args = append(args, settlementID, s.place, s.f.OrganisationID, s.f.ShareBps, s.f.AmountCents)
		}
		if _, err := tx.exec(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}
