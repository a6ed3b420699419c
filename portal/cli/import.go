package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"onestop/portal/i18n"
	"onestop/services/accounts"
	"onestop/services/core"
)

// importCommand runs `import projects FILE [-format jsonl|csv] [-lang L]
// [settings]`: an idempotent upsert by external id, with a progress bar
// and a report of every rejected line, in the language of -lang, else of
// LANG, else zh-Hant.
func importCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) < 2 || (args[0] != "projects" && args[0] != "bases" && args[0] != "roster") {
		return errors.New("usage: portal import projects|bases FILE [-format jsonl|csv] [-lang zh-Hant|zh-Hans|en] [settings]\n" +
			"       portal import roster FILE -kind farmers|farmland|relocated|fact:NAME -name ROSTER [-format jsonl|csv] [-lang …] [settings]")
	}
	what := args[0]
	path := args[1]
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "", "jsonl or csv (default: from the file name)")
	langFlag := fs.String("lang", "", "language of the report: zh-Hant, zh-Hans or en (default: from LANG, else zh-Hant)")
	kind := fs.String("kind", "", "roster: farmers (花名冊), farmland (under 0.1 mu a head), relocated (拆村建居), or fact:NAME for a yes-or-no fact an administrator defined")
	name := fs.String("name", "", "roster: its name as staff and people read it, e.g. 北山村被徵地農民花名冊（2026）")
	own, rest := splitFlags(args[2:], "format", "lang", "kind", "name")
	if err := fs.Parse(own); err != nil {
		return err
	}
	rp, err := newReporter(*langFlag, os.Getenv("LANG"))
	if err != nil {
		return err
	}
	if *format == "" {
		*format = strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	size := int64(0)
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	in, err := open(ctx, rest, stderr)
	if err != nil {
		return err
	}
	defer in.close()
	counter := &countingReader{r: f}
	bar := newProgress(stderr, "import", size)
	start := time.Now()
	if what == "roster" {
		// The report names lines and fields, never an ID number.
		rep, err := in.app.Bureau().People.ImportRoster(ctx, *kind, *name, counter, *format, func(int) { bar.set(int(counter.n)) })
		bar.done()
		if rep != nil {
			for _, r := range rep.Rejected {
				rp.rejected(stdout, r.Line, r.Faults)
			}
			fmt.Fprintln(stdout, rp.cat.T(rp.lang, "cli.import.roster_summary", rep.Lines, rep.Matched, rep.Waiting, len(rep.Rejected), time.Since(start).Round(time.Millisecond)))
		}
		if core.IsCode(err, core.Invalid) {
			return errors.New(rp.faults(core.Faults(err))) // -kind, -name or -format, in words
		}
		return err
	}
	if what == "bases" {
		rep, err := in.app.Bureau().Bases.Import(ctx, accounts.Principal{ID: "cli", Role: accounts.Admin, Name: "import"}, counter, func(int) { bar.set(int(counter.n)) })
		bar.done()
		if rep != nil {
			for _, r := range rep.Rejected {
				rp.rejected(stdout, r.Line, r.Faults)
			}
			rp.summary(stdout, rep.Lines, rep.Created, rep.Updated, len(rep.Rejected), time.Since(start))
		}
		return err
	}
	rep, err := in.app.Bureau().Projects.Import(ctx, counter, *format, func(int) { bar.set(int(counter.n)) })
	bar.done()
	if rep != nil {
		for _, r := range rep.Rejected {
			rp.rejected(stdout, r.Line, r.Faults)
		}
		rp.summary(stdout, rep.Lines, rep.Created, rep.Updated, len(rep.Rejected), time.Since(start))
	}
	return err
}

// reporter puts an import's report in one language.
type reporter struct {
	cat  *i18n.Bundle
	lang string
}

// newReporter picks the report's language: the -lang flag (one of ours),
// else the locale in LANG (zh_CN.UTF-8 → zh-Hans), else zh-Hant.
func newReporter(flagLang, envLang string) (*reporter, error) {
	cat, err := english()
	if err != nil {
		return nil, err
	}
	lang := i18n.Default
	switch {
	case flagLang != "":
		if lang = i18n.Supported(flagLang); lang == "" {
			return nil, fmt.Errorf("-lang %q: one of %s", flagLang, strings.Join(i18n.Languages, ", "))
		}
	case envLang != "":
		// A POSIX locale: language_TERRITORY.codeset@modifier.
		tag, _, _ := strings.Cut(envLang, ".")
		tag, _, _ = strings.Cut(tag, "@")
		lang = i18n.Match(strings.ReplaceAll(tag, "_", "-"))
	}
	return &reporter{cat: cat, lang: lang}, nil
}

// rejected prints why a line was not imported: each fault's message,
// after the field (the file's column) it is about.
func (r *reporter) rejected(w io.Writer, line int, faults []core.Fault) {
	fmt.Fprintln(w, r.cat.T(r.lang, "cli.import.rejected", line, r.faults(faults)))
}

// faults says each fault's message after the field it is about.
func (r *reporter) faults(faults []core.Fault) string {
	parts := make([]string, 0, len(faults))
	for _, f := range faults {
		msg := r.cat.T(r.lang, f.Msg)
		if f.Field != "" {
			msg = r.cat.T(r.lang, "cli.import.fault", f.Field, msg)
		}
		parts = append(parts, msg)
	}
	return strings.Join(parts, r.cat.T(r.lang, "cli.import.sep"))
}

func (r *reporter) summary(w io.Writer, lines, created, updated, rejected int, took time.Duration) {
	fmt.Fprintln(w, r.cat.T(r.lang, "cli.import.summary", lines, created, updated, rejected, took.Round(time.Millisecond)))
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
