package figures

import (
	"context"
	"testing"
	"time"

	"onestop/services/core"
)

// TestOverdueSpan: the open overdue work of a span is asked for the
// limits from the span's first day (in China) to its end, or to the
// moment of reading when that comes first; a span wholly ahead asks
// nothing. Views without a counter for every kind do not start.
func TestOverdueSpan(t *testing.T) {
	now := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC) // 10:00 in China
	var asked [2]time.Time
	calls := 0
	counter := func(_ context.Context, dim, value string, from, until time.Time) (int64, error) {
		calls++
		asked = [2]time.Time{from, until}
		return 7, nil
	}
	all := map[string]OverdueCounter{}
	for _, k := range OverdueKinds {
		all[k] = counter
	}
	v, err := NewViews(ViewsDeps{Figures: &Service{}, Clock: func() time.Time { return now }, Lists: Enums{}, Overdue: all})
	if err != nil {
		t.Fatal(err)
	}
	cst := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, core.CST) }
	for _, tt := range []struct {
		name     string
		from, to string
		want     int64
		between  [2]time.Time
	}{
		{"months past", "2026-01", "2026-03", 7, [2]time.Time{cst(2026, 1, 1), cst(2026, 4, 1)}},
		{"up to now", "2026-10", "2026-12", 7, [2]time.Time{cst(2026, 10, 1), now}},
		{"ahead", "2026-12", "2027-02", 0, [2]time.Time{}},
	} {
		calls, asked = 0, [2]time.Time{}
		n, err := v.Overdue(context.Background(), OverdueComplaints, Query{tt.from, tt.to, "all", "all"})
		if err != nil || n != tt.want || !asked[0].Equal(tt.between[0]) || !asked[1].Equal(tt.between[1]) {
			t.Errorf("%s: %d %v, asked %v, want %d over %v", tt.name, n, err, asked, tt.want, tt.between)
		}
		if _, _ = v.Overdue(context.Background(), OverdueComplaints, Query{tt.from, tt.to, "all", "all"}); calls > 1 {
			t.Errorf("%s: asked again within the cache's minute", tt.name)
		}
	}
	delete(all, OverdueTraining)
	if _, err := NewViews(ViewsDeps{Figures: &Service{}, Clock: func() time.Time { return now }, Lists: Enums{}, Overdue: all}); err == nil {
		t.Error("views started without counting overdue training")
	}
}
