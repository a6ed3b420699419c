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
