package api

import (
	"passnum/store"
)

// getSiteCard is a site's public card: what the open-data row holds, who
// runs it, whether it accepts the pass and its sessions with seats left.
func getSiteCard(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		card, err := tx.SiteCard(c.ctx(), id)
		if err != nil {
			return nil, err
		}
		return siteCardAnswer(card), nil
	}, nil
}
