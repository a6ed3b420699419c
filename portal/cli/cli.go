package portal

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"onestop/portal/i18n"
	"onestop/services/accounts"
	"onestop/services/core"
)

// Main runs the portal's command line: serve (the default), demo, admin
// create and reindex. It returns the process exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	var err error
	switch cmd {
	case "serve":
		err = serve(ctx, args, stderr, false)
	case "demo":
		err = serve(ctx, args, stderr, true)
	case "admin":
		err = adminCommand(ctx, args, stdout, stderr)
	case "reindex":
		err = reindex(ctx, args, stdout, stderr)
	case "rebuild-figures":
		err = rebuildFigures(ctx, args, stdout, stderr)
	case "import":
		err = importCommand(ctx, args, stdout, stderr)
	case "backup":
		err = backupCommand(ctx, args, stdout, stderr)
	case "restore":
		err = restoreCommand(ctx, args, stdout, stderr)
	case "rotate-data-key":
		err = rotateDataKeyCommand(ctx, args, stdout, stderr)
	case "healthcheck":
		err = healthcheck(ctx, args, stderr)
	case "seed-load":
		err = seedLoad(ctx, args, stdout, stderr)
	case "load":
		err = loadCommand(ctx, args, stdout, stderr)
	case "help":
		_, err = LoadConfig([]string{"-help"}, os.Getenv, stdout)
	default:
		err = fmt.Errorf("unknown command %q (serve, demo, admin create, import projects, reindex, rebuild-figures, backup, restore, rotate-data-key, healthcheck)", cmd)
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "portal:", describe(err))
		return 1
	}
	return 0
}

// english is the catalog errors are put in words with on the command line.
var english = sync.OnceValues(i18n.Load)

// describe renders an error for the command line, in English: a domain
// error's message and field errors from the catalog, after whatever the
// error was wrapped in ("王小明: invalid input; district: …").
func describe(err error) string {
	var ce *core.Error
	cat, lerr := english()
	if !errors.As(err, &ce) || lerr != nil {
		return err.Error()
	}
	parts := []string{cat.T("en", ce.Message)}
	for _, f := range sortedKeys(ce.Fields) {
		parts = append(parts, f+": "+cat.T("en", ce.Fields[f]))
	}
	prefix, _ := strings.CutSuffix(err.Error(), ce.Error())
	if prefix == err.Error() {
		prefix = "" // the domain error is not the last in the chain: its words alone
	}
	return prefix + strings.Join(parts, "; ")
}

func newLogger(c *Config, w io.Writer) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: lv}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// open loads the configuration and starts the app without serving.
func open(ctx context.Context, args []string, stderr io.Writer) (*App, error) {
	cfg, err := LoadConfig(args, os.Getenv, stderr)
	if err != nil {
		return nil, err
	}
	log := newLogger(cfg, stderr)
	return NewApp(ctx, cfg, log)
}

func serve(ctx context.Context, args []string, stderr io.Writer, demo bool) error {
	start := time.Now()
	app, err := open(ctx, args, stderr)
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := app.Close(cctx); err != nil {
			app.log.Warn("close", "err", err)
		}
		app.log.Info("stopped")
	}()
	if demo {
		d, err := app.Demo()
		if err != nil {
			return err
		}
		if err := d.Load(ctx, stderr); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
	}
	ln, err := net.Listen("tcp", app.cfg.Addr)
	if err != nil {
		return err
	}
	app.log.Info("started", "ms", time.Since(start).Milliseconds())
	return app.Serve(ctx, ln)
}

func adminCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: portal admin create -email a@b.cn -password … -name 姓名 [settings]")
	}
	fs := flag.NewFlagSet("admin create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "e-mail of the administrator")
	phone := fs.String("phone", "", "mobile number (instead of e-mail)")
	password := fs.String("password", "", "password (8–128 characters)")
	name := fs.String("name", "", "real name")
	// Settings flags may follow; parse ours, pass the rest on.
	var own, rest []string
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch flagName(a) {
		case "email", "phone", "password", "name":
			own = append(own, a)
			if !hasValue(a) && i+1 < len(args) {
				i++
				own = append(own, args[i])
			}
		default:
			rest = append(rest, a)
		}
	}
	if err := fs.Parse(own); err != nil {
		return err
	}
	app, err := open(ctx, rest, stderr)
	if err != nil {
		return err
	}
	defer app.Close(context.Background())
	u, err := app.accounts.Bootstrap(ctx, accounts.NewAccount{Email: *email, Phone: *phone, Password: *password, Name: *name})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "administrator %s created (id %s)\n", u.Name, u.ID)
	return nil
}

func reindex(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	app, err := open(ctx, args, stderr)
	if err != nil {
		return err
	}
	defer app.Close(context.Background())
	for _, name := range app.outbox.Indexes() {
		bar := newProgress(stderr, "reindex "+name, 0)
		n, err := app.outbox.Rebuild(ctx, name, bar.set)
		bar.done()
		if err != nil {
			return fmt.Errorf("reindex %s: %w", name, err)
		}
		fmt.Fprintf(stdout, "%s: %d documents\n", name, n)
	}
	return nil
}

// rebuildFigures recomputes every rollup from the records, streamed, with
// a progress bar: after a restore, or to recover counts a crash lost.
func rebuildFigures(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	app, err := open(ctx, args, stderr)
	if err != nil {
		return err
	}
	defer app.Close(context.Background())
	bar := newProgress(stderr, "rebuild figures", 0)
	n, err := app.figures.Rebuild(ctx, app.figureSources(), bar.set)
	bar.done()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "figures: %d events counted\n", n)
	return nil
}

// healthcheck asks a running portal whether it is alive, for container
// health checks in images that have no shell or curl.
func healthcheck(ctx context.Context, args []string, stderr io.Writer) error {
	cfg, err := LoadConfig(args, os.Getenv, stderr)
	if err != nil {
		return err
	}
	host, port, _ := net.SplitHostPort(cfg.Addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("healthz: %s", resp.Status)
	}
	return nil
}

// splitFlags separates a command's own flags (names) from the settings
// flags that follow them.
func splitFlags(args []string, names ...string) (own, rest []string) {
	for i := 0; i < len(args); i++ {
		if slices.Contains(names, flagName(args[i])) {
			own = append(own, args[i])
			if !hasValue(args[i]) && i+1 < len(args) {
				i++
				own = append(own, args[i])
			}
			continue
		}
		rest = append(rest, args[i])
	}
	return own, rest
}

func flagName(a string) string {
	for len(a) > 0 && a[0] == '-' {
		a = a[1:]
	}
	for i := range len(a) {
		if a[i] == '=' {
			return a[:i]
		}
	}
	return a
}

func hasValue(a string) bool {
	for i := range len(a) {
		if a[i] == '=' {
			return true
		}
	}
	return false
}
