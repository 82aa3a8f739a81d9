package store_test

import (
	"context"
	"fmt"
	"slices"

	"passnum"
	"passnum/store"
)

// The model's lost booklets: blocked, and replaced from the agency's stock
// with only the unused value of the lost one.

// takeBooklet records a booklet handed to beneficiary bi by distributor di:
// its usable passes leave the programme's unassigned ones; a replacement's
// voided passes stay unassigned.
func (m *model) takeBooklet(bk passnum.Booklet, pi, bi, di int) *mBooklet {
	p := m.progs[pi]
	mb := &mBooklet{id: bk.ID, prog: pi, ben: bi, dist: di}
	for _, ps := range bk.Passes {
		if ps.Status != passnum.PassAssigned {
			continue
		}
		k := slices.Index(p.unassigned, ps.Code)
		if k < 0 {
			m.t.Fatalf("step %d: handed-out pass %s was not an unassigned pass of programme %d", m.step, passnum.MaskPassCode(ps.Code), pi)
		}
		p.unassigned = slices.Delete(p.unassigned, k, k+1)
		mb.passes = append(mb.passes, len(m.passes))
		m.passes = append(m.passes, &mPass{code: ps.Code, prog: pi, booklet: len(m.bks), status: passnum.PassAssigned})
	}
	m.bks = append(m.bks, mb)
	return mb
}

// lostBooklet picks a booklet and the agency acting on it: mostly the one
// that handed it out, sometimes another.
func (m *model) lostBooklet() (int, *mBooklet, int) {
	ki := m.pick(len(m.bks))
	bk := m.bks[ki]
	di := bk.dist
	if len(m.dists) > 1 && m.chance(8) {
		di = (bk.dist + 1 + m.pick(len(m.dists)-1)) % len(m.dists)
	}
	return ki, bk, di
}

func (m *model) blockBooklet() bool {
	if len(m.bks) == 0 {
		return false
	}
	ki, bk, di := m.lostBooklet()
	m.touched = bk.prog
	reason, want := "carnet perdu", ""
	if m.chance(5) {
		reason = " "
	}
	switch {
	case reason == " ":
		want = passnum.EINVALID
	case di != bk.dist:
		want = passnum.ENOTFOUND
	case bk.blocked:
		want = passnum.EBLOCKED
	}
	_, err := write(m.t, m.s, func(ctx context.Context, tx *store.Tx) (passnum.Booklet, error) {
		return tx.BlockBooklet(ctx, m.dists[di], bk.id, m.dists[di].OrganisationID, reason)
	})
	m.expect(fmt.Sprintf("distributor %d blocks booklet %d", di, ki), err, want)
	if err == nil {
		m.block(bk)
	}
	return true
}

func (m *model) block(bk *mBooklet) {
	bk.blocked = true
	for _, pi := range bk.passes {
		if m.passes[pi].status == passnum.PassAssigned {
			m.passes[pi].status = passnum.PassBlocked
		}
	}
}

func (m *model) replaceBooklet() bool {
	if len(m.bks) == 0 {
		return false
	}
	ki, bk, di := m.lostBooklet()
	m.touched = bk.prog
	p := m.progs[bk.prog]
	reason, want := "carnet volé", ""
	if m.chance(5) {
		reason = ""
	}
	unused := 0
	for _, pi := range bk.passes {
		if s := m.passes[pi].status; s == passnum.PassAssigned || s == passnum.PassBlocked {
			unused++
		}
	}
	var st *mStock
	if bk.dist < len(p.stock) {
		st = p.stock[bk.dist]
	}
	switch {
	case reason == "":
		want = passnum.EINVALID
	case di != bk.dist:
		want = passnum.ENOTFOUND
	case bk.replaced, unused == 0:
		want = passnum.ECONFLICT
	case p.p.HandOutOpen(m.today()) != nil:
		want = passnum.EPROGRAMMECLOSED
	case st == nil || st.available < 1:
		want = passnum.EINSUFFICIENTSTOCK
	}
	got, err := write(m.t, m.s, func(ctx context.Context, tx *store.Tx) (passnum.Booklet, error) {
		return tx.ReplaceBooklet(ctx, m.dists[di], bk.id, m.dists[di].OrganisationID, reason)
	})
	m.expect(fmt.Sprintf("distributor %d replaces booklet %d (%d unused)", di, ki, unused), err, want)
	if err != nil {
		return true
	}
	m.block(bk)
	bk.replaced = true
	nb := m.takeBooklet(got, bk.prog, bk.ben, bk.dist)
	if len(nb.passes) != unused || got.BeneficiaryID != m.bens[bk.ben].id {
		m.t.Fatalf("step %d: the replacement carries %d passes for %s, model %d for %s", m.step, len(nb.passes), got.BeneficiaryID, unused, m.bens[bk.ben].id)
	}
	st.available--
	return true
}
