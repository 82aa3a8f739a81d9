package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"passnum"
	"passnum/store"
	"passnum/store/storetest"
)

func ref[T any](v T) *T { return &v }

func (f *fixture) UpdateProgramme(id string, u passnum.ProgrammeUpdate) (passnum.Programme, error) {
	f.t.Helper()
	return write(f.t, f.s, func(ctx context.Context, tx *store.Tx) (passnum.Programme, error) {
		return tx.UpdateProgramme(ctx, f.op, id, u)
	})
}

func (f *fixture) programmeUpdates(id string) []passnum.AuditEntry {
	f.t.Helper()
	return view(f.t, f.s, func(ctx context.Context, tx *store.Tx) ([]passnum.AuditEntry, error) {
		out, _, err := tx.ListAudit(ctx, store.AuditFilter{ObjectType: "programme", ObjectID: id, Action: "programme.update"})
		return out, err
	})
}

// wantField fails unless err is "invalid" with an error on field whose
// detail contains want.
func wantSettingError(t *testing.T, err error, field, want string) {
	t.Helper()
	e := wantCode(t, err, passnum.EINVALID)
	for _, f := range e.Fields {
		if f.Field == field {
			if !strings.Contains(f.Detail, want) {
				t.Fatalf("%s: %q does not say %q", field, f.Detail, want)
			}
			return
		}
	}
	t.Fatalf("no error on %s: %+v", field, e.Fields)
}

func TestProgrammeUpdateExtendsValidity(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock)
		bk := w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
		w.MustRedeem(w.place, bk.Passes[0].Code)

		got, err := w.UpdateProgramme(w.prog.ID, passnum.ProgrammeUpdate{
			Name:       ref("  Pass numérique 2026-2027 "),
			ValidUntil: ref(passnum.MustDate("2027-06-30")),
			// Unchanged values change nothing and are not audited.
			GraceDays: ref(passnum.DefaultGraceDays), MinAge: ref(16),
			MaxAge: ref(26), CancelWindowHours: ref(48), MaxPassesPerTraining: ref(3),
			MaxBookletsPerBeneficiary: ref(3), Territory: []string{"25", "dep:21", "dep:25"},
		})
		if err != nil {
			t.Fatal(err)
		}
		stored := w.Programme(w.prog.ID)
		for _, p := range []passnum.Programme{got, stored} {
			if p.Name != "Pass numérique 2026-2027" || p.ValidUntil != passnum.MustDate("2027-06-30") || p.LastRedeemDay() != passnum.MustDate("2027-07-31") ||
				p.MaxAge != 26 || p.MinAge != 16 || p.CancelWindowHours != 48 || p.MaxPassesPerTraining != 3 || p.MaxBookletsPerBeneficiary != 3 ||
				!slices.Equal(p.Territory, []string{"dep:25", "dep:21"}) {
				t.Fatalf("programme after update %+v", p)
			}
			// What is not a setting stays.
			if p.FaceValueCents != 1000 || p.BookletSize != 5 || len(p.Funders) != 2 || p.Stock.IssuedBooklets != 10 || p.Stock.RedeemedPasses != 1 {
				t.Fatalf("programme lost something: %+v %+v", p, p.Stock)
			}
		}

		entries := w.programmeUpdates(w.prog.ID)
		if len(entries) != 1 || entries[0].OrganisationID != w.op.OrganisationID || entries[0].ActorID != w.op.ID {
			t.Fatalf("audit %+v", entries)
		}
		d := entries[0].Details
		for _, want := range []string{
			`"valid_until":{"old":"2026-12-31","new":"2027-06-30"}`,
			`"last_redeem_day":{"old":"2027-01-31","new":"2027-07-31"}`,
			`"name":{"old":"Pass numérique 2026","new":"Pass numérique 2026-2027"}`,
			`"max_age":{"old":25,"new":26}`,
			`"cancel_window_hours":{"old":24,"new":48}`,
			`"max_passes_per_training":{"old":5,"new":3}`,
			`"max_booklets_per_beneficiary":{"old":2,"new":3}`,
			`"territory":{"old":["reg:27"],"new":["dep:25","dep:21"]}`,
		} {
			if !strings.Contains(d, want) {
				t.Errorf("audit details lack %s:\n%s", want, d)
			}
		}
		for _, unchanged := range []string{"grace_days", "min_age", "valid_from"} {
			if strings.Contains(d, `"`+unchanged+`"`) {
				t.Errorf("audit details list unchanged %s:\n%s", unchanged, d)
			}
		}

		// The stored last_redeem_day is what redemption reads: a pass is
		// accepted after the old last day, inside the new one.
		clock.Set(at("2027-05-03 10:00:00"))
		w.MustRedeem(w.place, bk.Passes[1].Code)

		// An update that changes nothing writes nothing.
		again, err := w.UpdateProgramme(w.prog.ID, passnum.ProgrammeUpdate{ValidUntil: ref(passnum.MustDate("2027-06-30")), Name: ref("Pass numérique 2026-2027")})
		if err != nil || again.ValidUntil != passnum.MustDate("2027-06-30") {
			t.Fatalf("no-op update: %+v %v", again, err)
		}
		if n := len(w.programmeUpdates(w.prog.ID)); n != 1 {
			t.Fatalf("a no-op update was audited: %d entries", n)
		}
		mustCheck(t, s)
	})
}

func TestProgrammeUpdateShortening(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock) // today is 2026-03-10
		bk := w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)

		// Not before today.
		_, err := w.UpdateProgramme(w.prog.ID, passnum.ProgrammeUpdate{ValidUntil: ref(passnum.MustDate("2026-03-09"))})
		wantSettingError(t, err, "valid_until", "10/03/2026")
		if p := w.Programme(w.prog.ID); p.ValidUntil != passnum.MustDate("2026-12-31") {
			t.Fatalf("a refused update changed the programme: %+v", p)
		}
		if n := len(w.programmeUpdates(w.prog.ID)); n != 0 {
			t.Fatalf("a refused update was audited")
		}
		// Today is allowed, and the last redeem day follows.
		p, err := w.UpdateProgramme(w.prog.ID, passnum.ProgrammeUpdate{ValidUntil: ref(passnum.MustDate("2026-03-10"))})
		if err != nil {
			t.Fatal(err)
		}
		if p.LastRedeemDay() != passnum.MustDate("2026-04-10") {
			t.Fatalf("last redeem day %s", p.LastRedeemDay())
		}
		// During the grace period, the grace cannot shrink to before today.
		clock.Set(at("2026-04-01 09:00:00"))
		_, err = w.UpdateProgramme(w.prog.ID, passnum.ProgrammeUpdate{GraceDays: ref(10)})
		wantSettingError(t, err, "grace_days", "01/04/2026")
		if _, err := w.UpdateProgramme(w.prog.ID, passnum.ProgrammeUpdate{GraceDays: ref(22)}); err != nil {
			t.Fatalf("grace ending today: %v", err)
		}
		w.MustRedeem(w.place, bk.Passes[0].Code)
		clock.Set(at("2026-04-02 09:00:00"))
		_, err = w.Redeem(w.place, bk.Passes[1].Code)
		wantCode(t, err, passnum.EEXPIRED)
		// A programme that is over may always be extended.
		p, err = w.UpdateProgramme(w.prog.ID, passnum.ProgrammeUpdate{ValidUntil: ref(passnum.MustDate("2026-09-30"))})
		if err != nil || p.LastRedeemDay() != passnum.MustDate("2026-10-22") {
			t.Fatalf("extend a closed programme: %+v %v", p.LastRedeemDay(), err)
		}
		w.MustRedeem(w.place, bk.Passes[1].Code)
		mustCheck(t, s)
	})
}

func TestProgrammeUpdateBeforeValidFrom(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		f := newFixture(t, s, clock)
		p := f.MustProgramme(func(p *passnum.Programme) {
			p.ValidFrom, p.ValidUntil = passnum.MustDate("2026-04-01"), passnum.MustDate("2026-06-30")
		})
		// Shortening: not before valid_from, even after today.
		_, err := f.UpdateProgramme(p.ID, passnum.ProgrammeUpdate{ValidUntil: ref(passnum.MustDate("2026-03-20"))})
		wantSettingError(t, err, "valid_until", "début")
		// No booklet issued yet: valid_from may move.
		got, err := f.UpdateProgramme(p.ID, passnum.ProgrammeUpdate{ValidFrom: ref(passnum.MustDate("2026-03-15"))})
		if err != nil || got.ValidFrom != passnum.MustDate("2026-03-15") {
			t.Fatalf("valid_from before issuance: %+v %v", got.ValidFrom, err)
		}
		// Once booklets exist it is frozen, with the reason; the same value
		// is no change at all.
		f.MustIssue(p.ID, 2)
		_, err = f.UpdateProgramme(p.ID, passnum.ProgrammeUpdate{ValidFrom: ref(passnum.MustDate("2026-03-12"))})
		wantSettingError(t, err, "valid_from", "carnets émis")
		if _, err := f.UpdateProgramme(p.ID, passnum.ProgrammeUpdate{ValidFrom: ref(passnum.MustDate("2026-03-15"))}); err != nil {
			t.Fatalf("same valid_from: %v", err)
		}
		if got := f.Programme(p.ID); got.ValidFrom != passnum.MustDate("2026-03-15") {
			t.Fatalf("valid_from %s", got.ValidFrom)
		}
		mustCheck(t, s)
	})
}

func TestProgrammeUpdateBookletLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		w := newWorld(t, s, clock) // at most 2 booklets a beneficiary
		w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
		w.MustHandOut(w.dist, w.ben.ID, w.prog.ID)
		other := w.MustBeneficiary(w.dist)
		w.MustHandOut(w.dist, other.ID, w.prog.ID)

		// Someone holds 2: the limit may not go below.
		_, err := w.UpdateProgramme(w.prog.ID, passnum.ProgrammeUpdate{MaxBookletsPerBeneficiary: ref(1)})
		wantSettingError(t, err, "max_booklets_per_beneficiary", "au moins 2")
		if p := w.Programme(w.prog.ID); p.MaxBookletsPerBeneficiary != 2 {
			t.Fatalf("limit %d after a refused update", p.MaxBookletsPerBeneficiary)
		}
		// Raised, then lowered back to what is held.
		if _, err := w.UpdateProgramme(w.prog.ID, passnum.ProgrammeUpdate{MaxBookletsPerBeneficiary: ref(3)}); err != nil {
			t.Fatal(err)
		}
		w.MustHandOut(w.dist, other.ID, w.prog.ID)
		w.MustHandOut(w.dist, other.ID, w.prog.ID)
		_, err = w.UpdateProgramme(w.prog.ID, passnum.ProgrammeUpdate{MaxBookletsPerBeneficiary: ref(2)})
		wantSettingError(t, err, "max_booklets_per_beneficiary", "au moins 3")
		p, err := w.UpdateProgramme(w.prog.ID, passnum.ProgrammeUpdate{MaxBookletsPerBeneficiary: ref(3), MaxAge: ref(30)})
		if err != nil || p.MaxAge != 30 {
			t.Fatalf("unchanged limit and new age: %+v %v", p, err)
		}
		mustCheck(t, s)
	})
}

func TestProgrammeUpdateRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		f := newFixture(t, s, clock)
		p := f.MustProgramme()
		_, err := f.UpdateProgramme(passnum.NewID(clock.Now()), passnum.ProgrammeUpdate{Name: ref("x")})
		wantCode(t, err, passnum.ENOTFOUND)
		cases := []struct {
			name  string
			u     passnum.ProgrammeUpdate
			field string
		}{
			{"blank name", passnum.ProgrammeUpdate{Name: ref("   ")}, "name"},
			{"long name", passnum.ProgrammeUpdate{Name: ref(strings.Repeat("a", 201))}, "name"},
			{"ages crossed", passnum.ProgrammeUpdate{MinAge: ref(30)}, "max_age"},
			{"negative grace", passnum.ProgrammeUpdate{GraceDays: ref(-1)}, "grace_days"},
			{"grace too long", passnum.ProgrammeUpdate{GraceDays: ref(400)}, "grace_days"},
			{"no booklet", passnum.ProgrammeUpdate{MaxBookletsPerBeneficiary: ref(0)}, "max_booklets_per_beneficiary"},
			{"cancel window", passnum.ProgrammeUpdate{CancelWindowHours: ref(745)}, "cancel_window_hours"},
			{"no pass per training", passnum.ProgrammeUpdate{MaxPassesPerTraining: ref(0)}, "max_passes_per_training"},
			{"too many per training", passnum.ProgrammeUpdate{MaxPassesPerTraining: ref(21)}, "max_passes_per_training"},
			{"empty territory", passnum.ProgrammeUpdate{Territory: []string{}}, "territory"},
			{"unknown territory", passnum.ProgrammeUpdate{Territory: []string{"dep:999"}}, "territory"},
			{"no end", passnum.ProgrammeUpdate{ValidUntil: &passnum.Date{}}, "valid_until"},
		}
		for _, c := range cases {
			_, err := f.UpdateProgramme(p.ID, c.u)
			wantSettingError(t, err, c.field, "")
		}
		if got := f.Programme(p.ID); got.Name != p.Name || got.MinAge != 16 || got.GraceDays != p.GraceDays || !slices.Equal(got.Territory, p.Territory) {
			t.Fatalf("refused updates changed the programme: %+v", got)
		}
		if n := len(f.programmeUpdates(p.ID)); n != 0 {
			t.Fatalf("refused updates audited: %d", n)
		}
		mustCheck(t, s)
	})
}
