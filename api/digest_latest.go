package api

import (
	"passnum"
	"passnum/store"
)

// latestDigest answers the newest signed daily digest of the chain of
// seals over the audit trail and the ledger: what an outsider keeps to
// check later with "passnum check --digest".
func latestDigest(c *call) (func(*store.Tx) (any, error), error) {
	return func(tx *store.Tx) (any, error) {
		d, found, err := tx.LatestDigest(c.ctx())
		if err != nil {
			return nil, err
		}
		if !found {
			return nil, passnum.Errorf(passnum.ENOTFOUND, "Aucune empreinte signée pour l'instant : le serveur en signe une à son démarrage, puis chaque jour.")
		}
		return d, nil
	}, nil
}
