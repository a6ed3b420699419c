package portal

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"

	"onestop/portal/web"
	"onestop/services/core"
	"onestop/services/demo"
	"onestop/services/figures"

	"github.com/prometheus/client_golang/prometheus"
)

// What the package's own tests (package portal_test, on the portaltest
// harness) reach inside it.

var (
	PathParam       = pathParam
	DemoAccounts    = demo.Accounts
	DaysByKind      = daysByKind
	Printable       = printable
	Digest          = digest
	LoadOrCreateKey = loadOrCreateKey
)

// DemoPassword is every demo account's password.
const DemoPassword = demo.Password

// SettingNames are every setting's flag and environment variable.
func SettingNames() (flags, envs []string) {
	for _, s := range settings {
		flags, envs = append(flags, s.flag), append(envs, s.env)
	}
	return flags, envs
}

// Routes is the route table the app serves.
func (a *App) Routes() []web.Route { return a.routes }

// SearchBehind says the indexes were not declared at start-up (the engine
// did not answer) and recoverSearch has not caught up yet.
func (a *App) SearchBehind() bool { return a.searchBehind.Load() }

// ForgetFigures empties the dashboard's one-minute cache, so a read after
// a write sees it.
func (a *App) ForgetFigures() { a.bureau.Views.Forget() }

// FigureSources are the records every figure is computed from.
func (a *App) FigureSources() []figures.Source { return a.bureau.FigureSources() }

// LoadDemo lays the whole demo world down.
func (a *App) LoadDemo(ctx context.Context) error {
	d, err := a.Demo()
	if err != nil {
		return err
	}
	return d.Load(ctx, io.Discard)
}

// MetricsAddr is the metrics listener's address, once serving.
func (a *App) MetricsAddr() string { s, _ := a.metricsAt.Load().(string); return s }

// Ready says whether /readyz answers ready.
func (a *App) Ready() bool { return a.ready.Load() }

// Readiness is what /readyz answers.
func (a *App) Readiness(ctx context.Context) (map[string]string, bool) { return a.readiness(ctx) }

// SetLogger replaces the app's logger (the kit's: the request log line is
// the kit's).
func (a *App) SetLogger(l *slog.Logger) { a.Log = slog.New(core.LogHandler(l.Handler())) }

// ReadSlots are the slots of admitted reads (Config.MaxReads).
func (a *App) ReadSlots() chan struct{} { return a.readSlots }

// YieldSlots are the reads' slots while writes are in progress, and
// Writing the writes in progress.
func (a *App) YieldSlots() chan struct{} { return a.yieldSlots }
func (a *App) Writing() *atomic.Int64    { return &a.writing }

// Metrics is the app's Prometheus registry.
func (a *App) Metrics() prometheus.Gatherer { return a.metrics.reg }
