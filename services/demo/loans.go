package demo

import (
	"context"
	"fmt"
	"time"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/loans"
	"onestop/services/people"
	"onestop/services/policy"
)

// loans adds two partner banks and loan files in every state, from
// land-expropriated farmers whose micro-profit projects qualify.
func (a *areas) loans(ctx context.Context) error {
	if banks, err := a.Loans.Banks(ctx); err != nil || len(banks) > 0 {
		return err
	}
	admin, err := a.principal(ctx, "email:admin@demo.onestop.cn")
	if err != nil {
		return err
	}
	staff, err := a.principal(ctx, "email:hotline@demo.onestop.cn")
	if err != nil {
		return err
	}
	officer, err := a.principal(ctx, "email:bank@demo.onestop.cn")
	if err != nil {
		return err
	}
	m := accounts.Meta{IP: "127.0.0.1"}
	bank, err := a.Loans.CreateBank(ctx, admin, "城市商業銀行", m)
	if err != nil {
		return err
	}
	if _, err := a.Loans.SetOfficers(ctx, admin, bank.ID, []string{officer.ID}, m); err != nil {
		return err
	}
	if _, err := a.Loans.CreateBank(ctx, admin, "農村信用合作社", m); err != nil {
		return err
	}
	real := a.clock.Now()
	var at time.Time
	past := func() time.Time { return at }
	l, acc, ppl := a.Loans.WithClock(past), a.Accounts.WithClock(past), a.People.WithClock(past)
	yes, no := true, false
	// Files applied for over the past year, each as far as it has come:
	// the older ones approved, paid out and repaid month by month up to
	// today (one in full), the newer ones still with the bureau or the
	// bank.
	files := []struct {
		name    string
		daysAgo int
		amount  int64
		term    int
		ends    []string // the steps after applying
	}{
		{"周桂芳", 6, 8000, 12, nil},
		{"吳德勝", 12, 10000, 12, []string{"return"}},
		{"鄭美玲", 18, 12000, 18, []string{"forward"}},
		{"何秀蓮", 24, 10000, 12, []string{"withdraw"}},
		{"馮志遠", 30, 15000, 24, []string{"forward", "approve"}},
		{"陳阿珍", 45, 20000, 24, []string{"forward", "decline"}},
		{"楊樹林", 60, 20000, 24, []string{"forward", "approve", "disburse", "repay"}},
		{"林春生", 100, 18000, 24, []string{"forward", "approve", "disburse", "repay"}},
		{"黃美鳳", 130, 16000, 18, []string{"forward", "approve", "disburse", "repay"}},
		{"許國華", 170, 20000, 24, []string{"forward", "approve", "disburse", "repay"}},
		{"謝麗君", 300, 9000, 6, []string{"forward", "approve", "disburse", "repay"}},
		{"羅志明", 330, 15000, 12, []string{"forward", "decline"}},
	}
	for i, f := range files {
		// Each signed up a week before applying.
		applied := real.AddDate(0, 0, -f.daysAgo)
		at = applied.AddDate(0, 0, -7)
		u, err := acc.Create(ctx, admin, accounts.NewAccount{Email: fmt.Sprintf("farmer%d@demo.onestop.cn", i+1), Password: Password, Name: f.name, Role: accounts.Entrepreneur}, m)
		if err != nil {
			return fmt.Errorf("demo borrower: %w", err)
		}
		me := accounts.Principal{ID: u.ID, Role: u.Role, Name: u.Name}
		in := people.Input{RealName: f.name, District: "beishan", ConsentVersion: people.NoticeVersion, Facts: policy.Facts{TargetGroups: []string{"land_expropriated_farmer"},
			Venture: &policy.Venture{Stage: "preparing", Form: "individual", Industry: "agri_processing", MicroProfit: &yes, OwnFundsSufficient: &no}}}
		if _, err := ppl.Save(ctx, me, in, "demo", m); err != nil {
			return fmt.Errorf("demo borrower profile: %w", err)
		}
		if _, err := ppl.FromRoster(ctx, u.ID, people.RosterEntry{Roster: DemoRoster, Fact: "on_farmer_roster", Value: "true"}); err != nil {
			return fmt.Errorf("demo borrower roster: %w", err)
		}
		at = applied
		file, err := l.Apply(ctx, me, loans.Application{PolicyID: "guaranteed-loan", AmountYuan: f.amount, TermMonths: f.term, Purpose: "購置加工設備",
			Plan: "利用自家院落開設農副產品加工作坊，供應周邊超市和學校食堂，預計一年內收回投資。", Guarantee: "guarantee_fund",
			Documents: []string{"id_card", "business_plan"}, BankID: bank.ID}, m)
		if err != nil {
			return fmt.Errorf("demo loan: %w", err)
		}
		plan := []byte("%PDF-1.4\n% 經營計劃書（示範）\n%%EOF\n")
		if _, err := l.Attach(ctx, me, file.ID, "business_plan", "經營計劃書.pdf", plan, m); err != nil {
			return fmt.Errorf("demo loan document: %w", err)
		}
		for _, step := range f.ends {
			at = at.Add(26 * time.Hour)
			if step == "repay" {
				if file, err = a.repay(ctx, l, officer, file, real, func(t time.Time) { at = t }); err != nil {
					return err
				}
				continue
			}
			who, in := staff, loans.StepInput{Action: step}
			switch step {
			case "return":
				in.Note = "請補充擔保基金擔保意向書"
			case "forward":
				in.Note = "已核實身分、被徵地農民花名冊及經營計劃"
			case "withdraw":
				who = me
			case "approve":
				who, in.GrantedYuan, in.RatePct = officer, file.AmountYuan, 4.35
			case "decline":
				who, in.Note = officer, "征信記錄有逾期，暫不予貸款"
			case "disburse":
				who, in.On = officer, core.DateOf(at)
			}
			if file, err = l.Act(ctx, who, file.ID, in, m); err != nil {
				return fmt.Errorf("demo loan %s: %w", step, err)
			}
		}
	}
	return nil
}

// repay records a paid-out loan's instalments as the bank received them:
// each on its day of the schedule (等額本金, from the day of payment), as
// many as have fallen due by now — so none is dated after today and none
// before the money was paid out. setAt moves the service's clock to each.
func (a *areas) repay(ctx context.Context, l *loans.Service, officer accounts.Principal, file *loans.Loan, now time.Time, setAt func(time.Time)) (*loans.Loan, error) {
	today := core.DateOf(now)
	for _, due := range loans.Schedule(file.GrantedYuan, file.RatePct, file.TermMonths, file.DisbursedOn, file.SubsidyPct) {
		if due.DueOn.After(today) {
			break
		}
		// Received in the morning of its day (China time).
		on, _ := time.ParseInLocation(time.DateOnly, due.DueOn.String(), core.CST)
		setAt(earlier(on.Add(10*time.Hour), now))
		var err error
		if file, err = l.Act(ctx, officer, file.ID, loans.StepInput{Action: "repay", On: due.DueOn, PrincipalFen: due.PrincipalFen, InterestFen: due.InterestFen},
			accounts.Meta{IP: "127.0.0.1"}); err != nil {
			return nil, fmt.Errorf("demo loan repay: %w", err)
		}
	}
	return file, nil
}

// earlier is the earlier of two times.
func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
