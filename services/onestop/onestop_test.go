package onestop_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/onestop"
	"onestop/services/servicetest"
	"onestop/services/store/storetest"
	"onestop/services/workdays"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var start = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func world(t *testing.T) (*servicetest.Env, *onestop.Service, map[string]accounts.Principal) {
	e := servicetest.New(t, start, onestop.Collection)
	svc := servicetest.Must(onestop.New(onestop.Deps{Store: e.Store, Outbox: e.Outbox, Audit: e.Audit, Clock: e.Clock, Figures: e.Figures, People: e.People,
		Calendar: e.Workdays, Days: map[string]int{"financing": 3}}))
	e.Ready(t)
	return e, svc, e.Users(t, map[string]accounts.Role{
		"owner": accounts.Entrepreneur, "other": accounts.Entrepreneur, "desk": accounts.Hotline,
		"desk2": accounts.Hotline, "mentor": accounts.Mentor,
	})
}

func TestCreateValidates(t *testing.T) {
	_, svc, u := world(t)
	ctx := context.Background()
	for _, tt := range []struct {
		name  string
		actor string
		in    onestop.NewRequest
		code  core.Code
	}{
		{"unknown type", "owner", onestop.NewRequest{Type: "magic", Details: "x"}, core.Invalid},
		{"no details", "owner", onestop.NewRequest{Type: "financing", Details: "   "}, core.Invalid},
		{"details too long", "owner", onestop.NewRequest{Type: "financing", Details: strings.Repeat("字", 2001)}, core.Invalid},
		{"a NUL in details", "owner", onestop.NewRequest{Type: "financing", Details: "a\x00b"}, core.Invalid},
		{"a mentor", "mentor", onestop.NewRequest{Type: "financing", Details: "x"}, core.Forbidden},
		{"hotline staff for themselves", "desk", onestop.NewRequest{Type: "financing", Details: "x"}, core.Forbidden},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := svc.Create(ctx, u[tt.actor], tt.in, servicetest.Meta); !core.IsCode(err, tt.code) {
				t.Errorf("got %v, want %s", err, tt.code)
			}
		})
	}
	r, err := svc.Create(ctx, u["owner"], onestop.NewRequest{Type: "financing", Details: " 需要貸款 "}, servicetest.Meta)
	if err != nil {
		t.Fatal(err)
	}
	// Filed on Monday 2 November: three working days end at the close of
	// Thursday 5 November.
	if r.Status != onestop.Submitted || r.Details != "需要貸款" || r.LimitDays != 3 || !r.DueAt.Equal(workdays.EndOf(core.NewDate(2026, time.November, 5))) {
		t.Errorf("created %+v (the configured 3-working-day limit applies)", r)
	}
}

// TestLifecycle walks the steps in order, with who may take each.
func TestLifecycle(t *testing.T) {
	_, svc, u := world(t)
	ctx := context.Background()
	r, err := svc.Create(ctx, u["owner"], onestop.NewRequest{Type: "plan_design", Details: "計劃書"}, servicetest.Meta)
	if err != nil {
		t.Fatal(err)
	}
	desk, desk2 := u["desk"], u["desk2"]
	steps := []struct {
		name     string
		actor    string
		action   string
		note     string
		assignee *accounts.Principal
		code     core.Code // "" for success
		status   string
	}{
		{"the owner cannot assign", "owner", "assign", "", &desk, core.Forbidden, ""},
		{"nobody starts an unassigned one", "desk", "start", "", nil, core.Forbidden, ""},
		{"an unknown action", "desk", "fly", "", nil, core.Invalid, ""},
		{"staff assign to a colleague", "desk", "assign", "", &desk2, "", onestop.Accepted},
		{"only the assignee starts", "desk", "start", "", nil, core.Forbidden, ""},
		{"another entrepreneur sees nothing", "other", "cancel", "", nil, core.NotFound, ""},
		{"the assignee starts", "desk2", "start", "", nil, "", onestop.InProgress},
		{"the owner cannot cancel once started", "owner", "cancel", "", nil, core.Conflict, ""},
		{"completing needs a note", "desk2", "complete", " ", nil, core.Invalid, ""},
		{"the assignee completes", "desk2", "complete", "已完成計劃書", nil, "", onestop.Completed},
		{"nothing after completion", "desk2", "complete", "again", nil, core.Conflict, ""},
	}
	for _, s := range steps {
		got, err := svc.Act(ctx, u[s.actor], r.ID, s.action, s.note, s.assignee, servicetest.Meta)
		if s.code != "" {
			if !core.IsCode(err, s.code) {
				t.Errorf("%s: got %v, want %s", s.name, err, s.code)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got.Status != s.status {
			t.Errorf("%s: status %s, want %s", s.name, got.Status, s.status)
		}
	}
	final, err := svc.Get(ctx, u["owner"], r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(final.History) != 4 || final.ClosedAt.IsZero() || final.AssigneeID != desk2.ID {
		t.Errorf("history %d steps, closed %v, assignee %s", len(final.History), final.ClosedAt, final.AssigneeID)
	}
}

// TestConcurrentStepsOneWins: two staff completing at once, one succeeds.
func TestConcurrentStepsOneWins(t *testing.T) {
	e, svc, u := world(t)
	ctx := context.Background()
	r, _ := svc.Create(ctx, u["owner"], onestop.NewRequest{Type: "financing", Details: "x"}, servicetest.Meta)
	desk := u["desk"]
	if _, err := svc.Act(ctx, desk, r.ID, "assign", "", &desk, servicetest.Meta); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Act(ctx, desk, r.ID, "start", "", nil, servicetest.Meta); err != nil {
		t.Fatal(err)
	}
	admin := e.Admin // an administrator may act on any request
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, who := range []accounts.Principal{desk, admin} {
		wg.Go(func() { _, errs[i] = svc.Act(ctx, who, r.ID, "complete", "done", nil, servicetest.Meta) })
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("both or neither completed: %v", errs)
	}
}

// TestListScopes: an entrepreneur lists their own requests, staff all,
// and the overdue filter finds open requests past their limit.
func TestListScopes(t *testing.T) {
	e, svc, u := world(t)
	ctx := context.Background()
	for _, who := range []string{"owner", "owner", "other"} {
		if _, err := svc.Create(ctx, u[who], onestop.NewRequest{Type: "financing", Details: "x"}, servicetest.Meta); err != nil {
			t.Fatal(err)
		}
	}
	count := func(actor accounts.Principal, q onestop.Query) int {
		_, n, _, err := svc.List(ctx, actor, q)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(u["owner"], onestop.Query{}); n != 2 {
		t.Errorf("the owner lists %d, want 2", n)
	}
	if n := count(u["owner"], onestop.Query{OwnerID: u["other"].ID}); n != 2 {
		t.Errorf("an owner asking for another's requests got %d of theirs, want their own 2", n)
	}
	if n := count(u["desk"], onestop.Query{}); n != 3 {
		t.Errorf("staff list %d, want 3", n)
	}
	if n := count(u["desk"], onestop.Query{Overdue: true}); n != 0 {
		t.Errorf("%d overdue before the limit", n)
	}
	// Due on Thursday 5 November: late that evening they are on time, and
	// overdue once the day is over.
	e.Now.Store(time.Date(2026, 11, 5, 23, 30, 0, 0, core.CST).UnixMilli())
	if n := count(u["desk"], onestop.Query{Overdue: true}); n != 0 {
		t.Errorf("%d overdue on the last day of the limit", n)
	}
	e.Advance(time.Hour)
	if n := count(u["desk"], onestop.Query{Overdue: true}); n != 3 {
		t.Errorf("%d overdue after the limit, want 3", n)
	}
	if rows, _, _, _ := svc.List(ctx, u["desk"], onestop.Query{}); len(rows) == 0 || rows[0].LimitDays != 3 {
		t.Errorf("the queue does not carry the limit in working days: %+v", rows)
	}
	if _, _, _, err := svc.List(ctx, accounts.Principal{}, onestop.Query{}); !core.IsCode(err, core.Unauthenticated) {
		t.Errorf("a guest listed: %v", err)
	}
}
