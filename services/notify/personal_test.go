package notify_test

import (
	"context"
	"testing"

	"onestop/services/core"
	"onestop/services/privacy"
)

// TestErasureRenamesOnlyTheirRecords: an erasure renames a notification to
// someone else only when it quotes the person and points at a record whose
// name the erasure took out; another person of the same name, and
// notifications whose argument merely equals a name the account bore (a
// bank's, a count), keep theirs. The person's own notifications go.
func TestErasureRenamesOnlyTheirRecords(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	type sent struct{ user, key, arg, link string }
	for _, n := range []sent{
		{"officer", "notify.loan.overdue", "王小明", "/loans/LA"},                  // the person's loan
		{"officer", "notify.loan.overdue", "王小明", "/loans/LB"},                  // another 王小明's loan
		{"hotline", "notify.case.due", "王小明", "/cases/CA?tab=plan"},             // the person's case
		{"hotline", "notify.case.due", "王小明", "/cases/CB"},                      // the other's case
		{"other", "notify.loan.step.forward", "中國銀行", "/loans/LB"},              // a bank named like the account
		{"hotline", "notify.case.reassigned", "6", "/hotline/cases?queue=mine"}, // a count
		{"person", "notify.loan.step.forward", "中國銀行", "/loans/LA"},             // the person's own
	} {
		e.svc.Send(ctx, n.user, n.key, n.arg, n.link)
	}
	subj := privacy.Subject{ID: "person", Pseudonym: "#person", Names: []string{"王小明", "中國銀行", "6"},
		Records: privacy.NewRecords("LA", "CA")}
	for range 2 { // run again, as a resumed erasure does: nothing more changes
		if err := e.svc.PersonalData().Erase(ctx, subj); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]map[string]string{ // user → link → argument
		"officer": {"/loans/LA": "#person", "/loans/LB": "王小明"},
		"hotline": {"/cases/CA?tab=plan": "#person", "/cases/CB": "王小明", "/hotline/cases?queue=mine": "6"},
		"other":   {"/loans/LB": "中國銀行"},
		"person":  {},
	}
	for user, links := range want {
		list, _, err := e.svc.List(ctx, user, core.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != len(links) {
			t.Errorf("%s has %d notifications, want %d: %+v", user, len(list), len(links), list)
		}
		for _, n := range list {
			if arg, ok := links[n.Link]; !ok || n.Arg != arg {
				t.Errorf("%s: %s says %q, want %q", user, n.Link, n.Arg, arg)
			}
		}
	}
}
