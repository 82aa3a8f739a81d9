package store_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"passnum"
	"passnum/store"
)

// The model's money operations: bank details, settlements, corrections,
// payments and expiry, each outcome predicted, each settlement's lines
// compared with the model's, and each place's balance after every step.

func (m *model) giveBankDetails() bool {
	var without []int
	for i, pl := range m.places {
		if !pl.bank {
			without = append(without, i)
		}
	}
	if len(without) == 0 {
		return false
	}
	pli := without[m.pick(len(without))]
	m.MustBankAccount(m.places[pli].actor, pli)
	m.places[pli].bank = true
	m.logf("place %d's bank details approved", pli)
	return true
}

// heldBack says why the model holds a place's line back, or "".
func (pl *mPlace) heldBack() passnum.HeldBackReason {
	switch {
	case pl.status == passnum.OrgSuspended:
		return passnum.HeldSuspended
	case pl.status != passnum.OrgLabelled:
		return passnum.HeldWithdrawn
	case !pl.bank:
		return passnum.HeldNoBankAccount
	}
	return ""
}

// mLine is a settlement line as the model predicts it.
type mLine struct {
	count, redemptions, adjustments, carriedIn, amount, carriedOut int64
	held                                                           passnum.HeldBackReason
	heldCount, heldCents                                           int64
}

func (m *model) settle() bool {
	if len(m.progs) == 0 {
		return false
	}
	pi := m.pick(len(m.progs))
	p := m.progs[pi]
	m.touched = pi
	cutoff, want := m.today(), ""
	switch k := m.pick(100); {
	case k < 30:
		cutoff = cutoff.AddDays(-(1 + m.pick(10)))
	case k < 33:
		cutoff, want = cutoff.AddDays(1), passnum.EINVALID
	}
	end := cutoff.EndInstant()
	waiting := map[int][]int{} // place → redemptions waiting, before the cut-off
	for ri, r := range m.reds {
		if m.passes[r.pass].prog == pi && !r.cancelled && r.settled < 0 && r.at.Before(end) {
			waiting[r.place] = append(waiting[r.place], ri)
		}
	}
	concerned := slices.Collect(maps.Keys(waiting))
	for pl, n := range p.npending {
		if n > 0 && len(waiting[pl]) == 0 {
			concerned = append(concerned, pl)
		}
	}
	lines := map[int]mLine{}
	payable := 0
	var total int64
	for _, pl := range concerned {
		var cents int64
		for _, ri := range waiting[pl] {
			cents += m.reds[ri].amount
		}
		l := mLine{carriedIn: p.carry[pl], carriedOut: p.carry[pl]}
		if why := m.places[pl].heldBack(); why != "" {
			l.held, l.heldCount, l.heldCents = why, int64(len(waiting[pl])), cents
		} else {
			payable++
			l.count, l.redemptions, l.adjustments = int64(len(waiting[pl])), cents, p.pending[pl]
			l.amount, l.carriedOut = passnum.SettleLine(l.redemptions, l.adjustments, l.carriedIn)
			total += l.amount
		}
		lines[pl] = l
	}
	existing, again := p.cutoffs[cutoff.String()]
	if want == "" && payable == 0 && !again {
		want = passnum.ENOTHINGTOSETTLE
	}
	got, err := m.Settle(p.p.ID, cutoff)
	m.expect(fmt.Sprintf("settle programme %d up to %s (%d places, %d payable)", pi, cutoff, len(concerned), payable), err, want)
	if err != nil {
		return true
	}
	if payable == 0 {
		if got.Created || got.ID != m.setts[existing].id {
			m.t.Fatalf("step %d: nothing new, yet the run answers %s (created %v), model %s", m.step, got.ID, got.Created, m.setts[existing].id)
		}
		return true
	}
	if !got.Created || got.TotalCents != total || got.Status != passnum.SettlementCreated || len(got.Lines) != len(lines) {
		m.t.Fatalf("step %d: settlement created %v, total %d, status %s, %d lines; model total %d, %d lines", m.step, got.Created, got.TotalCents, got.Status, len(got.Lines), total, len(lines))
	}
	ms := &mSettlement{id: got.ID, prog: pi, status: passnum.SettlementCreated, amount: map[int]int64{}}
	for _, gl := range got.Lines {
		pl := slices.IndexFunc(m.places, func(x *mPlace) bool { return x.actor.OrganisationID == gl.PlaceID })
		want, ok := lines[pl]
		g := mLine{count: gl.Count, redemptions: gl.RedemptionsCents, adjustments: gl.AdjustmentsCents, carriedIn: gl.CarriedInCents, amount: gl.AmountCents,
			carriedOut: gl.CarriedOutCents, heldCount: gl.HeldCount, heldCents: gl.HeldCents}
		if gl.HeldBackReason != nil {
			g.held = *gl.HeldBackReason
		}
		if !ok || g != want || gl.HeldBack != (want.held != "") {
			m.t.Fatalf("step %d: place %d's line %+v, model %+v", m.step, pl, g, want)
		}
		var shares int64
		for _, sh := range gl.Shares {
			shares += sh.AmountCents
		}
		if !gl.HeldBack && shares != gl.AmountCents {
			m.t.Fatalf("step %d: place %d's line of %d cents shared as %d", m.step, pl, gl.AmountCents, shares)
		}
		if gl.HeldBack {
			continue
		}
		ms.amount[pl] = gl.AmountCents
		p.carry[pl] = gl.CarriedOutCents
		p.pending[pl], p.npending[pl] = 0, 0
		for _, ri := range waiting[pl] {
			m.reds[ri].settled = len(m.setts)
		}
	}
	p.cutoffs[cutoff.String()] = len(m.setts)
	m.setts = append(m.setts, ms)
	return true
}

func (m *model) correct() bool {
	if len(m.reds) == 0 {
		return false
	}
	ri := m.pick(len(m.reds))
	var settled []int
	for i, r := range m.reds {
		if r.settled >= 0 && !r.corrected {
			settled = append(settled, i)
		}
	}
	if len(settled) > 0 && m.chance(70) {
		ri = settled[m.pick(len(settled))]
	}
	red := m.reds[ri]
	m.touched = m.passes[red.pass].prog
	p := m.progs[m.touched]
	reason, want := "pass encaissé par erreur", ""
	if m.chance(5) {
		reason = ""
	}
	switch {
	case reason == "":
		want = passnum.EINVALID
	case red.cancelled:
		want = passnum.EALREADYCANCELLED
	case red.settled < 0:
		want = passnum.ENOTSETTLED
	case red.corrected:
		want = passnum.ECONFLICT
	}
	c, err := write(m.t, m.s, func(ctx context.Context, tx *store.Tx) (passnum.Correction, error) {
		return tx.CorrectRedemption(ctx, m.op, red.id, reason)
	})
	m.expect(fmt.Sprintf("operator corrects redemption %d", ri), err, want)
	if err != nil {
		return true
	}
	if c.AmountCents != -red.amount || c.RedemptionID != red.id || c.SettlementID != "" {
		m.t.Fatalf("step %d: correction %+v of a redemption of %d cents", m.step, c, red.amount)
	}
	red.corrected = true
	p.pending[red.place] -= red.amount
	p.npending[red.place]++
	return true
}

func (m *model) paySettlement() bool {
	if len(m.setts) == 0 {
		return false
	}
	si := m.pick(len(m.setts))
	st := m.setts[si]
	m.touched = st.prog
	var err error
	var got passnum.Settlement
	want, next := "", passnum.SettlementSent
	if m.chance(50) {
		next = passnum.SettlementPaid
	}
	switch {
	case next == passnum.SettlementSent && st.status != passnum.SettlementCreated:
		want = passnum.EALREADYSETTLED
	case next == passnum.SettlementPaid && st.status == passnum.SettlementCreated:
		want = passnum.ENOTSETTLED
	case next == passnum.SettlementPaid && st.status == passnum.SettlementPaid:
		want = passnum.EALREADYSETTLED
	}
	if next == passnum.SettlementSent {
		got, err = write(m.t, m.s, func(ctx context.Context, tx *store.Tx) (passnum.Settlement, error) {
			return tx.MarkSettlementSent(ctx, m.op, st.id)
		})
	} else {
		got, err = write(m.t, m.s, func(ctx context.Context, tx *store.Tx) (passnum.Settlement, error) {
			return tx.RecordSettlementPayment(ctx, m.op, st.id, store.Payment{PaidOn: m.today(), BankReference: fmt.Sprintf("VIR-%d", m.step)})
		})
	}
	m.expect(fmt.Sprintf("settlement %d (%s) → %s", si, st.status, next), err, want)
	if err != nil {
		return true
	}
	if got.Status != next {
		m.t.Fatalf("step %d: settlement %d is %s, model %s", m.step, si, got.Status, next)
	}
	st.status = next
	if next == passnum.SettlementPaid {
		for pl, a := range st.amount {
			m.progs[st.prog].paid[pl] += a
		}
	}
	return true
}

func (m *model) expire() bool {
	if len(m.progs) == 0 {
		return false
	}
	pi := m.pick(len(m.progs))
	p := m.progs[pi]
	m.touched = pi
	want := ""
	if !p.expired && !m.today().After(p.p.LastRedeemDay()) {
		want = passnum.ECONFLICT
	}
	e, err := write(m.t, m.s, func(ctx context.Context, tx *store.Tx) (passnum.ProgrammeExpiry, error) {
		return tx.ExpireProgramme(ctx, m.op, p.p.ID)
	})
	m.expect(fmt.Sprintf("expire programme %d (last redeem day %s, expired %v)", pi, p.p.LastRedeemDay(), p.expired), err, want)
	if err != nil {
		return true
	}
	if p.expired {
		// Run again: the first run's record, frozen, whatever was
		// cancelled since.
		first := p.expiry
		first.Created = false
		first.ExpiredAt, e.ExpiredAt = first.ExpiredAt.UTC().Truncate(time.Microsecond), e.ExpiredAt.UTC() // the same instant, stored to the microsecond
		if e != first {
			m.t.Fatalf("step %d: expiry run again %+v, first run %+v", m.step, e, p.expiry)
		}
		return true
	}
	var used int64
	for _, r := range m.reds {
		if m.passes[r.pass].prog == pi && !r.cancelled {
			used++
		}
	}
	if !e.Created || e.PassesUsed != used || e.PassesNotHandedOut != int64(len(p.unassigned)) ||
		e.ReleasedCents != (p.issued*int64(p.p.BookletSize)-used)*p.p.FaceValueCents {
		m.t.Fatalf("step %d: expiry %+v, model: %d used, %d not handed out", m.step, e, used, len(p.unassigned))
	}
	p.expired, p.expiry = true, e
	return true
}

// verifyBalances compares each place's balance in a programme with the
// model: its active redemptions, less its corrections and what it was
// paid.
func (m *model) verifyBalances(pi int) {
	m.t.Helper()
	p := m.progs[pi]
	for pl, place := range m.places {
		var want int64
		for _, r := range m.reds {
			if r.place == pl && m.passes[r.pass].prog == pi && !r.cancelled {
				want += r.amount
				if r.corrected {
					want -= r.amount
				}
			}
		}
		want -= p.paid[pl]
		var got int64
		err := m.s.View(m.t.Context(), func(tx *store.Tx) error {
			var err error
			got, err = tx.PlaceBalance(m.t.Context(), place.actor.OrganisationID, p.p.ID, m.today())
			return err
		})
		if err != nil || got != want {
			m.t.Fatalf("step %d: place %d's balance in programme %d is %d (%v), model %d", m.step, pl, pi, got, err, want)
		}
	}
}
