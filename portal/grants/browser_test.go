package grants_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/orgs"
	"onestop/services/pii"
)

// evidence writes a PDF to upload.
func evidence(t *testing.T, name string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte("%PDF-1.4\n% evidence\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBrowserFarmerRegistration: a land-expropriated farmer on the
// village's imported roster gives her ID number and finds her facts
// checked; she applies for the employment registration from her supports,
// asking for the hardship card too, and uploads her ID card; a case
// officer finds it in the queue and grants both; she sees the numbers in
// her ledger — on a phone's screen.
func TestBrowserFarmerRegistration(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	ctx := context.Background()
	number := pii.WithCheckDigit("44030119850315002")
	for kind, line := range map[string]string{"farmers": `{"id_number":"` + number + `"}`, "farmland": `{"id_number":"` + number + `","farmland_per_capita_mu":0.05}`} {
		if _, err := tp.App.Bureau().People.ImportRoster(ctx, kind, "北山村花名冊", strings.NewReader(line+"\n"), "jsonl", nil); err != nil {
			t.Fatal(err)
		}
	}
	_, farmer, _ := tp.Account(accounts.Entrepreneur, "farmer@test.cn")
	tp.Account(accounts.CaseOfficer, "officer@test.cn")
	tp.MustDo(t, "PUT", "/api/v1/me/profile", map[string]any{"real_name": "李秀英", "consent_version": "2026-11", "id_number": number,
		"target_groups": []string{"land_expropriated_farmer"}, "employed": false}, farmer)

	s := portaltest.NewSession(t, tp, 3*time.Minute)
	s.Step("phone screen", chromedp.EmulateViewport(375, 812))
	s.ZhHant()
	s.Login("farmer@test.cn")
	s.Step("her supports", chromedp.Navigate(s.Base+"/supports"), chromedp.WaitVisible(chromedp.ID("apply-farmer-unemployment-registration")))
	if got := s.Text("#policy-farmer-unemployment-registration .badge"); got != "符合" {
		t.Errorf("found on the roster, her registration: %q", got)
	}
	s.Step("apply", chromedp.Click(chromedp.ID("apply-farmer-unemployment-registration")), chromedp.WaitVisible(chromedp.ID("grant-form")))
	if n, _ := chromedp.Run(s.Ctx, chromedp.Evaluate[int](`document.querySelectorAll('#grant-pending').length`)); n != 0 {
		t.Error("her facts are checked, yet the page asks for them")
	}
	s.Fits("the application page")
	s.Legible("the application page")
	s.Step("ask for the hardship card", chromedp.Click(chromedp.ID("f-hardship")), chromedp.Click(chromedp.ID("grant-submit")),
		chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="grants.applied"]`)))
	if got := s.Text("#missing"); !strings.Contains(got, "身分證") {
		t.Errorf("what is missing: %q", got)
	}
	s.Step("upload the ID card", chromedp.SetValue(chromedp.ID("attach-kind"), "id_card"),
		chromedp.SetUploadFiles(chromedp.ID("attach-file"), []string{evidence(t, "身分證.pdf")}), chromedp.Click(chromedp.ID("attach-submit")),
		chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="grants.attached"]`)))
	if n, _ := chromedp.Run(s.Ctx, chromedp.Evaluate[int](`document.querySelectorAll('#missing').length`)); n != 0 {
		t.Error("the ID card is still missing after the upload")
	}
	s.Fits("her application")
	portaltest.Screenshot(t, s.Ctx, "grant-registration-applied")
	s.Logout()

	s.Login("officer@test.cn")
	s.Step("the queue", chromedp.Navigate(s.Base+"/grants"), chromedp.WaitVisible(chromedp.CSS("#grants tbody a")))
	s.Fits("the queue")
	s.Legible("the queue")
	s.Step("open it", chromedp.Click(chromedp.CSS("#grants tbody a")), chromedp.WaitVisible(chromedp.ID("decide-form")))
	s.Step("grant without saying why she is in hardship", chromedp.Click(chromedp.ID("decide-hardship")), chromedp.Click(chromedp.ID("grant-grant")),
		chromedp.WaitVisible(chromedp.ID("step-errors")))
	if got := s.Text("#step-errors"); !strings.Contains(got, "依據") {
		t.Errorf("the refusal: %q", got)
	}
	s.Step("grant", chromedp.SendKeys(chromedp.ID("decide-note"), "村委會證明家庭人均收入低於低保標準"), chromedp.Click(chromedp.ID("grant-grant")),
		chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="grants.step.grant"]`)))
	year := core.DateOf(tp.Now()).String()[:4]
	if got := s.Text("#granted"); !strings.Contains(got, "JY"+year+"000001") || !strings.Contains(got, "ZJY"+year+"000001") {
		t.Errorf("granted: %q", got)
	}
	s.Logout()

	s.Login("farmer@test.cn")
	s.Step("her ledger", chromedp.Navigate(s.Base+"/grants"), chromedp.WaitVisible(chromedp.ID("ledger-table")))
	if got := s.Text("#ledger-table"); !strings.Contains(got, "JY"+year+"000001") || !strings.Contains(got, "被徵地農民失業登記") {
		t.Errorf("her ledger: %q", got)
	}
	s.Fits("her ledger")
	portaltest.Screenshot(t, s.Ctx, "grant-ledger")
}

// TestBrowserEmployerClaim: a verified employer claims the hiring reward
// for the farmers it employs: a mistyped ID number is shown at its row
// with what was typed kept, the corrected claim lists who meets the terms
// and who does not and why, and once a case officer grants it the
// employer sees the amount — on a phone's screen.
func TestBrowserEmployerClaim(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	ctx, m := context.Background(), accounts.Meta{IP: "192.0.2.1"}
	b := tp.App.Bureau()
	hrID, _, _ := tp.Account(accounts.Organisation, "hr@factory.cn")
	tp.Account(accounts.CaseOfficer, "officer@test.cn")
	o, err := b.Orgs.Found(ctx, accounts.Principal{ID: hrID, Role: accounts.Organisation, Name: "陳經理"}, orgs.Input{Name: "東城恒達製衣有限公司",
		CreditCode: orgs.WithCheckChar("91440101MA5D7Q1R2"), Kind: orgs.Employer, District: "dongcheng", Address: "東城區人民路 1 號", ContactName: "陳經理", ContactPhone: "0755-86013388"}, m)
	if err == nil {
		_, err = b.Orgs.Verify(ctx, accounts.Principal{ID: "admin", Role: accounts.Admin, Name: "管理員"}, o.ID, m)
	}
	if err != nil {
		t.Fatal(err)
	}
	first, second := pii.WithCheckDigit("44030119800101001"), pii.WithCheckDigit("44030119800101002")
	if _, err := b.People.ImportRoster(ctx, "farmers", "北山村花名冊", strings.NewReader(`{"id_number":"`+first+`"}`+"\n"), "jsonl", nil); err != nil {
		t.Fatal(err)
	}
	start := core.DateOf(tp.Now().AddDate(-3, 0, 0)).String()

	s := portaltest.NewSession(t, tp, 3*time.Minute)
	s.Step("phone screen", chromedp.EmulateViewport(375, 812))
	s.ZhHant()
	s.Login("hr@factory.cn")
	s.Step("the organisation's claims", chromedp.Navigate(s.Base+"/grants"), chromedp.WaitVisible(chromedp.ID("apply-farmer-hiring-reward")),
		chromedp.Click(chromedp.ID("apply-farmer-hiring-reward")), chromedp.WaitVisible(chromedp.ID("grant-form")))
	s.Fits("the claim form")
	s.Legible("the claim form")
	typo := second[:17] + map[bool]string{true: "1", false: "0"}[second[17] == '0']
	row := func(i, name, number, years string) []chromedp.Action[chromedp.Void] {
		p := "f-line-" + i + "-"
		return []chromedp.Action[chromedp.Void]{chromedp.SendKeys(chromedp.ID(p+"name"), name), chromedp.SendKeys(chromedp.ID(p+"id_number"), number),
			chromedp.SetValue(chromedp.ID(p+"contract_start"), start), chromedp.SendKeys(chromedp.ID(p+"contract_years"), years),
			chromedp.Click(chromedp.CSS(`input[name="lines.` + i + `.social_insurance"]`))}
	}
	s.Step("the first farmer", row("0", "王大明", first, "3")...)
	s.Step("the second, the number mistyped", row("1", "張小紅", typo, "3")...)
	s.Step("send", chromedp.Click(chromedp.ID("grant-submit")), chromedp.WaitVisible(chromedp.ID("e-line-1-id_number")))
	if got := s.Text("#e-line-1-id_number"); !strings.Contains(got, "校驗碼") {
		t.Errorf("the row's message: %q", got)
	}
	if kept, _ := chromedp.Run(s.Ctx, chromedp.Evaluate[string](`document.getElementById("f-line-0-name").value`)); kept != "王大明" {
		t.Errorf("the first row after the refusal: %q", kept)
	}
	s.Step("corrected", chromedp.SetValue(chromedp.ID("f-line-1-id_number"), second), chromedp.Click(chromedp.ID("grant-submit")),
		chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="grants.applied"]`)))
	if got := s.Text("#lines"); !strings.Contains(got, "不在被徵地農民花名冊上") || strings.Contains(got, first) {
		t.Errorf("the lines judged: %q", got)
	}
	for _, k := range []string{"labour_contracts", "social_insurance_record"} {
		s.Step("upload "+k, chromedp.SetValue(chromedp.ID("attach-kind"), k),
			chromedp.SetUploadFiles(chromedp.ID("attach-file"), []string{evidence(t, k+".pdf")}), chromedp.Click(chromedp.ID("attach-submit")),
			chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="grants.attached"]`)))
	}
	s.Fits("the claim")
	portaltest.Screenshot(t, s.Ctx, "grant-claim")
	s.Logout()

	s.Login("officer@test.cn")
	s.Step("the rewards in the queue", chromedp.Navigate(s.Base+"/grants?kind=reward"), chromedp.WaitVisible(chromedp.CSS("#grants tbody a")),
		chromedp.Click(chromedp.CSS("#grants tbody a")), chromedp.WaitVisible(chromedp.ID("decide-form")))
	s.Step("grant", chromedp.SendKeys(chromedp.ID("decide-note"), "已核對勞動合同及社保繳費記錄"), chromedp.Click(chromedp.ID("grant-grant")),
		chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="grants.step.grant"]`)))
	s.Logout()

	s.Login("hr@factory.cn")
	s.Step("the ledger", chromedp.Navigate(s.Base+"/grants"), chromedp.WaitVisible(chromedp.ID("ledger-table")))
	if got := s.Text("#ledger-table"); !strings.Contains(got, "200.00 元") {
		t.Errorf("the employer's ledger: %q", got)
	}
}
