// Package storetest gives each test a fresh database on a real store: the
// embedded FerretDB (one per test binary), or the MongoDB at
// TEST_MONGODB_URI when that is set.
package storetest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"onestop/services/store"
)

var (
	once   sync.Once
	shared *store.Store
	err    error
	seq    atomic.Int64
	dir    string
)

// New returns a store on a database of its own, with colls ensured; the
// database is dropped when the test ends.
func New(t testing.TB, colls ...store.Collection) *store.Store {
	t.Helper()
	once.Do(func() {
		dir, err = os.MkdirTemp("", "onestop-storetest-")
		if err != nil {
			return
		}
		log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		shared, err = store.Open(context.Background(), store.Config{
			URI: os.Getenv("TEST_MONGODB_URI"), DataDir: dir, Database: "storetest", Logger: log,
		})
	})
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	name := fmt.Sprintf("t%d_%d", os.Getpid(), seq.Add(1))
	s := shared.Database(name)
	ctx := context.Background()
	if err := s.Ensure(ctx, append([]store.Collection{store.Keys}, colls...)...); err != nil {
		t.Fatalf("storetest: ensure: %v", err)
	}
	t.Cleanup(func() { _ = s.Drop(context.Background()) })
	return s
}

// Dir is the embedded store's data directory (empty before the first New).
func Dir() string { return dir }

// Main runs the package's tests and then stops the shared store and removes
// its files; call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	Close()
	os.Exit(code)
}

// Close stops the shared store and removes its files (Main does, after
// the tests; a TestMain of its own calls it last).
func Close() {
	if shared != nil {
		_ = shared.Close(context.Background())
	}
	if dir != "" {
		_ = os.RemoveAll(dir)
	}
}
