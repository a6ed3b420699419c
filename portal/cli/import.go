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

	"onestop/services/accounts"
)

// importCommand runs `import projects FILE [-format jsonl|csv] [settings]`:
// an idempotent upsert by external id, with a progress bar and a report of
// every rejected line.
func importCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) < 2 || (args[0] != "projects" && args[0] != "bases") {
		return errors.New("usage: portal import projects|bases FILE [-format jsonl|csv] [settings]")
	}
	what := args[0]
	path := args[1]
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "", "jsonl or csv (default: from the file name)")
	own, rest := splitFlags(args[2:], "format")
	if err := fs.Parse(own); err != nil {
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
	if what == "bases" {
		rep, err := in.app.Bureau().Bases.Import(ctx, accounts.Principal{ID: "cli", Role: accounts.Admin, Name: "import"}, counter, func(int) { bar.set(int(counter.n)) })
		bar.done()
		if rep != nil {
			for _, r := range rep.Rejected {
				fmt.Fprintf(stdout, "line %d rejected: %s\n", r.Line, r.Reason)
			}
			fmt.Fprintf(stdout, "%d lines: %d created, %d updated, %d rejected in %s\n",
				rep.Lines, rep.Created, rep.Updated, len(rep.Rejected), time.Since(start).Round(time.Millisecond))
		}
		return err
	}
	rep, err := in.app.Bureau().Projects.Import(ctx, counter, *format, func(int) { bar.set(int(counter.n)) })
	bar.done()
	if rep != nil {
		for _, r := range rep.Rejected {
			fmt.Fprintf(stdout, "line %d rejected: %s\n", r.Line, strings.Join(r.Reasons, "; "))
		}
		fmt.Fprintf(stdout, "%d lines: %d created, %d updated, %d rejected in %s\n",
			rep.Lines, rep.Created, rep.Updated, len(rep.Rejected), time.Since(start).Round(time.Millisecond))
	}
	return err
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

// progress draws a bar on a terminal and prints a line now and then
// elsewhere (a log file, CI).
type progress struct {
	w       io.Writer
	label   string
	total   int64
	tty     bool
	last    time.Time
	started time.Time
}

func newProgress(w io.Writer, label string, total int64) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progress{w: w, label: label, total: total, tty: tty, started: time.Now()}
}

func (p *progress) set(n int) {
	now := time.Now()
	if now.Sub(p.last) < 200*time.Millisecond && (!p.tty || now.Sub(p.last) < 100*time.Millisecond) {
		return
	}
	if !p.tty && now.Sub(p.last) < 5*time.Second {
		return
	}
	p.last = now
	p.draw(n)
}

func (p *progress) draw(n int) {
	if p.total > 0 {
		frac := float64(n) / float64(p.total)
		if frac > 1 {
			frac = 1
		}
		width := 30
		fill := int(frac * float64(width))
		bar := strings.Repeat("=", fill) + strings.Repeat(" ", width-fill)
		if p.tty {
			fmt.Fprintf(p.w, "\r%s [%s] %3.0f%% %s", p.label, bar, frac*100, time.Since(p.started).Round(time.Second))
		} else {
			fmt.Fprintf(p.w, "%s %3.0f%%\n", p.label, frac*100)
		}
		return
	}
	if p.tty {
		fmt.Fprintf(p.w, "\r%s %d %s", p.label, n, time.Since(p.started).Round(time.Second))
	} else {
		fmt.Fprintf(p.w, "%s %d\n", p.label, n)
	}
}

func (p *progress) done() {
	if p.tty && !p.last.IsZero() {
		fmt.Fprintln(p.w)
	}
}
