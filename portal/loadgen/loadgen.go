// Package loadgen drives a running portal over HTTP the way a city's users
// would — signed-in entrepreneurs, hotline staff and administrators, and
// guests — with a weighted mix of page views, searches and writes, for a
// bounded time or number of requests, and reports throughput, latency
// percentiles per class and route, errors by kind, and the portal
// process's memory and goroutines. It knows the portal only by its URLs,
// forms and JSON: plain net/http, a cookie jar per virtual user.
package loadgen

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Account is one login the load may sign in with.
type Account struct {
	Login, Password, Role string
}

// Roles as the portal names them.
const (
	RoleEntrepreneur = "entrepreneur"
	RoleHotline      = "hotline"
	RoleAdmin        = "admin"
	RoleGuest        = "guest"
)

// Config says what to run.
type Config struct {
	BaseURL  string        // the portal, e.g. http://127.0.0.1:8080
	Users    int           // virtual users
	Duration time.Duration // measured time (0: until Requests)
	Requests int           // stop after this many measured requests (0: until Duration)
	Think    time.Duration // mean pause between a user's requests (0: none)
	Accounts []Account
	// Share of virtual users per role (guests need no account); roles
	// without an account fall back to guests.
	RoleShare map[string]float64
	// Mix of request classes in percent (default 70/20/10).
	PagePct, SearchPct, WritePct int
	// SignInConcurrency bounds simultaneous sign-ins (argon2id is meant to
	// be slow); default 4.
	SignInConcurrency int
	PID               int    // portal process for memory (0: found by port)
	MetricsURL        string // Prometheus endpoint for goroutines ("" skips)
	Timeout           time.Duration
	// Settle is how long after the run the last sample of the portal is
	// taken, so its goroutines can wind down (default 3 s).
	Settle   time.Duration
	Seed     uint64
	Progress io.Writer // a line every few seconds (nil: quiet)
}

func (c *Config) defaults() error {
	u, err := url.Parse(c.BaseURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("load: bad -url %q", c.BaseURL)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	if c.Users <= 0 {
		return errors.New("load: -users must be positive")
	}
	if c.Duration <= 0 && c.Requests <= 0 {
		return errors.New("load: give -duration or -requests, so the run ends by itself")
	}
	if c.PagePct == 0 && c.SearchPct == 0 && c.WritePct == 0 {
		c.PagePct, c.SearchPct, c.WritePct = 70, 20, 10
	}
	if c.RoleShare == nil {
		c.RoleShare = map[string]float64{RoleEntrepreneur: 0.70, RoleHotline: 0.15, RoleAdmin: 0.05, RoleGuest: 0.10}
	}
	if c.SignInConcurrency <= 0 {
		c.SignInConcurrency = 4
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	if c.Settle <= 0 {
		c.Settle = 3 * time.Second
	}
	if c.Seed == 0 {
		c.Seed = uint64(time.Now().UnixNano())
	}
	return nil
}

// ReadAccounts reads login, password and role, tab-separated, one a line;
// # starts a comment.
func ReadAccounts(path string) ([]Account, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Account
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p := strings.Split(line, "\t")
		if len(p) != 3 {
			return nil, fmt.Errorf("%s:%d: want login<TAB>password<TAB>role", path, n)
		}
		out = append(out, Account{Login: p[0], Password: p[1], Role: p[2]})
	}
	return out, sc.Err()
}

// Run signs the virtual users in, drives the mix until Duration or
// Requests, and reports.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	u, _ := url.Parse(cfg.BaseURL)
	transport := &http.Transport{
		MaxIdleConns: cfg.Users * 2, MaxIdleConnsPerHost: cfg.Users * 2, IdleConnTimeout: 90 * time.Second,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
	}
	defer transport.CloseIdleConnections()
	pid := cfg.PID
	if pid == 0 {
		port, _ := strconv.Atoi(u.Port())
		if port == 0 {
			port = map[string]int{"http": 80, "https": 443}[u.Scheme]
		}
		pid = PIDListening(port)
	}
	rec := newRecorder()
	env := &env{cfg: cfg, transport: transport, rec: rec}
	if err := env.discover(ctx); err != nil {
		return nil, err
	}

	// Sign in, a few at a time; each user's own setup (a contact for
	// staff, a profile read) is part of it and not measured.
	users := env.makeUsers()
	signStart := time.Now()
	var wg sync.WaitGroup
	sem := make(chan struct{}, cfg.SignInConcurrency)
	for _, vu := range users {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			vu.signIn(ctx)
		})
	}
	wg.Wait()
	signedIn := 0
	for _, vu := range users {
		if vu.ready && vu.role != RoleGuest {
			signedIn++
		}
	}
	signTook := time.Since(signStart)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}

	watch := startWatcher(pid, cfg.MetricsURL, time.Second)
	runCtx := ctx
	var cancel context.CancelFunc
	if cfg.Duration > 0 {
		runCtx, cancel = context.WithTimeout(ctx, cfg.Duration)
	} else {
		runCtx, cancel = context.WithCancel(ctx)
	}
	defer cancel()
	env.rec = newRecorder() // the measured run starts clean
	env.budget.Store(int64(cfg.Requests))
	env.done.Store(0)
	start := time.Now()
	stopProgress := env.progress(start)
	for _, vu := range users {
		wg.Go(func() { vu.loop(runCtx) })
	}
	wg.Wait()
	elapsed := time.Since(start)
	stopProgress()
	srv := watch.finish(cfg.Settle)

	rep := &Report{Target: cfg.BaseURL, Users: cfg.Users, SignedIn: signedIn, StartedAt: start.UTC(),
		DurationS: round1(elapsed.Seconds()), SignInS: round1(signTook.Seconds()), Server: srv, LoadGenCPUs: runtime.GOMAXPROCS(0)}
	rep.Total, rep.Classes, rep.Routes = env.rec.report(elapsed)
	rep.Requests, rep.PerSecond, rep.Errors = rep.Total.Requests, rep.Total.PerSecond, rep.Total.Errors
	if rep.Requests > 0 {
		rep.ErrorRate = float64(rep.Errors.Total()-rep.Errors.Status429) / float64(rep.Requests)
	}
	_, _, login := rec.report(signTook)
	for _, s := range login {
		if s.Class == Login && s.Route == "POST /login" {
			rep.SignIn = &s
		}
	}
	// Sign-in failures are errors of the run too.
	for _, s := range login {
		if s.Class == Login {
			rep.Routes = append(rep.Routes, s)
		}
	}
	if local(u.Hostname()) {
		rep.Note = fmt.Sprintf("the load generator ran on the same machine as the portal (%d CPUs seen by Go here), so they shared the cores", runtime.NumCPU())
	}
	return rep, nil
}

func local(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

func round1(f float64) float64 { return float64(int(f*10+0.5)) / 10 }

// env is what the virtual users share.
type env struct {
	cfg       Config
	transport *http.Transport
	rec       *recorder
	budget    atomic.Int64 // requests left when Config.Requests is set
	done      atomic.Int64
	// What there is to look at, found before the run.
	projects, bases, mentors []string
	// The portal's districts and industries (its reference lists).
	districts, industries []string
}

// take claims one request of the budget; false when it is spent.
func (e *env) take() bool {
	if e.cfg.Requests <= 0 {
		return true
	}
	return e.budget.Add(-1) >= 0
}

func (e *env) progress(start time.Time) func() {
	if e.cfg.Progress == nil {
		return func() {}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(10 * time.Second)
		defer t.Stop()
		last, lastAt := int64(0), start
		for {
			select {
			case <-stop:
				return
			case now := <-t.C:
				n := e.done.Load()
				fmt.Fprintf(e.cfg.Progress, "load: %s, %d requests, %.0f/s\n", now.Sub(start).Round(time.Second), n,
					float64(n-last)/now.Sub(lastAt).Seconds())
				last, lastAt = n, now
			}
		}
	})
	return func() { close(stop); wg.Wait() }
}

// makeUsers deals roles out by RoleShare and accounts round-robin within a
// role (several users may share an account: each signs in on its own).
func (e *env) makeUsers() []*user {
	byRole := map[string][]Account{}
	for _, a := range e.cfg.Accounts {
		byRole[a.Role] = append(byRole[a.Role], a)
	}
	var roles []string
	for _, r := range []string{RoleEntrepreneur, RoleHotline, RoleAdmin, RoleGuest} {
		n := int(e.cfg.RoleShare[r]*float64(e.cfg.Users) + 0.5)
		if r != RoleGuest && len(byRole[r]) == 0 {
			r = RoleGuest
		}
		for range n {
			roles = append(roles, r)
		}
	}
	for len(roles) < e.cfg.Users {
		roles = append(roles, RoleGuest)
	}
	roles = roles[:e.cfg.Users]
	next := map[string]int{}
	users := make([]*user, len(roles))
	for i, r := range roles {
		vu := &user{env: e, id: i, role: r, rng: rand.New(rand.NewPCG(e.cfg.Seed, uint64(i)))}
		if r != RoleGuest {
			vu.acct = byRole[r][next[r]%len(byRole[r])]
			next[r]++
		}
		vu.client = e.client()
		users[i] = vu
	}
	return users
}

// client is one browser: its own cookie jar, redirects not followed (a
// form's 303 is its answer; the page it names is another request).
func (e *env) client() *http.Client {
	jar := newJar()
	return &http.Client{Transport: e.transport, Jar: jar, Timeout: e.cfg.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
