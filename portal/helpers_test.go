package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"onestop/services/accounts"
	"onestop/services/store"
	"onestop/services/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

const testPassword = "Ch4ng3-me-not!"

// testPortal is a portal on a fresh database, driven in-process.
type testPortal struct {
	t   testing.TB
	app *App
	now *atomic.Int64 // the portal's clock, in Unix milliseconds
	// sent keeps the messages handed to the SMS / e-mail gateway.
	sent *mailbox
}

// advance moves the portal's clock.
func (tp *testPortal) advance(d time.Duration) { tp.now.Add(d.Milliseconds()) }

func newTestPortal(t *testing.T) *testPortal { return newTestPortalTB(t) }

// newTestPortalTB starts a test portal; setup, when given, changes its
// configuration first (its data directory is already chosen).
func newTestPortalTB(t testing.TB, setup ...func(*Config)) *testPortal {
	t.Helper()
	cfg, err := LoadConfig([]string{"-data", t.TempDir(), "-metrics-addr", "127.0.0.1:0"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range setup {
		f(cfg)
	}
	cfg.FastHashing = true
	now := new(atomic.Int64)
	now.Store(time.Now().UnixMilli())
	cfg.Clock = func() time.Time { return time.UnixMilli(now.Load()) }
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	var st *store.Store // a test that names its own database gets its own connection
	if cfg.MongoURI == "" {
		st = storetest.New(t)
	}
	app, err := newApp(context.Background(), cfg, log, st)
	if err != nil {
		t.Fatal(err)
	}
	app.ready.Store(true)
	t.Cleanup(func() { app.Close(context.Background()) })
	return &testPortal{t: t, app: app, now: now, sent: newMailbox(app)}
}

// loadDemo lays the demo world down in the test portal.
func (tp *testPortal) loadDemo(ctx context.Context, w io.Writer) error {
	d, err := tp.app.Demo()
	if err != nil {
		return err
	}
	return d.Load(ctx, w)
}

// demoProjects imports the demo's library of projects alone.
func (tp *testPortal) demoProjects(ctx context.Context) error {
	d, err := tp.app.Demo()
	if err != nil {
		return err
	}
	return d.Projects(ctx)
}

// do sends a request; body is JSON-encoded unless it is a string.
func (tp *testPortal) do(method, path string, body any, token string, hdr ...string) (*http.Response, []byte) {
	tp.t.Helper()
	var r io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		r, ct = strings.NewReader(b), "application/json"
	case []byte:
		r, ct = bytes.NewReader(b), "application/json"
	default:
		raw, _ := json.Marshal(b)
		r, ct = bytes.NewReader(raw), "application/json"
	}
	req := httptest.NewRequest(method, path, r)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := tp.app.HTTP().Test(req, -1)
	if err != nil {
		tp.t.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	return resp, out
}

// account creates an account of a role and signs it in.
func (tp *testPortal) account(role accounts.Role, email string) (id, access, refresh string) {
	tp.t.Helper()
	ctx := context.Background()
	admin := accounts.Principal{ID: "bootstrap", Role: accounts.Admin}
	u, err := tp.app.accounts.Create(ctx, admin, accounts.NewAccount{Email: email, Password: testPassword, Name: "測試" + string(role), Role: role}, accounts.Meta{IP: "192.0.2.1"})
	if err != nil {
		tp.t.Fatal(err)
	}
	t, err := tp.app.accounts.Login(ctx, email, testPassword, accounts.Meta{IP: "192.0.2.1"})
	if err != nil {
		tp.t.Fatal(err)
	}
	return u.ID, t.Access, t.Refresh
}

// login signs an existing account in again (after the clock moved past its
// tokens).
func (tp *testPortal) login(email string) string {
	tp.t.Helper()
	t, err := tp.app.accounts.Login(context.Background(), email, testPassword, accounts.Meta{IP: "192.0.2.1"})
	if err != nil {
		tp.t.Fatal(err)
	}
	return t.Access
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}
