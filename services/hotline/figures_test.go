package hotline_test

import (
	"context"
	"testing"
	"time"

	"onestop/services/figures"
	"onestop/services/hotline"
	"onestop/services/servicetest"
)

// TestComplaintsOnTimeCountOverdueAsLate: the complaints' on-time rate of
// December is the complaints whose limit fell in December, answered in
// time, over those answered plus those still unanswered past their limit
// when the rate is read. Each step adds one complaint and says what the
// rate is then: one answered late, one answered in time, one left
// unanswered past its limit (late, though nobody answered it), and one
// not due yet (in neither part). Before the fix the rate was 100 % of the
// answered ones, whatever lay unanswered.
func TestComplaintsOnTimeCountOverdueAsLate(t *testing.T) {
	e := setup(t) // 2026-11-25, 10:00 in China
	ctx := context.Background()
	none := func(context.Context, string, string, time.Time, time.Time) (int64, error) { return 0, nil }
	v, err := figures.NewViews(figures.ViewsDeps{Figures: e.figures, Clock: e.clock, Lists: figures.Enums{},
		Overdue: map[string]figures.OverdueCounter{figures.OverdueComplaints: e.svc.OpenOverdue,
			figures.OverdueConsultations: none, figures.OverdueServices: none, figures.OverdueTraining: none}})
	if err != nil {
		t.Fatal(err)
	}
	day := 24 * time.Hour
	december := figures.Query{From: "2026-12", To: "2026-12", Dim: "all", Value: "all"}
	for _, tt := range []struct {
		name        string
		kind        string        // its limit: privacy 7 days, conduct 10, service 15
		answerAfter time.Duration // 0: left unanswered
		thenWait    time.Duration
		// the December rate afterwards: in time ÷ (answered + overdue)
		onTime, of, overdue int64
		value               string
	}{
		{"answered two days late", "privacy", 9 * day, 0, 0, 1, 0, "0.0%"},     // filed 11-25, due 12-02, answered 12-04
		{"answered in time", "conduct", day, 0, 1, 2, 0, "50.0%"},              // filed 12-04, due 12-14, answered 12-05
		{"unanswered past its limit", "privacy", 0, 8 * day, 1, 3, 1, "33.3%"}, // filed 12-05, due 12-12; read 12-13
		{"unanswered, not due yet", "service", 0, day, 1, 3, 1, "33.3%"},       // filed 12-13, due 12-28; read 12-14
	} {
		c, err := e.svc.FileComplaint(ctx, e.who["wang"], hotline.NewComplaint{Kind: tt.kind, Subject: tt.name, Against: "portal",
			Details: "網站的服務進度查詢一直顯示錯誤。"}, meta)
		if err != nil {
			t.Fatal(err)
		}
		if tt.answerAfter > 0 {
			e.advance(tt.answerAfter)
			if _, err := e.svc.ActOnComplaint(ctx, e.who["staff"], c.ID, hotline.ComplaintStep{Action: "answer", Text: "已修正查詢頁面，請再試一次。"}, meta); err != nil {
				t.Fatal(err)
			}
		}
		e.advance(tt.thenWait)
		servicetest.Settle(t, e.deps.Outbox)
		v.Forget()
		view, err := v.View(ctx, december, figures.Records{})
		if err != nil {
			t.Fatal(err)
		}
		f := find(view, "figures.complaints_on_time")
		if f.N != tt.onTime || f.Of != tt.of || f.OpenOverdue == nil || *f.OpenOverdue != tt.overdue || f.Value != tt.value ||
			f.NumKey != "figpart.closed_on_time" || f.OfKey != "figpart.due_or_closed" {
			t.Errorf("after %q: %d ÷ %d (%d overdue) = %s, want %d ÷ %d (%d overdue) = %s", tt.name, f.N, f.Of, deref(f.OpenOverdue), f.Value, tt.onTime, tt.of, tt.overdue, tt.value)
		}
	}
	// Filed by kind: the overdue one is a privacy complaint, and complaints
	// have no district.
	start := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		dim, value string
		want       int64
	}{{"all", "all", 1}, {"complaint_kind", "privacy", 1}, {"complaint_kind", "service", 0}, {"district", "dongcheng", 0}} {
		n, err := e.svc.OpenOverdue(ctx, tt.dim, tt.value, start, e.clock.Now())
		if err != nil || n != tt.want {
			t.Errorf("overdue under %s=%s: %d %v, want %d", tt.dim, tt.value, n, err, tt.want)
		}
	}
	// The overdue one answered at last: no longer open, late for good.
	rows, _, _, _ := e.svc.Complaints(ctx, e.who["staff"], hotline.ComplaintQuery{Queue: "overdue"})
	if len(rows) != 1 {
		t.Fatalf("overdue queue: %+v", rows)
	}
	if _, err := e.svc.ActOnComplaint(ctx, e.who["staff"], rows[0].ID, hotline.ComplaintStep{Action: "answer", Text: "抱歉延誤，已處理完畢。"}, meta); err != nil {
		t.Fatal(err)
	}
	v.Forget()
	view, err := v.View(ctx, december, figures.Records{})
	if err != nil {
		t.Fatal(err)
	}
	if f := find(view, "figures.complaints_on_time"); f.N != 1 || f.Of != 3 || deref(f.OpenOverdue) != 0 {
		t.Errorf("once answered: %d ÷ %d (%d overdue)", f.N, f.Of, deref(f.OpenOverdue))
	}
}

func find(v *figures.View, key string) figures.Figure {
	for _, s := range v.Sections {
		for _, f := range s.Figures {
			if f.Key == key {
				return f
			}
		}
	}
	return figures.Figure{}
}

func deref(n *int64) int64 {
	if n == nil {
		return -1
	}
	return *n
}
