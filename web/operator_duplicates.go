package web

import (
	"net/http"

	"passnum/store"
)

// The operator's list of the hand-outs a counsellor confirmed although the
// same person (same names and birth date) already held a booklet of the
// programme in another agency: who may have been served twice, to follow
// up with the agencies.

type opDuplicatesView struct {
	Count       int64
	Cases       []store.DuplicateConfirmation
	Next, First string
}

func operatorDuplicates(q *request) error {
	p, err := opPageFrom(q)
	if err != nil {
		return err
	}
	var v opDuplicatesView
	var next string
	if err := q.view(func(tx *store.Tx) error {
		var err error
		if v.Count, err = tx.CountDuplicateConfirmations(q.ctx(), ""); err != nil {
			return err
		}
		v.Cases, next, err = tx.ListDuplicateConfirmations(q.ctx(), p)
		return err
	}); err != nil {
		return err
	}
	v.Next = opNextURL("/operateur/doublons", q.r.URL.Query(), next)
	v.First = opFirstURL("/operateur/doublons", q.r.URL.Query())
	return q.render(http.StatusOK, "operator/duplicates", "Carnets remis malgré un carnet reçu ailleurs", v, nil)
}
