package api

import (
	"passnum"
	"passnum/store"
)

type redeemRequest struct {
	Service   *string `json:"service" doc:"service délivré, libellé exact du référentiel national ; obligatoire sans session, par défaut celui de la formation de la session"`
	SiteID    *string `json:"site_id" doc:"site (point de présence) du lieu où la formation a eu lieu ; par défaut celui de la session, ou le seul site du lieu s'il n'en a qu'un"`
	SessionID *string `json:"session_id" doc:"session de formation ; une formation qui demande N pass encaisse en une fois ce pass et N−1 autres pass du même bénéficiaire, tous ou aucun"`
}

// redeemResponse is the scanned pass's redemption and, for a training of
// several passes, all of them.
type redeemResponse struct {
	passnum.Redemption
	Redemptions []passnum.Redemption `json:"redemptions,omitempty" doc:"les encaissements de la formation, quand elle demande plusieurs pass : le pass présenté d'abord"`
}

func newRedeemResponse(out store.Redeemed) redeemResponse {
	res := redeemResponse{Redemption: out.Redemptions[0]}
	if len(out.Redemptions) > 1 {
		res.Redemptions = out.Redemptions
	}
	return res
}

// report counts the redemptions once they are committed.
func (r redeemResponse) report(ev passnum.Events) {
	all := r.Redemptions
	if len(all) == 0 {
		all = []passnum.Redemption{r.Redemption}
	}
	var cents int64
	for _, x := range all {
		cents += x.AmountCents
	}
	ev.Redeemed(len(all), cents)
}

func redeem(c *call) (func(*store.Tx) (any, error), error) {
	code, err := c.code()
	if err != nil {
		return nil, err
	}
	var req redeemRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	// Which of service and session_id is required is the store's rule.
	var f fields
	if req.SiteID != nil && !passnum.ValidID(*req.SiteID) {
		f.Add("site_id", "site inconnu")
	}
	if req.SessionID != nil && !passnum.ValidID(*req.SessionID) {
		f.Add("session_id", "session inconnue")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	r := store.RedeemRequest{Code: code, Service: deref(req.Service), SiteID: deref(req.SiteID), SessionID: deref(req.SessionID)}
	// Without an Idempotency-Key, the redemption is the write's only step:
	// the store may redeem it together with concurrent ones.
	c.direct = func(s *store.Store) (any, error) {
		out, err := s.RedeemGrouped(c.ctx(), c.actor, r)
		if err != nil {
			return nil, err
		}
		return newRedeemResponse(out), nil
	}
	return func(tx *store.Tx) (any, error) {
		out, err := tx.RedeemTraining(c.ctx(), c.actor, r)
		if err != nil {
			return nil, err
		}
		return newRedeemResponse(out), nil
	}, nil
}
