package training_test

import (
	"context"
	"testing"
	"time"
)

// TestOverdueTrainees: the trainees of a course whose last session has
// ended but that its provider has not closed are overdue, by provider and
// kind; once the course is closed they are decided, counted on the day the
// last session ended.
func TestOverdueTrainees(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	c := e.course(t, "school", "skills", 5, false) // five sessions, the last ends 2026-12-01 13:00 in China
	for _, who := range []string{"farmer", "grad"} {
		if _, err := e.svc.Enrol(ctx, e.who[who], c.ID, "", meta); err != nil {
			t.Fatal(err)
		}
	}
	december := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	count := func(dim, value string) int64 {
		n, err := e.svc.OpenOverdue(ctx, dim, value, december, e.at())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	e.advance(6 * 24 * time.Hour) // 12-01 10:00: the last session under way
	if n := count("all", "all"); n != 0 {
		t.Errorf("before the course ended: %d overdue", n)
	}
	e.advance(24 * time.Hour)
	for _, tt := range []struct {
		dim, value string
		want       int64
	}{{"all", "all", 2}, {"provider", e.who["school"].ID, 2}, {"provider", e.who["academy"].ID, 0}, {"training_kind", "skills", 2},
		{"training_kind", "awareness", 0}, {"district", "dongcheng", 0}} {
		if n := count(tt.dim, tt.value); n != tt.want {
			t.Errorf("overdue under %s=%s: %d, want %d", tt.dim, tt.value, n, tt.want)
		}
	}
	if _, err := e.svc.Complete(ctx, e.who["school"], c.ID, meta); err != nil {
		t.Fatal(err)
	}
	f, err := e.figs.Read(ctx, "2026-12", "2026-12", "all", "all")
	if err != nil {
		t.Fatal(err)
	}
	if n := count("all", "all"); n != 0 || f.Counts["training_due_done"] != 2 || f.Counts["training_due_passed"] != 0 {
		t.Errorf("closed (nobody attended): %d overdue, %v", n, f.Counts)
	}
}
