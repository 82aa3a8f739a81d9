package web

import (
	"net/http"

	"passnum/store"
)

// digestPages show the signed daily digests of the chain of seals over the
// audit trail and the ledger, for the operator to keep outside the
// database or hand to the Région's accountant.
func digestPages() []*page {
	return []*page{
		{Method: "GET", Path: "/operateur/empreintes", Access: staffOnly, Roles: operatorRole, Handle: operatorDigests},
	}
}

// opDigestsView is the page's data: the newest digests first.
type opDigestsView struct {
	Digests []store.Digest
}

func operatorDigests(q *request) error {
	var v opDigestsView
	if err := q.view(func(tx *store.Tx) error {
		var err error
		v.Digests, err = tx.ListDigests(q.ctx(), 60)
		return err
	}); err != nil {
		return err
	}
	return q.render(http.StatusOK, "operator/digests", "Empreintes du journal et du grand livre", v, nil)
}
