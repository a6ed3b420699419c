package portal

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"

	"onestop/search"
)

// latencyBuckets are the upper bounds, in seconds, of every latency
// histogram: from a cached read to a slow export.
var latencyBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// histogram is one Prometheus histogram series.
type histogram struct {
	counts []uint64 // per bucket, not cumulative; the last is +Inf
	sum    float64
	n      uint64
}

func (h *histogram) observe(v float64) {
	if h.counts == nil {
		h.counts = make([]uint64, len(latencyBuckets)+1)
	}
	i, _ := slices.BinarySearch(latencyBuckets, v)
	h.counts[i]++
	h.sum += v
	h.n++
}

// metrics is the portal's own registry, written out in the Prometheus text
// format: a handful of families, so no client library.
type metrics struct {
	mu       sync.Mutex
	requests map[[3]string]*histogram // route, method, status
	db       map[[2]string]*histogram // command, outcome
	search   map[[2]string]*histogram // operation, outcome
}

func newMetrics() *metrics {
	return &metrics{requests: map[[3]string]*histogram{}, db: map[[2]string]*histogram{}, search: map[[2]string]*histogram{}}
}

func observe[K comparable](m *metrics, series map[K]*histogram, k K, d time.Duration) {
	m.mu.Lock()
	h := series[k]
	if h == nil {
		h = &histogram{}
		series[k] = h
	}
	h.observe(d.Seconds())
	m.mu.Unlock()
}

// request records one answered request under its route's pattern (never
// the raw path: ids would make every request its own series).
func (m *metrics) request(route, method string, status int, d time.Duration) {
	observe(m, m.requests, [3]string{route, method, fmt.Sprint(status)}, d)
}

// commandMonitor times every database command.
func (m *metrics) commandMonitor() *event.CommandMonitor {
	return &event.CommandMonitor{
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) {
			observe(m, m.db, [2]string{e.CommandName, "ok"}, e.Duration)
		},
		Failed: func(_ context.Context, e *event.CommandFailedEvent) {
			observe(m, m.db, [2]string{e.CommandName, "error"}, e.Duration)
		},
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
	observe(t.m, t.m.search, [2]string{op, outcome}, time.Since(start))
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

func writeHistograms[K comparable](w io.Writer, name, help string, series map[K]*histogram, labels func(K) string) {
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name)
	keys := make([]K, 0, len(series))
	for k := range series {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b K) int { return strings.Compare(labels(a), labels(b)) })
	for _, k := range keys {
		h, l := series[k], labels(k)
		var cum uint64
		for i, b := range latencyBuckets {
			cum += h.counts[i]
			fmt.Fprintf(w, "%s_bucket{%s,le=\"%g\"} %d\n", name, l, b, cum)
		}
		fmt.Fprintf(w, "%s_bucket{%s,le=\"+Inf\"} %d\n%s_sum{%s} %g\n%s_count{%s} %d\n", name, l, h.n, name, l, h.sum, name, l, h.n)
	}
}

func quoteLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

// writeMetrics writes every family: requests, database and search
// latencies, the outbox's backlog, the workers' last passes, the Go
// runtime.
func (a *App) writeMetrics(ctx context.Context, w io.Writer) {
	m := a.metrics
	m.mu.Lock()
	writeHistograms(w, "onestop_http_request_duration_seconds", "Requests by route pattern, method and status.", m.requests, func(k [3]string) string {
		return fmt.Sprintf(`route="%s",method="%s",status="%s"`, quoteLabel(k[0]), k[1], k[2])
	})
	writeHistograms(w, "onestop_db_command_duration_seconds", "Database commands by name and outcome.", m.db, func(k [2]string) string {
		return fmt.Sprintf(`command="%s",outcome="%s"`, quoteLabel(k[0]), k[1])
	})
	writeHistograms(w, "onestop_search_duration_seconds", "Search engine calls by operation and outcome.", m.search, func(k [2]string) string {
		return fmt.Sprintf(`op="%s",outcome="%s"`, k[0], k[1])
	})
	m.mu.Unlock()
	if n, err := a.bureau.Outbox.Pending(ctx); err == nil {
		fmt.Fprintf(w, "# HELP onestop_outbox_pending Index updates waiting to be applied.\n# TYPE onestop_outbox_pending gauge\nonestop_outbox_pending %d\n", n)
	}
	fmt.Fprintf(w, "# HELP onestop_worker_last_pass_age_seconds Seconds since this replica's last pass of each leased worker (only the lease holder reports).\n# TYPE onestop_worker_last_pass_age_seconds gauge\n")
	now := time.Now()
	runs := a.store.LastPasses()
	jobs := make([]string, 0, len(runs))
	for j := range runs {
		jobs = append(jobs, j)
	}
	slices.Sort(jobs)
	for _, j := range jobs {
		fmt.Fprintf(w, "onestop_worker_last_pass_age_seconds{job=\"%s\"} %g\n", quoteLabel(j), now.Sub(runs[j]).Seconds())
	}
	b := BuildInfo()
	fmt.Fprintf(w, "# HELP onestop_build_info The running build (always 1).\n# TYPE onestop_build_info gauge\nonestop_build_info{version=\"%s\",revision=\"%s\",goversion=\"%s\"} 1\n",
		quoteLabel(b.Version), quoteLabel(b.Revision), quoteLabel(b.Go))
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(w, "# TYPE go_goroutines gauge\ngo_goroutines %d\n", runtime.NumGoroutine())
	fmt.Fprintf(w, "# TYPE go_memstats_heap_alloc_bytes gauge\ngo_memstats_heap_alloc_bytes %d\n", ms.HeapAlloc)
	fmt.Fprintf(w, "# TYPE go_memstats_sys_bytes gauge\ngo_memstats_sys_bytes %d\n", ms.Sys)
	fmt.Fprintf(w, "# TYPE go_gc_cycles_total counter\ngo_gc_cycles_total %d\n", ms.NumGC)
	fmt.Fprintf(w, "# TYPE go_gc_pause_seconds_total counter\ngo_gc_pause_seconds_total %g\n", float64(ms.PauseTotalNs)/1e9)
}

// serveMetrics serves /metrics on its own address, apart from the portal's
// port, so it is reached from the monitoring network only.
func (a *App) serveMetrics(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		a.writeMetrics(r.Context(), w)
	})
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
