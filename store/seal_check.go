package store

import (
	"context"
	"fmt"
)

// checkSeals recomputes the chain of seals and compares each sealed entry
// with the row the table holds now. It names the first broken link: a seal
// missing, altered or not following the previous one, or an entry changed,
// missing (deleted), out of order (its seq moved), or a row added among
// sealed entries. Entries not yet sealed are not judged: Seal runs before
// Check in "passnum check".
func (tx *Tx) checkSeals(ctx context.Context) (*Violation, error) {
	seals, err := tx.readSeals(ctx)
	if err != nil {
		return nil, err
	}
	prev := ""
	last := map[string]int64{}
	for i, sl := range seals {
		// Each seal's entries are read when it is checked: all of them at
		// once would hold every sealed digest in memory (hundreds of MB on
		// a national programme).
		if err := tx.queryRow(ctx, `SELECT entries FROM seals WHERE seq = ?`, sl.seq).Scan(&sl.entries); err != nil {
			return nil, err
		}
		if sl.seq != int64(i+1) {
			return violation("seal", "sceau n° %d manquant : le suivant est le n° %d", i+1, sl.seq), nil
		}
		if sl.prevHash != prev {
			return violation("seal", "sceau n° %d : il ne suit pas le sceau n° %d (empreinte précédente différente)", sl.seq, sl.seq-1), nil
		}
		if sl.computeHash() != sl.hash {
			return violation("seal", "sceau n° %d modifié : son empreinte ne correspond plus à son contenu", sl.seq), nil
		}
		if sl.first != last[sl.table]+1 {
			return violation("seal", "sceau n° %d : il ne reprend pas le %s là où le précédent s'arrêtait (n° %d au lieu de %d)",
				sl.seq, sealedTableNames[sl.table], sl.first, last[sl.table]+1), nil
		}
		last[sl.table] = sl.last
		prev = sl.hash
		v, err := tx.compareSeal(ctx, sl)
		if err != nil || v != nil {
			return v, err
		}
	}
	for _, t := range sealedTables {
		var id string
		found, err := tx.firstRow(ctx, `SELECT id FROM `+t+` WHERE seq < 1 ORDER BY id LIMIT 1`, nil, &id)
		if err != nil {
			return nil, err
		}
		if found {
			return violation("seal", "%s : l'entrée %s a été ajoutée hors de l'ordre scellé", sealedTableNames[t], id), nil
		}
	}
	return nil, nil
}

// readSeals reads the chain's links without their entries (checkSeals
// reads those one seal at a time).
func (tx *Tx) readSeals(ctx context.Context) ([]seal, error) {
	rows, err := tx.query(ctx, `SELECT seq, table_name, first_seq, last_seq, prev_hash, hash FROM seals ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []seal
	for rows.Next() {
		var s seal
		if err := rows.Scan(&s.seq, &s.table, &s.first, &s.last, &s.prevHash, &s.hash); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// compareSeal walks a seal's entries and the table's rows of its range
// side by side, by seq.
func (tx *Tx) compareSeal(ctx context.Context, sl seal) (*Violation, error) {
	want, err := decodeEntries(sl.entries)
	if err != nil {
		return violation("seal", "sceau n° %d illisible : %v", sl.seq, err), nil
	}
	have, err := tx.readSealedRows(ctx, sl.table, sl.first, sl.last, 0)
	if err != nil {
		return nil, err
	}
	name := sealedTableNames[sl.table]
	broken := func(id, what string, seq int64) *Violation {
		return violation("seal", "%s : l'entrée %s (n° %d, sceau n° %d) %s", name, id, seq, sl.seq, what)
	}
	// gone says why a sealed entry is not at its place: moved elsewhere
	// in the order, or deleted.
	gone := func(w sealedRow) (*Violation, error) {
		var seq int64
		found, err := tx.firstRow(ctx, `SELECT seq FROM `+sl.table+` WHERE id = ?`, []any{w.id}, &seq)
		if err != nil {
			return nil, err
		}
		if found {
			return broken(w.id, fmt.Sprintf("n'est plus à sa place : elle porte maintenant le n° %d (ordre modifié)", seq), w.seq), nil
		}
		return broken(w.id, "a été supprimée", w.seq), nil
	}
	i, j := 0, 0
	for i < len(want) || j < len(have) {
		switch {
		case j == len(have) || (i < len(want) && want[i].seq < have[j].seq):
			return gone(want[i])
		case i == len(want) || have[j].seq < want[i].seq:
			return broken(have[j].id, "a été ajoutée parmi des entrées déjà scellées", have[j].seq), nil
		case want[i].id != have[j].id:
			return gone(want[i])
		case want[i].digest != have[j].digest:
			return broken(want[i].id, "a été modifiée après son scellement", want[i].seq), nil
		}
		i++
		j++
	}
	return nil, nil
}
