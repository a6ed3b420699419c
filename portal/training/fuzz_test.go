package training

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"onestop/services/core"
)

// FuzzParseSessions: accepted sessions, written back one per line, read
// the same; there is one per non-blank line.
func FuzzParseSessions(f *testing.F) {
	for _, s := range []string{"2026-12-01 09:00 3\n2026-12-02 14:30 2.5", "2026-12-01 09:00 NaN", "2026-12-01 9:00 3", "2026-02-30 09:00 3",
		"\n\n2026-12-01 09:00 3\r\n", "2026-12-01 09:00 3 extra", "2026-12-01T09:00 3", "2026-12-01 24:00 1e309", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ss, ok := parseSessions(s)
		if !ok {
			return
		}
		n := 0
		for _, line := range strings.Split(s, "\n") {
			if len(strings.Fields(line)) > 0 {
				n++
			}
		}
		if len(ss) != n {
			t.Fatalf("parseSessions(%q): %d sessions for %d lines", s, len(ss), n)
		}
		var b strings.Builder
		for _, x := range ss {
			fmt.Fprintf(&b, "%s %s\n", x.StartsAt.In(core.CST).Format("2006-01-02 15:04"), strconv.FormatFloat(x.Hours, 'g', -1, 64))
		}
		again, ok := parseSessions(b.String())
		if !ok || len(again) != len(ss) {
			t.Fatalf("parseSessions(%q) does not read its own output %q", s, b.String())
		}
		for i := range ss {
			if !again[i].StartsAt.Equal(ss[i].StartsAt) || (again[i].Hours != ss[i].Hours && ss[i].Hours == ss[i].Hours) {
				t.Fatalf("session %d: %+v then %+v", i, ss[i], again[i])
			}
		}
	})
}
