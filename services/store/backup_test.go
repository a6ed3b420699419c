package store_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/store"
	"onestop/services/store/storetest"
)

// contents reads every collection, each sorted by _id, as raw documents.
func contents(t *testing.T, s *store.Store) map[string][]bson.Raw {
	t.Helper()
	ctx := context.Background()
	names, err := s.Collections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]bson.Raw{}
	for _, name := range names {
		cur, err := s.C(name).Find(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		var docs []bson.Raw
		for cur.Next(ctx) {
			docs = append(docs, slices.Clone(cur.Current))
		}
		cur.Close(ctx)
		slices.SortFunc(docs, func(a, b bson.Raw) int { return bytes.Compare(a.Lookup("_id").Value, b.Lookup("_id").Value) })
		out[name] = docs
	}
	return out
}

func same(t *testing.T, what string, want, got map[string][]bson.Raw) {
	t.Helper()
	for name, docs := range want {
		if len(docs) == 0 {
			continue // an empty collection may not come back as one
		}
		if len(got[name]) != len(docs) {
			t.Errorf("%s: %s has %d documents, want %d", what, name, len(got[name]), len(docs))
			continue
		}
		for i := range docs {
			if !bytes.Equal(docs[i], got[name][i]) {
				t.Errorf("%s: %s differs at %d:\n%v\n%v", what, name, i, docs[i], got[name][i])
				break
			}
		}
	}
}

// TestBackupAndRestore: a snapshot restored into a fresh data directory,
// and a dump loaded into a fresh database, hold every collection exactly.
func TestBackupAndRestore(t *testing.T) {
	s := storetest.New(t, store.Collection{Name: "people"}, store.Collection{Name: "files"})
	ctx := context.Background()
	at := time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC)
	for i := range 1200 {
		if _, err := s.C("people").InsertOne(ctx, bson.D{{Key: "_id", Value: fmt.Sprintf("p%04d", i)}, {Key: "name", Value: "陳" + fmt.Sprint(i)},
			{Key: "at", Value: at.Add(time.Duration(i) * time.Minute)}, {Key: "tags", Value: bson.A{"a", int64(i)}}, {Key: "nested", Value: bson.D{{Key: "x", Value: 1.5}}}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.C("files").InsertOne(ctx, bson.D{{Key: "_id", Value: "f1"}, {Key: "data", Value: []byte("%PDF-1.4\x00\xff")}}); err != nil {
		t.Fatal(err)
	}
	if err := s.ClaimKey(ctx, "email:a@b.cn", "p0001", "error.taken"); err != nil {
		t.Fatal(err)
	}
	want := contents(t, s)

	dump := t.TempDir()
	counts, err := s.Dump(ctx, dump, nil)
	if err != nil || counts["people"] != 1200 || counts["files"] != 1 {
		t.Fatalf("dump: %v %v", counts, err)
	}
	// A dump is of one database, read back under its name: copy it under
	// the fresh database's.
	target := storetest.New(t)
	renamed := t.TempDir()
	if err := copyDir(filepath.Join(dump, s.DB().Name()), filepath.Join(renamed, target.DB().Name())); err != nil {
		t.Fatal(err)
	}
	if _, err := target.Load(ctx, renamed, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := target.Load(ctx, renamed, nil); err == nil {
		t.Fatal("loaded twice into the same collections")
	}
	same(t, "dump", want, contents(t, target))

	if !s.Embedded() {
		t.Skip("snapshots are of the embedded store")
	}
	snap := t.TempDir()
	if _, err := s.Snapshot(ctx, snap); err != nil {
		t.Fatal(err)
	}
	dataDir := t.TempDir()
	if err := store.RestoreSnapshot(snap, dataDir, s.DB().Name()); err != nil {
		t.Fatal(err)
	}
	if err := store.RestoreSnapshot(snap, dataDir, s.DB().Name()); err == nil {
		t.Fatal("restored over an existing database")
	}
	restored, err := store.Open(ctx, store.Config{DataDir: dataDir, Database: s.DB().Name(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close(ctx)
	same(t, "snapshot", want, contents(t, restored))
}

func copyDir(from, to string) error {
	if err := os.MkdirAll(to, 0o700); err != nil {
		return err
	}
	files, err := os.ReadDir(from)
	if err != nil {
		return err
	}
	for _, f := range files {
		raw, err := os.ReadFile(filepath.Join(from, f.Name()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(to, f.Name()), raw, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkBackup measures the backups of an embedded store holding
// BENCH_PEOPLE person-sized documents (default 10,000; the README's figure
// uses 100,000) and half as many project-sized ones: the snapshot taken
// while the store is open, the dump, the restore of each.
//
//	BENCH_PEOPLE=100000 go test -run '^$' -bench Backup -benchtime 1x -timeout 30m ./services/store/
func BenchmarkBackup(b *testing.B) {
	people := 10_000
	if s := os.Getenv("BENCH_PEOPLE"); s != "" {
		fmt.Sscan(s, &people)
	}
	s := storetest.New(b, store.Collection{Name: "people"}, store.Collection{Name: "projects"})
	if !s.Embedded() {
		b.Skip("the embedded store's backups")
	}
	ctx := context.Background()
	fill := func(coll string, n, size int) {
		batch := make([]any, 0, 1000)
		for i := range n {
			batch = append(batch, bson.D{{Key: "_id", Value: fmt.Sprintf("%s%07d", coll, i)}, {Key: "name", Value: "陳大文"},
				{Key: "district", Value: "xicheng"}, {Key: "text", Value: strings.Repeat("創業", size/6)}, {Key: "n", Value: int64(i)}})
			if len(batch) == cap(batch) || i == n-1 {
				if _, err := s.C(coll).InsertMany(ctx, batch); err != nil {
					b.Fatal(err)
				}
				batch = batch[:0]
			}
		}
	}
	fill("people", people, 1000)
	fill("projects", people/2, 2000)
	for b.Loop() {
		t0 := time.Now()
		snap := b.TempDir()
		if _, err := s.Snapshot(ctx, snap); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(t0).Seconds(), "snapshot-s")
		t0 = time.Now()
		if err := store.RestoreSnapshot(snap, b.TempDir(), s.DB().Name()); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(t0).Seconds(), "restore-snapshot-s")
		t0 = time.Now()
		dump := b.TempDir()
		if _, err := s.Dump(ctx, dump, nil); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(t0).Seconds(), "dump-s")
		target := storetest.New(b)
		if err := os.Rename(filepath.Join(dump, s.DB().Name()), filepath.Join(dump, target.DB().Name())); err != nil {
			b.Fatal(err)
		}
		t0 = time.Now()
		if _, err := target.Load(ctx, dump, nil); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(t0).Seconds(), "load-s")
	}
}
