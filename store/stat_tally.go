package store

import "slices"

// tally is a recount's counters, held compactly: a national programme has
// about a million of them (1,022,868 at 10 M passes) and the recount
// holds them all at once. Each distinct string of the keys (programme,
// breakdown, cell, month, metric) is kept once and a key is five indexes
// into them and a bucket, 24 bytes, where a statKey's five strings and
// the copies the rows scanned into them took several hundred bytes a
// counter in all.
type tally struct {
	names  []string
	index  map[string]int32
	counts map[tallyKey]statVal
}

type tallyKey struct {
	programme, dim, value, month, metric int32
	bucket                               int32
}

func newTally() *tally {
	return &tally{index: map[string]int32{}, counts: map[tallyKey]statVal{}}
}

// name is s's index, s kept if new.
func (t *tally) name(s string) int32 {
	if i, ok := t.index[s]; ok {
		return i
	}
	i := int32(len(t.names))
	t.names = append(t.names, s)
	t.index[s] = i
	return i
}

func (t *tally) key(k statKey) tallyKey {
	return tallyKey{t.name(k.programme), t.name(k.dim), t.name(k.value), t.name(k.month), t.name(k.metric), int32(k.bucket)}
}

func (t *tally) statKey(k tallyKey) statKey {
	return statKey{t.names[k.programme], t.names[k.dim], t.names[k.value], t.names[k.month], t.names[k.metric], int(k.bucket)}
}

// add adds n and amount to counter k.
func (t *tally) add(k statKey, n, amount int64) {
	t.addKey(t.key(k), n, amount)
}

func (t *tally) addKey(k tallyKey, n, amount int64) {
	v := t.counts[k]
	v.n += n
	v.amount += amount
	t.counts[k] = v
}

// take returns counter k's value and takes it out of the tally (zero if
// it holds none).
func (t *tally) take(k statKey) statVal {
	tk, ok := t.lookup(k)
	if !ok {
		return statVal{}
	}
	v := t.counts[tk]
	delete(t.counts, tk)
	return v
}

// lookup is k's key if every string of it is known, without keeping any.
func (t *tally) lookup(k statKey) (tallyKey, bool) {
	var tk tallyKey
	for _, f := range []struct {
		s  string
		to *int32
	}{{k.programme, &tk.programme}, {k.dim, &tk.dim}, {k.value, &tk.value}, {k.month, &tk.month}, {k.metric, &tk.metric}} {
		i, ok := t.index[f.s]
		if !ok {
			return tk, false
		}
		*f.to = i
	}
	tk.bucket = int32(k.bucket)
	return tk, true
}

// dropZeros takes out the counters that count nothing.
func (t *tally) dropZeros() {
	for k, v := range t.counts {
		if v == (statVal{}) {
			delete(t.counts, k)
		}
	}
}

// len is how many counters the tally holds.
func (t *tally) len() int { return len(t.counts) }

// sorted calls f with each counter in key order (compareStatKeys), a
// slice of the 24-byte keys sorted rather than of the counters' strings.
func (t *tally) sorted(f func(k statKey, v statVal) error) error {
	keys := make([]tallyKey, 0, len(t.counts))
	for k := range t.counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b tallyKey) int { return compareStatKeys(t.statKey(a), t.statKey(b)) })
	for _, k := range keys {
		if err := f(t.statKey(k), t.counts[k]); err != nil {
			return err
		}
	}
	return nil
}
