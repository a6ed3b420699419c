package hotline_test

import (
	"context"
	"encoding/csv"
	"net/url"
	hotlineweb "onestop/portal/hotline"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/hotline"
	"onestop/services/people"
)

func TestHotlineAPI(t *testing.T) {
	t.Parallel()
	w := portaltest.NewHotlineWorld(t)
	tp := w.Portal
	unknown := w.Post(t, "/api/v1/hotline/contacts", map[string]any{"name": "陳先生", "phone": "139 1234 5678"}, w.Staff)
	caller := portaltest.Decode[hotlineweb.APIContact](t, unknown)
	// The entrepreneur calls: found through the blind index, record made.
	account := portaltest.Decode[hotlineweb.APIContact](t, w.Post(t, "/api/v1/hotline/accounts/"+w.E1ID+"/contact", nil, w.Staff))
	call := portaltest.Decode[hotlineweb.APICall](t, w.Post(t, "/api/v1/hotline/calls", map[string]any{"contact_id": caller.ID, "type": "consultation", "topic": "restart",
		"notes": "早餐店停業，想知道還能不能再申請擔保貸款。", "outcome": "referred", "duration_minutes": 6}, w.Staff))
	complaint := portaltest.Decode[hotlineweb.APIComplaint](t, w.Post(t, "/api/v1/complaints", map[string]any{"contact_id": account.ID, "kind": "conduct",
		"subject": "導師不回覆", "against": "mentor", "against_name": "mentor", "details": "三天沒有任何回覆。"}, w.Staff))
	cs := portaltest.Decode[hotlineweb.APICase](t, w.Post(t, "/api/v1/cases", map[string]any{"contact_id": account.ID, "call_id": "", "reasons": []string{"market"},
		"loan_status": "repaying", "debts_yuan": 30000, "situation": "店面租約到期未續。", "needs": []string{"training"}}, w.Staff))
	w.Post(t, "/api/v1/cases/"+cs.ID+"/contacts", map[string]any{"on": core.DateOf(tp.Now()).String(), "channel": "phone", "note": "員工備註：情緒低落"}, w.Staff)
	w.Post(t, "/api/v1/cases/"+cs.ID+"/mentor", map[string]any{"mentor_id": w.MentorID}, w.Staff)
	today := core.DateOf(tp.Now())
	casePath := "/api/v1/cases/" + cs.ID
	tp.Run(t, []portaltest.Scenario{
		// Finding callers: staff only, by phone, ID number or name.
		{Name: "find by phone", Method: "POST", Path: "/api/v1/hotline/find", Body: map[string]string{"q": "13912345678"}, Token: w.Staff, Status: 200, Contains: []string{caller.ID}},
		{Name: "find by ID number", Method: "POST", Path: "/api/v1/hotline/find", Body: map[string]string{"q": "11010519880512123X"}, Token: w.Staff, Status: 200, Contains: []string{account.ID, "王小明"}, NotContains: []string{"11010519880512123X"}},
		{Name: "find by name", Method: "GET", Path: "/api/v1/hotline/find?q=" + url.QueryEscape("陳先生"), Token: w.Staff, Status: 200, Contains: []string{caller.ID}},
		{Name: "no phone in a URL", Method: "GET", Path: "/api/v1/hotline/find?q=13912345678", Token: w.Staff, Status: 422, NotContains: []string{caller.ID}},
		{Name: "entrepreneurs cannot search callers", Method: "POST", Path: "/api/v1/hotline/find", Body: map[string]string{"q": "13912345678"}, Token: w.E1, Status: 403},
		{Name: "mentors cannot read a contact", Method: "GET", Path: "/api/v1/hotline/contacts/" + caller.ID, Token: w.Mentor, Status: 403},
		{Name: "guests cannot log calls", Method: "POST", Path: "/api/v1/hotline/calls", Body: map[string]any{}, Status: 401},
		{Name: "a contact with a bad phone", Method: "POST", Path: "/api/v1/hotline/contacts", Token: w.Staff, Body: map[string]any{"name": "張三", "phone": "123"}, Status: 422, Contains: []string{`"field":"phone"`}},
		{Name: "the same phone twice", Method: "POST", Path: "/api/v1/hotline/contacts", Token: w.Staff, Body: map[string]any{"name": "陳太太", "phone": "13912345678"}, Status: 409, Contains: []string{"error.contact.phone_taken"}},
		{Name: "an operator object as a name", Method: "POST", Path: "/api/v1/hotline/contacts", Token: w.Staff, Body: `{"name":{"$ne":null}}`, Status: 422},
		{Name: "a call for nobody", Method: "POST", Path: "/api/v1/hotline/calls", Token: w.Staff, Body: map[string]any{"contact_id": core.NewID(), "type": "policy", "topic": "loan", "notes": "x", "outcome": "resolved", "duration_minutes": 1}, Status: 422, Contains: []string{`"field":"contact_id"`}},
		{Name: "calls of a contact", Method: "GET", Path: "/api/v1/hotline/calls?contact_id=" + caller.ID, Token: w.Staff, Status: 200, Contains: []string{call.ID, `"total":1`}},
		{Name: "topics this week", Method: "GET", Path: "/api/v1/hotline/topics", Token: w.Staff, Status: 200, Contains: []string{`"restart":1`}},
		{Name: "call → consultation", Method: "POST", Path: "/api/v1/hotline/calls/" + call.ID + "/convert", Token: w.Staff, Body: map[string]any{"to": "consultation"}, Status: 201, Contains: []string{`"kind":"consultation"`}},
		{Name: "call → nonsense", Method: "POST", Path: "/api/v1/hotline/calls/" + call.ID + "/convert", Token: w.Staff, Body: map[string]any{"to": "party"}, Status: 422},

		// Complaints: never visible to whom they are about.
		{Name: "the complainant sees status and deadline", Method: "GET", Path: "/api/v1/complaints/" + complaint.ID, Token: w.E1, Status: 200, Contains: []string{`"status":"received"`, `"due_at"`}},
		{Name: "the complainant's list", Method: "GET", Path: "/api/v1/complaints", Token: w.E1, Status: 200, Contains: []string{complaint.ID}},
		{Name: "the mentor complained about cannot read it", Method: "GET", Path: "/api/v1/complaints/" + complaint.ID, Token: w.Mentor, Status: 404},
		{Name: "nor list it", Method: "GET", Path: "/api/v1/complaints", Token: w.Mentor, Status: 200, NotContains: []string{complaint.ID}},
		{Name: "a base manager cannot", Method: "GET", Path: "/api/v1/complaints/" + complaint.ID, Token: w.Manager, Status: 404},
		{Name: "another entrepreneur cannot", Method: "GET", Path: "/api/v1/complaints/" + complaint.ID, Token: w.E2, Status: 404},
		{Name: "a complaint with no subject", Method: "POST", Path: "/api/v1/complaints", Token: w.E2, Body: map[string]any{"kind": "service", "against": "portal", "details": "網頁打不開"}, Status: 422, Contains: []string{`"field":"subject"`}},
		{Name: "mentors cannot file complaints", Method: "POST", Path: "/api/v1/complaints", Token: w.Mentor, Body: map[string]any{"kind": "service", "subject": "x", "against": "portal", "details": "網頁打不開"}, Status: 403},
		{Name: "the complainant cannot answer", Method: "POST", Path: "/api/v1/complaints/" + complaint.ID + "/steps", Token: w.E1, Body: map[string]any{"action": "answer", "text": "自己答覆"}, Status: 403},
		{Name: "staff answer", Method: "POST", Path: "/api/v1/complaints/" + complaint.ID + "/steps", Token: w.Staff, Body: map[string]any{"action": "answer", "text": "已改派導師並提醒原導師。"}, Status: 200, Contains: []string{`"status":"answered"`}},
		{Name: "the complainant closes", Method: "POST", Path: "/api/v1/complaints/" + complaint.ID + "/steps", Token: w.E1, Body: map[string]any{"action": "close"}, Status: 200, Contains: []string{`"status":"closed"`}},
		{Name: "an unknown action", Method: "POST", Path: "/api/v1/complaints/" + complaint.ID + "/steps", Token: w.Staff, Body: map[string]any{"action": "delete"}, Status: 422},

		// Cases: staff see all, the person a summary without staff notes,
		// the assigned mentor the case, nobody else anything.
		{Name: "staff read notes", Method: "GET", Path: casePath, Token: w.Staff, Status: 200, Contains: []string{"員工備註", `"debts_yuan":30000`}},
		{Name: "the person reads a summary", Method: "GET", Path: casePath, Token: w.E1, Status: 200, Contains: []string{`"status":"open"`}, NotContains: []string{"員工備註", "debts_yuan", "loan_status"}},
		{Name: "the assigned mentor reads it", Method: "GET", Path: casePath, Token: w.Mentor, Status: 200, NotContains: []string{"員工備註", "店面租約"}},
		{Name: "another mentor cannot", Method: "GET", Path: casePath, Token: w.Other, Status: 404},
		{Name: "another entrepreneur cannot", Method: "GET", Path: casePath, Token: w.E2, Status: 404},
		{Name: "a random id", Method: "GET", Path: "/api/v1/cases/" + core.NewID(), Token: w.Staff, Status: 404},
		{Name: "the person's list", Method: "GET", Path: "/api/v1/cases", Token: w.E1, Status: 200, Contains: []string{cs.ID}},
		{Name: "the mentor's list", Method: "GET", Path: "/api/v1/cases", Token: w.Mentor, Status: 200, Contains: []string{cs.ID}},
		{Name: "another mentor's list", Method: "GET", Path: "/api/v1/cases", Token: w.Other, Status: 200, NotContains: []string{cs.ID}},
		{Name: "the person cannot record contacts", Method: "POST", Path: casePath + "/contacts", Token: w.E1, Body: map[string]any{"on": today.String(), "channel": "phone", "note": "自己記錄"}, Status: 403},
		{Name: "a case for someone unknown", Method: "POST", Path: "/api/v1/cases", Token: w.Staff, Body: map[string]any{"contact_id": core.NewID(), "reasons": []string{"market"}, "loan_status": "none"}, Status: 422, Contains: []string{`"field":"contact_id"`}},
		{Name: "a contact in the far future", Method: "POST", Path: casePath + "/contacts", Token: w.Staff, Body: map[string]any{"on": "2999-01-01", "channel": "phone", "note": "未來"}, Status: 422, Contains: []string{`"field":"on"`}},
		{Name: "a contact before the case", Method: "POST", Path: casePath + "/contacts", Token: w.Staff, Body: map[string]any{"on": today.AddDays(-10).String(), "channel": "phone", "note": "之前"}, Status: 422, Contains: []string{"error.date.before_case"}},
		{Name: "a date that is not one", Method: "POST", Path: casePath + "/contacts", Token: w.Staff, Body: map[string]any{"on": "2026-02-30", "channel": "phone", "note": "x"}, Status: 422},
		{Name: "closing without an outcome", Method: "POST", Path: casePath + "/close", Token: w.Staff, Body: map[string]any{"on": today.String()}, Status: 422, Contains: []string{`"field":"outcome"`}},
		{Name: "due today is empty today", Method: "GET", Path: "/api/v1/cases?queue=due_today", Token: w.Staff, Status: 200, Contains: []string{`"total":0`}},
		{Name: "an unknown queue", Method: "GET", Path: "/api/v1/cases?queue=everything", Token: w.Staff, Status: 422},
		{Name: "a fresh eligibility check", Method: "POST", Path: casePath + "/eligibility", Token: w.Staff, Status: 200, Contains: []string{`"kind":"eligibility"`}},
		{Name: "help: a restart consultation", Method: "POST", Path: casePath + "/help", Token: w.Staff, Body: map[string]any{"kind": "consultation", "text": "停業後怎樣選新項目？"}, Status: 200, Contains: []string{`"kind":"consultation"`}},
		{Name: "close with an outcome", Method: "POST", Path: casePath + "/close", Token: w.Staff, Body: map[string]any{"outcome": "started_again", "on": today.String()}, Status: 200, Contains: []string{`"status":"closed"`, `"outcome":"started_again"`}},
		{Name: "staff cannot hand over", Method: "POST", Path: "/api/v1/admin/staff/reassign", Token: w.Staff, Body: map[string]any{"from_id": w.StaffID, "to_id": w.StaffID}, Status: 403},
	})

	// A venture that is operating gets its stability check-ins; the person
	// answers one.
	resp, body := tp.Do("PUT", "/api/v1/me/profile", map[string]any{"real_name": "王小明", "consent_version": "2026-11",
		"venture": map[string]any{"stage": "operating", "first_registered": today.AddMonths(-6).String(), "employees": 3}}, w.E1)
	if resp.StatusCode != 200 {
		t.Fatalf("profile: %d %s", resp.StatusCode, body)
	}
	tp.Run(t, []portaltest.Scenario{
		{Name: "my venture", Method: "GET", Path: "/api/v1/me/venture", Token: w.E1, Status: 200, Contains: []string{`"status":"tracking"`, `"month":6`}},
		{Name: "due for staff", Method: "GET", Path: "/api/v1/hotline/stability", Token: w.Staff, Status: 200, Contains: []string{w.E1ID}},
		{Name: "another entrepreneur cannot answer", Method: "POST", Path: "/api/v1/ventures/" + w.E1ID + "/checkins", Token: w.E2, Body: map[string]any{"month": 6, "on": today.String(), "operating": true, "employees": 4}, Status: 404},
		{Name: "the answer needs operating", Method: "POST", Path: "/api/v1/ventures/" + w.E1ID + "/checkins", Token: w.E1, Body: map[string]any{"month": 6, "on": today.String(), "employees": 4}, Status: 422, Contains: []string{`"field":"operating"`}},
		{Name: "the person answers", Method: "POST", Path: "/api/v1/ventures/" + w.E1ID + "/checkins", Token: w.E1, Body: map[string]any{"month": 6, "on": today.String(), "operating": true, "employees": 4}, Status: 200, Contains: []string{`"employees":4`, `"by":"self"`}},
		{Name: "no longer due", Method: "GET", Path: "/api/v1/hotline/stability", Token: w.Staff, Status: 200, NotContains: []string{w.E1ID}},
	})
}

// TestHotlineCSV: the queue exports parse as CSV, carry the rows, and a
// name typed as a formula stays text.
func TestHotlineCSV(t *testing.T) {
	t.Parallel()
	w := portaltest.NewHotlineWorld(t)
	contact := portaltest.Decode[hotlineweb.APIContact](t, w.Post(t, "/api/v1/hotline/contacts", map[string]any{"name": "=HYPERLINK(\"http://x\")"}, w.Staff))
	for range 3 {
		w.Post(t, "/api/v1/cases", map[string]any{"contact_id": contact.ID, "reasons": []string{"funding", "market"}, "loan_status": "none"}, w.Staff)
	}
	w.Post(t, "/api/v1/complaints", map[string]any{"contact_id": contact.ID, "kind": "service", "subject": "+SUM(A1)", "against": "portal", "details": "網頁打不開"}, w.Staff)
	staff, entrepreneur := w.Portal.Browser(), w.Portal.Browser()
	for who, b := range map[string]*portaltest.Browser{"hotline@test.cn": staff, "e1@test.cn": entrepreneur} {
		_, doc := b.Get("/login")
		b.Post("/login", url.Values{"login": {who}, "password": {portaltest.Password}}, portaltest.CSRF(doc))
	}
	for _, tt := range []struct {
		path string
		rows int
		bad  string
	}{{"/hotline/cases.csv?queue=open", 3, "=HYPERLINK"}, {"/complaints.csv", 1, "+SUM"}} {
		resp, raw := staff.Raw(tt.path)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("%s: %d %s", tt.path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		records, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
		if err != nil || len(records) != tt.rows+1 {
			t.Fatalf("%s: %d records (%v)", tt.path, len(records), err)
		}
		for _, rec := range records[1:] {
			for _, cell := range rec {
				if strings.HasPrefix(cell, tt.bad) {
					t.Errorf("%s: a formula cell %q", tt.path, cell)
				}
			}
		}
		if resp, _ := entrepreneur.Raw(tt.path); resp.StatusCode != 403 {
			t.Errorf("%s for an entrepreneur: %d", tt.path, resp.StatusCode)
		}
	}
}

// TestWebCallForm: a call with no notes re-shows the form with the message
// in the user's language and what was typed; nothing is stored.
func TestWebCallForm(t *testing.T) {
	t.Parallel()
	w := portaltest.NewHotlineWorld(t)
	contact := portaltest.Decode[hotlineweb.APIContact](t, w.Post(t, "/api/v1/hotline/contacts", map[string]any{"name": "陳先生"}, w.Staff))
	b := w.Portal.Browser()
	_, doc := b.Get("/login")
	b.Post("/login", url.Values{"login": {"hotline@test.cn"}, "password": {portaltest.Password}}, portaltest.CSRF(doc))
	_, doc = b.Get("/hotline/contacts/" + contact.ID)
	resp, doc := b.Post("/hotline/contacts/"+contact.ID+"/calls", url.Values{"type": {"policy"}, "topic": {"loan"}, "notes": {"  "},
		"outcome": {"resolved"}, "duration_minutes": {"2.5"}, "next_step": {"週五回電"}}, portaltest.CSRF(doc))
	if resp.StatusCode != 422 {
		t.Fatalf("empty notes: %d", resp.StatusCode)
	}
	if got := doc.Find("#e-notes").Text(); got == "" || strings.Contains(got, "error.") {
		t.Errorf("notes message: %q", got)
	}
	if v, _ := doc.Find("#f-next_step").Attr("value"); v != "週五回電" {
		t.Errorf("typed next step lost: %q", v)
	}
	if _, body := w.Portal.Do("GET", "/api/v1/hotline/calls?contact_id="+contact.ID, nil, w.Staff); !strings.Contains(string(body), `"total":0`) {
		t.Errorf("a bad call was stored: %s", body)
	}
	// The console turns an unknown phone into a new-contact form.
	_, doc = b.Get("/hotline")
	_, doc = b.Post("/hotline/find", url.Values{"q": {"13700001111"}}, portaltest.CSRF(doc))
	if doc.Find("#not-found").Length() != 1 {
		t.Error("no not-found message")
	}
	if v, _ := doc.Find("#f-phone").Attr("value"); v != "13700001111" {
		t.Errorf("phone not carried to the form: %q", v)
	}
}

// TestBrowserHotlineJourney: on a phone screen, hotline staff log a call
// from an unknown caller, open a follow-up case from it, record a contact
// and close the case with "started again".
func TestBrowserHotlineJourney(t *testing.T) {
	t.Parallel()
	w := portaltest.NewHotlineWorld(t)
	s := portaltest.NewSession(t, w.Portal, 90*time.Second)
	s.Step("phone screen", chromedp.EmulateViewport(375, 812))
	s.ZhHant()
	s.Login("hotline@test.cn")
	s.Step("find the caller", chromedp.Navigate(s.Base+"/hotline"), chromedp.WaitVisible(chromedp.ID("find-form")),
		chromedp.SendKeys(chromedp.ID("q"), "13611112222"), chromedp.Click(chromedp.ID("find-submit")), chromedp.WaitVisible(chromedp.ID("not-found")))
	s.Fits("the console")
	portaltest.Screenshot(t, s.Ctx, "hotline-console")
	// A fixed line without its area code is refused with what a caller's
	// number may be, on the phone screen too.
	s.Step("a landline without its area code", chromedp.SetValue(chromedp.ID("f-phone"), "86013388"),
		chromedp.Click(chromedp.ID("contact-submit")), chromedp.WaitVisible(chromedp.ID("e-phone")))
	if got := s.Text("#e-phone"); !strings.Contains(got, "區號") {
		t.Errorf("the caller's phone refused with %q", got)
	}
	s.Fits("the contact form with its errors")
	portaltest.Screenshot(t, s.Ctx, "hotline-contact-errors")
	s.Step("record the caller", chromedp.SetValue(chromedp.ID("f-phone"), "13611112222"), chromedp.SendKeys(chromedp.ID("f-name"), "林阿姨"),
		chromedp.Click(chromedp.ID("contact-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="hotline.contact.created"]`)))
	if got := s.Text("#contact-name"); got != "林阿姨" {
		t.Errorf("contact page: %q", got)
	}
	// No calls yet is said plainly, not as item 「1.」 of the calls (#20.11).
	s.Step("no calls yet", chromedp.WaitVisible(chromedp.ID("calls-none")))
	if n, err := chromedp.Run(s.Ctx, chromedp.Evaluate[int](`[...document.querySelectorAll("main li")].filter(li => li.textContent.includes("尚無")).length`)); err != nil || n != 0 {
		t.Errorf("%d empty states drawn as list items (%v)", n, err)
	}
	s.Step("log the call", chromedp.SetValue(chromedp.ID("f-type"), "follow_up"), chromedp.SetValue(chromedp.ID("f-topic"), "restart"),
		chromedp.SendKeys(chromedp.ID("f-notes"), "奶茶店經營一年後停業，欠房租兩萬元，想重新開始。"),
		chromedp.SetValue(chromedp.ID("f-outcome"), "callback"),
		chromedp.Click(chromedp.ID("call-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="hotline.call.logged"]`)))
	s.Fits("the contact page")
	portaltest.Screenshot(t, s.Ctx, "hotline-contact")
	s.Step("open a case from the call", chromedp.Click(chromedp.CSS(`#calls details summary`)), chromedp.Click(chromedp.CSS(`#calls a.convert-case`)),
		chromedp.WaitVisible(chromedp.ID("case-form")),
		chromedp.Click(chromedp.CSS(`input[name="reasons"][value="market"]`)), chromedp.Click(chromedp.CSS(`input[name="reasons"][value="funding"]`)),
		chromedp.SetValue(chromedp.ID("f-loan_status"), "none"),
		chromedp.SendKeys(chromedp.ID("f-debts_yuan"), "20000"),
		chromedp.Click(chromedp.CSS(`input[name="needs"][value="training"]`)),
		chromedp.Click(chromedp.ID("case-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="cases.opened"]`)))
	if got := s.Text("#case-status"); got != "進行中" {
		t.Errorf("case status: %q", got)
	}
	s.Fits("the case page")
	portaltest.Screenshot(t, s.Ctx, "hotline-case")
	s.Step("record a contact", chromedp.SetValue(chromedp.ID("checkin_id"), ""), chromedp.SendKeys(chromedp.ID("note"), "已報名下期創業培訓，情緒穩定。"),
		chromedp.Click(chromedp.ID("contact-record-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="cases.step.contact"]`)))
	if got := s.Text("#checkins"); !strings.Contains(got, "已報名下期創業培訓") {
		t.Errorf("contacts: %q", got)
	}
	s.Step("close", chromedp.SetValue(chromedp.ID("outcome"), "started_again"), chromedp.SendKeys(chromedp.ID("close-note"), "在社區開了早餐攤"),
		chromedp.Click(chromedp.ID("close-case-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="cases.step.close"]`)))
	if got := s.Text("#case-status"); !strings.Contains(got, "已結案") || !strings.Contains(got, "再次創業") {
		t.Errorf("closed case: %q", got)
	}
	if got := s.Text("#timeline"); !strings.Contains(got, "從來電建立") || !strings.Contains(got, "結案：再次創業") {
		t.Errorf("timeline: %q", got)
	}
	portaltest.Screenshot(t, s.Ctx, "hotline-case-closed")
	s.Step("the queue", chromedp.Navigate(s.Base+"/hotline/cases?queue=closed"), chromedp.WaitVisible(chromedp.ID("cases")))
	if got := s.Text("#cases"); !strings.Contains(got, "林阿姨") {
		t.Errorf("closed queue: %q", got)
	}
	s.Fits("the case queue")
}

// TestCheckinTiming: the person's venture page offers a check-in only from
// a month before its day, says when the next one opens, marks one past its
// day as overdue, starts the head-count at the last figure given (or the
// profile's), and keeps the answers when one is refused.
func TestCheckinTiming(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	id, e1, _ := tp.Account(accounts.Entrepreneur, "e1@test.cn")
	today := core.DateOf(tp.Now())
	reg := today.AddMonths(-7) // the 6-month check-in is a month overdue
	if resp, body := tp.Do("PUT", "/api/v1/me/profile", map[string]any{"real_name": "歐陽準時", "consent_version": people.NoticeVersion,
		"venture": map[string]any{"stage": "operating", "first_registered": reg.String(), "employees": 2}}, e1); resp.StatusCode != 200 {
		t.Fatalf("profile: %d %s", resp.StatusCode, body)
	}
	b, _ := tp.SignedIn(t, "e1@test.cn")
	_, doc := b.Get("/me/venture")
	if got := doc.Find("#venture-checks li").First().Find(".overdue").Text(); got != "已逾期，請盡快回覆" {
		t.Errorf("the overdue check-in reads %q", doc.Find("#venture-checks li").First().Text())
	}
	if got := doc.Find("#employees").AttrOr("value", ""); got != "2" {
		t.Errorf("head-count starts at %q, the profile says 2", got)
	}
	// Refused (the day is in the future): the answers stay.
	resp, doc := b.Post("/ventures/"+id+"/checkins", url.Values{"month": {"6"}, "on": {today.AddDays(3).String()}, "operating": {"yes"}, "employees": {"4"}}, portaltest.CSRF(doc))
	if resp.StatusCode != 422 || doc.Find("#employees").AttrOr("value", "") != "4" || !doc.Find(`input[name="operating"][value="yes"]`).Is("[checked]") || doc.Find("#e-on").Length() != 1 {
		t.Errorf("refused answer: %d, form %q", resp.StatusCode, doc.Find("main").Text())
	}
	resp, _ = b.Post("/ventures/"+id+"/checkins", url.Values{"month": {"6"}, "on": {today.String()}, "operating": {"yes"}, "employees": {"4"}}, portaltest.CSRF(doc))
	if resp.StatusCode != 303 {
		t.Fatalf("answer: %d", resp.StatusCode)
	}
	// The 12-month one is five months away: not offered yet, and said when.
	_, doc = b.Get("/me/venture")
	if doc.Find("#venture-form").Length() != 0 {
		t.Error("the 12-month check-in is offered five months early")
	}
	opens := reg.AddMonths(12).AddDays(-hotline.AnswerAhead).String()
	if got := doc.Find("#venture-next").Text(); !strings.Contains(got, opens) {
		t.Errorf("next check-in: %q, want the day it opens %s", got, opens)
	}
	if got := doc.Find("#venture-checks li").Eq(1).Text(); !strings.Contains(got, opens) || strings.Contains(got, "逾期") {
		t.Errorf("the 12-month row: %q", got)
	}
	tp.Run(t, []portaltest.Scenario{
		{Name: "too early through the API", Method: "POST", Path: "/api/v1/ventures/" + id + "/checkins", Token: e1, Status: 422,
			Body: map[string]any{"month": 12, "on": today.String(), "operating": true, "employees": 4}, Contains: []string{`"field":"on"`, "error.venture.checkin_early"}},
	})
	// A month before its day it opens, starting from the last figure.
	tp.Advance(time.Duration(reg.AddMonths(12).AddDays(-hotline.AnswerAhead).Day()-today.Day()) * 24 * time.Hour)
	b, _ = tp.SignedIn(t, "e1@test.cn") // months later: a new session
	_, doc = b.Get("/me/venture")
	if doc.Find("#venture-form").Length() != 1 || doc.Find("#employees").AttrOr("value", "") != "4" {
		t.Errorf("on the day it opens: form %d, head-count %q", doc.Find("#venture-form").Length(), doc.Find("#employees").AttrOr("value", ""))
	}
}

// TestRevealLinkedCaller: 「查看完整號碼」 on a caller who is an account
// holder opens the profile's numbers (audited on the profile); a caller
// with no numbers at all offers no reveal and records none.
func TestRevealLinkedCaller(t *testing.T) {
	t.Parallel()
	w := portaltest.NewHotlineWorld(t)
	tp := w.Portal
	x := portaltest.Decode[hotlineweb.APIContact](t, w.Post(t, "/api/v1/hotline/accounts/"+w.E1ID+"/contact", nil, w.Staff))
	desk, csrf := tp.SignedIn(t, "hotline@test.cn")
	resp, doc := desk.Post("/hotline/contacts/"+x.ID+"/reveal", url.Values{}, csrf)
	if resp.StatusCode != 200 || !strings.Contains(doc.Find("main").Text(), "13800138000") || !strings.Contains(doc.Find("main").Text(), "11010519880512123X") {
		t.Fatalf("reveal: %d %q", resp.StatusCode, doc.Find(".facts").Text())
	}
	if _, body := tp.Do("GET", "/api/v1/admin/audit?action=pii.reveal", nil, w.Admin); !strings.Contains(string(body), w.E1ID) {
		t.Errorf("the profile's reveal is not audited: %s", body)
	}
	bare := portaltest.Decode[hotlineweb.APIContact](t, w.Post(t, "/api/v1/hotline/contacts", map[string]any{"name": "無名來電"}, w.Staff))
	_, doc = desk.Get("/hotline/contacts/" + bare.ID)
	if doc.Find("#reveal-submit").Length() != 0 {
		t.Error("a reveal is offered for a caller with no numbers")
	}
	resp, _ = desk.Post("/hotline/contacts/"+bare.ID+"/reveal", url.Values{}, portaltest.CSRF(doc))
	if resp.StatusCode != 303 {
		t.Errorf("nothing to reveal: %d", resp.StatusCode)
	}
	if _, body := tp.Do("GET", "/api/v1/admin/audit?action=pii.reveal", nil, w.Admin); strings.Contains(string(body), bare.ID) {
		t.Errorf("a reveal of nothing is audited as one: %s", body)
	}
}

// TestCallerRecordsFollowTheAccount: what the hotline kept for a caller
// (a complaint, a service request, a mentor question) comes into the
// person's own lists once staff link the caller to their account; a
// question logged for a linked caller is theirs at once; and the staff
// member who logged it is told when the mentor replies.
func TestCallerRecordsFollowTheAccount(t *testing.T) {
	t.Parallel()
	w := portaltest.NewHotlineWorld(t)
	tp := w.Portal
	caller := portaltest.Decode[hotlineweb.APIContact](t, w.Post(t, "/api/v1/hotline/contacts", map[string]any{"name": "王小明", "phone": "13800138000"}, w.Staff))
	complaint := portaltest.Decode[hotlineweb.APIComplaint](t, w.Post(t, "/api/v1/complaints", map[string]any{"contact_id": caller.ID, "kind": "service",
		"subject": "窗口排隊太久", "against": "department", "against_name": "就業服務窗口", "details": "辦理登記排了兩個小時。"}, w.Staff))
	call := portaltest.Decode[hotlineweb.APICall](t, w.Post(t, "/api/v1/hotline/calls", map[string]any{"contact_id": caller.ID, "type": "consultation", "topic": "loan",
		"notes": "想申請擔保貸款，需要人協助準備材料。", "outcome": "referred", "duration_minutes": 4}, w.Staff))
	service := portaltest.Decode[map[string]any](t, w.Post(t, "/api/v1/hotline/calls/"+call.ID+"/convert", map[string]any{"to": "service", "type": "financing"}, w.Staff))["id"].(string)
	question := portaltest.Decode[map[string]any](t, w.Post(t, "/api/v1/consultations", map[string]any{"contact_id": caller.ID, "topic": "restart",
		"question": "早餐店停業後還能再創業嗎？"}, w.Staff))["id"].(string)
	for _, path := range []string{"/api/v1/complaints", "/api/v1/me/services", "/api/v1/me/consultations"} {
		if _, body := tp.Do("GET", path, nil, w.E1); strings.Contains(string(body), caller.ID) || strings.Contains(string(body), complaint.ID) || strings.Contains(string(body), question) || strings.Contains(string(body), service) {
			t.Fatalf("before the link the person sees %s: %s", path, body)
		}
	}
	w.Post(t, "/api/v1/hotline/contacts/"+caller.ID+"/link", nil, w.Staff)
	tp.Run(t, []portaltest.Scenario{
		{Name: "the complaint is theirs", Method: "GET", Path: "/api/v1/complaints", Token: w.E1, Status: 200, Contains: []string{complaint.ID}},
		{Name: "the service request is theirs", Method: "GET", Path: "/api/v1/me/services", Token: w.E1, Status: 200, Contains: []string{service}},
		{Name: "the question is theirs", Method: "GET", Path: "/api/v1/me/consultations", Token: w.E1, Status: 200, Contains: []string{question}},
		{Name: "and readable", Method: "GET", Path: "/api/v1/consultations/" + question, Token: w.E1, Status: 200},
		{Name: "not another's", Method: "GET", Path: "/api/v1/consultations/" + question, Token: w.E2, Status: 404},
	})
	// A question for a linked caller is theirs from the start; the mentor's
	// reply reaches them and the hotline member who logged it.
	linked := portaltest.Decode[map[string]any](t, w.Post(t, "/api/v1/consultations", map[string]any{"contact_id": caller.ID, "topic": "restart",
		"question": "重新創業可以找哪位導師陪伴？"}, w.Staff))
	id := linked["id"].(string)
	if _, body := tp.Do("GET", "/api/v1/me/consultations", nil, w.E1); !strings.Contains(string(body), id) {
		t.Fatalf("a question logged for a linked caller is not in their list: %s", body)
	}
	mentor := tp.Login("mentor@test.cn")
	if resp, body := tp.Do("POST", "/api/v1/consultations/"+id+"/messages", map[string]any{"text": "可以，先從小規模試營業開始。"}, mentor); resp.StatusCode != 200 {
		// the question may have gone to the other restart mentor
		other := tp.Login("other-mentor@test.cn")
		if resp, body2 := tp.Do("POST", "/api/v1/consultations/"+id+"/messages", map[string]any{"text": "可以，先從小規模試營業開始。"}, other); resp.StatusCode != 200 {
			t.Fatalf("reply: %s / %s", body, body2)
		}
	}
	if _, body := tp.Do("GET", "/api/v1/me/notifications", nil, w.Staff); !strings.Contains(string(body), "王小明") || !strings.Contains(string(body), "/consultations/"+id) {
		t.Errorf("the hotline is not told of the reply: %s", body)
	}
	if _, body := tp.Do("GET", "/api/v1/me/notifications", nil, w.E1); !strings.Contains(string(body), "/consultations/"+id) {
		t.Errorf("the person is not told of the reply: %s", body)
	}
}

// TestFormsAreSentOnce: a form posted twice — a double click, or Back and
// send again — is handled once: the call is logged once and converted to
// one consultation; the second post gets the first one's page with a note.
// A form re-shown with an error can be sent again once corrected.
func TestFormsAreSentOnce(t *testing.T) {
	t.Parallel()
	w := portaltest.NewHotlineWorld(t)
	contact := portaltest.Decode[hotlineweb.APIContact](t, w.Post(t, "/api/v1/hotline/contacts", map[string]any{"name": "陳先生"}, w.Staff))
	desk, _ := w.Portal.SignedIn(t, "hotline@test.cn")
	_, doc := desk.Get("/hotline/contacts/" + contact.ID)
	token := portaltest.CSRF(doc)
	call := url.Values{"type": {"consultation"}, "topic": {"loan"}, "notes": {"想問擔保貸款的額度。"}, "outcome": {"referred"}, "duration_minutes": {"3"}}
	first, _ := desk.Post("/hotline/contacts/"+contact.ID+"/calls", call, token)
	second, _ := desk.Post("/hotline/contacts/"+contact.ID+"/calls", call, token)
	if first.StatusCode != 303 || second.StatusCode != 303 || second.Header.Get("Location") != first.Header.Get("Location") {
		t.Fatalf("twice: %d %s / %d %s", first.StatusCode, first.Header.Get("Location"), second.StatusCode, second.Header.Get("Location"))
	}
	if _, page := desk.Get(second.Header.Get("Location")); page.Find(`.flash[data-flash="form.already_sent"]`).Length() != 1 {
		t.Error("the second post is not told it was already sent")
	}
	_, body := w.Portal.Do("GET", "/api/v1/hotline/calls?contact_id="+contact.ID, nil, w.Staff)
	calls := portaltest.Decode[struct {
		Items []hotlineweb.APICall `json:"items"`
		Total int                  `json:"total"`
	}](t, body)
	if calls.Total != 1 {
		t.Fatalf("%d calls logged from one form", calls.Total)
	}
	// Converting the call: two posts of the page's form, one consultation.
	_, doc = desk.Get("/hotline/contacts/" + contact.ID)
	token = portaltest.CSRF(doc)
	convert := url.Values{"to": {"consultation"}}
	desk.Post("/hotline/calls/"+calls.Items[0].ID+"/convert", convert, token)
	desk.Post("/hotline/calls/"+calls.Items[0].ID+"/convert", convert, token)
	if _, body := w.Portal.Do("GET", "/api/v1/me/consultations", nil, w.Staff); strings.Count(string(body), `"id"`) != 1 {
		t.Errorf("one call converted twice: %s", body)
	}
	// A refused form is sent again, corrected, from the page that showed it.
	_, doc = desk.Get("/hotline/contacts/" + contact.ID)
	token = portaltest.CSRF(doc)
	bad := url.Values{"type": {"policy"}, "topic": {"loan"}, "notes": {" "}, "outcome": {"resolved"}, "duration_minutes": {"2"}}
	if resp, _ := desk.Post("/hotline/contacts/"+contact.ID+"/calls", bad, token); resp.StatusCode != 422 {
		t.Fatalf("bad call: %d", resp.StatusCode)
	}
	if resp, _ := desk.Post("/hotline/contacts/"+contact.ID+"/calls", bad, token); resp.StatusCode != 422 {
		t.Errorf("the same refused form again: %d, want it refused again, not replayed", resp.StatusCode)
	}
}

// TestCaseContactRefusedAtItsForm: a case contact dated tomorrow comes back
// on the case page with the real reason at the contact form (not a
// "required" flash) and the note that was typed.
func TestCaseContactRefusedAtItsForm(t *testing.T) {
	t.Parallel()
	w := portaltest.NewHotlineWorld(t)
	tp := w.Portal
	account := portaltest.Decode[hotlineweb.APIContact](t, w.Post(t, "/api/v1/hotline/accounts/"+w.E1ID+"/contact", nil, w.Staff))
	cs := portaltest.Decode[hotlineweb.APICase](t, w.Post(t, "/api/v1/cases", map[string]any{"contact_id": account.ID, "reasons": []string{"market"},
		"loan_status": "none", "situation": "店面關閉。"}, w.Staff))
	desk, _ := tp.SignedIn(t, "hotline@test.cn")
	_, doc := desk.Get("/cases/" + cs.ID)
	tomorrow := core.DateOf(tp.Now()).AddDays(1).String()
	resp, doc := desk.Post("/cases/"+cs.ID+"/contacts", url.Values{"on": {tomorrow}, "channel": {"phone"}, "note": {"約好下週再談"}}, portaltest.CSRF(doc))
	errs := doc.Find("#contact-record-form #step-errors").Text()
	if resp.StatusCode != 422 || !strings.Contains(errs, "未來") || strings.Contains(errs, "必填") {
		t.Errorf("a contact tomorrow: %d %q", resp.StatusCode, errs)
	}
	if got := doc.Find("#note").Text(); got != "約好下週再談" {
		t.Errorf("the typed note: %q", got)
	}
}

// TestReopenCase: a closed case can be opened again by staff with a
// reason, and gets its next contact; nobody else can, and an open case
// has nothing to reopen.
func TestReopenCase(t *testing.T) {
	t.Parallel()
	w := portaltest.NewHotlineWorld(t)
	tp := w.Portal
	account := portaltest.Decode[hotlineweb.APIContact](t, w.Post(t, "/api/v1/hotline/accounts/"+w.E1ID+"/contact", nil, w.Staff))
	cs := portaltest.Decode[hotlineweb.APICase](t, w.Post(t, "/api/v1/cases", map[string]any{"contact_id": account.ID, "reasons": []string{"market"},
		"loan_status": "none", "situation": "店面關閉。"}, w.Staff))
	p := "/api/v1/cases/" + cs.ID
	today := core.DateOf(tp.Now()).String()
	tp.Run(t, []portaltest.Scenario{
		{Name: "an open case has nothing to reopen", Method: "POST", Path: p + "/reopen", Token: w.Staff, Body: map[string]any{"reason": "再次停業"}, Status: 409},
		{Name: "close", Method: "POST", Path: p + "/close", Token: w.Staff, Body: map[string]any{"outcome": "started_again", "on": today}, Status: 200, Contains: []string{`"status":"closed"`}},
		{Name: "the person cannot reopen", Method: "POST", Path: p + "/reopen", Token: w.E1, Body: map[string]any{"reason": "再次停業"}, Status: 403},
		{Name: "a reason is required", Method: "POST", Path: p + "/reopen", Token: w.Staff, Body: map[string]any{"reason": " "}, Status: 422, Contains: []string{`"field":"reason"`}},
	})
	desk, _ := tp.SignedIn(t, "hotline@test.cn")
	_, doc := desk.Get("/cases/" + cs.ID)
	if doc.Find("#reopen-case-form").Length() != 1 {
		t.Fatal("a closed case offers no reopening")
	}
	resp, _ := desk.Post("/cases/"+cs.ID+"/reopen", url.Values{"reason": {"新店開業三個月後再次停業，需要陪伴。"}}, portaltest.CSRF(doc))
	if resp.StatusCode != 303 {
		t.Fatalf("reopen: %d", resp.StatusCode)
	}
	x := portaltest.Decode[hotlineweb.APICase](t, tp.MustDo(t, "GET", p, nil, w.Staff))
	if x.Status != "open" {
		t.Errorf("after reopening: %+v", x.Status)
	}
	if _, doc = desk.Get("/cases/" + cs.ID); !strings.Contains(doc.Find("#timeline").Text(), "重新開案 · 新店開業三個月後再次停業") {
		t.Errorf("timeline: %q", doc.Find("#timeline").Text())
	}
	// The follow-up schedule is dates, one per field: the planned contact
	// a week on, and empty fields to add more.
	week := core.DateOf(tp.Now()).AddDays(7).String()
	if got := doc.Find(`#days input[type="date"]`); got.Length() != 3 || got.First().AttrOr("value", "") != week {
		t.Fatalf("schedule fields: %d, first %q", got.Length(), got.First().AttrOr("value", ""))
	}
	month := core.DateOf(tp.Now()).AddDays(30).String()
	resp, doc = desk.Post("/cases/"+cs.ID+"/schedule", url.Values{"days": {week, "2026-02-30", ""}}, portaltest.CSRF(doc))
	if resp.StatusCode != 422 || doc.Find(`#days input[value="2026-02-30"]`).Length() != 1 {
		t.Errorf("a bad date: %d, typed kept %d", resp.StatusCode, doc.Find(`#days input[value="2026-02-30"]`).Length())
	}
	if resp, _ = desk.Post("/cases/"+cs.ID+"/schedule", url.Values{"days": {"", month, week}}, portaltest.CSRF(doc)); resp.StatusCode != 303 {
		t.Fatalf("schedule: %d", resp.StatusCode)
	}
	x = portaltest.Decode[hotlineweb.APICase](t, tp.MustDo(t, "GET", p, nil, w.Staff))
	var planned []string
	for _, k := range x.Checkins {
		if !k.Done {
			planned = append(planned, k.DueOn.String())
		}
	}
	if strings.Join(planned, ",") != week+","+month {
		t.Errorf("planned contacts %v", planned)
	}
}

// TestPersonTimeline: staff see one timeline of a person's records across
// the areas — the call, the complaint, the service request and the mentor
// question the hotline took for them — each linking to its record.
func TestPersonTimeline(t *testing.T) {
	t.Parallel()
	w := portaltest.NewHotlineWorld(t)
	tp := w.Portal
	account := portaltest.Decode[hotlineweb.APIContact](t, w.Post(t, "/api/v1/hotline/accounts/"+w.E1ID+"/contact", nil, w.Staff))
	call := portaltest.Decode[hotlineweb.APICall](t, w.Post(t, "/api/v1/hotline/calls", map[string]any{"contact_id": account.ID, "type": "consultation", "topic": "loan",
		"notes": "想申請擔保貸款。", "outcome": "referred", "duration_minutes": 4}, w.Staff))
	w.Post(t, "/api/v1/hotline/calls/"+call.ID+"/convert", map[string]any{"to": "service", "type": "financing"}, w.Staff)
	complaint := portaltest.Decode[hotlineweb.APIComplaint](t, w.Post(t, "/api/v1/complaints", map[string]any{"contact_id": account.ID, "kind": "service",
		"subject": "窗口排隊太久", "against": "department", "against_name": "就業服務窗口", "details": "辦理登記排了兩個小時。"}, w.Staff))
	w.Post(t, "/api/v1/consultations", map[string]any{"contact_id": account.ID, "topic": "restart", "question": "停業後還能再創業嗎？"}, w.Staff)
	desk, _ := tp.SignedIn(t, "hotline@test.cn")
	_, doc := desk.Get("/staff/people/" + w.E1ID)
	got := doc.Find("#person-timeline").Text()
	for _, want := range []string{"來電", "貸款", "投訴", "窗口排隊太久", "一條龍服務", "導師諮詢"} {
		if !strings.Contains(got, want) {
			t.Errorf("the timeline lacks %q: %q", want, got)
		}
	}
	if doc.Find(`#person-timeline a[href="/complaints/`+complaint.ID+`"]`).Length() != 1 {
		t.Error("the complaint does not link to its page")
	}
	if resp, _ := w.Portal.Browser().Get("/staff/people/" + w.E1ID); resp.StatusCode == 200 {
		t.Error("a guest sees the timeline")
	}
}

// TestWorkToday: a call ended 「需回電」 becomes a callback on its taker's
// work of the day when it is due (by default the next working day at
// 10:00), overdue after its time, and leaves the list once made.
func TestWorkToday(t *testing.T) {
	t.Parallel()
	w := portaltest.NewHotlineWorld(t)
	tp := w.Portal
	caller := portaltest.Decode[hotlineweb.APIContact](t, w.Post(t, "/api/v1/hotline/contacts", map[string]any{"name": "回電的陳先生"}, w.Staff))
	desk, csrf := tp.SignedIn(t, "hotline@test.cn")
	resp, _ := desk.Post("/hotline/contacts/"+caller.ID+"/calls", url.Values{"type": {"policy"}, "topic": {"loan"}, "notes": {"要查證貸款額度後回電"},
		"outcome": {"callback"}, "duration_minutes": {"3"}}, csrf)
	if resp.StatusCode != 303 {
		t.Fatalf("call: %d", resp.StatusCode)
	}
	_, doc := desk.Get("/hotline/today")
	if doc.Find("#today-callbacks li").Length() != 0 {
		t.Error("tomorrow's callback is on today's work")
	}
	// The next working day (the bureau's calendar), an hour after 10:00.
	_, body := tp.Do("GET", "/api/v1/hotline/calls?contact_id="+caller.ID, nil, w.Staff)
	id := portaltest.Decode[struct {
		Items []struct{ ID string } `json:"items"`
	}](t, body).Items[0].ID
	call, err := tp.App.Bureau().Hotline.Call(context.Background(), accounts.Principal{ID: w.StaffID, Role: accounts.Hotline}, id)
	if err != nil {
		t.Fatal(err)
	}
	if h := call.CallbackAt.In(core.CST); h.Hour() != 10 || !h.After(tp.Now()) {
		t.Fatalf("callback at %v", call.CallbackAt)
	}
	now, next := tp.Now(), call.CallbackAt.Add(time.Hour)
	tp.Advance(next.Sub(now))
	desk, _ = tp.SignedIn(t, "hotline@test.cn")
	_, doc = desk.Get("/hotline/today")
	cb := doc.Find("#today-callbacks li")
	if cb.Length() != 1 || !strings.Contains(cb.Text(), "回電的陳先生") || cb.Find(".badge.overdue").Length() != 1 {
		t.Fatalf("the callback on the day: %q", doc.Find("main").Text())
	}
	if _, body := tp.Do("GET", "/api/v1/hotline/today", nil, tp.Login("hotline@test.cn")); !strings.Contains(string(body), `"contact_name":"回電的陳先生"`) {
		t.Errorf("API: %s", body)
	}
	resp, _ = desk.Post(cb.Find("form").AttrOr("action", ""), url.Values{}, portaltest.CSRF(doc))
	if _, doc = desk.Get("/hotline/today"); resp.StatusCode != 303 || doc.Find("#today-callbacks li").Length() != 0 {
		t.Errorf("after calling back: %d, %d left", resp.StatusCode, doc.Find("#today-callbacks li").Length())
	}
	tp.Run(t, []portaltest.Scenario{
		{Name: "entrepreneurs have no work of the day", Method: "GET", Path: "/api/v1/hotline/today", Token: tp.Login("e1@test.cn"), Status: 403},
	})
}
