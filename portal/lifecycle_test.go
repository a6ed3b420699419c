package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// serveTestPortal serves a test portal on a real loopback port.
func serveTestPortal(t *testing.T, tp *testPortal) (base string, stop func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- tp.app.Serve(ctx, ln) }()
	base = "http://" + ln.Addr().String()
	for range 100 {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	var once sync.Once
	var serr error
	return base, func() error {
		once.Do(func() { cancel(); serr = <-done })
		return serr
	}
}

func TestServeAndShutdown(t *testing.T) {
	tp := newTestPortal(t)
	tp.app.cfg.ShutdownGrace = 5 * time.Second
	base, stop := serveTestPortal(t, tp)
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
	addr, _ := tp.app.metricsAt.Load().(string)
	resp, err = http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`onestop_http_request_duration_seconds_bucket{route="/readyz",method="GET",status="200",le="+Inf"} 1`,
		"# TYPE onestop_db_command_duration_seconds histogram", "onestop_outbox_pending ", "go_goroutines "} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("metrics lack %q:\n%s", want, raw)
		}
	}
	if resp, err := http.Get(base + "/metrics"); err == nil && resp.StatusCode != 404 {
		t.Errorf("metrics on the public port: %d", resp.StatusCode)
	}
	// A compressed body is refused: unpacked it could be any size.
	req, _ := http.NewRequest("POST", base+"/api/v1/auth/login", strings.NewReader("x"))
	req.Header.Set("Content-Encoding", "gzip")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 415 {
		t.Errorf("a gzip body: %v %v", resp, err)
	}

	// An oversized body is refused before any handler.
	big := bytes.Repeat([]byte("a"), tp.app.cfg.BodyLimit+1)
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
	io.WriteString(conn, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "+itoa(len(body))+"\r\n\r\n")
	stopped := make(chan error, 1)
	time.Sleep(50 * time.Millisecond)
	go func() { stopped <- stop() }()
	deadline := time.Now().Add(2 * time.Second)
	for tp.app.ready.Load() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if tp.app.ready.Load() {
		t.Fatal("still ready after shutdown began")
	}
	st2, ok := tp.app.readiness(context.Background())
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

func TestAdminCreateCommand(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	ctx := context.Background()
	code := Main(ctx, []string{"admin", "create", "-email", "chief@bureau.cn", "-password", "weak", "-name", "局長", "-data", dir}, &out, &errb)
	if code == 0 || !strings.Contains(errb.String(), "password") {
		t.Fatalf("weak password accepted: %d %s", code, errb.String())
	}
	code = Main(ctx, []string{"admin", "create", "-email", "chief@bureau.cn", "-password", testPassword, "-name", "局長", "-data", dir}, &out, &errb)
	if code != 0 || !strings.Contains(out.String(), "administrator 局長 created") {
		t.Fatalf("admin create: %d %s %s", code, out.String(), errb.String())
	}
	code = Main(ctx, []string{"admin", "create", "-email", "chief@bureau.cn", "-password", testPassword, "-name", "局長", "-data", dir}, &out, &errb)
	if code == 0 {
		t.Fatal("the same admin created twice")
	}
	out.Reset()
	if code := Main(ctx, []string{"reindex", "-data", dir}, &out, &errb); code != 0 || !strings.Contains(out.String(), "users: 1 documents") {
		t.Fatalf("reindex: %d %q %s", code, out.String(), errb.String())
	}
	if code := Main(ctx, []string{"bogus"}, &out, &errb); code != 1 {
		t.Fatal("unknown command accepted")
	}
}
