package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/store"
)

// TestCrashDurability: clients create service requests with idempotency
// keys while the portal — a real process on the embedded store — is killed
// with SIGKILL at random moments and started again; they retry whatever
// was not answered. Afterwards every answered request is in the database,
// and there is exactly one request per key: no acknowledged write lost, no
// duplicate from a retry.
func TestCrashDurability(t *testing.T) {
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	base := "http://" + addr
	var logs bytes.Buffer
	var logMu sync.Mutex
	start := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "ONESTOP_TEST_PORTAL_ARGS="+strings.Join([]string{"serve", "-addr", addr, "-data", dir,
			"-metrics-addr", "off", "-idempotency-wait", "2s", "-log-level", "error"}, "\x1f"))
		cmd.Stdout, cmd.Stderr = io.Discard, &lockedWriter{w: &logs, mu: &logMu}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if resp, err := http.Get(base + "/readyz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					return cmd
				}
			}
		}
		t.Fatalf("the portal did not start: %s", logs.String())
		return nil
	}
	portal := start()
	defer func() { portal.Process.Kill(); portal.Wait() }()

	post := func(path, token, key string, body any) (int, []byte, error) {
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", base+path, bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, out, nil
	}
	const clients, perClient = 3, 40
	tokens := make([]string, clients)
	owners := make([]string, clients)
	for i := range clients {
		code, body, err := post("/api/v1/auth/register", "", "", map[string]any{"email": fmt.Sprintf("c%d@test.cn", i), "password": testPassword, "name": "客戶"})
		if err != nil || code != 201 {
			t.Fatalf("register: %d %s %v", code, body, err)
		}
		code, body, err = post("/api/v1/auth/login", "", "", map[string]any{"login": fmt.Sprintf("c%d@test.cn", i), "password": testPassword})
		if err != nil || code != 200 {
			t.Fatalf("login: %d %s %v", code, body, err)
		}
		var tr tokenResponse
		json.Unmarshal(body, &tr)
		tokens[i], owners[i] = tr.AccessToken, tr.User.ID
	}

	acked := make([]map[string]string, clients) // key → id answered
	var retries, waits atomic.Int64
	var wg sync.WaitGroup
	done := make(chan struct{})
	for c := range clients {
		acked[c] = map[string]string{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perClient; {
				key := fmt.Sprintf("c%d-k%d", c, i)
				code, body, err := post("/api/v1/services", tokens[c], key, map[string]any{"type": "financing", "details": "第 " + fmt.Sprint(i) + " 件申請"})
				switch {
				case err != nil || code >= 500: // down or dying: send it again
					retries.Add(1)
					time.Sleep(100 * time.Millisecond)
				case code == 409: // the first attempt still counts as running
					waits.Add(1)
					time.Sleep(100 * time.Millisecond)
				case code == 201:
					var r struct{ ID string }
					json.Unmarshal(body, &r)
					acked[c][key] = r.ID
					i++
				default:
					t.Errorf("%s: %d %s", key, code, body)
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	kills := 0
	for kills < 3 {
		select {
		case <-done:
		case <-time.After(time.Duration(200+r.IntN(600)) * time.Millisecond):
			portal.Process.Kill() // SIGKILL: no shutdown, no flush
			portal.Wait()
			kills++
			portal = start()
			continue
		}
		break
	}
	select {
	case <-done:
	case <-time.After(5 * time.Minute):
		t.Fatal("the clients did not finish")
	}
	// Stop the last portal and count what is in the database.
	portal.Process.Signal(os.Interrupt)
	portal.Wait()
	ctx := context.Background()
	s, err := store.Open(ctx, store.Config{DataDir: dir, Database: "onestop", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	for c := range clients {
		if len(acked[c]) != perClient {
			t.Errorf("client %d: %d answered", c, len(acked[c]))
		}
		for key, id := range acked[c] {
			var doc bson.M
			if err := s.C("service_requests").FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&doc); err != nil || doc["owner_id"] != owners[c] {
				t.Errorf("%s answered as %s but not stored: %v", key, id, err)
			}
		}
		n, err := s.C("service_requests").CountDocuments(ctx, bson.D{{Key: "owner_id", Value: owners[c]}})
		if err != nil || n != perClient {
			t.Errorf("client %d: %d requests stored for %d keys (%v)", c, n, perClient, err)
		}
	}
	t.Logf("%d kills, %d requests by %d clients; %d sends retried, %d told to wait", kills, clients*perClient, clients, retries.Load(), waits.Load())
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
