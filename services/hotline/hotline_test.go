package hotline_test

import (
	"context"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/figures"
	"onestop/services/hotline"
	"onestop/services/mentors"
	"onestop/services/notify"
	"onestop/services/onestop"
	"onestop/services/people"
	"onestop/services/policy"
	"onestop/services/servicetest"
	"onestop/services/store"
	"onestop/services/store/storetest"
	"onestop/services/workdays"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var meta = accounts.Meta{IP: "192.0.2.9"}

type env struct {
	svc      *hotline.Service
	people   *people.Service
	mentors  *mentors.Service
	onestop  *onestop.Service
	notify   *notify.Service
	figures  *figures.Service
	accounts *accounts.Service
	store    *store.Store
	engine   search.Engine
	now      *atomic.Int64
	who      map[string]accounts.Principal
	clock    core.Clock
	deps     hotline.Deps
}

func (e *env) advance(d time.Duration) { e.now.Add(d.Milliseconds()) }
func (e *env) today() core.Date        { return core.DateOf(e.clock.Now()) }

// setup builds the hotline on a fresh database with its neighbours: people
// (two entrepreneurs with profiles), a mentor for "restart", two hotline
// staff and an administrator.
func setup(t testing.TB) *env {
	t.Helper()
	x := servicetest.New(t, time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC), // 10:00 in China
		slices.Concat([]store.Collection{onestop.Collection}, mentors.Collections, hotline.Collections)...)
	ms := servicetest.Must(mentors.New(mentors.Deps{Store: x.Store, Outbox: x.Outbox, Audit: x.Audit, Notify: x.Notify, Clock: x.Clock,
		Figures: x.Figures, AnswerWithin: 48 * time.Hour, Reference: x.Reference}))
	os := servicetest.Must(onestop.New(onestop.Deps{Store: x.Store, Outbox: x.Outbox, Audit: x.Audit, Clock: x.Clock, Figures: x.Figures, People: x.People,
		Calendar: x.Workdays}))
	deps := hotline.Deps{Store: x.Store, Outbox: x.Outbox, Audit: x.Audit, Notify: x.Notify, Vault: x.Vault, Clock: x.Clock, People: x.People,
		Mentors: ms, Onestop: os, Accounts: x.Accounts, Figures: x.Figures, ProviderName: servicetest.NoProvider, Reference: x.Reference,
		Calendar: x.Workdays}
	svc := servicetest.Must(hotline.New(deps))
	x.People.OnCheck(svc.CheckFacts)
	x.People.OnSave(func(ctx context.Context, id string) {
		if err := svc.SyncVenture(ctx, id); err != nil {
			t.Errorf("sync venture: %v", err)
		}
	})
	x.Ready(t)
	e := &env{svc: svc, people: x.People, mentors: ms, onestop: os, notify: x.Notify, figures: x.Figures, accounts: x.Accounts, store: x.Store,
		engine: x.Engine, now: x.Now, clock: x.Clock, deps: deps, who: x.Users(t, map[string]accounts.Role{"admin": accounts.Admin, "wang": accounts.Entrepreneur,
			"li": accounts.Entrepreneur, "staff": accounts.Hotline, "staff2": accounts.Hotline, "mentor": accounts.Mentor, "manager": accounts.IncubatorManager})}
	ctx := context.Background()
	if _, err := ms.Save(ctx, e.who["mentor"], mentors.Profile{Type: "successful_founder", Topics: []string{"restart", "financing"}, Bio: "兩次創業失敗後第三次成功，願意陪伴重新出發的人。",
		Languages: []string{"zh"}, Capacity: 3}, meta); err != nil {
		t.Fatal(err)
	}
	if err := ms.SetStatus(ctx, e.who["admin"], e.who["mentor"].ID, mentors.Active, meta); err != nil {
		t.Fatal(err)
	}
	e.profile(t, "wang", "王小明", "11010519880512123X", "13800138000", nil)
	return e
}

// profile saves an entrepreneur's profile; venture may be nil.
func (e *env) profile(t testing.TB, who, name, idno, phone string, venture *policy.Venture) {
	t.Helper()
	in := people.Input{RealName: name, IDNumber: idno, Phone: phone, District: "dongcheng", ConsentVersion: people.NoticeVersion}
	in.Facts.Venture = venture
	if _, err := e.people.Save(context.Background(), e.who[who], in, "api", meta); err != nil {
		t.Fatal(err)
	}
}

func (e *env) contact(t testing.TB, name, phone string) *hotline.Contact {
	t.Helper()
	c, err := e.svc.CreateContact(context.Background(), e.who["staff"], hotline.NewContact{Name: name, Phone: phone}, meta)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *env) openCase(t testing.TB, contactID string) *hotline.Case {
	t.Helper()
	c, err := e.svc.OpenCase(context.Background(), e.who["staff"], hotline.NewCase{ContactID: contactID, Reasons: []string{"market", "funding"},
		LoanStatus: "repaying", DebtsYuan: 30000, Situation: "早餐店因客流不足於十月停業，仍有擔保貸款在還。", Needs: []string{"training", "employment"}}, meta)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func fields(err error) []string { return core.FieldNames(err) }

func TestFindAndCreateContacts(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	staff := e.who["staff"]

	// An unknown caller: nothing found by phone; created on the spot.
	found, err := e.svc.Find(ctx, staff, "139 1234 5678")
	if err != nil || len(found) != 0 {
		t.Fatalf("unknown phone found %v (%v)", found, err)
	}
	c := e.contact(t, "陳先生", "13912345678")
	if c.PhoneMasked == "" || c.AccountID != "" {
		t.Fatalf("contact %+v", c)
	}
	found, _ = e.svc.Find(ctx, staff, "13912345678")
	if len(found) != 1 || found[0].ContactID != c.ID {
		t.Fatalf("by phone: %+v", found)
	}
	found, _ = e.svc.Find(ctx, staff, "陳先生")
	if len(found) == 0 || found[0].ContactID != c.ID {
		t.Fatalf("by name: %+v", found)
	}
	// A caller on a fixed line, typed as people say it, is found however it
	// is typed next time.
	shop := e.contact(t, "東門五金行", "0755 8601 3388")
	if shop.PhoneMasked != "075******3388" {
		t.Fatalf("landline contact %+v", shop)
	}
	found, _ = e.svc.Find(ctx, staff, "0755-86013388")
	if len(found) != 1 || found[0].ContactID != shop.ID {
		t.Fatalf("by landline: %+v", found)
	}
	// The same phone twice is a conflict on the field.
	_, err = e.svc.CreateContact(ctx, staff, hotline.NewContact{Name: "陳太太", Phone: "13912345678"}, meta)
	if !core.IsCode(err, core.Conflict) || !slices.Contains(fields(err), "phone") {
		t.Fatalf("duplicate phone: %v", err)
	}

	// A caller with an account is found through the profile's blind index,
	// by ID number as by phone, and becomes a linked contact.
	found, _ = e.svc.Find(ctx, staff, "11010519880512123x")
	if len(found) != 1 || found[0].AccountID != e.who["wang"].ID || found[0].ContactID != "" {
		t.Fatalf("by ID number: %+v", found)
	}
	wc, err := e.svc.ContactForAccount(ctx, staff, e.who["wang"].ID, meta)
	if err != nil || wc.AccountID != e.who["wang"].ID {
		t.Fatalf("contact for account: %+v %v", wc, err)
	}
	again, _ := e.svc.ContactForAccount(ctx, e.who["staff2"], e.who["wang"].ID, meta)
	if again.ID != wc.ID {
		t.Fatal("a second contact for one account")
	}
	found, _ = e.svc.Find(ctx, staff, "13800138000")
	if len(found) != 1 || found[0].ContactID != wc.ID {
		t.Fatalf("phone after contact: %+v", found)
	}

	// A contact created before the person registered is linked later.
	early := e.contact(t, "李四", "13700000001")
	if _, ok := e.svc.LinkCandidate(ctx, staff, early); ok {
		t.Fatal("candidate before the profile exists")
	}
	if _, err := e.svc.Link(ctx, staff, early.ID, meta); !core.IsCode(err, core.Conflict) {
		t.Fatalf("link without a match: %v", err)
	}
	e.profile(t, "li", "李四", "", "13700000001", nil)
	linked, err := e.svc.Link(ctx, staff, early.ID, meta)
	if err != nil || linked.AccountID != e.who["li"].ID {
		t.Fatalf("link: %+v %v", linked, err)
	}

	// Bad input and the wrong people.
	for _, tt := range []struct {
		in    hotline.NewContact
		field string
	}{
		{hotline.NewContact{Name: ""}, "name"},
		{hotline.NewContact{Name: "甲\n乙"}, "name"},
		{hotline.NewContact{Name: "張三", Phone: "12345"}, "phone"},
		{hotline.NewContact{Name: "張三", Phone: "86013388"}, "phone"}, // a fixed line without its area code
		{hotline.NewContact{Name: "張三", IDNumber: "110105198805121231"}, "id_number"},
		{hotline.NewContact{Name: "張三", District: "火星區"}, "district"},
	} {
		if _, err := e.svc.CreateContact(ctx, staff, tt.in, meta); !slices.Contains(fields(err), tt.field) {
			t.Errorf("%+v: %v, want a %s error", tt.in, err, tt.field)
		}
	}
	for _, who := range []string{"wang", "mentor", "manager"} {
		if _, err := e.svc.CreateContact(ctx, e.who[who], hotline.NewContact{Name: "張三"}, meta); !core.IsCode(err, core.Forbidden) {
			t.Errorf("%s creates a contact: %v", who, err)
		}
		if _, err := e.svc.Find(ctx, e.who[who], "陳"); !core.IsCode(err, core.Forbidden) {
			t.Errorf("%s searches contacts: %v", who, err)
		}
	}
}

func TestCallsAndConversions(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	staff := e.who["staff"]
	c := e.contact(t, "陳先生", "13912345678")
	call, err := e.svc.LogCall(ctx, staff, hotline.NewCall{ContactID: c.ID, Type: "consultation", Topic: "loan", Notes: "想了解創業擔保貸款的額度和貼息。",
		Outcome: "referred", DurationMinutes: 4.5}, meta)
	if err != nil {
		t.Fatal(err)
	}
	if call.Duration != 270 || call.Week != "2026-W48" {
		t.Fatalf("call %+v", call)
	}
	// One click: a consultation tied to the contact, linked on the call.
	l, err := e.svc.Convert(ctx, staff, call.ID, hotline.Conversion{To: "consultation"}, meta)
	if err != nil || l.Kind != "consultation" {
		t.Fatalf("convert: %+v %v", l, err)
	}
	x, err := e.mentors.Get(ctx, staff, l.ID)
	if err != nil || x.ContactID != c.ID || x.AskerName != "陳先生" || x.Topic != "financing" {
		t.Fatalf("consultation %+v %v", x, err)
	}
	l2, err := e.svc.Convert(ctx, staff, call.ID, hotline.Conversion{To: "service", Type: "financing"}, meta)
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.onestop.Get(ctx, staff, l2.ID)
	if err != nil || r.ContactID != c.ID || r.OwnerID != "" {
		t.Fatalf("service request %+v %v", r, err)
	}
	got, _ := e.svc.Call(ctx, staff, call.ID)
	if len(got.Links) != 2 {
		t.Fatalf("links %+v", got.Links)
	}
	if _, err := e.svc.Convert(ctx, staff, call.ID, hotline.Conversion{To: "service", Type: "nonsense"}, meta); !slices.Contains(fields(err), "type") {
		t.Fatalf("bad service type: %v", err)
	}

	// Topics per week, from the index.
	for _, topic := range []string{"loan", "loan", "training"} {
		if _, err := e.svc.LogCall(ctx, staff, hotline.NewCall{ContactID: c.ID, Type: "policy", Topic: topic, Notes: "問題", Outcome: "resolved", DurationMinutes: 1}, meta); err != nil {
			t.Fatal(err)
		}
	}
	weeks, err := e.svc.TopicsByWeek(ctx, staff, 4)
	if err != nil || len(weeks) != 4 || weeks[0].Total != 4 || weeks[0].Topics["loan"] != 3 || weeks[1].Total != 0 {
		t.Fatalf("topics: %+v %v", weeks, err)
	}
	rows, total, _, err := e.svc.Calls(ctx, staff, hotline.CallQuery{ContactID: c.ID})
	if err != nil || total != 4 || len(rows) != 4 {
		t.Fatalf("calls of contact: %d %v", total, err)
	}

	// Bad input: nothing stored.
	for _, tt := range []struct {
		in    hotline.NewCall
		field string
	}{
		{hotline.NewCall{ContactID: core.NewID(), Type: "policy", Topic: "loan", Notes: "x", Outcome: "resolved", DurationMinutes: 1}, "contact_id"},
		{hotline.NewCall{ContactID: c.ID, Type: "gossip", Topic: "loan", Notes: "x", Outcome: "resolved", DurationMinutes: 1}, "type"},
		{hotline.NewCall{ContactID: c.ID, Type: "policy", Topic: "loan", Notes: "", Outcome: "resolved", DurationMinutes: 1}, "notes"},
		{hotline.NewCall{ContactID: c.ID, Type: "policy", Topic: "loan", Notes: "x", Outcome: "resolved", DurationMinutes: 9999}, "duration_minutes"},
		{hotline.NewCall{ContactID: c.ID, Type: "policy", Topic: "loan", Notes: "a\x00b", Outcome: "resolved", DurationMinutes: 1}, "notes"},
	} {
		if _, err := e.svc.LogCall(ctx, staff, tt.in, meta); !slices.Contains(fields(err), tt.field) {
			t.Errorf("%+v: %v, want a %s error", tt.in, err, tt.field)
		}
	}
	if _, total, _, _ := e.svc.Calls(ctx, staff, hotline.CallQuery{}); total != 4 {
		t.Fatalf("bad calls stored: %d calls", total)
	}
}

func TestComplaints(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	staff, wang, mentor := e.who["staff"], e.who["wang"], e.who["mentor"]
	wc, _ := e.svc.ContactForAccount(ctx, staff, wang.ID, meta)
	// Taken on a call against a mentor: the complainant (linked account)
	// sees it, the mentor never does.
	c, err := e.svc.FileComplaint(ctx, staff, hotline.NewComplaint{ContactID: wc.ID, Kind: "conduct", Subject: "導師三天不回覆",
		Against: "mentor", AgainstName: "mentor", Details: "預約的咨詢三天沒有任何回覆。", Desired: "換一位導師"}, meta)
	if err != nil {
		t.Fatal(err)
	}
	// Filed on Wednesday 25 November: seven working days end on Friday
	// 4 December, at its close.
	if c.ComplainantID != wang.ID || c.LimitDays != 7 || !c.DueAt.Equal(workdays.EndOf(core.NewDate(2026, time.December, 4))) {
		t.Fatalf("complaint %+v", c)
	}
	for _, tt := range []struct {
		who  string
		read bool
	}{{"staff", true}, {"staff2", true}, {"admin", true}, {"wang", true}, {"li", false}, {"mentor", false}, {"manager", false}} {
		_, err := e.svc.Complaint(ctx, e.who[tt.who], c.ID)
		if (err == nil) != tt.read {
			t.Errorf("%s reads the complaint: %v", tt.who, err)
		}
		rows, _, _, _ := e.svc.Complaints(ctx, e.who[tt.who], hotline.ComplaintQuery{})
		if (len(rows) == 1) != tt.read {
			t.Errorf("%s lists %d complaints", tt.who, len(rows))
		}
	}
	if _, err := e.svc.ActOnComplaint(ctx, mentor, c.ID, hotline.ComplaintStep{Action: "answer", Text: "我很忙"}, meta); !core.IsCode(err, core.NotFound) {
		t.Fatalf("subject acts: %v", err)
	}
	// The complainant cannot answer their own complaint; staff can.
	if _, err := e.svc.ActOnComplaint(ctx, wang, c.ID, hotline.ComplaintStep{Action: "answer", Text: "自己答覆自己"}, meta); !core.IsCode(err, core.Forbidden) {
		t.Fatalf("complainant answers: %v", err)
	}
	if _, err := e.svc.ActOnComplaint(ctx, staff, c.ID, hotline.ComplaintStep{Action: "close"}, meta); !core.IsCode(err, core.Conflict) {
		t.Fatalf("close before answer: %v", err)
	}
	c, err = e.svc.ActOnComplaint(ctx, staff, c.ID, hotline.ComplaintStep{Action: "assign", AssigneeID: e.who["staff2"].ID}, meta)
	if err != nil || c.AssigneeID != e.who["staff2"].ID {
		t.Fatalf("assign: %+v %v", c, err)
	}
	if _, err := e.svc.ActOnComplaint(ctx, staff, c.ID, hotline.ComplaintStep{Action: "assign", AssigneeID: mentor.ID}, meta); !slices.Contains(fields(err), "assignee_id") {
		t.Fatalf("assign to a mentor: %v", err)
	}
	c, err = e.svc.ActOnComplaint(ctx, e.who["staff2"], c.ID, hotline.ComplaintStep{Action: "answer", Text: "已為您改派另一位導師，並提醒原導師。"}, meta)
	if err != nil || c.Status != hotline.Answered {
		t.Fatalf("answer: %+v %v", c, err)
	}
	if n, _ := e.notify.Unread(ctx, wang.ID); n != 1 {
		t.Fatalf("complainant has %d notifications", n)
	}
	// The complainant reopens on Saturday 28 November: a fresh time limit,
	// counted from Monday.
	e.advance(3 * 24 * time.Hour)
	c, err = e.svc.ActOnComplaint(ctx, wang, c.ID, hotline.ComplaintStep{Action: "reopen", Text: "新導師也沒回覆"}, meta)
	if err != nil || c.Status != hotline.Reopened || c.LimitDays != 7 || !c.DueAt.Equal(workdays.EndOf(core.NewDate(2026, time.December, 8))) {
		t.Fatalf("reopen: %+v %v", c, err)
	}
	if last := c.History[len(c.History)-1]; last.Said != "新導師也沒回覆" || last.Note != "" {
		t.Fatalf("the complainant's reason: %+v", last)
	}

	// Overdue: escalated once, however many passes.
	e.advance(11 * 24 * time.Hour)
	rows, _, _, _ := e.svc.Complaints(ctx, staff, hotline.ComplaintQuery{Queue: "overdue"})
	if len(rows) != 1 || !rows[0].Overdue {
		t.Fatalf("overdue queue: %+v", rows)
	}
	for i := range 3 {
		rep, err := e.svc.Pass(ctx)
		if err != nil || rep.Escalated != map[int]int{0: 1}[i] {
			t.Fatalf("pass %d: %+v %v", i, rep, err)
		}
	}
	rows, _, _, _ = e.svc.Complaints(ctx, staff, hotline.ComplaintQuery{Queue: "escalated"})
	if len(rows) != 1 {
		t.Fatalf("escalated queue: %+v", rows)
	}

	// A complaint with no subject, or against someone unnamed: nothing stored.
	for _, tt := range []struct {
		in    hotline.NewComplaint
		field string
	}{
		{hotline.NewComplaint{Kind: "service", Against: "portal", Details: "網頁打不開"}, "subject"},
		{hotline.NewComplaint{Kind: "service", Subject: "態度差", Against: "base", Details: "工作人員態度很差"}, "against_name"},
		{hotline.NewComplaint{Kind: "rude", Subject: "態度差", Against: "portal", Details: "工作人員態度很差"}, "kind"},
	} {
		if _, err := e.svc.FileComplaint(ctx, wang, tt.in, meta); !slices.Contains(fields(err), tt.field) {
			t.Errorf("%+v: %v, want a %s error", tt.in, err, tt.field)
		}
	}
	if _, total, _, _ := e.svc.Complaints(ctx, staff, hotline.ComplaintQuery{}); total != 1 {
		t.Fatalf("%d complaints stored", total)
	}
}

func TestFollowUpCase(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	staff, wang := e.who["staff"], e.who["wang"]
	wc, _ := e.svc.ContactForAccount(ctx, staff, wang.ID, meta)
	c := e.openCase(t, wc.ID)
	today := e.today()
	var due []string
	for _, k := range c.Checkins {
		due = append(due, k.DueOn.String())
	}
	if !slices.Equal(due, []string{"2026-12-25", "2027-02-25", "2027-05-25", "2027-11-25"}) || !c.NextDue.Equal(today.AddMonths(1)) {
		t.Fatalf("schedule %v next %v", due, c.NextDue)
	}

	// Record a contact: dated between the opening and today only.
	for _, tt := range []struct {
		on    core.Date
		field string
	}{{today.AddDays(1), "on"}, {today.AddDays(-1), "on"}, {core.Date{}, "on"}} {
		if _, err := e.svc.RecordContact(ctx, staff, c.ID, hotline.ContactRecord{On: tt.on, Channel: "phone", Note: "電話回訪"}, meta); !slices.Contains(fields(err), tt.field) {
			t.Errorf("contact on %v: %v", tt.on, err)
		}
	}
	c, err := e.svc.RecordContact(ctx, staff, c.ID, hotline.ContactRecord{On: today, Channel: "phone", Note: "情緒低落，同意先參加創業培訓。"}, meta)
	if err != nil || len(c.Checkins) != 5 {
		t.Fatalf("record: %v", err)
	}

	// The plan, a mentor for restarting, help linked.
	ranked, err := e.svc.MentorSuggestions(ctx, staff, c)
	if err != nil || len(ranked) == 0 || ranked[0].Mentor.ID != e.who["mentor"].ID {
		t.Fatalf("suggestions %+v %v", ranked, err)
	}
	if c, err = e.svc.AssignMentor(ctx, staff, c.ID, e.who["mentor"].ID, meta); err != nil || c.MentorName != "mentor" {
		t.Fatalf("assign mentor: %v", err)
	}
	c, err = e.svc.Update(ctx, staff, c.ID, hotline.CaseDetails{Reasons: c.Reasons, LoanStatus: "repaying", DebtsYuan: 30000, Situation: c.Situation,
		Needs: c.Needs, Plan: []hotline.PlanStep{{Text: "參加 SYB 創業培訓"}, {Text: "與導師討論新項目", Done: true}}}, meta)
	if err != nil || len(c.Plan) != 2 {
		t.Fatalf("plan: %v", err)
	}
	c, err = e.svc.Help(ctx, staff, c.ID, hotline.CaseHelp{Kind: "consultation", Question: "停業後如何處理剩餘設備和重新選項目？"}, meta)
	if err != nil || len(c.Links) != 1 || c.Links[0].Kind != "consultation" {
		t.Fatalf("help: %+v %v", c.Links, err)
	}

	// Who sees what: the person a summary without staff notes, the mentor
	// the case, others nothing.
	for _, tt := range []struct {
		who   string
		read  bool
		notes bool
	}{{"staff", true, true}, {"staff2", true, true}, {"admin", true, true}, {"wang", true, false}, {"mentor", true, false}, {"li", false, false}, {"manager", false, false}} {
		got, err := e.svc.Case(ctx, e.who[tt.who], c.ID)
		if (err == nil) != tt.read {
			t.Errorf("%s reads: %v", tt.who, err)
			continue
		}
		if err == nil && (got.Checkins[4].Note != "") != tt.notes {
			t.Errorf("%s sees notes: %q", tt.who, got.Checkins[4].Note)
		}
	}
	if _, err := e.svc.RecordContact(ctx, e.who["mentor"], c.ID, hotline.ContactRecord{On: today, Channel: "phone", Note: "導師記錄"}, meta); !core.IsCode(err, core.Forbidden) {
		t.Fatalf("mentor records: %v", err)
	}

	// Reschedule: the past is refused; the new days replace the undone ones.
	if _, err := e.svc.Schedule(ctx, staff, c.ID, []core.Date{today.AddDays(-3)}, meta); !slices.Contains(fields(err), "days") {
		t.Fatalf("past day: %v", err)
	}
	if c, err = e.svc.Schedule(ctx, staff, c.ID, []core.Date{today.AddDays(14), today.AddMonths(2), today.AddDays(14)}, meta); err != nil {
		t.Fatal(err)
	}
	if len(c.Checkins) != 3 || !c.NextDue.Equal(today.AddDays(14)) {
		t.Fatalf("rescheduled %+v", c.Checkins)
	}

	// Closing needs an outcome.
	if _, err := e.svc.CloseCase(ctx, staff, c.ID, "", today, "", meta); !slices.Contains(fields(err), "outcome") {
		t.Fatalf("close without outcome: %v", err)
	}
	if c, err = e.svc.CloseCase(ctx, staff, c.ID, "started_again", today, "開了新的網店", meta); err != nil || c.Status != hotline.CaseClosed || !c.NextDue.IsZero() {
		t.Fatalf("close: %+v %v", c, err)
	}
	if _, err := e.svc.RecordContact(ctx, staff, c.ID, hotline.ContactRecord{On: today, Channel: "phone", Note: "再次回訪"}, meta); !core.IsCode(err, core.Conflict) {
		t.Fatalf("contact on a closed case: %v", err)
	}

	// A case for someone unknown: a clear error, nothing stored.
	if _, err := e.svc.OpenCase(ctx, staff, hotline.NewCase{ContactID: core.NewID(), Reasons: []string{"market"}, LoanStatus: "none"}, meta); !slices.Contains(fields(err), "contact_id") {
		t.Fatalf("unknown person: %v", err)
	}
	if _, err := e.svc.OpenCase(ctx, staff, hotline.NewCase{ContactID: wc.ID, LoanStatus: "none"}, meta); !slices.Contains(fields(err), "reasons") {
		t.Fatalf("no reasons: %v", err)
	}
	if _, total, _, _ := e.svc.Cases(ctx, staff, hotline.CaseQuery{}); total != 1 {
		t.Fatalf("%d cases", total)
	}
}

// A contact due on a day is listed once, and reminded once, however many
// passes and restarts.
func TestCaseSchedulerOncePerDueDay(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	staff := e.who["staff"]
	a := e.openCase(t, e.contact(t, "甲", "13900000001").ID)
	b := e.openCase(t, e.contact(t, "乙", "13900000002").ID)
	// b gets two contacts scheduled on the same day.
	if _, err := e.svc.Schedule(ctx, staff, b.ID, []core.Date{e.today().AddMonths(1), e.today().AddMonths(1).AddDays(0)}, meta); err != nil {
		t.Fatal(err)
	}
	queue := func(q string) []string {
		rows, _, _, err := e.svc.Cases(ctx, staff, hotline.CaseQuery{Queue: q})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		slices.Sort(ids)
		return ids
	}
	if got := queue("due_today"); len(got) != 0 {
		t.Fatalf("due today at opening: %v", got)
	}
	e.advance(30*24*time.Hour + time.Hour) // 2026-12-25
	want := []string{a.ID, b.ID}
	slices.Sort(want)
	if got := queue("due_today"); !slices.Equal(got, want) {
		t.Fatalf("due today: %v, want %v", got, want)
	}
	// Passes of two workers, as after a restart or on two replicas.
	workers := []*hotline.Service{e.svc, servicetest.Must(hotline.New(e.deps))}
	total := 0
	for i := range 4 {
		rep, err := workers[i%2].Pass(ctx)
		if err != nil {
			t.Fatal(err)
		}
		total += rep.CaseReminders
	}
	if total != 2 {
		t.Fatalf("%d reminders for 2 due cases", total)
	}
	if n, _ := e.notify.Unread(ctx, staff.ID); n != 2 {
		t.Fatalf("staff has %d notifications", n)
	}
	e.advance(24 * time.Hour)
	if got := queue("overdue"); !slices.Equal(got, want) {
		t.Fatalf("overdue: %v", got)
	}
	if rep, _ := e.svc.Pass(ctx); rep.CaseReminders != 0 {
		t.Fatalf("reminded again the next day: %+v", rep)
	}
	// Recording the contact moves the case to its next date: out of overdue.
	if _, err := e.svc.RecordContact(ctx, staff, a.ID, hotline.ContactRecord{CheckinID: "k1", On: e.today(), Channel: "phone", Note: "已回訪"}, meta); err != nil {
		t.Fatal(err)
	}
	if got := queue("overdue"); !slices.Equal(got, []string{b.ID}) {
		t.Fatalf("overdue after contact: %v", got)
	}
}

func TestStabilityAndVentureClosed(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	staff := e.who["staff"]
	reg := core.NewDate(2026, 5, 20)
	six := 6
	e.profile(t, "li", "李四", "440304199501010026", "13700000001", &policy.Venture{Stage: "operating", Industry: "services", FirstRegistered: &reg, Employees: &six})
	v, err := e.svc.Venture(ctx, e.who["li"], e.who["li"].ID)
	if err != nil || v.Status != hotline.Tracking || len(v.Checks) != 4 || v.Checks[0].DueOn.String() != "2026-11-20" {
		t.Fatalf("venture %+v %v", v, err)
	}
	rows, _, _, _ := e.svc.StabilityDue(ctx, staff, core.Page{})
	if len(rows) != 1 || rows[0].ID != v.ID {
		t.Fatalf("stability due: %+v", rows)
	}
	// The entrepreneur is asked once.
	for i := range 2 {
		rep, _ := e.svc.Pass(ctx)
		if rep.StabilityReminders != map[int]int{0: 1}[i] {
			t.Fatalf("pass %d: %+v", i, rep)
		}
	}
	yes, no := true, false
	// Self-report of the 6-month check-in.
	if _, err := e.svc.RecordStability(ctx, e.who["li"], v.ID, hotline.StabilityAnswer{Month: 6, On: e.today(), Employees: 7}, meta); !slices.Contains(fields(err), "operating") {
		t.Fatalf("missing answer: %v", err)
	}
	if v, err = e.svc.RecordStability(ctx, e.who["li"], v.ID, hotline.StabilityAnswer{Month: 6, On: e.today(), Operating: &yes, Employees: 7}, meta); err != nil {
		t.Fatal(err)
	}
	if !v.Checks[0].Done || v.Checks[0].By != "self" || v.NextDue.String() != "2027-05-20" {
		t.Fatalf("after check-in %+v", v)
	}
	if _, err := e.svc.RecordStability(ctx, e.who["wang"], v.ID, hotline.StabilityAnswer{Month: 12, On: e.today(), Operating: &yes}, meta); !core.IsCode(err, core.NotFound) {
		t.Fatalf("another entrepreneur answers: %v", err)
	}
	// Six months on, staff hear it closed: tracking stops, a case opens, once.
	e.advance(180 * 24 * time.Hour)
	if _, err := e.svc.RecordStability(ctx, staff, v.ID, hotline.StabilityAnswer{Month: 12, On: e.today(), Operating: &no}, meta); err != nil {
		t.Fatal(err)
	}
	// The profile learns the venture closed, so eligibility stops offering
	// what needs a running one.
	if p, err := e.people.Get(ctx, e.who["li"], e.who["li"].ID); err != nil || p.Facts.Venture == nil || p.Facts.Venture.Stage != "closed" {
		t.Fatalf("the profile after a closed check-in: %+v %v", p.Facts.Venture, err)
	}
	// And the profile then says closed: no second case.
	e.profile(t, "li", "李四", "", "", &policy.Venture{Stage: "closed", Industry: "services", FirstRegistered: &reg})
	if err := e.svc.SyncVenture(ctx, e.who["li"].ID); err != nil {
		t.Fatal(err)
	}
	cases, total, _, _ := e.svc.Cases(ctx, staff, hotline.CaseQuery{Queue: "unassigned"})
	if total != 1 || cases[0].Source != "stability_checkin" {
		t.Fatalf("cases after closing: %+v", cases)
	}
	v, _ = e.svc.Venture(ctx, staff, v.ID)
	if v.Status != hotline.VentureClosed || v.CaseID != cases[0].ID {
		t.Fatalf("venture %+v", v)
	}
	// Staff take the case; the person sees their own summary.
	if _, err := e.svc.AssignStaff(ctx, staff, cases[0].ID, staff.ID, meta); err != nil {
		t.Fatal(err)
	}
	mine, _, _, _ := e.svc.Cases(ctx, e.who["li"], hotline.CaseQuery{})
	if len(mine) != 1 {
		t.Fatalf("own cases: %+v", mine)
	}
	// A profile saved closed from the start opens a case too (one).
	e.profile(t, "wang", "王小明", "", "", &policy.Venture{Stage: "closed", FirstRegistered: &reg})
	e.profile(t, "wang", "王小明", "", "", &policy.Venture{Stage: "closed", FirstRegistered: &reg})
	if _, total, _, _ := e.svc.Cases(ctx, staff, hotline.CaseQuery{Queue: "open"}); total != 2 {
		t.Fatalf("%d open cases", total)
	}
}

func TestReassignWhenStaffLeave(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	staff, staff2, admin := e.who["staff"], e.who["staff2"], e.who["admin"]
	for i := range 3 {
		e.openCase(t, e.contact(t, "來電者", "1390000001"+string(rune('0'+i))).ID)
	}
	wc, _ := e.svc.ContactForAccount(ctx, staff, e.who["wang"].ID, meta)
	c, _ := e.svc.FileComplaint(ctx, staff, hotline.NewComplaint{ContactID: wc.ID, Kind: "service", Subject: "等太久", Against: "department", AgainstName: "窗口", Details: "排隊兩小時。"}, meta)
	if _, err := e.svc.ActOnComplaint(ctx, staff, c.ID, hotline.ComplaintStep{Action: "start"}, meta); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ReassignAll(ctx, staff, staff.ID, staff2.ID, meta); !core.IsCode(err, core.Forbidden) {
		t.Fatalf("staff reassign: %v", err)
	}
	got, err := e.svc.ReassignAll(ctx, admin, staff.ID, staff2.ID, meta)
	if err != nil || got.Cases != 3 || got.Complaints != 1 {
		t.Fatalf("reassigned %+v %v", got, err)
	}
	if _, n, _, _ := e.svc.Cases(ctx, staff2, hotline.CaseQuery{Queue: "mine"}); n != 3 {
		t.Fatalf("staff2 has %d cases", n)
	}
	if got, _ := e.svc.ReassignAll(ctx, admin, staff.ID, staff2.ID, meta); got.Cases+got.Complaints != 0 {
		t.Fatalf("second run moved %+v", got)
	}
}

// TestVentureCohorts works the start-up figures out by hand: three ventures
// registered in May 2025, one in June; at their 12-month check-ins two of
// May's still operate (with 3 and 5 people) and one closed. May's initial
// success rate is 2 of 3; a corrected registration date moves a venture to
// its new month, and a rebuild from the records agrees.
func TestVentureCohorts(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	staff := e.who["staff"]
	may, june := core.NewDate(2025, 5, 10), core.NewDate(2025, 6, 3)
	// A third entrepreneur for May, and one for June.
	for _, name := range []string{"zhao", "sun"} {
		u, err := e.accounts.Create(ctx, e.who["admin"], accounts.NewAccount{Email: name + "@test.cn", Password: "Long-enough-9", Name: name, Role: accounts.Entrepreneur}, meta)
		if err != nil {
			t.Fatal(err)
		}
		e.who[name] = accounts.Principal{ID: u.ID, Role: accounts.Entrepreneur, Name: name}
	}
	regs := map[string]core.Date{"wang": may, "li": may, "zhao": may, "sun": june}
	for name, reg := range regs {
		reg := reg
		e.profile(t, name, name, "", "", &policy.Venture{Stage: "operating", Industry: "services", FirstRegistered: &reg})
	}
	yes, no := true, false
	for name, answer := range map[string]hotline.StabilityAnswer{
		"wang": {Month: 12, On: e.today(), Operating: &yes, Employees: 3},
		"li":   {Month: 12, On: e.today(), Operating: &yes, Employees: 5},
		"zhao": {Month: 12, On: e.today(), Operating: &no},
	} {
		if _, err := e.svc.RecordStability(ctx, staff, e.who[name].ID, answer, meta); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	read := func(month string) figures.Figures {
		servicetest.Settle(t, e.deps.Outbox)
		f, err := e.figures.Read(ctx, month, month, "all", "all")
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	m := read("2025-05").Counts
	if m["ventures_started"] != 3 || m["cohort_checked_12_verified"] != 3 || m["cohort_operating_12_verified"] != 2 || m["cohort_employees_12_verified"] != 8 {
		t.Fatalf("May's cohort: %v", m)
	}
	if j := read("2025-06").Counts; j["ventures_started"] != 1 || j["cohort_checked_12_verified"] != 0 {
		t.Fatalf("June's cohort: %v", j)
	}
	// Sun's date was wrong: registered in May too.
	e.profile(t, "sun", "sun", "", "", &policy.Venture{Stage: "operating", Industry: "services", FirstRegistered: &may})
	if m, j := read("2025-05").Counts, read("2025-06").Counts; m["ventures_started"] != 4 || j["ventures_started"] != 0 {
		t.Fatalf("after the correction: May %v, June %v", m, j)
	}
	servicetest.Settle(t, e.deps.Outbox)
	before, _ := e.figures.Snapshot(ctx)
	if _, err := e.figures.Rebuild(ctx, e.svc.FigureSources(), nil); err != nil {
		t.Fatal(err)
	}
	if after, _ := e.figures.Snapshot(ctx); !reflect.DeepEqual(before, after) {
		t.Fatalf("rebuild differs:\n%v\n%v", before, after)
	}
}
