package portal_test

import (
	"context"
	"encoding/json"
	"onestop/portal/web"
	"strings"
	"testing"
	"time"

	"onestop/portal"
	"onestop/portal/portaltest"
	"onestop/services/accounts"
	"onestop/services/hotline"
	"onestop/services/loans"
)

// TestIdempotencyKeys: a create retried with its key returns the first
// answer and creates nothing, on the same replica or another; the same key
// with another body, a malformed key, or a retry while the first still
// runs are refused clearly; a first request that died lets a retry run.
func TestIdempotencyKeys(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	farmerID, farmer, _ := tp.Account(accounts.Entrepreneur, "farmer@test.cn")
	_, other, _ := tp.Account(accounts.Entrepreneur, "other@test.cn")
	other2 := tp.Twin(t)
	req := map[string]any{"type": "financing", "details": "想了解創業擔保貸款的申請流程"}
	mine := func(token string) int {
		_, body := tp.Do("GET", "/api/v1/me/services", nil, token)
		return portaltest.Decode[web.ListResponse[map[string]any]](t, body).Total
	}
	first, body := tp.Do("POST", "/api/v1/services", req, farmer, "Idempotency-Key", "k-1")
	if first.StatusCode != 201 {
		t.Fatalf("first: %d %s", first.StatusCode, body)
	}
	for name, p := range map[string]*portaltest.Portal{"the same replica": tp, "another replica": other2} {
		resp, again := p.Do("POST", "/api/v1/services", req, farmer, "Idempotency-Key", "k-1")
		if resp.StatusCode != 201 || string(again) != string(body) || resp.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("retry on %s: %d %s", name, resp.StatusCode, again)
		}
	}
	if n := mine(farmer); n != 1 {
		t.Fatalf("%d requests after three sends with one key", n)
	}
	tp.Run(t, []portaltest.Scenario{
		{Name: "the same key, another body", Method: "POST", Path: "/api/v1/services", Token: farmer, Body: map[string]any{"type": "financing", "details": "另一件事，完全不同"},
			Header: []string{"Idempotency-Key", "k-1"}, Status: 422, Contains: []string{"error.idempotency.mismatch"}},
		{Name: "a key with a space", Method: "POST", Path: "/api/v1/services", Token: farmer, Body: req, Header: []string{"Idempotency-Key", "k 1"}, Status: 422, Contains: []string{"error.idempotency.key"}},
		{Name: "a huge key", Method: "POST", Path: "/api/v1/services", Token: farmer, Body: req, Header: []string{"Idempotency-Key", strings.Repeat("k", 201)}, Status: 422},
		{Name: "another person's same key is theirs", Method: "POST", Path: "/api/v1/services", Token: other, Body: req, Header: []string{"Idempotency-Key", "k-1"}, Status: 201},
	})
	// A first request still running: a retry waits; once it is a minute
	// old (its replica died), the retry runs.
	raw, _ := json.Marshal(req)
	id := portal.Digest(farmerID, "POST", "/api/v1/services", "k-2")
	if _, err := tp.App.Bureau().Replays.Claim(context.Background(), id, portal.Digest(string(raw)), farmerID); err != nil {
		t.Fatal(err)
	}
	if resp, body := tp.Do("POST", "/api/v1/services", req, farmer, "Idempotency-Key", "k-2"); resp.StatusCode != 409 || !strings.Contains(string(body), "error.idempotency.pending") {
		t.Errorf("retry while pending: %d %s", resp.StatusCode, body)
	}
	tp.Advance(2 * time.Minute)
	farmer = tp.Login("farmer@test.cn")
	if resp, body := tp.Do("POST", "/api/v1/services", req, farmer, "Idempotency-Key", "k-2"); resp.StatusCode != 201 {
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
	t.Parallel()
	a := portaltest.New(t)
	b := a.Twin(t)
	_, token, _ := a.Account(accounts.Entrepreneur, "ent@test.cn")
	if resp, body := b.Do("GET", "/api/v1/me", nil, token); resp.StatusCode != 200 || !strings.Contains(string(body), "ent@test.cn") {
		t.Fatalf("a's token at b: %d %s", resp.StatusCode, body)
	}
	bad := map[string]string{"login": "ent@test.cn", "password": "wrong-password-1"}
	for i := range 5 {
		p := []*portaltest.Portal{a, b}[i%2]
		if resp, _ := p.Do("POST", "/api/v1/auth/login", bad, ""); resp.StatusCode != 401 {
			t.Fatalf("attempt %d: %d", i, resp.StatusCode)
		}
	}
	if resp, _ := a.Do("POST", "/api/v1/auth/login", map[string]string{"login": "ent@test.cn", "password": portaltest.Password}, ""); resp.StatusCode != 429 {
		t.Fatalf("five failures over two replicas did not throttle: %d", resp.StatusCode)
	}
	if n := a.App.Bureau().Accounts.ThrottledSignIns(); n != 1 { // the onestop_signins_throttled_total metric
		t.Errorf("throttled sign-ins counted: %d, want 1", n)
	}
	ctx := context.Background()
	now := a.Now()
	for _, lease := range []string{hotline.WorkerLease, loans.WorkerLease} {
		okA, errA := a.App.Store().Acquire(ctx, lease, "replica-a", now, time.Minute)
		okB, errB := b.App.Store().Acquire(ctx, lease, "replica-b", now, time.Minute)
		if errA != nil || errB != nil || !okA || okB {
			t.Fatalf("%s: a %v %v, b %v %v", lease, okA, errA, okB, errB)
		}
		if ok, _ := b.App.Store().Acquire(ctx, lease, "replica-b", now.Add(3*time.Minute), time.Minute); !ok {
			t.Fatalf("%s: b does not take over from a replica gone quiet", lease)
		}
	}
}
