package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"onestop/portal/loadgen"
)

// loadCommand runs `load -url … -users N -duration D`: the load program
// (portal/loadgen) against a running portal, reporting a table or JSON.
func loadCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("url", "http://127.0.0.1:8080", "the running portal")
	users := fs.Int("users", 50, "virtual users")
	duration := fs.Duration("duration", time.Minute, "measured time (0: until -requests)")
	requests := fs.Int("requests", 0, "stop after this many requests (0: until -duration)")
	think := fs.Duration("think", 0, "mean pause between one user's requests (exponential)")
	accountsFile := fs.String("accounts", filepath.Join("data", loadAccountsFile), "accounts to sign in with: login, password, role, tab-separated (written by seed-load)")
	mix := fs.String("mix", "70/20/10", "percent of page views / searches / writes")
	pid := fs.Int("pid", 0, "the portal's process id, for its memory (default: found by the listening port)")
	metricsURL := fs.String("metrics", "http://127.0.0.1:9464/metrics", "the portal's Prometheus endpoint, for goroutines (empty: skip)")
	signIn := fs.Int("signin-concurrency", 4, "sign-ins at once before the run")
	timeout := fs.Duration("timeout", 30*time.Second, "longest wait for one answer")
	seed := fs.Uint64("seed", 0, "random seed (0: from the clock)")
	asJSON := fs.Bool("json", false, "print the report as JSON instead of a table")
	remote := fs.Bool("allow-remote", false, "allow a target that is not this machine")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("load: unexpected argument %q", fs.Arg(0))
	}
	if u, err := url.Parse(*target); err == nil && !*remote {
		if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return fmt.Errorf("load: %s is not this machine; a load test goes to a portal you run (add -allow-remote if it is yours)", u.Hostname())
		}
	}
	cfg := loadgen.Config{BaseURL: *target, Users: *users, Duration: *duration, Requests: *requests, Think: *think,
		PID: *pid, MetricsURL: *metricsURL, SignInConcurrency: *signIn, Timeout: *timeout, Seed: *seed, Progress: stderr}
	var err error
	if cfg.PagePct, cfg.SearchPct, cfg.WritePct, err = parseMix(*mix); err != nil {
		return err
	}
	if cfg.Accounts, err = loadgen.ReadAccounts(*accountsFile); err != nil {
		return fmt.Errorf("load: accounts: %w (run seed-load, or give -accounts)", err)
	}
	fmt.Fprintf(stderr, "load: %d users against %s for %s; signing in…\n", *users, *target, *duration)
	rep, err := loadgen.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if *asJSON {
		return rep.WriteJSON(stdout)
	}
	rep.WriteTable(stdout)
	return nil
}

func parseMix(s string) (page, search, write int, err error) {
	p := strings.Split(s, "/")
	if len(p) != 3 {
		return 0, 0, 0, fmt.Errorf("load: -mix %q: want page/search/write, e.g. 70/20/10", s)
	}
	var n [3]int
	for i, v := range p {
		if n[i], err = strconv.Atoi(strings.TrimSpace(v)); err != nil || n[i] < 0 {
			return 0, 0, 0, fmt.Errorf("load: -mix %q: want three whole numbers", s)
		}
	}
	if n[0]+n[1]+n[2] == 0 {
		return 0, 0, 0, fmt.Errorf("load: -mix %q adds up to nothing", s)
	}
	return n[0], n[1], n[2], nil
}
