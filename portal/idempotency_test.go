package portal

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"onestop/portal/web"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"onestop/services/accounts"
	"onestop/services/hotline"
	"onestop/services/loans"
)

// twin starts a second portal on the first one's database (its own search
// index, the same keys): two stateless replicas.
func (tp *testPortal) twin(t *testing.T) *testPortal {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"jwt.key", "data.key"} {
		raw, err := os.ReadFile(filepath.Join(tp.app.cfg.DataDir, "keys", k))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "keys", k), raw, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := LoadConfig([]string{"-data", dir, "-metrics-addr", "127.0.0.1:0"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.FastHashing, cfg.Clock = true, tp.app.cfg.Clock
	app, err := newApp(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), tp.app.store)
	if err != nil {
		t.Fatal(err)
	}
	app.ready.Store(true)
	t.Cleanup(func() {
		app.store = nil // the first portal closes the shared database
		app.Close(context.Background())
	})
	return &testPortal{t: t, app: app, now: tp.now}
}

// TestIdempotencyKeys: a create retried with its key returns the first
// answer and creates nothing, on the same replica or another; the same key
// with another body, a malformed key, or a retry while the first still
// runs are refused clearly; a first request that died lets a retry run.
func TestIdempotencyKeys(t *testing.T) {
	tp := newTestPortal(t)
	farmerID, farmer, _ := tp.account(accounts.Entrepreneur, "farmer@test.cn")
	_, other, _ := tp.account(accounts.Entrepreneur, "other@test.cn")
	other2 := tp.twin(t)
	req := map[string]any{"type": "financing", "details": "想了解創業擔保貸款的申請流程"}
	mine := func(token string) int {
		_, body := tp.do("GET", "/api/v1/me/services", nil, token)
		return decode[web.ListResponse[map[string]any]](t, body).Total
	}
	first, body := tp.do("POST", "/api/v1/services", req, farmer, "Idempotency-Key", "k-1")
	if first.StatusCode != 201 {
		t.Fatalf("first: %d %s", first.StatusCode, body)
	}
	for name, p := range map[string]*testPortal{"the same replica": tp, "another replica": other2} {
		resp, again := p.do("POST", "/api/v1/services", req, farmer, "Idempotency-Key", "k-1")
		if resp.StatusCode != 201 || string(again) != string(body) || resp.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("retry on %s: %d %s", name, resp.StatusCode, again)
		}
	}
	if n := mine(farmer); n != 1 {
		t.Fatalf("%d requests after three sends with one key", n)
	}
	tp.run(t, []scenario{
		{name: "the same key, another body", method: "POST", path: "/api/v1/services", token: farmer, body: map[string]any{"type": "financing", "details": "另一件事，完全不同"},
			header: []string{"Idempotency-Key", "k-1"}, status: 422, contains: []string{"error.idempotency.mismatch"}},
		{name: "a key with a space", method: "POST", path: "/api/v1/services", token: farmer, body: req, header: []string{"Idempotency-Key", "k 1"}, status: 422, contains: []string{"error.idempotency.key"}},
		{name: "a huge key", method: "POST", path: "/api/v1/services", token: farmer, body: req, header: []string{"Idempotency-Key", strings.Repeat("k", 201)}, status: 422},
		{name: "another person's same key is theirs", method: "POST", path: "/api/v1/services", token: other, body: req, header: []string{"Idempotency-Key", "k-1"}, status: 201},
	})
	// A first request still running: a retry waits; once it is a minute
	// old (its replica died), the retry runs.
	raw, _ := json.Marshal(req)
	id := digest(farmerID, "POST", "/api/v1/services", "k-2")
	if _, err := tp.app.replays.Claim(context.Background(), id, digest(string(raw)), farmerID); err != nil {
		t.Fatal(err)
	}
	if resp, body := tp.do("POST", "/api/v1/services", req, farmer, "Idempotency-Key", "k-2"); resp.StatusCode != 409 || !strings.Contains(string(body), "error.idempotency.pending") {
		t.Errorf("retry while pending: %d %s", resp.StatusCode, body)
	}
	tp.advance(2 * time.Minute)
	farmer = tp.login("farmer@test.cn")
	if resp, body := tp.do("POST", "/api/v1/services", req, farmer, "Idempotency-Key", "k-2"); resp.StatusCode != 201 {
		t.Errorf("retry after the first died: %d %s", resp.StatusCode, body)
	}
	if n := mine(farmer); n != 2 {
		t.Errorf("%d requests", n)
	}
}

// TestTwoReplicas: two portals on one database share what must be shared:
// a token one signs is good at the other; failed sign-ins spread over both
// count together; a worker's lease lets one of them run a pass at a time.
func TestTwoReplicas(t *testing.T) {
	a := newTestPortal(t)
	b := a.twin(t)
	_, token, _ := a.account(accounts.Entrepreneur, "ent@test.cn")
	if resp, body := b.do("GET", "/api/v1/me", nil, token); resp.StatusCode != 200 || !strings.Contains(string(body), "ent@test.cn") {
		t.Fatalf("a's token at b: %d %s", resp.StatusCode, body)
	}
	bad := map[string]string{"login": "ent@test.cn", "password": "wrong-password-1"}
	for i := range 5 {
		p := []*testPortal{a, b}[i%2]
		if resp, _ := p.do("POST", "/api/v1/auth/login", bad, ""); resp.StatusCode != 401 {
			t.Fatalf("attempt %d: %d", i, resp.StatusCode)
		}
	}
	if resp, _ := a.do("POST", "/api/v1/auth/login", map[string]string{"login": "ent@test.cn", "password": testPassword}, ""); resp.StatusCode != 429 {
		t.Fatalf("five failures over two replicas did not throttle: %d", resp.StatusCode)
	}
	ctx := context.Background()
	now := a.app.Clock.Now()
	for _, lease := range []string{hotline.WorkerLease, loans.WorkerLease} {
		okA, errA := a.app.store.Acquire(ctx, lease, "replica-a", now, time.Minute)
		okB, errB := b.app.store.Acquire(ctx, lease, "replica-b", now, time.Minute)
		if errA != nil || errB != nil || !okA || okB {
			t.Fatalf("%s: a %v %v, b %v %v", lease, okA, errA, okB, errB)
		}
		if ok, _ := b.app.store.Acquire(ctx, lease, "replica-b", now.Add(3*time.Minute), time.Minute); !ok {
			t.Fatalf("%s: b does not take over from a replica gone quiet", lease)
		}
	}
}
