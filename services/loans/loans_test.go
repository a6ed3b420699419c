package loans_test

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/figures"
	"onestop/services/loans"
	"onestop/services/notify"
	"onestop/services/people"
	"onestop/services/policy"
	"onestop/services/servicetest"
	"onestop/services/store/storetest"
	"onestop/services/workdays"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var meta = accounts.Meta{IP: "192.0.2.11"}

// env is a loan service on a fresh database, with two eligible-or-not
// applicants, staff, two banks with an officer each and a mentor.
type env struct {
	svc          *loans.Service
	figs         *figures.Service
	notify       *notify.Service
	now          *atomic.Int64
	clock        core.Clock
	who          map[string]accounts.Principal
	admin        accounts.Principal
	bankA, bankB *loans.Bank
	good         loans.Application
	people       *people.Service
}

func newEnv(t *testing.T) *env {
	t.Helper()
	x := servicetest.New(t, time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC), loans.Collections...)
	ctx := context.Background()
	svc := servicetest.Must(loans.New(loans.Deps{Store: x.Store, Outbox: x.Outbox, Audit: x.Audit, Notify: x.Notify, People: x.People,
		Policies: x.Policies, Accounts: x.Accounts, Figures: x.Figures, Clock: x.Clock, Calendar: x.Workdays, Vault: x.Vault}))
	x.Ready(t)
	who := x.Users(t, map[string]accounts.Role{"admin": accounts.Admin, "farmer": accounts.Entrepreneur, "grad": accounts.Entrepreneur, "staff": accounts.Hotline,
		"officerA": accounts.BankOfficer, "officerB": accounts.BankOfficer, "mentor": accounts.Mentor})
	admin, ppl := who["admin"], x.People
	now, clock, figs, n := x.Now, x.Clock, x.Figures, x.Notify
	yes, no := true, false
	if _, err := ppl.Save(ctx, who["farmer"], people.Input{RealName: "李秀英", ConsentVersion: people.NoticeVersion, Facts: policy.Facts{
		TargetGroups: []string{"land_expropriated_farmer"}, Venture: &policy.Venture{Stage: "preparing", MicroProfit: &yes, OwnFundsSufficient: &no}}}, "api", meta); err != nil {
		t.Fatal(err)
	}
	// Her village's roster has her: what the loan rests on is checked.
	if _, err := ppl.FromRoster(ctx, who["farmer"].ID, people.RosterEntry{Roster: "北山村被徵地農民花名冊", Fact: "on_farmer_roster", Value: "true"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ppl.Save(ctx, who["grad"], people.Input{RealName: "王小明", ConsentVersion: people.NoticeVersion}, "api", meta); err != nil {
		t.Fatal(err)
	}
	bankA, err := svc.CreateBank(ctx, admin, "城市商業銀行", meta)
	if err != nil {
		t.Fatal(err)
	}
	bankB, _ := svc.CreateBank(ctx, admin, "農村信用社", meta)
	if _, err := svc.SetOfficers(ctx, admin, bankA.ID, []string{who["officerA"].ID}, meta); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetOfficers(ctx, admin, bankB.ID, []string{who["officerA"].ID}, meta); !slices.Contains(core.FieldNames(err), "officers") {
		t.Fatalf("an officer at two banks: %v", err)
	}
	if _, err := svc.SetOfficers(ctx, admin, bankB.ID, []string{who["officerB"].ID}, meta); err != nil {
		t.Fatal(err)
	}

	good := loans.Application{PolicyID: "guaranteed-loan", AmountYuan: 20000, TermMonths: 24, Purpose: "購買豆腐坊設備", Guarantee: "guarantor",
		GuaranteeDetails: "擔保人：李建國，公務員", Plan: "在村口開豆腐坊，日產 200 斤，供應三家超市，預計八個月收回設備投資。",
		Documents: []string{"id_card", "business_plan", "guarantor_statement"}, BankID: bankA.ID}
	return &env{svc: svc, figs: figs, notify: n, now: now, clock: clock, who: who, admin: admin, bankA: bankA, bankB: bankB, good: good, people: ppl}
}

func TestLoanFile(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	svc, figs, who, good, clock, now, bankA := e.svc, e.figs, e.who, e.good, e.clock, e.now, e.bankA
	for _, tt := range []struct {
		who   string
		edit  func(*loans.Application)
		field string
	}{
		{"farmer", func(a *loans.Application) { a.AmountYuan = 20001 }, "amount_yuan"},
		{"farmer", func(a *loans.Application) { a.TermMonths = 25 }, "term_months"},
		{"farmer", func(a *loans.Application) { a.Documents = []string{"id_card"} }, "documents"},
		{"farmer", func(a *loans.Application) { a.BankID = core.NewID() }, "bank_id"},
		{"grad", nil, "policy_id"}, // not eligible
	} {
		in := good
		if tt.edit != nil {
			tt.edit(&in)
		}
		if _, err := svc.Apply(ctx, who[tt.who], in, meta); !slices.Contains(core.FieldNames(err), tt.field) {
			t.Errorf("%s %s: %v", tt.who, tt.field, err)
		}
	}
	l, err := svc.Apply(ctx, who["farmer"], good, meta)
	if err != nil {
		t.Fatal(err)
	}
	if l.Waiting() != "bureau" || l.SubsidyPct != 50 {
		t.Fatalf("new file %+v", l)
	}
	if _, err := svc.Apply(ctx, who["farmer"], good, meta); !core.IsCode(err, core.Conflict) {
		t.Fatalf("a second open file under the same policy: %v", err)
	}
	// Before the bureau forwards it, no bank sees it.
	if _, err := svc.Loan(ctx, who["officerA"], l.ID); !core.IsCode(err, core.NotFound) {
		t.Fatalf("bank before forwarding: %v", err)
	}
	step := func(who accounts.Principal, in loans.StepInput) (*loans.Loan, error) {
		return svc.Act(ctx, who, l.ID, in, meta)
	}
	if _, err := step(who["officerA"], loans.StepInput{Action: "approve", GrantedYuan: 20000, RatePct: 4.35}); !core.IsCode(err, core.NotFound) {
		t.Fatalf("bank acts before forwarding: %v", err)
	}
	if _, err := step(who["staff"], loans.StepInput{Action: "forward"}); !slices.Contains(core.FieldNames(err), "note") {
		t.Fatalf("forward without saying what was checked: %v", err)
	}
	if _, err := step(who["farmer"], loans.StepInput{Action: "forward", Note: "自己轉"}); !core.IsCode(err, core.Forbidden) {
		t.Fatalf("applicant forwards: %v", err)
	}
	if l, err = step(who["staff"], loans.StepInput{Action: "forward", Note: "已核實身分、花名冊及擔保人資料"}); err != nil || l.Waiting() != "bank" {
		t.Fatalf("forward: %+v %v", l, err)
	}
	if _, err := svc.Loan(ctx, who["officerB"], l.ID); !core.IsCode(err, core.NotFound) {
		t.Fatalf("another bank reads: %v", err)
	}
	if _, err := step(who["officerB"], loans.StepInput{Action: "decline", Note: "不是我們的"}); !core.IsCode(err, core.NotFound) {
		t.Fatalf("another bank acts: %v", err)
	}
	if _, err := step(who["officerA"], loans.StepInput{Action: "approve", GrantedYuan: 30000, RatePct: 4.35}); !slices.Contains(core.FieldNames(err), "granted_yuan") {
		t.Fatalf("granting more than asked: %v", err)
	}
	now.Add((26 * time.Hour).Milliseconds())
	if l, err = step(who["officerA"], loans.StepInput{Action: "approve", GrantedYuan: 20000, RatePct: 4.35}); err != nil || l.Status != loans.Approved {
		t.Fatalf("approve: %v", err)
	}
	if _, err := step(who["officerA"], loans.StepInput{Action: "disburse", On: core.DateOf(clock.Now()).AddDays(3)}); !slices.Contains(core.FieldNames(err), "on") {
		t.Fatalf("disbursed in the future: %v", err)
	}
	if l, err = step(who["officerA"], loans.StepInput{Action: "disburse", On: core.DateOf(clock.Now())}); err != nil || l.Status != loans.Disbursed {
		t.Fatalf("disburse: %v", err)
	}
	sched := l.Schedule()
	if len(sched) != 24 || sched[0].InterestFen != 7250 || sched[0].SubsidyFen != 3625 {
		t.Fatalf("schedule %+v", sched[0])
	}
	if _, err := step(who["officerA"], loans.StepInput{Action: "repay", On: core.DateOf(clock.Now()), PrincipalFen: 3_000_000}); !slices.Contains(core.FieldNames(err), "principal_fen") {
		t.Fatalf("repaying more than owed: %v", err)
	}
	if l, err = step(who["officerA"], loans.StepInput{Action: "repay", On: core.DateOf(clock.Now()), PrincipalFen: 2_000_000, InterestFen: 7250}); err != nil || l.Status != loans.Repaid {
		t.Fatalf("repaid in full: %+v %v", l, err)
	}
	// Repaid: the person may apply again.
	if _, err := svc.Apply(ctx, who["farmer"], good, meta); err != nil {
		t.Fatalf("applying after repaying: %v", err)
	}
	// The applicant sees the whole timeline; their list has the file.
	mine, err := svc.Loan(ctx, who["farmer"], l.ID)
	if err != nil || len(mine.Timeline) != 5 {
		t.Fatalf("timeline %+v %v", mine, err)
	}
	rows, _, _, err := svc.List(ctx, who["officerA"], loans.Query{})
	if err != nil || len(rows) != 1 {
		t.Fatalf("bank list: %+v %v", rows, err)
	}
	if rows, _, _, _ := svc.List(ctx, who["officerB"], loans.Query{}); len(rows) != 0 {
		t.Fatalf("the other bank's list: %+v", rows)
	}
	if _, _, _, err := svc.List(ctx, who["mentor"], loans.Query{}); !core.IsCode(err, core.Forbidden) {
		t.Fatalf("a mentor lists loans: %v", err)
	}
	// The figures: two applications, one decision after 26 hours, counted
	// as they happened, and a rebuild from the files agrees.
	month := core.DateOf(clock.Now()).String()[:7]
	f, err := figs.Read(ctx, month, month, "bank", bankA.ID)
	if err != nil || f.Counts["loans_applied"] != 2 || f.Counts["loans_approved"] != 1 || f.Quantile("decision_days", 0.5) != 2 {
		t.Fatalf("figures %+v %v", f, err)
	}
	before, _ := figs.Snapshot(ctx)
	if _, err := figs.Rebuild(ctx, []figures.Source{svc.FigureSource()}, nil); err != nil {
		t.Fatal(err)
	}
	if after, _ := figs.Snapshot(ctx); !reflect.DeepEqual(before, after) {
		t.Fatalf("rebuild differs:\n%v\n%v", before, after)
	}
}

// unread counts a person's notifications with the given link.
func unread(t *testing.T, e *env, who accounts.Principal, link string) int {
	t.Helper()
	list, _, err := e.notify.List(context.Background(), who.ID, core.Page{Number: 1, Size: 100})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, x := range list {
		if x.Link == link {
			n++
		}
	}
	return n
}

// An overdue step is raised once per time limit, to whoever the file waits
// on and the bureau's administrators; repeated passes raise nothing more.
func TestEscalation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	l, err := e.svc.Apply(ctx, e.who["farmer"], e.good, meta)
	if err != nil {
		t.Fatal(err)
	}
	link := "/loans/" + l.ID
	// Filed on Wednesday 25 November: the bureau's two working days end
	// at the close of Friday 27 November.
	if l.DueDays != 2 || !l.DueAt.Equal(workdays.EndOf(core.NewDate(2026, time.November, 27))) {
		t.Fatalf("the bureau's limit: %d working days, due %s", l.DueDays, l.DueAt)
	}
	e.now.Store(l.DueAt.UnixMilli()) // the last second of the limit
	if n, err := e.svc.Escalate(ctx); err != nil || n != 0 {
		t.Fatalf("nothing is late yet: %d %v", n, err)
	}
	e.now.Add(time.Second.Milliseconds()) // the bureau's 2 working days are over
	for range 3 {
		if _, err := e.svc.Escalate(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := unread(t, e, e.admin, link); got != 1 {
		t.Fatalf("administrator told %d times of the bureau's delay", got)
	}
	if got := unread(t, e, e.who["officerA"], link); got != 0 {
		t.Fatalf("the bank told of the bureau's delay: %d", got)
	}
	// Forwarded: the bank's 3 days start afresh; when they pass, its
	// officers and the administrators hear once more.
	// Forwarded on Saturday 28 November: the bank's three working days
	// are Monday to Wednesday.
	f, err := e.svc.Act(ctx, e.who["staff"], l.ID, loans.StepInput{Action: "forward", Note: "已核實"}, meta)
	if err != nil {
		t.Fatal(err)
	}
	if f.DueDays != 3 || !f.DueAt.Equal(workdays.EndOf(core.NewDate(2026, time.December, 2))) {
		t.Fatalf("the bank's limit: %d working days, due %s", f.DueDays, f.DueAt)
	}
	officerBefore := unread(t, e, e.who["officerA"], link) // the forwarding notice
	e.now.Store(f.DueAt.Add(time.Second).UnixMilli())
	n, err := e.svc.Escalate(ctx)
	if err != nil || n != 1 {
		t.Fatalf("bank late: %d %v", n, err)
	}
	if n, _ := e.svc.Escalate(ctx); n != 0 {
		t.Fatalf("raised twice: %d", n)
	}
	if got := unread(t, e, e.who["officerA"], link) - officerBefore; got != 1 {
		t.Fatalf("officer told %d times", got)
	}
	if got := unread(t, e, e.admin, link); got != 2 {
		t.Fatalf("administrator told %d times in all", got)
	}
	if got := unread(t, e, e.who["officerB"], link); got != 0 {
		t.Fatalf("the other bank told: %d", got)
	}
}

func TestAttachments(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	l, err := e.svc.Apply(ctx, e.who["farmer"], e.good, meta)
	if err != nil {
		t.Fatal(err)
	}
	pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 1000)...)
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	for _, tt := range []struct {
		name, who, kind string
		data            []byte
		field           string
		code            core.Code
	}{
		{"html posing as pdf", "farmer", "business_plan", []byte("<html><script>alert(1)</script>"), "file", core.Invalid},
		{"empty", "farmer", "business_plan", nil, "file", core.Invalid},
		{"over the limit", "farmer", "business_plan", append([]byte("%PDF-"), make([]byte, loans.MaxFileBytes)...), "file", core.Invalid},
		{"unknown kind", "farmer", "selfie", pdf, "kind", core.Invalid},
		{"someone else's file", "grad", "business_plan", pdf, "", core.NotFound},
		{"staff", "staff", "business_plan", pdf, "", core.Forbidden},
		{"a bank before forwarding", "officerA", "business_plan", pdf, "", core.NotFound},
	} {
		_, err := e.svc.Attach(ctx, e.who[tt.who], l.ID, tt.kind, "plan.pdf", tt.data, meta)
		if !core.IsCode(err, tt.code) || (tt.field != "" && !slices.Contains(core.FieldNames(err), tt.field)) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	att, err := e.svc.Attach(ctx, e.who["farmer"], l.ID, "lease", `..\..\etc/<b>租約"合同".pdf`, png, meta)
	if err != nil {
		t.Fatal(err)
	}
	if att.Type != "image/png" || att.Name != "b租約合同.png" || att.Size != int64(len(png)) {
		t.Fatalf("attachment %+v", att)
	}
	got, err := e.svc.Loan(ctx, e.who["farmer"], l.ID)
	if err != nil || len(got.Attachments) != 1 || !slices.Contains(got.Documents, "lease") {
		t.Fatalf("file after upload: %+v %v", got, err)
	}
	// Readers: the applicant and the bureau now; the bank once forwarded;
	// nobody else, and never by a foreign attachment id.
	for _, tt := range []struct {
		who string
		ok  bool
	}{{"farmer", true}, {"staff", true}, {"officerA", false}, {"grad", false}, {"mentor", false}} {
		_, data, err := e.svc.Download(ctx, e.who[tt.who], l.ID, att.ID, meta)
		if tt.ok != (err == nil) || (tt.ok && !bytes.Equal(data, png)) {
			t.Errorf("%s downloads: %v", tt.who, err)
		}
	}
	if _, _, err := e.svc.Download(ctx, e.who["farmer"], l.ID, core.NewID(), meta); !core.IsCode(err, core.NotFound) {
		t.Fatalf("unknown attachment: %v", err)
	}
	plan, err := e.svc.Attach(ctx, e.who["farmer"], l.ID, "business_plan", "計劃書.pdf", pdf, meta)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Detach(ctx, e.who["farmer"], l.ID, att.ID, meta); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.Download(ctx, e.who["farmer"], l.ID, att.ID, meta); !core.IsCode(err, core.NotFound) {
		t.Fatalf("removed attachment still served: %v", err)
	}
	if _, err := e.svc.Act(ctx, e.who["staff"], l.ID, loans.StepInput{Action: "forward", Note: "材料齊全"}, meta); err != nil {
		t.Fatal(err)
	}
	if _, data, err := e.svc.Download(ctx, e.who["officerA"], l.ID, plan.ID, meta); err != nil || !bytes.Equal(data, pdf) {
		t.Fatalf("the bank reads the forwarded file: %v", err)
	}
	if _, _, err := e.svc.Download(ctx, e.who["officerB"], l.ID, plan.ID, meta); !core.IsCode(err, core.NotFound) {
		t.Fatalf("another bank reads: %v", err)
	}
	// Forwarded: the documents are what the bureau checked; no more changes.
	if _, err := e.svc.Attach(ctx, e.who["farmer"], l.ID, "lease", "x.pdf", pdf, meta); !core.IsCode(err, core.Conflict) {
		t.Fatalf("upload after forwarding: %v", err)
	}
	if err := e.svc.Detach(ctx, e.who["farmer"], l.ID, plan.ID, meta); !core.IsCode(err, core.Conflict) {
		t.Fatalf("removal after forwarding: %v", err)
	}
}

// TestForwardNeedsCheckedFacts (#17 §2): the bureau cannot forward to the
// bank a file whose policy rests on what is still only the applicant's
// word — a farmer not yet found on a roster nor checked by a case
// officer; nothing is written. Once the roster has her, it goes.
func TestForwardNeedsCheckedFacts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	her := servicetest.Must(e.people.Get(ctx, e.admin, e.who["farmer"].ID))
	// A second farmer, by her own word only.
	other := accounts.Principal{ID: e.who["grad"].ID, Role: accounts.Entrepreneur, Name: "王小明"}
	facts := her.Facts
	facts.OnFarmerRoster = nil // (hers is the roster's: his is nobody's yet)
	in := people.Input{RealName: "王小明", ConsentVersion: people.NoticeVersion, Facts: facts}
	if _, err := e.people.Save(ctx, other, in, "api", meta); err != nil {
		t.Fatal(err)
	}
	l, err := e.svc.Apply(ctx, other, e.good, meta)
	if err != nil {
		t.Fatal(err)
	}
	forward := loans.StepInput{Action: "forward", Note: "已核對身分證"}
	_, err = e.svc.Act(ctx, e.who["staff"], l.ID, forward, meta)
	var ce *core.Error
	if !errors.As(err, &ce) || ce.Fields["note"] != "error.loan.unverified" {
		t.Fatalf("forwarded on her word: %v", err)
	}
	if got, _ := e.svc.Loan(ctx, e.who["staff"], l.ID); got.Status != loans.Submitted || got.ReachedBank {
		t.Fatalf("written anyway: %s", got.Status)
	}
	if _, err := e.people.FromRoster(ctx, other.ID, people.RosterEntry{Roster: "北山村被徵地農民花名冊", Fact: "on_farmer_roster", Value: "true"}); err != nil {
		t.Fatal(err)
	}
	if got, err := e.svc.Act(ctx, e.who["staff"], l.ID, forward, meta); err != nil || got.Waiting() != "bank" {
		t.Fatalf("checked, then forwarded: %v", err)
	}
}
