package store

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// Backups come in two forms.
//
//   - A snapshot of the embedded store: SQLite's VACUUM INTO copies the
//     database file in one read transaction, so the copy is consistent
//     while the portal runs. Restored by copying it into an empty data
//     directory.
//   - A dump: every collection as concatenated BSON documents in
//     <dir>/<database>/<collection>.bson — mongodump's layout, so
//     mongorestore loads a dump of the embedded store into MongoDB (the way
//     from one machine to a replica set), and Load reads a mongodump back.
//     Collections are read one after the other: a dump taken while writes
//     go on is not a single point in time (on a replica set, mongodump
//     --oplog is).
//
// Search indexes and figures are derived: after a restore, reindex and
// rebuild-figures bring them back in step.

// Snapshot writes a consistent copy of the embedded database to
// <dir>/db/<database>.sqlite.
func (s *Store) Snapshot(ctx context.Context, dir string) (string, error) {
	if s.embedded == nil {
		return "", errors.New("store: a snapshot is of the embedded store; dump MongoDB (or use mongodump)")
	}
	return snapshot(ctx, filepath.Join(s.embedded.dir, s.db.Name()+".sqlite"), dir, s.db.Name())
}

// SnapshotFile snapshots the embedded database of a data directory without
// opening a store on it: the portal may be running on it.
func SnapshotFile(ctx context.Context, dataDir, database, dir string) (string, error) {
	src := filepath.Join(dataDir, "db", database+".sqlite")
	if _, err := os.Stat(src); err != nil {
		return "", fmt.Errorf("store: no embedded database in %s: %w", dataDir, err)
	}
	return snapshot(ctx, src, dir, database)
}

func snapshot(ctx context.Context, src, dir, database string) (string, error) {
	dst, err := filepath.Abs(filepath.Join(dir, "db", database+".sqlite"))
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(dst); err == nil {
		return "", fmt.Errorf("store: %s exists; back up into an empty directory", dst)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return "", err
	}
	db, err := sql.Open("sqlite", "file:"+src+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return "", fmt.Errorf("store: open sqlite: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dst); err != nil {
		return "", fmt.Errorf("store: snapshot: %w", err)
	}
	return dst, nil
}

// RestoreSnapshot puts a snapshot into an empty data directory, before a
// store is opened on it.
func RestoreSnapshot(from, dataDir, database string) error {
	src := filepath.Join(from, "db", database+".sqlite")
	dst := filepath.Join(dataDir, "db", database+".sqlite")
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("store: %s exists; restore into an empty data directory", dst)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("store: no snapshot: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(dst)
		return err
	}
	return out.Close()
}

// Collections lists the database's collections, sorted.
func (s *Store) Collections(ctx context.Context) ([]string, error) {
	names, err := s.db.ListCollectionNames(ctx, bson.D{})
	if err != nil {
		return nil, fmt.Errorf("store: list collections: %w", err)
	}
	slices.Sort(names)
	return names, nil
}

// Dump writes every collection to <dir>/<database>/<collection>.bson and
// reports how many documents each held; progress, when given, is told of
// each collection done.
func (s *Store) Dump(ctx context.Context, dir string, progress func(coll string, n int)) (map[string]int, error) {
	out := map[string]int{}
	root := filepath.Join(dir, s.db.Name())
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, err
	}
	names, err := s.Collections(ctx)
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		n, err := s.dumpOne(ctx, name, filepath.Join(root, name+".bson"))
		if err != nil {
			return out, err
		}
		out[name] = n
		if progress != nil {
			progress(name, n)
		}
	}
	return out, nil
}

func (s *Store) dumpOne(ctx context.Context, coll, path string) (int, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	cur, err := s.C(coll).Find(ctx, bson.D{})
	if err != nil {
		f.Close()
		return 0, fmt.Errorf("store: dump %s: %w", coll, err)
	}
	defer cur.Close(ctx)
	n := 0
	for cur.Next(ctx) {
		if _, err := w.Write(cur.Current); err != nil {
			f.Close()
			return n, err
		}
		n++
	}
	if err := cur.Err(); err != nil {
		f.Close()
		return n, fmt.Errorf("store: dump %s: %w", coll, err)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return n, err
	}
	return n, f.Close()
}

// Load reads a dump (ours or mongodump's) of this database from
// <dir>/<database>/ into collections that must be empty, in batches.
func (s *Store) Load(ctx context.Context, dir string, progress func(coll string, n int)) (map[string]int, error) {
	root := filepath.Join(dir, s.db.Name())
	files, err := filepath.Glob(filepath.Join(root, "*.bson"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("store: no dump of %q in %s", s.db.Name(), dir)
	}
	slices.Sort(files)
	out := map[string]int{}
	for _, path := range files {
		coll := strings.TrimSuffix(filepath.Base(path), ".bson")
		if n, err := s.C(coll).CountDocuments(ctx, bson.D{}); err != nil || n > 0 {
			return out, fmt.Errorf("store: %s is not empty (%d documents, %v); restore into an empty database", coll, n, err)
		}
		n, err := s.loadOne(ctx, coll, path)
		out[coll] = n
		if err != nil {
			return out, err
		}
		if progress != nil {
			progress(coll, n)
		}
	}
	return out, nil
}

func (s *Store) loadOne(ctx context.Context, coll, path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	n := 0
	batch := make([]any, 0, 500)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := s.C(coll).InsertMany(ctx, batch); err != nil {
			return fmt.Errorf("store: load %s: %w", coll, err)
		}
		n += len(batch)
		batch = batch[:0]
		return nil
	}
	for {
		doc, err := bson.ReadDocument(r)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, fmt.Errorf("store: %s: %w", path, err)
		}
		batch = append(batch, doc)
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	return n, flush()
}
