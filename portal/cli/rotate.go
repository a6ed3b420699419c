package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"onestop/portal"
	"onestop/services/pii"
	"onestop/services/rekey"
	"onestop/services/store"
)

// rotateDataKeyCommand re-encrypts every ID and phone number under the
// current data key and moves their blind indexes to it (see
// services/rekey); deploy/README.md gives the whole procedure.
//
//	portal rotate-data-key [-generate] [-limit N] [settings]
//
// With keys given in settings (replicas): the new key is -data-key, the
// old ones -data-key-previous, and the run may go on while the replicas
// serve with the same settings. With the embedded default's generated key
// file, stop the portal and run it with -generate: a new key file is made,
// the old key is kept as data.key.previous until every value has moved,
// then retired to keys/retired/. An interrupted run is simply run again.
func rotateDataKeyCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("rotate-data-key", flag.ContinueOnError)
	fs.SetOutput(stderr)
	generate := fs.Bool("generate", false, "generate a new key file in the data directory, keeping the old one until the rotation has finished (embedded default)")
	limit := fs.Int("limit", 0, "stop after re-encrypting this many records (0: all); run again to go on")
	var own []string
	for _, a := range args {
		if flagName(a) == "generate" { // a bool flag: splitFlags would take the next argument as its value
			own = append(own, a)
		}
	}
	limitArgs, rest := splitFlags(args, "limit")
	rest = dropFlag(rest, "generate")
	if err := fs.Parse(append(own, limitArgs...)); err != nil {
		return err
	}
	cfg, err := portal.LoadConfig(rest, os.Getenv, stderr)
	if err != nil {
		return err
	}
	fileKeys := cfg.DataKey == nil
	if *generate {
		if !fileKeys {
			return errors.New("rotate-data-key: -generate rotates the generated key file; with -data-key set, make the new key yourself (openssl rand -base64 32) and give the old one in -data-key-previous")
		}
		resumed, err := portal.GenerateDataKey(cfg.DataDir)
		if err != nil {
			return err
		}
		if resumed {
			fmt.Fprintln(stdout, "resuming the rotation begun earlier (keys/data.key.previous is still there)")
		} else {
			fmt.Fprintln(stdout, "new data key generated; the old one is kept as keys/data.key.previous until every value has moved")
		}
	}
	vault, err := portal.OpenVault(cfg)
	if err != nil {
		return err
	}
	if !vault.Rotating() {
		fmt.Fprintln(stdout, "no previous data key: checking that every value is under the current key")
	}
	s, err := store.Open(ctx, store.Config{URI: cfg.MongoURI, DataDir: cfg.DataDir, Database: cfg.MongoDatabase, Logger: cfg.Logger(io.Discard)})
	if err != nil {
		return err
	}
	defer s.Close(context.Background())
	start := time.Now()
	rep, err := rekey.New(s, vault).Run(ctx, rekey.Options{Limit: *limit, Progress: progressByCollection(stderr)})
	if err != nil {
		return err
	}
	summarise(stdout, rep, vault, time.Since(start))
	if err := rep.Err(); err != nil {
		return fmt.Errorf("%w\nkeep the previous key; give the key those values were sealed with in -data-key-previous and run again", err)
	}
	if rep.Stopped {
		fmt.Fprintln(stdout, "stopped at -limit; run again to go on (keep the previous key until a run finishes)")
		return nil
	}
	return finish(stdout, cfg, vault, fileKeys)
}

// finish says what to do with the previous key once every value is under
// the current one, and retires the generated one.
func finish(stdout io.Writer, cfg *portal.Config, vault *pii.Vault, fileKeys bool) error {
	if fileKeys {
		to, err := portal.RetireDataKey(cfg.DataDir, time.Now())
		if err != nil {
			return err
		}
		if to != "" {
			fmt.Fprintf(stdout, "old data key retired to %s: it still opens backups taken before now; keep it with them and delete it when they expire\n", to)
		}
	}
	if len(cfg.DataKeyPrevious) > 0 {
		fmt.Fprintln(stdout, "every value is under the current key: remove PORTAL_DATA_KEY_PREVIOUS from every replica and restart them; keep the old key with backups taken before now")
	}
	return nil
}

func summarise(w io.Writer, rep *rekey.Report, vault *pii.Vault, took time.Duration) {
	for _, c := range rep.Counts {
		fmt.Fprintf(w, "%s: %d records, %d re-encrypted", c.Collection, c.Records, c.Rekeyed)
		if c.Unknown > 0 {
			fmt.Fprintf(w, ", %d indexes kept (their value is no longer recorded)", c.Unknown)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "%d records re-encrypted under key %s in %s\n", rep.Rekeyed(), vault.KeyID(), took.Round(time.Millisecond))
}

// progressByCollection draws one progress bar per collection.
func progressByCollection(w io.Writer) func(coll string, done, total int) {
	var bar *progress
	var current string
	return func(coll string, done, total int) {
		if coll != current {
			bar, current = newProgress(w, "rotate "+coll, int64(total)), coll
		}
		if bar == nil {
			return
		}
		bar.set(done)
		if done >= total {
			bar.draw(done)
			bar.done()
			bar = nil
		}
	}
}
