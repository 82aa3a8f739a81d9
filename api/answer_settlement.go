package api

import (
	"time"

	"passnum"
	"passnum/store"
)

// The API's answer shapes for what the funders owe and for the end of a
// programme: the JSON of the store's read models of the same names (see
// there what each figure means).

// FunderStatement is one funder's account of a programme to date:
// store.FunderStatement.
type FunderStatement struct {
	ProgrammeID   string             `json:"programme_id"`
	ProgrammeName string             `json:"programme_name"`
	FunderID      string             `json:"funder_id"`
	FunderName    string             `json:"funder_name"`
	ShareBps      int64              `json:"share_bps"`
	SettledCents  int64              `json:"settled_cents"`
	PaidCents     int64              `json:"paid_cents"`
	DueCents      int64              `json:"due_cents"`
	Settlements   []FunderSettlement `json:"settlements" doc:"du plus ancien au plus récent"`
	Months        []FunderMonth      `json:"months" doc:"par mois de fin de période des remboursements ; leurs sommes font les totaux"`
}

// FunderSettlement is a funder's part of one settlement.
type FunderSettlement struct {
	SettlementID string                   `json:"settlement_id"`
	Reference    string                   `json:"reference"`
	Cutoff       passnum.Date             `json:"cutoff"`
	Status       passnum.SettlementStatus `json:"status"`
	PaidOn       *passnum.Date            `json:"paid_on"`
	TotalCents   int64                    `json:"total_cents" doc:"total du remboursement, tous financeurs"`
	ShareCents   int64                    `json:"share_cents" doc:"part de ce financeur"`
}

// FunderMonth is a funder's part of the settlements whose period ends in
// a month.
type FunderMonth struct {
	Month        string `json:"month"`
	SettledCents int64  `json:"settled_cents"`
	PaidCents    int64  `json:"paid_cents"`
}

func funderStatementAnswer(s store.FunderStatement) FunderStatement {
	return FunderStatement{
		ProgrammeID: s.ProgrammeID, ProgrammeName: s.ProgrammeName,
		FunderID: s.FunderID, FunderName: s.FunderName, ShareBps: s.ShareBps,
		SettledCents: s.SettledCents, PaidCents: s.PaidCents, DueCents: s.DueCents,
		Settlements: answers(s.Settlements, func(x store.FunderSettlement) FunderSettlement { return FunderSettlement(x) }),
		Months:      answers(s.Months, func(m store.FunderMonth) FunderMonth { return FunderMonth(m) }),
	}
}

// ClosingTable is the end-of-programme table per distributor:
// store.ClosingTable.
type ClosingTable struct {
	ProgrammeID         string               `json:"programme_id"`
	ProgrammeName       string               `json:"programme_name"`
	ValidUntil          passnum.Date         `json:"valid_until"`
	HandoutUntil        passnum.Date         `json:"handout_until"`
	LastRedeemDay       passnum.Date         `json:"last_redeem_day"`
	From                passnum.Date         `json:"from"`
	InPeriod            bool                 `json:"in_period"`
	BookletsIssued      int64                `json:"booklets_issued"`
	BookletsUnallocated int64                `json:"booklets_unallocated"`
	Totals              DistributorClosing   `json:"totals"`
	Distributors        []DistributorClosing `json:"distributors"`
	Masked              []string             `json:"masked" doc:"pour un financeur, ce que le secret statistique masque (null) : une ligne (« totals » ou l'identifiant d'un distributeur) ou un chiffre d'une ligne, « identifiant:booklets_started » ou « identifiant:passes_used » (avec passes_unused)"`
	PublishedAt         *time.Time           `json:"published_at" doc:"pour un financeur, quand le tableau a été calculé : il est publié une fois par mois, le même à chaque lecture du mois (null pour l'opérateur, qui le lit à jour)"`
}

// DistributorClosing is one distributor's line of the closing table.
type DistributorClosing struct {
	DistributorID        string `json:"distributor_id,omitempty"`
	DistributorName      string `json:"distributor_name,omitempty"`
	BookletsAllocated    *int64 `json:"booklets_allocated"`
	BookletsNotHandedOut *int64 `json:"booklets_not_handed_out"`
	BookletsHandedOut    *int64 `json:"booklets_handed_out" doc:"carnets remis, carnets perdus et leurs remplacements compris"`
	BookletsStarted      *int64 `json:"booklets_started"`
	PassesUsed           *int64 `json:"passes_used"`
	PassesUnused         *int64 `json:"passes_unused"`
}

func closingTableAnswer(t store.ClosingTable) ClosingTable {
	return ClosingTable{
		ProgrammeID: t.ProgrammeID, ProgrammeName: t.ProgrammeName,
		ValidUntil: t.ValidUntil, HandoutUntil: t.HandoutUntil, LastRedeemDay: t.LastRedeemDay,
		From: t.From, InPeriod: t.InPeriod,
		BookletsIssued: t.BookletsIssued, BookletsUnallocated: t.BookletsUnallocated,
		Totals:       DistributorClosing(t.Totals),
		Distributors: answers(t.Distributors, func(d store.DistributorClosing) DistributorClosing { return DistributorClosing(d) }),
		Masked:       t.Masked,
		PublishedAt:  t.PublishedAt,
	}
}

// ClosingStatement is a programme's closing statement, per funder:
// store.ClosingStatement.
type ClosingStatement struct {
	ProgrammeID        string                   `json:"programme_id"`
	ProgrammeName      string                   `json:"programme_name"`
	Expired            bool                     `json:"expired"`
	Expiry             *passnum.ProgrammeExpiry `json:"expiry"`
	PassesIssued       int64                    `json:"passes_issued"`
	PassesHandedOut    int64                    `json:"passes_handed_out"`
	PassesUsed         int64                    `json:"passes_used"`
	PassesUnused       int64                    `json:"passes_unused" doc:"remis et jamais utilisés"`
	PassesNotHandedOut int64                    `json:"passes_not_handed_out"`
	UsedCents          int64                    `json:"used_cents"`
	AdjustedCents      int64                    `json:"adjusted_cents" doc:"corrections (négatif ou zéro)"`
	ReleasedCents      int64                    `json:"released_cents" doc:"valeur faciale des pass jamais utilisés : rien à payer"`
	SettledCents       int64                    `json:"settled_cents"`
	PaidCents          int64                    `json:"paid_cents"`
	FinalSettlement    *passnum.Settlement      `json:"final_settlement"`
	Funders            []FunderClosing          `json:"funders"`
}

// FunderClosing is one funder's part of the closing statement.
type FunderClosing struct {
	FunderID      string `json:"funder_id"`
	FunderName    string `json:"funder_name"`
	ShareBps      int64  `json:"share_bps"`
	UsedCents     int64  `json:"used_cents"`
	AdjustedCents int64  `json:"adjusted_cents"`
	ReleasedCents int64  `json:"released_cents"`
	SettledCents  int64  `json:"settled_cents"`
	PaidCents     int64  `json:"paid_cents"`
	DueCents      int64  `json:"due_cents"`
}

func closingStatementAnswer(s store.ClosingStatement) ClosingStatement {
	return ClosingStatement{
		ProgrammeID: s.ProgrammeID, ProgrammeName: s.ProgrammeName,
		Expired: s.Expired, Expiry: s.Expiry,
		PassesIssued: s.PassesIssued, PassesHandedOut: s.PassesHandedOut, PassesUsed: s.PassesUsed,
		PassesUnused: s.PassesUnused, PassesNotHandedOut: s.PassesNotHandedOut,
		UsedCents: s.UsedCents, AdjustedCents: s.AdjustedCents, ReleasedCents: s.ReleasedCents,
		SettledCents: s.SettledCents, PaidCents: s.PaidCents,
		FinalSettlement: s.FinalSettlement,
		Funders:         answers(s.Funders, func(f store.FunderClosing) FunderClosing { return FunderClosing(f) }),
	}
}
