package portal

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.mongodb.org/mongo-driver/v2/event"

	"onestop/search"
	"onestop/services/store"
)

// latencyBuckets are the upper bounds, in seconds, of every latency
// histogram: from a cached read to a slow export.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// metrics is the portal's Prometheus registry: its own families beside
// the Go runtime's and the process's (client_golang's collectors).
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.HistogramVec // route, method, status
	db       *prometheus.HistogramVec // command, outcome
	search   *prometheus.HistogramVec // op, outcome
}

func newMetrics() *metrics {
	hist := func(name, help string, labels ...string) *prometheus.HistogramVec {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: latencyBuckets}, labels)
	}
	m := &metrics{
		reg:      prometheus.NewRegistry(),
		requests: hist("onestop_http_request_duration_seconds", "Requests by route pattern, method and status.", "route", "method", "status"),
		db:       hist("onestop_db_command_duration_seconds", "Database commands by name and outcome.", "command", "outcome"),
		search:   hist("onestop_search_duration_seconds", "Search engine calls by operation and outcome.", "op", "outcome"),
	}
	b := BuildInfo()
	m.reg.MustRegister(m.requests, m.db, m.search,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "onestop_build_info", Help: "The running build (always 1).",
			ConstLabels: prometheus.Labels{"version": b.Version, "revision": b.Revision, "goversion": b.Go}}, func() float64 { return 1 }))
	return m
}

// request records one answered request under its route's pattern (never
// the raw path: ids would make every request its own series).
func (m *metrics) request(route, method string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, method, strconv.Itoa(status)).Observe(d.Seconds())
}

// commandMonitor times every database command.
func (m *metrics) commandMonitor() *event.CommandMonitor {
	return &event.CommandMonitor{
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) {
			m.db.WithLabelValues(e.CommandName, "ok").Observe(e.Duration.Seconds())
		},
		Failed: func(_ context.Context, e *event.CommandFailedEvent) {
			m.db.WithLabelValues(e.CommandName, "error").Observe(e.Duration.Seconds())
		},
	}
}

// watch registers the families read from the app's state at each scrape:
// the outbox's backlog (from the last readiness probe, no database call),
// the counters the services keep, and the workers' last passes.
func (m *metrics) watch(a *App) {
	counter := func(name, help string, f func() int64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return float64(f()) })
	}
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "onestop_outbox_pending", Help: "Index updates waiting to be applied, at the last probe (-1 unknown)."},
			func() float64 { return float64(a.lastProbe().pending) }),
		counter("onestop_signins_throttled_total", "Sign-ins refused for too many attempts.", a.bureau.Accounts.ThrottledSignIns),
		counter("onestop_csrf_refusals_total", "Requests refused for a missing or wrong CSRF token or another origin.", a.Kit.CSRFRefusals),
		counter("onestop_delivery_failures_total", "SMS and e-mail deliveries given up after their last attempt.", a.bureau.Notify.DeliveryFailures),
		counter("onestop_outbox_errors_total", "Index writes, follow-ups, note removals and drains that failed and were left for later.", a.bureau.Outbox.Errors),
		lastPasses{a.store},
	)
}

// lastPasses exports when this replica last ran each leased worker, as a
// Unix time (Prometheus takes the age: time() - the value).
type lastPasses struct{ st *store.Store }

var lastPassDesc = prometheus.NewDesc("onestop_worker_last_pass_timestamp_seconds",
	"When this replica last ran each leased worker (only the lease holder reports).", []string{"job"}, nil)

func (l lastPasses) Describe(ch chan<- *prometheus.Desc) { ch <- lastPassDesc }

func (l lastPasses) Collect(ch chan<- prometheus.Metric) {
	for job, at := range l.st.LastPasses() {
		ch <- prometheus.MustNewConstMetric(lastPassDesc, prometheus.GaugeValue, float64(at.UnixNano())/1e9, job)
	}
}

// timedEngine times the search engine's calls.
type timedEngine struct {
	search.Engine
	m *metrics
}

func (t timedEngine) time(op string, start time.Time, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	t.m.search.WithLabelValues(op, outcome).Observe(time.Since(start).Seconds())
}

func (t timedEngine) Search(ctx context.Context, index string, q search.Query) (r *search.Result, err error) {
	defer func(start time.Time) { t.time("search", start, err) }(time.Now())
	return t.Engine.Search(ctx, index, q)
}

func (t timedEngine) Upsert(ctx context.Context, index string, docs ...search.Doc) (err error) {
	defer func(start time.Time) { t.time("upsert", start, err) }(time.Now())
	return t.Engine.Upsert(ctx, index, docs...)
}

func (t timedEngine) Delete(ctx context.Context, index string, ids ...string) (err error) {
	defer func(start time.Time) { t.time("delete", start, err) }(time.Now())
	return t.Engine.Delete(ctx, index, ids...)
}

// serveMetrics serves /metrics on its own address, apart from the portal's
// port, so it is reached from the monitoring network only.
func (a *App) serveMetrics(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.metrics.reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn)}))
	if a.cfg.Pprof {
		// Only here, never on the portal's port: profiles show internals.
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	a.metricsAt.Store(ln.Addr().String())
	a.Log.Info("metrics listening", "addr", ln.Addr().String())
	go func() { _ = srv.Serve(ln) }()
	return nil
}
