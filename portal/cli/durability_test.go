package cli

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	accountsweb "onestop/portal/accounts"
	"onestop/portal/portaltest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/store"
)

// The crash test's portal is the real binary, built with the go tool
// without -race: as this test binary under -race the portal took 2,000
// records at 7 a second (five minutes), not 38. Where no go tool is at hand
// this test binary serves as the portal (see TestMain), hashing passwords
// cheaply like the in-process test portals.
func init() {
	if os.Getenv("ONESTOP_TEST_PORTAL_FAST_HASHING") != "" {
		accounts.DefaultArgon2 = accounts.Argon2{MemoryKiB: 64, Time: 1, Threads: 1}
	}
}

// crashPortal returns the command line of a portal serving args.
func crashPortal(t *testing.T) func(args ...string) *exec.Cmd {
	bin := filepath.Join(t.TempDir(), "portal")
	build := exec.Command("go", "build", "-o", bin, "onestop")
	out, err := build.CombinedOutput()
	if err == nil {
		return func(args ...string) *exec.Cmd { return exec.Command(bin, args...) }
	}
	t.Logf("go build: %v %s; this test binary is the portal", err, out)
	return func(args ...string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "ONESTOP_TEST_PORTAL_FAST_HASHING=1", "ONESTOP_TEST_PORTAL_ARGS="+strings.Join(args, "\x1f"))
		return cmd
	}
}

// crashSettings are the crash test's figures, from the environment:
// CRASH_RECORDS, CRASH_CLIENTS, CRASH_KILLS and CRASH_SEED (to replay a
// failed run's kill schedule, which the test logs).
//
// The default, 2,000 records from 50 clients with 5 kills, takes about a
// minute and a half on two busy cores, -race or not (the portal is built
// without it, see crashPortal): records go in at some 38 a second, the
// embedded store taking writes one at a time, and a restart takes about
// 0.6 s. The figure the requirement names (about five minutes):
//
//	CRASH_RECORDS=10000 CRASH_KILLS=20 go test -count=1 -run TestCrashDurability ./portal/
type crashSettings struct {
	records, clients, kills int
	seed                    uint64
}

func crashSettingsFromEnv(t *testing.T) crashSettings {
	s := crashSettings{records: 2000, clients: 50, kills: 5, seed: uint64(time.Now().UnixNano())}
	for _, v := range []struct {
		name string
		to   *int
	}{{"CRASH_RECORDS", &s.records}, {"CRASH_CLIENTS", &s.clients}, {"CRASH_KILLS", &s.kills}} {
		if e := os.Getenv(v.name); e != "" {
			n, err := strconv.Atoi(e)
			if err != nil || n < 1 {
				t.Fatalf("%s=%q: want a positive whole number", v.name, e)
			}
			*v.to = n
		}
	}
	if e := os.Getenv("CRASH_SEED"); e != "" {
		n, err := strconv.ParseUint(e, 10, 64)
		if err != nil {
			t.Fatalf("CRASH_SEED=%q: %v", e, err)
		}
		s.seed = n
	}
	s.clients = min(s.clients, s.records)
	return s
}

// TestCrashDurability: clients create service requests with idempotency
// keys while the portal — a real process on the embedded store — is killed
// with SIGKILL at random moments and started again; they retry whatever
// was not answered. The kills fall at seeded random points of the run (a
// share of the records answered, then up to 20 ms more); the seed is
// logged. After the last answer the portal is killed once more, every
// SQLite file must pass PRAGMA integrity_check, every answered request must
// be in the database, and there must be exactly one request per key: no
// acknowledged write lost, no duplicate from a retry. Restart times (start
// to ready) are logged, not asserted.
func TestCrashDurability(t *testing.T) {
	cs := crashSettingsFromEnv(t)
	r := rand.New(rand.NewPCG(cs.seed, 1))
	t.Logf("%d records from %d clients, %d kills; replay with CRASH_SEED=%d", cs.records, cs.clients, cs.kills, cs.seed)
	portalCmd := crashPortal(t)
	dir := t.TempDir()
	base := "http://" + freeAddr(t)
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: cs.clients + 4}}
	var logs bytes.Buffer
	var logMu sync.Mutex
	var restarts []time.Duration
	start := func() *exec.Cmd {
		// Sign-ups are limited per address: the clients come through a
		// trusted proxy, each from an address of its own.
		cmd := portalCmd("serve", "-addr", strings.TrimPrefix(base, "http://"), "-data", dir,
			"-metrics-addr", "off", "-idempotency-wait", "2s", "-log-level", "error", "-trusted-proxies", "127.0.0.1/32")
		cmd.Stdout, cmd.Stderr = io.Discard, &lockedWriter{w: &logs, mu: &logMu}
		began := time.Now()
		serving(t, cmd, client, base, func() string {
			logMu.Lock()
			defer logMu.Unlock()
			return logs.String()
		})
		restarts = append(restarts, time.Since(began))
		return cmd
	}
	// The clients' accounts are opened by an administrator (a registration
	// would need the code from each client's mailbox), who is made on the
	// command line first.
	if out, err := portalCmd("admin", "create", "-email", "admin@crash.test.cn", "-password", portaltest.Password, "-name", "管理員",
		"-data", dir, "-log-level", "error").CombinedOutput(); err != nil {
		t.Fatalf("admin create: %v %s", err, out)
	}
	began := time.Now()
	portal := start()
	defer func() { portal.Process.Kill(); portal.Wait() }()

	post := func(path, token, key, from string, body any) (int, []byte, error) {
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", base+path, bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", from)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		out, err := io.ReadAll(resp.Body)
		return resp.StatusCode, out, err
	}
	type crashClient struct {
		token, owner, from string
		records            int
		acked              map[string]string // key → id answered
	}
	code, body, err := post("/api/v1/auth/login", "", "", "10.9.255.1", map[string]any{"login": "admin@crash.test.cn", "password": portaltest.Password})
	if err != nil || code != 200 {
		t.Fatalf("admin login: %d %s %v", code, body, err)
	}
	var admin accountsweb.TokenResponse
	json.Unmarshal(body, &admin)
	clients := make([]*crashClient, cs.clients)
	var setup sync.WaitGroup
	for i := range clients {
		c := &crashClient{from: fmt.Sprintf("10.9.%d.%d", i/250, 1+i%250), records: cs.records / cs.clients, acked: map[string]string{}}
		if i < cs.records%cs.clients {
			c.records++
		}
		clients[i] = c
		setup.Add(1)
		go func() {
			defer setup.Done()
			email := fmt.Sprintf("c%d@test.cn", i)
			code, body, err := post("/api/v1/admin/users", admin.AccessToken, "", c.from, map[string]any{"email": email, "password": portaltest.Password, "name": "客戶", "role": "entrepreneur"})
			if err != nil || code != 201 {
				t.Errorf("open account: %d %s %v", code, body, err)
				return
			}
			code, body, err = post("/api/v1/auth/login", "", "", c.from, map[string]any{"login": email, "password": portaltest.Password})
			if err != nil || code != 200 {
				t.Errorf("login: %d %s %v", code, body, err)
				return
			}
			var tr accountsweb.TokenResponse
			json.Unmarshal(body, &tr)
			c.token, c.owner = tr.AccessToken, tr.User.ID
		}()
	}
	setup.Wait()
	if t.Failed() {
		t.FailNow()
	}
	ready := time.Now()

	// The kill points: shares of the records answered, sorted.
	killAt := make([]int, cs.kills)
	for i := range killAt {
		killAt[i] = cs.records/50 + r.IntN(max(1, cs.records*47/50))
	}
	slices.Sort(killAt)
	jitter := make([]time.Duration, cs.kills)
	for i := range jitter {
		jitter[i] = time.Duration(r.IntN(20_000)) * time.Microsecond
	}
	t.Logf("kills after %v answers (+%v)", killAt, jitter)

	var answered, retries, waits atomic.Int64
	var wg sync.WaitGroup
	done := make(chan struct{})
	for ci, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < c.records; {
				key := fmt.Sprintf("c%d-k%d", ci, i)
				code, body, err := post("/api/v1/services", c.token, key, c.from, map[string]any{"type": "financing", "details": "第 " + fmt.Sprint(i) + " 件申請 " + key})
				switch {
				case err != nil || code >= 500: // down or dying: send it again
					retries.Add(1)
					time.Sleep(50 * time.Millisecond)
				case code == 409: // the first attempt still counts as running
					waits.Add(1)
					time.Sleep(100 * time.Millisecond)
				case code == 201:
					var rec struct{ ID string }
					json.Unmarshal(body, &rec)
					c.acked[key] = rec.ID
					answered.Add(1)
					i++
				default:
					t.Errorf("%s: %d %s", key, code, body)
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()
	kills := 0
	for kills < cs.kills {
		select {
		case <-done:
		case <-time.After(5 * time.Millisecond):
			if answered.Load() < int64(killAt[kills]) {
				continue
			}
			time.Sleep(jitter[kills])
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
	case <-time.After(20 * time.Minute):
		t.Fatal("the clients did not finish")
	}
	written := time.Since(ready)
	// Kill the last portal too: what was answered must be on disk without
	// a shutdown.
	portal.Process.Kill()
	portal.Wait()
	if t.Failed() {
		t.FailNow()
	}
	checked := integrityCheck(t, filepath.Join(dir, "db"))
	// Kills fell between answers and their follow-ups (figure counts), and
	// inside counts: a start applies what they left (the outbox's notes,
	// the figures' journals), so every request stored counts, once.
	portal = start()
	portal.Process.Kill()
	portal.Wait()

	ctx := context.Background()
	s := openStopped(t, dir)
	defer s.Close(ctx)
	cur, err := s.C("service_requests").Find(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var stored []struct {
		ID      string `bson:"_id"`
		OwnerID string `bson:"owner_id"`
		Details string `bson:"details"`
	}
	if err := cur.All(ctx, &stored); err != nil {
		t.Fatal(err)
	}
	byID := map[string]int{}
	perKey := map[string][]string{} // key → ids stored for it
	for i, d := range stored {
		byID[d.ID] = i
		key := d.Details[strings.LastIndexByte(d.Details, ' ')+1:]
		perKey[key] = append(perKey[key], d.ID)
	}
	lost, dup, total := 0, 0, 0
	for ci, c := range clients {
		total += len(c.acked)
		if len(c.acked) != c.records {
			t.Errorf("client %d: %d of %d answered", ci, len(c.acked), c.records)
		}
		for key, id := range c.acked {
			i, ok := byID[id]
			if !ok || stored[i].OwnerID != c.owner || !strings.HasSuffix(stored[i].Details, " "+key) {
				lost++
				if lost <= 10 {
					t.Errorf("%s answered as %s but not stored", key, id)
				}
			}
			if n := len(perKey[key]); n > 1 {
				dup += n - 1
				if dup <= 10 {
					t.Errorf("%s stored %d times: %v", key, n, perKey[key])
				}
			}
		}
	}
	if len(stored) != total || lost > 0 || dup > 0 {
		t.Errorf("%d requests stored for %d answered keys: %d lost, %d duplicates", len(stored), total, lost, dup)
	}
	if counted := countedRequests(t, s); counted != int64(len(stored)) {
		t.Errorf("the figures count %d service requests of %d stored", counted, len(stored))
	}
	t.Logf("%d kills; %d requests by %d clients in %s (%.0f a second); %d sends retried, %d told to wait; %d SQLite files intact; run %s",
		kills, total, len(clients), written.Round(time.Millisecond), float64(total)/written.Seconds(), retries.Load(), waits.Load(),
		checked, time.Since(began).Round(time.Second))
	t.Logf("start to ready: first %s, restarts %v", restarts[0].Round(time.Millisecond), roundAll(restarts[1:]))
}

// freeAddr is a local address nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// serving starts a portal process and waits until base says it is ready;
// should it not be within two minutes, the test fails with its logs.
func serving(t *testing.T, cmd *exec.Cmd, client *http.Client, base string, logs func() string) {
	t.Helper()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if resp, err := client.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
	}
	cmd.Process.Kill()
	cmd.Wait()
	t.Fatalf("the portal did not start: %s", logs())
}

// openStopped opens the data directory of a portal that is not running.
func openStopped(t *testing.T, dir string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), store.Config{DataDir: dir, Database: "onestop", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// countedRequests sums the service requests the figures counted.
func countedRequests(t *testing.T, s *store.Store) int64 {
	t.Helper()
	ctx := context.Background()
	cur, err := s.C("rollups").Find(ctx, bson.D{{Key: "dim", Value: "all"}})
	if err != nil {
		t.Fatal(err)
	}
	var rollups []struct {
		Counts map[string]int64 `bson:"counts"`
	}
	if err := cur.All(ctx, &rollups); err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, r := range rollups {
		n += r.Counts["service_requests"]
	}
	return n
}

// integrityCheck runs PRAGMA integrity_check on every SQLite file under dir
// (the store must be stopped) and returns how many it checked.
func integrityCheck(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".sqlite") {
			return nil
		}
		n++
		db, err := sql.Open("sqlite", p)
		if err != nil {
			t.Errorf("%s: %v", p, err)
			return nil
		}
		defer db.Close()
		var res []string
		rows, err := db.Query("PRAGMA integrity_check")
		if err != nil {
			t.Errorf("%s: integrity_check: %v", p, err)
			return nil
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			rows.Scan(&s)
			res = append(res, s)
		}
		if len(res) != 1 || res[0] != "ok" {
			t.Errorf("%s: integrity_check: %v", filepath.Base(p), res)
		}
		return nil
	})
	if n == 0 {
		t.Errorf("no SQLite file under %s", dir)
	}
	return n
}

func roundAll(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.Round(time.Millisecond)
	}
	return out
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
