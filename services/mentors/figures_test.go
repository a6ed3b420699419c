package mentors_test

import (
	"context"
	"testing"
	"time"

	"onestop/services/accounts"
)

// TestOverdueConsultations: a question unanswered past the limit it came
// in with is overdue, however often it moved on to another mentor (the
// next one's own limit does not reset it); answered, it is settled late
// in the month of that limit. One answered within its limit is in time.
func TestOverdueConsultations(t *testing.T) {
	e := setup(t) // 2026-11-25 17:00 in China; 48 hours to answer
	ctx := context.Background()
	p := e.people
	quick, slow := e.ask(t, "asker", "financing", "community_service"), e.ask(t, "other", "financing", "technology")
	if _, err := e.svc.Reply(ctx, p["finance"], quick.ID, "可以先到一站式窗口辦理擔保貸款預審。", meta); err != nil {
		t.Fatal(err)
	}
	e.advance(49 * time.Hour)
	if rep, err := e.svc.Pass(ctx); err != nil || rep.Rematched != 1 {
		t.Fatalf("the slow one moves on: %+v %v", rep, err)
	}
	slow, _ = e.svc.Get(ctx, e.admin, slow.ID)
	if slow.MentorID == "" || slow.Rematches != 1 {
		t.Fatalf("moved on to %q", slow.MentorName)
	}
	other := p["tax"].ID // a mentor who does not hold it
	if other == slow.MentorID {
		other = p["tech"].ID
	}
	november, now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), time.UnixMilli(e.now.Load())
	for _, tt := range []struct {
		dim, value string
		want       int64
	}{{"all", "all", 1}, {"topic", "financing", 1}, {"topic", "tax", 0}, {"industry", "technology", 1}, {"industry", "community_service", 0},
		{"mentor", slow.MentorID, 1}, {"mentor", other, 0}, {"district", "dongcheng", 0}} {
		if n, err := e.svc.OpenOverdue(ctx, tt.dim, tt.value, november, now); err != nil || n != tt.want {
			t.Errorf("unanswered past the limit under %s=%s: %d %v, want %d", tt.dim, tt.value, n, err, tt.want)
		}
	}
	var next accounts.Principal
	for _, who := range p {
		if who.ID == slow.MentorID {
			next = who
		}
	}
	if _, err := e.svc.Reply(ctx, next, slow.ID, "建議先做最小可行產品，再找天使投資。", meta); err != nil {
		t.Fatal(err)
	}
	e.settle(t)
	f, err := e.figures.Read(ctx, "2026-11", "2026-11", "all", "all")
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := e.svc.OpenOverdue(ctx, "all", "all", november, now); n != 0 || f.Counts["consult_due_answered"] != 2 || f.Counts["consult_due_on_time"] != 1 {
		t.Errorf("both answered: %d overdue, %v", n, f.Counts)
	}
}
