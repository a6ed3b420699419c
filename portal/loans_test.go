package portal

import (
	"bytes"
	"io"
	"mime/multipart"
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

	"onestop/services/accounts"
	"onestop/services/loans"
)

// loanWorld: a farmer whose profile qualifies for the small guaranteed
// loan, another entrepreneur, hotline staff, two banks with an officer
// each, a mentor.
type loanWorld struct {
	tp                                             *testPortal
	admin, farmer, other, staff, officer, officer2 string
	mentor, bankID                                 string
}

func newLoanWorld(t *testing.T) *loanWorld {
	tp := newTestPortal(t)
	w := &loanWorld{tp: tp}
	_, w.admin, _ = tp.account(accounts.Admin, "admin@test.cn")
	_, w.farmer, _ = tp.account(accounts.Entrepreneur, "farmer@test.cn")
	_, w.other, _ = tp.account(accounts.Entrepreneur, "other@test.cn")
	_, w.staff, _ = tp.account(accounts.Hotline, "hotline@test.cn")
	_, w.mentor, _ = tp.account(accounts.Mentor, "mentor@test.cn")
	officerID, officer, _ := tp.account(accounts.BankOfficer, "bank@test.cn")
	officer2ID, officer2, _ := tp.account(accounts.BankOfficer, "bank2@test.cn")
	w.officer, w.officer2 = officer, officer2
	if resp, body := tp.do("PUT", "/api/v1/me/profile", map[string]any{"real_name": "李秀英", "consent_version": "2026-11", "target_groups": []string{"land_expropriated_farmer"},
		"venture": map[string]any{"stage": "preparing", "micro_profit": true, "own_funds_sufficient": false, "industry": "agri_processing"}}, w.farmer); resp.StatusCode != 200 {
		t.Fatalf("profile: %d %s", resp.StatusCode, body)
	}
	for name, off := range map[string]string{"城市商業銀行": officerID, "農村信用社": officer2ID} {
		resp, body := tp.do("POST", "/api/v1/admin/banks", map[string]any{"name": name}, w.admin)
		if resp.StatusCode != 201 {
			t.Fatalf("bank: %d %s", resp.StatusCode, body)
		}
		b := decode[loans.Bank](t, body)
		if resp, body := tp.do("POST", "/api/v1/admin/banks/"+b.ID+"/officers", map[string]any{"officers": []string{off}}, w.admin); resp.StatusCode != 200 {
			t.Fatalf("officers: %d %s", resp.StatusCode, body)
		}
		if off == officerID {
			w.bankID = b.ID
		}
	}
	return w
}

func TestLoansAPI(t *testing.T) {
	w := newLoanWorld(t)
	tp := w.tp
	app := map[string]any{"policy_id": "guaranteed-loan", "amount_yuan": 20000, "term_months": 24, "purpose": "購買豆腐坊設備", "guarantee": "guarantee_fund",
		"plan": "在村口開豆腐坊，日產 200 斤，供應三家超市，預計八個月收回設備投資。", "documents": []string{"id_card", "business_plan"}, "bank_id": w.bankID}
	over := map[string]any{}
	for k, v := range app {
		over[k] = v
	}
	over["amount_yuan"] = 50000
	resp, body := tp.do("POST", "/api/v1/loans", app, w.farmer)
	if resp.StatusCode != 201 {
		t.Fatalf("apply: %d %s", resp.StatusCode, body)
	}
	l := decode[loansweb.APILoan](t, body)
	p := "/api/v1/loans/" + l.ID
	tp.run(t, []scenario{
		{name: "above the cap", method: "POST", path: "/api/v1/loans", token: w.farmer, body: over, status: 422, contains: []string{`"field":"amount_yuan"`}},
		{name: "not eligible", method: "POST", path: "/api/v1/loans", token: w.other, body: app, status: 422, contains: []string{"error.loan.not_eligible"}},
		{name: "mentors cannot apply", method: "POST", path: "/api/v1/loans", token: w.mentor, body: app, status: 403},
		{name: "the applicant reads it, waiting on the bureau", method: "GET", path: p, token: w.farmer, status: 200, contains: []string{`"waiting_on":"bureau"`}},
		{name: "another entrepreneur cannot", method: "GET", path: p, token: w.other, status: 404},
		{name: "the bank cannot before forwarding", method: "GET", path: p, token: w.officer, status: 404},
		{name: "mentors cannot list loans", method: "GET", path: "/api/v1/loans", token: w.mentor, status: 403},
		{name: "the bureau's queue", method: "GET", path: "/api/v1/loans", token: w.staff, status: 200, contains: []string{l.ID}},
		{name: "the bank acts too early", method: "POST", path: p + "/steps", token: w.officer, body: map[string]any{"action": "approve", "granted_yuan": 20000, "rate_pct": 4.35}, status: 404},
		{name: "forward", method: "POST", path: p + "/steps", token: w.staff, body: map[string]any{"action": "forward", "note": "已核實花名冊與身份"}, status: 200, contains: []string{`"waiting_on":"bank"`}},
		{name: "the other bank cannot read", method: "GET", path: p, token: w.officer2, status: 404},
		{name: "the other bank cannot decide", method: "POST", path: p + "/steps", token: w.officer2, body: map[string]any{"action": "decline", "note": "x"}, status: 404},
		{name: "the applicant cannot approve", method: "POST", path: p + "/steps", token: w.farmer, body: map[string]any{"action": "approve", "granted_yuan": 20000, "rate_pct": 4.35}, status: 403},
		{name: "the bank's list", method: "GET", path: "/api/v1/loans", token: w.officer, status: 200, contains: []string{l.ID}},
		{name: "approve", method: "POST", path: p + "/steps", token: w.officer, body: map[string]any{"action": "approve", "granted_yuan": 20000, "rate_pct": 4.35}, status: 200,
			contains: []string{`"status":"approved"`, `"interest_fen":`, `"subsidy_fen":`}},
		{name: "approving twice", method: "POST", path: p + "/steps", token: w.officer, body: map[string]any{"action": "approve", "granted_yuan": 20000, "rate_pct": 4.35}, status: 409},
	})
}

// TestBrowserLoanJourney: from the eligibility result to the application,
// the bureau's check and the bank's decision, on a phone screen; the
// applicant sees the same timeline and the interest subsidy.
func TestBrowserLoanJourney(t *testing.T) {
	w := newLoanWorld(t)
	s := newSession(t, w.tp, 120*time.Second)
	s.step("phone screen", chromedp.EmulateViewport(375, 812))
	s.zhHant()
	s.login("farmer@test.cn")
	s.step("supports", chromedp.Navigate(s.base+"/supports"), chromedp.WaitVisible(chromedp.CSS(`a.apply-loan`)), chromedp.Click(chromedp.CSS(`a.apply-loan`)),
		chromedp.WaitVisible(chromedp.ID("loan-form")))
	s.step("apply", chromedp.SendKeys(chromedp.ID("f-amount_yuan"), "20000"), chromedp.SendKeys(chromedp.ID("f-purpose"), "購買豆腐坊設備"),
		chromedp.SendKeys(chromedp.ID("f-plan"), "在村口開豆腐坊，日產 200 斤，供應三家超市，預計八個月收回設備投資。"),
		chromedp.SetValue(chromedp.ID("f-guarantee"), "guarantor"), chromedp.SendKeys(chromedp.ID("f-guarantee_details"), "擔保人：李建國"),
		chromedp.Click(chromedp.CSS(`input[name="documents"][value="guarantor_statement"]`)),
		chromedp.SetValue(chromedp.ID("f-bank_id"), w.bankID),
		chromedp.Click(chromedp.ID("loan-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="loans.applied"]`)))
	if got := s.text("#loan-waiting"); got != "待人社局審核" {
		t.Errorf("waiting on: %q", got)
	}
	plan := filepath.Join(t.TempDir(), "豆腐坊計劃書.pdf")
	if err := os.WriteFile(plan, []byte("%PDF-1.4\n% a business plan\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.step("upload the business plan", chromedp.SetValue(chromedp.ID("attach-kind"), "business_plan"),
		chromedp.SetUploadFiles(chromedp.ID("attach-file"), []string{plan}), chromedp.Click(chromedp.ID("attach-submit")),
		chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="loans.attached"]`)))
	if got := s.text("#attachments"); !strings.Contains(got, "豆腐坊計劃書.pdf") || !strings.Contains(got, "經營計劃書") {
		t.Errorf("documents: %q", got)
	}
	s.fits("the loan file")
	file, err := chromedp.Run(s.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	file, _, _ = strings.Cut(file, "#") // the upload came back to #documents
	s.logout()
	s.login("hotline@test.cn")
	s.step("bureau checks", chromedp.Navigate(file), chromedp.WaitVisible(chromedp.ID("bureau-form")),
		chromedp.SendKeys(chromedp.ID("bureau-note"), "已核實身份、花名冊及擔保人"),
		chromedp.Click(chromedp.ID("forward-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="loans.step.forward"]`)))
	s.logout()
	s.login("bank@test.cn")
	s.step("the bank's queue", chromedp.Navigate(s.base+"/loans"), chromedp.WaitVisible(chromedp.CSS(`#loans a[href="`+strings.TrimPrefix(file, s.base)+`"]`)))
	s.step("the bank reads the file", chromedp.Navigate(file), chromedp.WaitVisible(chromedp.ID("approve-form")))
	if got := s.text("#attachments"); !strings.Contains(got, "豆腐坊計劃書.pdf") {
		t.Errorf("the bank's view of the documents: %q", got)
	}
	s.step("the bank decides",
		chromedp.Click(chromedp.ID("approve-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="loans.step.approve"]`)))
	s.logout()
	s.login("farmer@test.cn")
	s.step("the applicant sees it", chromedp.Navigate(file), chromedp.WaitVisible(chromedp.ID("schedule")))
	if got := s.text("#loan-status"); !strings.Contains(got, "已核准") {
		t.Errorf("status: %q", got)
	}
	if got := s.text("#loan-timeline"); !strings.Contains(got, "核實並轉交銀行") || !strings.Contains(got, "核准") {
		t.Errorf("timeline: %q", got)
	}
	if got := s.text("#loan-subsidy"); !strings.Contains(got, "50%") {
		t.Errorf("subsidy: %q", got)
	}
	s.fits("the approved file")
	screenshot(t, s.ctx, "loan-approved")
	// The bureau's figures count it.
	s.logout()
	s.login("admin@test.cn")
	s.step("figures", chromedp.Navigate(s.base+"/admin/figures"), chromedp.WaitVisible(chromedp.ID("figure-tiles")))
	if got := s.text("#figure-tiles"); !strings.Contains(got, "貸款核准") {
		t.Errorf("figures: %q", got)
	}
	s.fits("the figures page")
	screenshot(t, s.ctx, "figures")
	s.step("export links keep the span", chromedp.WaitVisible(chromedp.ID("export-xlsx")))
	s.step("bases' own figures", chromedp.Navigate(s.base+"/manage/figures"), chromedp.WaitVisible(chromedp.ID("own-figures")))
	s.fits("the bases' figures")
	s.logout()
	s.step("open data, signed out", chromedp.Navigate(s.base+"/open-data"), chromedp.WaitVisible(chromedp.ID("open-data")))
	if got := s.text("#open-data"); !strings.Contains(got, "全市") {
		t.Errorf("open data: %q", got)
	}
	s.fits("the open data page")
}

// multipartUpload is the body of a document upload.
func multipartUpload(t *testing.T, fields map[string]string, filename string, data []byte) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if filename != "" {
		fw, err := mw.CreateFormFile("file", filename)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}

// TestLoanDocuments: documents uploaded to a file through the API and the
// pages, checked by content and size, served as downloads only to those
// who may read the file.
func TestLoanDocuments(t *testing.T) {
	w := newLoanWorld(t)
	tp := w.tp
	app := map[string]any{"policy_id": "guaranteed-loan", "amount_yuan": 20000, "term_months": 24, "purpose": "購買豆腐坊設備", "guarantee": "guarantee_fund",
		"plan": "在村口開豆腐坊，日產 200 斤，供應三家超市，預計八個月收回設備投資。", "documents": []string{"id_card", "business_plan"}, "bank_id": w.bankID}
	resp, body := tp.do("POST", "/api/v1/loans", app, w.farmer)
	if resp.StatusCode != 201 {
		t.Fatalf("apply: %d %s", resp.StatusCode, body)
	}
	l := decode[loansweb.APILoan](t, body)
	upload := func(token string, fields map[string]string, filename string, data []byte) (*http.Response, []byte) {
		r, ct := multipartUpload(t, fields, filename, data)
		req := httptest.NewRequest("POST", "/api/v1/loans/"+l.ID+"/attachments", r)
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := tp.app.HTTP().Test(req, -1)
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
		{"no file", w.farmer, plan, "", nil, 422, `"field":"file"`},
		{"a script named .pdf", w.farmer, plan, "plan.pdf", []byte("<script>alert(1)</script>"), 422, "error.file.type"},
		{"one byte over the limit", w.farmer, plan, "plan.pdf", append([]byte("%PDF-"), make([]byte, loans.MaxFileBytes-4)...), 422, "error.file.size"},
		{"far over the limit", w.farmer, plan, "plan.pdf", make([]byte, uploadBodyLimit+1), 413, ""},
		{"unknown kind", w.farmer, map[string]string{"kind": "x"}, "plan.pdf", pdf, 422, `"field":"kind"`},
		{"another entrepreneur", w.other, plan, "plan.pdf", pdf, 404, ""},
		{"a bank officer", w.officer, plan, "plan.pdf", pdf, 403, ""},
	} {
		resp, body := upload(tt.token, tt.fields, tt.filename, tt.data)
		if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.want) {
			t.Errorf("%s: %d %s", tt.name, resp.StatusCode, body)
		}
	}
	if resp, body := tp.do("GET", "/api/v1/loans/"+l.ID, nil, w.farmer); !strings.Contains(string(body), `"attachments":[]`) {
		t.Fatalf("refused uploads stored something: %d %s", resp.StatusCode, body)
	}
	resp, body = upload(w.farmer, plan, "計劃書 v2.pdf", pdf)
	if resp.StatusCode != 201 {
		t.Fatalf("upload: %d %s", resp.StatusCode, body)
	}
	att := decode[loans.Attachment](t, body)
	dl := "/api/v1/loans/" + l.ID + "/attachments/" + att.ID
	for _, tt := range []struct {
		who    string
		token  string
		status int
	}{{"applicant", w.farmer, 200}, {"bureau", w.staff, 200}, {"bank before forwarding", w.officer, 404}, {"other", w.other, 404}, {"mentor", w.mentor, 403}, {"guest", "", 401}} {
		resp, body := tp.do("GET", dl, nil, tt.token)
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
	b := tp.browser()
	b.header.Set("Authorization", "") // cookies only
	_, doc := b.get("/login")
	b.post("/login", url.Values{"login": {"farmer@test.cn"}, "password": {testPassword}}, csrfOf(doc))
	_, doc = b.get("/loans/" + l.ID)
	if doc.Find(`#attachments a[href="/loans/`+l.ID+`/attachments/`+att.ID+`"]`).Length() != 1 {
		t.Fatal("the file page does not list the document")
	}
	r, ct := multipartUpload(t, map[string]string{"kind": "lease", "_csrf": csrfOf(doc)}, "租約.png", []byte("\x89PNG\r\n\x1a\nrest"))
	req := httptest.NewRequest("POST", "/loans/"+l.ID+"/attachments", r)
	req.Header.Set("Content-Type", ct)
	if resp, _ := b.send(req); resp.StatusCode != 303 {
		t.Fatalf("web upload: %d", resp.StatusCode)
	}
	_, doc = b.get("/loans/" + l.ID)
	if doc.Find(`#attachments li`).Length() != 2 || !strings.Contains(doc.Find("#attachments").Text(), "租約.png") {
		t.Fatalf("after the web upload: %s", doc.Find("#documents").Text())
	}
	del, _ := doc.Find(`#attachments form`).First().Attr("action")
	b.post(del, url.Values{}, csrfOf(doc))
	_, doc = b.get("/loans/" + l.ID)
	if doc.Find(`#attachments li`).Length() != 1 {
		t.Fatalf("after removing: %s", doc.Find("#documents").Text())
	}
}
