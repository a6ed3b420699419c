package hotline_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"onestop/services/accounts"
	"onestop/services/hotline"
	"onestop/services/privacy"
)

// TestHotlineErasure: the caller record linked to the deleted account, its
// calls, the person's complaint and follow-up case are kept as the
// bureau's records under the pseudonym, with the name and numbers out of
// their text, and what was open is closed; the record's numbers are free
// for whoever they belong to. A caller record nobody linked to the
// account (a matching number is not proof) is left alone. The export held
// them all first.
func TestHotlineErasure(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	wang, staff := e.who["wang"], e.who["staff"]
	linked, err := e.svc.ContactForAccount(ctx, staff, wang.ID, meta)
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.svc.CreateContact(ctx, staff, hotline.NewContact{Name: "王小明", Phone: "13900001111"}, meta)
	if err != nil {
		t.Fatal(err)
	}
	call, err := e.svc.LogCall(ctx, staff, hotline.NewCall{ContactID: linked.ID, Type: "policy", Topic: "loan", Notes: "王小明問貸款，回電 13800138000",
		Outcome: "callback", DurationMinutes: 3}, meta)
	if err != nil {
		t.Fatal(err)
	}
	complaint, err := e.svc.FileComplaint(ctx, accounts.Principal{ID: wang.ID, Role: accounts.Entrepreneur, Name: "王小明"},
		hotline.NewComplaint{Kind: "service", Subject: "等太久", Against: "portal", Details: "王小明等了三天，請打 13800138000"}, meta)
	if err != nil {
		t.Fatal(err)
	}
	kase, err := e.svc.OpenCase(ctx, staff, hotline.NewCase{ContactID: linked.ID, Reasons: []string{"market"}, LoanStatus: "none", Situation: "王小明的店關了"}, meta)
	if err != nil {
		t.Fatal(err)
	}
	pd := e.svc.PersonalData()
	part, err := pd.Export(ctx, wang.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"contact", "call", "complaint", "case"} {
		if !slices.ContainsFunc(part.Records, func(r privacy.Record) bool { return r.Kind == kind }) {
			t.Errorf("the export has no %s", kind)
		}
	}
	subj := privacy.Subject{ID: wang.ID, Pseudonym: accounts.Pseudonym(wang.ID), Names: []string{"王小明"}, Numbers: []string{"11010519880512123X", "13800138000"}}
	if err := pd.Erase(ctx, subj); err != nil {
		t.Fatal(err)
	}
	admin := e.who["admin"]
	gotContact, _ := e.svc.Contact(ctx, admin, linked.ID)
	gotCall, _ := e.svc.Call(ctx, admin, call.ID)
	gotComplaint, _ := e.svc.Complaint(ctx, admin, complaint.ID)
	gotCase, _ := e.svc.Case(ctx, admin, kase.ID)
	for what, v := range map[string]any{"contact": gotContact, "call": gotCall, "complaint": gotComplaint, "case": gotCase} {
		raw, _ := json.Marshal(v)
		if s := string(raw); strings.Contains(s, "王小明") || strings.Contains(s, "13800138000") || !strings.Contains(s, subj.Pseudonym) {
			t.Errorf("the %s after erasure: %s", what, s)
		}
	}
	if gotContact.PhoneSealed != "" || gotContact.IDSealed != "" {
		t.Errorf("the contact keeps its numbers sealed: %+v", gotContact)
	}
	if gotComplaint.Status != hotline.Closed || gotCase.Status != hotline.CaseClosed || gotCase.Outcome != "closed" {
		t.Errorf("left open: complaint %s, case %s %s", gotComplaint.Status, gotCase.Status, gotCase.Outcome)
	}
	if c, _ := e.svc.Contact(ctx, admin, other.ID); c.Name != "王小明" || c.PhoneSealed == "" {
		t.Errorf("an unlinked caller was erased: %+v", c)
	}
	if _, err := e.svc.CreateContact(ctx, staff, hotline.NewContact{Name: "新來電", Phone: "13800138000"}, meta); err != nil {
		t.Errorf("the erased record still holds the phone: %v", err)
	}
}
