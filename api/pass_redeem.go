package api

import (
	"time"

	"passnum"
	"passnum/store"
)

type redeemRequest struct {
	Service   *string `json:"service" doc:"service délivré, libellé exact du référentiel national ; obligatoire sans session, par défaut celui de la formation de la session"`
	SiteID    *string `json:"site_id" doc:"site (point de présence) du lieu où la formation a eu lieu ; par défaut celui de la session"`
	SessionID *string `json:"session_id" doc:"session de formation ; une formation qui demande N pass encaisse en une fois ce pass et N−1 autres pass du même bénéficiaire, tous ou aucun"`
}

// redeemResponse is the scanned pass's redemption, as before sessions
// existed, and, for a training of several passes, all of them.
type redeemResponse struct {
	ID           string               `json:"redemption_id"`
	Code         string               `json:"code"`
	ProgrammeID  string               `json:"programme_id"`
	PlaceID      string               `json:"place_id"`
	Service      string               `json:"service"`
	RedeemedAt   time.Time            `json:"redeemed_at"`
	AmountCents  int64                `json:"amount_cents"`
	Status       string               `json:"status"`
	CancelledAt  *time.Time           `json:"cancelled_at,omitempty"`
	CancelReason string               `json:"cancel_reason,omitempty"`
	SiteID       string               `json:"site_id,omitempty"`
	SessionID    string               `json:"session_id,omitempty"`
	Redemptions  []passnum.Redemption `json:"redemptions,omitempty" doc:"les encaissements de la formation, quand elle demande plusieurs pass : le pass présenté d'abord"`
}

func newRedeemResponse(out store.Redeemed) redeemResponse {
	r := out.Redemptions[0]
	res := redeemResponse{ID: r.ID, Code: r.Code, ProgrammeID: r.ProgrammeID, PlaceID: r.PlaceID, Service: r.Service, RedeemedAt: r.RedeemedAt,
		AmountCents: r.AmountCents, Status: r.Status, CancelledAt: r.CancelledAt, CancelReason: r.CancelReason, SiteID: out.SiteID, SessionID: out.SessionID}
	if len(out.Redemptions) > 1 {
		res.Redemptions = out.Redemptions
	}
	return res
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
	var f fields
	if req.Service == nil && req.SessionID == nil {
		f.Add("service", "champ obligatoire sans session : le service délivré, libellé exact du référentiel national")
	}
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
	return func(tx *store.Tx) (any, error) {
		out, err := tx.RedeemTraining(c.ctx(), c.actor, r)
		if err != nil {
			return nil, err
		}
		return newRedeemResponse(out), nil
	}, nil
}
