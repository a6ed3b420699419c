package portal

import (
	"encoding/csv"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	hotlineweb "onestop/portal/hotline"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onestop/services/accounts"
	"onestop/services/core"
)

// hotlineWorld: hotline staff, an entrepreneur with a profile (so callers
// can be linked), another entrepreneur, an active "restart" mentor, a base
// manager and an administrator.
type hotlineWorld struct {
	tp                                          *testPortal
	admin, staff, e1, e2, mentor, other, manage string
	e1ID, mentorID, staffID                     string
}

func newHotlineWorld(t *testing.T) *hotlineWorld {
	tp := newTestPortal(t)
	w := &hotlineWorld{tp: tp}
	_, w.admin, _ = tp.account(accounts.Admin, "admin@test.cn")
	w.staffID, w.staff, _ = tp.account(accounts.Hotline, "hotline@test.cn")
	w.e1ID, w.e1, _ = tp.account(accounts.Entrepreneur, "e1@test.cn")
	_, w.e2, _ = tp.account(accounts.Entrepreneur, "e2@test.cn")
	_, w.manage, _ = tp.account(accounts.IncubatorManager, "manager@test.cn")
	if resp, body := tp.do("PUT", "/api/v1/me/profile", map[string]any{"real_name": "王小明", "phone": "13800138000",
		"id_number": "11010519880512123X", "consent_version": "2026-11"}, w.e1); resp.StatusCode != 200 {
		t.Fatalf("profile: %d %s", resp.StatusCode, body)
	}
	mk := func(email string) (string, string) {
		id, token, _ := tp.account(accounts.Mentor, email)
		if resp, body := tp.do("PUT", "/api/v1/me/mentor", map[string]any{"type": "successful_founder", "topics": []string{"restart", "financing"},
			"bio": "兩次創業失敗後第三次成功，願意陪伴重新出發的人。", "languages": []string{"zh"}, "capacity": 5}, token); resp.StatusCode != 200 {
			t.Fatalf("mentor: %d %s", resp.StatusCode, body)
		}
		if resp, body := tp.do("POST", "/api/v1/admin/mentors/"+id+"/status", map[string]string{"status": "active"}, w.admin); resp.StatusCode != 200 {
			t.Fatalf("approve: %d %s", resp.StatusCode, body)
		}
		return id, token
	}
	w.mentorID, w.mentor = mk("mentor@test.cn")
	_, w.other = mk("other-mentor@test.cn")
	return w
}

func (w *hotlineWorld) post(t *testing.T, path string, body any, token string) []byte {
	t.Helper()
	resp, b := w.tp.do("POST", path, body, token)
	if resp.StatusCode != 201 && resp.StatusCode != 200 {
		t.Fatalf("POST %s: %d %s", path, resp.StatusCode, b)
	}
	return b
}

func TestHotlineAPI(t *testing.T) {
	w := newHotlineWorld(t)
	tp := w.tp
	unknown := w.post(t, "/api/v1/hotline/contacts", map[string]any{"name": "陳先生", "phone": "139 1234 5678"}, w.staff)
	caller := decode[hotlineweb.APIContact](t, unknown)
	// The entrepreneur calls: found through the blind index, record made.
	account := decode[hotlineweb.APIContact](t, w.post(t, "/api/v1/hotline/accounts/"+w.e1ID+"/contact", nil, w.staff))
	call := decode[hotlineweb.APICall](t, w.post(t, "/api/v1/hotline/calls", map[string]any{"contact_id": caller.ID, "type": "consultation", "topic": "restart",
		"notes": "早餐店停業，想知道還能不能再申請擔保貸款。", "outcome": "referred", "duration_minutes": 6}, w.staff))
	complaint := decode[hotlineweb.APIComplaint](t, w.post(t, "/api/v1/complaints", map[string]any{"contact_id": account.ID, "kind": "conduct",
		"subject": "導師不回覆", "against": "mentor", "against_name": "mentor", "details": "三天沒有任何回覆。"}, w.staff))
	cs := decode[hotlineweb.APICase](t, w.post(t, "/api/v1/cases", map[string]any{"contact_id": account.ID, "call_id": "", "reasons": []string{"market"},
		"loan_status": "repaying", "debts_yuan": 30000, "situation": "店面租約到期未續。", "needs": []string{"training"}}, w.staff))
	w.post(t, "/api/v1/cases/"+cs.ID+"/contacts", map[string]any{"on": core.DateOf(tp.app.Clock.Now()).String(), "channel": "phone", "note": "員工備註：情緒低落"}, w.staff)
	w.post(t, "/api/v1/cases/"+cs.ID+"/mentor", map[string]any{"mentor_id": w.mentorID}, w.staff)
	today := core.DateOf(tp.app.Clock.Now())
	casePath := "/api/v1/cases/" + cs.ID
	tp.run(t, []scenario{
		// Finding callers: staff only, by phone, ID number or name.
		{name: "find by phone", method: "POST", path: "/api/v1/hotline/find", body: map[string]string{"q": "13912345678"}, token: w.staff, status: 200, contains: []string{caller.ID}},
		{name: "find by ID number", method: "POST", path: "/api/v1/hotline/find", body: map[string]string{"q": "11010519880512123X"}, token: w.staff, status: 200, contains: []string{account.ID, "王小明"}, notContains: []string{"11010519880512123X"}},
		{name: "find by name", method: "GET", path: "/api/v1/hotline/find?q=" + url.QueryEscape("陳先生"), token: w.staff, status: 200, contains: []string{caller.ID}},
		{name: "no phone in a URL", method: "GET", path: "/api/v1/hotline/find?q=13912345678", token: w.staff, status: 422, notContains: []string{caller.ID}},
		{name: "entrepreneurs cannot search callers", method: "POST", path: "/api/v1/hotline/find", body: map[string]string{"q": "13912345678"}, token: w.e1, status: 403},
		{name: "mentors cannot read a contact", method: "GET", path: "/api/v1/hotline/contacts/" + caller.ID, token: w.mentor, status: 403},
		{name: "guests cannot log calls", method: "POST", path: "/api/v1/hotline/calls", body: map[string]any{}, status: 401},
		{name: "a contact with a bad phone", method: "POST", path: "/api/v1/hotline/contacts", token: w.staff, body: map[string]any{"name": "張三", "phone": "123"}, status: 422, contains: []string{`"field":"phone"`}},
		{name: "the same phone twice", method: "POST", path: "/api/v1/hotline/contacts", token: w.staff, body: map[string]any{"name": "陳太太", "phone": "13912345678"}, status: 409, contains: []string{"error.contact.phone_taken"}},
		{name: "an operator object as a name", method: "POST", path: "/api/v1/hotline/contacts", token: w.staff, body: `{"name":{"$ne":null}}`, status: 422},
		{name: "a call for nobody", method: "POST", path: "/api/v1/hotline/calls", token: w.staff, body: map[string]any{"contact_id": core.NewID(), "type": "policy", "topic": "loan", "notes": "x", "outcome": "resolved", "duration_minutes": 1}, status: 422, contains: []string{`"field":"contact_id"`}},
		{name: "calls of a contact", method: "GET", path: "/api/v1/hotline/calls?contact_id=" + caller.ID, token: w.staff, status: 200, contains: []string{call.ID, `"total":1`}},
		{name: "topics this week", method: "GET", path: "/api/v1/hotline/topics", token: w.staff, status: 200, contains: []string{`"restart":1`}},
		{name: "call → consultation", method: "POST", path: "/api/v1/hotline/calls/" + call.ID + "/convert", token: w.staff, body: map[string]any{"to": "consultation"}, status: 201, contains: []string{`"kind":"consultation"`}},
		{name: "call → nonsense", method: "POST", path: "/api/v1/hotline/calls/" + call.ID + "/convert", token: w.staff, body: map[string]any{"to": "party"}, status: 422},

		// Complaints: never visible to whom they are about.
		{name: "the complainant sees status and deadline", method: "GET", path: "/api/v1/complaints/" + complaint.ID, token: w.e1, status: 200, contains: []string{`"status":"received"`, `"due_at"`}},
		{name: "the complainant's list", method: "GET", path: "/api/v1/complaints", token: w.e1, status: 200, contains: []string{complaint.ID}},
		{name: "the mentor complained about cannot read it", method: "GET", path: "/api/v1/complaints/" + complaint.ID, token: w.mentor, status: 404},
		{name: "nor list it", method: "GET", path: "/api/v1/complaints", token: w.mentor, status: 200, notContains: []string{complaint.ID}},
		{name: "a base manager cannot", method: "GET", path: "/api/v1/complaints/" + complaint.ID, token: w.manage, status: 404},
		{name: "another entrepreneur cannot", method: "GET", path: "/api/v1/complaints/" + complaint.ID, token: w.e2, status: 404},
		{name: "a complaint with no subject", method: "POST", path: "/api/v1/complaints", token: w.e2, body: map[string]any{"kind": "service", "against": "portal", "details": "網頁打不開"}, status: 422, contains: []string{`"field":"subject"`}},
		{name: "mentors cannot file complaints", method: "POST", path: "/api/v1/complaints", token: w.mentor, body: map[string]any{"kind": "service", "subject": "x", "against": "portal", "details": "網頁打不開"}, status: 403},
		{name: "the complainant cannot answer", method: "POST", path: "/api/v1/complaints/" + complaint.ID + "/steps", token: w.e1, body: map[string]any{"action": "answer", "text": "自己答覆"}, status: 403},
		{name: "staff answer", method: "POST", path: "/api/v1/complaints/" + complaint.ID + "/steps", token: w.staff, body: map[string]any{"action": "answer", "text": "已改派導師並提醒原導師。"}, status: 200, contains: []string{`"status":"answered"`}},
		{name: "the complainant closes", method: "POST", path: "/api/v1/complaints/" + complaint.ID + "/steps", token: w.e1, body: map[string]any{"action": "close"}, status: 200, contains: []string{`"status":"closed"`}},
		{name: "an unknown action", method: "POST", path: "/api/v1/complaints/" + complaint.ID + "/steps", token: w.staff, body: map[string]any{"action": "delete"}, status: 422},

		// Cases: staff see all, the person a summary without staff notes,
		// the assigned mentor the case, nobody else anything.
		{name: "staff read notes", method: "GET", path: casePath, token: w.staff, status: 200, contains: []string{"員工備註", `"debts_yuan":30000`}},
		{name: "the person reads a summary", method: "GET", path: casePath, token: w.e1, status: 200, contains: []string{`"status":"open"`}, notContains: []string{"員工備註", "debts_yuan", "loan_status"}},
		{name: "the assigned mentor reads it", method: "GET", path: casePath, token: w.mentor, status: 200, notContains: []string{"員工備註", "店面租約"}},
		{name: "another mentor cannot", method: "GET", path: casePath, token: w.other, status: 404},
		{name: "another entrepreneur cannot", method: "GET", path: casePath, token: w.e2, status: 404},
		{name: "a random id", method: "GET", path: "/api/v1/cases/" + core.NewID(), token: w.staff, status: 404},
		{name: "the person's list", method: "GET", path: "/api/v1/cases", token: w.e1, status: 200, contains: []string{cs.ID}},
		{name: "the mentor's list", method: "GET", path: "/api/v1/cases", token: w.mentor, status: 200, contains: []string{cs.ID}},
		{name: "another mentor's list", method: "GET", path: "/api/v1/cases", token: w.other, status: 200, notContains: []string{cs.ID}},
		{name: "the person cannot record contacts", method: "POST", path: casePath + "/contacts", token: w.e1, body: map[string]any{"on": today.String(), "channel": "phone", "note": "自己記錄"}, status: 403},
		{name: "a case for someone unknown", method: "POST", path: "/api/v1/cases", token: w.staff, body: map[string]any{"contact_id": core.NewID(), "reasons": []string{"market"}, "loan_status": "none"}, status: 422, contains: []string{`"field":"contact_id"`}},
		{name: "a contact in the far future", method: "POST", path: casePath + "/contacts", token: w.staff, body: map[string]any{"on": "2999-01-01", "channel": "phone", "note": "未來"}, status: 422, contains: []string{`"field":"on"`}},
		{name: "a contact before the case", method: "POST", path: casePath + "/contacts", token: w.staff, body: map[string]any{"on": today.AddDays(-10).String(), "channel": "phone", "note": "之前"}, status: 422, contains: []string{"error.date.before_case"}},
		{name: "a date that is not one", method: "POST", path: casePath + "/contacts", token: w.staff, body: map[string]any{"on": "2026-02-30", "channel": "phone", "note": "x"}, status: 422},
		{name: "closing without an outcome", method: "POST", path: casePath + "/close", token: w.staff, body: map[string]any{"on": today.String()}, status: 422, contains: []string{`"field":"outcome"`}},
		{name: "due today is empty today", method: "GET", path: "/api/v1/cases?queue=due_today", token: w.staff, status: 200, contains: []string{`"total":0`}},
		{name: "an unknown queue", method: "GET", path: "/api/v1/cases?queue=everything", token: w.staff, status: 422},
		{name: "a fresh eligibility check", method: "POST", path: casePath + "/eligibility", token: w.staff, status: 200, contains: []string{`"kind":"eligibility"`}},
		{name: "help: a restart consultation", method: "POST", path: casePath + "/help", token: w.staff, body: map[string]any{"kind": "consultation", "text": "停業後怎樣選新項目？"}, status: 200, contains: []string{`"kind":"consultation"`}},
		{name: "close with an outcome", method: "POST", path: casePath + "/close", token: w.staff, body: map[string]any{"outcome": "started_again", "on": today.String()}, status: 200, contains: []string{`"status":"closed"`, `"outcome":"started_again"`}},
		{name: "staff cannot hand over", method: "POST", path: "/api/v1/admin/staff/reassign", token: w.staff, body: map[string]any{"from_id": w.staffID, "to_id": w.staffID}, status: 403},
	})

	// A venture that is operating gets its stability check-ins; the person
	// answers one.
	resp, body := tp.do("PUT", "/api/v1/me/profile", map[string]any{"real_name": "王小明", "consent_version": "2026-11",
		"venture": map[string]any{"stage": "operating", "first_registered": today.AddMonths(-6).String(), "employees": 3}}, w.e1)
	if resp.StatusCode != 200 {
		t.Fatalf("profile: %d %s", resp.StatusCode, body)
	}
	tp.run(t, []scenario{
		{name: "my venture", method: "GET", path: "/api/v1/me/venture", token: w.e1, status: 200, contains: []string{`"status":"tracking"`, `"month":6`}},
		{name: "due for staff", method: "GET", path: "/api/v1/hotline/stability", token: w.staff, status: 200, contains: []string{w.e1ID}},
		{name: "another entrepreneur cannot answer", method: "POST", path: "/api/v1/ventures/" + w.e1ID + "/checkins", token: w.e2, body: map[string]any{"month": 6, "on": today.String(), "operating": true, "employees": 4}, status: 404},
		{name: "the answer needs operating", method: "POST", path: "/api/v1/ventures/" + w.e1ID + "/checkins", token: w.e1, body: map[string]any{"month": 6, "on": today.String(), "employees": 4}, status: 422, contains: []string{`"field":"operating"`}},
		{name: "the person answers", method: "POST", path: "/api/v1/ventures/" + w.e1ID + "/checkins", token: w.e1, body: map[string]any{"month": 6, "on": today.String(), "operating": true, "employees": 4}, status: 200, contains: []string{`"employees":4`, `"by":"self"`}},
		{name: "no longer due", method: "GET", path: "/api/v1/hotline/stability", token: w.staff, status: 200, notContains: []string{w.e1ID}},
	})
}

// TestHotlineCSV: the queue exports parse as CSV, carry the rows, and a
// name typed as a formula stays text.
func TestHotlineCSV(t *testing.T) {
	w := newHotlineWorld(t)
	contact := decode[hotlineweb.APIContact](t, w.post(t, "/api/v1/hotline/contacts", map[string]any{"name": "=HYPERLINK(\"http://x\")"}, w.staff))
	for range 3 {
		w.post(t, "/api/v1/cases", map[string]any{"contact_id": contact.ID, "reasons": []string{"funding", "market"}, "loan_status": "none"}, w.staff)
	}
	w.post(t, "/api/v1/complaints", map[string]any{"contact_id": contact.ID, "kind": "service", "subject": "+SUM(A1)", "against": "portal", "details": "網頁打不開"}, w.staff)
	staff, entrepreneur := w.tp.browser(), w.tp.browser()
	for who, b := range map[string]*browser{"hotline@test.cn": staff, "e1@test.cn": entrepreneur} {
		_, doc := b.get("/login")
		b.post("/login", url.Values{"login": {who}, "password": {testPassword}}, csrfOf(doc))
	}
	for _, tt := range []struct {
		path string
		rows int
		bad  string
	}{{"/hotline/cases.csv?queue=open", 3, "=HYPERLINK"}, {"/complaints.csv", 1, "+SUM"}} {
		resp, raw := staff.raw(tt.path)
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
		if resp, _ := entrepreneur.raw(tt.path); resp.StatusCode != 403 {
			t.Errorf("%s for an entrepreneur: %d", tt.path, resp.StatusCode)
		}
	}
}

// raw GETs a path with the browser's cookies and returns the body as is.
func (b *browser) raw(path string) (*http.Response, []byte) {
	req := httptest.NewRequest("GET", path, nil)
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	resp, err := b.tp.app.HTTP().Test(req, -1)
	if err != nil {
		b.tp.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// TestWebCallForm: a call with no notes re-shows the form with the message
// in the user's language and what was typed; nothing is stored.
func TestWebCallForm(t *testing.T) {
	w := newHotlineWorld(t)
	contact := decode[hotlineweb.APIContact](t, w.post(t, "/api/v1/hotline/contacts", map[string]any{"name": "陳先生"}, w.staff))
	b := w.tp.browser()
	_, doc := b.get("/login")
	b.post("/login", url.Values{"login": {"hotline@test.cn"}, "password": {testPassword}}, csrfOf(doc))
	_, doc = b.get("/hotline/contacts/" + contact.ID)
	resp, doc := b.post("/hotline/contacts/"+contact.ID+"/calls", url.Values{"type": {"policy"}, "topic": {"loan"}, "notes": {"  "},
		"outcome": {"resolved"}, "duration_minutes": {"2.5"}, "next_step": {"週五回電"}}, csrfOf(doc))
	if resp.StatusCode != 422 {
		t.Fatalf("empty notes: %d", resp.StatusCode)
	}
	if got := doc.Find("#e-notes").Text(); got == "" || strings.Contains(got, "error.") {
		t.Errorf("notes message: %q", got)
	}
	if v, _ := doc.Find("#f-next_step").Attr("value"); v != "週五回電" {
		t.Errorf("typed next step lost: %q", v)
	}
	if _, body := w.tp.do("GET", "/api/v1/hotline/calls?contact_id="+contact.ID, nil, w.staff); !strings.Contains(string(body), `"total":0`) {
		t.Errorf("a bad call was stored: %s", body)
	}
	// The console turns an unknown phone into a new-contact form.
	_, doc = b.get("/hotline")
	_, doc = b.post("/hotline/find", url.Values{"q": {"13700001111"}}, csrfOf(doc))
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
	w := newHotlineWorld(t)
	s := newSession(t, w.tp, 90*time.Second)
	s.step("phone screen", chromedp.EmulateViewport(375, 812))
	s.zhHant()
	s.login("hotline@test.cn")
	s.step("find the caller", chromedp.Navigate(s.base+"/hotline"), chromedp.WaitVisible(chromedp.ID("find-form")),
		chromedp.SendKeys(chromedp.ID("q"), "13611112222"), chromedp.Click(chromedp.ID("find-submit")), chromedp.WaitVisible(chromedp.ID("not-found")))
	s.fits("the console")
	screenshot(t, s.ctx, "hotline-console")
	s.step("record the caller", chromedp.SendKeys(chromedp.ID("f-name"), "林阿姨"),
		chromedp.Click(chromedp.ID("contact-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="hotline.contact.created"]`)))
	if got := s.text("#contact-name"); got != "林阿姨" {
		t.Errorf("contact page: %q", got)
	}
	s.step("log the call", chromedp.SetValue(chromedp.ID("f-type"), "follow_up"), chromedp.SetValue(chromedp.ID("f-topic"), "restart"),
		chromedp.SendKeys(chromedp.ID("f-notes"), "奶茶店經營一年後停業，欠房租兩萬元，想重新開始。"),
		chromedp.SetValue(chromedp.ID("f-outcome"), "callback"),
		chromedp.Click(chromedp.ID("call-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="hotline.call.logged"]`)))
	s.fits("the contact page")
	screenshot(t, s.ctx, "hotline-contact")
	s.step("open a case from the call", chromedp.Click(chromedp.CSS(`#calls details summary`)), chromedp.Click(chromedp.CSS(`#calls a.convert-case`)),
		chromedp.WaitVisible(chromedp.ID("case-form")),
		chromedp.Click(chromedp.CSS(`input[name="reasons"][value="market"]`)), chromedp.Click(chromedp.CSS(`input[name="reasons"][value="funding"]`)),
		chromedp.SetValue(chromedp.ID("f-loan_status"), "none"),
		chromedp.SendKeys(chromedp.ID("f-debts_yuan"), "20000"),
		chromedp.Click(chromedp.CSS(`input[name="needs"][value="training"]`)),
		chromedp.Click(chromedp.ID("case-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="cases.opened"]`)))
	if got := s.text("#case-status"); got != "進行中" {
		t.Errorf("case status: %q", got)
	}
	s.fits("the case page")
	screenshot(t, s.ctx, "hotline-case")
	s.step("record a contact", chromedp.SetValue(chromedp.ID("checkin_id"), ""), chromedp.SendKeys(chromedp.ID("note"), "已報名下期創業培訓，情緒穩定。"),
		chromedp.Click(chromedp.ID("contact-record-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="cases.step.contact"]`)))
	if got := s.text("#checkins"); !strings.Contains(got, "已報名下期創業培訓") {
		t.Errorf("contacts: %q", got)
	}
	s.step("close", chromedp.SetValue(chromedp.ID("outcome"), "started_again"), chromedp.SendKeys(chromedp.ID("close-note"), "在社區開了早餐攤"),
		chromedp.Click(chromedp.ID("close-case-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="cases.step.close"]`)))
	if got := s.text("#case-status"); !strings.Contains(got, "已結案") || !strings.Contains(got, "再次創業") {
		t.Errorf("closed case: %q", got)
	}
	if got := s.text("#timeline"); !strings.Contains(got, "從來電建立") || !strings.Contains(got, "結案：再次創業") {
		t.Errorf("timeline: %q", got)
	}
	screenshot(t, s.ctx, "hotline-case-closed")
	s.step("the queue", chromedp.Navigate(s.base+"/hotline/cases?queue=closed"), chromedp.WaitVisible(chromedp.ID("cases")))
	if got := s.text("#cases"); !strings.Contains(got, "林阿姨") {
		t.Errorf("closed queue: %q", got)
	}
	s.fits("the case queue")
}
