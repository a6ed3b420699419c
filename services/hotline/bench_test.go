package hotline_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"onestop/search"
	"onestop/services/hotline"
)

// BenchmarkDueToday: the "due today" queue with 100,000 open cases in the
// index (BENCH_OPEN), their next contacts spread over a year, so about 270
// are due on any day. The queue is one range query on the day number.
// A worker pass over the same index is measured too (BenchmarkCasePass).
func BenchmarkDueToday(b *testing.B) {
	e, n := benchCases(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		rows, total, _, err := e.svc.Cases(ctx, e.who["staff"], hotline.CaseQuery{Queue: "due_today"})
		if err != nil || total == 0 || len(rows) == 0 {
			b.Fatalf("due today: %d (%v)", total, err)
		}
	}
	b.ReportMetric(float64(n), "open-cases")
}

// BenchmarkCasePass: the reminder pass when nothing is due, over 100,000
// open cases: its cost follows the work due, not the number open.
func BenchmarkCasePass(b *testing.B) {
	e, _ := benchCases(b)
	ctx := context.Background()
	e.advance(-400 * 24 * time.Hour) // before any is due
	for b.Loop() {
		if _, err := e.svc.Pass(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

func benchCases(b *testing.B) (*env, int) {
	e := setup(b)
	ctx := context.Background()
	open := 100_000
	if v := os.Getenv("BENCH_OPEN"); v != "" {
		open, _ = strconv.Atoi(v)
	}
	today := e.today().Day()
	staff := []string{e.who["staff"].ID, e.who["staff2"].ID}
	batch := make([]search.Doc, 0, 1000)
	for i := range open {
		batch = append(batch, search.Doc{ID: fmt.Sprintf("case%07d", i), Fields: map[string]any{"person_name": "來電者", "status": hotline.CaseOpen,
			"staff_id": staff[i%2], "source": "call", "reasons": []string{"market"}, "next_due": today - 5 + i%365,
			"created_at": time.Unix(int64(1_700_000_000+i), 0)}})
		if len(batch) == cap(batch) || i == open-1 {
			if err := e.engine.Upsert(ctx, hotline.CaseIndex.Name, batch...); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	return e, open
}
