package api

// The API's answer shapes live in the answer_*.go files: each is the
// JSON of a store read model (the same fields, with their json and doc
// tags), filled from the store's value by a conversion, so that the store
// returns plain read models and the API alone decides what it answers.

// answers converts a store list into its answer shapes; a nil list stays
// nil, so that its JSON does not change.
func answers[S, A any](xs []S, of func(S) A) []A {
	if xs == nil {
		return nil
	}
	out := make([]A, len(xs))
	for i, x := range xs {
		out[i] = of(x)
	}
	return out
}
