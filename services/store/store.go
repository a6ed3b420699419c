// Package store owns the connection to MongoDB — or to the embedded FerretDB
// that stands in for it on one machine — and the few storage patterns every
// service area shares: collections declared with their indexes, key
// collections for unique secondary keys, and guarded single-document updates.
//
// The embedded FerretDB (SQLite handler) answers only an exact `{_id: x}`
// filter without reading the whole collection, so services read by `_id`,
// keep unique keys in key documents and take lists from the search engine.
// See ../shared/design/data-access.md.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Config says where the data lives.
type Config struct {
	// URI of a MongoDB deployment; empty starts the embedded FerretDB.
	URI string
	// DataDir holds the embedded store's SQLite files.
	DataDir string
	// Database name.
	Database string
	Logger   *slog.Logger
	// Monitor, when set, sees every command (the portal's latency metrics).
	Monitor *event.CommandMonitor
}

// Store is an open database.
type Store struct {
	client   *mongo.Client
	db       *mongo.Database
	embedded *embedded
	log      *slog.Logger
	// borrowed stores share another's connection and do not close it.
	borrowed bool
	passes   *passLog
	writes   *atomic.Int64 // write commands sent (see Writes)
	writesBy *sync.Map     // "command collection" → *atomic.Int64 (see WritesBy)
	inserts  *sync.Map     // "database.collection" → *Group[any] (see Insert)
	sets     *sync.Map     // "database.collection" → *Group[setOne] (see Set)
}

// Open connects to MongoDB, or starts the embedded FerretDB and connects to
// it over the wire with the same driver.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Database == "" {
		cfg.Database = "onestop"
	}
	s := &Store{log: cfg.Logger, passes: &passLog{at: map[string]time.Time{}}, writes: new(atomic.Int64), writesBy: new(sync.Map), inserts: new(sync.Map), sets: new(sync.Map)}
	uri := cfg.URI
	if uri == "" {
		e, err := startEmbedded(ctx, cfg.DataDir, cfg.Logger)
		if err != nil {
			return nil, err
		}
		s.embedded = e
		uri = e.ferret.MongoDBURI()
	}
	opts := options.Client().ApplyURI(uri).
		SetAppName("onestop-portal").
		// Bounded pool: past a few dozen connections the embedded store only
		// queues, and a server deployment has its own limits.
		SetMaxPoolSize(64).
		// A database that is gone fails a request within 5 s (a 503 the
		// client may retry) instead of holding it.
		SetServerSelectionTimeout(5 * time.Second)
	monitor := s.countWrites(cfg.Monitor)
	if s.embedded != nil {
		monitor = newWriteGate(cfg.Logger).monitor(monitor)
	}
	opts.SetMonitor(monitor)
	client, err := mongo.Connect(opts)
	if err != nil {
		s.stopEmbedded()
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	s.client = client
	s.db = client.Database(cfg.Database)
	if err := s.Ping(ctx); err != nil {
		_ = s.Close(context.Background())
		return nil, fmt.Errorf("store: ping: %w", err)
	}
	return s, nil
}

// Writes is how many write commands the store has sent: what a request
// costs in writes is the difference around it (#22's measurements).
func (s *Store) Writes() int64 { return s.writes.Load() }

// WritesBy is Writes by command and collection ("insert audit"): which
// writes a request costs.
func (s *Store) WritesBy() map[string]int64 {
	m := map[string]int64{}
	s.writesBy.Range(func(k, v any) bool {
		m[k.(string)] = v.(*atomic.Int64).Load()
		return true
	})
	return m
}

// countWrites wraps next (nil for none) with the count of write commands.
func (s *Store) countWrites(next *event.CommandMonitor) *event.CommandMonitor {
	if next == nil {
		next = &event.CommandMonitor{}
	}
	return &event.CommandMonitor{
		Started: func(ctx context.Context, e *event.CommandStartedEvent) {
			if gatedCommands[e.CommandName] {
				s.writes.Add(1)
				n, _ := s.writesBy.LoadOrStore(commandOn(e), new(atomic.Int64))
				n.(*atomic.Int64).Add(1)
			}
			if next.Started != nil {
				next.Started(ctx, e)
			}
		},
		Succeeded: next.Succeeded,
		Failed:    next.Failed,
	}
}

// commandOn names a command and the collection it is on ("insert audit"):
// a command's first element names its collection.
func commandOn(e *event.CommandStartedEvent) string {
	if el, err := e.Command.IndexErr(0); err == nil {
		if coll, ok := el.Value().StringValueOK(); ok {
			return e.CommandName + " " + coll
		}
	}
	return e.CommandName
}

// Embedded reports whether the store is the in-process FerretDB.
func (s *Store) Embedded() bool { return s.embedded != nil }

// EmbeddedURI is where the embedded FerretDB listens (empty on MongoDB):
// anything that speaks the Mongo protocol reaches it there while it runs.
func (s *Store) EmbeddedURI() string {
	if s.embedded == nil {
		return ""
	}
	return s.embedded.ferret.MongoDBURI()
}

// Engine names the database engine for logs and readiness.
func (s *Store) Engine() string {
	if s.embedded != nil {
		return "ferretdb-sqlite (embedded)"
	}
	return "mongodb"
}

// DB returns the database handle.
func (s *Store) DB() *mongo.Database { return s.db }

// C returns a collection.
func (s *Store) C(name string) *mongo.Collection { return s.db.Collection(name) }

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	return s.client.Ping(ctx, nil)
}

// Database returns a store on another database over the same connection;
// tests use it to give every test a fresh database.
func (s *Store) Database(name string) *Store {
	c := *s
	c.db = s.client.Database(name)
	c.borrowed = true
	return &c
}

// Close disconnects and stops the embedded server.
func (s *Store) Close(ctx context.Context) error {
	if s.borrowed {
		return nil
	}
	var err error
	if s.client != nil {
		err = s.client.Disconnect(ctx)
	}
	s.stopEmbedded()
	return err
}

func (s *Store) stopEmbedded() {
	if s.embedded != nil {
		s.embedded.stop()
	}
}

// Collection declares a collection and the indexes MongoDB needs for the
// queries written against it.
type Collection struct {
	Name    string
	Indexes []mongo.IndexModel
}

// Ensure creates the collections and their indexes; it is idempotent and
// runs at every start. On the embedded store it also adds the `_id`
// expression index that makes reads by `_id` a lookup instead of a scan.
func (s *Store) Ensure(ctx context.Context, colls ...Collection) error {
	existing, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return fmt.Errorf("store: list collections: %w", err)
	}
	have := map[string]bool{}
	for _, n := range existing {
		have[n] = true
	}
	for _, c := range colls {
		if !have[c.Name] {
			err := s.db.CreateCollection(ctx, c.Name)
			if err != nil && !isNamespaceExists(err) {
				return fmt.Errorf("store: create %s: %w", c.Name, err)
			}
			have[c.Name] = true
		}
		if len(c.Indexes) > 0 {
			if _, err := s.C(c.Name).Indexes().CreateMany(ctx, c.Indexes); err != nil {
				return fmt.Errorf("store: indexes of %s: %w", c.Name, err)
			}
		}
	}
	if s.embedded != nil {
		return s.embedded.indexIDs(ctx, s.db.Name())
	}
	return nil
}

// Drop removes the whole database (tests only).
func (s *Store) Drop(ctx context.Context) error { return s.db.Drop(ctx) }

func isNamespaceExists(err error) bool {
	var ce mongo.CommandError
	return errors.As(err, &ce) && (ce.Code == 48 || ce.Name == "NamespaceExists")
}

type embedded struct {
	ferret *ferretdb.FerretDB
	dir    string
	cancel context.CancelFunc
	done   chan struct{}
	// locks serialise guarded updates per document (see UpdateIf).
	locks [lockStripes]sync.Mutex
}

// ferretNew serialises starting embedded servers: ferretdb.New writes the
// version package's state, so two stores opened at once in one process
// (tests in parallel, each on a data directory of its own) race.
var ferretNew sync.Mutex

func startEmbedded(ctx context.Context, dataDir string, log *slog.Logger) (*embedded, error) {
	dir, err := filepath.Abs(filepath.Join(dataDir, "db"))
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("store: data directory: %w", err)
	}
	// FerretDB logs every failed command in full at warn level; errors are
	// what we want from it.
	quiet := slog.New(log.Handler()).With("component", "ferretdb")
	// synchronous(normal): SQLite in WAL mode then syncs the log to disk at
	// checkpoints, not at every commit. A committed write is in the log
	// before it is acknowledged, so it survives the process being killed
	// (portal/cli TestCrashDurability); a power cut or a kernel crash may
	// lose the last commits before a checkpoint, never the file's
	// consistency. It took a write from 3.3 to 2.9 ms (p50) here.
	ferretNew.Lock() // ferretdb.New sets a package-level field: one at a time
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/?_pragma=synchronous(normal)",
		Logger:    slog.New(levelFilter{quiet.Handler(), slog.LevelError}),
	})
	ferretNew.Unlock()
	if err != nil {
		return nil, fmt.Errorf("store: embedded FerretDB: %w", err)
	}
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	e := &embedded{ferret: f, dir: dir, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		if err := f.Run(runCtx); err != nil && runCtx.Err() == nil {
			log.Error("embedded FerretDB stopped", "err", err)
		}
	}()
	return e, nil
}

func (e *embedded) stop() {
	e.cancel()
	select {
	case <-e.done:
	case <-time.After(10 * time.Second):
	}
}

type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (l levelFilter) Enabled(ctx context.Context, lv slog.Level) bool {
	return lv >= l.min && l.Handler.Enabled(ctx, lv)
}

func (l levelFilter) WithAttrs(a []slog.Attr) slog.Handler {
	return levelFilter{l.Handler.WithAttrs(a), l.min}
}

func (l levelFilter) WithGroup(n string) slog.Handler {
	return levelFilter{l.Handler.WithGroup(n), l.min}
}
