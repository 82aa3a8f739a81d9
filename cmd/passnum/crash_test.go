package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"passnum"
	"passnum/demo"
	"passnum/store"
	"passnum/store/storetest"
)

// The crash test runs "passnum serve" in a child process (this test binary
// started again with PASSNUM_CRASH_CHILD set), puts it under a steady load
// of registrations, hand-outs and redemptions through the API, kills it
// with SIGKILL at random moments, starts it again, and at the end requires
// every write the server acknowledged to be there exactly once, no pass
// redeemed twice and "passnum check" to pass.
//
// PASSNUM_CRASH_KILLS sets the number of kills (10 by default);
// PASSNUM_CRASH_SEED replays a run's random moments.

const crashChildEnv = "PASSNUM_CRASH_CHILD"

func TestMain(m *testing.M) {
	if args := os.Getenv(crashChildEnv); args != "" {
		// The child: serve until killed.
		err := run(context.Background(), strings.Split(args, "\x1f"), os.Stdout, os.Stderr)
		if err != nil {
			fmt.Fprintln(os.Stderr, "passnum :", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: long, skipped with -short")
	}
	kills := 10
	if v := os.Getenv("PASSNUM_CRASH_KILLS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("PASSNUM_CRASH_KILLS=%q: a positive number is expected", v)
		}
		kills = n
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("PASSNUM_CRASH_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("PASSNUM_CRASH_SEED=%q: a number is expected", v)
		}
		seed = n
	}
	t.Logf("PASSNUM_CRASH_SEED=%d PASSNUM_CRASH_KILLS=%d", seed, kills)
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			var url string
			if e.Name == "sqlite" {
				url = "sqlite:" + filepath.Join(t.TempDir(), "passnum.db")
			} else {
				url = storetest.NewPostgresDatabase(t)
			}
			crashRun(t, url, kills, rand.New(rand.NewPCG(seed, 1)))
		})
	}
}

// crashWorld is what the load saw acknowledged, and what it left unsure.
type crashWorld struct {
	mu sync.Mutex
	// beneficiaries and booklets acknowledged by the server, by id; the
	// booklet's value is its beneficiary.
	beneficiaries map[string]bool
	booklets      map[string]string
	// codes handed out and not yet known redeemed.
	pending []string
	// redemptions acknowledged: redemption id → pass code.
	redemptions map[string]string
	// redeemed codes, acknowledged or found already redeemed after a crash.
	redeemed   map[string]bool
	seq        int
	outOfStock bool
}

func crashRun(t *testing.T, url string, kills int, rng *rand.Rand) {
	ctx := context.Background()
	s, err := store.Open(ctx, url, store.Options{Migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := demo.Seed(ctx, s, time.Now())
	s.Close()
	if err != nil {
		t.Fatalf("demo: %v", err)
	}
	keys := crashKeys{distributor: sum.Keys["distributor"].Secret, place: sum.Keys["place"].Secret, operator: sum.Keys["operator"].Secret}
	w := &crashWorld{beneficiaries: map[string]bool{}, booklets: map[string]string{}, redemptions: map[string]string{}, redeemed: map[string]bool{}}
	var programmeID string
	for round := 0; round <= kills; round++ {
		srv := startChild(t, url)
		if programmeID == "" {
			programmeID = currentProgramme(t, srv.base, keys.operator, sum.CurrentProgramme)
			supply(t, srv.base, keys.operator, programmeID, sum.Keys["distributor"].OrganisationID)
		}
		if round == kills {
			// The last start only serves the final redemptions, then stops
			// cleanly.
			w.redeemPending(t, srv.base, keys.place)
			srv.stop(t)
			break
		}
		before := w.acked()
		loadCtx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for i := 0; i < 6; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w.load(loadCtx, srv.base, keys, programmeID)
			}()
		}
		// The kill comes at a random moment once the load is under way:
		// on a machine this busy (the race detector, other builds) a
		// fresh server may take longer than the window to answer at all.
		w.waitForAck(before, 30*time.Second)
		time.Sleep(time.Duration(150+rng.IntN(1200)) * time.Millisecond)
		srv.kill(t)
		cancel()
		wg.Wait()
	}
	w.verify(t, url)
}

type crashKeys struct{ distributor, place, operator string }

type child struct {
	cmd  *exec.Cmd
	base string
	done chan error
	log  *bytes.Buffer
}

var listening = regexp.MustCompile(`écoute sur (http://[0-9.:]+)`)

func startChild(t *testing.T, url string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashChildEnv+"="+strings.Join([]string{"serve", "--db", url, "--addr", "127.0.0.1:0", "--outbox", t.TempDir()}, "\x1f"))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, done: make(chan error, 1), log: &bytes.Buffer{}}
	cmd.Stderr = c.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	go func() { c.done <- cmd.Wait() }()
	select {
	case c.base = <-found:
	case err := <-c.done:
		t.Fatalf("the server stopped at start: %v\n%s", err, c.log.String())
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the server did not start within a minute\n%s", c.log.String())
	}
	return c
}

// kill sends SIGKILL: no shutdown, no flush, as when the power goes.
func (c *child) kill(t *testing.T) {
	t.Helper()
	c.cmd.Process.Kill()
	<-c.done
}

func (c *child) stop(t *testing.T) {
	t.Helper()
	c.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-c.done:
		if err != nil {
			t.Errorf("the server stopped with %v\n%s", err, c.log.String())
		}
	case <-time.After(60 * time.Second):
		c.cmd.Process.Kill()
		t.Error("the server did not stop within a minute after SIGINT")
	}
}

func currentProgramme(t *testing.T, base, key, name string) string {
	t.Helper()
	var list struct {
		Items []passnum.Programme `json:"items"`
	}
	if status, err := call(context.Background(), base, key, "GET", "/api/v1/programmes?limit=100", nil, &list); err != nil || status != 200 {
		t.Fatalf("programmes: %d %v", status, err)
	}
	for _, p := range list.Items {
		if p.Name == name {
			return p.ID
		}
	}
	t.Fatalf("no programme named %q", name)
	return ""
}

// supply gives the distributor booklets enough for the whole run.
func supply(t *testing.T, base, key, programmeID, distributorID string) {
	t.Helper()
	const booklets = 3000
	if status, err := call(context.Background(), base, key, "POST", "/api/v1/programmes/"+programmeID+"/issuances", map[string]any{"booklets": booklets}, nil); err != nil || status != 201 {
		t.Fatalf("issuance: %d %v", status, err)
	}
	if status, err := call(context.Background(), base, key, "POST", "/api/v1/programmes/"+programmeID+"/allocations",
		map[string]any{"distributor_id": distributorID, "booklets": booklets}, nil); err != nil || status != 201 {
		t.Fatalf("allocation: %d %v", status, err)
	}
}

// acked is how many writes the server has acknowledged so far.
func (w *crashWorld) acked() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.beneficiaries) + len(w.booklets) + len(w.redemptions)
}

// waitForAck waits until the server acknowledges a write beyond before,
// or for at most limit.
func (w *crashWorld) waitForAck(before int, limit time.Duration) {
	for end := time.Now().Add(limit); w.acked() == before && time.Now().Before(end); {
		time.Sleep(10 * time.Millisecond)
	}
}

// load registers young people, hands each a booklet and redeems its passes
// until ctx ends. A request that got no answer (the server was killed) is
// neither counted nor forgotten: its pass code stays pending, and is
// redeemed again after the restart.
func (w *crashWorld) load(ctx context.Context, base string, keys crashKeys, programmeID string) {
	for ctx.Err() == nil {
		if code, ok := w.nextPending(); ok {
			w.redeem(ctx, base, keys.place, code)
			continue
		}
		w.mu.Lock()
		if w.outOfStock {
			w.mu.Unlock()
			time.Sleep(10 * time.Millisecond)
			continue
		}
		w.seq++
		n := w.seq
		w.mu.Unlock()
		var b passnum.Beneficiary
		body := map[string]any{"first_name": "Crash", "last_name": lettersOf(n), "birth_date": passnum.ParisDate(time.Now()).AddDays(-365 * 20).String(),
			"commune_insee": "25056", "job_seeker": true, "in_studies": false}
		if status, err := call(ctx, base, keys.distributor, "POST", "/api/v1/beneficiaries", body, &b); err != nil || status != 201 {
			continue
		}
		w.mu.Lock()
		w.beneficiaries[b.ID] = true
		w.mu.Unlock()
		var bk struct {
			passnum.Booklet
			Code string `json:"code"`
		}
		status, err := call(ctx, base, keys.distributor, "POST", "/api/v1/beneficiaries/"+b.ID+"/booklets", map[string]any{"programme_id": programmeID}, &bk)
		if err == nil && bk.Code == passnum.EINSUFFICIENTSTOCK {
			// The stock is spent: from now on the load only redeems.
			w.mu.Lock()
			w.outOfStock = true
			w.mu.Unlock()
			continue
		}
		if err != nil || status != 201 {
			continue
		}
		w.mu.Lock()
		w.booklets[bk.ID] = b.ID
		for _, p := range bk.Passes {
			w.pending = append(w.pending, p.Code)
		}
		w.mu.Unlock()
	}
}

func (w *crashWorld) nextPending() (string, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.pending) == 0 {
		return "", false
	}
	code := w.pending[0]
	w.pending = w.pending[1:]
	return code, true
}

// redeem encashes code; a pass found already redeemed was redeemed by a
// request whose answer the crash lost.
func (w *crashWorld) redeem(ctx context.Context, base, key, code string) {
	var out struct {
		RedemptionID string `json:"redemption_id"`
		Code         string `json:"code"`
	}
	status, err := call(ctx, base, key, "POST", "/api/v1/passes/"+code+"/redeem", map[string]any{"service": passnum.NationalServices[1]}, &out)
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case err == nil && status == 201:
		w.redemptions[out.RedemptionID] = code
		w.redeemed[code] = true
	case err == nil && status == 409 && out.Code == passnum.EALREADYREDEEMED:
		w.redeemed[code] = true
	default:
		w.pending = append(w.pending, code) // unknown: try again later
	}
}

func (w *crashWorld) redeemPending(t *testing.T, base, key string) {
	for i := 0; ; i++ {
		code, ok := w.nextPending()
		if !ok {
			return
		}
		if i > 100000 {
			t.Fatal("pending redemptions never end")
		}
		w.redeem(context.Background(), base, key, code)
	}
}

// verify reads the database the server left and requires every
// acknowledged write.
func (w *crashWorld) verify(t *testing.T, url string) {
	t.Helper()
	if len(w.redemptions) == 0 || len(w.booklets) == 0 {
		t.Fatalf("the load acknowledged %d hand-outs and %d redemptions: nothing was tested", len(w.booklets), len(w.redemptions))
	}
	ctx := context.Background()
	s, err := store.Open(ctx, url, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.View(ctx, func(tx *store.Tx) error {
		for id := range w.beneficiaries {
			if _, err := tx.Beneficiary(ctx, id, ""); err != nil {
				t.Errorf("acknowledged beneficiary %s: %v", id, err)
			}
		}
		for id, ben := range w.booklets {
			bk, err := tx.Booklet(ctx, id)
			if err != nil {
				t.Errorf("acknowledged booklet %s: %v", id, err)
				continue
			}
			if bk.BeneficiaryID != ben {
				t.Errorf("booklet %s belongs to %s, not %s", id, bk.BeneficiaryID, ben)
			}
		}
		for code := range w.redeemed {
			ps, err := tx.Pass(ctx, code)
			if err != nil || ps.Status != passnum.PassRedeemed {
				t.Errorf("pass %s, known redeemed, is %q (%v)", code, ps.Status, err)
			}
		}
		for id, code := range w.redemptions {
			r, err := tx.Redemption(ctx, id, "")
			if err != nil {
				t.Errorf("acknowledged redemption %s: %v", id, err)
				continue
			}
			if r.Status != passnum.RedemptionActive || r.Code != code {
				t.Errorf("redemption %s: status %s, code %s (want active, %s)", id, r.Status, r.Code, code)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Exactly once, no pass twice, every invariant: passnum check.
	if err := s.Check(ctx); err != nil {
		t.Errorf("passnum check after %d crashes: %v", len(w.redemptions), err)
	}
	t.Logf("%d young people, %d booklets, %d redemptions acknowledged and found", len(w.beneficiaries), len(w.booklets), len(w.redemptions))
}

// lettersOf spells n in letters, for names that must be letters only.
func lettersOf(n int) string {
	var b []byte
	for n >= 0 {
		b = append(b, byte('a'+n%26))
		n = n/26 - 1
	}
	return "X" + string(b)
}

func call(ctx context.Context, base, key, method, path string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("answer %s: %w", b, err)
		}
	}
	return resp.StatusCode, nil
}
