// Package demo fills an empty database with a realistic Pass numérique
// scheme in Bourgogne-Franche-Comté: the 2022-2023 programme with its
// history at the dates it happened, a current programme in use, the
// places' applications, sites, bank details, catalogues and sessions with
// seats booked, and one API key per role, so that "passnum serve --demo"
// can be tried at once.
//
// Everything goes through the store's transactions, so the audit trail
// tells the story too.
package demo

import (
	"context"
	"errors"
	"time"

	"passnum"
	"passnum/store"
)

// ErrNotEmpty refuses to seed a database that already holds data.
var ErrNotEmpty = errors.New("la base contient déjà des données : la démonstration ne se charge que dans une base vide")

// DemoKey is a demo API key and the organisation it acts for.
type DemoKey struct {
	Secret           string
	OrganisationID   string
	OrganisationName string
	// Email is the demo account of that organisation, whose password is
	// Password.
	Email string
}

// Password is the demo accounts' password.
const Password = "demo-passnum"

// accounts are the people of the demo, one per role.
var accounts = map[passnum.Role]struct{ Email, Name string }{
	passnum.RoleOperator:    {"operateur@passnum.example", "Camille Roussel"},
	passnum.RoleFunder:      {"financeur@passnum.example", "Hélène Vautrin"},
	passnum.RoleDistributor: {"conseiller@passnum.example", "Karim Benali"},
	passnum.RolePlace:       {"lieu@passnum.example", "Julie Perrin"},
}

// Summary tells what Seed wrote and how to try it.
type Summary struct {
	// Keys by role name: "operator", "funder", "distributor", "place".
	Keys map[string]DemoKey
	// Beneficiary holds unused passes in the current programme. PassCode
	// is canonical (no dashes); BirthDate is YYYY-MM-DD.
	Beneficiary struct{ FirstName, PassCode, BirthDate string }
	// CurrentProgramme is the name of the programme open today.
	CurrentProgramme string
	// Again is true when the demonstration was already in the database
	// (Again): only the accesses are known, the counts below are zero.
	Again bool

	Programmes, Organisations, Beneficiaries int
	// Passes counts the passes issued.
	Passes int
	// Redemptions counts every redemption, Cancelled those cancelled since.
	Redemptions, Cancelled int
	// Sites counts the places' sites, Trainings their catalogues' entries.
	Sites, Trainings int
	// PastSessions have taken place; UpcomingSessions start within the
	// next weeks, where Bookings seats are booked.
	PastSessions, UpcomingSessions, Bookings int
	// Settlements counts the monthly settlements of the places, Paid those
	// paid and Sent those sent to the bank and awaiting their payment.
	Settlements, SettlementsPaid, SettlementsSent int
}

// Empty reports whether the database holds no organisation yet.
func Empty(ctx context.Context, s *store.Store) (bool, error) {
	var empty bool
	err := s.View(ctx, func(tx *store.Tx) error {
		var err error
		empty, err = isEmpty(ctx, tx)
		return err
	})
	return empty, err
}

func isEmpty(ctx context.Context, tx *store.Tx) (bool, error) {
	orgs, _, err := tx.ListOrganisations(ctx, "", "", store.Page{Limit: 1})
	return len(orgs) == 0, err
}

// Seed fills an empty database with a realistic Bourgogne-Franche-Comté
// scheme; now is "today". It refuses (ErrNotEmpty) when the database
// already holds data.
func Seed(ctx context.Context, s *store.Store, now time.Time) (Summary, error) {
	if empty, err := Empty(ctx, s); err != nil {
		return Summary{}, err
	} else if !empty {
		return Summary{}, ErrNotEmpty
	}
	p, err := newPlan(now)
	if err != nil {
		return Summary{}, err
	}
	keys, err := p.run(ctx, s)
	if err != nil {
		return Summary{}, err
	}
	sum := Summary{
		Keys:             keys,
		CurrentProgramme: p.current.p.Name,
		Programmes:       2,
		Organisations:    len(p.organisationsInOrder()),
		Beneficiaries:    len(p.beneficiaries),
		Passes:           int(p.past.booklets)*p.past.p.BookletSize + int(p.current.booklets)*p.current.p.BookletSize,
		Redemptions:      len(p.redemptions),
	}
	for _, r := range p.redemptions {
		if !r.cancelAt.IsZero() {
			sum.Cancelled++
		}
	}
	for _, pl := range p.places {
		sum.Sites += len(pl.file.sites)
		sum.Trainings += len(pl.file.trainings)
	}
	for _, se := range p.sessions {
		if se.upcoming {
			sum.UpcomingSessions++
		} else {
			sum.PastSessions++
		}
	}
	for _, bk := range p.bookings {
		if bk.session.upcoming {
			sum.Bookings++
		}
	}
	for _, r := range p.runs {
		if r.id == "" {
			continue
		}
		sum.Settlements++
		if r.paidAt.IsZero() {
			sum.SettlementsSent++
		} else {
			sum.SettlementsPaid++
		}
	}
	b := p.showcase.ben.b
	sum.Beneficiary.FirstName = b.FirstName
	sum.Beneficiary.BirthDate = b.BirthDate.String()
	sum.Beneficiary.PassCode = p.showcase.codes[1] // the first one is used
	return sum, nil
}
