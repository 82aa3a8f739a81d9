package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"passnum"
	"passnum/territory"
)

// BeneficiaryByPass finds the young person signing in with one of their
// pass codes (already normalised by passnum.ParsePassCode) and their birth
// date. A code of a blocked (lost) booklet does not sign in. Whatever is
// wrong, the answer is the same, so that it never tells whether a code
// exists.
func (tx *Tx) BeneficiaryByPass(ctx context.Context, code string, birth passnum.Date) (passnum.Beneficiary, error) {
	wrong := passnum.Errorf(passnum.EUNAUTHENTICATED, "Code de pass ou date de naissance incorrect : vérifiez le code inscrit sur l'un de vos pass et votre date de naissance (JJ/MM/AAAA), ou demandez de l'aide à la structure qui vous a remis le carnet.")
	if code == "" || birth.IsZero() {
		return passnum.Beneficiary{}, wrong
	}
	b, err := scanBeneficiary(tx.queryRow(ctx, `SELECT `+qualified("b.", beneficiaryColumns)+`
		FROM passes ps JOIN booklets bk ON bk.id = ps.booklet_id JOIN beneficiaries b ON b.id = bk.beneficiary_id
		WHERE ps.code = ? AND bk.status = 'handed_out' AND b.birth_date = ?`, code, birth.String()))
	if errors.Is(err, sql.ErrNoRows) {
		return passnum.Beneficiary{}, wrong
	}
	return b, err
}

// PassHolderKey names whom a sign-in with code tries, for counting the
// attempts (passnum.PassHolderLimit): the young person the pass was handed
// to, so that all the codes of their booklets share one count, or the code
// itself when it was handed to no one (an unknown code is counted and
// locked like a known one, and tells nothing).
func (tx *Tx) PassHolderKey(ctx context.Context, code string) (string, error) {
	var id string
	err := tx.queryRow(ctx, `SELECT bk.beneficiary_id FROM passes ps JOIN booklets bk ON bk.id = ps.booklet_id
		WHERE ps.code = ? AND bk.beneficiary_id IS NOT NULL`, code).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "code:" + code, nil
	}
	if err != nil {
		return "", err
	}
	return beneficiaryHolderKey(id), nil
}

func beneficiaryHolderKey(id string) string { return "beneficiary:" + id }

// BeneficiarySigninLock says whether a young person's access to their
// passes page is locked after wrong birth dates, and until when;
// distributorID, when set, must own the beneficiary.
func (tx *Tx) BeneficiarySigninLock(ctx context.Context, beneficiaryID, distributorID string) (locked bool, until time.Time, err error) {
	if _, err := tx.Beneficiary(ctx, beneficiaryID, distributorID); err != nil {
		return false, time.Time{}, err
	}
	n, until, err := tx.Attempts(ctx, passnum.PassHolderLimit, beneficiaryHolderKey(beneficiaryID))
	return n >= passnum.PassHolderLimit.Max, until, err
}

// UnlockBeneficiarySignin lifts that lock: the counsellor has checked who
// they are talking to and the birth date on record. Audited.
func (tx *Tx) UnlockBeneficiarySignin(ctx context.Context, actor passnum.Actor, beneficiaryID, distributorID string) error {
	if _, err := tx.Beneficiary(ctx, beneficiaryID, distributorID); err != nil {
		return err
	}
	if err := tx.ForgetAttempts(ctx, passnum.PassHolderLimit, beneficiaryHolderKey(beneficiaryID)); err != nil {
		return err
	}
	return tx.audit(ctx, actor, "beneficiary.signin_unlock", "beneficiary", beneficiaryID, "", nil)
}

// qualified prefixes each column of a list with a table alias.
func qualified(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// BeneficiaryPass is one pass as its holder sees it.
type BeneficiaryPass struct {
	Code           string `json:"code"`
	BookletID      string `json:"booklet_id"`
	ProgrammeID    string `json:"programme_id"`
	ProgrammeName  string `json:"programme_name"`
	FaceValueCents int64  `json:"face_value_cents"`
	// Status is the pass's status on the Paris day: assigned, redeemed,
	// blocked (lost booklet) or expired.
	Status     passnum.PassStatus `json:"status"`
	ValidUntil passnum.Date       `json:"valid_until"`
	// When redeemed: when, where and what for.
	RedeemedAt *time.Time `json:"redeemed_at,omitempty"`
	PlaceName  string     `json:"place_name,omitempty"`
	SiteName   string     `json:"site_name,omitempty"`
	Commune    string     `json:"commune,omitempty"`
	Service    string     `json:"service,omitempty"`
}

// BeneficiaryPasses lists the passes of every booklet handed to a
// beneficiary, latest booklet first, each booklet's passes in order.
func (tx *Tx) BeneficiaryPasses(ctx context.Context, beneficiaryID string) ([]BeneficiaryPass, error) {
	if _, err := tx.Beneficiary(ctx, beneficiaryID, ""); err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, `SELECT ps.code, bk.id, p.id, p.name, p.face_value_cents, ps.status, p.valid_until, p.last_redeem_day,
			r.redeemed_at, COALESCE(o.name, ''), COALESCE(s.name, ''), COALESCE(s.commune_name, ''), COALESCE(o.commune_insee, ''), COALESCE(r.service, '')
		FROM booklets bk JOIN passes ps ON ps.booklet_id = bk.id JOIN programmes p ON p.id = bk.programme_id
		LEFT JOIN redemptions r ON r.pass_id = ps.id AND r.status = 'active'
		LEFT JOIN organisations o ON o.id = r.place_id
		LEFT JOIN sites s ON s.id = r.site_id
		WHERE bk.beneficiary_id = ? AND ps.status <> 'unassigned'
		ORDER BY bk.handed_out_at DESC, bk.id DESC, ps.id`, beneficiaryID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	today := tx.Today()
	out := []BeneficiaryPass{}
	for rows.Next() {
		var bp BeneficiaryPass
		var last passnum.Date
		var placeCommune string
		var redeemed sql.NullInt64
		if err := rows.Scan(&bp.Code, &bp.BookletID, &bp.ProgrammeID, &bp.ProgrammeName, &bp.FaceValueCents, &bp.Status, &bp.ValidUntil, &last,
			&redeemed, &bp.PlaceName, &bp.SiteName, &bp.Commune, &placeCommune, &bp.Service); err != nil {
			return nil, err
		}
		bp.Status = passnum.DisplayStatus(bp.Status, last, today)
		bp.RedeemedAt = nullMicros(redeemed)
		if bp.RedeemedAt != nil && bp.Commune == "" && placeCommune != "" {
			if c, ok := territory.LookupCommune(placeCommune); ok {
				bp.Commune = c.Name
			}
		}
		out = append(out, bp)
	}
	return out, rows.Err()
}
