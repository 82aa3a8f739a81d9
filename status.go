package passnum

import "fmt"

// scanStatus reads a stored status of type T and refuses a value that is
// not one of T's: what says which kind of status it is, in French, for the
// error ("statut de pass inconnu « … »").
func scanStatus[T ~string](src any, valid func(T) bool, what string) (T, error) {
	v, err := scanText(src)
	if err != nil {
		return "", err
	}
	if !valid(T(v)) {
		return "", fmt.Errorf("statut %s inconnu %q", what, v)
	}
	return T(v), nil
}

// oneOf reports whether s is among values.
func oneOf[T comparable](s T, values []T) bool {
	for _, v := range values {
		if v == s {
			return true
		}
	}
	return false
}
