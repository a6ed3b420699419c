package portal_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"onestop/portal"
	"onestop/portal/portaltest"
	"onestop/search/searchtest"
	"onestop/services/accounts"
	"onestop/services/people"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestServeAndShutdown(t *testing.T) {
	// Not parallel: it times a shutdown against a request in flight.
	tp := portaltest.New(t)
	tp.App.Config().ShutdownGrace = 5 * time.Second
	base, stop := tp.Serve(t)
	defer stop()

	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]string
	json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if resp.StatusCode != 200 || st["database_state"] != "ok" || st["search"] == "" {
		t.Fatalf("readyz: %d %v", resp.StatusCode, st)
	}

	// The metrics are served apart, in the Prometheus text format, with
	// the request just made under its route.
	addr := tp.App.MetricsAddr()
	resp, err = http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`onestop_http_request_duration_seconds_bucket{method="GET",route="/readyz",status="200",le="+Inf"} 1`,
		"onestop_outbox_pending ", "go_goroutines ", "process_cpu_seconds_total ",
		"onestop_build_info{goversion=", "onestop_signins_throttled_total 0", "onestop_csrf_refusals_total 0",
		"onestop_delivery_failures_total 0", "onestop_outbox_errors_total 0"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("metrics lack %q:\n%s", want, raw)
		}
	}
	// promtool's rules (promlint): names, units, help, counters' _total.
	if problems, err := testutil.GatherAndLint(tp.App.Metrics()); err != nil || len(problems) > 0 {
		t.Errorf("promlint: %v %+v", err, problems)
	}
	if resp, err := http.Get(base + "/metrics"); err == nil && resp.StatusCode != 404 {
		t.Errorf("metrics on the public port: %d", resp.StatusCode)
	}
	// A header far past the read buffer is refused, not a 5xx.
	req, _ := http.NewRequest("GET", base+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+strings.Repeat("a", 100<<10))
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		if resp.StatusCode != 431 && resp.StatusCode != 400 {
			t.Errorf("a 100 KB header: %d", resp.StatusCode)
		}
	} // (or the connection is closed)
	// A compressed body is refused: unpacked it could be any size.
	req, _ = http.NewRequest("POST", base+"/api/v1/auth/login", strings.NewReader("x"))
	req.Header.Set("Content-Encoding", "gzip")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 415 {
		t.Errorf("a gzip body: %v %v", resp, err)
	}

	// An oversized body is refused before any handler.
	big := bytes.Repeat([]byte("a"), tp.App.Config().BodyLimit+1)
	resp, err = http.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(big))
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode != 413 {
			t.Errorf("oversized body: %d", resp.StatusCode)
		}
	} // (the server may also just close the connection)

	// A slow request in flight when shutdown starts still completes, and
	// readiness turns 503 meanwhile.
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	body := `{"login":"x@y.cn","password":"whatever-1"}`
	io.WriteString(conn, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\n\r\n")
	stopped := make(chan error, 1)
	time.Sleep(50 * time.Millisecond)
	go func() { stopped <- stop() }()
	deadline := time.Now().Add(2 * time.Second)
	for tp.App.Ready() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if tp.App.Ready() {
		t.Fatal("still ready after shutdown began")
	}
	st2, ok := tp.App.Readiness(context.Background())
	if ok || st2["status"] != "stopping" {
		t.Errorf("readiness while stopping: %v %v", ok, st2)
	}
	io.WriteString(conn, body)
	reply, _ := io.ReadAll(conn)
	conn.Close()
	if !strings.HasPrefix(string(reply), "HTTP/1.1 401") {
		t.Errorf("in-flight request: %.80q", reply)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

// TestDatabaseUnreachableAtStart: a MongoDB that does not answer is retried
// with a clear log line each time, until the start-up gives up, without a
// panic.
func TestDatabaseUnreachableAtStart(t *testing.T) {
	// Not parallel: the port it closed must stay unanswered for its
	// four seconds of retries, and a test in parallel could listen on it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // a closed port: nothing answers there
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	cfg, err := portal.LoadConfig([]string{"-data", t.TempDir(), "-mongodb-uri", "mongodb://" + addr + "/?serverSelectionTimeoutMS=500&connectTimeoutMS=500",
		"-jwt-key", key, "-data-key", key}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	_, err = portal.NewApp(ctx, cfg, slog.New(slog.NewTextHandler(&logs, nil)))
	if err == nil || !strings.Contains(err.Error(), "database unreachable") {
		t.Fatalf("start-up: %v", err)
	}
	if n := strings.Count(logs.String(), "database unreachable; retrying"); n < 1 {
		t.Fatalf("%d retries logged:\n%s", n, logs.String())
	}
}

// TestRequestIDs: every answer carries a request id (the proxy's, when
// sane), and the JSON log line of the request names it.
func TestRequestIDs(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	var logs bytes.Buffer
	tp.App.SetLogger(slog.New(slog.NewJSONHandler(&logs, nil)))
	resp, _ := tp.Do("GET", "/api/v1/policies", nil, "", "X-Request-ID", "proxy-4f2a")
	if got := resp.Header.Get("X-Request-ID"); got != "proxy-4f2a" {
		t.Errorf("the proxy's id: %q", got)
	}
	resp, _ = tp.Do("GET", "/api/v1/policies", nil, "", "X-Request-ID", strings.Repeat("x", 65))
	fresh := resp.Header.Get("X-Request-ID")
	if len(fresh) == 0 || len(fresh) > 64 {
		t.Errorf("an oversized id was not replaced: %q", fresh)
	}
	for _, id := range []string{"proxy-4f2a", fresh} {
		if !strings.Contains(logs.String(), `"request_id":"`+id+`"`) {
			t.Errorf("no log line for %s in:\n%s", id, logs.String())
		}
	}
}

// TestAdmitReads: with the reads bounded and every slot taken, health
// checks and writes are still served, and a page view waits for a slot.
func TestAdmitReads(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t, portaltest.Configure(func(c *portal.Config) { c.MaxReads = 1 }))
	_, tok, _ := tp.Account(accounts.Entrepreneur, "e@admit.test.cn")
	tp.App.ReadSlots() <- struct{}{} // every slot taken
	if resp, _ := tp.Do("GET", "/healthz", nil, ""); resp.StatusCode != 200 {
		t.Errorf("health check while reads wait: %d", resp.StatusCode)
	}
	heldBack(t, tp, tok, tp.App.ReadSlots())
}

// heldBack checks that a read waits while every slot is taken — a write
// still goes through — and is served once one is given back.
func heldBack(t *testing.T, tp *portaltest.Portal, tok string, slots chan struct{}) {
	t.Helper()
	served := make(chan int, 1)
	go func() {
		req := httptest.NewRequest("GET", "/api/v1/me", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := tp.App.HTTP().Test(req, -1)
		if err != nil {
			served <- 0
			return
		}
		served <- resp.StatusCode
	}()
	if resp, _ := tp.Do("PUT", "/api/v1/me/profile", map[string]any{"real_name": "陳大文", "consent_version": people.NoticeVersion}, tok); resp.StatusCode != 200 {
		t.Errorf("a write while reads wait: %d", resp.StatusCode)
	}
	select {
	case code := <-served:
		t.Fatalf("a read served while every slot was taken: %d", code)
	default:
	}
	<-slots
	if code := <-served; code != 200 {
		t.Errorf("the waiting read: %d", code)
	}
}

// TestReadsYieldToWrites: while a write is in progress, reads beyond
// -reads-while-writing wait their turn; with no write in progress the same
// read goes straight in.
func TestReadsYieldToWrites(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t, portaltest.Configure(func(c *portal.Config) { c.ReadsWhileWriting = 1 }))
	_, tok, _ := tp.Account(accounts.Entrepreneur, "e@yield.test.cn")
	tp.App.YieldSlots() <- struct{}{} // the one slot taken
	if resp, _ := tp.Do("GET", "/api/v1/me", nil, tok); resp.StatusCode != 200 {
		t.Fatalf("a read with no write in progress: %d", resp.StatusCode)
	}
	tp.App.Writing().Add(1) // a write in progress
	heldBack(t, tp, tok, tp.App.YieldSlots())
	tp.App.Writing().Add(-1)
}

// TestDrainBeforeClosing: on shutdown /readyz turns 503 while the portal
// still serves for the drain delay, so a load balancer that polls it stops
// sending before any connection is refused.
func TestDrainBeforeClosing(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t, portaltest.Args("-drain-delay", "1s"))
	base, stop := tp.Serve(t)
	// A new connection for every request, as a balancer spreading them
	// would open: one refused shows the listener closed.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get(base + "/readyz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("before shutdown: %v %v", resp, err)
	}
	resp.Body.Close()
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	ready, draining := 1, 0
	for {
		resp, err := client.Get(base + "/readyz")
		if err != nil {
			if draining == 0 {
				t.Fatalf("refused after %d ready answers and none saying 503: %v", ready, err)
			}
			break // closed, after the drain
		}
		resp.Body.Close()
		switch resp.StatusCode {
		case 200:
			if draining > 0 {
				t.Fatal("ready again while draining")
			}
			ready++
		case 503:
			draining++
		default:
			t.Fatalf("readyz: %d", resp.StatusCode)
		}
	}
	if err := <-stopped; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	t.Logf("%d answers ready, then %d saying 503 before the listener closed", ready, draining)
}

// TestReadinessDoesNotWaitOnSearch: with a Meilisearch that accepts
// connections and never answers, /readyz still answers within the second
// an orchestrator's probe gives it by default (it used to take the search
// deadline, 2 s, every time), ready and saying search is degraded.
func TestReadinessDoesNotWaitOnSearch(t *testing.T) {
	t.Parallel()
	hole := searchtest.Blackhole(t)
	tp := portaltest.New(t, portaltest.Configure(func(cfg *portal.Config) { cfg.MeiliURL = hole }))
	base, _ := tp.Serve(t)
	probe := &http.Client{Timeout: time.Second} // Kubernetes' default timeoutSeconds
	for i := range 3 {
		resp, err := probe.Get(base + "/readyz")
		if err != nil {
			t.Fatalf("probe %d: %v", i+1, err)
		}
		var st map[string]string
		json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		if resp.StatusCode != 200 || st["search_state"] != "degraded" {
			t.Fatalf("probe %d: %d %v", i+1, resp.StatusCode, st)
		}
	}
}
