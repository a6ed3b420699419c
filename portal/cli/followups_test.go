package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	accountsweb "onestop/portal/accounts"
	"onestop/portal/portaltest"
)

// TestFollowUpsOnceAfterKill: a service request answers once it is stored
// and indexed; its figure count follows a moment later, from the outbox.
// The portal — a real process on the embedded store — holds its follow-ups
// (-follow-up-delay 1h) and is killed with SIGKILL after the answers, so
// the kill falls between every answer and its follow-up: nothing is counted
// yet and every note waits. The next start applies them: each request is
// counted once. Notes applied once more — as a crash between a follow-up
// and its note's removal leaves them — count nothing twice.
func TestFollowUpsOnceAfterKill(t *testing.T) {
	portalCmd := crashPortal(t)
	dir := t.TempDir()
	addr := freeAddr(t)
	base := "http://" + addr
	client := &http.Client{Timeout: time.Minute}
	start := func(args ...string) *exec.Cmd {
		cmd := portalCmd(append([]string{"serve", "-addr", addr, "-data", dir, "-metrics-addr", "off", "-log-level", "error"}, args...)...)
		var logs bytes.Buffer
		cmd.Stdout, cmd.Stderr = io.Discard, &logs
		serving(t, cmd, client, base, logs.String)
		return cmd
	}
	kill := func(cmd *exec.Cmd) {
		cmd.Process.Kill() // SIGKILL: no shutdown, no drain
		cmd.Wait()
	}
	post := func(path, token, key string, body any) (int, []byte) {
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", base+path, bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, out
	}
	login := func(email string) string {
		code, body := post("/api/v1/auth/login", "", "", map[string]any{"login": email, "password": portaltest.Password})
		if code != 200 {
			t.Fatalf("login %s: %d %s", email, code, body)
		}
		var tr accountsweb.TokenResponse
		json.Unmarshal(body, &tr)
		return tr.AccessToken
	}
	// What the store holds while the portal is down: requests, the
	// requests counted in the figures, and notes waiting.
	type state struct{ stored, counted, waiting int64 }
	look := func() state {
		ctx := context.Background()
		s := openStopped(t, dir)
		defer s.Close(ctx)
		var st state
		var err error
		if st.stored, err = s.C("service_requests").CountDocuments(ctx, bson.D{}); err != nil {
			t.Fatal(err)
		}
		st.counted = countedRequests(t, s)
		if st.waiting, err = s.C("outbox").CountDocuments(ctx, bson.D{{Key: "index", Value: "service_requests"}}); err != nil {
			t.Fatal(err)
		}
		return st
	}

	if out, err := portalCmd("admin", "create", "-email", "admin@followups.test.cn", "-password", portaltest.Password, "-name", "管理員",
		"-data", dir, "-log-level", "error").CombinedOutput(); err != nil {
		t.Fatalf("admin create: %v %s", err, out)
	}
	portal := start("-follow-up-delay", "1h")
	admin := login("admin@followups.test.cn")
	if code, body := post("/api/v1/admin/users", admin, "", map[string]any{"email": "e1@followups.test.cn", "password": portaltest.Password,
		"name": "創業者", "role": "entrepreneur"}); code != 201 {
		kill(portal)
		t.Fatalf("open account: %d %s", code, body)
	}
	e1 := login("e1@followups.test.cn")
	const n = 12
	for i := range n {
		if code, body := post("/api/v1/services", e1, fmt.Sprintf("k%d", i), map[string]any{"type": "financing", "details": fmt.Sprintf("第 %d 件申請", i)}); code != 201 {
			kill(portal)
			t.Fatalf("request %d: %d %s", i, code, body)
		}
	}
	kill(portal)
	if got := look(); got != (state{stored: n, counted: 0, waiting: n}) {
		t.Fatalf("killed before the follow-ups: %+v, want %d stored, none counted, %d waiting", got, n, n)
	}

	kill(start()) // the start drains the outbox: the follow-ups run
	if got := look(); got != (state{stored: n, counted: n, waiting: 0}) {
		t.Fatalf("after a start: %+v, want %d stored and counted, none waiting", got, n)
	}

	// Notes left as by a crash after the follow-ups, before their removal:
	// applied again, they count nothing twice.
	func() {
		ctx := context.Background()
		s := openStopped(t, dir)
		defer s.Close(ctx)
		cur, err := s.C("service_requests").Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		var reqs []struct {
			ID string `bson:"_id"`
		}
		if err := cur.All(ctx, &reqs); err != nil {
			t.Fatal(err)
		}
		for _, r := range reqs {
			note := bson.D{{Key: "_id", Value: "service_requests/" + r.ID}, {Key: "index", Value: "service_requests"}, {Key: "rec", Value: r.ID}, {Key: "at", Value: time.Now().UTC()}}
			if _, err := s.C("outbox").InsertOne(ctx, note); err != nil {
				t.Fatal(err)
			}
		}
	}()
	kill(start())
	if got := look(); got != (state{stored: n, counted: n, waiting: 0}) {
		t.Fatalf("after applying the notes again: %+v, want %d stored and counted once, none waiting", got, n)
	}
}
