package grants_test

import (
	"testing"
	"time"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/people"
	"onestop/services/policy"
	"onestop/services/servicetest"
	"onestop/services/training"
)

// TestVoucher: a land-expropriated farmer on the roster is issued a skills
// training voucher without asking; the listed school's claim for the
// course she passed is paid from it (up to its value), with another
// trainee paid from the special funds and marked not eligible; the voucher
// is then used, and a rejected claim gives it back.
func TestVoucher(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	tr := servicetest.Must(training.New(training.Deps{Store: w.Store, Outbox: w.Outbox, Audit: w.Audit, People: w.People, Policies: w.Policies,
		Accounts: w.Accounts, Figures: w.Figures, Clock: w.Clock, Reference: w.Reference}))
	tr.UseVouchers(w.svc)
	if err := w.Outbox.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	for _, c := range training.Collections {
		if err := w.Store.Ensure(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	school := w.Users(t, map[string]accounts.Role{"school": accounts.Provider})["school"]
	if _, err := tr.SetListed(ctx, w.who["admin"], school.ID, true, meta); err != nil {
		t.Fatal(err)
	}
	yes, no, zero, mu := true, false, 0, 0.05
	birth := core.NewDate(1995, 1, 1)
	w.save(t, "farmer", people.Input{RealName: "李秀英", Facts: policy.Facts{TargetGroups: []string{"land_expropriated_farmer"}, FarmlandPerCapitaMu: &mu,
		BirthDate: &birth, Gender: "female", Employed: &no, HasSkillCertificate: &no, TrainingRefusals: &zero, WantsTraining: &yes}})
	w.save(t, "other", people.Input{RealName: "張三"})
	farmer := w.who["farmer"]
	if _, err := w.People.FromRoster(ctx, farmer.ID, people.RosterEntry{Roster: "北山村花名冊", Fact: "on_farmer_roster", Value: "true"}); err != nil {
		t.Fatal(err)
	}
	if n, err := w.svc.AutoGrants(ctx, farmer.ID); err != nil || n != 1 {
		t.Fatalf("the voucher issued: %d %v", n, err)
	}
	ledger, _, _, err := w.svc.Ledger(ctx, farmer, farmer.ID, core.Page{})
	if err != nil || len(ledger) != 1 {
		t.Fatalf("ledger: %v", err)
	}
	v := ledger[0].Grant
	if ledger[0].Kind != policy.ApplyVoucher || v.Course != "skills" || v.AmountFen != 150000 || v.ValidUntil != v.ValidFrom.AddMonths(12).AddDays(-1) || v.Code == "" {
		t.Fatalf("the voucher: %+v", v)
	}

	start := w.Clock().Add(48 * time.Hour)
	c, err := tr.CreateCourse(ctx, school, training.NewCourse{Title: "中式烹調師", Kind: "skills", Place: "東城區就業服務中心", Seats: 10, FeeYuan: 1500, SubsidyYuan: 1500,
		Sessions: []training.Session{{StartsAt: start, Hours: 3}}}, meta)
	if err == nil {
		_, err = tr.Enrol(ctx, farmer, c.ID, "", meta)
	}
	if err == nil {
		_, err = tr.Enrol(ctx, w.who["other"], c.ID, "", meta)
	}
	if err != nil {
		t.Fatal(err)
	}
	w.Advance(72 * time.Hour)
	if err := tr.RecordAttendance(ctx, school, c.ID, "s1", []string{farmer.ID, w.who["other"].ID}, meta); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Complete(ctx, school, c.ID, meta); err != nil {
		t.Fatal(err)
	}
	cl, err := tr.CreateClaim(ctx, school, c.ID, meta)
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]training.ClaimLine{}
	for _, l := range cl.Lines {
		lines[l.RealName] = l
	}
	if l := lines["李秀英"]; l.Funding != training.FundVoucher || l.VoucherID != ledger[0].ID || l.AmountYuan != 1500 || !l.Eligible || lines["張三"].AmountYuan != 1500 {
		t.Errorf("the farmer's line: %+v", l)
	}
	if l := lines["張三"]; l.Funding != training.FundSpecialFunds || l.VoucherID != "" || l.Eligible {
		t.Errorf("the other trainee's line: %+v", l)
	}
	if id, _, _ := w.svc.Voucher(ctx, farmer.ID, "skills", core.DateOf(w.Clock())); id != "" {
		t.Error("the voucher can be used again")
	}
	if cert, err := w.svc.Verify(ctx, v.Code); err != nil || cert.State != "redeemed" || cert.Course != "skills" {
		t.Errorf("the voucher checked by its code: %+v %v", cert, err)
	}
	if _, err := tr.ReviewClaim(ctx, w.who["admin"], cl.ID, "reject", "學員出勤紀錄不符", meta); err != nil {
		t.Fatal(err)
	}
	if id, _, _ := w.svc.Voucher(ctx, farmer.ID, "skills", core.DateOf(w.Clock())); id != ledger[0].ID {
		t.Error("a rejected claim kept the voucher")
	}
}
