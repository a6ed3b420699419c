package onestop_test

import (
	"context"
	"testing"
	"time"

	"onestop/services/onestop"
	"onestop/services/servicetest"
)

// TestOverdueRequests: a request still open past its limit is counted as
// overdue by its type while open, and once completed late it is counted
// settled (not in time) in the month of its limit, and overdue no more.
// A cancelled one is in neither.
func TestOverdueRequests(t *testing.T) {
	e, svc, u := world(t) // financing: a 3-day limit
	ctx := context.Background()
	desk := u["desk"]
	file := func(kind string) *onestop.Request {
		r, err := svc.Create(ctx, u["owner"], onestop.NewRequest{Type: kind, Details: "想了解創業擔保貸款的申請流程"}, servicetest.Meta)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	late, cancelled := file("financing"), file("financing")
	if _, err := svc.Act(ctx, u["owner"], cancelled.ID, "cancel", "", nil, servicetest.Meta); err != nil {
		t.Fatal(err)
	}
	e.Now.Add((5 * 24 * time.Hour).Milliseconds()) // 11-07: two days past the limit
	november := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	overdue := func(dim, value string) int64 {
		n, err := svc.OpenOverdue(ctx, dim, value, november, e.Clock())
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, tt := range []struct {
		dim, value string
		want       int64
	}{{"all", "all", 1}, {"service_type", "financing", 1}, {"service_type", "plan_design", 0}, {"district", "dongcheng", 0}} {
		if n := overdue(tt.dim, tt.value); n != tt.want {
			t.Errorf("open past the limit under %s=%s: %d, want %d", tt.dim, tt.value, n, tt.want)
		}
	}
	if n, _ := svc.OpenOverdue(ctx, "all", "all", november, time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)); n != 0 {
		t.Errorf("a limit after the span's end counted: %d", n)
	}
	for _, step := range []string{"assign", "start", "complete"} {
		if _, err := svc.Act(ctx, desk, late.ID, step, "已轉介銀行", &desk, servicetest.Meta); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	e.Settle(t)
	f, err := e.Figures.Read(ctx, "2026-11", "2026-11", "service_type", "financing")
	if err != nil {
		t.Fatal(err)
	}
	if n := overdue("all", "all"); n != 0 || f.Counts["service_due_closed"] != 1 || f.Counts["service_due_on_time"] != 0 {
		t.Errorf("completed late: %d overdue, %v", n, f.Counts)
	}
}
