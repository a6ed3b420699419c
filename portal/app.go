// Package portal is the HTTP layer and the wiring of the one-stop service
// portal (創業一站式服務平台): configuration, start-up of the database and
// search engine, the Fiber server and its middleware, every route in one
// list, the handlers and rendering in three languages. The command line is
// portal/cli.
package portal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"onestop/portal/web"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"go.mongodb.org/mongo-driver/v2/event"

	"onestop/portal/i18n"
	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/bureau"
	"onestop/services/core"
	"onestop/services/demo"
	"onestop/services/pii"
	"onestop/services/policy"
	"onestop/services/store"
)

// App is a running portal: its stores, services and HTTP server.
type App struct {
	*web.Kit  // what every handler shares: rendering, errors, sessions
	cfg       *Config
	store     *store.Store
	engine    search.Engine
	vault     *pii.Vault     // the data keys, for the tests' mailbox (Vault)
	bureau    *bureau.Bureau // every service: the areas' handlers and the tools (demo, seed-load)
	metrics   *metrics
	metricsAt atomic.Value  // the metrics listener's address, once serving
	readSlots chan struct{} // see admitReads
	// yieldSlots bound the reads while writes are in progress (writing).
	yieldSlots chan struct{}
	writing    atomic.Int64
	http       *fiber.App
	routes     []web.Route
	ready      atomic.Bool
	probes     probes // the dependencies' states for /readyz
	stop       context.CancelFunc

	// searchBehind: the indexes were not declared at start-up because the
	// engine did not answer; recoverSearch declares them when it does.
	searchBehind atomic.Bool

	// compactor rewrites the embedded index after an erasure.
	compactor search.Compactor
}

// NewApp opens the database and search engine, creates what is missing and
// builds the HTTP server. Close releases everything.
func NewApp(ctx context.Context, cfg *Config, log *slog.Logger) (*App, error) {
	return newApp(ctx, cfg, log, nil)
}

// openStore opens the database. A MongoDB that does not answer yet (the
// replica set still electing, the network not up) is retried with growing
// waits, each said in one log line, until it answers or ctx ends: an
// orchestrator sees a portal waiting, not a crash loop.
func openStore(ctx context.Context, cfg *Config, log *slog.Logger, monitor *event.CommandMonitor) (*store.Store, error) {
	wait := time.Second
	for {
		s, err := store.Open(ctx, store.Config{URI: cfg.MongoURI, DataDir: cfg.DataDir, Database: cfg.MongoDatabase, Logger: log, Monitor: monitor})
		if err == nil || cfg.MongoURI == "" {
			return s, err // the embedded store either starts or cannot
		}
		log.Warn("database unreachable; retrying", "err", err, "in", wait.String())
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("database unreachable: %w", err)
		case <-time.After(wait):
		}
		wait = min(2*wait, 30*time.Second)
	}
}

// NewAppOn is NewApp on an already open store: tests give each test its own
// database on one shared embedded server. A store of the caller's is not
// closed by Close if it was borrowed (store.Database).
func NewAppOn(ctx context.Context, cfg *Config, log *slog.Logger, st *store.Store) (*App, error) {
	return newApp(ctx, cfg, log, st)
}

// newApp is NewApp on an already open store, or on one it opens when st is
// nil.
func newApp(ctx context.Context, cfg *Config, log *slog.Logger, st *store.Store) (_ *App, err error) {
	a := &App{cfg: cfg, store: st}
	if cfg.MaxReads > 0 {
		a.readSlots = make(chan struct{}, cfg.MaxReads)
	}
	if cfg.ReadsWhileWriting > 0 {
		a.yieldSlots = make(chan struct{}, cfg.ReadsWhileWriting)
	}
	defer func() {
		if err != nil {
			a.Close(context.Background()) // whatever was opened before the failure
		}
	}()
	jwtKey, err := loadOrCreateKey(cfg.JWTKey, cfg.DataDir, "jwt.key", 32)
	if err != nil {
		return nil, err
	}
	vault, err := OpenVault(cfg)
	if err != nil {
		return nil, err
	}
	a.vault = vault

	a.metrics = newMetrics()
	if a.store == nil {
		if a.store, err = openStore(ctx, cfg, log, a.metrics.commandMonitor()); err != nil {
			return nil, err
		}
	}
	// A search engine that cannot be reached or opened degrades lists; it
	// never stops the portal (see recoverSearch).
	var engine search.Engine
	if cfg.MeiliURL != "" {
		engine = search.OpenMeili(cfg.MeiliURL, cfg.MeiliAPIKey, cfg.MeiliPrefix)
	} else {
		dir := filepath.Join(cfg.DataDir, "search")
		engine = search.NewLazy("bleve (embedded)", func() (search.Engine, error) { return search.OpenBleve(dir) })
	}
	a.compactor, _ = engine.(search.Compactor) // Meilisearch keeps no merged-away segments
	var inner search.Engine = timedEngine{Engine: engine, m: a.metrics}
	if cfg.MeiliURL == "" {
		inner = search.Cache(inner) // the embedded index is this process's alone
	}
	a.engine = search.Guard(inner, search.DefaultDeadlines)
	log.Info("engines", "database", a.store.Engine(), "search", a.engine.Name(), "version", BuildInfo().Version, "commit", BuildInfo().Revision)

	argon := accounts.DefaultArgon2
	if cfg.FastHashing {
		argon = accounts.Argon2{MemoryKiB: 64, Time: 1, Threads: 1}
	}
	b, err := bureau.New(bureau.Config{Store: a.store, Engine: a.engine, Vault: vault, Clock: cfg.Clock, Log: log, TokenKey: jwtKey,
		Argon2: argon, ServiceDays: cfg.ServiceDays, AnswerWithin: cfg.AnswerWithin, ComplaintDays: cfg.ComplaintDays,
		IdempotencyWait: cfg.IdempotencyWait, FollowUpDelay: cfg.FollowUpDelay, Compactor: a.compactor})
	if err != nil {
		return nil, err
	}
	a.bureau = b
	if err := b.Ensure(ctx); err != nil {
		if !errors.Is(err, search.ErrUnavailable) {
			return nil, err
		}
		log.Error("search engine unavailable; lists degrade until it answers", "search", a.engine.Name(), "err", err)
		a.searchBehind.Store(true)
	}
	bundle, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	bundle.WithData(definedFactTexts(bundle, b.Policies))
	assets, err := web.LoadAssets()
	if err != nil {
		return nil, err
	}
	a.Kit, err = web.New(web.Config{I18n: bundle, Assets: assets, Clock: cfg.Clock, Log: log, Secure: cfg.Secure(),
		PublicURL: cfg.PublicURL, CSRFKey: derive(jwtKey, "onestop/csrf"), Accounts: b.Accounts, Notify: b.Notify, Audit: b.Audit, Lists: b.Reference,
		Calendar: b.Workdays})
	if err != nil {
		return nil, err
	}
	if err := a.buildHTTP(); err != nil {
		return nil, err
	}
	a.metrics.watch(a)
	return a, nil
}

// Serve answers requests on ln until ctx ends, then shuts down gracefully:
// readiness turns 503 at once, in-flight requests get the grace period.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	bg, stop := context.WithCancel(context.WithoutCancel(ctx))
	a.stop = stop
	go a.bureau.Outbox.Run(bg, 5*time.Second)
	if a.searchBehind.Load() {
		go a.recoverSearch(bg)
	}
	go a.housekeeping(bg)
	if a.cfg.MetricsAddr != "off" {
		if err := a.serveMetrics(bg, a.cfg.MetricsAddr); err != nil {
			stop()
			return err
		}
	}
	host, _ := os.Hostname()
	holder := fmt.Sprintf("%s/%d", host, os.Getpid())
	go a.bureau.Mentors.Run(bg, holder, 30*time.Second, a.Log)
	go a.bureau.Notify.Run(bg, holder, 10*time.Second)
	go a.bureau.Hotline.Run(bg, holder, time.Minute, a.Log)
	go a.bureau.Loans.Run(bg, holder, time.Minute, a.Log)
	go a.bureau.Grants.Run(bg, holder, time.Minute, a.Log)
	go a.bureau.Entitlements.Run(bg, holder, time.Minute)
	go a.bureau.Rights.Run(bg, time.Minute)
	go a.bureau.Figures.Run(bg, holder, time.Minute, a.Clock)
	go func() {
		start := time.Now()
		if did, err := a.bureau.Figures.RebuildIfOld(bg, a.bureau.FigureSources(), holder, a.Clock.Now()); err != nil && bg.Err() == nil {
			a.Log.Warn("rebuild figures after an upgrade", "err", err)
		} else if did {
			a.Log.Info("figures rebuilt for this version", "ms", time.Since(start).Milliseconds())
		}
	}()

	a.probe(bg) // /readyz answers from the probes
	go a.probeLoop(bg)
	errc := make(chan error, 1)
	go func() { errc <- a.http.Listener(ln) }()
	a.ready.Store(true)
	a.Log.Info("portal listening", "addr", ln.Addr().String(), "url", a.cfg.PublicURL)

	select {
	case err := <-errc:
		a.ready.Store(false)
		return err
	case <-ctx.Done():
	}
	// Readiness turns 503 while the portal still serves: load balancers
	// notice within their probe period and stop sending, and only then
	// does the listener close. Closing it at once refused the requests
	// already on their way.
	a.ready.Store(false)
	if a.cfg.DrainDelay > 0 {
		a.Log.Info("draining", "delay", a.cfg.DrainDelay)
		select {
		case <-time.After(a.cfg.DrainDelay):
		case err := <-errc:
			return err
		}
	}
	a.Log.Info("shutting down", "grace", a.cfg.ShutdownGrace)
	err := a.http.ShutdownWithTimeout(a.cfg.ShutdownGrace)
	stop()
	return err
}

func (a *App) housekeeping(ctx context.Context) {
	core.Every(ctx, 10*time.Minute, func() {
		if err := a.bureau.Accounts.PurgeCounters(ctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("purge throttle counters", "err", err)
		}
		if err := a.bureau.Replays.Purge(ctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("purge idempotency keys", "err", err)
		}
		if err := a.bureau.Orgs.Purge(ctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("purge organisation registrations and invitations", "err", err)
		}
	})
}

// recoverSearch declares the indexes once the search engine answers (it
// did not at start-up), refilling from the database any it creates empty;
// the outbox then applies the writes made meanwhile.
func (a *App) recoverSearch(ctx context.Context) {
	wait := 2 * time.Second
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		err := a.bureau.Outbox.Ensure(ctx)
		if err == nil {
			a.searchBehind.Store(false)
			a.Log.Info("search engine answers again; indexes in step with the database", "search", a.engine.Name())
			return
		}
		a.Log.Warn("search engine still unavailable", "err", err, "next", wait.String())
		wait = min(2*wait, 30*time.Second)
	}
}

// Close lets the follow-ups under way run, flushes the search outbox and
// closes the index and the database.
func (a *App) Close(ctx context.Context) error {
	if a.stop != nil {
		a.stop()
	}
	var errs []error
	if a.bureau != nil {
		if err := a.bureau.Outbox.Settle(ctx); err != nil {
			errs = append(errs, err)
		}
		if err := a.bureau.Outbox.Drain(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if a.engine != nil {
		errs = append(errs, a.engine.Close())
	}
	if a.store != nil {
		errs = append(errs, a.store.Close(ctx))
	}
	return errors.Join(errs...)
}

// Handler exposes the Fiber app to in-process tests.
func (a *App) HTTP() *fiber.App { return a.http }

// Demo is the demo and seed-load data's loader on this app's services; it
// names things with the Traditional Chinese catalog.
func (a *App) Demo() (*demo.Loader, error) {
	return demo.New(demo.Deps{Bureau: a.bureau, Clock: a.Clock, Label: func(key string) string { return a.I18n.T("zh-Hant", key) }})
}

// Accounts exposes the accounts service to the command line and tests.
func (a *App) Accounts() *accounts.Service { return a.bureau.Accounts }

// Bureau is every service the app runs: the command line's, and tests'
// that set up records without going through HTTP.
func (a *App) Bureau() *bureau.Bureau { return a.bureau }

// Config is the configuration the app was started with.
func (a *App) Config() *Config { return a.cfg }

// Store is the app's database, for tests that read what was written.
func (a *App) Store() *store.Store { return a.store }

// Search is the search engine the app reads lists from.
func (a *App) Search() search.Engine { return a.engine }

// Vault holds the data keys; tests open sealed values with it (the
// test gateway reads a message's sealed recipient).
func (a *App) Vault() *pii.Vault { return a.vault }

// SetReady marks the app ready (or not) for /readyz. Serve does it; tests
// that drive the app in-process without serving do it themselves.
func (a *App) SetReady(ok bool) { a.ready.Store(ok) }

// LoadDemoProjects imports the demo project library (320 projects) without
// the rest of the demo data, for tests of the library's search.
func (a *App) LoadDemoProjects(ctx context.Context) error {
	d, err := a.Demo()
	if err != nil {
		return err
	}
	return d.Projects(ctx)
}

// definedFactTexts are the texts of the facts an administrator defined,
// which the catalogs cannot hold: fact.<name> and checked.<name> are the
// fact's label, checked.<name>.bring what to bring to have it checked.
func definedFactTexts(bundle *i18n.Bundle, c *policy.Catalogue) func(lang, key string) (string, bool) {
	return func(lang, key string) (string, bool) {
		key, bring := strings.CutSuffix(key, ".bring")
		name, ok := strings.CutPrefix(key, "fact.")
		if !ok {
			name, ok = strings.CutPrefix(key, "checked.")
		}
		if !ok || bring && !strings.HasPrefix(key, "checked.") {
			return "", false
		}
		label, ok := c.DefinedLabel(name, lang)
		if ok && bring {
			label = bundle.T(lang, "checked.defined.bring", label)
		}
		return label, ok
	}
}
