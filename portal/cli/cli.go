// Package cli is the portal's command line: one table of commands, from
// which both the dispatcher and the help text are made, so they cannot
// drift apart. Each command loads the settings (portal.LoadConfig) and
// works through the portal's app or directly on its store.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"

	"onestop/portal"
	"onestop/portal/i18n"
	"onestop/services/core"
)

// command is one sub-command: its name, its arguments and what it does
// (for the help), and how it runs.
type command struct {
	name  string
	usage string // what follows the name; settings may follow it all
	does  string
	run   func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands is the table. It is a function, not a variable, because help
// reads the table it is in.
func commands() []command {
	return []command{
		{"serve", "", "serve the portal (the default)", func(ctx context.Context, args []string, _, stderr io.Writer) error {
			return serve(ctx, args, stderr, false)
		}},
		{"demo", "", "load the demo data, then serve", func(ctx context.Context, args []string, _, stderr io.Writer) error {
			return serve(ctx, args, stderr, true)
		}},
		{"admin", "create -email a@b.cn -password … -name 姓名", "create the first administrator", adminCommand},
		{"import", "projects|bases FILE [-format jsonl|csv] [-lang zh-Hant|zh-Hans|en] | roster FILE -kind farmers|farmland|relocated|fact:NAME -name ROSTER", "import library projects, incubation bases or a roster that checks people's facts", importCommand},
		{"reindex", "", "rebuild every search index from the database", reindex},
		{"rebuild-figures", "", "recompute every figure rollup from the records", rebuildFigures},
		{"backup", "DIR [-format sqlite|bson]", "write a snapshot or a dump of the database", backupCommand},
		{"restore", "DIR", "restore a backup into an empty data directory or database", restoreCommand},
		{"rotate-data-key", "[-generate] [-limit N]", "re-encrypt every ID and phone number under the current data key", rotateDataKeyCommand},
		{"seed-load", "[-people N] [-projects N] [-login-users N] [-staff N]", "the demo data and city-sized records, for load tests", seedLoad},
		{"load", "[-url URL] [-users N] [-duration D] …", "run the load program against a running portal", loadCommand},
		{"healthcheck", "", "ask a running portal for /healthz (container health checks)", func(ctx context.Context, args []string, _, stderr io.Writer) error {
			return healthcheck(ctx, args, stderr)
		}},
		{"version", "", "what this binary is: its version, commit and Go", func(_ context.Context, _ []string, stdout, _ io.Writer) error {
			b := portal.BuildInfo()
			fmt.Fprintf(stdout, "portal %s\ncommit %s %s", b.Version, or(b.Revision, "unknown"), b.Time)
			if b.Modified {
				fmt.Fprint(stdout, " (with uncommitted changes)")
			}
			fmt.Fprintf(stdout, "\n%s\n", b.Go)
			return nil
		}},
		{"help", "", "this list, then every setting", help},
	}
}

// Main runs the command line and returns the process exit code. The first
// argument not starting with "-" names the command; without one the portal
// serves.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	name := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	var err error
	table := commands()
	if i := slices.IndexFunc(table, func(c command) bool { return c.name == name }); i >= 0 {
		err = table[i].run(ctx, args, stdout, stderr)
	} else {
		err = fmt.Errorf("unknown command %q (%s)", name, strings.Join(names(table), ", "))
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

func names(table []command) []string {
	out := make([]string, len(table))
	for i, c := range table {
		out[i] = c.name
	}
	return out
}

// usage lists every command with what it does and its arguments.
func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: portal [command] [arguments] [settings]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-16s %s\n", c.name, c.does)
		if c.usage != "" {
			fmt.Fprintf(w, "  %-16s   portal %s %s\n", "", c.name, c.usage)
		}
	}
	fmt.Fprintln(w)
}

// help prints the commands, then the settings (as -help does).
func help(_ context.Context, _ []string, stdout, _ io.Writer) error {
	usage(stdout)
	_, err := portal.LoadConfig([]string{"-help"}, os.Getenv, stdout)
	return err
}

// english is the catalogs errors are put in words with on the command line
// (in English; an import's report in the reader's language).
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
	fields := make([]string, 0, len(ce.Fields))
	for f := range ce.Fields {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	for _, f := range fields {
		parts = append(parts, f+": "+cat.T("en", ce.Fields[f]))
	}
	prefix, _ := strings.CutSuffix(err.Error(), ce.Error())
	if prefix == err.Error() {
		prefix = "" // the domain error is not the last in the chain: its words alone
	}
	return prefix + strings.Join(parts, "; ")
}

// instance is a portal opened for one command, not serving.
type instance struct {
	app *portal.App
	cfg *portal.Config
	log *slog.Logger
}

// open loads the settings and starts the app without serving.
func open(ctx context.Context, args []string, stderr io.Writer) (*instance, error) {
	cfg, err := portal.LoadConfig(args, os.Getenv, stderr)
	if err != nil {
		return nil, err
	}
	log := cfg.Logger(stderr)
	app, err := portal.NewApp(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	return &instance{app: app, cfg: cfg, log: log}, nil
}

// close closes the app once the command's work is done.
func (in *instance) close() { _ = in.app.Close(context.Background()) }

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
	a = strings.TrimLeft(a, "-")
	name, _, _ := strings.Cut(a, "=")
	return name
}

func hasValue(a string) bool { return strings.Contains(a, "=") }

// dropFlag removes a bool flag from args.
func dropFlag(args []string, name string) []string {
	var out []string
	for _, a := range args {
		if flagName(a) != name {
			out = append(out, a)
		}
	}
	return out
}

// or is s, or else when s is empty.
func or(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}
