package server

import (
	"net/http"
	"strconv"
	"time"

	"passnum/store"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics holds what /metrics publishes, in the Prometheus text format:
// requests by route and status with their latencies, the database pool and
// SQLite's writer, and the Go runtime. Routes are patterns
// ("POST /api/v1/passes/{code}/redeem"), never raw paths, so a pass code
// never becomes a label.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	// What the product did, once committed (passnum.Events).
	redemptions     prometheus.Counter
	redeemedCents   prometheus.Counter
	settlements     prometheus.Counter
	settlementLines *prometheus.CounterVec
	settledCents    prometheus.Counter
	refusals        *prometheus.CounterVec
}

func newMetrics(s *store.Store, ln *lanes) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "passnum_http_requests_total",
			Help: "HTTP requests answered, by route pattern (method and path) and status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "passnum_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route"}),
		redemptions: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "passnum_redemptions_total",
			Help: "Passes redeemed (committed), through the API and the pages.",
		}),
		redeemedCents: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "passnum_redeemed_cents_total",
			Help: "Face value of the passes redeemed, in cents.",
		}),
		settlements: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "passnum_settlements_total",
			Help: "Settlements made (a run that finds nothing new makes none).",
		}),
		settlementLines: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "passnum_settlement_lines_total",
			Help: "Places' lines of the settlements made, paid or held back (no approved bank details, suspended or withdrawn place).",
		}, []string{"line"}),
		settledCents: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "passnum_settled_cents_total",
			Help: "Amount of the settlements made, to transfer to the places, in cents.",
		}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "passnum_attempts_refused_total",
			Help: "Attempts refused, by limit (signin.address, signin.account, signin.pass, …) or busy password hashing (busy).",
		}, []string{"limit"}),
	}
	m.registry.MustRegister(m.requests, m.latency, storeCollector{s},
		m.redemptions, m.redeemedCents, m.settlements, m.settlementLines, m.settledCents, m.refusals,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "passnum_http_general_lane_waiting",
			Help: "Requests of the general lane (all but redemptions, pass look-ups and health checks) waiting for a slot.",
		}, func() float64 { return float64(ln.waiting.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "passnum_http_general_lane_in_flight",
			Help: "Requests of the general lane being served (at most its width, --general-slots).",
		}, func() float64 { return float64(ln.inside.Load()) }),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
}

// Redeemed, Settled and Refused make the metrics a passnum.Events.
func (m *metrics) Redeemed(passes int, cents int64) {
	m.redemptions.Add(float64(passes))
	m.redeemedCents.Add(float64(cents))
}

func (m *metrics) Settled(lines, heldBack int, cents int64) {
	m.settlements.Inc()
	m.settlementLines.WithLabelValues("paid").Add(float64(lines))
	m.settlementLines.WithLabelValues("held_back").Add(float64(heldBack))
	m.settledCents.Add(float64(cents))
}

func (m *metrics) Refused(kind string) {
	if kind == "" {
		kind = "unknown"
	}
	m.refusals.WithLabelValues(kind).Inc()
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// storeCollector reads the store's counters at each scrape.
type storeCollector struct{ s *store.Store }

var (
	descPoolOpen    = prometheus.NewDesc("passnum_db_connections_open", "Open database connections (PostgreSQL's pool, or SQLite's readers).", nil, nil)
	descPoolInUse   = prometheus.NewDesc("passnum_db_connections_in_use", "Database connections in use.", nil, nil)
	descPoolWait    = prometheus.NewDesc("passnum_db_connection_waits_total", "Times a request waited for a free database connection.", nil, nil)
	descPoolWaitSec = prometheus.NewDesc("passnum_db_connection_wait_seconds_total", "Time spent waiting for a free database connection.", nil, nil)
	descQueue       = prometheus.NewDesc("passnum_sqlite_writer_queue", "Writes waiting for SQLite's single writer.", nil, nil)
	descBatches     = prometheus.NewDesc("passnum_sqlite_writer_commits_total", "Commits made by SQLite's writer (one fsync each).", nil, nil)
	descWrites      = prometheus.NewDesc("passnum_sqlite_writer_writes_total", "Writes carried by SQLite's writer's commits.", nil, nil)
)

func (storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descPoolOpen, descPoolInUse, descPoolWait, descPoolWaitSec, descQueue, descBatches, descWrites} {
		ch <- d
	}
}

func (c storeCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.s.Stats()
	ch <- prometheus.MustNewConstMetric(descPoolOpen, prometheus.GaugeValue, float64(st.Pool.OpenConnections))
	ch <- prometheus.MustNewConstMetric(descPoolInUse, prometheus.GaugeValue, float64(st.Pool.InUse))
	ch <- prometheus.MustNewConstMetric(descPoolWait, prometheus.CounterValue, float64(st.Pool.WaitCount))
	ch <- prometheus.MustNewConstMetric(descPoolWaitSec, prometheus.CounterValue, st.Pool.WaitDuration.Seconds())
	ch <- prometheus.MustNewConstMetric(descQueue, prometheus.GaugeValue, float64(st.WriterQueue))
	ch <- prometheus.MustNewConstMetric(descBatches, prometheus.CounterValue, float64(st.WriterBatches))
	ch <- prometheus.MustNewConstMetric(descWrites, prometheus.CounterValue, float64(st.WriterWrites))
}
