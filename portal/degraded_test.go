package portal_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"onestop/portal"
	"onestop/portal/portaltest"
	"onestop/services/accounts"
	"onestop/services/store"
)

// readiness reads /readyz.
func readiness(tp *portaltest.Portal) (int, map[string]string) {
	resp, body := tp.Do("GET", "/readyz", nil, "")
	st := map[string]string{}
	_ = json.Unmarshal(body, &st)
	return resp.StatusCode, st
}

// eventually polls cond until it holds or a minute passed: recovery runs on
// the portal's own schedule (a retry every few seconds).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(time.Minute); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("%s: not within a minute", what)
}

// TestSearchEngineDown: the Bleve directory cannot be opened (a file stands
// where it should be). The portal starts and serves, lists degrade at once
// (from the database, or a 503 with Retry-After), writes succeed and leave
// their index updates in the outbox; when the directory can be opened, the
// portal declares the indexes without a restart, refills them from the
// database, and every index holds what the database holds.
func TestSearchEngineDown(t *testing.T) {
	t.Parallel()
	var searchDir string
	tp := portaltest.New(t, portaltest.Configure(func(cfg *portal.Config) {
		searchDir = filepath.Join(cfg.DataDir, "search")
		if err := os.WriteFile(searchDir, []byte("not a directory"), 0o600); err != nil {
			t.Fatal(err)
		}
	}))
	if !tp.App.SearchBehind() {
		t.Fatal("the portal did not notice search was down")
	}
	tp.Serve(t) // the background loops (outbox, workers, search recovery) run; requests still go in-process
	ctx := context.Background()
	if err := tp.App.LoadDemoProjects(ctx); err != nil {
		t.Fatal(err)
	}
	if code, st := readiness(tp); code != 200 || st["search_state"] != "degraded" {
		t.Fatalf("readiness while search is down: %d %v", code, st)
	}
	_, ent, _ := tp.Account(accounts.Entrepreneur, "ent@test.cn")
	_, staff, _ := tp.Account(accounts.Hotline, "staff@test.cn")

	start := time.Now()
	tp.Run(t, []portaltest.Scenario{
		{Name: "home page", Method: "GET", Path: "/", Status: 200},
		{Name: "a profile is saved", Method: "PUT", Path: "/api/v1/me/profile", Token: ent, Body: portaltest.GoodProfile(), Status: 200},
		{Name: "own profile reads by id", Method: "GET", Path: "/api/v1/me/profile", Token: ent, Status: 200, Contains: []string{"林美華"}},
		{Name: "the library answers from the database", Method: "GET", Path: "/api/v1/projects?industry=community_service", Status: 200,
			Contains: []string{`"degraded":true`}},
		{Name: "a list with no fallback says so", Method: "GET", Path: "/api/v1/staff/people?q=林美華", Token: staff, Status: 503,
			Contains: []string{"error.search_unavailable"}},
	})
	t.Logf("five requests with search down answered in %v", time.Since(start).Round(time.Millisecond))
	resp, _ := tp.Do("GET", "/api/v1/staff/people?q=林美華", nil, staff)
	if resp.Header.Get("Retry-After") == "" {
		t.Error("a 503 without Retry-After")
	}
	if n, _ := tp.App.Bureau().Outbox.Pending(ctx); n == 0 {
		t.Error("writes while search was down left no outbox notes")
	}
	if tp.App.Bureau().Outbox.Errors() == 0 { // the onestop_outbox_errors_total metric
		t.Error("index writes deferred while search was down were not counted")
	}

	if err := os.Remove(searchDir); err != nil {
		t.Fatal(err)
	}
	recovery := time.Now()
	eventually(t, "search recovered", func() bool {
		_, st := readiness(tp)
		return st["search_state"] == "ok" && st["search_pending"] == "0" && !tp.App.SearchBehind()
	})
	t.Logf("search back and in step %v after the directory could be opened", time.Since(recovery).Round(time.Millisecond))
	for _, ix := range tp.App.Bureau().Outbox.Indexes() {
		db, indexed, err := tp.App.Bureau().Outbox.Count(ctx, ix)
		if err != nil || db != indexed {
			t.Errorf("index %s: %d in the database, %d indexed (%v)", ix, db, indexed, err)
		}
	}
	tp.Run(t, []portaltest.Scenario{
		{Name: "the profile written meanwhile is found", Method: "GET", Path: "/api/v1/staff/people?q=林美華", Token: staff, Status: 200,
			Contains: []string{"林美華"}},
		{Name: "the library searches again", Method: "GET", Path: "/api/v1/projects?industry=community_service", Status: 200,
			NotContains: []string{`"degraded":true`}},
	})
}

// TestMeilisearchUnreachable: a Meilisearch URL where nothing listens. The
// portal starts, pages and writes work, the library degrades.
func TestMeilisearchUnreachable(t *testing.T) {
	// Not parallel: the port it closed must stay unanswered, and a test
	// in parallel could listen on it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	tp := portaltest.New(t, portaltest.Configure(func(cfg *portal.Config) { cfg.MeiliURL = "http://" + ln.Addr().String() }))
	if !tp.App.SearchBehind() {
		t.Fatal("the portal did not notice search was down")
	}
	_, ent, _ := tp.Account(accounts.Entrepreneur, "ent@test.cn")
	tp.Run(t, []portaltest.Scenario{
		{Name: "home page", Method: "GET", Path: "/", Status: 200},
		{Name: "readiness stays ready", Method: "GET", Path: "/readyz", Status: 200, Contains: []string{`"search_state":"degraded"`}},
		{Name: "a profile is saved", Method: "PUT", Path: "/api/v1/me/profile", Token: ent, Body: portaltest.GoodProfile(), Status: 200},
		{Name: "the library degrades", Method: "GET", Path: "/api/v1/projects?q=" + url.QueryEscape("養老"), Status: 200, Contains: []string{`"degraded":true`}},
	})
	if n, _ := tp.App.Bureau().Outbox.Pending(context.Background()); n == 0 {
		t.Error("the profile's index update was not kept")
	}
}

// proxy forwards TCP to a database and can be cut and restored, like a
// network between the portal and MongoDB.
type proxy struct {
	t      *testing.T
	addr   string // where the portal connects
	target string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *proxy {
	p := &proxy{t: t, target: target}
	p.listen("127.0.0.1:0")
	t.Cleanup(p.cut)
	return p
}

func (p *proxy) listen(addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			d, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, d)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(d, c); d.Close() }()
			go func() { _, _ = io.Copy(c, d); c.Close() }()
		}
	}()
}

// cut closes the port and every open connection: nothing answers.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// restore listens again on the same address.
func (p *proxy) restore() { p.listen(p.addr) }

// TestDatabaseOutage: the portal runs on a MongoDB-protocol server (the
// embedded FerretDB, reached as MONGODB_URI through a proxy) that goes away
// for a while. Requests that need it fail with a 503 and Retry-After, not a
// 500 and not a hang; readiness turns 503; when it is back the portal
// answers again without a restart.
func TestDatabaseOutage(t *testing.T) {
	// Not parallel: the proxy listens again on the port it closed, which a
	// test in parallel could take meanwhile.
	ctx := context.Background()
	db, err := store.Open(ctx, store.Config{DataDir: t.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close(ctx) })
	target, err := url.Parse(db.EmbeddedURI())
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, target.Host)
	tp := portaltest.New(t, portaltest.Configure(func(cfg *portal.Config) {
		cfg.MongoURI = "mongodb://" + p.addr + "/?" + target.RawQuery
		cfg.JWTKey, cfg.DataKey = []byte(strings.Repeat("k", 32)), []byte(strings.Repeat("d", 32))
	}))
	_, ent, _ := tp.Account(accounts.Entrepreneur, "ent@test.cn")
	if resp, body := tp.Do("GET", "/api/v1/me", nil, ent); resp.StatusCode != 200 {
		t.Fatalf("before the outage: %d %s", resp.StatusCode, body)
	}

	p.cut()
	for _, path := range []string{"/api/v1/me", "/api/v1/me/profile"} {
		start := time.Now()
		resp, body := tp.Do("GET", path, nil, ent)
		t.Logf("%s during the outage: %d after %v", path, resp.StatusCode, time.Since(start).Round(time.Millisecond))
		if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "error.unavailable") {
			t.Errorf("%s during the outage: %d %q %s", path, resp.StatusCode, resp.Header.Get("Retry-After"), body)
		}
	}
	if code, st := readiness(tp); code != 503 || st["database_state"] != "unreachable" {
		t.Errorf("readiness during the outage: %d %v", code, st)
	}

	p.restore()
	eventually(t, "the portal answers again", func() bool {
		resp, _ := tp.Do("GET", "/api/v1/me", nil, ent)
		return resp.StatusCode == 200
	})
	if code, _ := readiness(tp); code != 200 {
		t.Errorf("readiness after the outage: %d", code)
	}
}
