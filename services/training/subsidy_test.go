package training_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"onestop/services/core"
	"onestop/services/training"
)

// TestSubsidyBoundedByPolicy: the subsidy per trainee is at most the course
// fee and at most the catalogue's standard for the kind of course
// (start-up training: awareness 400, planning and management 1,500;
// skills, under the farmers' training policy: 1,500), whatever the
// provider types.
func TestSubsidyBoundedByPolicy(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	course := func(kind string, fee, subsidy int64) training.NewCourse {
		return training.NewCourse{Title: "SYB 創業培訓", Kind: kind, Place: "東城區", Seats: 30, FeeYuan: fee, SubsidyYuan: subsidy,
			Sessions: []training.Session{{StartsAt: e.at().Add(24 * time.Hour), Hours: 3}}}
	}
	tests := []struct {
		name string
		in   training.NewCourse
		want string // the subsidy field's message; "" accepted
	}{
		{"a free course claiming 10,000 a trainee", course("planning", 0, 10_000), "error.training.subsidy_fee"},
		{"more than the fee", course("planning", 1000, 1200), "error.training.subsidy_fee"},
		{"more than the start-up standard", course("planning", 5000, 1501), "error.training.subsidy_standard"},
		{"more than the awareness standard", course("awareness", 1000, 401), "error.training.subsidy_standard"},
		{"more than the skills standard", course("skills", 20_000, 10_000), "error.training.subsidy_standard"},
		{"negative", course("planning", 1000, -1), "error.number.range"},
		{"at the standard, within the fee", course("planning", 5000, 1500), ""},
		{"the whole fee, below the standard", course("management", 600, 600), ""},
		{"skills at the standard", course("skills", 1500, 1500), ""},
		{"no subsidy", course("planning", 0, 0), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.CreateCourse(ctx, e.who["school"], tt.in, meta)
			if got := subsidyError(err); got != tt.want || (tt.want == "" && err != nil) {
				t.Fatalf("subsidy error %q (%v), want %q", got, err, tt.want)
			}
		})
	}
	// A kind no active policy subsidises carries no subsidy.
	for _, id := range []string{"startup-training-subsidy", "ui-training-subsidy"} {
		p, err := e.policies.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		off := *p
		off.Active = false
		if err := e.policies.Save(ctx, e.who["admin"], &off, meta); err != nil {
			t.Fatal(err)
		}
	}
	_, err := e.svc.CreateCourse(ctx, e.who["school"], course("management", 600, 100), meta)
	if got := subsidyError(err); got != "error.training.subsidy_kind" {
		t.Fatalf("a kind no policy subsidises: %q (%v)", got, err)
	}
}

// TestClaimPaysTheStandard: a claim pays the standard in force when it is
// made, not a higher figure the course carries.
func TestClaimPaysTheStandard(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	school := e.who["school"]
	in := training.NewCourse{Title: "被征地農民烹飪技能培訓", Kind: "skills", Place: "東城區", Seats: 10, FeeYuan: 1500, SubsidyYuan: 1500,
		Sessions: []training.Session{{StartsAt: e.at().Add(24 * time.Hour), Hours: 3}}}
	c, err := e.svc.CreateCourse(ctx, school, in, meta)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Enrol(ctx, e.who["farmer"], c.ID, "", meta); err != nil {
		t.Fatal(err)
	}
	e.advance(7 * 24 * time.Hour)
	if err := e.svc.RecordAttendance(ctx, school, c.ID, "s1", []string{e.who["farmer"].ID}, meta); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Complete(ctx, school, c.ID, meta); err != nil {
		t.Fatal(err)
	}
	// The bureau lowers the standard before the claim.
	p, err := e.policies.Get(ctx, "farmer-free-training")
	if err != nil {
		t.Fatal(err)
	}
	lower := *p
	lower.Benefit.PerTraineeYuan = map[string]int64{"skills": 1000}
	if err := e.policies.Save(ctx, e.who["admin"], &lower, meta); err != nil {
		t.Fatal(err)
	}
	cl, err := e.svc.CreateClaim(ctx, school, c.ID, meta)
	if err != nil || len(cl.Lines) != 1 || cl.Lines[0].AmountYuan != 1000 || cl.TotalYuan != 1000 {
		t.Fatalf("claim %+v %v", cl, err)
	}
}

// subsidyError is the message on the subsidy field of a refused course.
func subsidyError(err error) string {
	var ce *core.Error
	if !errors.As(err, &ce) {
		return ""
	}
	return ce.Fields["subsidy_yuan"]
}
