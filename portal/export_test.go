package portal

import (
	"context"
	"log/slog"

	"onestop/portal/web"
	"onestop/services/figures"
)

// What the package's own tests (package portal_test, on the portaltest
// harness) reach inside it.

var (
	PathParam           = pathParam
	DemoAccounts        = demoAccounts
	DaysByKind          = daysByKind
	EnumDims            = enumDims
	FigureDims          = figureDims
	ParseFigureQuery    = parseFigureQuery
	Printable           = printable
	SafeRow             = safeRow
	SheetName           = sheetName
	Cell                = cell
	ShareCell           = shareCell
	SuppressComplements = suppressComplements
	DemoProjectRows     = demoProjectRows
	JSONLine            = jsonLine
	Digest              = digest
	ReadKeyFile         = readKeyFile
	LoadOrCreateKey     = loadOrCreateKey
)

const (
	DemoPassword    = demoPassword
	MaxSpanMonths   = maxSpanMonths
	DataKeyFile     = dataKeyFile
	PreviousKeyFile = previousKeyFile
	RetiredKeyDir   = retiredKeyDir
)

type (
	APIFigures = apiFigures
	OpenCell   = openCell
	OpenData   = openData
	OpenRow    = openRow
	OwnFigures = ownFigures
	FigureView = figureView
)

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
func (a *App) ForgetFigures() {
	a.figCache.mu.Lock()
	a.figCache.entries = nil
	a.figCache.mu.Unlock()
}

// FigureSources are the records every figure is computed from.
func (a *App) FigureSources() []figures.Source { return a.figureSources() }

// MetricsAddr is the metrics listener's address, once serving.
func (a *App) MetricsAddr() string { s, _ := a.metricsAt.Load().(string); return s }

// Ready says whether /readyz answers ready.
func (a *App) Ready() bool { return a.ready.Load() }

// Readiness is what /readyz answers.
func (a *App) Readiness(ctx context.Context) (map[string]string, bool) { return a.readiness(ctx) }

// SetLogger replaces the app's logger, the handlers' (the kit's) too:
// the request log line is the kit's.
func (a *App) SetLogger(l *slog.Logger) { a.log, a.Log = l, l }

// ReadSlots are the slots of admitted reads (Config.MaxReads).
func (a *App) ReadSlots() chan struct{} { return a.readSlots }
