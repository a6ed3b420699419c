package hotline_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/hotline"
	"onestop/services/notify"
	"onestop/services/people"
	"onestop/services/policy"
	"onestop/services/servicetest"
)

// fieldKey is the catalog key a validation error gives field ("" none).
func fieldKey(err error, field string) string {
	var ce *core.Error
	if errors.As(err, &ce) {
		return ce.Fields[field]
	}
	return ""
}

// counts reads the city's counters of one month.
func (e *env) counts(t testing.TB, month string) map[string]int64 {
	t.Helper()
	servicetest.Settle(t, e.deps.Outbox)
	f, err := e.figures.Read(context.Background(), month, month, "all", "all")
	if err != nil {
		t.Fatal(err)
	}
	return f.Counts
}

// rebuildAgrees rebuilds the rollups from the records and compares them
// with those the writes kept.
func (e *env) rebuildAgrees(t testing.TB) {
	t.Helper()
	servicetest.Settle(t, e.deps.Outbox)
	ctx := context.Background()
	before, _ := e.figures.Snapshot(ctx)
	if _, err := e.figures.Rebuild(ctx, e.svc.FigureSources(), nil); err != nil {
		t.Fatal(err)
	}
	if after, _ := e.figures.Snapshot(ctx); !reflect.DeepEqual(before, after) {
		t.Fatalf("rebuild differs:\nkept    %v\nrebuilt %v", before, after)
	}
}

// auditActions lists the venture actions audited on a target, with their
// details, sorted (the test clock stands still, so their times tie).
func (e *env) auditActions(t testing.TB, target string) []string {
	t.Helper()
	r, _, err := e.deps.Audit.Search(context.Background(), audit.Query{Target: target, Page: core.Page{Size: 100}})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range r.Hits {
		if a := h.String("action"); strings.HasPrefix(a, "venture.") {
			out = append(out, a+" "+h.String("detail"))
		}
	}
	slices.Sort(out)
	return out
}

// TestVentureSelfReportBounds: the person's own head-count is bounded
// (0–299), staff's more loosely (0–999); the refusal is on the field, and a
// refused answer changes nothing. The one-account attack of the probe — a
// self-report of 100,000 people — is refused.
func TestVentureSelfReportBounds(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	li, staff := e.who["li"], e.who["staff"]
	// Registered 35 months ago: every check-in is open to answer.
	reg := e.today().AddMonths(-35)
	e.profile(t, "li", "李四", "", "", &policy.Venture{Stage: "operating", Industry: "services", FirstRegistered: &reg})
	yes := true
	for _, tt := range []struct {
		name      string
		who       accounts.Principal
		month, n  int
		refused   string // the field's error key
		review    string
		employees int
	}{
		{name: "a self-report of 100,000", who: li, month: 6, n: 100000, refused: "error.venture.employees"},
		{name: "a self-report of 300", who: li, month: 6, n: 300, refused: "error.venture.employees"},
		{name: "a negative self-report", who: li, month: 6, n: -1, refused: "error.venture.employees"},
		{name: "staff recording 100,000", who: staff, month: 6, n: 100000, refused: "error.venture.employees_staff"},
		{name: "staff recording 1,000", who: staff, month: 6, n: 1000, refused: "error.venture.employees_staff"},
		{name: "the most a person may report waits for staff", who: li, month: 6, n: 299, review: hotline.ToVerify, employees: 299},
		{name: "staff record up to 999, verified", who: staff, month: 12, n: 999, employees: 999},
		{name: "a small self-report is taken as said", who: li, month: 24, n: 12, employees: 12},
	} {
		v, err := e.svc.RecordStability(ctx, tt.who, li.ID, hotline.StabilityAnswer{Month: tt.month, On: e.today(), Operating: &yes, Employees: tt.n}, meta)
		if got := fieldKey(err, "employees"); got != tt.refused || (tt.refused == "" && err != nil) {
			t.Errorf("%s: %q (%v), want %q", tt.name, got, err, tt.refused)
			continue
		}
		if tt.refused != "" {
			if v, _ := e.svc.Venture(ctx, staff, li.ID); v.Checks[0].Done {
				t.Errorf("%s: the refused answer was kept: %+v", tt.name, v.Checks[0])
			}
			continue
		}
		k := v.Checks[map[int]int{6: 0, 12: 1, 24: 2, 36: 3}[tt.month]]
		if !k.Done || k.Review != tt.review || k.Employees != tt.employees {
			t.Errorf("%s: %+v", tt.name, k)
		}
	}
	// The city's figures: staff's 999 verified, the person's 12 as
	// self-reported, the 299 waiting and counted in neither.
	n := e.counts(t, e.today().String()[:7])
	for k, want := range map[string]int64{"stability_employees_verified": 999, "stability_checked_verified": 1, "stability_employees_self": 12,
		"stability_checked_self": 1, "stability_to_verify": 1, "stability_employees_to_verify": 299} {
		if n[k] != want {
			t.Errorf("%s = %d, want %d (%v)", k, n[k], want, n)
		}
	}
	// A venture that closed employs nobody, whatever the form held.
	no := false
	v, err := e.svc.RecordStability(ctx, li, li.ID, hotline.StabilityAnswer{Month: 36, On: e.today(), Operating: &no, Employees: 250}, meta)
	if err != nil || v.Checks[3].Employees != 0 || v.Checks[3].Review != "" || v.Status != hotline.VentureClosed {
		t.Fatalf("closed: %+v %v", v, err)
	}
	e.rebuildAgrees(t)
}

// TestVentureOutlierVerified: a self-reported jump within the bound is
// accepted but waits for staff in their queue, and does not move the
// verified figures; staff verify it (correcting the figure), and it moves
// them — audited, once, and a rebuild agrees. A rejected one is asked
// again; a staff-recorded answer counts as verified at once.
func TestVentureOutlierVerified(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	li, wang, staff, admin := e.who["li"], e.who["wang"], e.who["staff"], e.who["admin"]
	reg := core.NewDate(2025, 5, 10) // 6 and 12 months due
	e.profile(t, "li", "李四", "", "", &policy.Venture{Stage: "operating", Industry: "services", FirstRegistered: &reg})
	e.profile(t, "wang", "王小明", "", "", &policy.Venture{Stage: "operating", Industry: "services", FirstRegistered: &reg})
	yes := true
	answer := func(who accounts.Principal, id string, month, n int) *hotline.Venture {
		t.Helper()
		v, err := e.svc.RecordStability(ctx, who, id, hotline.StabilityAnswer{Month: month, On: e.today(), Operating: &yes, Employees: n}, meta)
		if err != nil {
			t.Fatalf("month %d, %d people: %v", month, n, err)
		}
		return v
	}
	if v := answer(li, li.ID, 6, 3); v.Checks[0].Review != "" {
		t.Fatalf("3 people waits for staff: %+v", v.Checks[0])
	}
	if v := answer(li, li.ID, 12, 250); v.Checks[1].Review != hotline.ToVerify {
		t.Fatalf("3 → 250 people taken as said: %+v", v.Checks[1])
	}
	month, may := e.today().String()[:7], "2025-05"
	verified := func() (int64, int64) {
		n, m := e.counts(t, month), e.counts(t, may)
		return n["stability_employees_verified"], m["cohort_employees_12_verified"]
	}
	if jobs, cohort := verified(); jobs != 0 || cohort != 0 || e.counts(t, month)["stability_employees_self"] != 3 {
		t.Fatalf("before staff look: verified jobs %d, cohort %d; %v", jobs, cohort, e.counts(t, month))
	}
	e.rebuildAgrees(t)

	// The queue: staff and administrators see it, with the figure before.
	for _, who := range []accounts.Principal{staff, admin} {
		rows, total, _, err := e.svc.StabilityToVerify(ctx, who, core.Page{})
		if err != nil || total != 1 || len(rows) != 1 || rows[0].VentureID != li.ID || rows[0].Month != 12 || rows[0].Employees != 250 || rows[0].Previous != 3 {
			t.Fatalf("queue as %s: %+v %d %v", who.Role, rows, total, err)
		}
	}
	for _, tt := range []struct {
		name string
		who  accounts.Principal
		in   hotline.StabilityReview
		code core.Code
	}{
		{"the person cannot see the queue's work", li, hotline.StabilityReview{Month: 12, Decision: "verify"}, core.Forbidden},
		{"another entrepreneur neither", wang, hotline.StabilityReview{Month: 12, Decision: "verify"}, core.Forbidden},
		{"an unknown decision", staff, hotline.StabilityReview{Month: 12, Decision: "approve"}, core.Invalid},
		{"a correction out of bounds", staff, hotline.StabilityReview{Month: 12, Decision: "verify", Employees: new(5000)}, core.Invalid},
		{"a check-in not answered", staff, hotline.StabilityReview{Month: 24, Decision: "verify"}, core.Conflict},
	} {
		if _, err := e.svc.ReviewStability(ctx, tt.who, li.ID, tt.in, meta); !core.IsCode(err, tt.code) {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
		}
	}
	if _, _, _, err := e.svc.StabilityToVerify(ctx, li, core.Page{}); !core.IsCode(err, core.Forbidden) {
		t.Errorf("the person reads the queue: %v", err)
	}

	// Staff verify it at the figure they heard: 25.
	v, err := e.svc.ReviewStability(ctx, staff, li.ID, hotline.StabilityReview{Month: 12, Decision: "verify", Employees: new(25)}, meta)
	if err != nil || v.Checks[1].Review != hotline.Verified || v.Checks[1].Employees != 25 || v.Checks[1].Reported != 250 {
		t.Fatalf("verified: %+v %v", v, err)
	}
	if jobs, cohort := verified(); jobs != 25 || cohort != 25 {
		t.Fatalf("after verification: verified jobs %d, cohort %d", jobs, cohort)
	}
	if n := e.counts(t, month); n["stability_to_verify"] != 0 || n["stability_employees_to_verify"] != 0 || n["stability_employees_self"] != 3 {
		t.Fatalf("after verification: %v", n)
	}
	if _, err := e.svc.ReviewStability(ctx, staff, li.ID, hotline.StabilityReview{Month: 12, Decision: "verify"}, meta); !core.IsCode(err, core.Conflict) {
		t.Errorf("verified twice: %v", err)
	}
	if _, total, _, _ := e.svc.StabilityToVerify(ctx, staff, core.Page{}); total != 0 {
		t.Errorf("still queued: %d", total)
	}
	want := []string{"venture.checkin 12 to_verify", "venture.checkin 6", "venture.checkin.verify 12 250→25"} // sorted
	if got := e.auditActions(t, li.ID); !reflect.DeepEqual(got, want) {
		t.Errorf("audit: %q, want %q", got, want)
	}
	e.rebuildAgrees(t)

	// Wang's jump is rejected: dropped from the figures, asked again.
	answer(wang, wang.ID, 6, 120)
	v, err = e.svc.ReviewStability(ctx, admin, wang.ID, hotline.StabilityReview{Month: 6, Decision: "reject"}, meta)
	if err != nil || v.Checks[0].Done || v.Status != hotline.Tracking || !v.NextDue.Equal(v.Checks[0].DueOn) {
		t.Fatalf("rejected: %+v %v", v, err)
	}
	if n := e.counts(t, month); n["stability_to_verify"] != 0 || n["stability_checked_self"] != 1 {
		t.Fatalf("after the rejection: %v", n)
	}
	if told, _, _ := e.notify.List(ctx, wang.ID, core.Page{}); !slices.ContainsFunc(told, func(n notify.Notification) bool { return n.Key == "notify.stability.rejected" }) {
		t.Errorf("wang was not told to answer again: %+v", told)
	}
	// Staff then record it themselves: verified at once.
	answer(staff, wang.ID, 6, 40)
	if jobs, _ := verified(); jobs != 65 {
		t.Fatalf("after staff's answer: verified jobs %d, want 65", jobs)
	}
	e.rebuildAgrees(t)
}

// TestVentureRegistrationLocked: the person corrects the registration date
// until the first check-in is answered, never to before the follow-up
// window; then only staff do, and the check-ins, the figures and the
// profile move with it. A venture first declared after every check-in has
// passed is not followed.
func TestVentureRegistrationLocked(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	li, staff := e.who["li"], e.who["staff"]
	save := func(reg core.Date) error {
		in := people.Input{RealName: "李四", District: "dongcheng", ConsentVersion: people.NoticeVersion}
		in.Facts.Venture = &policy.Venture{Stage: "operating", Industry: "services", FirstRegistered: &reg}
		_, err := e.people.Save(ctx, li, in, "api", meta)
		return err
	}
	registered := func() core.Date {
		t.Helper()
		v, err := e.svc.Venture(ctx, staff, li.ID)
		if err != nil {
			t.Fatal(err)
		}
		return v.FirstRegistered
	}
	old := e.today().AddMonths(-40)
	if err := save(old); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Venture(ctx, staff, li.ID); !core.IsCode(err, core.NotFound) {
		t.Fatalf("a venture past every check-in is followed: %v", err)
	}
	may, april, march := core.NewDate(2025, 5, 10), core.NewDate(2025, 4, 1), core.NewDate(2025, 3, 3)
	for _, tt := range []struct {
		name    string
		reg     core.Date
		refused string
		want    core.Date
	}{
		{"followed from May", may, "", may},
		{"corrected before any check-in", april, "", april},
		{"not to before the window", old, "error.venture.registered_window", april},
		{"not to the future", e.today().AddDays(1), "error.date.future", april},
	} {
		err := save(tt.reg)
		if got := fieldKey(err, "venture.first_registered"); got != tt.refused || (tt.refused == "" && err != nil) {
			t.Errorf("%s: %q (%v), want %q", tt.name, got, err, tt.refused)
		}
		if got := registered(); !got.Equal(tt.want) {
			t.Errorf("%s: registered %s, want %s", tt.name, got, tt.want)
		}
	}
	yes := true
	if _, err := e.svc.RecordStability(ctx, li, li.ID, hotline.StabilityAnswer{Month: 6, On: e.today(), Operating: &yes, Employees: 2}, meta); err != nil {
		t.Fatal(err)
	}
	if err := save(march); fieldKey(err, "venture.first_registered") != "error.venture.registered_locked" {
		t.Fatalf("a date moved after a check-in: %v", err)
	}
	if err := save(april); err != nil {
		t.Fatalf("the same date again: %v", err)
	}
	if n := e.counts(t, "2025-04"); n["ventures_started"] != 1 || n["cohort_checked_6_self"] != 1 {
		t.Fatalf("April's cohort: %v", n)
	}

	// Staff correct it on the papers.
	for _, tt := range []struct {
		name string
		who  accounts.Principal
		on   core.Date
		code core.Code
		key  string
	}{
		{"the person cannot", li, march, core.Forbidden, ""},
		{"not to the future", staff, e.today().AddDays(1), core.Invalid, "error.date.future"},
		{"not to before any registration", staff, core.NewDate(1900, 1, 1), core.Invalid, "error.venture.registered_floor"},
	} {
		_, err := e.svc.CorrectRegistration(ctx, tt.who, li.ID, tt.on, meta)
		if !core.IsCode(err, tt.code) || fieldKey(err, "first_registered") != tt.key {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	v, err := e.svc.CorrectRegistration(ctx, staff, li.ID, march, meta)
	if err != nil || !v.FirstRegistered.Equal(march) || !v.Checks[1].DueOn.Equal(march.AddMonths(12)) {
		t.Fatalf("corrected: %+v %v", v, err)
	}
	p, err := e.people.Get(ctx, staff, li.ID)
	if err != nil || !p.Facts.Venture.FirstRegistered.Equal(march) {
		t.Fatalf("the profile kept %v (%v)", p.Facts.Venture.FirstRegistered, err)
	}
	if a, m := e.counts(t, "2025-04"), e.counts(t, "2025-03"); a["ventures_started"] != 0 || m["ventures_started"] != 1 || m["cohort_checked_6_self"] != 1 {
		t.Fatalf("after the correction: April %v, March %v", a, m)
	}
	if err := save(march); err != nil {
		t.Fatalf("the corrected profile saved again: %v", err)
	}
	if got := e.auditActions(t, li.ID); !slices.Contains(got, "venture.registration.correct 2025-04-01→2025-03-03") {
		t.Errorf("audit: %q", got)
	}
	e.rebuildAgrees(t)
}

// TestVentureLegacyOutlier: a self-report above the bound kept from before
// the bound existed (the probe's 100,000) leaves the figures at the
// rebuild an upgrade runs, waits in the staff queue, and is verified only
// at a figure staff give.
func TestVentureLegacyOutlier(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	li, staff := e.who["li"], e.who["staff"]
	reg := core.NewDate(2025, 5, 10)
	e.profile(t, "li", "李四", "", "", &policy.Venture{Stage: "operating", Industry: "services", FirstRegistered: &reg})
	yes := true
	if _, err := e.svc.RecordStability(ctx, li, li.ID, hotline.StabilityAnswer{Month: 6, On: e.today(), Operating: &yes, Employees: 3}, meta); err != nil {
		t.Fatal(err)
	}
	servicetest.Settle(t, e.deps.Outbox)
	// As the old code stored it.
	if _, err := e.store.C("ventures").UpdateOne(ctx, bson.D{{Key: "_id", Value: li.ID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "checks.0.employees", Value: 100000}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.figures.Rebuild(ctx, e.svc.FigureSources(), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.deps.Outbox.Rebuild(ctx, hotline.VentureIndex.Name); err != nil {
		t.Fatal(err)
	}
	month := e.today().String()[:7]
	if n := e.counts(t, month); n["stability_employees_self"] != 0 || n["stability_to_verify"] != 1 || n["stability_employees_verified"] != 0 {
		t.Fatalf("after the upgrade's rebuild: %v", n)
	}
	if rows, total, _, err := e.svc.StabilityToVerify(ctx, staff, core.Page{}); err != nil || total != 1 || rows[0].Employees != 100000 {
		t.Fatalf("queue: %+v %d %v", rows, total, err)
	}
	if _, err := e.svc.ReviewStability(ctx, staff, li.ID, hotline.StabilityReview{Month: 6, Decision: "verify"}, meta); fieldKey(err, "employees") != "error.venture.employees_staff" {
		t.Fatalf("verified at 100,000: %v", err)
	}
	if _, err := e.svc.ReviewStability(ctx, staff, li.ID, hotline.StabilityReview{Month: 6, Decision: "verify", Employees: new(4)}, meta); err != nil {
		t.Fatal(err)
	}
	if n := e.counts(t, month); n["stability_employees_verified"] != 4 || n["stability_to_verify"] != 0 {
		t.Fatalf("after verification: %v", n)
	}
	e.rebuildAgrees(t)
}
