package portal

import (
	"net/url"
	hotlineweb "onestop/portal/hotline"
	mentorsweb "onestop/portal/mentors"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onestop/services/accounts"
)

// mentorWorld: an admin, two approved mentors on different topics, two
// entrepreneurs and a hotline operator.
type mentorWorld struct {
	tp                             *testPortal
	admin, m1, m2, e1, e2, hotline string
	m1ID                           string
}

func newMentorWorld(t *testing.T) *mentorWorld {
	tp := newTestPortal(t)
	w := &mentorWorld{tp: tp}
	_, w.admin, _ = tp.account(accounts.Admin, "admin@test.cn")
	_, w.e1, _ = tp.account(accounts.Entrepreneur, "e1@test.cn")
	_, w.e2, _ = tp.account(accounts.Entrepreneur, "e2@test.cn")
	_, w.hotline, _ = tp.account(accounts.Hotline, "hotline@test.cn")
	mk := func(email string, topics []string) (id, token string) {
		id, token, _ = tp.account(accounts.Mentor, email)
		resp, body := tp.do("PUT", "/api/v1/me/mentor", map[string]any{"type": "successful_founder", "industries": []string{"technology"},
			"topics": topics, "bio": "連續創業者，十年軟件公司經營經驗。", "languages": []string{"zh"}, "capacity": 5, "contact": []string{"sms"}}, token)
		if resp.StatusCode != 200 {
			t.Fatalf("mentor profile: %d %s", resp.StatusCode, body)
		}
		if resp, body := tp.do("POST", "/api/v1/admin/mentors/"+id+"/status", map[string]string{"status": "active"}, w.admin); resp.StatusCode != 200 {
			t.Fatalf("approve mentor: %d %s", resp.StatusCode, body)
		}
		return id, token
	}
	w.m1ID, w.m1 = mk("m1@test.cn", []string{"financing"})
	_, w.m2 = mk("m2@test.cn", []string{"law"})
	return w
}

func (w *mentorWorld) ask(t *testing.T, token string, body map[string]any) mentorsweb.APIConsultation {
	t.Helper()
	resp, b := w.tp.do("POST", "/api/v1/consultations", body, token)
	if resp.StatusCode != 201 {
		t.Fatalf("ask: %d %s", resp.StatusCode, b)
	}
	return decode[mentorsweb.APIConsultation](t, b)
}

func TestConsultationsAPI(t *testing.T) {
	w := newMentorWorld(t)
	tp := w.tp
	q := w.ask(t, w.e1, map[string]any{"topic": "financing", "question": "初創期如何申請創業擔保貸款？需要哪些材料？"})
	if q.Status != "waiting" || q.MentorName == "" {
		t.Fatalf("a financing question should reach the financing mentor at once: %+v", q)
	}
	resp, body := tp.do("POST", "/api/v1/hotline/contacts", map[string]any{"name": "陳先生", "phone": "13912345678"}, w.hotline)
	if resp.StatusCode != 201 {
		t.Fatalf("contact: %d %s", resp.StatusCode, body)
	}
	contact := decode[hotlineweb.APIContact](t, body)
	logged := w.ask(t, w.hotline, map[string]any{"topic": "law", "question": "來電者詢問合夥協議如何約定退出。", "contact_id": contact.ID})
	step := func(s string) string { return "/api/v1/consultations/" + q.ID + "/" + s }
	tp.run(t, []scenario{
		// Who may read.
		{name: "the asker reads it", method: "GET", path: "/api/v1/consultations/" + q.ID, token: w.e1, status: 200, contains: []string{"創業擔保貸款"}},
		{name: "another entrepreneur cannot", method: "GET", path: "/api/v1/consultations/" + q.ID, token: w.e2, status: 404},
		{name: "a mentor it never reached cannot", method: "GET", path: "/api/v1/consultations/" + q.ID, token: w.m2, status: 404},
		{name: "the assigned mentor can", method: "GET", path: "/api/v1/consultations/" + q.ID, token: w.m1, status: 200},
		{name: "hotline staff cannot read others' threads", method: "GET", path: "/api/v1/consultations/" + q.ID, token: w.hotline, status: 404},
		{name: "hotline staff read what they logged", method: "GET", path: "/api/v1/consultations/" + logged.ID, token: w.hotline, status: 200, contains: []string{"陳先生"}},
		{name: "administrators read all", method: "GET", path: "/api/v1/consultations/" + logged.ID, token: w.admin, status: 200},
		{name: "guests cannot", method: "GET", path: "/api/v1/consultations/" + q.ID, status: 401},
		{name: "e2's list is empty of e1's", method: "GET", path: "/api/v1/me/consultations", token: w.e2, status: 200, notContains: []string{q.ID}},
		{name: "m1's list has it", method: "GET", path: "/api/v1/me/consultations", token: w.m1, status: 200, contains: []string{q.ID}},
		// Bad input.
		{name: "an empty question", method: "POST", path: "/api/v1/consultations", token: w.e1, body: map[string]any{"topic": "financing", "question": "  "}, status: 422, contains: []string{"error.consult.text"}},
		{name: "a 100 KB question", method: "POST", path: "/api/v1/consultations", token: w.e1, body: map[string]any{"topic": "financing", "question": strings.Repeat("問", 34000)}, status: 422},
		{name: "an unknown topic", method: "POST", path: "/api/v1/consultations", token: w.e1, body: map[string]any{"topic": "astrology", "question": "這是一個合理的問題嗎？"}, status: 422, contains: []string{`"field":"topic"`}},
		{name: "hotline must name the caller's record", method: "POST", path: "/api/v1/consultations", token: w.hotline, body: map[string]any{"topic": "law", "question": "來電者詢問合同問題。"}, status: 422, contains: []string{`"field":"contact_id"`}},
		{name: "an unknown caller record", method: "POST", path: "/api/v1/consultations", token: w.hotline, body: map[string]any{"topic": "law", "question": "來電者詢問合同問題。", "contact_id": "00000000000000000000000000"}, status: 422, contains: []string{`"field":"contact_id"`}},
		{name: "the caller's name is the record's", method: "POST", path: "/api/v1/consultations", token: w.hotline, body: map[string]any{"topic": "law", "question": "來電者詢問合同問題。", "contact_id": contact.ID, "caller_name": "冒名"}, status: 422, contains: []string{`"field":"caller_name"`}},
		{name: "mentors cannot ask", method: "POST", path: "/api/v1/consultations", token: w.m1, body: map[string]any{"topic": "law", "question": "導師不能提問。"}, status: 403},
		{name: "a mentor profile without topics", method: "PUT", path: "/api/v1/me/mentor", token: w.m2, body: map[string]any{"type": "official", "topics": []string{}, "bio": "短", "capacity": 0}, status: 422, contains: []string{`"field":"topics"`, `"field":"bio"`}},
		{name: "an unknown contact channel", method: "PUT", path: "/api/v1/me/mentor", token: w.m2, body: map[string]any{"type": "official", "topics": []string{"law"}, "bio": "法律顧問，處理合同糾紛十年。", "capacity": 3, "contact": []string{"fax"}}, status: 422, contains: []string{`"field":"contact"`}},
		{name: "contact preferences stay private", method: "GET", path: "/api/v1/mentors/" + w.m1ID, status: 200, notContains: []string{"contact", "sms"}},
		{name: "entrepreneurs cannot approve mentors", method: "POST", path: "/api/v1/admin/mentors/" + w.m1ID + "/status", token: w.e1, body: map[string]string{"status": "retired"}, status: 403},
		// The thread.
		{name: "another mentor cannot answer", method: "POST", path: step("messages"), token: w.m2, body: map[string]string{"text": "我來回答"}, status: 404},
		{name: "rating before an answer", method: "POST", path: step("close"), token: w.e1, body: map[string]any{"rating": 5}, status: 409, contains: []string{"error.consult.not_answered"}},
		{name: "the mentor answers", method: "POST", path: step("messages"), token: w.m1, body: map[string]string{"text": "準備身份證明、營業執照和經營計劃，向經辦銀行申請。"}, status: 200, contains: []string{`"status":"answering"`}},
		{name: "the asker's bell rings", method: "GET", path: "/api/v1/me/notifications/unread", token: w.e1, status: 200, contains: []string{`"unread":1`}},
		{name: "the asker reads the reply", method: "GET", path: "/api/v1/me/notifications", token: w.e1, status: 200, contains: []string{"/consultations/" + q.ID}},
		{name: "marking read quiets the bell", method: "POST", path: "/api/v1/me/notifications/read", token: w.e1, status: 200, contains: []string{`"unread":0`}},
		{name: "guests have no bell", method: "GET", path: "/api/v1/me/notifications/unread", status: 401},
		{name: "the asker cannot mark it answered", method: "POST", path: step("answered"), token: w.e1, status: 403},
		{name: "the mentor marks it answered", method: "POST", path: step("answered"), token: w.m1, status: 200, contains: []string{`"status":"answered"`}},
		{name: "a rating out of range", method: "POST", path: step("close"), token: w.e1, body: map[string]any{"rating": 6}, status: 422, contains: []string{"error.consult.rating"}},
		{name: "the mentor cannot rate", method: "POST", path: step("close"), token: w.m1, body: map[string]any{"rating": 5}, status: 403},
		{name: "the asker rates", method: "POST", path: step("close"), token: w.e1, body: map[string]any{"rating": 4, "comment": "很實用"}, status: 200, contains: []string{`"status":"closed"`, `"rating":4`}},
		{name: "rating twice", method: "POST", path: step("close"), token: w.e1, body: map[string]any{"rating": 1}, status: 409},
		{name: "replying to a closed thread", method: "POST", path: step("messages"), token: w.m1, body: map[string]string{"text": "補充一點"}, status: 409, contains: []string{"error.consult.closed"}},
		{name: "the rating shows on the mentor", method: "GET", path: "/api/v1/mentors/" + w.m1ID, status: 200, contains: []string{`"rating":4`, `"ratings":1`}},
		{name: "overview is for administrators", method: "GET", path: "/api/v1/admin/consultations/overview", token: w.hotline, status: 403},
		{name: "overview counts", method: "GET", path: "/api/v1/admin/consultations/overview", token: w.admin, status: 200},
	})
}

// TestBrowserConsultationJourney: an entrepreneur asks → the routed mentor
// answers and marks it answered → the asker rates it → the rating shows on
// the mentor's public page.
func TestBrowserConsultationJourney(t *testing.T) {
	w := newMentorWorld(t)
	s := newSession(t, w.tp, 90*time.Second)
	s.step("phone screen", chromedp.EmulateViewport(375, 812))
	s.zhHant()
	s.login("e1@test.cn")
	s.step("ask", chromedp.Navigate(s.base+"/consultations/new"), chromedp.WaitVisible(chromedp.ID("ask-form")),
		chromedp.SetValue(chromedp.ID("f-topic"), "financing"),
		chromedp.SendKeys(chromedp.ID("question"), "創業擔保貸款的額度和貼息怎樣計算？"),
		chromedp.Click(chromedp.ID("ask-submit")), chromedp.WaitVisible(chromedp.ID("consult-status")))
	thread, err := chromedp.Run(s.ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if got := s.text("#consult-status"); got != "待導師答覆" {
		t.Errorf("status after asking: %q", got)
	}
	s.fits("the thread")
	screenshot(t, s.ctx, "consultation-asked")
	s.logout()
	s.login("m1@test.cn")
	if got := s.text("#unread"); got != "1" {
		t.Errorf("the mentor's bell: %q", got)
	}
	s.step("the bell", chromedp.Click(chromedp.ID("bell")), chromedp.WaitVisible(chromedp.CSS(`a[href="`+strings.TrimPrefix(thread, s.base)+`"]`)),
		chromedp.WaitNotPresent(chromedp.ID("unread")))
	s.fits("the notifications")
	screenshot(t, s.ctx, "notifications")
	s.step("answer", chromedp.Navigate(thread), chromedp.WaitVisible(chromedp.ID("reply-form")),
		chromedp.SendKeys(chromedp.ID("text"), "個人最高可貸款，按政策全額貼息，詳見經辦銀行。"),
		// Each step waits for its own flash: the previous page's would match at once.
		chromedp.Click(chromedp.ID("reply-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="consult.step.reply"]`)),
		chromedp.Click(chromedp.ID("answered-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="consult.step.answered"]`)))
	if got := s.text("#thread"); !strings.Contains(got, "全額貼息") {
		t.Errorf("thread after answering: %q", got)
	}
	s.logout()
	s.login("e1@test.cn")
	s.step("rate", chromedp.Navigate(thread), chromedp.WaitVisible(chromedp.ID("close-form")),
		chromedp.Click(chromedp.CSS(`input[name="rating"][value="4"]`)),
		chromedp.SendKeys(chromedp.ID("comment"), "解答清楚"),
		chromedp.Click(chromedp.ID("close-submit")), chromedp.WaitVisible(chromedp.ID("consult-rating")))
	if got := s.text("#consult-rating"); !strings.Contains(got, "4 / 5") {
		t.Errorf("rating on the thread: %q", got)
	}
	s.step("mentor page", chromedp.Navigate(s.base+"/mentors/"+w.m1ID), chromedp.WaitVisible(chromedp.ID("mentor-rating")))
	if got := s.text("#mentor-rating"); !strings.Contains(got, "4") || !strings.Contains(got, "1") {
		t.Errorf("mentor rating: %q", got)
	}
	s.fits("the mentor page")
	s.step("directory", chromedp.Navigate(s.base+"/mentors"), chromedp.WaitVisible(chromedp.CSS("h1")))
	s.fits("the mentor directory")
	if n, err := chromedp.Run(s.ctx, chromedp.Evaluate[int](`document.querySelectorAll(".flash").length`)); err != nil || n != 0 {
		t.Errorf("a flash message outlived the page it was for (%d, %v)", n, err)
	}
	screenshot(t, s.ctx, "mentor")
}

// TestWebAskForm: a bad question re-shows the form with the typed text and
// a message in the user's language; nothing is stored.
func TestWebAskForm(t *testing.T) {
	w := newMentorWorld(t)
	b := w.tp.browser()
	_, doc := b.get("/login")
	b.post("/login", url.Values{"login": {"e1@test.cn"}, "password": {testPassword}}, csrfOf(doc))
	_, doc = b.get("/consultations/new")
	resp, doc := b.post("/consultations", url.Values{"topic": {"astrology"}, "question": {"短"}}, csrfOf(doc))
	if resp.StatusCode != 422 {
		t.Fatalf("bad question: %d", resp.StatusCode)
	}
	if got := doc.Find("#e-question").Text(); got == "" || strings.Contains(got, "error.") {
		t.Errorf("question message: %q", got)
	}
	if got := doc.Find("#question").Text(); got != "短" {
		t.Errorf("typed question lost: %q", got)
	}
	if resp, body := w.tp.do("GET", "/api/v1/me/consultations", nil, w.e1); !strings.Contains(string(body), `"total":0`) {
		t.Errorf("a bad question was stored: %d %s", resp.StatusCode, body)
	}
	// Markup in a question is shown as text.
	hostile := `<script>alert(1)</script><img src=x onerror=alert(2)> 怎樣註冊個體戶？`
	resp, _ = b.post("/consultations", url.Values{"topic": {"licensing"}, "question": {hostile}}, csrfOf(doc))
	if resp.StatusCode != 303 {
		t.Fatalf("ask: %d", resp.StatusCode)
	}
	_, doc = b.get(resp.Header.Get("Location"))
	if got := doc.Find("#consult-question").Text(); got != hostile {
		t.Errorf("question shown as %q", got)
	}
	if doc.Find("main script, main img").Length() > 0 {
		t.Error("markup from a question reached the page")
	}
}

// TestMentorApplication: a person registers as a mentor applicant, writes a
// profile, is not listed nor routed to until an administrator approves.
func TestMentorApplication(t *testing.T) {
	w := newMentorWorld(t)
	tp := w.tp
	reg := tp.register(map[string]any{"email": "new.mentor@test.cn", "password": testPassword, "name": "林導師", "as_mentor": true})
	if reg.User.Role != "mentor" {
		t.Fatalf("register as mentor: %+v", reg.User)
	}
	id, tok := reg.User.ID, reg.AccessToken
	profile := map[string]any{"type": "expert_scholar", "topics": []string{"tax"}, "bio": "財稅學院教授，研究小微企業稅收優惠。", "capacity": 3}
	tp.run(t, []scenario{
		{name: "the applicant writes a profile", method: "PUT", path: "/api/v1/me/mentor", token: tok, body: profile, status: 200, contains: []string{`"status":"applied"`}},
		{name: "not public before approval", method: "GET", path: "/api/v1/mentors/" + id, status: 404},
		{name: "not in the directory", method: "GET", path: "/api/v1/mentors?topic=tax", status: 200, notContains: []string{id}},
		{name: "the applicant cannot approve themselves", method: "POST", path: "/api/v1/admin/mentors/" + id + "/status", token: tok, body: map[string]string{"status": "active"}, status: 403},
	})
	if q := w.ask(t, w.e1, map[string]any{"topic": "tax", "question": "小規模納稅人的增值稅怎樣減免？"}); q.Status != "unassigned" {
		t.Errorf("a tax question reached an unapproved mentor: %+v", q)
	}
	tp.run(t, []scenario{
		{name: "an administrator approves", method: "POST", path: "/api/v1/admin/mentors/" + id + "/status", token: w.admin, body: map[string]string{"status": "active"}, status: 200, contains: []string{`"status":"active"`}},
		{name: "now public", method: "GET", path: "/api/v1/mentors/" + id, status: 200, contains: []string{"林導師"}},
	})
	if q := w.ask(t, w.e2, map[string]any{"topic": "tax", "question": "個體戶要不要開發票？"}); q.Status != "waiting" || q.MentorName != "林導師" {
		t.Errorf("after approval the tax question should reach the new mentor: %+v", q)
	}
}

func TestWebRegisterAsMentor(t *testing.T) {
	tp := newTestPortal(t)
	b := tp.browser()
	resp := b.register(url.Values{"name": {"林導師"}, "login": {"lin@test.cn"}, "password": {testPassword}, "password2": {testPassword}, "as": {"mentor"}})
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/mentor/profile" {
		t.Fatalf("register as mentor: %d -> %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, doc := b.get("/mentor/profile")
	if resp.StatusCode != 200 || doc.Find("#mentor-form").Length() != 1 {
		t.Fatalf("mentor profile form: %d", resp.StatusCode)
	}
	// Any other value of "as" is an entrepreneur.
	b = tp.browser()
	resp = b.register(url.Values{"name": {"陳先生"}, "login": {"chan@test.cn"}, "password": {testPassword}, "password2": {testPassword}, "as": {"admin"}})
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/" {
		t.Fatalf("register: %d -> %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := b.get("/admin/users"); resp.StatusCode != 403 {
		t.Errorf("a registered person reached the admin pages: %d", resp.StatusCode)
	}
}
