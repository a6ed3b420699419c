// Package portaltest is the harness the portal's HTTP tests share: a portal
// on a fresh database driven in-process, its clock, accounts, the SMS and
// e-mail gateway as a mailbox, a cookie-keeping client for pages, scenario
// tables for the API, headless Chromium, and the worlds of records several
// areas' tests start from. Only tests import it.
package portaltest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"onestop/portal"
	"onestop/services/accounts"
	"onestop/services/servicetest"
	"onestop/services/store"
	"onestop/services/store/storetest"
)

// Main runs a package's tests and then stops the shared embedded database
// and removes the demo world's files; call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	removeDemoWorld()
	storetest.Close()
	os.Exit(code)
}

// Password is every test account's password.
const Password = "Ch4ng3-me-not!"

// Portal is a portal on a fresh database, driven in-process.
type Portal struct {
	T   testing.TB
	App *portal.App
	now *atomic.Int64 // the portal's clock, in Unix milliseconds
	// sent keeps the messages handed to the SMS / e-mail gateway.
	sent  *mailbox
	logs  *lockedBuffer // nil unless CaptureLogs
	close sync.Once
	err   error
}

type options struct {
	dir      string
	args     []string
	setup    []func(*portal.Config)
	ownStore bool
	store    *store.Store
	logs     bool
	now      *atomic.Int64
}

// Option changes how New starts a portal.
type Option func(*options)

// Configure changes the portal's configuration before it starts (its data
// directory is already chosen).
func Configure(f func(*portal.Config)) Option {
	return func(o *options) { o.setup = append(o.setup, f) }
}

// Args adds command-line settings, as a process would be given them.
func Args(args ...string) Option { return func(o *options) { o.args = append(o.args, args...) } }

// Dir starts the portal on this data directory rather than a new one (a
// portal the command line prepared, or one restarted on the same files).
func Dir(dir string) Option { return func(o *options) { o.dir = dir } }

// OwnStore opens the embedded database in the portal's data directory
// rather than a database of its own on the binary's shared server: every
// file the portal writes is then under its data directory, the test's
// alone.
func OwnStore() Option { return func(o *options) { o.ownStore = true } }

// CaptureLogs keeps every log line (debug and up, as JSON) for Logs.
func CaptureLogs() Option { return func(o *options) { o.logs = true } }

// onClock starts the portal's clock at another's value (DemoWorld).
func onClock(now *atomic.Int64) Option { return func(o *options) { o.now = now } }

// onStore starts the portal on an open store of another's (Twin).
func onStore(st *store.Store, now *atomic.Int64) Option {
	return func(o *options) { o.store, o.now = st, now }
}

// New starts a test portal: a data directory and a database of its own,
// fast password hashing, a clock the test moves (Advance), and a mailbox
// for the messages it sends. It is closed when the test ends.
func New(t testing.TB, opts ...Option) *Portal {
	t.Helper()
	var o options
	for _, f := range opts {
		f(&o)
	}
	if o.dir == "" {
		o.dir = t.TempDir()
	}
	// No drain delay: a test's portal stops at once unless it asks.
	args := append([]string{"-data", o.dir, "-metrics-addr", "127.0.0.1:0", "-drain-delay", "0s"}, o.args...)
	cfg, err := portal.LoadConfig(args, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range o.setup {
		f(cfg)
	}
	cfg.FastHashing = true
	now := o.now
	if now == nil {
		now = new(atomic.Int64)
		now.Store(time.Now().UnixMilli())
	}
	cfg.Clock = func() time.Time { return time.UnixMilli(now.Load()) }
	p := &Portal{T: t, now: now}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	if o.logs {
		p.logs = &lockedBuffer{}
		log = slog.New(slog.NewJSONHandler(p.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	st := o.store
	// A test that names its own database, or asks for its own store, gets
	// its own connection.
	if st == nil && cfg.MongoURI == "" && !o.ownStore {
		st = storetest.New(t)
	}
	p.App, err = portal.NewAppOn(context.Background(), cfg, log, st)
	if err != nil {
		t.Fatal(err)
	}
	p.App.SetReady(true)
	p.sent = newMailbox(p.App)
	t.Cleanup(func() { p.Close() })
	return p
}

// Close closes the portal (once; the end of the test closes it too) and
// says what closing it reported.
func (p *Portal) Close() error {
	p.close.Do(func() { p.err = p.App.Close(context.Background()) })
	return p.err
}

// Twin starts a second portal on the first one's database, with its own
// search index and the same keys and clock: two stateless replicas.
func (p *Portal) Twin(t testing.TB) *Portal {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"jwt.key", "data.key"} {
		raw, err := os.ReadFile(filepath.Join(p.App.Config().DataDir, "keys", k))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "keys", k), raw, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return New(t, Dir(dir), onStore(p.App.Store(), p.now))
}

// Advance moves the portal's clock.
func (p *Portal) Advance(d time.Duration) { p.now.Add(d.Milliseconds()) }

// Now is the portal's clock.
func (p *Portal) Now() time.Time { return time.UnixMilli(p.now.Load()) }

// Settle waits for the follow-ups of the writes so far (the figures count
// records a moment after their writes answer): call it before reading
// figures.
func (p *Portal) Settle(t testing.TB) {
	t.Helper()
	servicetest.Settle(t, p.App.Bureau().Outbox)
}

// Logs is every log line so far (CaptureLogs).
func (p *Portal) Logs() []byte {
	if p.logs == nil {
		p.T.Fatal("portaltest: Logs without CaptureLogs")
	}
	return p.logs.Bytes()
}

// Do sends a request; body is JSON-encoded unless it is a string or bytes.
// hdr are header names and values.
func (p *Portal) Do(method, path string, body any, token string, hdr ...string) (*http.Response, []byte) {
	p.T.Helper()
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
	resp, err := p.App.HTTP().Test(req, -1)
	if err != nil {
		p.T.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	return resp, out
}

// MustDo sends a request that must succeed (2xx) and returns its body.
func (p *Portal) MustDo(t testing.TB, method, path string, body any, token string) []byte {
	t.Helper()
	resp, out := p.Do(method, path, body, token)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, out)
	}
	return out
}

// Account creates an account of a role and signs it in.
func (p *Portal) Account(role accounts.Role, email string) (id, access, refresh string) {
	p.T.Helper()
	ctx := context.Background()
	admin := accounts.Principal{ID: "bootstrap", Role: accounts.Admin}
	u, err := p.App.Accounts().Create(ctx, admin, accounts.NewAccount{Email: email, Password: Password, Name: "測試" + string(role), Role: role}, accounts.Meta{IP: "192.0.2.1"})
	if err != nil {
		p.T.Fatal(err)
	}
	t, err := p.App.Accounts().Login(ctx, email, Password, accounts.Meta{IP: "192.0.2.1"})
	if err != nil {
		p.T.Fatal(err)
	}
	return u.ID, t.Access, t.Refresh
}

// Login signs an existing account in again (after the clock moved past its
// tokens).
func (p *Portal) Login(email string) string {
	p.T.Helper()
	t, err := p.App.Accounts().Login(context.Background(), email, Password, accounts.Meta{IP: "192.0.2.1"})
	if err != nil {
		p.T.Fatal(err)
	}
	return t.Access
}

// Serve serves the portal on a loopback port until stop is called or the
// test ends; stop says what Serve returned.
func (p *Portal) Serve(t testing.TB) (base string, stop func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.App.Serve(ctx, ln) }()
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
	stop = func() error {
		once.Do(func() { cancel(); serr = <-done })
		return serr
	}
	t.Cleanup(func() { stop() })
	return base, stop
}

// Decode reads JSON into a T, failing the test if it cannot.
func Decode[T any](t testing.TB, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

// lockedBuffer is a log sink the handlers of concurrent requests share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}
