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
	l := a.Loans.WithClock(func() time.Time { return at })
	yes, no := true, false
	names := []string{"周桂芳", "吳德勝", "鄭美玲", "馮志遠", "陳阿珍", "楊樹林", "何秀蓮"}
	// Where each file ends: the steps after applying.
	ends := [][]string{{}, {"return"}, {"forward"}, {"forward", "approve"}, {"forward", "decline"}, {"forward", "approve", "disburse", "repay"}, {"withdraw"}}
	for i, name := range names {
		u, err := a.Accounts.Create(ctx, admin, accounts.NewAccount{Email: fmt.Sprintf("farmer%d@demo.onestop.cn", i+1), Password: Password, Name: name, Role: accounts.Entrepreneur}, m)
		if err != nil {
			return fmt.Errorf("demo borrower: %w", err)
		}
		me := accounts.Principal{ID: u.ID, Role: u.Role, Name: u.Name}
		in := people.Input{RealName: name, District: "beishan", ConsentVersion: people.NoticeVersion, Facts: policy.Facts{TargetGroups: []string{"land_expropriated_farmer"},
			OnFarmerRoster: &yes, Venture: &policy.Venture{Stage: "preparing", Form: "individual", Industry: "agri_processing", MicroProfit: &yes, OwnFundsSufficient: &no}}}
		if _, err := a.People.Save(ctx, me, in, "demo", m); err != nil {
			return fmt.Errorf("demo borrower profile: %w", err)
		}
		at = real.AddDate(0, 0, -40+i*5)
		file, err := l.Apply(ctx, me, loans.Application{PolicyID: "guaranteed-loan", AmountYuan: int64(8000 + 2000*i), TermMonths: 12 + 2*i, Purpose: "購置加工設備",
			Plan: "利用自家院落開設農副產品加工作坊，供應周邊超市和學校食堂，預計一年內收回投資。", Guarantee: "guarantee_fund",
			Documents: []string{"id_card", "business_plan"}, BankID: bank.ID}, m)
		if err != nil {
			return fmt.Errorf("demo loan: %w", err)
		}
		plan := []byte("%PDF-1.4\n% 經營計劃書（示範）\n%%EOF\n")
		if _, err := l.Attach(ctx, me, file.ID, "business_plan", "經營計劃書.pdf", plan, m); err != nil {
			return fmt.Errorf("demo loan document: %w", err)
		}
		for _, step := range ends[i] {
			at = at.Add(20 * time.Hour)
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
			case "repay":
				at = at.AddDate(0, 1, 0)
				who, in.On, in.PrincipalFen, in.InterestFen = officer, core.DateOf(at), file.GrantedYuan*100/int64(file.TermMonths), 5000
			}
			if file, err = l.Act(ctx, who, file.ID, in, m); err != nil {
				return fmt.Errorf("demo loan %s: %w", step, err)
			}
		}
	}
	return nil
}
