package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"passnum"
)

// Pass returns a pass as a labelled place or the operator sees it: status
// on the Paris day, value, validity, the holder's first name and birth year
// to check identity, and when and where it was redeemed.
func (tx *Tx) Pass(ctx context.Context, code string) (passnum.Pass, error) {
	var ps passnum.Pass
	var last, birth passnum.Date
	var first sql.NullString
	err := tx.queryRow(ctx, `SELECT ps.id, ps.code, ps.programme_id, ps.booklet_id, ps.status, p.face_value_cents, p.valid_until, p.last_redeem_day,
			b.first_name, b.birth_date
		FROM passes ps JOIN programmes p ON p.id = ps.programme_id JOIN booklets bk ON bk.id = ps.booklet_id
		LEFT JOIN beneficiaries b ON b.id = bk.beneficiary_id
		WHERE ps.code = ?`, code).Scan(&ps.ID, &ps.Code, &ps.ProgrammeID, &ps.BookletID, &ps.Status, &ps.FaceValueCents, &ps.ValidUntil, &last, &first, &birth)
	if errors.Is(err, sql.ErrNoRows) {
		return ps, passnum.Errorf(passnum.ENOTFOUND, "Aucun pass ne porte ce code : vérifiez-le avec le bénéficiaire.")
	}
	if err != nil {
		return ps, err
	}
	ps.Status = passnum.DisplayStatus(ps.Status, last, tx.Today())
	if first.Valid {
		ps.Beneficiary = &passnum.PassHolder{FirstName: first.String, BirthYear: birth.Year}
	}
	if ps.Status == passnum.PassRedeemed {
		sum, err := tx.activeRedemption(ctx, ps.ID)
		if err != nil {
			return ps, err
		}
		ps.LastRedemption = sum
	}
	return ps, nil
}

func (tx *Tx) activeRedemption(ctx context.Context, passID string) (*passnum.RedemptionSummary, error) {
	var s passnum.RedemptionSummary
	var at int64
	err := tx.queryRow(ctx, `SELECT r.id, r.place_id, o.name, r.redeemed_at FROM redemptions r JOIN organisations o ON o.id = r.place_id
		WHERE r.pass_id = ? AND r.status = 'active'`, passID).Scan(&s.RedemptionID, &s.PlaceID, &s.PlaceName, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	s.RedeemedAt = fromMicros(at)
	return &s, err
}

// PlaceLabelled refuses a place that is not labelled at this moment.
func (tx *Tx) PlaceLabelled(ctx context.Context, placeID string) error {
	var status passnum.OrgStatus
	err := tx.queryRow(ctx, `SELECT status FROM organisations WHERE id = ? AND kind = 'place'`, placeID).Scan(&status)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if status != passnum.OrgLabelled {
		return passnum.RedeemPlaceNotLabelled()
	}
	return nil
}

// RedeemRequest is what a place submits when it encashes a pass. Service
// may be left out with a session: it is then the training's.
type RedeemRequest struct {
	Code      string
	Service   string
	SiteID    string
	SessionID string
}

// Redeemed is the outcome of one redemption gesture: one redemption per
// pass, the scanned pass's first.
type Redeemed struct {
	Redemptions []passnum.Redemption
	SiteID      string
	SessionID   string
	// GroupID links the redemptions of a training that costs several
	// passes; empty for a single pass.
	GroupID string
}

// Redeem encashes a pass and returns the scanned pass's redemption; see
// RedeemTraining for a training that costs several passes.
func (tx *Tx) Redeem(ctx context.Context, actor passnum.Actor, r RedeemRequest) (passnum.Redemption, error) {
	out, err := tx.RedeemTraining(ctx, actor, r)
	if err != nil {
		return passnum.Redemption{}, err
	}
	return out.Redemptions[0], nil
}

// RedeemTraining encashes the scanned pass and, for a session of a
// training that costs N passes, N−1 other passes of the same beneficiary
// in the same programme (same booklet first, then the oldest booklets): all
// in this transaction or none. Each pass changes state in one conditional
// statement, so that of any number of concurrent attempts exactly one wins;
// each redemption gets its ledger entry and its audit entry.
func (tx *Tx) RedeemTraining(ctx context.Context, actor passnum.Actor, r RedeemRequest) (Redeemed, error) {
	var out Redeemed
	if r.Service != "" && !passnum.ValidService(r.Service) {
		return out, passnum.Invalid(passnum.FieldError{Field: "service", Detail: "service inconnu : choisissez un service du référentiel national (par exemple « Maîtrise des outils numériques du quotidien »)"})
	}
	if r.Service == "" && r.SessionID == "" {
		return out, passnum.Invalid(passnum.FieldError{Field: "service", Detail: "champ obligatoire sans session : le service délivré, libellé exact du référentiel national"})
	}
	service, cost, siteID, err := tx.redeemSetting(ctx, actor, r)
	if err != nil {
		return out, err
	}
	out.SiteID, out.SessionID = siteID, r.SessionID
	today := tx.Today().String()
	var passID, programmeID, bookletID, terr, placeCommune, onlySite string
	var amount int64
	// One statement decides (see redeem_decide.go) and brings back what
	// the checks in Go need.
	err = tx.queryRow(ctx, redeemOneUpdate, r.Code, today, today, actor.OrganisationID, actor.OrganisationID, actor.OrganisationID).
		Scan(&passID, &programmeID, &bookletID, &amount, &terr, &placeCommune, &onlySite)
	if errors.Is(err, sql.ErrNoRows) {
		return out, tx.whyNotRedeemable(ctx, actor.OrganisationID, r.Code)
	}
	if err != nil {
		return out, err
	}
	if err := passnum.RedeemOutsideTerritory(terr, placeCommune); err != nil {
		return out, err
	}
	if out.SiteID == "" {
		out.SiteID = onlySite
	}
	passIDs, codes := []string{passID}, []string{r.Code}
	if cost > 1 {
		out.GroupID = passnum.NewID(tx.now)
		if passIDs, codes, err = tx.takeMorePasses(ctx, programmeID, bookletID, cost, passIDs, codes); err != nil {
			return out, err
		}
	}
	for i, pid := range passIDs {
		red := passnum.Redemption{ID: passnum.NewID(tx.now), Code: codes[i], ProgrammeID: programmeID, PlaceID: actor.OrganisationID,
			Service: service, RedeemedAt: tx.now, AmountCents: amount, Status: passnum.RedemptionActive, SiteID: out.SiteID, SessionID: out.SessionID}
		if _, err := tx.exec(ctx, `INSERT INTO redemptions (id, pass_id, programme_id, place_id, site_id, session_id, service, amount_cents, redeemed_at, status, actor_kind, actor_id, group_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)`,
			red.ID, pid, programmeID, red.PlaceID, nullString(out.SiteID), nullString(out.SessionID), service, amount, micros(tx.now), actor.Kind, actor.ID, nullString(out.GroupID)); err != nil {
			return out, err
		}
		if _, err := tx.exec(ctx, `INSERT INTO ledger_entries (id, redemption_id, programme_id, place_id, kind, amount_cents, at) VALUES (?, ?, ?, ?, 'redemption', ?, ?)`,
			passnum.NewID(tx.now), red.ID, programmeID, red.PlaceID, amount, micros(tx.now)); err != nil {
			return out, err
		}
		details := map[string]any{"pass_id": pid}
		if out.GroupID != "" {
			details["group_id"] = out.GroupID
		}
		if err := tx.audit(ctx, actor, "pass.redeem", "redemption", red.ID, "", details); err != nil {
			return out, err
		}
		out.Redemptions = append(out.Redemptions, red)
	}
	ids := make([]string, len(out.Redemptions))
	for i, red := range out.Redemptions {
		ids[i] = red.ID
	}
	return out, tx.usesChanged(ctx, ids, passnum.ParisMonth(tx.now), +1)
}

// redeemSetting checks where and for what a redemption is made, and
// returns the service delivered, the passes it costs and the site: with a
// session, the training's service and cost and the session's site.
func (tx *Tx) redeemSetting(ctx context.Context, actor passnum.Actor, r RedeemRequest) (service string, cost int, siteID string, err error) {
	// The label is checked inside the deciding UPDATE; with a site or
	// a session it is checked first, so that a place that may not redeem
	// hears that before anything about its sites.
	if r.SiteID != "" || r.SessionID != "" {
		if err := tx.PlaceLabelled(ctx, actor.OrganisationID); err != nil {
			return "", 0, "", err
		}
	}
	service, cost, siteID = r.Service, 1, r.SiteID
	if r.SiteID != "" {
		if err := tx.ownSite(ctx, actor.OrganisationID, r.SiteID); err != nil {
			return "", 0, "", err
		}
	}
	if r.SessionID != "" {
		se, err := tx.Session(ctx, r.SessionID, actor.OrganisationID)
		if passnum.ErrorCode(err) == passnum.ENOTFOUND {
			return "", 0, "", passnum.Invalid(passnum.FieldError{Field: "session_id", Detail: "session inconnue parmi celles de vos formations : vérifiez l'identifiant"})
		}
		if err != nil {
			return "", 0, "", err
		}
		if se.Status == passnum.SessionCancelled {
			return "", 0, "", passnum.Errorf(passnum.ESESSIONCLOSED, "Cette session a été annulée : elle ne peut pas servir à encaisser un pass.")
		}
		t, err := tx.Training(ctx, se.TrainingID, "")
		if err != nil {
			return "", 0, "", err
		}
		if service == "" {
			service = t.Service
		} else if service != t.Service {
			return "", 0, "", passnum.Invalid(passnum.FieldError{Field: "service", Detail: "le service indiqué ne correspond pas à celui de la formation de cette session (« " + t.Service + " ») : omettez-le ou corrigez-le"})
		}
		if siteID == "" {
			siteID = se.SiteID
		} else if siteID != se.SiteID {
			return "", 0, "", passnum.Invalid(passnum.FieldError{Field: "site_id", Detail: "cette session a lieu sur un autre de vos sites : omettez site_id ou indiquez celui de la session"})
		}
		cost = t.PassesCost
	}
	return service, cost, siteID, nil
}

// takeMorePasses redeems the other passes a training costs, after the
// scanned one: the beneficiary's assigned passes of the same programme,
// same booklet first, then by hand-out. Each is taken by one conditional
// UPDATE, so a pass is never redeemed twice however many redemptions of
// the same person run at once.
func (tx *Tx) takeMorePasses(ctx context.Context, programmeID, bookletID string, cost int, passIDs, codes []string) ([]string, []string, error) {
	var maxPasses int
	var name, beneficiaryID string
	if err := tx.queryRow(ctx, `SELECT p.max_passes_per_training, p.name, b.beneficiary_id FROM programmes p, booklets b WHERE p.id = ? AND b.id = ?`,
		programmeID, bookletID).Scan(&maxPasses, &name, &beneficiaryID); err != nil {
		return nil, nil, err
	}
	if cost > maxPasses {
		return nil, nil, passnum.Invalid(passnum.FieldError{Field: "session_id", Detail: fmt.Sprintf(
			"cette formation demande %d pass, et le programme « %s » en accepte %d au plus pour une formation : ramenez le coût de la formation à %d pass au plus", cost, name, maxPasses, maxPasses)})
	}
	for attempt := 0; len(passIDs) < cost; attempt++ {
		var id, code string
		err := tx.queryRow(ctx, `UPDATE passes SET status = 'redeemed'
			WHERE id = (SELECT ps.id FROM passes ps
				WHERE ps.booklet_id IN (SELECT id FROM booklets WHERE beneficiary_id = ?) AND ps.programme_id = ? AND ps.status = 'assigned'
				ORDER BY CASE WHEN ps.booklet_id = ? THEN 0 ELSE 1 END, (SELECT handed_out_at FROM booklets WHERE booklets.id = ps.booklet_id), ps.id
				LIMIT 1)
			  AND status = 'assigned'
			RETURNING id, code`, beneficiaryID, programmeID, bookletID).Scan(&id, &code)
		if errors.Is(err, sql.ErrNoRows) {
			// On PostgreSQL the pass picked may have just been taken by a
			// concurrent redemption of the same person: pick again while
			// some remain, a bounded number of times.
			var left int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM passes WHERE booklet_id IN (SELECT id FROM booklets WHERE beneficiary_id = ?)
				AND programme_id = ? AND status = 'assigned'`, beneficiaryID, programmeID).Scan(&left); err != nil {
				return nil, nil, err
			}
			if left > 0 {
				if attempt < 4*cost {
					continue
				}
				return nil, nil, passnum.Errorf(passnum.ECONFLICT, "D'autres pass de ce bénéficiaire sont en cours d'encaissement au même moment : rien n'a été encaissé, réessayez dans un instant.")
			}
			e := passnum.Errorf(passnum.ENOTENOUGHPASSES, "Cette formation demande %d pass, mais ce bénéficiaire n'en a que %d utilisables dans ce programme (celui-ci compris) : rien n'a été encaissé.", cost, len(passIDs))
			e.Extra = map[string]any{"passes_required": cost, "passes_available": len(passIDs)}
			return nil, nil, e
		}
		if err != nil {
			return nil, nil, err
		}
		passIDs, codes = append(passIDs, id), append(codes, code)
	}
	return passIDs, codes, nil
}

// ownSite refuses a site that is not one of the place's.
func (tx *Tx) ownSite(ctx context.Context, placeID, siteID string) error {
	var one int
	err := tx.queryRow(ctx, `SELECT 1 FROM sites WHERE id = ? AND organisation_id = ?`, siteID, placeID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return passnum.Invalid(passnum.FieldError{Field: "site_id", Detail: "ce site n'est pas l'un des vôtres : indiquez l'identifiant d'un de vos sites (points de présence)"})
	}
	return err
}

const redemptionColumns = `r.id, ps.code, r.programme_id, r.place_id, r.service, r.redeemed_at, r.amount_cents, r.status, r.cancelled_at, COALESCE(r.cancel_reason, ''),
	COALESCE(r.site_id, ''), COALESCE(r.session_id, '')`

func scanRedemption(sc interface{ Scan(...any) error }) (passnum.Redemption, error) {
	var r passnum.Redemption
	var at int64
	var cancelled sql.NullInt64
	err := sc.Scan(&r.ID, &r.Code, &r.ProgrammeID, &r.PlaceID, &r.Service, &at, &r.AmountCents, &r.Status, &cancelled, &r.CancelReason, &r.SiteID, &r.SessionID)
	r.RedeemedAt = fromMicros(at)
	r.CancelledAt = nullMicros(cancelled)
	return r, err
}

// Redemption returns one redemption; placeID, when set, must own it.
func (tx *Tx) Redemption(ctx context.Context, id, placeID string) (passnum.Redemption, error) {
	q := `SELECT ` + redemptionColumns + ` FROM redemptions r JOIN passes ps ON ps.id = r.pass_id WHERE r.id = ?`
	args := []any{id}
	if placeID != "" {
		q += ` AND r.place_id = ?`
		args = append(args, placeID)
	}
	r, err := scanRedemption(tx.queryRow(ctx, q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return r, notFound("encaissement")
	}
	return r, err
}

// ListRedemptions lists redemptions newest first, cancelled ones included.
func (tx *Tx) ListRedemptions(ctx context.Context, placeID string, p Page) ([]passnum.Redemption, string, error) {
	q := `SELECT ` + redemptionColumns + ` FROM redemptions r JOIN passes ps ON ps.id = r.pass_id WHERE 1=1`
	var args []any
	if placeID != "" {
		q += ` AND r.place_id = ?`
		args = append(args, placeID)
	}
	q, args = p.apply(q, args, "r.redeemed_at", "r.id")
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []passnum.Redemption
	for rows.Next() {
		r, err := scanRedemption(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	out, next := trimPage(out, p, func(i int) (int64, string) { return micros(out[i].RedeemedAt), out[i].ID })
	return out, next, nil
}

// CancelRedemption undoes a mistaken redemption: the place within the
// programme's window and before reimbursement, the operator until
// reimbursement. The redemption is marked, a reversing ledger entry is
// written and the pass is usable again; nothing is deleted. The
// redemptions of one training redeemed together are cancelled together,
// each with its own reversing entry and audit entry: a training is paid in
// full or not at all.
func (tx *Tx) CancelRedemption(ctx context.Context, actor passnum.Actor, id, reason string) (passnum.Redemption, error) {
	var red passnum.Redemption
	if reason == "" {
		return red, passnum.Invalid(passnum.FieldError{Field: "reason", Detail: "indiquez pourquoi l'encaissement est annulé"})
	}
	placeFilter := ""
	if actor.Role != passnum.RoleOperator {
		placeFilter = actor.OrganisationID
	}
	red, err := tx.Redemption(ctx, id, placeFilter)
	if err != nil {
		return red, err
	}
	var group sql.NullString
	var windowHours int
	if err := tx.queryRow(ctx, `SELECT r.group_id, p.cancel_window_hours FROM redemptions r JOIN programmes p ON p.id = r.programme_id WHERE r.id = ?`, id).
		Scan(&group, &windowHours); err != nil {
		return red, err
	}
	if !red.Status.CanBecome(passnum.RedemptionCancelled) {
		return red, passnum.Errorf(passnum.EALREADYCANCELLED, "Cet encaissement a déjà été annulé.")
	}
	members, err := tx.cancelMembers(ctx, id, group)
	if err != nil {
		return red, err
	}
	if err := checkCancellable(tx.now, actor, red, members, windowHours); err != nil {
		return red, err
	}
	ids := make([]string, len(members))
	for i, m := range members {
		if err := tx.cancelMember(ctx, actor, red, m, group, reason); err != nil {
			return red, err
		}
		ids[i] = m.id
	}
	// The members of a group were redeemed together, in one month.
	if err := tx.usesChanged(ctx, ids, passnum.ParisMonth(red.RedeemedAt), -1); err != nil {
		return red, err
	}
	red.Status = passnum.RedemptionCancelled
	now := tx.now
	red.CancelledAt = &now
	red.CancelReason = reason
	return red, nil
}

// cancelMember is one redemption cancelled, alone or in its group.
type cancelMember struct {
	id, passID string
	amount     int64
	settled    bool
}

// cancelMembers are the redemptions a cancellation takes: the redemption,
// or every active one of its group (passes redeemed together for one
// training are cancelled together).
func (tx *Tx) cancelMembers(ctx context.Context, id string, group sql.NullString) ([]cancelMember, error) {
	q := `SELECT id, pass_id, amount_cents, settlement_id FROM redemptions WHERE id = ?`
	arg := id
	if group.Valid {
		q = `SELECT id, pass_id, amount_cents, settlement_id FROM redemptions WHERE group_id = ? AND status = 'active' ORDER BY id`
		arg = group.String
	}
	rows, err := tx.query(ctx, q, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var members []cancelMember
	for rows.Next() {
		var m cancelMember
		var settlement sql.NullString
		if err := rows.Scan(&m.id, &m.passID, &m.amount, &settlement); err != nil {
			return nil, err
		}
		m.settled = settlement.Valid
		members = append(members, m)
	}
	return members, rows.Err()
}

// checkCancellable: nothing settled is cancelled (the operator corrects
// it instead), and a place cancels within the programme's window only.
func checkCancellable(now time.Time, actor passnum.Actor, red passnum.Redemption, members []cancelMember, windowHours int) error {
	for _, m := range members {
		if m.settled {
			return passnum.Errorf(passnum.EALREADYREIMBURSED, "Cet encaissement a déjà été remboursé : seul l'opérateur peut le corriger, par une écriture de régularisation.")
		}
	}
	if actor.Role != passnum.RoleOperator {
		deadline := red.RedeemedAt.Add(time.Duration(windowHours) * time.Hour)
		if now.After(deadline) {
			return passnum.Errorf(passnum.ECANCELWINDOWCLOSED, "Le délai d'annulation (%d h) est dépassé depuis le %s : demandez la correction à l'opérateur du programme.",
				windowHours, deadline.In(passnum.Paris).Format("02/01/2006 à 15h04"))
		}
	}
	return nil
}

// cancelMember cancels one redemption: its row (only if still active and
// unsettled), its pass back to its holder (or blocked with its booklet),
// the ledger's reversing entry and the audit entry.
func (tx *Tx) cancelMember(ctx context.Context, actor passnum.Actor, red passnum.Redemption, m cancelMember, group sql.NullString, reason string) error {
	res, err := tx.exec(ctx, `UPDATE redemptions SET status = 'cancelled', cancelled_at = ?, cancelled_by_kind = ?, cancelled_by_id = ?, cancel_reason = ?
		WHERE id = ? AND status = 'active' AND settlement_id IS NULL`, micros(tx.now), actor.Kind, actor.ID, reason, m.id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return passnum.Errorf(passnum.EALREADYCANCELLED, "Cet encaissement vient d'être annulé ou remboursé.")
	}
	if _, err := tx.exec(ctx, `UPDATE passes SET status = CASE WHEN (SELECT status FROM booklets WHERE booklets.id = passes.booklet_id) = 'blocked' THEN 'blocked' ELSE 'assigned' END
		WHERE id = ? AND status = 'redeemed'`, m.passID); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `INSERT INTO ledger_entries (id, redemption_id, programme_id, place_id, kind, amount_cents, at) VALUES (?, ?, ?, ?, 'cancellation', ?, ?)`,
		passnum.NewID(tx.now), m.id, red.ProgrammeID, red.PlaceID, -m.amount, micros(tx.now)); err != nil {
		return err
	}
	details := map[string]any{"pass_id": m.passID}
	if group.Valid {
		details["group_id"] = group.String
	}
	return tx.audit(ctx, actor, "redemption.cancel", "redemption", m.id, reason, details)
}
