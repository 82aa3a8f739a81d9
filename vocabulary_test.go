package passnum

import (
	"database/sql/driver"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestEveryValueHasFrenchWords: no status or role is ever shown by its
// internal code, and no two values of one kind share a word.
func TestEveryValueHasFrenchWords(t *testing.T) {
	kinds := []struct {
		name  string
		words map[string]string // value → word
	}{
		{"role", words([]Role{RoleOperator, RoleFunder, RoleDistributor, RolePlace}, Role.Label)},
		{"pass", words(PassStatuses, PassStatus.Label)},
		{"booklet", words(BookletStatuses, BookletStatus.Label)},
		{"organisation", words(OrgStatuses, OrgStatus.Label)},
		{"bank details", words(BankStatuses, BankStatus.Label)},
		{"redemption", words(RedemptionStatuses, RedemptionStatus.Label)},
		{"settlement", words(SettlementStatuses, SettlementStatus.Label)},
		{"session", words(SessionStatuses, SessionStatus.Label)},
		{"booking", words(BookingStatuses, BookingStatus.Label)},
	}
	for _, k := range kinds {
		seen := map[string]string{}
		for v, w := range k.words {
			if w == "" || w == v {
				t.Errorf("%s %q has no French word (%q)", k.name, v, w)
			}
			if other, dup := seen[w]; dup {
				t.Errorf("%s %q and %q are both %q", k.name, other, v, w)
			}
			seen[w] = v
		}
	}
}

// words maps each of a kind's values to its label.
func words[T ~string](values []T, label func(T) string) map[string]string {
	out := make(map[string]string, len(values))
	for _, v := range values {
		out[string(v)] = label(v)
	}
	return out
}

// TestStatusScan: each status type reads back what it stores and refuses
// an unknown value, rather than carrying it on.
func TestStatusScan(t *testing.T) {
	scanners := []struct {
		name   string
		values []string
		scan   func(any) (string, error)
	}{
		{"redemption", stored(RedemptionStatuses), scanInto[RedemptionStatus]},
		{"settlement", stored(SettlementStatuses), scanInto[SettlementStatus]},
		{"booklet", stored(BookletStatuses), scanInto[BookletStatus]},
		{"pass", stored(StoredPassStatuses), scanInto[PassStatus]},
		{"bank details", stored(BankStatuses), scanInto[BankStatus]},
		{"organisation", stored(OrgStatuses), scanInto[OrgStatus]},
		{"session", stored(SessionStatuses), scanInto[SessionStatus]},
		{"booking", stored(BookingStatuses), scanInto[BookingStatus]},
	}
	for _, sc := range scanners {
		for _, v := range sc.values {
			for _, src := range []any{v, []byte(v)} {
				if got, err := sc.scan(src); err != nil || got != v {
					t.Errorf("%s: Scan(%#v) = %q, %v", sc.name, src, got, err)
				}
			}
		}
		for _, bad := range []any{"", "Active", "unknown", "expired", 3, nil} {
			if got, err := sc.scan(bad); err == nil {
				t.Errorf("%s: Scan(%#v) = %q, want an error", sc.name, bad, got)
			}
		}
	}
}

// stored turns a status list into its stored texts, checking each Value.
func stored[T interface {
	~string
	Value() (driver.Value, error)
}](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		dv, err := v.Value()
		if err != nil || dv != string(v) {
			panic(fmt.Sprintf("%q.Value() = %v, %v", v, dv, err))
		}
		out[i] = string(v)
	}
	return out
}

// scanInto scans src into a *T and returns what it read.
func scanInto[T ~string, P interface {
	*T
	Scan(any) error
}](src any) (string, error) {
	var v T
	err := P(&v).Scan(src)
	return string(v), err
}

// TestStatusEnumsInTheAPI: the enums the OpenAPI document gives for the
// status fields (their enum tags) are the types' value lists.
func TestStatusEnumsInTheAPI(t *testing.T) {
	for _, c := range []struct {
		v    any
		want string
	}{
		{BankAccount{}, strings.Join(texts(BankStatuses), ",")},
		{PlaceApplication{}, strings.Join(texts(PlaceStatuses), ",")},
		{Session{}, strings.Join(texts(SessionStatuses), ",")},
		{Booking{}, strings.Join(texts(BookingStatuses), ",")},
	} {
		f, _ := reflect.TypeOf(c.v).FieldByName("Status")
		if got := f.Tag.Get("enum"); got != c.want {
			t.Errorf("%T.Status enum %q, want %q", c.v, got, c.want)
		}
	}
}

// texts turns a status list into its texts.
func texts[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}
