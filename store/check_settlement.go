package store

import (
	"context"
	"strings"

	"passnum"
)

// The invariants of the money paid to places, each a few set-based
// queries. A composite key (settlement/place, place/programme) is reported
// as "a/b", read with splitKey.

func splitKey(k string) (string, string) {
	a, b, _ := strings.Cut(k, "/")
	return a, b
}

// checkSettlements: a settlement's total is the sum of its paid lines; a
// line belongs to its settlement's programme and number, pays exactly the
// redemptions and corrections that name its settlement and place, obeys
// amount + carried_out = redemptions + adjustments + carried_in with
// amount ≥ 0 ≥ carried_out, and carries in what the place's previous line
// of the programme carried out; a settlement holds no redemption redeemed
// after its cut-off, nor one of another programme.
func (tx *Tx) checkSettlements(ctx context.Context) (*Violation, error) {
	for _, part := range []func(*Tx, context.Context) (*Violation, error){
		(*Tx).checkSettlementTotals,
		(*Tx).checkSettlementLineSums,
		(*Tx).checkSettlementLineCounts,
		(*Tx).checkSettlementCarries,
		(*Tx).checkSettledRedemptions,
		(*Tx).checkSettlementCutoffs,
	} {
		if v, err := part(tx, ctx); err != nil || v != nil {
			return v, err
		}
	}
	return nil, nil
}

// checkSettlementTotals: a settlement's total is the sum of its paid lines.
func (tx *Tx) checkSettlementTotals(ctx context.Context) (*Violation, error) {
	var id string
	var total, sum int64
	found, err := tx.firstRow(ctx, `SELECT s.id, s.total_cents, COALESCE(t.n, 0) FROM settlements s
		LEFT JOIN (SELECT settlement_id, CAST(SUM(amount_cents) AS BIGINT) AS n FROM settlement_lines WHERE NOT held_back GROUP BY settlement_id) t ON t.settlement_id = s.id
		WHERE s.total_cents <> COALESCE(t.n, 0) ORDER BY s.id LIMIT 1`, nil, &id, &total, &sum)
	if err != nil || found {
		if found {
			return violation("settlement", "remboursement %s : total de %d centimes, mais ses lignes payées totalisent %d", id, total, sum), nil
		}
		return nil, err
	}
	return nil, nil
}

// checkSettlementLineSums: a line belongs to its settlement's programme
// and number and obeys amount + carried_out = redemptions + adjustments +
// carried_in, with amount ≥ 0 ≥ carried_out.
func (tx *Tx) checkSettlementLineSums(ctx context.Context) (*Violation, error) {
	key, found, err := tx.firstKey(ctx, `SELECT MIN(l.settlement_id || '/' || l.place_id) FROM settlement_lines l JOIN settlements s ON s.id = l.settlement_id
		WHERE l.programme_id <> s.programme_id OR l.number <> s.number
			OR l.amount_cents + l.carried_out_cents <> l.redemptions_cents + l.adjustments_cents + l.carried_in_cents
			OR l.amount_cents < 0 OR l.carried_out_cents > 0 OR (l.amount_cents > 0 AND l.carried_out_cents < 0)`)
	if err != nil || found {
		if found {
			s, pl := splitKey(key)
			return violation("settlement", "remboursement %s, lieu %s : la ligne ne respecte pas montant + report sortant = encaissements + corrections + report entrant, ou n'est pas celle de son remboursement", s, pl), nil
		}
		return nil, err
	}
	return nil, nil
}

// checkSettlementLineCounts: a line pays exactly the redemptions and
// corrections that name its settlement and place.
func (tx *Tx) checkSettlementLineCounts(ctx context.Context) (*Violation, error) {
	key, found, err := tx.firstKey(ctx, `SELECT MIN(l.settlement_id || '/' || l.place_id) FROM settlement_lines l
		LEFT JOIN (SELECT settlement_id, place_id, COUNT(*) AS n, CAST(SUM(amount_cents) AS BIGINT) AS c FROM redemptions
			WHERE settlement_id IS NOT NULL GROUP BY settlement_id, place_id) r ON r.settlement_id = l.settlement_id AND r.place_id = l.place_id
		LEFT JOIN (SELECT settlement_id, place_id, CAST(SUM(amount_cents) AS BIGINT) AS c FROM corrections
			WHERE settlement_id IS NOT NULL GROUP BY settlement_id, place_id) c ON c.settlement_id = l.settlement_id AND c.place_id = l.place_id
		WHERE l.count <> COALESCE(r.n, 0) OR l.redemptions_cents <> COALESCE(r.c, 0) OR l.adjustments_cents <> COALESCE(c.c, 0)`)
	if err != nil {
		return nil, err
	}
	if found {
		s, pl := splitKey(key)
		var count, cents, adj, n, sumRed, sumAdj int64
		if err := tx.queryRow(ctx, `SELECT l.count, l.redemptions_cents, l.adjustments_cents,
				(SELECT COUNT(*) FROM redemptions r WHERE r.settlement_id = l.settlement_id AND r.place_id = l.place_id),
				(SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM redemptions r WHERE r.settlement_id = l.settlement_id AND r.place_id = l.place_id),
				(SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM corrections c WHERE c.settlement_id = l.settlement_id AND c.place_id = l.place_id)
			FROM settlement_lines l WHERE l.settlement_id = ? AND l.place_id = ?`, s, pl).Scan(&count, &cents, &adj, &n, &sumRed, &sumAdj); err != nil {
			return nil, err
		}
		return violation("settlement", "remboursement %s, lieu %s : la ligne compte %d encaissements (%d centimes) et %d centimes de corrections, mais %d encaissements (%d centimes) et %d centimes de corrections la désignent",
			s, pl, count, cents, adj, n, sumRed, sumAdj), nil
	}
	return nil, nil
}

// checkSettlementCarries: a line carries in what the place's previous
// line of the programme carried out.
func (tx *Tx) checkSettlementCarries(ctx context.Context) (*Violation, error) {
	key, found, err := tx.firstKey(ctx, `SELECT MIN(x.k) FROM (
			SELECT l.settlement_id || '/' || l.place_id AS k, l.carried_in_cents AS cin,
				LAG(l.carried_out_cents, 1, 0) OVER (PARTITION BY l.programme_id, l.place_id ORDER BY l.number) AS prev
			FROM settlement_lines l) x
		WHERE x.cin <> x.prev`)
	if err != nil || found {
		if found {
			s, pl := splitKey(key)
			return violation("settlement", "remboursement %s, lieu %s : le report entrant n'est pas le report sortant de la ligne précédente du lieu", s, pl), nil
		}
		return nil, err
	}
	return nil, nil
}

// checkSettledRedemptions: a settled redemption's settlement exists, is of
// its programme and has a paid line for its place.
func (tx *Tx) checkSettledRedemptions(ctx context.Context) (*Violation, error) {
	redemptionID, found, err := tx.firstKey(ctx, `SELECT MIN(r.id) FROM redemptions r LEFT JOIN settlements s ON s.id = r.settlement_id
		WHERE r.settlement_id IS NOT NULL AND (s.id IS NULL OR s.programme_id <> r.programme_id
			OR NOT EXISTS (SELECT 1 FROM settlement_lines l WHERE l.settlement_id = r.settlement_id AND l.place_id = r.place_id AND NOT l.held_back))`)
	if err != nil || found {
		if found {
			return violation("settlement", "encaissement %s : remboursé par un remboursement qui n'existe pas, d'un autre programme, ou sans ligne payée de son lieu", redemptionID), nil
		}
		return nil, err
	}
	return nil, nil
}

// checkSettlementCutoffs: each settlement's last redemption is before the
// end of its cut-off day; the day's end in Paris is computed here, not in
// SQL.
func (tx *Tx) checkSettlementCutoffs(ctx context.Context) (*Violation, error) {
	rows, err := tx.query(ctx, `SELECT s.id, s.cutoff, (SELECT MAX(r.redeemed_at) FROM redemptions r WHERE r.settlement_id = s.id) FROM settlements s ORDER BY s.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var day passnum.Date
		var latest *int64
		if err := rows.Scan(&id, &day, &latest); err != nil {
			return nil, err
		}
		if latest != nil && *latest >= micros(day.EndInstant()) {
			return violation("settlement", "remboursement %s : arrêté au %s, il paie un encaissement du %s", id, frDate(day), frDate(passnum.ParisDate(fromMicros(*latest)))), nil
		}
	}
	return nil, rows.Err()
}

// checkSettled: a settled redemption is active (never cancelled), and
// settlement_id and settled_at go together. A redemption's one settlement
// is its one column; checkSettlements sees that each line counts exactly
// the redemptions naming it.
func (tx *Tx) checkSettled(ctx context.Context) (*Violation, error) {
	id, found, err := tx.firstKey(ctx, `SELECT MIN(id) FROM redemptions
		WHERE (settlement_id IS NOT NULL AND status <> 'active') OR ((settlement_id IS NULL) <> (settled_at IS NULL))`)
	if err != nil || !found {
		return nil, err
	}
	var status passnum.RedemptionStatus
	var settlement *string
	if err := tx.queryRow(ctx, `SELECT status, settlement_id FROM redemptions WHERE id = ?`, id).Scan(&status, &settlement); err != nil {
		return nil, err
	}
	if settlement != nil && status != passnum.RedemptionActive {
		return violation("settled", "encaissement %s : annulé alors qu'il a été remboursé par le remboursement %s", id, *settlement), nil
	}
	return violation("settled", "encaissement %s : sa date de remboursement et son remboursement ne vont pas ensemble", id), nil
}

// checkCorrections: a correction takes back a settled redemption of its
// place and programme, for exactly its amount, in a settlement after the
// one that paid it, on a paid line of the place.
func (tx *Tx) checkCorrections(ctx context.Context) (*Violation, error) {
	id, found, err := tx.firstKey(ctx, `SELECT MIN(c.id) FROM corrections c JOIN redemptions r ON r.id = c.redemption_id
		LEFT JOIN settlements rs ON rs.id = r.settlement_id LEFT JOIN settlements cs ON cs.id = c.settlement_id
		WHERE r.settlement_id IS NULL OR c.amount_cents <> -r.amount_cents OR c.place_id <> r.place_id OR c.programme_id <> r.programme_id
			OR (c.settlement_id IS NOT NULL AND (cs.id IS NULL OR rs.id IS NULL OR cs.number <= rs.number OR cs.programme_id <> c.programme_id
				OR NOT EXISTS (SELECT 1 FROM settlement_lines l WHERE l.settlement_id = c.settlement_id AND l.place_id = c.place_id AND NOT l.held_back)))`)
	if err != nil || !found {
		return nil, err
	}
	return violation("correction", "correction %s : elle ne reprend pas exactement un encaissement remboursé de son lieu et de son programme, ou un remboursement l'a prise avant celui qui payait l'encaissement", id), nil
}

// checkShares: each paid line is split between exactly its programme's
// funders, at their shares, and the parts sum to the line; a held-back
// line has no parts.
func (tx *Tx) checkShares(ctx context.Context) (*Violation, error) {
	key, found, err := tx.firstKey(ctx, `SELECT MIN(l.settlement_id || '/' || l.place_id) FROM settlement_lines l
		LEFT JOIN (SELECT settlement_id, place_id, CAST(SUM(amount_cents) AS BIGINT) AS c, COUNT(*) AS n FROM settlement_line_shares GROUP BY settlement_id, place_id) sh
			ON sh.settlement_id = l.settlement_id AND sh.place_id = l.place_id
		LEFT JOIN (SELECT programme_id, COUNT(*) AS n FROM programme_funders GROUP BY programme_id) f ON f.programme_id = l.programme_id
		WHERE (l.held_back AND COALESCE(sh.n, 0) <> 0)
			OR (NOT l.held_back AND (COALESCE(sh.c, 0) <> l.amount_cents OR COALESCE(sh.n, 0) <> COALESCE(f.n, 0)))`)
	if err != nil {
		return nil, err
	}
	if !found {
		key, found, err = tx.firstKey(ctx, `SELECT MIN(sh.settlement_id || '/' || sh.place_id) FROM settlement_line_shares sh
			JOIN settlement_lines l ON l.settlement_id = sh.settlement_id AND l.place_id = sh.place_id
			LEFT JOIN programme_funders pf ON pf.programme_id = l.programme_id AND pf.organisation_id = sh.funder_id
			WHERE pf.organisation_id IS NULL OR pf.share_bps <> sh.share_bps`)
		if err != nil || !found {
			return nil, err
		}
	}
	s, pl := splitKey(key)
	var amount, parts int64
	if err := tx.queryRow(ctx, `SELECT l.amount_cents, (SELECT CAST(COALESCE(SUM(sh.amount_cents), 0) AS BIGINT) FROM settlement_line_shares sh
		WHERE sh.settlement_id = l.settlement_id AND sh.place_id = l.place_id) FROM settlement_lines l WHERE l.settlement_id = ? AND l.place_id = ?`, s, pl).Scan(&amount, &parts); err != nil {
		return nil, err
	}
	return violation("shares", "remboursement %s, lieu %s : ligne de %d centimes, parts des financeurs de %d centimes au total, ou qui ne sont pas celles des financeurs du programme", s, pl, amount, parts), nil
}

// checkLedgerSettlement: each correction has its one −amount entry and
// each entry of a correction its correction; each paid line of a paid
// settlement its one payment entry of −amount, and nothing else has one.
func (tx *Tx) checkLedgerSettlement(ctx context.Context) (*Violation, error) {
	id, found, err := tx.firstKey(ctx, `SELECT MIN(c.id) FROM corrections c
		LEFT JOIN ledger_entries le ON le.redemption_id = c.redemption_id AND le.kind = 'correction'
		WHERE le.id IS NULL OR le.amount_cents <> c.amount_cents OR le.place_id <> c.place_id OR le.programme_id <> c.programme_id`)
	if err != nil || found {
		if found {
			return violation("ledger", "correction %s : pas d'écriture de correction au grand livre, ou une écriture d'un autre montant, lieu ou programme", id), nil
		}
		return nil, err
	}
	id, found, err = tx.firstKey(ctx, `SELECT MIN(le.id) FROM ledger_entries le
		WHERE (le.kind = 'correction' AND NOT EXISTS (SELECT 1 FROM corrections c WHERE c.redemption_id = le.redemption_id))
			OR (le.kind = 'payment' AND NOT EXISTS (SELECT 1 FROM settlement_lines l WHERE l.settlement_id = le.settlement_id AND l.place_id = le.place_id))`)
	if err != nil || found {
		if found {
			return violation("ledger", "écriture %s : correction ou paiement sans correction ni ligne de remboursement", id), nil
		}
		return nil, err
	}
	key, found, err := tx.firstKey(ctx, `SELECT MIN(l.settlement_id || '/' || l.place_id) FROM settlement_lines l JOIN settlements s ON s.id = l.settlement_id
		LEFT JOIN ledger_entries le ON le.settlement_id = l.settlement_id AND le.place_id = l.place_id AND le.kind = 'payment'
		WHERE (s.status = 'paid' AND NOT l.held_back AND l.amount_cents > 0 AND (le.id IS NULL OR le.amount_cents <> -l.amount_cents OR le.programme_id <> l.programme_id))
			OR ((s.status <> 'paid' OR l.held_back OR l.amount_cents = 0) AND le.id IS NOT NULL)`)
	if err != nil || !found {
		return nil, err
	}
	s, pl := splitKey(key)
	return violation("ledger", "remboursement %s, lieu %s : le paiement de la ligne manque au grand livre, n'est pas de son montant, ou y figure alors que la ligne n'est pas payée", s, pl), nil
}

// checkBalances: each place's balance in each programme, the sum of its
// ledger entries, is its active redemptions, less its corrections, less
// what its paid lines paid.
func (tx *Tx) checkBalances(ctx context.Context) (*Violation, error) {
	key, found, err := tx.firstKey(ctx, `SELECT MIN(b.place_id || '/' || b.programme_id) FROM
			(SELECT place_id, programme_id, CAST(SUM(amount_cents) AS BIGINT) AS bal FROM ledger_entries GROUP BY place_id, programme_id) b
		LEFT JOIN (SELECT place_id, programme_id, CAST(SUM(amount_cents) AS BIGINT) AS n FROM redemptions WHERE status = 'active' GROUP BY place_id, programme_id) r
			ON r.place_id = b.place_id AND r.programme_id = b.programme_id
		LEFT JOIN (SELECT place_id, programme_id, CAST(SUM(amount_cents) AS BIGINT) AS n FROM corrections GROUP BY place_id, programme_id) c
			ON c.place_id = b.place_id AND c.programme_id = b.programme_id
		LEFT JOIN (SELECT l.place_id, l.programme_id, CAST(SUM(l.amount_cents) AS BIGINT) AS n FROM settlement_lines l JOIN settlements s ON s.id = l.settlement_id
				WHERE s.status = 'paid' AND NOT l.held_back GROUP BY l.place_id, l.programme_id) p
			ON p.place_id = b.place_id AND p.programme_id = b.programme_id
		WHERE b.bal <> COALESCE(r.n, 0) + COALESCE(c.n, 0) - COALESCE(p.n, 0)`)
	if err != nil || !found {
		return nil, err
	}
	place, programme := splitKey(key)
	var balance int64
	if err := tx.queryRow(ctx, `SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM ledger_entries WHERE place_id = ? AND programme_id = ?`, place, programme).Scan(&balance); err != nil {
		return nil, err
	}
	return violation("balance", "lieu %s, programme %s : solde de %d centimes au grand livre, différent de ses encaissements moins ses corrections moins ce qui lui a été payé", place, programme, balance), nil
}

// checkBudgets: no programme issued beyond its budget.
func (tx *Tx) checkBudgets(ctx context.Context) (*Violation, error) {
	var id string
	var budget, issued int64
	found, err := tx.firstRow(ctx, `SELECT id, budget_cents, issued_booklets * booklet_size * face_value_cents FROM programmes
		WHERE budget_cents IS NOT NULL AND issued_booklets * booklet_size * face_value_cents > budget_cents ORDER BY id LIMIT 1`, nil, &id, &budget, &issued)
	if err != nil || !found {
		return nil, err
	}
	return violation("budget", "programme %s : %d centimes de valeur faciale émise pour un budget de %d", id, issued, budget), nil
}
