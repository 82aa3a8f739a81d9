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
}

func newMetrics(s *store.Store) *metrics {
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
	}
	m.registry.MustRegister(m.requests, m.latency, storeCollector{s},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) observe(route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.latency.WithLabelValues(route).Observe(d.Seconds())
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
