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
	// settles marks what a settlement run must see in time order: the
	// steps it settles or that change who is paid (see settlementSteps).
	settles bool
	do      func(ctx context.Context, tx *store.Tx) error
	done    chan struct{}
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
	activity := p.activitySteps()
	reminders := p.reminderSteps(activity)
	activity = append(activity, p.settlementSteps(activity)...)
	activity = append(activity, reminders...)
	if err := runSteps(ctx, s, activity); err != nil {
		return nil, err
	}
	keys := map[string]DemoKey{}
	orgs := []*orgPlan{p.operator, p.region, p.distributors[0], p.places[0]}
	// Hashing is slow on purpose: done before the write, one salt each.
	hashes := make([]string, len(orgs))
	for i := range orgs {
		hashes[i] = passnum.HashPassword(Password)
	}
	err := s.WriteAt(ctx, p.now, func(tx *store.Tx) error {
		for i, o := range orgs {
			_, secret, err := tx.CreateKey(ctx, p.operator.actor(), o.id, keyName)
			if err != nil {
				return err
			}
			acc := accounts[o.n.Kind]
			u, err := tx.CreateUser(ctx, p.operator.actor(), passnum.NewUser{OrganisationID: o.id, Email: acc.Email, Name: acc.Name})
			if err != nil {
				return err
			}
			if err := tx.SetPassword(ctx, p.operator.actor(), u.ID, hashes[i]); err != nil {
				return err
			}
			keys[string(o.n.Kind)] = DemoKey{Secret: secret, OrganisationID: o.id, OrganisationName: o.n.Name, Email: acc.Email}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("démo : clés d'API : %w", err)
	}
	return keys, nil
}

func (p *plan) setupSteps() []*step {
	return slices.Concat(p.organisationSteps(), p.placeSteps(), p.programmeSteps())
}

// op is the demo's operator acting.
func (p *plan) op() passnum.Actor { return p.operator.actor() }

// organisationSteps create the operator, the funders and the
// distributors (the latest of them later, each on its own day).
func (p *plan) organisationSteps() []*step {
	var steps []*step
	create := func(o *orgPlan) func(ctx context.Context, tx *store.Tx) error {
		return func(ctx context.Context, tx *store.Tx) error {
			created, err := tx.CreateOrganisation(ctx, p.op(), o.n)
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

	return steps
}

// placeSteps are the places' applications and, grouped by commission,
// their labelling.
func (p *plan) placeSteps() []*step {
	var steps []*step
	commissions := map[time.Time][]*orgPlan{}
	for _, pl := range p.places {
		steps = append(steps, &step{at: pl.createdAt, what: "candidature du lieu « " + pl.n.Name + " »", do: func(ctx context.Context, tx *store.Tx) error {
			// The public application route's own path: profile, first
			// site and bank details, pending until the commission.
			rc, err := tx.ApplyForLabel(ctx, pl.file.app)
			pl.id, pl.file.sites[0].id = rc.Organisation.ID, rc.Site.ID
			return err
		}})
		if !pl.labelledAt.IsZero() {
			commissions[pl.labelledAt] = append(commissions[pl.labelledAt], pl)
		}
	}
	for at, places := range commissions {
		reason := "Commission de labellisation du " + frDate(passnum.ParisDate(at)) + " : dossier complet, charte signée, services conformes au référentiel national."
		steps = append(steps, &step{at: at, what: "labellisation des lieux", do: func(ctx context.Context, tx *store.Tx) error {
			for _, pl := range places {
				if _, err := tx.SetPlaceStatus(ctx, p.op(), pl.id, passnum.OrgLabelled, reason); err != nil {
					return err
				}
			}
			return nil
		}})
	}

	return steps
}

// programmeSteps create the past and the current programme, issue their
// booklets and make the first allocations.
func (p *plan) programmeSteps() []*step {
	var steps []*step
	for _, pr := range []*programmePlan{p.past, p.current} {
		steps = append(steps,
			&step{at: pr.createdAt, what: "création du programme « " + pr.p.Name + " »", do: func(ctx context.Context, tx *store.Tx) error {
				def := pr.p
				def.Funders = []passnum.FunderShare{{OrganisationID: p.region.id, ShareBps: 5000}, {OrganisationID: p.state.id, ShareBps: 5000}}
				budget := int64(demoBudgetCents)
				def.BudgetCents, def.Payer, def.HandoutUntil = &budget, payer, pr.handOutUntil
				if pr == p.current {
					def.HandoutUntil = pr.p.ValidUntil
				}
				created, err := tx.CreateProgramme(ctx, p.op(), def)
				pr.id = created.ID
				return err
			}},
			&step{at: pr.issuedAt, what: "émission des carnets de « " + pr.p.Name + " »", do: func(ctx context.Context, tx *store.Tx) error {
				_, err := tx.Issue(ctx, p.op(), pr.id, pr.booklets)
				return err
			}},
			&step{at: pr.allocatedAt, what: "dotation initiale des distributeurs", do: func(ctx context.Context, tx *store.Tx) error {
				for _, a := range pr.allocations {
					if a.topUp {
						continue
					}
					if _, err := tx.Allocate(ctx, p.op(), pr.id, a.dist.id, a.booklets); err != nil {
						return err
					}
				}
				return nil
			}})
	}
	return steps
}

// activitySteps are the hand-outs, top-up allocations, places' catalogues,
// second sites, site updates and bank changes, sessions, bookings,
// redemptions, cancellations and the suspension. A top-up waits for the
// hand-outs before it, and the hand-outs after it wait for it, so that
// every booklet is allocated before it is handed out; a session waits for
// its catalogue and site, a redemption for its booklet, site and session, a
// booking for the booklet and the session, a cancellation for its
// redemption, a suspension for everything at the place that needs the
// label.
func (p *plan) activitySteps() []*step {
	b := &activityBuilder{p: p, topUps: map[stockKey]*step{}, handOuts: map[*handOutPlan]*step{}, atPlace: map[*orgPlan][]*step{},
		catalogues: map[*orgPlan]*step{}, opened: map[*sitePlan]*step{}, sessions: map[*sessionPlan]*step{}}
	b.topUpSteps()
	b.handOutSteps()
	b.placeFileSteps()
	b.sessionSteps()
	b.bookingSteps()
	b.redemptionSteps()
	b.suspensionSteps()
	return b.steps
}

// activityBuilder gathers the activity's steps and, to order them, the
// steps each later one waits for.
type activityBuilder struct {
	p          *plan
	steps      []*step
	topUps     map[stockKey]*step     // a distributor's top-up of a programme
	handOuts   map[*handOutPlan]*step // each hand-out
	atPlace    map[*orgPlan][]*step   // what needs a place's label
	catalogues map[*orgPlan]*step     // a place's trainings
	opened     map[*sitePlan]*step    // a second site's opening
	sessions   map[*sessionPlan]*step // each session
}

// stockKey is one distributor's stock of one programme.
type stockKey struct {
	prog *programmePlan
	dist *orgPlan
}

func (b *activityBuilder) add(st *step) *step {
	b.steps = append(b.steps, st)
	return st
}

// siteStep is the step that opens a site, nil for a first site (opened
// with the application, before any activity).
func (b *activityBuilder) siteStep(s *sitePlan) []*step {
	if st, ok := b.opened[s]; ok {
		return []*step{st}
	}
	return nil
}

// topUpSteps are the top-up allocations.
func (b *activityBuilder) topUpSteps() {
	p := b.p
	for _, pr := range []*programmePlan{p.past, p.current} {
		for _, a := range pr.allocations {
			if a.topUp {
				b.topUps[stockKey{pr, a.dist}] = b.add(&step{at: a.at, what: "dotation complémentaire de « " + a.dist.n.Name + " »", do: func(ctx context.Context, tx *store.Tx) error {
					_, err := tx.Allocate(ctx, p.operator.actor(), pr.id, a.dist.id, a.booklets)
					return err
				}})
			}
		}
	}
}

// handOutSteps hand out the booklets, registering the beneficiary at the
// first; a top-up waits for the hand-outs before it, the later ones for it.
func (b *activityBuilder) handOutSteps() {
	p := b.p
	registered := map[*beneficiaryPlan]*step{}
	for _, ho := range p.handOuts {
		dist := ho.ben.dist
		st := b.add(&step{at: ho.at, what: "remise d'un carnet par « " + dist.n.Name + " »", do: func(ctx context.Context, tx *store.Tx) error {
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
		if top, ok := b.topUps[stockKey{ho.prog, dist}]; ok {
			if ho.at.Before(top.at) {
				top.after = append(top.after, st)
			} else {
				st.after = append(st.after, top)
			}
		}
		b.handOuts[ho] = st
	}
}

// placeFileSteps are what the places do to their file: catalogue, second
// sites, site updates, bank changes.
func (b *activityBuilder) placeFileSteps() {
	p := b.p
	for _, pl := range p.places {
		f := pl.file
		if !f.catalogueAt.IsZero() {
			b.catalogues[pl] = b.add(&step{at: f.catalogueAt, what: "catalogue de « " + pl.n.Name + " »", do: func(ctx context.Context, tx *store.Tx) error {
				for _, t := range f.trainings {
					created, err := tx.CreateTraining(ctx, pl.actor(), t.t)
					if err != nil {
						return err
					}
					t.id = created.ID
				}
				return nil
			}})
		}
		for _, s := range f.sites[1:] {
			b.opened[s] = b.add(&step{at: s.openedAt, what: "ouverture du site « " + s.n.Name + " »", do: func(ctx context.Context, tx *store.Tx) error {
				created, err := tx.CreateSite(ctx, pl.actor(), pl.id, s.n)
				s.id = created.ID
				return err
			}})
		}
		for _, s := range f.sites {
			if !s.refreshAt.IsZero() {
				b.add(&step{at: s.refreshAt, what: "mise à jour d'un site de « " + pl.n.Name + " »", after: b.siteStep(s), do: func(ctx context.Context, tx *store.Tx) error {
					_, err := tx.UpdateSite(ctx, pl.actor(), s.id, pl.id, s.refresh)
					return err
				}})
			}
		}
		if c := f.bankChange; c != nil {
			proposed := b.add(&step{at: c.at, settles: true, what: "changement de coordonnées bancaires de « " + pl.n.Name + " »", do: func(ctx context.Context, tx *store.Tx) error {
				b, err := tx.ProposeBankAccount(ctx, pl.actor(), pl.id, c.n)
				c.id = b.ID
				return err
			}})
			if !c.approvedAt.IsZero() {
				b.add(&step{at: c.approvedAt, settles: true, what: "validation des coordonnées bancaires de « " + pl.n.Name + " »", after: []*step{proposed}, do: func(ctx context.Context, tx *store.Tx) error {
					_, err := tx.ApproveBankAccount(ctx, p.operator.actor(), c.id, "RIB vérifié : nouveau compte au nom de la structure.")
					return err
				}})
			}
		}
	}
}

// sessionSteps programme the sessions, after their catalogue and site.
func (b *activityBuilder) sessionSteps() {
	p := b.p
	for _, se := range p.sessions {
		pl := se.training.place
		b.sessions[se] = b.add(&step{at: se.createdAt, what: "programmation d'une session par « " + pl.n.Name + " »",
			after: append(b.siteStep(se.site), b.catalogues[pl]), do: func(ctx context.Context, tx *store.Tx) error {
				created, err := tx.CreateSession(ctx, pl.actor(), se.training.id, passnum.NewSession{SiteID: se.site.id, StartsAt: se.startsAt, EndsAt: se.endsAt, Capacity: se.capacity})
				se.id = created.ID
				return err
			}})
		b.atPlace[pl] = append(b.atPlace[pl], b.sessions[se])
	}
}

// bookingSteps book seats, after the booklet and the session.
func (b *activityBuilder) bookingSteps() {
	p := b.p
	for _, bk := range p.bookings {
		dist := bk.ho.ben.dist
		st := b.add(&step{at: bk.at, what: "réservation d'une place par « " + dist.n.Name + " »", after: []*step{b.sessions[bk.session], b.handOuts[bk.ho]}, do: func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.Book(ctx, dist.actor(), bk.session.id, bk.ho.ben.id)
			return err
		}})
		b.atPlace[bk.session.training.place] = append(b.atPlace[bk.session.training.place], st)
	}
}

// redemptionSteps encash passes, after the booklet, the site and the
// session, and cancel some.
func (b *activityBuilder) redemptionSteps() {
	p := b.p
	for _, rp := range p.redemptions {
		pl := rp.place
		after := append(b.siteStep(rp.site), b.handOuts[rp.ho])
		if rp.session != nil {
			after = append(after, b.sessions[rp.session])
		}
		st := b.add(&step{at: rp.at, settles: true, what: "encaissement par « " + pl.n.Name + " »", after: after, do: func(ctx context.Context, tx *store.Tx) error {
			req := store.RedeemRequest{Code: rp.ho.codes[rp.pass], Service: rp.service, SiteID: rp.site.id}
			if rp.session != nil {
				req.SessionID = rp.session.id
			}
			r, err := tx.Redeem(ctx, pl.actor(), req)
			rp.id = r.ID
			return err
		}})
		b.atPlace[pl] = append(b.atPlace[pl], st)
		if !rp.cancelAt.IsZero() {
			b.atPlace[pl] = append(b.atPlace[pl], b.add(&step{at: rp.cancelAt, settles: true, what: "annulation d'un encaissement par « " + pl.n.Name + " »", after: []*step{st}, do: func(ctx context.Context, tx *store.Tx) error {
				_, err := tx.CancelRedemption(ctx, pl.actor(), rp.id, rp.cancelReason)
				return err
			}}))
		}
	}
}

// suspensionSteps suspend places, after everything there that needs the
// label.
func (b *activityBuilder) suspensionSteps() {
	p := b.p
	for _, pl := range p.places {
		if !pl.suspendedAt.IsZero() {
			b.add(&step{at: pl.suspendedAt, settles: true, what: "suspension de « " + pl.n.Name + " »", after: b.atPlace[pl], do: func(ctx context.Context, tx *store.Tx) error {
				_, err := tx.SetPlaceStatus(ctx, p.operator.actor(), pl.id, passnum.OrgSuspended, suspendReason)
				return err
			}})
		}
	}
}
