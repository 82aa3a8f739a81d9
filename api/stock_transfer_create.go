package api

import (
	"strings"

	"passnum/store"
)

type stockTransferRequest struct {
	FromDistributorID *string `json:"from_distributor_id" api:"required" doc:"distributeur dont les carnets non remis partent"`
	ToDistributorID   *string `json:"to_distributor_id" doc:"distributeur qui les reçoit ; absent ou null : retour au stock central du programme"`
	Booklets          *int64  `json:"booklets" api:"required" bound:"booklets"`
	Reason            *string `json:"reason" api:"required" doc:"pourquoi (structure fermée, carnets non distribués…), 500 caractères au plus"`
}

func createStockTransfer(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	var req stockTransferRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	var f fields
	from := f.id("from_distributor_id", req.FromDistributorID)
	to := ""
	if req.ToDistributorID != nil {
		to = f.id("to_distributor_id", req.ToDistributorID)
	}
	f.required("booklets", req.Booklets != nil)
	if err := f.Err(); err != nil {
		return nil, err
	}
	reason := strings.TrimSpace(deref(req.Reason))
	return func(tx *store.Tx) (any, error) {
		return tx.MoveStock(c.ctx(), c.actor, id, from, to, *req.Booklets, reason)
	}, nil
}
