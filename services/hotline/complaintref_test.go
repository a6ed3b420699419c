package hotline_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/core"
	"onestop/services/hotline"
	"onestop/services/store"
)

func TestParseComplaintRef(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"TS-2026-000123", "TS-2026-000123"},
		{"  ts-2026-123 ", "TS-2026-000123"},
		{"TS2026000123", "TS-2026-000123"},
		{"TS 2026 000123", "TS-2026-000123"},
		{"ＴＳ－２０２６－０００１２３", "TS-2026-000123"},
		{"TS-2026-1234567", "TS-2026-1234567"},
		{"TS-2026-000000", ""},
		{"TS-26-000123", ""},
		{"XS-2026-000123", ""},
		{"王小明", ""},
		{"13800138000", ""},
		{"", ""},
	} {
		got, ok := hotline.ParseComplaintRef(tc.in)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("%q → %q %v, want %q", tc.in, got, ok, tc.want)
		}
	}
}

// TestComplaintRefs: numbers count within the bureau's year (a complaint
// at 01:00 on 1 January, China time, is the new year's first), only those
// who may read a complaint find it by number, and a counter set back (a
// restore from an older backup) never hands out a number already taken.
func TestComplaintRefs(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	wang := e.who["wang"]
	file := func() *hotline.Complaint {
		t.Helper()
		c, err := e.svc.FileComplaint(ctx, wang, hotline.NewComplaint{Kind: "service", Subject: "窗口辦理太慢", Against: "department",
			AgainstName: "東城區服務窗口", Details: "排隊三小時仍未辦完。"}, meta)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	first, second := file(), file()
	if first.Ref != "TS-2026-000001" || second.Ref != "TS-2026-000002" {
		t.Errorf("refs %q, %q", first.Ref, second.Ref)
	}
	e.advance(time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC).Sub(e.clock.Now())) // 01:00 on 1 January in China
	newYear := file()
	if newYear.Ref != "TS-2027-000001" {
		t.Errorf("the new year's first: %q", newYear.Ref)
	}
	for _, tc := range []struct {
		name string
		who  string
		ref  string
		want string
	}{
		{"the complainant", "wang", "ts-2026-2", second.ID},
		{"staff", "staff", second.Ref, second.ID},
		{"another entrepreneur", "li", second.Ref, ""},
		{"a number never issued", "staff", "TS-2026-000999", ""},
		{"not a number", "staff", "窗口", ""},
	} {
		c, err := e.svc.ComplaintByRef(ctx, e.who[tc.who], tc.ref)
		switch {
		case tc.want == "" && !core.IsCode(err, core.NotFound):
			t.Errorf("%s: %v, want not found", tc.name, err)
		case tc.want != "" && (err != nil || c.ID != tc.want):
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	// The counter goes back to nothing; the next complaint still gets a
	// number of its own.
	if _, err := e.store.C(store.Sequences.Name).DeleteOne(ctx, bson.D{{Key: "_id", Value: "complaints:2027"}}); err != nil {
		t.Fatal(err)
	}
	if again := file(); again.Ref != "TS-2027-000002" {
		t.Errorf("after the counter was set back: %q", again.Ref)
	}
}

// TestNumberOldComplaints: complaints filed before reference numbers get
// one at the next start, in the year they came in; once all have one, later
// starts number nothing.
func TestNumberOldComplaints(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	var ids []string
	for _, subject := range []string{"窗口辦理太慢", "導師不回覆"} {
		c, err := e.svc.FileComplaint(ctx, e.who["wang"], hotline.NewComplaint{Kind: "service", Subject: subject, Against: "portal",
			Details: "排隊三小時仍未辦完。"}, meta)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	// As filed before numbers existed: none, and the first a year ago.
	for i, id := range ids {
		set := bson.D{{Key: "$unset", Value: bson.D{{Key: "ref", Value: ""}}}}
		if i == 0 {
			set = append(set, bson.E{Key: "$set", Value: bson.D{{Key: "created_at", Value: time.Date(2025, 6, 1, 2, 0, 0, 0, time.UTC)}}})
		}
		if _, err := e.store.C("complaints").UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, set); err != nil {
			t.Fatal(err)
		}
	}
	n, err := e.svc.NumberOldComplaints(ctx)
	if err != nil || n != 2 {
		t.Fatalf("numbered %d (%v), want 2", n, err)
	}
	for id, want := range map[string]string{ids[0]: "TS-2025-000001", ids[1]: "TS-2026-000003"} {
		c, err := e.svc.ComplaintByRef(ctx, e.who["staff"], want)
		if err != nil || c.ID != id || c.Ref != want {
			t.Errorf("%s: %v", want, err)
		}
	}
	if n, err := e.svc.NumberOldComplaints(ctx); err != nil || n != 0 {
		t.Errorf("a second start numbered %d (%v)", n, err)
	}
}
