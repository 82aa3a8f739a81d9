package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"passnum"
	"passnum/demo"
	"passnum/store"
)

// LoadOptions choose a load test: a real "passnum serve" process on a
// database filled with the demonstration programme, driven over loopback
// by concurrent clients that mix what people do all day.
type LoadOptions struct {
	Engine      string // "sqlite" or "postgres"
	PostgresURL string
	Dir         string
	Clients     []int
	Duration    time.Duration
	// Warmup runs the mix at each level before its measured Duration,
	// uncounted.
	Warmup time.Duration
	// Serve starts the server on a database URL, listening on a free
	// loopback port; it must print "écoute sur http://…" on its standard
	// output, as "passnum serve" does.
	Serve func(dbURL string) *exec.Cmd
}

// The mix: what share of the clients' operations each kind takes. A
// hand-out is two requests (register, hand out); a sign-in posts the form
// of one of the demonstration's staff accounts (rare: staff sign in once a
// day, and each costs a deliberately slow password hash).
var loadMix = []struct {
	kind   string
	weight int
}{
	{"pass look-up", 25},
	{"redemption", 20},
	{"hand-out", 10},
	{"dashboard", 10},
	{"page view", 34},
	{"sign-in", 1},
}

// LoadResult is one kind of operation at one concurrency level.
type LoadResult struct {
	Kind     string
	Ops      int
	P50, P99 time.Duration
	Errors   int
	// Refused are answers the product gives on purpose under load: 503
	// busy with Retry-After when password hashing is at its bound.
	Refused int
}

// RunLoad runs the load test and writes its report to w.
func RunLoad(ctx context.Context, o LoadOptions, w io.Writer) error {
	if len(o.Clients) == 0 {
		o.Clients = []int{1, 16, 64, 256}
	}
	if o.Duration <= 0 {
		o.Duration = 10 * time.Second
	}
	dbURL, cleanup, sum, err := o.prepare(ctx)
	if err != nil {
		return err
	}
	defer cleanup()
	srv, err := startServer(o.Serve(dbURL))
	if err != nil {
		return err
	}
	defer srv.stop()
	l, err := newLoad(ctx, srv.base, sum)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "load engine=%s duration=%s after a warm-up of %s clients=%v (server: its own process, pid %d; mix %s)\n", o.Engine, o.Duration, o.Warmup, o.Clients, srv.cmd.Process.Pid, mixString())
	for _, c := range o.Clients {
		srv.resetPeak()
		results, total, elapsed := l.run(ctx, c, o.Warmup, o.Duration)
		rss, peak := srv.memory()
		var errs, refused int
		for _, r := range results {
			errs += r.Errors
			refused += r.Refused
		}
		fmt.Fprintf(w, "%s clients=%-3d %8.0f ops/s  errors=%d  busy=%d  server memory: %d MiB now, %d MiB peak\n",
			o.Engine, c, float64(total)/elapsed.Seconds(), errs, refused, rss>>20, peak>>20)
		for _, r := range results {
			fmt.Fprintf(w, "    %-14s %7d ops  p50=%7.2fms  p99=%7.2fms  errors=%d  busy=%d\n", r.Kind, r.Ops, ms(r.P50), ms(r.P99), r.Errors, r.Refused)
		}
		// The engine's durable floor at the same concurrency, for scale.
		floor, err := Options{Engine: o.Engine, PostgresURL: o.PostgresURL, Dir: o.Dir, Duration: min(o.Duration, 5*time.Second)}.measure(ctx, c, false)
		if err != nil {
			return err
		}
		fmt.Fprintln(w, "    "+floor.String())
	}
	srv.stop()
	if lost := l.verify(ctx, dbURL); lost != nil {
		return lost
	}
	fmt.Fprintf(w, "every acknowledged write found: %d hand-outs, %d redemptions\n", len(l.booklets), len(l.redemptions))
	return nil
}

func mixString() string {
	var parts []string
	for _, m := range loadMix {
		parts = append(parts, fmt.Sprintf("%s %d%%", m.kind, m.weight))
	}
	return strings.Join(parts, ", ")
}

// prepare makes a database with the demonstration programme and a stock
// of booklets for the hand-outs.
func (o LoadOptions) prepare(ctx context.Context) (string, func(), demo.Summary, error) {
	var dbURL string
	var cleanup func()
	if o.Engine == "postgres" {
		u, drop, err := freshPostgres(ctx, o.PostgresURL)
		if err != nil {
			return "", nil, demo.Summary{}, err
		}
		dbURL, cleanup = u, drop
	} else {
		dir := o.Dir
		if dir == "" {
			dir = os.TempDir()
		}
		d, err := os.MkdirTemp(dir, "passnum-load-")
		if err != nil {
			return "", nil, demo.Summary{}, err
		}
		dbURL, cleanup = "sqlite:"+filepath.Join(d, "load.db"), func() { os.RemoveAll(d) }
	}
	s, err := store.Open(ctx, dbURL, store.Options{Migrate: true, Logger: quiet})
	if err != nil {
		cleanup()
		return "", nil, demo.Summary{}, err
	}
	defer s.Close()
	sum, err := demo.Seed(ctx, s, time.Now())
	if err != nil {
		cleanup()
		return "", nil, demo.Summary{}, err
	}
	return dbURL, cleanup, sum, nil
}

// loadServer is the "passnum serve" process under load.
type loadServer struct {
	cmd     *exec.Cmd
	base    string
	done    chan error
	stopped sync.Once
}

var listeningOn = regexp.MustCompile(`écoute sur (http://[0-9.:]+)`)

func startServer(cmd *exec.Cmd) (*loadServer, error) {
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &loadServer{cmd: cmd, done: make(chan error, 1)}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := listeningOn.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	go func() { s.done <- cmd.Wait() }()
	select {
	case s.base = <-found:
		return s, nil
	case err := <-s.done:
		return nil, fmt.Errorf("le serveur s'est arrêté au démarrage : %v", err)
	case <-time.After(2 * time.Minute):
		cmd.Process.Kill()
		return nil, fmt.Errorf("le serveur n'a pas démarré en deux minutes")
	}
}

func (s *loadServer) stop() {
	s.stopped.Do(func() {
		s.cmd.Process.Signal(os.Interrupt)
		select {
		case <-s.done:
		case <-time.After(time.Minute):
			s.cmd.Process.Kill()
			<-s.done
		}
	})
}

// resetPeak starts a new peak of the server's resident memory (Linux).
func (s *loadServer) resetPeak() {
	os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", s.cmd.Process.Pid), []byte("5"), 0)
}

// memory reads the server's resident memory and its peak (Linux; zero
// elsewhere).
func (s *loadServer) memory() (rss, peak int64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = kb << 10
		case "VmHWM:":
			peak = kb << 10
		}
	}
	return rss, peak
}

// load is the clients' shared state: the passes they may look up and
// redeem, and every write the server acknowledged.
type load struct {
	base      string
	client    *http.Client
	keys      map[string]string
	emails    []string
	programme string

	mu          sync.Mutex
	fresh       []string // handed out, not yet redeemed
	seen        []string // redeemed or handed out, for look-ups
	booklets    map[string]string
	redemptions map[string]string
	seq         atomic.Int64
}

func newLoad(ctx context.Context, base string, sum demo.Summary) (*load, error) {
	l := &load{base: base, keys: map[string]string{}, booklets: map[string]string{}, redemptions: map[string]string{},
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 512, MaxConnsPerHost: 512}, Timeout: time.Minute,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	for role, k := range sum.Keys {
		l.keys[role] = k.Secret
		if k.Email != "" {
			l.emails = append(l.emails, k.Email)
		}
	}
	slices.Sort(l.emails)
	var list struct {
		Items []passnum.Programme `json:"items"`
	}
	if _, err := l.call(ctx, "operator", "GET", "/api/v1/programmes?limit=100", nil, &list); err != nil {
		return nil, err
	}
	for _, p := range list.Items {
		if p.Name == sum.CurrentProgramme {
			l.programme = p.ID
		}
	}
	if l.programme == "" {
		return nil, fmt.Errorf("programme %q introuvable", sum.CurrentProgramme)
	}
	// Stock for the hand-outs of the whole run.
	var prog passnum.Programme
	if _, err := l.call(ctx, "operator", "GET", "/api/v1/programmes/"+l.programme, nil, &prog); err != nil {
		return nil, err
	}
	for _, step := range []struct{ path, body string }{
		{"/issuances", `{"booklets":4000}`},
		{"/allocations", `{"booklets":4000,"distributor_id":"` + sum.Keys["distributor"].OrganisationID + `"}`},
	} {
		if st, err := l.call(ctx, "operator", "POST", "/api/v1/programmes/"+l.programme+step.path, []byte(step.body), nil); err != nil || st != http.StatusCreated {
			return nil, fmt.Errorf("préparation %s : %d %v", step.path, st, err)
		}
	}
	return l, nil
}

// call sends one API request with a role's key and decodes a JSON answer.
func (l *load) call(ctx context.Context, role, method, path string, body []byte, out any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, method, l.base+path, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	if role != "" {
		req.Header.Set("Authorization", "Bearer "+l.keys[role])
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := l.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, err
	}
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			return res.StatusCode, err
		}
	}
	return res.StatusCode, nil
}

// outcome of one operation.
type outcome int

const (
	ok outcome = iota
	failed
	busy
)

// op performs one operation of the kind asked for and returns the kind it
// performed: a look-up or a redemption with no pass to use yet performs a
// hand-out instead, and is counted as one, so a hand-out's time never
// passes for a redemption's.
func (l *load) op(ctx context.Context, kind string, rng *rand.Rand) (string, outcome) {
	switch kind {
	case "pass look-up":
		code, found := l.pick(rng)
		if !found {
			return "hand-out", l.do(ctx, "hand-out", "", rng)
		}
		return kind, l.do(ctx, kind, code, rng)
	case "redemption":
		code, found := l.take()
		if !found {
			return "hand-out", l.do(ctx, "hand-out", "", rng)
		}
		return kind, l.do(ctx, kind, code, rng)
	}
	return kind, l.do(ctx, kind, "", rng)
}

// do performs one operation; code is the pass a look-up or a redemption
// uses.
func (l *load) do(ctx context.Context, kind, code string, rng *rand.Rand) outcome {
	expect := func(status int, err error, want ...int) outcome {
		switch {
		case err != nil:
			return failed
		case slices.Contains(want, status):
			return ok
		case status == http.StatusServiceUnavailable && kind == "sign-in":
			return busy
		}
		return failed
	}
	switch kind {
	case "pass look-up":
		st, err := l.call(ctx, "place", "GET", "/api/v1/passes/"+code, nil, nil)
		return expect(st, err, http.StatusOK)
	case "redemption":
		var r struct {
			ID string `json:"redemption_id"`
		}
		st, err := l.call(ctx, "place", "POST", "/api/v1/passes/"+code+"/redeem", []byte(`{"service":"Maîtrise des outils numériques du quotidien"}`), &r)
		if st == http.StatusCreated {
			l.mu.Lock()
			l.redemptions[r.ID] = code
			l.mu.Unlock()
		}
		return expect(st, err, http.StatusCreated)
	case "hand-out":
		n := l.seq.Add(1)
		var b passnum.Beneficiary
		body, _ := json.Marshal(map[string]any{"first_name": "Charge", "last_name": "Essai " + letters(n), "birth_date": passnum.ParisDate(time.Now()).AddDays(-7300).String(),
			"commune_insee": "25056", "job_seeker": true, "in_studies": false})
		if st, err := l.call(ctx, "distributor", "POST", "/api/v1/beneficiaries", body, &b); expect(st, err, http.StatusCreated) != ok {
			return failed
		}
		var bk passnum.Booklet
		st, err := l.call(ctx, "distributor", "POST", "/api/v1/beneficiaries/"+b.ID+"/booklets", []byte(`{"programme_id":"`+l.programme+`"}`), &bk)
		if st == http.StatusCreated {
			l.mu.Lock()
			l.booklets[bk.ID] = b.ID
			for _, p := range bk.Passes {
				l.fresh = append(l.fresh, p.Code)
				l.seen = append(l.seen, p.Code)
			}
			l.mu.Unlock()
		}
		return expect(st, err, http.StatusCreated)
	case "dashboard":
		role := "operator"
		if rng.IntN(2) == 0 {
			role = "funder"
		}
		st, err := l.call(ctx, role, "GET", "/api/v1/programmes/"+l.programme, nil, nil)
		return expect(st, err, http.StatusOK)
	case "page view":
		path := []string{"/", "/lieux?q=25000", "/lieux?q=Dijon", "/mon-pass"}[rng.IntN(4)]
		st, err := l.call(ctx, "", "GET", path, nil, nil)
		return expect(st, err, http.StatusOK)
	case "sign-in":
		form := url.Values{"email": {l.emails[rng.IntN(len(l.emails))]}, "password": {demo.Password}}
		req, _ := http.NewRequestWithContext(ctx, "POST", l.base+"/connexion", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := l.client.Do(req)
		if err != nil {
			return failed
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return expect(res.StatusCode, nil, http.StatusSeeOther)
	}
	return failed
}

func (l *load) pick(rng *rand.Rand) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.seen) == 0 {
		return "", false
	}
	return l.seen[rng.IntN(len(l.seen))], true
}

func (l *load) take() (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.fresh) == 0 {
		return "", false
	}
	c := l.fresh[0]
	l.fresh = l.fresh[1:]
	return c, true
}

// run drives clients for warm, then for d, and returns each kind's
// figures over d alone. The warm-up opens the clients' connections and
// hands out the first booklets: counted, it would put a 64-connection
// handshake and the hand-outs standing in for redemptions with nothing
// to redeem yet into the first second's figures.
func (l *load) run(ctx context.Context, clients int, warm, d time.Duration) ([]LoadResult, int, time.Duration) {
	type sample struct {
		kind int
		d    time.Duration
		out  outcome
	}
	kinds := map[string]int{}
	for k, m := range loadMix {
		kinds[m.kind] = k
	}
	samples := make([][]sample, clients)
	var wg sync.WaitGroup
	begin := time.Now()
	start := begin.Add(warm)
	deadline := start.Add(d)
	total := 0
	for _, m := range loadMix {
		total += m.weight
	}
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), uint64(begin.UnixNano())))
			for time.Now().Before(deadline) {
				k, x := 0, rng.IntN(total)
				for x >= loadMix[k].weight {
					x -= loadMix[k].weight
					k++
				}
				t0 := time.Now()
				did, out := l.op(ctx, loadMix[k].kind, rng)
				if !t0.Before(start) {
					samples[c] = append(samples[c], sample{kinds[did], time.Since(t0), out})
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	results := make([]LoadResult, len(loadMix))
	lat := make([][]time.Duration, len(loadMix))
	n := 0
	for _, ss := range samples {
		for _, s := range ss {
			r := &results[s.kind]
			switch s.out {
			case ok:
				lat[s.kind] = append(lat[s.kind], s.d)
				n++
			case failed:
				r.Errors++
			case busy:
				r.Refused++
			}
		}
	}
	for k := range results {
		results[k].Kind = loadMix[k].kind
		l := lat[k]
		slices.Sort(l)
		results[k].Ops = len(l)
		results[k].P50, results[k].P99 = quantile(l, 50), quantile(l, 99)
	}
	return results, n, elapsed
}

// verify requires every acknowledged hand-out and redemption in the
// database, and passnum check to pass.
func (l *load) verify(ctx context.Context, dbURL string) error {
	s, err := store.Open(ctx, dbURL, store.Options{Logger: quiet})
	if err != nil {
		return err
	}
	defer s.Close()
	err = s.View(ctx, func(tx *store.Tx) error {
		for id, ben := range l.booklets {
			bk, err := tx.Booklet(ctx, id)
			if err != nil || bk.BeneficiaryID != ben {
				return fmt.Errorf("remise acquittée %s introuvable : %v", id, err)
			}
		}
		for id, code := range l.redemptions {
			r, err := tx.Redemption(ctx, id, "")
			if err != nil || r.Code != code {
				return fmt.Errorf("encaissement acquitté %s introuvable : %v", id, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.Check(ctx)
}

// letters spells n in letters, for names made of letters only.
func letters(n int64) string {
	var b []byte
	for n >= 0 {
		b = append(b, byte('a'+n%26))
		n = n/26 - 1
	}
	return string(b)
}
