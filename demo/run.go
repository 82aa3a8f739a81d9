package demo

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"passnum"
	"passnum/store"
)

// step is one write at the instant it really happened.
type step struct {
	at    time.Time
	what  string  // French, for the error message
	after []*step // steps whose writes this one needs
	do    func(ctx context.Context, tx *store.Tx) error
	done  chan struct{}
}

// runSteps writes each step in its own transaction, as soon as the steps
// it needs are written. Running independent steps together lets SQLite
// commit many of them in one fsync (group commit) and PostgreSQL use
// several connections: that is what keeps seeding to a few seconds.
func runSteps(ctx context.Context, s *store.Store, steps []*step) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// SQLite: as many as the writer batches. PostgreSQL: a few, since
	// hand-outs of one distributor queue on its stock row anyway.
	parallel := 256
	if s.Engine() == "postgres" {
		parallel = 8
	}
	slots := make(chan struct{}, parallel)
	for _, st := range steps {
		st.done = make(chan struct{})
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for _, st := range steps {
		wg.Go(func() {
			for _, dep := range st.after {
				select {
				case <-dep.done:
				case <-ctx.Done():
					return
				}
			}
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return
			}
			err := s.WriteAt(ctx, st.at, func(tx *store.Tx) error { return st.do(ctx, tx) })
			<-slots
			if err != nil {
				mu.Lock()
				if first == nil {
					first = fmt.Errorf("démo : %s (%s) : %w", st.what, st.at.In(passnum.Paris).Format("02/01/2006 15:04"), err)
				}
				mu.Unlock()
				cancel()
				return
			}
			close(st.done)
		})
	}
	wg.Wait()
	return first
}

// run writes the plan: the set-up one step after the other in date
// order, then the hand-outs, redemptions and cancellations, each after
// what it needs, then today's API keys.
func (p *plan) run(ctx context.Context, s *store.Store) (map[string]DemoKey, error) {
	setup := p.setupSteps()
	slices.SortStableFunc(setup, func(a, b *step) int { return a.at.Compare(b.at) })
	for i := 1; i < len(setup); i++ {
		setup[i].after = []*step{setup[i-1]}
	}
	if err := runSteps(ctx, s, setup); err != nil {
		return nil, err
	}
	if err := runSteps(ctx, s, p.activitySteps()); err != nil {
		return nil, err
	}
	keys := map[string]DemoKey{}
	err := s.WriteAt(ctx, p.now, func(tx *store.Tx) error {
		for _, o := range []*orgPlan{p.operator, p.region, p.distributors[0], p.places[0]} {
			_, secret, err := tx.CreateKey(ctx, p.operator.actor(), o.id, "démo")
			if err != nil {
				return err
			}
			keys[string(o.n.Kind)] = DemoKey{Secret: secret, OrganisationID: o.id, OrganisationName: o.n.Name}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("démo : clés d'API : %w", err)
	}
	return keys, nil
}

func (p *plan) setupSteps() []*step {
	var steps []*step
	op := func() passnum.Actor { return p.operator.actor() }
	create := func(o *orgPlan) func(ctx context.Context, tx *store.Tx) error {
		return func(ctx context.Context, tx *store.Tx) error {
			created, err := tx.CreateOrganisation(ctx, op(), o.n)
			o.id = created.ID
			return err
		}
	}

	// The emptiness check shares the first transaction, so that two seeds
	// started together on SQLite cannot both fill the database.
	steps = append(steps, &step{at: p.coreAt, what: "création de l'opérateur, des financeurs et des distributeurs", do: func(ctx context.Context, tx *store.Tx) error {
		if empty, err := isEmpty(ctx, tx); err != nil {
			return err
		} else if !empty {
			return ErrNotEmpty
		}
		system := passnum.SystemActor
		system.ID = "demo"
		created, err := tx.CreateOrganisation(ctx, system, p.operator.n)
		if err != nil {
			return err
		}
		p.operator.id = created.ID
		for _, o := range append([]*orgPlan{p.region, p.state}, p.distributors...) {
			if o.current {
				continue
			}
			if err := create(o)(ctx, tx); err != nil {
				return err
			}
		}
		return nil
	}})
	for _, d := range p.distributors {
		if d.current {
			steps = append(steps, &step{at: d.createdAt, what: "inscription de « " + d.n.Name + " »", do: create(d)})
		}
	}

	commissions := map[time.Time][]*orgPlan{}
	for _, pl := range p.places {
		steps = append(steps, &step{at: pl.createdAt, what: "candidature du lieu « " + pl.n.Name + " »", do: create(pl)})
		if !pl.labelledAt.IsZero() {
			commissions[pl.labelledAt] = append(commissions[pl.labelledAt], pl)
		}
	}
	for at, places := range commissions {
		reason := "Commission de labellisation du " + frDate(passnum.ParisDate(at)) + " : dossier complet, charte signée, services conformes au référentiel national."
		steps = append(steps, &step{at: at, what: "labellisation des lieux", do: func(ctx context.Context, tx *store.Tx) error {
			for _, pl := range places {
				if _, err := tx.SetPlaceStatus(ctx, op(), pl.id, passnum.OrgLabelled, reason); err != nil {
					return err
				}
			}
			return nil
		}})
	}

	for _, pr := range []*programmePlan{p.past, p.current} {
		steps = append(steps,
			&step{at: pr.createdAt, what: "création du programme « " + pr.p.Name + " »", do: func(ctx context.Context, tx *store.Tx) error {
				def := pr.p
				def.Funders = []passnum.FunderShare{{OrganisationID: p.region.id, ShareBps: 5000}, {OrganisationID: p.state.id, ShareBps: 5000}}
				created, err := tx.CreateProgramme(ctx, op(), def)
				pr.id = created.ID
				return err
			}},
			&step{at: pr.issuedAt, what: "émission des carnets de « " + pr.p.Name + " »", do: func(ctx context.Context, tx *store.Tx) error {
				_, err := tx.Issue(ctx, op(), pr.id, pr.booklets)
				return err
			}},
			&step{at: pr.allocatedAt, what: "dotation initiale des distributeurs", do: func(ctx context.Context, tx *store.Tx) error {
				for _, a := range pr.allocations {
					if a.topUp {
						continue
					}
					if _, err := tx.Allocate(ctx, op(), pr.id, a.dist.id, a.booklets); err != nil {
						return err
					}
				}
				return nil
			}})
	}
	return steps
}

// activitySteps are the hand-outs, top-up allocations, redemptions,
// cancellations and the suspension. A top-up waits for the hand-outs
// before it, and the hand-outs after it wait for it, so that every booklet
// is allocated before it is handed out; a redemption waits for its
// booklet, a cancellation for its redemption, a suspension for the
// place's redemptions.
func (p *plan) activitySteps() []*step {
	var steps []*step
	add := func(st *step) *step {
		steps = append(steps, st)
		return st
	}
	type stock struct {
		prog *programmePlan
		dist *orgPlan
	}
	topUps := map[stock]*step{}
	for _, pr := range []*programmePlan{p.past, p.current} {
		for _, a := range pr.allocations {
			if a.topUp {
				topUps[stock{pr, a.dist}] = add(&step{at: a.at, what: "dotation complémentaire de « " + a.dist.n.Name + " »", do: func(ctx context.Context, tx *store.Tx) error {
					_, err := tx.Allocate(ctx, p.operator.actor(), pr.id, a.dist.id, a.booklets)
					return err
				}})
			}
		}
	}
	handOuts := map[*handOutPlan]*step{}
	registered := map[*beneficiaryPlan]*step{}
	for _, ho := range p.handOuts {
		dist := ho.ben.dist
		st := add(&step{at: ho.at, what: "remise d'un carnet par « " + dist.n.Name + " »", do: func(ctx context.Context, tx *store.Tx) error {
			actor := dist.actor()
			if ho.register {
				b, err := tx.CreateBeneficiary(ctx, actor, ho.ben.b)
				if err != nil {
					return err
				}
				ho.ben.id = b.ID
			}
			bk, err := tx.HandOut(ctx, actor, ho.ben.id, ho.prog.id)
			if err != nil {
				return err
			}
			ho.codes = ho.codes[:0]
			for _, ps := range bk.Passes {
				ho.codes = append(ho.codes, ps.Code)
			}
			return nil
		}})
		if ho.register {
			registered[ho.ben] = st
		} else {
			st.after = append(st.after, registered[ho.ben])
		}
		if top, ok := topUps[stock{ho.prog, dist}]; ok {
			if ho.at.Before(top.at) {
				top.after = append(top.after, st)
			} else {
				st.after = append(st.after, top)
			}
		}
		handOuts[ho] = st
	}
	atPlace := map[*orgPlan][]*step{}
	for _, rp := range p.redemptions {
		pl := rp.place
		st := add(&step{at: rp.at, what: "encaissement par « " + pl.n.Name + " »", after: []*step{handOuts[rp.ho]}, do: func(ctx context.Context, tx *store.Tx) error {
			r, err := tx.Redeem(ctx, pl.actor(), store.RedeemRequest{Code: rp.ho.codes[rp.pass], Service: rp.service})
			rp.id = r.ID
			return err
		}})
		atPlace[pl] = append(atPlace[pl], st)
		if !rp.cancelAt.IsZero() {
			atPlace[pl] = append(atPlace[pl], add(&step{at: rp.cancelAt, what: "annulation d'un encaissement par « " + pl.n.Name + " »", after: []*step{st}, do: func(ctx context.Context, tx *store.Tx) error {
				_, err := tx.CancelRedemption(ctx, pl.actor(), rp.id, rp.cancelReason)
				return err
			}}))
		}
	}
	for _, pl := range p.places {
		if !pl.suspendedAt.IsZero() {
			add(&step{at: pl.suspendedAt, what: "suspension de « " + pl.n.Name + " »", after: atPlace[pl], do: func(ctx context.Context, tx *store.Tx) error {
				_, err := tx.SetPlaceStatus(ctx, p.operator.actor(), pl.id, passnum.OrgSuspended, suspendReason)
				return err
			}})
		}
	}
	return steps
}
