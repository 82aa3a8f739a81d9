// Package bench measures passnum on this machine: redemptions through the
// HTTP API at several concurrency levels next to the engine's durable
// floor (the same writes, no HTTP, one transaction each), and issuing a
// million passes. "passnum bench" prints the report that BENCHMARKS.md
// quotes.
package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"passnum"
	"passnum/server"
	"passnum/store"
	"passnum/web"
)

// Options choose what to measure.
type Options struct {
	// Engine is "sqlite" or "postgres".
	Engine string
	// PostgresURL is where fresh benchmark databases are created from
	// (an existing database such as postgres://postgres@127.0.0.1/postgres).
	PostgresURL string
	// Dir holds the SQLite files (a temporary folder when empty).
	Dir string
	// Clients are the concurrency levels (1, 16, 64).
	Clients []int
	// Duration of each measurement.
	Duration time.Duration
	// IssuePasses is how many passes the issuance measurement creates
	// (0 skips it).
	IssuePasses int

	// group is the store's GroupRedemptions: the floor sets GroupOff, so
	// that it stays plain transactions (it redeems through Tx.Redeem in
	// writes of its own, which never group anyway).
	group store.Grouping
}

// Result is one measurement.
type Result struct {
	Name       string
	Clients    int
	Ops        int
	Elapsed    time.Duration
	P50, P99   time.Duration
	Throughput float64
	Errors     int
	BatchAvg   float64 // redemptions per commit (see run)
}

func (r Result) String() string {
	grouping := ""
	if r.BatchAvg > 0 {
		grouping = fmt.Sprintf(", %.1f redemptions/commit", r.BatchAvg)
	}
	return fmt.Sprintf("%-28s clients=%-3d %9.0f/s  p50=%7.2fms  p99=%7.2fms  (%d ops, %d errors%s)",
		r.Name, r.Clients, r.Throughput, ms(r.P50), ms(r.P99), r.Ops, r.Errors, grouping)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// Run measures and writes the report to w.
func Run(ctx context.Context, o Options, w io.Writer) error {
	if len(o.Clients) == 0 {
		o.Clients = []int{1, 16, 64}
	}
	if o.Duration <= 0 {
		o.Duration = 5 * time.Second
	}
	fmt.Fprintf(w, "engine=%s duration=%s clients=%v\n", o.Engine, o.Duration, o.Clients)
	for _, c := range o.Clients {
		floor, err := o.measure(ctx, c, false)
		if err != nil {
			return err
		}
		fmt.Fprintln(w, floor)
		api, err := o.measure(ctx, c, true)
		if err != nil {
			return err
		}
		fmt.Fprintln(w, api)
		fmt.Fprintf(w, "%-28s clients=%-3d ratio api/floor = %.2f\n", "", c, api.Throughput/floor.Throughput)
	}
	if o.IssuePasses > 0 {
		r, err := o.issue(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "issue %d passes: %.2fs (%.0f passes/s)\n", o.IssuePasses, r.Elapsed.Seconds(), r.Throughput)
	}
	return nil
}

// fixture is a database ready for redemptions: a labelled place with a key
// and enough handed-out passes.
type fixture struct {
	s        *store.Store
	placeKey string
	place    passnum.Actor
	// batchesBase is the writer's counters when the measurement starts.
	batchesBase [2]int64
	codes       []string
	cleanup     func()
}

func (o Options) open(ctx context.Context, maxBatch int) (*store.Store, func(), error) {
	switch o.Engine {
	case "postgres":
		u, drop, err := freshPostgres(ctx, o.PostgresURL)
		if err != nil {
			return nil, nil, err
		}
		s, err := store.Open(ctx, u, store.Options{Migrate: true, Logger: quiet, GroupRedemptions: o.group})
		if err != nil {
			drop()
			return nil, nil, err
		}
		return s, func() { s.Close(); drop() }, nil
	default:
		dir := o.Dir
		if dir == "" {
			dir = os.TempDir()
		}
		d, err := os.MkdirTemp(dir, "passnum-bench-")
		if err != nil {
			return nil, nil, err
		}
		s, err := store.Open(ctx, "sqlite:"+filepath.Join(d, "bench.db"), store.Options{Migrate: true, MaxBatch: maxBatch, Logger: quiet, GroupRedemptions: o.group})
		if err != nil {
			os.RemoveAll(d)
			return nil, nil, err
		}
		return s, func() { s.Close(); os.RemoveAll(d) }, nil
	}
}

var quiet = slog.New(slog.DiscardHandler)

// setup prepares passes enough for n redemptions.
func (o Options) setup(ctx context.Context, n int, maxBatch int) (*fixture, error) {
	s, cleanup, err := o.open(ctx, maxBatch)
	if err != nil {
		return nil, err
	}
	f := &fixture{s: s, cleanup: cleanup}
	const size = 10
	booklets := int64(n/size + 1)
	err = s.Write(ctx, func(tx *store.Tx) error {
		op := passnum.SystemActor
		funder, err := tx.CreateOrganisation(ctx, op, passnum.NewOrganisation{Kind: passnum.RoleFunder, Name: "Région"})
		if err != nil {
			return err
		}
		dist, err := tx.CreateOrganisation(ctx, op, passnum.NewOrganisation{Kind: passnum.RoleDistributor, Name: "Mission locale"})
		if err != nil {
			return err
		}
		place, err := tx.CreateOrganisation(ctx, op, passnum.NewOrganisation{Kind: passnum.RolePlace, Name: "Médiathèque", SIRET: "73282932000074"})
		if err != nil {
			return err
		}
		if _, err := tx.SetPlaceStatus(ctx, op, place.ID, passnum.OrgLabelled, ""); err != nil {
			return err
		}
		k, secret, err := tx.CreateKey(ctx, op, place.ID, "bench")
		if err != nil {
			return err
		}
		f.placeKey = secret
		f.place = passnum.Actor{OrganisationID: place.ID, Role: passnum.RolePlace, Kind: "key", ID: k.ID}
		today := tx.Today()
		p, err := tx.CreateProgramme(ctx, op, passnum.Programme{Name: "Banc d'essai", FaceValueCents: 1000, BookletSize: size,
			ValidFrom: today.AddDays(-30), ValidUntil: today.AddDays(365), GraceDays: 31, MinAge: 16, MaxAge: 25,
			MaxBookletsPerBeneficiary: 1, CancelWindowHours: 24, Funders: []passnum.FunderShare{{OrganisationID: funder.ID, ShareBps: 10000}}})
		if err != nil {
			return err
		}
		if _, err := tx.Issue(ctx, op, p.ID, booklets); err != nil {
			return err
		}
		if _, err := tx.Allocate(ctx, op, p.ID, dist.ID, booklets); err != nil {
			return err
		}
		da := passnum.Actor{OrganisationID: dist.ID, Role: passnum.RoleDistributor, Kind: "system", ID: "bench"}
		birth := today.AddDays(-20 * 365)
		byRank := make([][]string, p.BookletSize)
		for i := int64(0); i < booklets; i++ {
			// One record per person in an agency: each is another Camille.
			b, err := tx.CreateBeneficiary(ctx, da, passnum.Beneficiary{FirstName: "Camille", LastName: "Essai " + strconv.FormatInt(i, 10), BirthDate: birth, CommuneINSEE: "25056", JobSeeker: true})
			if err != nil {
				return err
			}
			bk, err := tx.HandOut(ctx, da, b.ID, p.ID)
			if err != nil {
				return err
			}
			for j, ps := range bk.Passes {
				byRank[j] = append(byRank[j], ps.Code)
			}
		}
		// Clients take the codes in this order: every booklet's first
		// pass, then every booklet's second… A young person uses one pass
		// per training, days or weeks apart, so concurrent redemptions
		// are of different booklets; in booklet order, 16 clients would
		// redeem the same three booklets at once and wait on each other
		// for each booklet's counters.
		for _, codes := range byRank {
			f.codes = append(f.codes, codes...)
		}
		return nil
	})
	if err != nil {
		cleanup()
		return nil, err
	}
	return f, nil
}

// capacity guesses how many redemptions a measurement may need.
func (o Options) capacity(clients int) int {
	per := 25000.0
	if o.Engine == "postgres" {
		per = 12000
	}
	return int(per*o.Duration.Seconds()) + clients*10
}

// measure runs clients concurrent redeemers for the duration, through the
// HTTP API or straight on the store with one transaction each (the floor).
func (o Options) measure(ctx context.Context, clients int, viaAPI bool) (Result, error) {
	n := o.capacity(clients)
	maxBatch := 0
	if !viaAPI {
		// The floor: one durable commit per redemption.
		o.group = store.GroupOff
		if o.Engine != "postgres" {
			maxBatch = 1
		}
	}
	f, err := o.setup(ctx, n, maxBatch)
	if err != nil {
		return Result{}, err
	}
	defer f.cleanup()
	return o.run(ctx, f, clients, viaAPI)
}

func (o Options) run(ctx context.Context, f *fixture, clients int, viaAPI bool) (Result, error) {
	name := o.Engine + " floor (store, 1 tx each)"
	redeem := f.storeRedeemer(ctx)
	if viaAPI {
		name = o.Engine + " HTTP API"
		r, stop, err := f.apiRedeemer(ctx, clients)
		if err != nil {
			return Result{}, err
		}
		defer stop()
		redeem = r
	}
	// A short warm-up fills connection pools and caches.
	var next atomic.Int64
	take := func() (string, bool) {
		i := next.Add(1) - 1
		if int(i) >= len(f.codes) {
			return "", false
		}
		return f.codes[i], true
	}
	for i := 0; i < clients && i < 50; i++ {
		if c, ok := take(); ok {
			redeem(c)
		}
	}
	stats := o.commitStats(f, viaAPI)
	f.batchesBase[0], f.batchesBase[1] = stats()
	start := time.Now()
	all, errs := drive(clients, start.Add(o.Duration), take, redeem)
	elapsed := time.Since(start)
	r := Result{Name: name, Clients: clients, Ops: len(all), Elapsed: elapsed, Errors: errs,
		P50: quantile(all, 50), P99: quantile(all, 99)}
	r.Throughput = float64(r.Ops) / elapsed.Seconds()
	if b, w := stats(); b > f.batchesBase[0] {
		r.BatchAvg = float64(w-f.batchesBase[1]) / float64(b-f.batchesBase[0])
	}
	if int(next.Load()) >= len(f.codes) {
		return r, fmt.Errorf("%s: ran out of passes (%d): raise the capacity", name, len(f.codes))
	}
	return r, nil
}

// storeRedeemer redeems a pass through the store, one transaction each:
// the engine's durable floor.
func (f *fixture) storeRedeemer(ctx context.Context) func(code string) error {
	return func(code string) error {
		return f.s.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.Redeem(ctx, f.place, store.RedeemRequest{Code: code, Service: "Maîtrise des outils numériques du quotidien"})
			return err
		})
	}
}

// apiRedeemer serves the whole server on the loopback and redeems a pass
// through POST /api/v1/passes/{code}/redeem with the place's key; stop
// closes the server.
func (f *fixture) apiRedeemer(ctx context.Context, clients int) (redeem func(code string) error, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	h, err := server.New(f.s, quiet, web.Config{})
	if err != nil {
		ln.Close()
		return nil, nil, err
	}
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
	base := "http://" + ln.Addr().String() + "/api/v1/passes/"
	body := []byte(`{"service":"Maîtrise des outils numériques du quotidien"}`)
	redeem = func(code string) error {
		req, _ := http.NewRequestWithContext(ctx, "POST", base+code+"/redeem", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+f.placeKey)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			return fmt.Errorf("status %d", res.StatusCode)
		}
		return nil
	}
	return redeem, func() { srv.Close() }, nil
}

// commitStats counts commits and the redemptions they carried: on SQLite
// the writer's commits, which carry either one redemption per write (the
// floor) or group-redemption writes; on PostgreSQL the group
// transactions.
func (o Options) commitStats(f *fixture, viaAPI bool) func() (commits, redemptions int64) {
	switch {
	case o.Engine == "postgres":
		return f.s.RedeemBatchStats
	case viaAPI:
		return func() (int64, int64) {
			commits, _ := f.s.WriterStats()
			_, redemptions := f.s.RedeemBatchStats()
			return commits, redemptions
		}
	default:
		return f.s.WriterStats
	}
}

// drive runs clients goroutines that each redeem the codes take gives
// until the deadline (or the codes run out), and returns the successful
// redemptions' latencies, sorted, and the number of failures.
func drive(clients int, deadline time.Time, take func() (string, bool), redeem func(string) error) ([]time.Duration, int) {
	lat := make([][]time.Duration, clients)
	var errs atomic.Int64
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				code, ok := take()
				if !ok {
					return
				}
				t0 := time.Now()
				if err := redeem(code); err != nil {
					errs.Add(1)
					continue
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	return all, int(errs.Load())
}

// quantile is the q-th percentile of sorted latencies (0 when there are
// none).
func quantile(sorted []time.Duration, q int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, len(sorted)*q/100)]
}

// issue measures issuing IssuePasses passes in one call.
func (o Options) issue(ctx context.Context) (Result, error) {
	s, cleanup, err := o.open(ctx, 0)
	if err != nil {
		return Result{}, err
	}
	defer cleanup()
	var pid string
	err = s.Write(ctx, func(tx *store.Tx) error {
		op := passnum.SystemActor
		funder, err := tx.CreateOrganisation(ctx, op, passnum.NewOrganisation{Kind: passnum.RoleFunder, Name: "Région"})
		if err != nil {
			return err
		}
		today := tx.Today()
		p, err := tx.CreateProgramme(ctx, op, passnum.Programme{Name: "Émission", FaceValueCents: 1000, BookletSize: 5,
			ValidFrom: today, ValidUntil: today.AddDays(365), GraceDays: 31, MinAge: 16, MaxAge: 25, MaxBookletsPerBeneficiary: 1,
			Funders: []passnum.FunderShare{{OrganisationID: funder.ID, ShareBps: 10000}}})
		pid = p.ID
		return err
	})
	if err != nil {
		return Result{}, err
	}
	start := time.Now()
	err = s.WriteExclusive(ctx, func(tx *store.Tx) error {
		_, err := tx.Issue(ctx, passnum.SystemActor, pid, int64(o.IssuePasses/5))
		return err
	})
	el := time.Since(start)
	return Result{Name: "issue", Ops: o.IssuePasses, Elapsed: el, Throughput: float64(o.IssuePasses) / el.Seconds()}, err
}
