package web

import (
	"net/http"

	"passnum"
	"passnum/store"
)

// funderPages: what a funder (the Région, the State) follows of the
// programmes it pays for. Read only.
func funderPages() []*page {
	return []*page{
		{Method: "GET", Path: "/financeur", Access: staffOnly, Roles: funderRole, Handle: funderDashboard},
		{Method: "GET", Path: "/financeur/programmes/{id}", Access: staffOnly, Roles: funderRole, Handle: funderProgramme},
	}
}

// funderProgrammeView is one funded programme's consumption, with the
// signed-in funder's own part.
type funderProgrammeView struct {
	P           passnum.Programme
	Consumption store.Consumption
	// Own is this funder's share and amount.
	Own store.FunderConsumption
	// PassesUnused are handed out and neither redeemed nor blocked;
	// UnusedMasked when secrecy hides one of those.
	PassesUnused int64
	UnusedMasked bool
	// Ended: the last redeeming day is past, the unused passes expired.
	Ended bool
}

type funderDashboardView struct {
	Programmes  []funderProgrammeView
	Next, First string
}

func funderLoad(tx *store.Tx, q *request, p passnum.Programme) (funderProgrammeView, error) {
	v := funderProgrammeView{P: p}
	var err error
	// The months under statistical secrecy, as on the dashboard.
	if v.Consumption, err = tx.SecretConsumption(q.ctx(), p.ID); err != nil {
		return v, err
	}
	for _, f := range v.Consumption.Funders {
		if f.OrganisationID == q.org() {
			v.Own = f
		}
	}
	c := v.Consumption
	v.PassesUnused = max(0, c.PassesHandedOut-c.PassesRedeemed-c.PassesBlocked)
	v.UnusedMasked = c.HandedOutMasked || c.UsedMasked || c.BlockedMasked
	v.Ended = tx.Today().After(p.LastRedeemDay())
	return v, nil
}

func funderDashboard(q *request) error {
	p, err := opPageFrom(q)
	if err != nil {
		return err
	}
	var d funderDashboardView
	var next string
	if err := q.view(func(tx *store.Tx) error {
		list, n, err := tx.ListProgrammes(q.ctx(), q.org(), p)
		if err != nil {
			return err
		}
		next = n
		for _, pr := range list {
			v, err := funderLoad(tx, q, pr)
			if err != nil {
				return err
			}
			d.Programmes = append(d.Programmes, v)
		}
		return nil
	}); err != nil {
		return err
	}
	d.Next = opNextURL("/financeur", q.r.URL.Query(), next)
	d.First = opFirstURL("/financeur", q.r.URL.Query())
	return q.render(http.StatusOK, "funder/dashboard", "Consommation des programmes financés", d, nil)
}

func funderProgramme(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	var v funderProgrammeView
	if err := q.view(func(tx *store.Tx) error {
		// A programme this funder does not pay for reads as one that does
		// not exist.
		ok, err := tx.IsProgrammeFunder(q.ctx(), id, q.org())
		if err != nil {
			return err
		}
		if !ok {
			return passnum.NotFound("programme")
		}
		p, err := tx.Programme(q.ctx(), id)
		if err != nil {
			return err
		}
		v, err = funderLoad(tx, q, p)
		return err
	}); err != nil {
		return err
	}
	return q.render(http.StatusOK, "funder/programme", v.P.Name, v, nil)
}
