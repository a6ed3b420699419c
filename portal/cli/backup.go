package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"onestop/portal"
	"onestop/services/store"
)

// backupCommand writes a backup to DIR. On the embedded store the default
// is a consistent snapshot of its SQLite file, taken while the portal runs
// (no second database is started on its files); -format bson writes a
// mongodump-layout dump instead — read from a snapshot, so it too is one
// point in time — which mongorestore loads into MongoDB. On MongoDB it
// dumps (mongodump --oplog is the point-in-time tool there).
//
//	portal backup DIR [-format sqlite|bson] [settings]
func backupCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) < 1 || args[0] == "" || args[0][0] == '-' {
		return errors.New("usage: portal backup DIR [-format sqlite|bson] [settings]")
	}
	dir := args[0]
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "sqlite", "sqlite (a snapshot of the embedded store) or bson (a dump)")
	own, rest := splitFlags(args[1:], "format")
	if err := fs.Parse(own); err != nil {
		return err
	}
	cfg, err := portal.LoadConfig(rest, os.Getenv, stderr)
	if err != nil {
		return err
	}
	start := time.Now()
	if cfg.MongoURI != "" {
		return dump(ctx, cfg, cfg.MongoDatabase, "", dir, stdout, start)
	}
	switch *format {
	case "sqlite":
		path, err := store.SnapshotFile(ctx, cfg.DataDir, cfg.MongoDatabase, dir)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "snapshot %s in %s\n", path, time.Since(start).Round(time.Millisecond))
		return nil
	case "bson":
		tmp, err := os.MkdirTemp("", "onestop-backup-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		if _, err := store.SnapshotFile(ctx, cfg.DataDir, cfg.MongoDatabase, tmp); err != nil {
			return err
		}
		return dump(ctx, cfg, cfg.MongoDatabase, tmp, dir, stdout, start)
	}
	return fmt.Errorf("backup: -format %q: want sqlite or bson", *format)
}

// dump writes a dump of the database; from, when set, is a data directory
// holding a snapshot to read instead of the configured store.
func dump(ctx context.Context, cfg *portal.Config, database, from, dir string, stdout io.Writer, start time.Time) error {
	uri, dataDir := cfg.MongoURI, cfg.DataDir
	if from != "" {
		uri, dataDir = "", from
	}
	s, err := store.Open(ctx, store.Config{URI: uri, DataDir: dataDir, Database: database, Logger: cfg.Logger(io.Discard)})
	if err != nil {
		return err
	}
	defer s.Close(context.Background())
	counts, err := s.Dump(ctx, dir, func(coll string, n int) { fmt.Fprintf(stdout, "%s: %d documents\n", coll, n) })
	if err != nil {
		return err
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	fmt.Fprintf(stdout, "dump of %d documents in %s in %s\n", total, filepath.Join(dir, database), time.Since(start).Round(time.Millisecond))
	return nil
}

// restoreCommand restores a backup: a snapshot into an empty data
// directory (the portal stopped), or a dump into an empty database. Search
// and figures are derived: run reindex (and rebuild-figures) after.
//
//	portal restore DIR [settings]
func restoreCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) < 1 || args[0] == "" || args[0][0] == '-' {
		return errors.New("usage: portal restore DIR [settings]")
	}
	dir := args[0]
	cfg, err := portal.LoadConfig(args[1:], os.Getenv, stderr)
	if err != nil {
		return err
	}
	start := time.Now()
	if _, err := os.Stat(filepath.Join(dir, "db", cfg.MongoDatabase+".sqlite")); err == nil {
		if cfg.MongoURI != "" {
			return errors.New("restore: a snapshot restores the embedded store; to move it to MongoDB, back up with -format bson and load that")
		}
		if err := store.RestoreSnapshot(dir, cfg.DataDir, cfg.MongoDatabase); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "snapshot restored into %s in %s; now run: portal reindex\n", cfg.DataDir, time.Since(start).Round(time.Millisecond))
		return nil
	}
	s, err := store.Open(ctx, store.Config{URI: cfg.MongoURI, DataDir: cfg.DataDir, Database: cfg.MongoDatabase, Logger: cfg.Logger(io.Discard)})
	if err != nil {
		return err
	}
	defer s.Close(context.Background())
	counts, err := s.Load(ctx, dir, func(coll string, n int) { fmt.Fprintf(stdout, "%s: %d documents\n", coll, n) })
	if err != nil {
		return err
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	fmt.Fprintf(stdout, "%d documents restored in %s; now run: portal reindex\n", total, time.Since(start).Round(time.Millisecond))
	return nil
}
