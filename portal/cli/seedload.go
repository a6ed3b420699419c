package cli

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"onestop/services/demo"
)

// loadAccountsFile, in the data directory, lists the accounts a load run
// may sign in with: login, password and role, tab-separated.
const loadAccountsFile = "load-accounts.tsv"

// seedLoad runs `seed-load [-people N] [-projects N] [-login-users N]
// [-staff N] [settings]`: the demo data, then that many projects and
// people on top, through the services (so the search indexes and figures
// follow), for the load program. Running it again adds nothing.
//
// Only -login-users people (and -staff hotline accounts) can sign in: their
// password is hashed at the production cost and written to
// DATA/load-accounts.tsv. Every other seeded person's account gets a random
// 128-bit password that is never stored or shown, hashed with cheap
// argon2id parameters — hashing 100,000 passwords at the production cost
// would take most of an hour, and the cost of a hash guards only guessable
// passwords. Those accounts hold realistic profiles but cannot sign in.
func seedLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("seed-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	nPeople := fs.Int("people", 100_000, "people (entrepreneur accounts with profiles) to add")
	nProjects := fs.Int("projects", 50_000, "projects to add to the library")
	nLogin := fs.Int("login-users", 300, "how many of the people can sign in (the load program's entrepreneurs)")
	nStaff := fs.Int("staff", 10, "hotline staff accounts to add")
	workers := fs.Int("workers", 4, "people written at once")
	own, rest := splitFlags(args, "people", "projects", "login-users", "staff", "workers")
	if err := fs.Parse(own); err != nil {
		return err
	}
	if *nLogin > *nPeople {
		*nLogin = *nPeople
	}
	start := time.Now()
	in, err := open(ctx, rest, stderr)
	if err != nil {
		return err
	}
	dataDir := in.cfg.DataDir
	password, err := loadPassword(dataDir)
	if err != nil {
		in.close()
		return err
	}
	bars := func(label string, total int64) (func(int), func()) {
		bar := newProgress(stderr, label, total)
		return bar.set, bar.done
	}
	err = func() error {
		defer in.close()
		d, err := in.app.Demo()
		if err != nil {
			return err
		}
		if err := d.Load(ctx, io.Discard); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		fmt.Fprintf(stdout, "demo data ready (%s)\n", time.Since(start).Round(time.Millisecond))
		if err := d.SeedProjects(ctx, *nProjects, stdout, bars); err != nil {
			return err
		}
		if err := d.SeedStaff(ctx, *nStaff, password); err != nil {
			return err
		}
		return d.SeedPeople(ctx, 0, *nLogin, func(int) string { return password }, *workers, stdout, bars)
	}()
	if err != nil {
		return err
	}
	if *nPeople > *nLogin {
		in, err := open(ctx, rest, stderr)
		if err != nil {
			return err
		}
		d, err := in.app.Demo()
		if err == nil {
			err = d.SeedPeopleBulk(ctx, *nLogin, *nPeople, stdout, bars)
		}
		in.close()
		if err != nil {
			return err
		}
	}
	if err := demo.WriteLoadAccounts(filepath.Join(dataDir, loadAccountsFile), password, *nLogin, *nStaff); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seed-load done in %s; accounts for the load program: %s\n",
		time.Since(start).Round(time.Second), filepath.Join(dataDir, loadAccountsFile))
	return nil
}

// loadPassword is the password of the accounts the load program signs in
// with: the one kept in the data directory, or a fresh random one kept
// there at once, so an interrupted run keeps the password it started with.
func loadPassword(dir string) (string, error) {
	path := filepath.Join(dir, "load-password")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) > 0 {
		return strings.TrimSpace(string(b)), nil
	}
	pw := "Load-" + randomPassword()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	return pw, os.WriteFile(path, []byte(pw+"\n"), 0o600)
}

func randomPassword() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
