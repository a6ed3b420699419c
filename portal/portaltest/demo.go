package portaltest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"onestop/portal"
)

// demoWorld is the demo world, built once per test binary in a data
// directory of its own; DemoWorld gives each test a copy.
var demoWorld struct {
	once sync.Once
	dir  string
	at   int64 // its clock when built, in Unix milliseconds
	err  error
}

// DemoWorld starts a portal on a copy of the demo world — the accounts,
// profiles, projects, bases, mentors, a year of hotline records, courses
// and loans that `portal demo` lays down. Loading the world takes most of
// a minute, so it is built once per test binary; each test gets a copy of
// its data directory (database files, search index, keys), so it may
// change the world and run in parallel with others. The clock starts
// where the world's stopped.
func DemoWorld(t testing.TB, opts ...Option) *Portal {
	t.Helper()
	demoWorld.once.Do(buildDemoWorld)
	if demoWorld.err != nil {
		t.Fatalf("demo world: %v", demoWorld.err)
	}
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(demoWorld.dir)); err != nil {
		t.Fatalf("demo world: copy: %v", err)
	}
	now := new(atomic.Int64)
	now.Store(max(demoWorld.at, time.Now().UnixMilli()))
	return New(t, append([]Option{Dir(dir), OwnStore(), onClock(now)}, opts...)...)
}

// DemoNow is the demo's "now": its clock when the load ended, after which
// nothing it laid down may be dated. Call it after DemoWorld.
func DemoNow() time.Time { return time.UnixMilli(demoWorld.at) }

// buildDemoWorld loads the demo into a new data directory with its own
// embedded database, and closes it so its files can be copied.
func buildDemoWorld() {
	dir, err := os.MkdirTemp("", "onestop-demo-world-")
	if err != nil {
		demoWorld.err = err
		return
	}
	demoWorld.dir = dir
	cfg, err := portal.LoadConfig([]string{"-data", dir, "-metrics-addr", "127.0.0.1:0"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		demoWorld.err = err
		return
	}
	cfg.FastHashing = true
	ctx := context.Background()
	app, err := portal.NewAppOn(ctx, cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})), nil)
	if err != nil {
		demoWorld.err = err
		return
	}
	d, err := app.Demo()
	if err == nil {
		err = d.Load(ctx, io.Discard)
	}
	demoWorld.at = time.Now().UnixMilli()
	if cerr := app.Close(ctx); err == nil && cerr != nil {
		err = fmt.Errorf("close: %w", cerr)
	}
	demoWorld.err = err
}

// removeDemoWorld deletes the built world's files (Main, after the tests).
func removeDemoWorld() {
	if demoWorld.dir != "" {
		_ = os.RemoveAll(demoWorld.dir)
	}
}
