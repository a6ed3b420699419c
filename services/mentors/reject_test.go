package mentors_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/mentors"
	"onestop/services/servicetest"
)

// TestRejectApplication (#20): an administrator refuses a mentor
// application awaiting approval, with a reason. The applicant is told
// with the reason, leaves the pending list, is in no directory and no
// routing, sees the reason on their own record, and applies again by
// saving their profile. Anyone else, a bad reason, or an application not
// awaiting approval is refused and nothing is written.
func TestRejectApplication(t *testing.T) {
	x := servicetest.New(t, time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC), mentors.Collections...)
	svc := servicetest.Must(mentors.New(mentors.Deps{Store: x.Store, Outbox: x.Outbox, Audit: x.Audit, Notify: x.Notify, Clock: x.Clock,
		Figures: x.Figures, Reference: x.Reference}))
	x.Ready(t)
	ctx := context.Background()
	p := x.Users(t, map[string]accounts.Role{"applicant": accounts.Mentor, "active": accounts.Mentor, "paused": accounts.Mentor, "asker": accounts.Entrepreneur})
	profile := mentors.Profile{Type: "expert_scholar", Topics: []string{"law"}, Bio: "執業律師十年，處理合夥糾紛與勞動合同。", Languages: []string{"zh"}, Capacity: 3}
	for _, name := range []string{"applicant", "active", "paused"} {
		if _, err := svc.Save(ctx, p[name], profile, meta); err != nil {
			t.Fatal(err)
		}
	}
	for name, status := range map[string]string{"active": mentors.Active, "paused": mentors.Paused} {
		if err := svc.SetStatus(ctx, x.Admin, p[name].ID, status, meta); err != nil {
			t.Fatal(err)
		}
	}
	id := p["applicant"].ID
	reason := "目前律師名額已滿，歡迎明年再申請。"
	for _, tc := range []struct {
		name   string
		actor  accounts.Principal
		id     string
		reason string
		code   core.Code
		field  string
		msg    string
	}{
		{"the applicant themselves", p["applicant"], id, reason, core.Forbidden, "", "error.forbidden"},
		{"an entrepreneur", p["asker"], id, reason, core.Forbidden, "", "error.forbidden"},
		{"no reason", x.Admin, id, "   ", core.Invalid, "reason", "error.required"},
		{"a reason too short", x.Admin, id, "不適合", core.Invalid, "reason", "error.text.min|5"},
		{"a reason too long", x.Admin, id, strings.Repeat("長", 501), core.Invalid, "reason", "error.text.max|500"},
		{"no such applicant", x.Admin, "0000000000000000000000000a", reason, core.NotFound, "", "error.not_found"},
		{"an active mentor", x.Admin, p["active"].ID, reason, core.Conflict, "", "error.mentor.not_pending"},
		{"a paused mentor", x.Admin, p["paused"].ID, reason, core.Conflict, "", "error.mentor.not_pending"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.Reject(ctx, tc.actor, tc.id, tc.reason, meta)
			var ce *core.Error
			if !core.IsCode(err, tc.code) || !errors.As(err, &ce) {
				t.Fatalf("got %v, want %s", err, tc.code)
			}
			got := ce.Message
			if tc.field != "" {
				got = ce.Fields[tc.field]
			}
			if got != tc.msg {
				t.Errorf("message %q %v, want %s %q", ce.Message, ce.Fields, tc.field, tc.msg)
			}
			for _, who := range []string{"applicant", "active", "paused"} {
				if m, _ := svc.Mentor(ctx, p[who].ID); m.Status == mentors.Rejected || m.RejectReason != "" {
					t.Errorf("a refused rejection wrote %s: %+v", who, m)
				}
			}
		})
	}
	if n, _, _ := x.Notify.List(ctx, id, core.Page{}); len(n) != 0 {
		t.Fatalf("the applicant was told of refused rejections: %+v", n)
	}

	m, err := svc.Reject(ctx, x.Admin, id, "  "+reason+"\n", meta)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != mentors.Rejected || m.RejectReason != reason || m.RejectedAt.IsZero() {
		t.Fatalf("rejected: %+v", m)
	}
	if _, err := svc.Reject(ctx, x.Admin, id, reason, meta); !core.IsCode(err, core.Conflict) {
		t.Errorf("rejected twice: %v", err)
	}
	pending, _ := svc.Pending(ctx, x.Admin)
	for _, m := range pending {
		if m.ID == id {
			t.Error("a rejected applicant is still pending")
		}
	}
	if r, _, err := svc.Directory(ctx, mentors.DirectoryQuery{Text: "律師"}); err != nil || len(r.Hits) != 1 || r.Hits[0].ID != p["active"].ID {
		t.Errorf("directory: %+v %v", r, err)
	}
	if _, err := svc.Visible(ctx, p["asker"], id); !core.IsCode(err, core.NotFound) {
		t.Errorf("others see a rejected applicant: %v", err)
	}
	if m, err := svc.Visible(ctx, p["applicant"], id); err != nil || m.RejectReason != reason {
		t.Errorf("the applicant's own record: %+v %v", m, err)
	}
	// A law question reaches the active mentor, never the rejected one.
	for range 3 {
		c, err := svc.Ask(ctx, p["asker"], mentors.Question{Topic: "law", Question: "合夥開店，退出時股份怎樣處理？"}, meta)
		if err != nil || c.MentorID == id {
			t.Fatalf("routed to a rejected applicant: %+v %v", c, err)
		}
	}
	told, _, _ := x.Notify.List(ctx, id, core.Page{})
	if len(told) != 1 || told[0].Key != "notify.mentor.rejected" || told[0].Arg != reason || told[0].Link != "/mentor/profile" {
		t.Errorf("the applicant was told: %+v", told)
	}
	r, _, _ := x.Audit.Search(ctx, audit.Query{Action: "mentor.reject", Result: audit.Success, Target: id})
	if r == nil || r.Total != 1 {
		t.Errorf("audit: %+v", r)
	}
	if r, _, _ := x.Audit.Search(ctx, audit.Query{Action: "mentor.reject", Result: audit.Denied}); r == nil || r.Total != 2 {
		t.Errorf("refusals audited: %+v", r)
	}

	// Saving the profile applies again: pending, the reason kept for the
	// administrator who reads the new application.
	again := profile
	again.Bio = "執業律師十年，處理合夥糾紛與勞動合同；明年起可每週答覆。"
	m, err = svc.Save(ctx, p["applicant"], again, meta)
	if err != nil || m.Status != mentors.Applied || m.Bio != again.Bio || m.RejectReason != reason {
		t.Fatalf("applying again: %+v %v", m, err)
	}
	pending, _ = svc.Pending(ctx, x.Admin)
	found := false
	for _, m := range pending {
		found = found || m.ID == id
	}
	if !found {
		t.Error("the new application is not pending")
	}
	if r, _, _ := x.Audit.Search(ctx, audit.Query{Action: "mentor.reapply", Target: id}); r == nil || r.Total != 1 {
		t.Errorf("the new application is not audited: %+v", r)
	}
	// And it can be approved as any application.
	if err := svc.SetStatus(ctx, x.Admin, id, mentors.Active, meta); err != nil {
		t.Fatal(err)
	}
}
