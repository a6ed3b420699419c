package mentors_test

import (
	"net/url"
	hotlineweb "onestop/portal/hotline"
	mentorsweb "onestop/portal/mentors"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
)

// mentorWorld: an admin, two approved mentors on different topics, two
// entrepreneurs and a hotline operator.
type mentorWorld struct {
	tp                             *portaltest.Portal
	admin, m1, m2, e1, e2, hotline string
	m1ID                           string
	m2ID                           string
}

func newMentorWorld(t *testing.T) *mentorWorld {
	tp := portaltest.New(t)
	w := &mentorWorld{tp: tp}
	_, w.admin, _ = tp.Account(accounts.Admin, "admin@test.cn")
	_, w.e1, _ = tp.Account(accounts.Entrepreneur, "e1@test.cn")
	_, w.e2, _ = tp.Account(accounts.Entrepreneur, "e2@test.cn")
	_, w.hotline, _ = tp.Account(accounts.Hotline, "hotline@test.cn")
	mk := func(email string, topics []string) (id, token string) {
		id, token, _ = tp.Account(accounts.Mentor, email)
		resp, body := tp.Do("PUT", "/api/v1/me/mentor", map[string]any{"type": "successful_founder", "industries": []string{"technology"},
			"topics": topics, "bio": "連續創業者，十年軟件公司經營經驗。", "languages": []string{"zh"}, "capacity": 5, "contact": []string{"sms"}}, token)
		if resp.StatusCode != 200 {
			t.Fatalf("mentor profile: %d %s", resp.StatusCode, body)
		}
		if resp, body := tp.Do("POST", "/api/v1/admin/mentors/"+id+"/status", map[string]string{"status": "active"}, w.admin); resp.StatusCode != 200 {
			t.Fatalf("approve mentor: %d %s", resp.StatusCode, body)
		}
		return id, token
	}
	w.m1ID, w.m1 = mk("m1@test.cn", []string{"financing"})
	w.m2ID, w.m2 = mk("m2@test.cn", []string{"law"})
	return w
}

func (w *mentorWorld) ask(t *testing.T, token string, body map[string]any) mentorsweb.APIConsultation {
	t.Helper()
	resp, b := w.tp.Do("POST", "/api/v1/consultations", body, token)
	if resp.StatusCode != 201 {
		t.Fatalf("ask: %d %s", resp.StatusCode, b)
	}
	return portaltest.Decode[mentorsweb.APIConsultation](t, b)
}

func TestConsultationsAPI(t *testing.T) {
	t.Parallel()
	w := newMentorWorld(t)
	tp := w.tp
	q := w.ask(t, w.e1, map[string]any{"topic": "financing", "question": "初創期如何申請創業擔保貸款？需要哪些材料？"})
	if q.Status != "waiting" || q.MentorName == "" {
		t.Fatalf("a financing question should reach the financing mentor at once: %+v", q)
	}
	resp, body := tp.Do("POST", "/api/v1/hotline/contacts", map[string]any{"name": "陳先生", "phone": "13912345678"}, w.hotline)
	if resp.StatusCode != 201 {
		t.Fatalf("contact: %d %s", resp.StatusCode, body)
	}
	contact := portaltest.Decode[hotlineweb.APIContact](t, body)
	logged := w.ask(t, w.hotline, map[string]any{"topic": "law", "question": "來電者詢問合夥協議如何約定退出。", "contact_id": contact.ID})
	step := func(s string) string { return "/api/v1/consultations/" + q.ID + "/" + s }
	tp.Run(t, []portaltest.Scenario{
		// Who may read.
		{Name: "the asker reads it", Method: "GET", Path: "/api/v1/consultations/" + q.ID, Token: w.e1, Status: 200, Contains: []string{"創業擔保貸款"}},
		{Name: "another entrepreneur cannot", Method: "GET", Path: "/api/v1/consultations/" + q.ID, Token: w.e2, Status: 404},
		{Name: "a mentor it never reached cannot", Method: "GET", Path: "/api/v1/consultations/" + q.ID, Token: w.m2, Status: 404},
		{Name: "the assigned mentor can", Method: "GET", Path: "/api/v1/consultations/" + q.ID, Token: w.m1, Status: 200},
		{Name: "hotline staff cannot read others' threads", Method: "GET", Path: "/api/v1/consultations/" + q.ID, Token: w.hotline, Status: 404},
		{Name: "hotline staff read what they logged", Method: "GET", Path: "/api/v1/consultations/" + logged.ID, Token: w.hotline, Status: 200, Contains: []string{"陳先生"}},
		{Name: "administrators read all", Method: "GET", Path: "/api/v1/consultations/" + logged.ID, Token: w.admin, Status: 200},
		{Name: "guests cannot", Method: "GET", Path: "/api/v1/consultations/" + q.ID, Status: 401},
		{Name: "e2's list is empty of e1's", Method: "GET", Path: "/api/v1/me/consultations", Token: w.e2, Status: 200, NotContains: []string{q.ID}},
		{Name: "m1's list has it", Method: "GET", Path: "/api/v1/me/consultations", Token: w.m1, Status: 200, Contains: []string{q.ID}},
		// Bad input.
		{Name: "an empty question", Method: "POST", Path: "/api/v1/consultations", Token: w.e1, Body: map[string]any{"topic": "financing", "question": "  "}, Status: 422, Contains: []string{"error.consult.text"}},
		{Name: "a 100 KB question", Method: "POST", Path: "/api/v1/consultations", Token: w.e1, Body: map[string]any{"topic": "financing", "question": strings.Repeat("問", 34000)}, Status: 422},
		{Name: "an unknown topic", Method: "POST", Path: "/api/v1/consultations", Token: w.e1, Body: map[string]any{"topic": "astrology", "question": "這是一個合理的問題嗎？"}, Status: 422, Contains: []string{`"field":"topic"`}},
		{Name: "hotline must name the caller's record", Method: "POST", Path: "/api/v1/consultations", Token: w.hotline, Body: map[string]any{"topic": "law", "question": "來電者詢問合同問題。"}, Status: 422, Contains: []string{`"field":"contact_id"`}},
		{Name: "an unknown caller record", Method: "POST", Path: "/api/v1/consultations", Token: w.hotline, Body: map[string]any{"topic": "law", "question": "來電者詢問合同問題。", "contact_id": "00000000000000000000000000"}, Status: 422, Contains: []string{`"field":"contact_id"`}},
		{Name: "the caller's name is the record's", Method: "POST", Path: "/api/v1/consultations", Token: w.hotline, Body: map[string]any{"topic": "law", "question": "來電者詢問合同問題。", "contact_id": contact.ID, "caller_name": "冒名"}, Status: 422, Contains: []string{`"field":"caller_name"`}},
		{Name: "mentors cannot ask", Method: "POST", Path: "/api/v1/consultations", Token: w.m1, Body: map[string]any{"topic": "law", "question": "導師不能提問。"}, Status: 403},
		{Name: "a mentor profile without topics", Method: "PUT", Path: "/api/v1/me/mentor", Token: w.m2, Body: map[string]any{"type": "official", "topics": []string{}, "bio": "短", "capacity": 0}, Status: 422, Contains: []string{`"field":"topics"`, `"field":"bio"`}},
		{Name: "an unknown contact channel", Method: "PUT", Path: "/api/v1/me/mentor", Token: w.m2, Body: map[string]any{"type": "official", "topics": []string{"law"}, "bio": "法律顧問，處理合同糾紛十年。", "capacity": 3, "contact": []string{"fax"}}, Status: 422, Contains: []string{`"field":"contact"`}},
		{Name: "contact preferences stay private", Method: "GET", Path: "/api/v1/mentors/" + w.m1ID, Status: 200, NotContains: []string{"contact", "sms"}},
		{Name: "entrepreneurs cannot approve mentors", Method: "POST", Path: "/api/v1/admin/mentors/" + w.m1ID + "/status", Token: w.e1, Body: map[string]string{"status": "retired"}, Status: 403},
		// The thread.
		{Name: "another mentor cannot answer", Method: "POST", Path: step("messages"), Token: w.m2, Body: map[string]string{"text": "我來回答"}, Status: 404},
		{Name: "rating before an answer", Method: "POST", Path: step("close"), Token: w.e1, Body: map[string]any{"rating": 5}, Status: 409, Contains: []string{"error.consult.not_answered"}},
		{Name: "the mentor answers", Method: "POST", Path: step("messages"), Token: w.m1, Body: map[string]string{"text": "準備身份證明、營業執照和經營計劃，向經辦銀行申請。"}, Status: 200, Contains: []string{`"status":"answering"`}},
		{Name: "the asker's bell rings", Method: "GET", Path: "/api/v1/me/notifications/unread", Token: w.e1, Status: 200, Contains: []string{`"unread":1`}},
		{Name: "the asker reads the reply", Method: "GET", Path: "/api/v1/me/notifications", Token: w.e1, Status: 200, Contains: []string{"/consultations/" + q.ID}},
		{Name: "marking read quiets the bell", Method: "POST", Path: "/api/v1/me/notifications/read", Token: w.e1, Status: 200, Contains: []string{`"unread":0`}},
		{Name: "guests have no bell", Method: "GET", Path: "/api/v1/me/notifications/unread", Status: 401},
		{Name: "the asker cannot mark it answered", Method: "POST", Path: step("answered"), Token: w.e1, Status: 403},
		{Name: "the mentor marks it answered", Method: "POST", Path: step("answered"), Token: w.m1, Status: 200, Contains: []string{`"status":"answered"`}},
		{Name: "a rating out of range", Method: "POST", Path: step("close"), Token: w.e1, Body: map[string]any{"rating": 6}, Status: 422, Contains: []string{"error.consult.rating"}},
		{Name: "the mentor cannot rate", Method: "POST", Path: step("close"), Token: w.m1, Body: map[string]any{"rating": 5}, Status: 403},
		{Name: "the asker rates", Method: "POST", Path: step("close"), Token: w.e1, Body: map[string]any{"rating": 4, "comment": "很實用"}, Status: 200, Contains: []string{`"status":"closed"`, `"rating":4`}},
		{Name: "rating twice", Method: "POST", Path: step("close"), Token: w.e1, Body: map[string]any{"rating": 1}, Status: 409},
		{Name: "replying to a closed thread", Method: "POST", Path: step("messages"), Token: w.m1, Body: map[string]string{"text": "補充一點"}, Status: 409, Contains: []string{"error.consult.closed"}},
		{Name: "the rating shows on the mentor", Method: "GET", Path: "/api/v1/mentors/" + w.m1ID, Status: 200, Contains: []string{`"rating":4`, `"ratings":1`}},
		{Name: "overview is for administrators", Method: "GET", Path: "/api/v1/admin/consultations/overview", Token: w.hotline, Status: 403},
		{Name: "overview counts", Method: "GET", Path: "/api/v1/admin/consultations/overview", Token: w.admin, Status: 200},
	})
}

// TestBrowserConsultationJourney: an entrepreneur asks → the routed mentor
// answers and marks it answered → the asker rates it → the rating shows on
// the mentor's public page.
func TestBrowserConsultationJourney(t *testing.T) {
	t.Parallel()
	w := newMentorWorld(t)
	s := portaltest.NewSession(t, w.tp, 90*time.Second)
	s.Step("phone screen", chromedp.EmulateViewport(375, 812))
	s.ZhHant()
	s.Login("e1@test.cn")
	s.Step("ask", chromedp.Navigate(s.Base+"/consultations/new"), chromedp.WaitVisible(chromedp.ID("ask-form")),
		chromedp.SetValue(chromedp.ID("f-topic"), "financing"),
		chromedp.SendKeys(chromedp.ID("question"), "創業擔保貸款的額度和貼息怎樣計算？"),
		chromedp.Click(chromedp.ID("ask-submit")), chromedp.WaitVisible(chromedp.ID("consult-status")))
	thread, err := chromedp.Run(s.Ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Text("#consult-status"); got != "待導師答覆" {
		t.Errorf("status after asking: %q", got)
	}
	s.Fits("the thread")
	portaltest.Screenshot(t, s.Ctx, "consultation-asked")
	s.Logout()
	s.Login("m1@test.cn")
	if got := s.Text("#unread"); got != "1" {
		t.Errorf("the mentor's bell: %q", got)
	}
	s.Step("the bell", chromedp.Click(chromedp.ID("bell")), chromedp.WaitVisible(chromedp.CSS(`a[href="`+strings.TrimPrefix(thread, s.Base)+`"]`)),
		chromedp.WaitNotPresent(chromedp.ID("unread")))
	s.Fits("the notifications")
	portaltest.Screenshot(t, s.Ctx, "notifications")
	s.Step("answer", chromedp.Navigate(thread), chromedp.WaitVisible(chromedp.ID("reply-form")),
		chromedp.SendKeys(chromedp.ID("text"), "個人最高可貸款，按政策全額貼息，詳見經辦銀行。"),
		// Each step waits for its own flash: the previous page's would match at once.
		chromedp.Click(chromedp.ID("reply-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="consult.step.reply"]`)),
		chromedp.Click(chromedp.ID("answered-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="consult.step.answered"]`)))
	if got := s.Text("#thread"); !strings.Contains(got, "全額貼息") {
		t.Errorf("thread after answering: %q", got)
	}
	s.Logout()
	s.Login("e1@test.cn")
	s.Step("rate", chromedp.Navigate(thread), chromedp.WaitVisible(chromedp.ID("close-form")),
		chromedp.Click(chromedp.CSS(`input[name="rating"][value="4"]`)),
		chromedp.SendKeys(chromedp.ID("comment"), "解答清楚"),
		chromedp.Click(chromedp.ID("close-submit")), chromedp.WaitVisible(chromedp.ID("consult-rating")))
	if got := s.Text("#consult-rating"); !strings.Contains(got, "4 / 5") {
		t.Errorf("rating on the thread: %q", got)
	}
	s.Step("mentor page", chromedp.Navigate(s.Base+"/mentors/"+w.m1ID), chromedp.WaitVisible(chromedp.ID("mentor-rating")))
	if got := s.Text("#mentor-rating"); !strings.Contains(got, "4") || !strings.Contains(got, "1") {
		t.Errorf("mentor rating: %q", got)
	}
	s.Fits("the mentor page")
	s.Step("directory", chromedp.Navigate(s.Base+"/mentors"), chromedp.WaitVisible(chromedp.CSS("h1")))
	s.Fits("the mentor directory")
	if n, err := chromedp.Run(s.Ctx, chromedp.Evaluate[int](`document.querySelectorAll(".flash").length`)); err != nil || n != 0 {
		t.Errorf("a flash message outlived the page it was for (%d, %v)", n, err)
	}
	portaltest.Screenshot(t, s.Ctx, "mentor")
}

// TestWebAskForm: a bad question re-shows the form with the typed text and
// a message in the user's language; nothing is stored.
func TestWebAskForm(t *testing.T) {
	t.Parallel()
	w := newMentorWorld(t)
	b := w.tp.Browser()
	_, doc := b.Get("/login")
	b.Post("/login", url.Values{"login": {"e1@test.cn"}, "password": {portaltest.Password}}, portaltest.CSRF(doc))
	_, doc = b.Get("/consultations/new")
	resp, doc := b.Post("/consultations", url.Values{"topic": {"astrology"}, "question": {"短"}}, portaltest.CSRF(doc))
	if resp.StatusCode != 422 {
		t.Fatalf("bad question: %d", resp.StatusCode)
	}
	if got := doc.Find("#e-question").Text(); got == "" || strings.Contains(got, "error.") {
		t.Errorf("question message: %q", got)
	}
	if got := doc.Find("#question").Text(); got != "短" {
		t.Errorf("typed question lost: %q", got)
	}
	if resp, body := w.tp.Do("GET", "/api/v1/me/consultations", nil, w.e1); !strings.Contains(string(body), `"total":0`) {
		t.Errorf("a bad question was stored: %d %s", resp.StatusCode, body)
	}
	// Markup in a question is shown as text.
	hostile := `<script>alert(1)</script><img src=x onerror=alert(2)> 怎樣註冊個體戶？`
	resp, _ = b.Post("/consultations", url.Values{"topic": {"licensing"}, "question": {hostile}}, portaltest.CSRF(doc))
	if resp.StatusCode != 303 {
		t.Fatalf("ask: %d", resp.StatusCode)
	}
	_, doc = b.Get(resp.Header.Get("Location"))
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
	t.Parallel()
	w := newMentorWorld(t)
	tp := w.tp
	reg := tp.Register(map[string]any{"email": "new.mentor@test.cn", "password": portaltest.Password, "name": "林導師", "as_mentor": true})
	if reg.User.Role != "mentor" {
		t.Fatalf("register as mentor: %+v", reg.User)
	}
	id, tok := reg.User.ID, reg.AccessToken
	profile := map[string]any{"type": "expert_scholar", "topics": []string{"tax"}, "bio": "財稅學院教授，研究小微企業稅收優惠。", "capacity": 3}
	tp.Run(t, []portaltest.Scenario{
		{Name: "the applicant writes a profile", Method: "PUT", Path: "/api/v1/me/mentor", Token: tok, Body: profile, Status: 200, Contains: []string{`"status":"applied"`}},
		{Name: "not public before approval", Method: "GET", Path: "/api/v1/mentors/" + id, Status: 404},
		{Name: "not in the directory", Method: "GET", Path: "/api/v1/mentors?topic=tax", Status: 200, NotContains: []string{id}},
		{Name: "the applicant cannot approve themselves", Method: "POST", Path: "/api/v1/admin/mentors/" + id + "/status", Token: tok, Body: map[string]string{"status": "active"}, Status: 403},
	})
	if q := w.ask(t, w.e1, map[string]any{"topic": "tax", "question": "小規模納稅人的增值稅怎樣減免？"}); q.Status != "unassigned" {
		t.Errorf("a tax question reached an unapproved mentor: %+v", q)
	}
	tp.Run(t, []portaltest.Scenario{
		{Name: "an administrator approves", Method: "POST", Path: "/api/v1/admin/mentors/" + id + "/status", Token: w.admin, Body: map[string]string{"status": "active"}, Status: 200, Contains: []string{`"status":"active"`}},
		{Name: "now public", Method: "GET", Path: "/api/v1/mentors/" + id, Status: 200, Contains: []string{"林導師"}},
	})
	if q := w.ask(t, w.e2, map[string]any{"topic": "tax", "question": "個體戶要不要開發票？"}); q.Status != "waiting" || q.MentorName != "林導師" {
		t.Errorf("after approval the tax question should reach the new mentor: %+v", q)
	}
}

func TestWebRegisterAsMentor(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	b := tp.Browser()
	resp := b.Register(url.Values{"name": {"林導師"}, "login": {"lin@test.cn"}, "password": {portaltest.Password}, "password2": {portaltest.Password}, "as": {"mentor"}})
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/mentor/profile" {
		t.Fatalf("register as mentor: %d -> %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, doc := b.Get("/mentor/profile")
	if resp.StatusCode != 200 || doc.Find("#mentor-form").Length() != 1 {
		t.Fatalf("mentor profile form: %d", resp.StatusCode)
	}
	// Any other value of "as" is an entrepreneur.
	b = tp.Browser()
	resp = b.Register(url.Values{"name": {"陳先生"}, "login": {"chan@test.cn"}, "password": {portaltest.Password}, "password2": {portaltest.Password}, "as": {"admin"}})
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/" {
		t.Fatalf("register: %d -> %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := b.Get("/admin/users"); resp.StatusCode != 403 {
		t.Errorf("a registered person reached the admin pages: %d", resp.StatusCode)
	}
}

// TestMentorAccountDisabled (issue #24, finding 6): an administrator
// disabling a mentor's account takes them out of the public directory and
// the routing at once; enabling it puts them back.
func TestMentorAccountDisabled(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	mentorID, mentorTok, _ := tp.Account(accounts.Mentor, "mentor@off.test.cn")
	_, admin, _ := tp.Account(accounts.Admin, "admin@off.test.cn")
	_, ent, _ := tp.Account(accounts.Entrepreneur, "ent@off.test.cn")
	tp.MustDo(t, "PUT", "/api/v1/me/mentor", map[string]any{"type": "successful_founder", "industries": []string{"technology"},
		"topics": []string{"financing"}, "bio": "連續創業者，十年軟件公司經營經驗。", "languages": []string{"zh"}, "capacity": 5}, mentorTok)
	tp.MustDo(t, "POST", "/api/v1/admin/mentors/"+mentorID+"/status", map[string]string{"status": "active"}, admin)
	listed := func() bool {
		_, body := tp.Do("GET", "/api/v1/mentors", nil, "")
		return strings.Contains(string(body), mentorID)
	}
	// routed: a question goes to the mentor (the only one).
	routed := func() bool {
		q := portaltest.Decode[map[string]any](t, tp.MustDo(t, "POST", "/api/v1/consultations", map[string]any{"topic": "financing", "question": "怎樣申請創業擔保貸款？"}, ent))
		return portaltest.Str(q, "mentor_name") == "測試mentor"
	}
	if !listed() || !routed() {
		_, body := tp.Do("GET", "/api/v1/mentors", nil, "")
		t.Fatalf("the mentor is not listed and routed to begin with: %s", body)
	}
	for _, tc := range []struct {
		disabled bool
		want     bool
	}{{true, false}, {false, true}} {
		tp.MustDo(t, "PATCH", "/api/v1/admin/users/"+mentorID, map[string]any{"disabled": tc.disabled}, admin)
		if l, r := listed(), routed(); l != tc.want || r != tc.want {
			t.Errorf("disabled=%v: listed %v, routed %v; want both %v", tc.disabled, l, r, tc.want)
		}
	}
}

// TestBrowserAskThisMentor (#23): "ask this mentor" on a mentor's page
// addresses that mentor — the law mentor gets the question although the
// other one scores the same — on a topic they cover.
func TestBrowserAskThisMentor(t *testing.T) {
	t.Parallel()
	w := newMentorWorld(t)
	s := portaltest.NewSession(t, w.tp, 90*time.Second)
	s.ZhHant()
	s.Login("e1@test.cn")
	s.Step("the mentor's page", chromedp.Navigate(s.Base+"/mentors/"+w.m2ID), chromedp.WaitVisible(chromedp.ID("ask-mentor")),
		chromedp.Click(chromedp.ID("ask-mentor")), chromedp.WaitVisible(chromedp.ID("ask-to")))
	if got := s.Text("#f-topic"); !strings.Contains(got, "法律") || strings.Contains(got, "融資") {
		t.Errorf("topics offered: %q", got)
	}
	s.Step("ask", chromedp.SetValue(chromedp.ID("f-topic"), "law"),
		chromedp.SendKeys(chromedp.ID("question"), "合夥開店，退出時股份怎樣處理？"),
		chromedp.Click(chromedp.ID("ask-submit")), chromedp.WaitVisible(chromedp.ID("consult-status")))
	if _, body := w.tp.Do("GET", "/api/v1/me/consultations", nil, w.m2); !strings.Contains(string(body), "合夥開店") {
		t.Errorf("the chosen mentor's list: %s", body)
	}
	portaltest.Screenshot(t, s.Ctx, "ask-this-mentor")
}
