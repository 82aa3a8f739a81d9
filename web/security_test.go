package web_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"passnum"
	"passnum/server"
	"passnum/store"
	"passnum/store/storetest"
	"passnum/web"
)

// guardedSite is a site behind a trusted proxy, so that each request may
// come from its own address, with a password hasher whose checks a test
// counts.
func guardedSite(t *testing.T, s *store.Store, clock *passnum.FixedClock, hasher *passnum.PasswordHasher) *site {
	return newSite(t, s, clock, web.Config{TrustedProxy: "127.0.0.1", Passwords: hasher})
}

// postFrom posts a form as if from address.
func (b *browser) postFrom(address, path string, form url.Values) (answer, http.Header) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.st.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", address)
	res, err := b.client.Do(req)
	if err != nil {
		b.t.Error(err)
		return answer{}, nil
	}
	defer res.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := res.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return answer{Status: res.StatusCode, Location: res.Header.Get("Location"), Body: sb.String()}, res.Header
}

// burst sends n requests at the same moment, each from its own address
// when spread, and tallies the answers by status.
func burst(t *testing.T, st *site, n int, spread bool, form func(i int) (string, url.Values)) map[int]int {
	t.Helper()
	var mu sync.Mutex
	tally := map[int]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			path, f := form(i)
			addr := "203.0.113.77"
			if spread {
				addr = fmt.Sprintf("10.%d.%d.%d", i/65536%256, i/256%256, i%256+1)
			}
			b := st.browser()
			<-start
			a, h := b.postFrom(addr, path, f)
			if a.Status == http.StatusTooManyRequests || a.Status == http.StatusServiceUnavailable {
				if h.Get("Retry-After") == "" {
					t.Errorf("%d without Retry-After", a.Status)
				}
			}
			mu.Lock()
			tally[a.Status]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return tally
}

// The attack review's case: hundreds of birth dates tried at the same
// moment for one young person's pass. Each attempt is counted before the
// date is compared, so at most PassHolderLimit.Max are compared (answered
// 401: wrong); the others are refused (429), from one address or from
// hundreds; the right date is then refused too.
func TestBeneficiarySignInUnderConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		st := guardedSite(t, s, clock, nil)
		_, codes := st.mustBeneficiary(st.distributor.ID, "Léa", "Martin", "2006-03-05")
		// Every day of 2006 but the right one, as a place that saw the
		// birth year would try them; the booklet's five codes in turn.
		var dates []string
		for d := time.Date(2006, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == 2006; d = d.AddDate(0, 0, 1) {
			if d.Format("02/01/2006") != "05/03/2006" {
				dates = append(dates, d.Format("02/01/2006"))
			}
		}
		tally := burst(t, st, len(dates), true, func(i int) (string, url.Values) {
			return "/mon-pass", url.Values{"code": {codes[i%len(codes)]}, "birth_date": {dates[i]}}
		})
		if tally[http.StatusUnauthorized] > passnum.PassHolderLimit.Max || tally[http.StatusTooManyRequests] < len(dates)-passnum.PassHolderLimit.Max ||
			tally[http.StatusUnauthorized]+tally[http.StatusTooManyRequests] != len(dates) {
			t.Fatalf("%d dates tried at once: %v; want at most %d compared", len(dates), tally, passnum.PassHolderLimit.Max)
		}
		a, h := st.browser().postFrom("192.0.2.200", "/mon-pass", url.Values{"code": {codes[0]}, "birth_date": {"05/03/2006"}})
		if a.Status != http.StatusTooManyRequests || !a.has("conseiller ou conseillère") || h.Get("Retry-After") == "" {
			t.Fatalf("the right date after the burst: %d", a.Status)
		}

		// From one address, many young people's codes: the address's limit.
		var others []string
		for i := range 3 {
			_, c := st.mustBeneficiary(st.distributor.ID, "Jeune", fmt.Sprintf("Numéro %d", i), "2005-06-07")
			others = append(others, c...)
		}
		tally = burst(t, st, 60, false, func(i int) (string, url.Values) {
			return "/mon-pass", url.Values{"code": {others[i%len(others)]}, "birth_date": {"01/01/2001"}}
		})
		if tally[http.StatusUnauthorized] > passnum.SigninAddressLimit.Max || tally[http.StatusUnauthorized]+tally[http.StatusTooManyRequests] != 60 {
			t.Fatalf("one address, many codes: %v; want at most %d compared", tally, passnum.SigninAddressLimit.Max)
		}
	})
}

// The same for a staff password: hundreds tried at once from hundreds of
// addresses; the password checks the hasher counts are at most the
// account's limit, and the right password is then refused, with the way
// back in (a reset link, which lifts the lock).
func TestStaffSignInUnderConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		hasher := passnum.NewPasswordHasher(passnum.PasswordHasherLimits{Concurrent: 2, Queue: 400, Wait: time.Minute})
		st := guardedSite(t, s, clock, hasher)
		email := st.emails[passnum.RoleOperator]
		before := hasher.Checks()
		const n = 200
		tally := burst(t, st, n, true, func(i int) (string, url.Values) {
			return "/connexion", url.Values{"email": {email}, "password": {fmt.Sprintf("essai numéro %d", i)}}
		})
		checked := hasher.Checks() - before
		if checked > int64(passnum.StaffAccountLimit.Max) || int64(tally[http.StatusUnauthorized]) != checked || tally[http.StatusTooManyRequests] != n-int(checked) {
			t.Fatalf("%d passwords at once: %d checked, answers %v; want at most %d checked", n, checked, tally, passnum.StaffAccountLimit.Max)
		}
		a, _ := st.browser().postFrom("192.0.2.201", "/connexion", url.Values{"email": {email}, "password": {testPassword}})
		if a.Status != http.StatusTooManyRequests || !a.has("Mot de passe oublié") {
			t.Fatalf("the right password after the burst: %d\n%s", a.Status, a.Body)
		}
		// A reset link lifts the lock.
		b := st.browser()
		if a, _ := b.postFrom("192.0.2.202", "/mot-de-passe-oublie", url.Values{"email": {email}}); a.Status != http.StatusSeeOther {
			t.Fatalf("forgot: %d", a.Status)
		}
		link := st.mailedLink()
		if a := b.post(link, url.Values{"password": {"une autre phrase secrète"}, "confirm": {"une autre phrase secrète"}}); a.Status != http.StatusSeeOther {
			t.Fatalf("reset: %d", a.Status)
		}
		if a, _ := b.postFrom("192.0.2.203", "/connexion", url.Values{"email": {email}, "password": {"une autre phrase secrète"}}); a.Status != http.StatusSeeOther {
			t.Fatalf("after the reset: %d", a.Status)
		}
	})
}

// heapPeak samples the heap's live objects until stop is closed and
// returns the highest value seen.
func heapPeak(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		var peak uint64
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-stop:
				out <- peak
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	return out
}

// 200 sign-ins at once with unknown addresses (each hashed against a
// decoy, so that timing does not tell which addresses have an account):
// password hashing is bounded, so the heap stays within a few hashes'
// memory; the sign-ins beyond the queue are answered 503 with Retry-After.
// Before the bound, 200 × 64 MiB were allocated at once.
func TestSignInBurstMemoryBounded(t *testing.T) {
	s, _ := storetest.OpenSQLite(t, passnum.NewFixedClock(storetest.Epoch))
	hasher := passnum.NewPasswordHasher(passnum.PasswordHasherLimits{Concurrent: 2, Queue: 64, Wait: 3 * time.Second})
	st := guardedSite(t, s, passnum.NewFixedClock(storetest.Epoch), hasher)
	runtime.GC()
	base := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(base)
	stop := make(chan struct{})
	peak := heapPeak(stop)
	const n = 200
	tally := burst(t, st, n, true, func(i int) (string, url.Values) {
		return "/connexion", url.Values{"email": {fmt.Sprintf("inconnu%d@exemple.fr", i)}, "password": {"une phrase quelconque"}}
	})
	close(stop)
	grew := (<-peak - base[0].Value.Uint64()) >> 20
	t.Logf("%d sign-ins at once: %v; heap grew by %d MiB at most", n, tally, grew)
	if tally[http.StatusUnauthorized]+tally[http.StatusServiceUnavailable] != n || tally[http.StatusUnauthorized] == 0 {
		t.Fatalf("answers %v", tally)
	}
	// Two hashes of 19 MiB at a time, and the garbage of the ones before
	// them: far below one hash per request.
	if grew > 256 {
		t.Fatalf("heap grew by %d MiB during the burst", grew)
	}
}

var checks atomic.Int64 // keeps the compiler from dropping anything

// BenchmarkSignInBurst measures the memory of a burst of sign-ins with
// unknown addresses, the figure quoted in BENCHMARKS.md:
//
//	go test ./web -run '^$' -bench SignInBurst -benchtime 1x
func BenchmarkSignInBurst(b *testing.B) {
	s, _ := storetest.OpenSQLite(b, passnum.NewFixedClock(storetest.Epoch))
	hasher := passnum.NewPasswordHasher(passnum.PasswordHasherLimits{})
	h, err := server.New(s, slog.New(slog.DiscardHandler), web.Config{TrustedProxy: "127.0.0.1", Passwords: hasher})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		base := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		metrics.Read(base)
		resetPeakRSS()
		stop := make(chan struct{})
		peak := heapPeak(stop)
		b.StartTimer()
		var wg sync.WaitGroup
		var refused atomic.Int64
		for i := range 200 {
			wg.Go(func() {
				form := url.Values{"email": {fmt.Sprintf("inconnu%d@exemple.fr", i)}, "password": {"une phrase quelconque"}}
				req, _ := http.NewRequest(http.MethodPost, srv.URL+"/connexion", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", b.N%256, i/256, i%256+1))
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				res.Body.Close()
				if res.StatusCode == http.StatusServiceUnavailable {
					refused.Add(1)
				}
			})
		}
		wg.Wait()
		b.StopTimer()
		close(stop)
		b.ReportMetric(float64((<-peak-base[0].Value.Uint64())>>20), "peak-heap-growth-MiB")
		if rss := peakRSS(); rss > 0 {
			b.ReportMetric(float64(rss>>20), "peak-RSS-MiB")
		}
		b.ReportMetric(float64(refused.Load()), "busy-503")
		checks.Add(hasher.Checks())
		b.StartTimer()
	}
}

// resetPeakRSS starts the process's peak resident memory (VmHWM) over, on
// Linux; elsewhere peakRSS answers 0.
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is the process's peak resident memory since resetPeakRSS, in
// bytes, or 0 when the system does not say.
func peakRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb uint64
			fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb)
			return kb << 10
		}
	}
	return 0
}

// The "return to" address after sign-in stays on the site, however it is
// written.
func TestSignInReturnAddress(t *testing.T) {
	s, _ := storetest.OpenSQLite(t, passnum.NewFixedClock(storetest.Epoch))
	st := newSite(t, s, passnum.NewFixedClock(storetest.Epoch), web.Config{})
	for suite, want := range map[string]string{
		"/\t/evil.example": "/lieu", "/\\evil.example": "/lieu", "//evil.example": "/lieu", "https://evil.example": "/lieu",
		"/%09/evil.example": "/%09/evil.example", "/lieu/encaissements": "/lieu/encaissements",
	} {
		a := st.browser().post("/connexion", url.Values{"email": {st.emails[passnum.RolePlace]}, "password": {testPassword}, "suite": {suite}})
		if a.Status != http.StatusSeeOther || a.Location != want {
			t.Errorf("suite %q: %d %q, want %q", suite, a.Status, a.Location, want)
		}
	}
}

// A NUL character in any input is refused with 400 on both engines, never
// a 500; a form over the size limit is 413, never read as empty.
func TestFormInputRefused(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		b := st.browser()
		for _, form := range []url.Values{
			{"email": {"a\x00@exemple.fr"}, "password": {"x"}},
			{"email": {st.emails[passnum.RolePlace]}, "password": {"mot\x00de passe"}},
		} {
			if a := b.post("/connexion", form); a.Status != http.StatusBadRequest || !a.has("caractère nul") {
				t.Fatalf("NUL in the sign-in form: %d\n%s", a.Status, a.Body)
			}
		}
		if a := b.get("/lieux?commune=25056%00"); a.Status != http.StatusBadRequest {
			t.Fatalf("NUL in a query string: %d", a.Status)
		}
		d := st.as(passnum.RoleDistributor)
		if a := d.post("/distributeur/recherche", url.Values{"q": {"Lé\x00a"}}); a.Status != http.StatusBadRequest {
			t.Fatalf("NUL in a search: %d", a.Status)
		}
		// Control and bidirectional characters in a name: refused next to
		// the field, 422.
		a := d.post("/distributeur/inscrire", url.Values{"first_name": {"Léa\u202E"}, "last_name": {"Martin"}, "birth_date": {"05/03/2006"},
			"commune": {"25056"}, "job_seeker": {"1"}})
		if a.Status != http.StatusUnprocessableEntity || !a.has("inversion du sens") {
			t.Fatalf("bidi override in a name: %d\n%s", a.Status, a.Body)
		}
		big := url.Values{"email": {strings.Repeat("a", 2<<20)}}
		if a := b.post("/connexion", big); a.Status != http.StatusRequestEntityTooLarge {
			t.Fatalf("URL-encoded form over the limit: %d", a.Status)
		}
	})
}

// Label applications from one address are limited per day, on the pages as
// in the API; drafts too (each sends a message).
func TestApplicationLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store, clock *passnum.FixedClock) {
		st := newSite(t, s, clock, web.Config{TrustedProxy: "127.0.0.1"})
		b := st.browser()
		var drafts []string
		for i := range passnum.DraftAddressLimit.Max {
			a, _ := b.postFrom("198.51.100.20", "/candidature", url.Values{"email": {fmt.Sprintf("candidat%d@exemple.fr", i)}})
			if a.Status != http.StatusSeeOther {
				t.Fatalf("draft %d: %d", i+1, a.Status)
			}
			drafts = append(drafts, a.Location)
		}
		a, h := b.postFrom("198.51.100.20", "/candidature", url.Values{"email": {"encore@exemple.fr"}})
		if a.Status != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !a.has("Trop de candidatures commencées") {
			t.Fatalf("draft beyond the limit: %d\n%s", a.Status, a.Body)
		}
		// Submissions: the API's count and the pages' together.
		for i := range passnum.ApplicationAddressLimit.Max {
			form := applicationForm(nextSIRET())
			form.Set("action", "deposer")
			a, _ := b.postFrom("198.51.100.20", drafts[i], form)
			if a.Status != http.StatusSeeOther {
				t.Fatalf("application %d: %d\n%s", i+1, a.Status, a.Body)
			}
		}
		form := applicationForm(nextSIRET())
		form.Set("action", "deposer")
		a, _ = b.postFrom("198.51.100.20", drafts[passnum.ApplicationAddressLimit.Max], form)
		if a.Status != http.StatusTooManyRequests || !a.has("Trop de candidatures déposées") {
			t.Fatalf("application beyond the limit: %d\n%s", a.Status, a.Body)
		}
		// Another address is not affected; the next day, this one may again.
		if a, _ := b.postFrom("198.51.100.21", drafts[passnum.ApplicationAddressLimit.Max], form); a.Status != http.StatusSeeOther {
			t.Fatalf("another address: %d", a.Status)
		}
		clock.Advance(24 * time.Hour)
		form = applicationForm(nextSIRET())
		form.Set("action", "deposer")
		if a, _ := b.postFrom("198.51.100.20", drafts[passnum.ApplicationAddressLimit.Max+1], form); a.Status != http.StatusSeeOther {
			t.Fatalf("the next day: %d", a.Status)
		}
	})
}

// The operator frees a squatted SIRET from the application's page; the
// real organisation then applies.
func TestOperatorReleasesSIRET(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		siret := nextSIRET()
		b := st.browser()
		a := b.post("/candidature", url.Values{"email": {"squat@exemple.fr"}})
		form := applicationForm(siret)
		form.Set("action", "deposer")
		if a := b.post(a.Location, form); a.Status != http.StatusSeeOther {
			t.Fatalf("squatting application: %d", a.Status)
		}
		var squat passnum.PlaceApplicationSummary
		st.view(func(ctx context.Context, tx *store.Tx) error {
			l, _, err := tx.ListPlaceApplications(ctx, passnum.OrgPending, store.Page{})
			for _, x := range l {
				if x.SIRET == siret {
					squat = x
				}
			}
			return err
		})
		op := st.as(passnum.RoleOperator)
		file := "/operateur/labellisation/" + squat.ID
		if a := op.get(file); !a.has("Libérer le SIRET") {
			t.Fatalf("no release button:\n%s", a.Body)
		}
		if a := op.post(file+"/liberer-siret", url.Values{"release_reason": {""}}); a.Status != http.StatusUnprocessableEntity || !a.has(`id="f-release_reason-error"`) {
			t.Fatalf("release without a reason: %d\n%s", a.Status, a.Body)
		}
		if a := op.post(file+"/liberer-siret", url.Values{"release_reason": {"SIRET d'une autre structure"}}); a.Status != http.StatusSeeOther {
			t.Fatalf("release: %d\n%s", a.Status, a.Body)
		}
		if a := op.get(file); !a.has("libéré le") || a.has(">Libérer le SIRET</button>") {
			t.Fatalf("after the release:\n%s", a.Body)
		}
		real := st.browser()
		a = real.post("/candidature", url.Values{"email": {"vraie@exemple.fr"}})
		if a := real.post(a.Location, form); a.Status != http.StatusSeeOther {
			t.Fatalf("the real organisation's application: %d\n%s", a.Status, a.Body)
		}
		if a := op.get("/operateur/journal?action=place.siret_release"); !a.has("SIRET libéré") || !a.has("SIRET d&#39;une autre structure") {
			t.Fatalf("audit:\n%s", a.Body)
		}
	})
}

// A password hashed with the former parameters (64 MiB, 1 pass, 2 lanes)
// still signs in, and is hashed again with the current ones.
func TestOldPasswordHashUpgraded(t *testing.T) {
	each(t, func(t *testing.T, st *site) {
		email := st.emails[passnum.RoleFunder]
		salt := []byte("0123456789abcdef")
		b64 := base64.RawStdEncoding
		old := fmt.Sprintf("$argon2id$v=19$m=65536,t=1,p=2$%s$%s", b64.EncodeToString(salt),
			b64.EncodeToString(argon2.IDKey([]byte(testPassword), salt, 1, 64*1024, 2, 32)))
		var id string
		st.write(func(ctx context.Context, tx *store.Tx) error {
			c, err := tx.UserCredentials(ctx, email)
			if err != nil {
				return err
			}
			id = c.User.ID
			return tx.SetPassword(ctx, st.op, id, old)
		})
		st.browser().signIn(email)
		st.view(func(ctx context.Context, tx *store.Tx) error {
			c, err := tx.UserCredentials(ctx, email)
			if err == nil && !strings.HasPrefix(c.PasswordHash, "$argon2id$v=19$m=19456,t=2,p=1$") {
				t.Errorf("hash after sign-in: %.40s", c.PasswordHash)
			}
			return err
		})
		st.browser().signIn(email)
	})
}
