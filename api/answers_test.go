package api

import (
	"reflect"
	"strconv"
	"testing"
	"time"

	"passnum/store"
)

// TestAnswersKeepEveryField: each answer shape has the fields of its
// store read model, in the same order, each with its JSON name, and its
// conversion carries every value over, nested lists included. A field
// added to a read model and forgotten here fails this test rather than
// vanishing from the API.
func TestAnswersKeepEveryField(t *testing.T) {
	answerMatches(t, programmeStatsAnswer)
	answerMatches(t, dormantBookletAnswer)
	answerMatches(t, func(e store.ReminderEffect) ReminderEffect { return ReminderEffect(e) })
	answerMatches(t, funderStatementAnswer)
	answerMatches(t, closingTableAnswer)
	answerMatches(t, closingStatementAnswer)
	answerMatches(t, nearSiteAnswer)
	answerMatches(t, siteCardAnswer)
	answerMatches(t, func(s store.DistributorStock) DistributorStock { return DistributorStock(s) })
	answerMatches(t, beneficiarySummaryAnswer)
	answerMatches(t, duplicateConfirmationAnswer)
	answerMatches(t, auditLineAnswer)
}

func answerMatches[S, A any](t *testing.T, of func(S) A) {
	t.Helper()
	var s S
	n := 0
	fillDistinct(reflect.ValueOf(&s).Elem(), &n)
	a := of(s)
	sameValues(t, reflect.TypeOf(s).Name(), reflect.ValueOf(s), reflect.ValueOf(a))
	var none []S
	if answers(none, of) != nil {
		t.Errorf("%T: a nil list must stay nil (null in JSON)", s)
	}
}

// fillDistinct sets every exported field of v to a value of its own:
// strings, numbers and times differ, pointers and lists are set.
func fillDistinct(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString("v" + strconv.Itoa(*n))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(*n) + 0.5)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fillDistinct(p.Elem(), n)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		fillDistinct(s.Index(0), n)
		fillDistinct(s.Index(1), n)
		v.Set(s)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Date(2026, 3, 10, 9, 0, *n, 0, time.UTC)))
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fillDistinct(v.Field(i), n)
			}
		}
	}
}

// sameValues compares a store value with its answer: values of the same
// type must be equal; a store struct and its answer struct must have the
// same fields, the answer's tagged for JSON.
func sameValues(t *testing.T, path string, s, a reflect.Value) {
	t.Helper()
	if s.Type() == a.Type() {
		if !reflect.DeepEqual(s.Interface(), a.Interface()) {
			t.Errorf("%s: %v, answered %v", path, s.Interface(), a.Interface())
		}
		return
	}
	if s.Kind() != a.Kind() {
		t.Errorf("%s: %s answered as %s", path, s.Type(), a.Type())
		return
	}
	switch s.Kind() {
	case reflect.Slice:
		if s.IsNil() != a.IsNil() || s.Len() != a.Len() {
			t.Errorf("%s: %d items, answered %d", path, s.Len(), a.Len())
			return
		}
		for i := 0; i < s.Len(); i++ {
			sameValues(t, path+"["+strconv.Itoa(i)+"]", s.Index(i), a.Index(i))
		}
	case reflect.Pointer:
		if s.IsNil() != a.IsNil() {
			t.Errorf("%s: nil %v, answered nil %v", path, s.IsNil(), a.IsNil())
			return
		}
		if !s.IsNil() {
			sameValues(t, path, s.Elem(), a.Elem())
		}
	case reflect.Struct:
		// A read model's unexported fields (an index kept for its own
		// methods) are not data: only the exported ones are answered.
		st, at := s.Type(), a.Type()
		sf, af := exportedFields(st), exportedFields(at)
		if len(sf) != len(af) {
			t.Errorf("%s: %s has %d fields, its answer %s %d", path, st, len(sf), at, len(af))
			return
		}
		for i := range sf {
			if sf[i].Name != af[i].Name || sf[i].Anonymous != af[i].Anonymous {
				t.Errorf("%s: field %d is %s in %s, %s in its answer", path, i, sf[i].Name, st, af[i].Name)
				continue
			}
			if at.PkgPath() == "passnum/api" && !af[i].Anonymous && af[i].Tag.Get("json") == "" {
				t.Errorf("%s.%s: no JSON name in the answer %s", path, af[i].Name, at)
			}
			sameValues(t, path+"."+sf[i].Name, s.FieldByIndex(sf[i].Index), a.FieldByIndex(af[i].Index))
		}
	default:
		t.Errorf("%s: %s answered as %s", path, s.Type(), a.Type())
	}
}

// exportedFields are t's exported fields, in order.
func exportedFields(t reflect.Type) []reflect.StructField {
	var out []reflect.StructField
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() {
			out = append(out, f)
		}
	}
	return out
}
