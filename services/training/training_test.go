package training_test

import (
	"context"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/figures"
	"onestop/services/people"
	"onestop/services/policy"
	"onestop/services/servicetest"
	"onestop/services/store/storetest"
	"onestop/services/training"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var meta = accounts.Meta{IP: "192.0.2.10"}

type env struct {
	svc      *training.Service
	figs     *figures.Service
	people   *people.Service
	policies *policy.Catalogue
	now      *atomic.Int64
	who      map[string]accounts.Principal
}

func (e *env) advance(d time.Duration) { e.now.Add(d.Milliseconds()) }
func (e *env) at() time.Time           { return time.UnixMilli(e.now.Load()) }

// setup: two listed providers and one delisted, three entrepreneurs with
// real-name profiles (one a land-expropriated farmer the free-training
// policy fits), hotline staff and an administrator.
func setup(t *testing.T) *env {
	t.Helper()
	x := servicetest.New(t, time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC), training.Collections...)
	ctx := context.Background()
	svc := servicetest.Must(training.New(training.Deps{Store: x.Store, Outbox: x.Outbox, Audit: x.Audit, People: x.People, Policies: x.Policies,
		Accounts: x.Accounts, Figures: x.Figures, Clock: x.Clock, Reference: x.Reference}))
	x.Ready(t)
	admin, ppl := x.Admin, x.People
	e := &env{svc: svc, figs: x.Figures, people: ppl, policies: x.Policies, now: x.Now, who: x.Users(t, map[string]accounts.Role{"farmer": accounts.Entrepreneur,
		"grad": accounts.Entrepreneur, "noname": accounts.Entrepreneur, "staff": accounts.Hotline, "school": accounts.Provider, "academy": accounts.Provider,
		"delisted": accounts.Provider, "mentor": accounts.Mentor})}
	e.who["admin"] = admin
	for _, p := range []string{"school", "academy", "delisted"} {
		if _, err := svc.SetListed(ctx, admin, e.who[p].ID, p != "delisted", meta); err != nil {
			t.Fatal(err)
		}
	}
	yes, no, zero := true, false, 0
	mu := 0.1
	birth := core.NewDate(1995, 1, 1)
	for who, in := range map[string]people.Input{
		"farmer": {RealName: "李秀英", Facts: policy.Facts{TargetGroups: []string{"land_expropriated_farmer"}, FarmlandPerCapitaMu: &mu,
			BirthDate: &birth, Gender: "female", Employed: &no, HasSkillCertificate: &no, TrainingRefusals: &zero, WantsTraining: &yes}},
		"grad": {RealName: "王小明", Facts: policy.Facts{WantsTraining: &yes}},
	} {
		in.ConsentVersion = people.NoticeVersion
		if _, err := ppl.Save(ctx, e.who[who], in, "api", meta); err != nil {
			t.Fatal(err)
		}
	}
	// The roster entry is the village's to give, not the farmer's (#17).
	if _, err := ppl.FromRoster(ctx, e.who["farmer"].ID, people.RosterEntry{Roster: "北山村花名冊", Fact: "on_farmer_roster", Value: "true"}); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) course(t *testing.T, provider, kind string, seats int, skill bool) *training.Course {
	t.Helper()
	start := e.at().Add(48 * time.Hour)
	// A fully subsidised course, within every kind's standard but the
	// awareness course's (400 yuan).
	subsidy := int64(800)
	if kind == "awareness" {
		subsidy = 400
	}
	in := training.NewCourse{Title: "創業培訓 " + kind, Kind: kind, Place: "東城區就業服務中心", Seats: seats, FeeYuan: subsidy, SubsidyYuan: subsidy, SkillCert: skill,
		Sessions: []training.Session{{StartsAt: start, Hours: 3}, {StartsAt: start.Add(24 * time.Hour), Hours: 3}, {StartsAt: start.Add(48 * time.Hour), Hours: 3},
			{StartsAt: start.Add(72 * time.Hour), Hours: 3}, {StartsAt: start.Add(96 * time.Hour), Hours: 3}}}
	if skill {
		in.Certificate = "創業培訓合格證書"
	}
	c, err := e.svc.CreateCourse(context.Background(), e.who[provider], in, meta)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func fields(err error) []string { return core.FieldNames(err) }

func (e *env) status(t *testing.T, who, policyID string) policy.Status {
	t.Helper()
	p, err := e.people.Get(context.Background(), e.who[who], e.who[who].ID)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := e.policies.Check(context.Background(), &p.Facts, core.DateOf(e.at()))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Policy.ID == policyID {
			return r.Status
		}
	}
	t.Fatalf("no policy %s", policyID)
	return ""
}

func TestAttendanceCompletionEligibility(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	school := e.who["school"]
	c := e.course(t, "school", "skills", 2, true)
	if got := e.status(t, "farmer", "farmer-free-training"); got != policy.Eligible {
		t.Fatalf("before training the farmer's free training is %s", got)
	}
	// Enrolment: by real name, once, within the seats.
	if _, err := e.svc.Enrol(ctx, e.who["farmer"], c.ID, "", meta); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Enrol(ctx, e.who["farmer"], c.ID, "", meta); !core.IsCode(err, core.Conflict) {
		t.Fatalf("enrolling twice: %v", err)
	}
	if _, err := e.svc.Enrol(ctx, e.who["noname"], c.ID, "", meta); !slices.Contains(fields(err), "person_id") {
		t.Fatalf("without a real name: %v", err)
	}
	if _, err := e.svc.Enrol(ctx, e.who["staff"], c.ID, e.who["grad"].ID, meta); err != nil { // the hotline enrols a caller
		t.Fatal(err)
	}
	third := e.course(t, "school", "awareness", 1, false)
	if _, err := e.svc.Enrol(ctx, e.who["grad"], third.ID, "", meta); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Enrol(ctx, e.who["farmer"], third.ID, "", meta); !core.IsCode(err, core.Conflict) {
		t.Fatalf("over the seats: %v", err)
	}
	for _, who := range []string{"mentor", "school"} {
		if _, err := e.svc.Enrol(ctx, e.who[who], c.ID, "", meta); !core.IsCode(err, core.Forbidden) {
			t.Errorf("%s enrols: %v", who, err)
		}
	}

	// Attendance: the provider of the course only, enrolled people only.
	e.advance(7 * 24 * time.Hour)
	if err := e.svc.RecordAttendance(ctx, e.who["academy"], c.ID, "s1", []string{e.who["farmer"].ID}, meta); !core.IsCode(err, core.NotFound) {
		t.Fatalf("another provider records: %v", err)
	}
	if err := e.svc.RecordAttendance(ctx, school, c.ID, "s1", []string{e.who["noname"].ID}, meta); !slices.Contains(fields(err), "present") {
		t.Fatalf("a person not enrolled: %v", err)
	}
	// The farmer attends all five; the graduate three of five (60 % < 80 %).
	for i, s := range []string{"s1", "s2", "s3", "s4", "s5"} {
		present := []string{e.who["farmer"].ID}
		if i < 3 {
			present = append(present, e.who["grad"].ID)
		}
		if err := e.svc.RecordAttendance(ctx, school, c.ID, s, present, meta); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.svc.CreateClaim(ctx, school, c.ID, meta); !core.IsCode(err, core.Conflict) {
		t.Fatalf("a claim before completion: %v", err)
	}
	got, err := e.svc.Complete(ctx, school, c.ID, meta)
	if err != nil || got.Passed != 1 || got.NotPassed != 1 {
		t.Fatalf("complete: %+v %v", got, err)
	}
	// The certificate updates the profile, and eligibility follows.
	if got := e.status(t, "farmer", "farmer-free-training"); got != policy.NotEligible {
		t.Errorf("after a skill certificate the free training is %s", got)
	}
	mine, _ := e.svc.Mine(ctx, e.who["farmer"])
	if len(mine) != 1 || mine[0].Status != training.Passed || mine[0].Code == "" {
		t.Fatalf("farmer's trainings %+v", mine)
	}
	cert, err := e.svc.Verify(ctx, mine[0].Code)
	if err != nil || cert.Name != "李**" || cert.Certificate != "創業培訓合格證書" {
		t.Fatalf("verify: %+v %v", cert, err)
	}
	if _, err := e.svc.Verify(ctx, "ABCDEFGHJK"); !core.IsCode(err, core.NotFound) {
		t.Fatalf("a made-up code: %v", err)
	}
	p, _ := e.people.Get(ctx, e.who["farmer"], e.who["farmer"].ID)
	if len(p.Trainings) != 1 || p.Trainings[0].Code != mine[0].Code {
		t.Fatalf("training history %+v", p.Trainings)
	}
	if err := e.svc.RecordAttendance(ctx, school, c.ID, "s1", nil, meta); !core.IsCode(err, core.Conflict) {
		t.Fatalf("attendance after completion: %v", err)
	}
	// The training effect, by provider: three enrolled (two here, one on
	// the awareness course), one passed, one not; a rebuild agrees.
	f, err := e.figs.Read(ctx, "2026-11", "2026-12", "provider", school.ID)
	if err != nil || f.Counts["training_enrolled"] != 3 || f.Counts["training_passed"] != 1 || f.Counts["training_not_passed"] != 1 {
		t.Fatalf("figures %v %v", f.Counts, err)
	}
	before, _ := e.figs.Snapshot(ctx)
	if _, err := e.figs.Rebuild(ctx, []figures.Source{e.svc.FigureSource()}, nil); err != nil {
		t.Fatal(err)
	}
	if after, _ := e.figs.Snapshot(ctx); !reflect.DeepEqual(before, after) {
		t.Fatalf("rebuild differs:\n%v\n%v", before, after)
	}
}

func TestSubsidyClaims(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	run := func(provider, kind string) *training.Course {
		c := e.course(t, provider, kind, 10, false)
		for _, who := range []string{"farmer", "grad"} {
			if _, err := e.svc.Enrol(ctx, e.who[who], c.ID, "", meta); err != nil {
				t.Fatal(err)
			}
		}
		e.advance(7 * 24 * time.Hour)
		for _, s := range []string{"s1", "s2", "s3", "s4", "s5"} {
			if err := e.svc.RecordAttendance(ctx, e.who[provider], c.ID, s, []string{e.who["farmer"].ID, e.who["grad"].ID}, meta); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.svc.Complete(ctx, e.who[provider], c.ID, meta); err != nil {
			t.Fatal(err)
		}
		return c
	}
	first := run("school", "planning")
	cl, err := e.svc.CreateClaim(ctx, e.who["school"], first.ID, meta)
	if err != nil || len(cl.Lines) != 2 || cl.TotalYuan != 1600 {
		t.Fatalf("claim %+v %v", cl, err)
	}
	if _, err := e.svc.CreateClaim(ctx, e.who["school"], first.ID, meta); !core.IsCode(err, core.Conflict) {
		t.Fatalf("a second claim for the same course: %v", err)
	}
	// Start-up training is subsidised once: another start-up course by
	// another provider claims nobody.
	second := run("academy", "awareness")
	if _, err := e.svc.CreateClaim(ctx, e.who["academy"], second.ID, meta); !core.IsCode(err, core.Conflict) {
		t.Fatalf("start-up training subsidised twice: %v", err)
	}
	// The bureau reviews: providers cannot, a rejection needs a reason.
	if _, err := e.svc.ReviewClaim(ctx, e.who["school"], cl.ID, "approve", "", meta); !core.IsCode(err, core.Forbidden) {
		t.Fatalf("provider approves: %v", err)
	}
	if _, err := e.svc.ReviewClaim(ctx, e.who["admin"], cl.ID, "reject", "", meta); !slices.Contains(fields(err), "note") {
		t.Fatalf("reject without reason: %v", err)
	}
	if _, err := e.svc.ReviewClaim(ctx, e.who["admin"], cl.ID, "pay", "", meta); !core.IsCode(err, core.Conflict) {
		t.Fatalf("paid before approval: %v", err)
	}
	if _, err := e.svc.ReviewClaim(ctx, e.who["admin"], cl.ID, "reject", "名單需附簽到表", meta); err != nil {
		t.Fatal(err)
	}
	// Rejected: the trainees are free to be claimed again — by the school
	// for its course (the academy's claim keeps refusing: the school's
	// course claims them first).
	cl2, err := e.svc.CreateClaim(ctx, e.who["school"], first.ID, meta)
	if err != nil || len(cl2.Lines) != 2 {
		t.Fatalf("claim after rejection: %+v %v", cl2, err)
	}
	for _, step := range []string{"approve", "pay"} {
		if cl2, err = e.svc.ReviewClaim(ctx, e.who["admin"], cl2.ID, step, "", meta); err != nil {
			t.Fatal(err)
		}
	}
	if cl2.Status != training.Paid {
		t.Fatalf("claim %s", cl2.Status)
	}
	if _, err := e.svc.Claim(ctx, e.who["academy"], cl2.ID); !core.IsCode(err, core.NotFound) {
		t.Fatalf("another provider reads the claim: %v", err)
	}
	stats, err := e.svc.Stats(ctx, e.who["admin"])
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range stats {
		if st.Provider.ID == e.who["school"].ID && (st.Passed != 2 || st.CompletionRate != 100 || st.PaidYuan != 1600) {
			t.Errorf("school stats %+v", st)
		}
	}
}

func TestCourseRules(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	past := e.at().Add(-time.Hour)
	good := training.NewCourse{Title: "SYB 創業培訓", Kind: "planning", Place: "東城區", Seats: 30,
		Sessions: []training.Session{{StartsAt: e.at().Add(24 * time.Hour), Hours: 3}}}
	for _, tt := range []struct {
		who   string
		edit  func(*training.NewCourse)
		field string
		code  core.Code
	}{
		{"delisted", nil, "", core.Forbidden},
		{"grad", nil, "", core.Forbidden},
		{"school", func(c *training.NewCourse) { c.Title = "" }, "title", core.Invalid},
		{"school", func(c *training.NewCourse) { c.Kind = "magic" }, "kind", core.Invalid},
		{"school", func(c *training.NewCourse) { c.Seats = 0 }, "seats", core.Invalid},
		{"school", func(c *training.NewCourse) { c.Sessions = []training.Session{{StartsAt: past, Hours: 3}} }, "sessions", core.Invalid},
		{"school", func(c *training.NewCourse) { c.Sessions = nil }, "sessions", core.Invalid},
		{"school", func(c *training.NewCourse) { c.Place, c.Online = "", false }, "place", core.Invalid},
		{"school", func(c *training.NewCourse) { c.SkillCert = true }, "certificate", core.Invalid},
		{"school", func(c *training.NewCourse) { c.TargetGroups = []string{"astronauts"} }, "target_groups", core.Invalid},
	} {
		in := good
		if tt.edit != nil {
			tt.edit(&in)
		}
		_, err := e.svc.CreateCourse(ctx, e.who[tt.who], in, meta)
		if !core.IsCode(err, tt.code) || (tt.field != "" && !slices.Contains(fields(err), tt.field)) {
			t.Errorf("%s %s: %v", tt.who, tt.field, err)
		}
	}
	c, err := e.svc.CreateCourse(ctx, e.who["school"], good, meta)
	if err != nil {
		t.Fatal(err)
	}
	r, _, err := e.svc.Catalogue(ctx, training.CatalogueQuery{Text: "創業培訓"})
	if err != nil || r.Total != 1 || r.Hits[0].ID != c.ID {
		t.Fatalf("catalogue: %+v %v", r, err)
	}
	if _, err := e.svc.Complete(ctx, e.who["school"], c.ID, meta); !core.IsCode(err, core.Conflict) {
		t.Fatalf("complete before the last session: %v", err)
	}
}
