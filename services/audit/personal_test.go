package audit_test

import (
	"context"
	"testing"
	"time"

	"onestop/services/audit"
	"onestop/services/privacy"
)

// TestErasureKeepsOthersNames: erasing a person pseudonymises the events
// they did, and only those: a hotline officer of the same name who acted
// on them, and another person of that name, stay who they are.
func TestErasureKeepsOthersNames(t *testing.T) {
	ctx := context.Background()
	l := newLog(t, time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	person := audit.Actor{ID: "u-person", Role: "entrepreneur", Name: "王小明", IP: "192.0.2.1"}
	officer := audit.Actor{ID: "u-officer", Role: "hotline", Name: "王小明", IP: "192.0.2.2"}
	namesake := audit.Actor{ID: "u-namesake", Role: "entrepreneur", Name: "王小明", IP: "192.0.2.3"}
	l.Record(ctx, person, "profile.save", audit.Success, person.ID, "王小明 13800138000")
	l.Record(ctx, officer, "pii.reveal", audit.Success, person.ID, "id_number,phone")
	l.Record(ctx, namesake, "profile.save", audit.Success, namesake.ID, "")
	subj := privacy.Subject{ID: person.ID, Pseudonym: "#u-per", Names: []string{"王小明"}, Numbers: []string{"13800138000"}}
	if err := l.PersonalData().Erase(ctx, subj); err != nil {
		t.Fatal(err)
	}
	for actor, want := range map[string]string{person.ID: "#u-per", officer.ID: "王小明", namesake.ID: "王小明"} {
		r, _, err := l.Search(ctx, audit.Query{ActorID: actor})
		if err != nil || r.Total != 1 {
			t.Fatalf("events of %s: %+v (%v)", actor, r, err)
		}
		if got := r.Hits[0].String("actor_name"); got != want {
			t.Errorf("the event of %s is signed %q, want %q", actor, got, want)
		}
	}
	r, _, _ := l.Search(ctx, audit.Query{ActorID: person.ID})
	if e, err := l.Get(ctx, r.Hits[0].ID); err != nil || e.Detail != "#u-per #u-per" {
		t.Errorf("the person's event keeps %+v (%v)", e, err)
	}
}
