package loans_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	loansweb "onestop/portal/loans"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onestop/portal/portaltest"
	"onestop/services/core"
	"onestop/services/loans"
)

func TestLoansAPI(t *testing.T) {
	t.Parallel()
	w := portaltest.NewLoanWorld(t)
	tp := w.Portal
	app := map[string]any{"policy_id": "guaranteed-loan", "amount_yuan": 20000, "term_months": 24, "purpose": "購買豆腐坊設備", "guarantee": "guarantee_fund",
		"plan": "在村口開豆腐坊，日產 200 斤，供應三家超市，預計八個月收回設備投資。", "documents": []string{"id_card", "business_plan"}, "bank_id": w.BankID}
	over := map[string]any{}
	for k, v := range app {
		over[k] = v
	}
	over["amount_yuan"] = 50000
	resp, body := tp.Do("POST", "/api/v1/loans", app, w.Farmer)
	if resp.StatusCode != 201 {
		t.Fatalf("apply: %d %s", resp.StatusCode, body)
	}
	l := portaltest.Decode[loansweb.APILoan](t, body)
	p := "/api/v1/loans/" + l.ID
	tp.Run(t, []portaltest.Scenario{
		{Name: "above the cap", Method: "POST", Path: "/api/v1/loans", Token: w.Farmer, Body: over, Status: 422, Contains: []string{`"field":"amount_yuan"`}},
		{Name: "not eligible", Method: "POST", Path: "/api/v1/loans", Token: w.Other, Body: app, Status: 422, Contains: []string{"error.loan.not_eligible"}},
		{Name: "mentors cannot apply", Method: "POST", Path: "/api/v1/loans", Token: w.Mentor, Body: app, Status: 403},
		{Name: "the applicant reads it, waiting on the bureau", Method: "GET", Path: p, Token: w.Farmer, Status: 200, Contains: []string{`"waiting_on":"bureau"`}},
		{Name: "another entrepreneur cannot", Method: "GET", Path: p, Token: w.Other, Status: 404},
		{Name: "the bank cannot before forwarding", Method: "GET", Path: p, Token: w.Officer, Status: 404},
		{Name: "mentors cannot list loans", Method: "GET", Path: "/api/v1/loans", Token: w.Mentor, Status: 403},
		{Name: "the bureau's queue", Method: "GET", Path: "/api/v1/loans", Token: w.Staff, Status: 200, Contains: []string{l.ID}},
		{Name: "the bank acts too early", Method: "POST", Path: p + "/steps", Token: w.Officer, Body: map[string]any{"action": "approve", "granted_yuan": 20000, "rate_pct": 4.35}, Status: 404},
		{Name: "forward", Method: "POST", Path: p + "/steps", Token: w.Staff, Body: map[string]any{"action": "forward", "note": "已核實花名冊與身份"}, Status: 200, Contains: []string{`"waiting_on":"bank"`}},
		{Name: "the other bank cannot read", Method: "GET", Path: p, Token: w.Officer2, Status: 404},
		{Name: "the other bank cannot decide", Method: "POST", Path: p + "/steps", Token: w.Officer2, Body: map[string]any{"action": "decline", "note": "x"}, Status: 404},
		{Name: "the applicant cannot approve", Method: "POST", Path: p + "/steps", Token: w.Farmer, Body: map[string]any{"action": "approve", "granted_yuan": 20000, "rate_pct": 4.35}, Status: 403},
		{Name: "the bank's list", Method: "GET", Path: "/api/v1/loans", Token: w.Officer, Status: 200, Contains: []string{l.ID}},
		{Name: "approve", Method: "POST", Path: p + "/steps", Token: w.Officer, Body: map[string]any{"action": "approve", "granted_yuan": 20000, "rate_pct": 4.35}, Status: 200,
			Contains: []string{`"status":"approved"`, `"interest_fen":`, `"subsidy_fen":`}},
		{Name: "approving twice", Method: "POST", Path: p + "/steps", Token: w.Officer, Body: map[string]any{"action": "approve", "granted_yuan": 20000, "rate_pct": 4.35}, Status: 409},
	})
}

// TestBrowserLoanJourney: from the eligibility result to the application,
// the bureau's check and the bank's decision, on a phone screen; the
// applicant sees the same timeline and the interest subsidy.
func TestBrowserLoanJourney(t *testing.T) {
	t.Parallel()
	w := portaltest.NewLoanWorld(t)
	s := portaltest.NewSession(t, w.Portal, 120*time.Second)
	s.Step("phone screen", chromedp.EmulateViewport(375, 812))
	s.ZhHant()
	s.Login("farmer@test.cn")
	s.Step("supports", chromedp.Navigate(s.Base+"/supports"), chromedp.WaitVisible(chromedp.CSS(`a.apply[href^="/loans/new"]`)), chromedp.Click(chromedp.CSS(`a.apply[href^="/loans/new"]`)),
		chromedp.WaitVisible(chromedp.ID("loan-form")))
	s.Step("apply", chromedp.SendKeys(chromedp.ID("f-amount_yuan"), "20000"), chromedp.SendKeys(chromedp.ID("f-purpose"), "購買豆腐坊設備"),
		chromedp.SendKeys(chromedp.ID("f-plan"), "在村口開豆腐坊，日產 200 斤，供應三家超市，預計八個月收回設備投資。"),
		chromedp.SetValue(chromedp.ID("f-guarantee"), "guarantor"), chromedp.SendKeys(chromedp.ID("f-guarantee_details"), "擔保人：李建國"),
		chromedp.Click(chromedp.CSS(`input[name="documents"][value="guarantor_statement"]`)),
		chromedp.SetValue(chromedp.ID("f-bank_id"), w.BankID),
		chromedp.Click(chromedp.ID("loan-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="loans.applied"]`)))
	if got := s.Text("#loan-waiting"); got != "待人社局審核" {
		t.Errorf("waiting on: %q", got)
	}
	plan := filepath.Join(t.TempDir(), "豆腐坊計劃書.pdf")
	if err := os.WriteFile(plan, []byte("%PDF-1.4\n% a business plan\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.Step("upload the business plan", chromedp.SetValue(chromedp.ID("attach-kind"), "business_plan"),
		chromedp.SetUploadFiles(chromedp.ID("attach-file"), []string{plan}), chromedp.Click(chromedp.ID("attach-submit")),
		chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="loans.attached"]`)))
	if got := s.Text("#attachments"); !strings.Contains(got, "豆腐坊計劃書.pdf") || !strings.Contains(got, "經營計劃書") {
		t.Errorf("documents: %q", got)
	}
	s.Fits("the loan file")
	file, err := chromedp.Run(s.Ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	file, _, _ = strings.Cut(file, "#") // the upload came back to #documents
	s.Logout()
	s.Login("hotline@test.cn")
	s.Step("bureau checks", chromedp.Navigate(file), chromedp.WaitVisible(chromedp.ID("bureau-form")),
		chromedp.SendKeys(chromedp.ID("bureau-note"), "已核實身分、花名冊及擔保人"),
		chromedp.Click(chromedp.ID("forward-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="loans.step.forward"]`)))
	s.Logout()
	s.Login("bank@test.cn")
	s.Step("the bank's queue", chromedp.Navigate(s.Base+"/loans"), chromedp.WaitVisible(chromedp.CSS(`#loans a[href="`+strings.TrimPrefix(file, s.Base)+`"]`)))
	s.Step("the bank reads the file", chromedp.Navigate(file), chromedp.WaitVisible(chromedp.ID("approve-form")))
	if got := s.Text("#attachments"); !strings.Contains(got, "豆腐坊計劃書.pdf") {
		t.Errorf("the bank's view of the documents: %q", got)
	}
	s.Step("the bank decides",
		chromedp.Click(chromedp.ID("approve-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="loans.step.approve"]`)))
	s.Logout()
	s.Login("farmer@test.cn")
	s.Step("the applicant sees it", chromedp.Navigate(file), chromedp.WaitVisible(chromedp.ID("schedule")))
	if got := s.Text("#loan-status"); !strings.Contains(got, "已核准") {
		t.Errorf("status: %q", got)
	}
	if got := s.Text("#loan-timeline"); !strings.Contains(got, "核實並轉交銀行") || !strings.Contains(got, "核准") {
		t.Errorf("timeline: %q", got)
	}
	if got := s.Text("#loan-subsidy"); !strings.Contains(got, "50%") {
		t.Errorf("subsidy: %q", got)
	}
	s.Fits("the approved file")
	portaltest.Screenshot(t, s.Ctx, "loan-approved")
	// The bureau's figures count it.
	s.Logout()
	s.Login("admin@test.cn")
	s.Step("figures", chromedp.Navigate(s.Base+"/admin/figures"), chromedp.WaitVisible(chromedp.ID("figure-tiles")))
	if got := s.Text("#figure-tiles"); !strings.Contains(got, "貸款核准") {
		t.Errorf("figures: %q", got)
	}
	s.Fits("the figures page")
	portaltest.Screenshot(t, s.Ctx, "figures")
	s.Step("export links keep the span", chromedp.WaitVisible(chromedp.ID("export-xlsx")))
	s.Step("bases' own figures", chromedp.Navigate(s.Base+"/manage/figures"), chromedp.WaitVisible(chromedp.ID("own-figures")))
	s.Fits("the bases' figures")
	s.Logout()
	s.Step("open data, signed out", chromedp.Navigate(s.Base+"/open-data"), chromedp.WaitVisible(chromedp.ID("open-data")))
	if got := s.Text("#open-data"); !strings.Contains(got, "全市") {
		t.Errorf("open data: %q", got)
	}
	s.Fits("the open data page")
}

// TestLoanDocuments: documents uploaded to a file through the API and the
// pages, checked by content and size, served as downloads only to those
// who may read the file.
func TestLoanDocuments(t *testing.T) {
	t.Parallel()
	w := portaltest.NewLoanWorld(t)
	tp := w.Portal
	app := map[string]any{"policy_id": "guaranteed-loan", "amount_yuan": 20000, "term_months": 24, "purpose": "購買豆腐坊設備", "guarantee": "guarantee_fund",
		"plan": "在村口開豆腐坊，日產 200 斤，供應三家超市，預計八個月收回設備投資。", "documents": []string{"id_card", "business_plan"}, "bank_id": w.BankID}
	resp, body := tp.Do("POST", "/api/v1/loans", app, w.Farmer)
	if resp.StatusCode != 201 {
		t.Fatalf("apply: %d %s", resp.StatusCode, body)
	}
	l := portaltest.Decode[loansweb.APILoan](t, body)
	upload := func(token string, fields map[string]string, filename string, data []byte) (*http.Response, []byte) {
		r, ct := portaltest.Multipart(t, fields, filename, data)
		req := httptest.NewRequest("POST", "/api/v1/loans/"+l.ID+"/attachments", r)
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := tp.App.HTTP().Test(req, -1)
		if err != nil && strings.Contains(err.Error(), "body size exceeds") {
			// The server refuses it before reading it all (over a real
			// connection: 413, see TestServeAndShutdown).
			return &http.Response{StatusCode: 413}, nil
		}
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		return resp, out
	}
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("計劃"), 500)...)
	plan := map[string]string{"kind": "business_plan"}
	for _, tt := range []struct {
		name, token string
		fields      map[string]string
		filename    string
		data        []byte
		status      int
		want        string
	}{
		{"no file", w.Farmer, plan, "", nil, 422, `"field":"file"`},
		{"a script named .pdf", w.Farmer, plan, "plan.pdf", []byte("<script>alert(1)</script>"), 422, "error.file.type"},
		{"one byte over the limit", w.Farmer, plan, "plan.pdf", append([]byte("%PDF-"), make([]byte, loans.MaxFileBytes-4)...), 422, "error.file.size"},
		{"far over the limit", w.Farmer, plan, "plan.pdf", make([]byte, loansweb.UploadLimit+1), 413, ""},
		{"unknown kind", w.Farmer, map[string]string{"kind": "x"}, "plan.pdf", pdf, 422, `"field":"kind"`},
		{"another entrepreneur", w.Other, plan, "plan.pdf", pdf, 404, ""},
		{"a bank officer", w.Officer, plan, "plan.pdf", pdf, 403, ""},
	} {
		resp, body := upload(tt.token, tt.fields, tt.filename, tt.data)
		if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.want) {
			t.Errorf("%s: %d %s", tt.name, resp.StatusCode, body)
		}
	}
	if resp, body := tp.Do("GET", "/api/v1/loans/"+l.ID, nil, w.Farmer); !strings.Contains(string(body), `"attachments":[]`) {
		t.Fatalf("refused uploads stored something: %d %s", resp.StatusCode, body)
	}
	resp, body = upload(w.Farmer, plan, "計劃書 v2.pdf", pdf)
	if resp.StatusCode != 201 {
		t.Fatalf("upload: %d %s", resp.StatusCode, body)
	}
	att := portaltest.Decode[loans.Attachment](t, body)
	dl := "/api/v1/loans/" + l.ID + "/attachments/" + att.ID
	for _, tt := range []struct {
		who    string
		token  string
		status int
	}{{"applicant", w.Farmer, 200}, {"bureau", w.Staff, 200}, {"bank before forwarding", w.Officer, 404}, {"other", w.Other, 404}, {"mentor", w.Mentor, 403}, {"guest", "", 401}} {
		resp, body := tp.Do("GET", dl, nil, tt.token)
		if resp.StatusCode != tt.status {
			t.Errorf("%s downloads: %d", tt.who, resp.StatusCode)
			continue
		}
		if tt.status == 200 {
			if !bytes.Equal(body, pdf) || resp.Header.Get("Content-Type") != "application/pdf" ||
				!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "sandbox") {
				t.Errorf("%s download: %v", tt.who, resp.Header)
			}
		}
	}
	// The page: the applicant uploads and removes through the form.
	b := tp.Browser()
	b.Header.Set("Authorization", "") // cookies only
	_, doc := b.Get("/login")
	b.Post("/login", url.Values{"login": {"farmer@test.cn"}, "password": {portaltest.Password}}, portaltest.CSRF(doc))
	_, doc = b.Get("/loans/" + l.ID)
	if doc.Find(`#attachments a[href="/loans/`+l.ID+`/attachments/`+att.ID+`"]`).Length() != 1 {
		t.Fatal("the file page does not list the document")
	}
	r, ct := portaltest.Multipart(t, map[string]string{"kind": "lease", "_csrf": portaltest.CSRF(doc)}, "租約.png", []byte("\x89PNG\r\n\x1a\nrest"))
	req := httptest.NewRequest("POST", "/loans/"+l.ID+"/attachments", r)
	req.Header.Set("Content-Type", ct)
	if resp, _ := b.Send(req); resp.StatusCode != 303 {
		t.Fatalf("web upload: %d", resp.StatusCode)
	}
	_, doc = b.Get("/loans/" + l.ID)
	if doc.Find(`#attachments li`).Length() != 2 || !strings.Contains(doc.Find("#attachments").Text(), "租約.png") {
		t.Fatalf("after the web upload: %s", doc.Find("#documents").Text())
	}
	del, _ := doc.Find(`#attachments form`).First().Attr("action")
	b.Post(del, url.Values{}, portaltest.CSRF(doc))
	_, doc = b.Get("/loans/" + l.ID)
	if doc.Find(`#attachments li`).Length() != 1 {
		t.Fatalf("after removing: %s", doc.Find("#documents").Text())
	}
}

// TestLoanFormSaysBeforeTyping: a person who qualifies for no loan is told
// so on arrival, with the way to see why, not after filling the form; the
// form says the cap, and a refused amount repeats it; withdrawing asks for
// a confirmation first (at the bank's stage too).
func TestLoanFormSaysBeforeTyping(t *testing.T) {
	t.Parallel()
	w := portaltest.NewLoanWorld(t)
	tp := w.Portal
	tp.Do("PUT", "/api/v1/me/profile", map[string]any{"real_name": "周其他", "consent_version": "2026-11"}, w.Other)
	other, _ := tp.SignedIn(t, "other@test.cn")
	_, doc := other.Get("/loans/new")
	if doc.Find("#loan-none").Length() != 1 || doc.Find("#loan-form").Length() != 0 || doc.Find(`#loan-none a[href="/supports"]`).Length() != 1 {
		t.Errorf("not eligible: %q", doc.Find("main").Text())
	}

	farmer, csrf := tp.SignedIn(t, "farmer@test.cn")
	_, doc = farmer.Get("/loans/new")
	if got := doc.Find("#h-amount_yuan").Text(); !strings.Contains(got, "20,000") {
		t.Errorf("the amount's hint %q does not say the cap", got)
	}
	if got := doc.Find(`select[name="policy_id"] option[selected]`).AttrOr("value", ""); got != "guaranteed-loan" {
		t.Errorf("preselected policy %q", got)
	}
	form := url.Values{"policy_id": {"guaranteed-loan"}, "amount_yuan": {"50000"}, "term_months": {"24"}, "purpose": {"購買加工設備"},
		"plan": {"收購本村農產品加工成禮盒，經電商平台銷售，預計一年內回本。"}, "guarantee": {"guarantee_fund"}, "documents": {"id_card", "business_plan"}, "bank_id": {w.BankID}}
	resp, doc := farmer.Post("/loans", form, csrf)
	if got := doc.Find("#e-amount_yuan").Text(); resp.StatusCode != 422 || got != "金額須在 1,000 元至 20,000 元之間。" {
		t.Errorf("refused amount: %d %q", resp.StatusCode, got)
	}
	form.Set("amount_yuan", "20000")
	resp, _ = farmer.Post("/loans", form, portaltest.CSRF(doc))
	if resp.StatusCode != 303 {
		t.Fatalf("apply: %d", resp.StatusCode)
	}
	file := resp.Header.Get("Location")
	id := strings.TrimPrefix(file, "/loans/")
	// The bureau's step is due at the close of its second working day: a
	// date and the limit, no clock time.
	_, doc = farmer.Get(file)
	l := portaltest.Decode[loansweb.APILoan](t, tp.MustDo(t, "GET", "/api/v1/loans/"+id, nil, w.Farmer))
	due := core.DateOf(tp.App.Bureau().Workdays.DueOn(l.CreatedAt, 2))
	if got := strings.TrimSpace(doc.Find("#loan-due").Text()); got != due.String()+"（2 個工作日內）" || l.DueOn != due || l.DueDays != 2 {
		t.Errorf("the bureau's limit: %q, API due on %s in %d working days; want %s", got, l.DueOn, l.DueDays, due)
	}
	tp.MustDo(t, "POST", "/api/v1/loans/"+id+"/steps", map[string]any{"action": "forward", "note": "材料齊全，已核對花名冊"}, w.Staff)

	// At the bank: a withdrawal without the tick is refused, with it done.
	_, doc = farmer.Get(file)
	if !strings.Contains(doc.Find("#withdraw-form").Text(), "銀行") || doc.Find("#withdraw-confirm[required]").Length() != 1 {
		t.Errorf("withdraw form: %q", doc.Find("#withdraw").Text())
	}
	resp, _ = farmer.Post(file+"/steps", url.Values{"action": {"withdraw"}}, portaltest.CSRF(doc))
	_, doc = farmer.Get(file)
	if resp.StatusCode != 303 || doc.Find(`.flash.refused[data-flash="error.loan.withdraw_unconfirmed"]`).Length() != 1 || !strings.Contains(doc.Find("#withdraw").Text(), "撤回") {
		t.Fatalf("unconfirmed withdrawal: %d %q", resp.StatusCode, doc.Find("main").Text())
	}
	resp, _ = farmer.Post(file+"/steps", url.Values{"action": {"withdraw"}, "confirm": {"yes"}}, portaltest.CSRF(doc))
	if _, doc = farmer.Get(file); doc.Find(`.flash[data-flash="loans.step.withdraw"]`).Length() != 1 {
		t.Errorf("confirmed withdrawal: %d %q", resp.StatusCode, doc.Find("main").Text())
	}
}

// TestLoanStepErrorsAtTheirForm: a refused step comes back on the file's
// page with the real reason at its form and what was typed: an empty
// repayment asks for an amount (it is not "more than owed"), a repayment
// above what is owed names the sum, a disbursement dated before the
// approval names that day; the API names the same fields.
func TestLoanStepErrorsAtTheirForm(t *testing.T) {
	t.Parallel()
	w := portaltest.NewLoanWorld(t)
	tp := w.Portal
	app := map[string]any{"policy_id": "guaranteed-loan", "amount_yuan": 20000, "term_months": 24, "purpose": "購買豆腐坊設備", "guarantee": "guarantee_fund",
		"plan": "在村口開豆腐坊，日產 200 斤，供應三家超市，預計八個月收回設備投資。", "documents": []string{"id_card", "business_plan"}, "bank_id": w.BankID}
	l := portaltest.Decode[loansweb.APILoan](t, tp.MustDo(t, "POST", "/api/v1/loans", app, w.Farmer))
	steps := "/api/v1/loans/" + l.ID + "/steps"
	tp.MustDo(t, "POST", steps, map[string]any{"action": "forward", "note": "材料齊全"}, w.Staff)
	tp.MustDo(t, "POST", steps, map[string]any{"action": "approve", "granted_yuan": 10000, "rate_pct": 4.35}, w.Officer)
	yesterday := core.DateOf(tp.Now()).AddDays(-1).String()
	bank, _ := tp.SignedIn(t, "bank@test.cn")
	_, doc := bank.Get("/loans/" + l.ID)
	resp, doc := bank.Post("/loans/"+l.ID+"/steps", url.Values{"action": {"disburse"}, "on": {yesterday}}, portaltest.CSRF(doc))
	if got := doc.Find("#step-errors").Text(); resp.StatusCode != 422 || !strings.Contains(got, "不可早於核准日") || doc.Find("#disburse-on").AttrOr("value", "") != yesterday {
		t.Fatalf("disbursed before approval: %d %q, date %q", resp.StatusCode, got, doc.Find("#disburse-on").AttrOr("value", ""))
	}
	tp.MustDo(t, "POST", steps, map[string]any{"action": "disburse", "on": core.DateOf(tp.Now()).String()}, w.Officer)
	_, doc = bank.Get("/loans/" + l.ID)
	resp, doc = bank.Post("/loans/"+l.ID+"/steps", url.Values{"action": {"repay"}, "on": {core.DateOf(tp.Now()).String()}}, portaltest.CSRF(doc))
	if got := doc.Find("#repay-form #step-errors").Text(); resp.StatusCode != 422 || got != "請填寫本金或利息的金額。" {
		t.Errorf("an empty repayment: %d %q", resp.StatusCode, got)
	}
	resp, doc = bank.Post("/loans/"+l.ID+"/steps", url.Values{"action": {"repay"}, "on": {core.DateOf(tp.Now()).String()}, "principal_yuan": {"12000"}}, portaltest.CSRF(doc))
	if got := doc.Find("#repay-form #step-errors").Text(); resp.StatusCode != 422 || !strings.Contains(got, "10,000") || doc.Find("#principal_yuan").AttrOr("value", "") != "12000" {
		t.Errorf("a repayment above what is owed: %d %q", resp.StatusCode, got)
	}
	tp.Run(t, []portaltest.Scenario{{Name: "the API names the field", Method: "POST", Path: steps, Token: w.Officer, Status: 422,
		Body: map[string]any{"action": "repay", "on": core.DateOf(tp.Now()).String(), "principal_fen": 1200000}, Contains: []string{`"field":"principal_fen"`, `"code":"error.loan.repayment"`, "10,000"}}})

	// Two months on, the bank records a late repayment, then one dated
	// earlier: the file lists them by date, the timeline with amounts, and
	// says what is still owed and which instalments are overdue.
	disbursed := core.DateOf(tp.Now())
	tp.Advance(65 * 24 * time.Hour)
	officer := tp.Login("bank@test.cn")
	tp.MustDo(t, "POST", steps, map[string]any{"action": "repay", "on": disbursed.AddDays(40).String(), "principal_fen": 41700, "interest_fen": 3000}, officer)
	tp.MustDo(t, "POST", steps, map[string]any{"action": "repay", "on": disbursed.AddDays(20).String(), "principal_fen": 41700, "interest_fen": 3600}, officer)
	bank, _ = tp.SignedIn(t, "bank@test.cn")
	_, doc = bank.Get("/loans/" + l.ID)
	if got := doc.Find("#repayments li").First().Text(); !strings.HasPrefix(got, disbursed.AddDays(20).String()) {
		t.Errorf("repayments not in date order: %q", doc.Find("#repayments").Text())
	}
	if got := doc.Find("#loan-standing").Text(); !strings.Contains(got, "尚欠本金 9,166.00 元") || !strings.Contains(got, "已還清 2 / 24 期") {
		t.Errorf("standing: %q", got)
	}
	if got := doc.Find("#loan-timeline").Text(); !strings.Contains(got, "本金 417.00 元") {
		t.Errorf("timeline without amounts: %q", got)
	}
	if n := doc.Find("#schedule td.state").Length(); n != 24 {
		t.Errorf("%d instalments with a state", n)
	}
}
