package demo

import (
	"context"
	"slices"
	"time"

	"passnum"
	"passnum/store"
)

// The places are paid monthly, as in the real scheme: early each month the
// operator settles the previous month, sends the transfers to the bank the
// next working day and records the payment a few days later. The
// 2022-2023 programme is paid in full and then expired; the current one
// is paid up to its last run, which is sent and awaits its payment, and
// what was redeemed since waits for the next run. One redemption found to
// be a duplicate after it was paid is corrected, and the next run takes it
// back.

// settlementPlan is one monthly run and its payment.
type settlementPlan struct {
	prog   *programmePlan
	cutoff passnum.Date
	at     time.Time // the run
	sentAt time.Time
	paidAt time.Time // zero: not paid yet
	paidOn passnum.Date
	id     string
}

// correctionPlan takes back a paid redemption.
type correctionPlan struct {
	redemption *redemptionPlan
	after      *settlementPlan // the run that paid it
	at         time.Time
	reason     string
}

// expiryPlan is the programme's expiry step after its grace period.
type expiryPlan struct {
	prog *programmePlan
	at   time.Time
}

// demoBudgetCents is each programme's budget: 570 000 € in Bourgogne-
// Franche-Comté, of which the passes' face value is a part.
const demoBudgetCents = 57_000_000

// payer is the Région's paying account (a test IBAN).
var payer = passnum.PayingAccount{Name: "Région Bourgogne-Franche-Comté", IBAN: "FR1420041010050500013M02606", BIC: "PSSTFRPPDIJ"}

// settlements plans the monthly runs of both programmes, the correction
// and the expiry of the 2022-2023 programme.
func (p *plan) settlements() {
	for _, pr := range []*programmePlan{p.past, p.current} {
		month := passnum.DateOf(time.Date(pr.p.ValidFrom.Year, pr.p.ValidFrom.Month+1, 1, 12, 0, 0, 0, time.UTC))
		last := pr.p.LastRedeemDay()
		var runs []*settlementPlan
		for {
			run := &settlementPlan{prog: pr, cutoff: month.AddDays(-1)}
			run.at = parisAt(nextOpen(month.AddDays(3), false), 10, 0)
			run.sentAt = parisAt(nextOpen(passnum.ParisDate(run.at).AddDays(1), false), 11, 0)
			run.paidOn = nextOpen(passnum.ParisDate(run.sentAt).AddDays(3), false)
			run.paidAt = parisAt(run.paidOn, 15, 0)
			if !run.sentAt.Before(p.now.Add(-time.Hour)) || run.cutoff.After(last.AddDays(31)) {
				break
			}
			runs = append(runs, run)
			if !run.cutoff.Before(last) {
				break
			}
			month = passnum.DateOf(time.Date(month.Year, month.Month+1, 1, 12, 0, 0, 0, time.UTC))
		}
		if pr == p.current && len(runs) > 0 {
			// The last run was sent to the bank; its payment is awaited.
			runs[len(runs)-1].paidAt, runs[len(runs)-1].paidOn = time.Time{}, passnum.Date{}
		}
		for _, r := range runs {
			if !r.paidAt.IsZero() && !r.paidAt.Before(p.now.Add(-time.Hour)) {
				r.paidAt, r.paidOn = time.Time{}, passnum.Date{}
			}
		}
		p.runs = append(p.runs, runs...)
		if pr == p.past && len(runs) > 0 {
			final := runs[len(runs)-1]
			p.expiry = &expiryPlan{prog: pr, at: parisAt(nextOpen(passnum.ParisDate(final.paidAt).AddDays(7), false), 10, 0)}
		}
		if pr == p.current && len(runs) >= 2 {
			p.correctPaidDuplicate(runs[len(runs)-2], runs[len(runs)-1])
		}
	}
}

// correctPaidDuplicate plans a correction of a redemption paid by run,
// made between its payment and the next run, at a place never suspended.
func (p *plan) correctPaidDuplicate(run, next *settlementPlan) {
	for _, rp := range p.redemptions {
		if rp.ho.prog != run.prog || !rp.cancelAt.IsZero() || !rp.place.suspendedAt.IsZero() || rp.place.file.bankChange != nil ||
			!rp.at.Before(run.cutoff.EndInstant()) || !passnum.ParisDate(rp.at).After(run.cutoff.AddDays(-20)) {
			continue
		}
		at := parisAt(nextOpen(passnum.ParisDate(run.paidAt).AddDays(2), false), 14, 30)
		if !at.Before(next.at) {
			return
		}
		p.correction = &correctionPlan{redemption: rp, after: run, at: at,
			reason: "Pass encaissé deux fois pour la même séance (doublon signalé par le lieu) : déjà remboursé, repris au prochain remboursement."}
		return
	}
}

// settlementSteps are the runs, their payments, the correction and the
// expiry. Each run is a barrier: it waits for every step before it in
// time, and every later step waits for it, so that it settles exactly
// what had happened by then (a place suspended or a bank account approved
// after the run plays no part in it).
func (p *plan) settlementSteps(activity []*step) []*step {
	op := func() passnum.Actor { return p.operator.actor() }
	var steps []*step
	runSteps := make([]*step, len(p.runs))
	for i, r := range p.runs {
		runSteps[i] = &step{at: r.at, what: "remboursement des lieux jusqu'au " + frDate(r.cutoff), do: func(ctx context.Context, tx *store.Tx) error {
			s, err := tx.Settle(ctx, op(), r.prog.id, r.cutoff)
			if passnum.ErrorCode(err) == passnum.ENOTHINGTOSETTLE {
				return nil // a month without a redemption: nothing to pay
			}
			r.id = s.ID
			return err
		}}
		sent := &step{at: r.sentAt, what: "envoi des virements à la banque", after: []*step{runSteps[i]}, do: func(ctx context.Context, tx *store.Tx) error {
			if r.id == "" {
				return nil
			}
			_, err := tx.MarkSettlementSent(ctx, op(), r.id)
			return err
		}}
		steps = append(steps, runSteps[i], sent)
		if !r.paidAt.IsZero() {
			steps = append(steps, &step{at: r.paidAt, what: "paiement des virements", after: []*step{sent}, do: func(ctx context.Context, tx *store.Tx) error {
				if r.id == "" {
					return nil
				}
				_, err := tx.RecordSettlementPayment(ctx, op(), r.id, store.Payment{PaidOn: r.paidOn, BankReference: "VIR-" + r.paidOn.String() + "-BFC"})
				return err
			}})
		}
	}
	if c := p.correction; c != nil {
		steps = append(steps, &step{at: c.at, what: "correction d'un encaissement remboursé", do: func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.CorrectRedemption(ctx, op(), c.redemption.id, c.reason)
			return err
		}})
	}
	if e := p.expiry; e != nil {
		steps = append(steps, &step{at: e.at, what: "expiration des pass non utilisés de « " + e.prog.p.Name + " »", do: func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.ExpireProgramme(ctx, op(), e.prog.id)
			return err
		}})
	}
	// The barriers, in time order, over what a run must see as it was
	// then: the redemptions, cancellations, suspensions and bank details,
	// and the settlements' own steps. Other steps need no order: nothing
	// they write plays a part in a run.
	barriers := slices.Clone(runSteps)
	slices.SortFunc(barriers, func(a, b *step) int { return a.at.Compare(b.at) })
	for i := 1; i < len(barriers); i++ {
		barriers[i].after = append(barriers[i].after, barriers[i-1])
	}
	for _, st := range append(slices.Clone(activity), steps...) {
		if !st.settles && !slices.Contains(steps, st) || slices.Contains(runSteps, st) {
			continue
		}
		// i is the first run at or after the step.
		i, _ := slices.BinarySearchFunc(barriers, st.at, func(b *step, t time.Time) int { return b.at.Compare(t) })
		if i > 0 {
			st.after = append(st.after, barriers[i-1])
		}
		if i < len(barriers) {
			barriers[i].after = append(barriers[i].after, st)
		}
	}
	return steps
}
