package cli

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

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
