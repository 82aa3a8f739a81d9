package passnum

import "time"

// The end of a programme, as the real scheme ran it and better: from 30
// days before the end of validity the operator and the funders follow,
// per distributor, what was handed out and used; stock not handed out can
// be moved until the hand-out closing day; after the grace period the
// operator expires the unused passes, once, and each funder gets its
// closing statement.

// ClosingNoticeDays is how long before the end of validity the closing
// table is shown (J-30).
const ClosingNoticeDays = 30

// ClosingFrom is the first day the closing table is shown.
func (p *Programme) ClosingFrom() Date { return p.ValidUntil.AddDays(-ClosingNoticeDays) }

// StockMoveOpen says whether booklets not handed out may still move on
// day today: until the hand-out closing day, and never once expired.
func (p *Programme) StockMoveOpen(today Date) error {
	if p.ExpiredAt != nil || today.After(p.LastHandOutDay()) {
		return Errorf(EPROGRAMMECLOSED, "La remise des carnets du programme « %s » est close depuis le %s : le stock ne se déplace plus.", p.Name, frenchDay(p.LastHandOutDay()))
	}
	return nil
}

// ExpiryOpen says whether the programme's unused passes may be expired on
// day today: once the last redeem day (end of validity plus grace) is past.
func (p *Programme) ExpiryOpen(today Date) error {
	if !today.After(p.LastRedeemDay()) {
		e := Errorf(ECONFLICT, "Les pass du programme « %s » restent encaissables jusqu'au %s inclus (fin de validité et délai de tolérance) : l'expiration se fait à partir du %s.",
			p.Name, frenchDay(p.LastRedeemDay()), frenchDay(p.LastRedeemDay().AddDays(1)))
		e.Extra = map[string]any{"last_redeem_day": p.LastRedeemDay()}
		return e
	}
	return nil
}

// StockTransfer moves booklets not handed out from a distributor to
// another, or back to the programme's central stock.
type StockTransfer struct {
	ID                string `json:"id"`
	ProgrammeID       string `json:"programme_id"`
	FromDistributorID string `json:"from_distributor_id"`
	// ToDistributorID is empty when the booklets go back to the programme.
	ToDistributorID string    `json:"to_distributor_id,omitempty" doc:"absent : retour au stock central du programme"`
	Booklets        int64     `json:"booklets"`
	Reason          string    `json:"reason"`
	CreatedAt       time.Time `json:"created_at"`
}

// ProgrammeExpiry is the programme's expiry step, with the figures frozen
// when it ran. Released passes are those never used: handed out and
// unused, or never handed out; they cost the funders nothing.
type ProgrammeExpiry struct {
	ProgrammeID string    `json:"programme_id"`
	ExpiredAt   time.Time `json:"expired_at"`
	// Created is false when the step had already run: it answers with the
	// first run's record.
	Created            bool  `json:"created"`
	PassesIssued       int64 `json:"passes_issued"`
	PassesUsed         int64 `json:"passes_used"`
	PassesUnused       int64 `json:"passes_unused" doc:"remis à un bénéficiaire et jamais utilisés (carnets perdus compris)"`
	PassesNotHandedOut int64 `json:"passes_not_handed_out"`
	ReleasedCents      int64 `json:"released_cents" doc:"valeur faciale des pass jamais utilisés, qui ne coûtent rien aux financeurs"`
}
