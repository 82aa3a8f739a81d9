package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"passnum"
	"passnum/store"
	"passnum/territory"
)

// state is what the hand-out and use stages share.
type state struct {
	op           passnum.Actor
	r            *rand.Rand
	progress     func(stage string, done, total int)
	programmeID  string
	distActors   []passnum.Actor
	distCommunes []string
	placeActors  []passnum.Actor
	placeDeps    map[string][]int
}

// handAt is when booklet i of handed is handed out: spread over 18
// months, every perTx of them at one instant (a per-item transaction's),
// so that both paths write the same instants.
func handAt(i, handed int) time.Time {
	span := 18 * 30 * 24 * time.Hour
	i -= i % perTx
	return start.Add(time.Duration(float64(span) * float64(i) / float64(handed)))
}

// draw makes up booklet i's young person and, for 55 % of them, how many
// passes they will use, from when and where. The draws are the same, in
// the same order, on both paths.
func (st *state) draw(i int, b *booklet, at time.Time) (passnum.Actor, passnum.Beneficiary, error) {
	r := st.r
	actor := st.distActors[b.dist]
	c, ok := territory.LookupCommune(st.distCommunes[b.dist])
	if !ok {
		return actor, passnum.Beneficiary{}, fmt.Errorf("commune %s", st.distCommunes[b.dist])
	}
	today := passnum.ParisDate(at)
	age := 16 + r.IntN(10)
	birth := today.AddDays(-(age*365 + 30 + r.IntN(300)))
	ben := passnum.Beneficiary{FirstName: firstNames[r.IntN(len(firstNames))],
		LastName: lastNames[i%len(lastNames)] + " " + letters(i/len(lastNames)), BirthDate: birth, CommuneINSEE: c.Code, JobSeeker: true}
	if r.Float64() < 0.55 {
		b.uses = 5
		if r.IntN(2) == 0 {
			b.uses = 1 + r.IntN(4)
		}
		wait := time.Duration(r.ExpFloat64()*40*24) * time.Hour
		b.first = at.Add(wait)
		deps := st.placeDeps[c.Departement]
		if len(deps) > 0 {
			b.place = deps[r.IntN(len(deps))]
		} else {
			b.place = r.IntN(len(st.placeActors))
		}
	}
	return actor, ben, nil
}

// handOut registers the young people and hands them their booklets,
// keeping the codes of the passes each will use.
func handOut(ctx context.Context, s *store.Store, o Options, st *state, plan []booklet) error {
	step := bulkTx
	if o.PerItem {
		step = perTx
	}
	for lo := 0; lo < len(plan); lo += step {
		hi := min(lo+step, len(plan))
		var err error
		if o.PerItem {
			err = st.handOutPerItem(ctx, s, plan, lo, hi)
		} else {
			err = st.handOutBulk(ctx, s, plan, lo, hi)
		}
		if err != nil {
			return err
		}
		st.progress("Remises", hi, len(plan))
		if o.PerItem {
			if err := foldNow(ctx, s, lo); err != nil {
				return err
			}
		}
	}
	return nil
}

func (st *state) handOutPerItem(ctx context.Context, s *store.Store, plan []booklet, lo, hi int) error {
	return s.WriteAt(ctx, handAt(lo, len(plan)), func(tx *store.Tx) error {
		for i := lo; i < hi; i++ {
			b := &plan[i]
			actor, ben, err := st.draw(i, b, tx.Now())
			if err != nil {
				return err
			}
			if ben, err = tx.CreateBeneficiary(ctx, actor, ben); err != nil {
				return err
			}
			bk, err := tx.HandOut(ctx, actor, ben.ID, st.programmeID)
			if err != nil {
				return err
			}
			for _, ps := range bk.Passes[:b.uses] {
				b.codes = append(b.codes, ps.Code)
			}
		}
		return nil
	})
}

func (st *state) handOutBulk(ctx context.Context, s *store.Store, plan []booklet, lo, hi int) error {
	rows := make([]store.BulkHandOutRow, 0, hi-lo)
	for i := lo; i < hi; i++ {
		at := handAt(i, len(plan))
		actor, ben, err := st.draw(i, &plan[i], at)
		if err != nil {
			return err
		}
		rows = append(rows, store.BulkHandOutRow{Distributor: actor, Beneficiary: ben, At: at})
	}
	return s.WriteAt(ctx, handAt(lo, len(plan)), func(tx *store.Tx) error {
		out, err := tx.BulkHandOut(ctx, st.programmeID, rows)
		if err != nil {
			return err
		}
		for k, h := range out {
			b := &plan[lo+k]
			b.codes = append(b.codes[:0], h.Codes[:b.uses]...)
		}
		return nil
	})
}

// use is one pass used.
type use struct {
	at    time.Time
	code  string
	place int
}

// redeem uses the passes in time order: the first at its day, the next
// ones a week or two apart, none after the programme's last redeeming
// day. It returns how many were used.
func redeem(ctx context.Context, s *store.Store, o Options, st *state, plan []booklet) (int, error) {
	end := time.Date(2026, 11, 30, 12, 0, 0, 0, passnum.Paris)
	var uses []use
	for i := range plan {
		b := &plan[i]
		at := b.first
		for _, code := range b.codes {
			if at.After(end) {
				break
			}
			uses = append(uses, use{at, code, b.place})
			at = at.Add(time.Duration(5+st.r.IntN(15)) * 24 * time.Hour)
		}
		b.codes = nil
	}
	sort.Slice(uses, func(i, j int) bool { return uses[i].at.Before(uses[j].at) })
	step := bulkTx
	if o.PerItem {
		step = perTx
	}
	for lo := 0; lo < len(uses); lo += step {
		hi := min(lo+step, len(uses))
		if err := st.redeemRange(ctx, s, o.PerItem, uses, lo, hi); err != nil {
			return lo, err
		}
		st.progress("Utilisations", hi, len(uses))
		if o.PerItem {
			if err := foldNow(ctx, s, lo); err != nil {
				return hi, err
			}
		}
	}
	return len(uses), nil
}

// redeemRange uses uses[lo:hi], every perTx of them at the instant of the
// first (a per-item transaction's).
func (st *state) redeemRange(ctx context.Context, s *store.Store, perItem bool, uses []use, lo, hi int) error {
	rows := make([]store.BulkRedeemRow, 0, hi-lo)
	for i, u := range uses[lo:hi] {
		at := uses[lo+i-(lo+i)%perTx].at
		rows = append(rows, store.BulkRedeemRow{Place: st.placeActors[u.place], Code: u.code, Service: passnum.NationalServices[st.r.IntN(4)], At: at})
	}
	return s.WriteAt(ctx, uses[lo].at, func(tx *store.Tx) error {
		if !perItem {
			return tx.BulkRedeem(ctx, rows)
		}
		for _, u := range rows {
			if _, err := tx.Redeem(ctx, u.Place, store.RedeemRequest{Code: u.Code, Service: u.Service}); err != nil {
				return err
			}
		}
		return nil
	})
}
