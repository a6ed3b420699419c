package mentors_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	mentorsweb "onestop/portal/mentors"
	"onestop/portal/portaltest"
)

// TestConsultationWords: the asker's topic is labelled as theirs (not with
// the mentor's 「擅長領域」), a rating left out asks for one rather than
// stating the scale, and each role's list offers the filters that make
// sense for it.
func TestConsultationWords(t *testing.T) {
	t.Parallel()
	w := newMentorWorld(t)
	tp := w.tp
	ent, _ := tp.SignedIn(t, "e1@test.cn")
	_, doc := ent.Get("/consultations/new")
	if got := strings.TrimSpace(doc.Find(`label[for="f-topic"]`).Text()); got != "諮詢主題" {
		t.Errorf("the asker's topic is labelled %q", got)
	}
	en := tp.Browser()
	for k, v := range ent.Cookies {
		en.Cookies[k] = v
	}
	en.Cookies["lang"] = "en"
	if _, doc := en.Get("/consultations/new"); strings.TrimSpace(doc.Find(`label[for="f-topic"]`).Text()) != "Topic" {
		t.Errorf("in English: %q", doc.Find(`label[for="f-topic"]`).Text())
	}

	q := w.ask(t, w.e1, map[string]any{"topic": "financing", "question": "初創期如何申請創業擔保貸款？需要哪些材料？"})
	close := "/api/v1/consultations/" + q.ID + "/close"
	tp.MustDo(t, "POST", "/api/v1/consultations/"+q.ID+"/messages", map[string]string{"text": "準備身份證明、營業執照和經營計劃。"}, w.m1)
	tp.Run(t, []portaltest.Scenario{
		{Name: "no rating", Method: "POST", Path: close, Token: w.e1, Body: map[string]any{"comment": "好"}, Status: 422,
			Contains: []string{`"code":"error.consult.rating.missing"`, "請選擇 1 至 5 的評分。"}},
		{Name: "out of range", Method: "POST", Path: close, Token: w.e1, Body: map[string]any{"rating": 6}, Status: 422,
			Contains: []string{`"code":"error.consult.rating"`}, NotContains: []string{"rating.missing"}},
	})
	// The page's form, sent without a rating, says to choose one.
	_, doc = ent.Get("/consultations/" + q.ID)
	resp, _ := ent.Post("/consultations/"+q.ID+"/close", url.Values{"comment": {"好"}}, portaltest.CSRF(doc))
	_, doc = ent.Get(resp.Header.Get("Location"))
	if got := doc.Find(".flash").Text(); got != "請選擇 1 至 5 的評分。" {
		t.Errorf("a rating left out says %q", got)
	}

	mentor, _ := tp.SignedIn(t, "m1@test.cn")
	admin, _ := tp.SignedIn(t, "admin@test.cn")
	for _, tc := range []struct {
		name     string
		b        *portaltest.Browser
		has, not []string
	}{
		{"entrepreneur", ent, []string{"waiting", "answered", "closed"}, []string{"mine", "overdue", "rematched"}},
		{"mentor", mentor, []string{"mine", "overdue", "answered"}, []string{"rematched", "unassigned"}},
		{"administrator", admin, []string{"overdue", "rematched", "unassigned"}, []string{"mine"}},
	} {
		_, doc := tc.b.Get("/consultations")
		offered := map[string]bool{}
		doc.Find(".quick a").Each(func(_ int, a *goquery.Selection) {
			href, _ := a.Attr("href")
			if u, err := url.Parse(href); err == nil && u.Query().Get("status") != "" {
				offered[u.Query().Get("status")] = true
			}
		})
		for _, f := range tc.has {
			if !offered[f] {
				t.Errorf("%s is not offered %q (offered %v)", tc.name, f, offered)
			}
		}
		for _, f := range tc.not {
			if offered[f] {
				t.Errorf("%s is offered %q", tc.name, f)
			}
		}
	}
}

// TestConsultationWordsInReadersLanguage (#20.9): the mentor's
// notification names the topic in the reader's language, never its code
// (「新諮詢待您答覆：financing」), and a mentor passing the question on shows
// in the thread as a sentence, not as `decline: …`.
func TestConsultationWordsInReadersLanguage(t *testing.T) {
	t.Parallel()
	w := newMentorWorld(t)
	tp := w.tp
	q := w.ask(t, w.e1, map[string]any{"topic": "financing", "question": "初創期如何申請創業擔保貸款？需要哪些材料？"})
	for lang, want := range map[string]string{"zh-Hant": "新諮詢待您答覆：融資", "zh-Hans": "新咨询待您答复：融资", "en": "A new question awaits you: Financing"} {
		_, body := tp.Do("GET", "/api/v1/me/notifications", nil, w.m1, "Accept-Language", lang)
		if !strings.Contains(string(body), want) || strings.Contains(string(body), "financing") {
			t.Errorf("%s: the mentor's notifications read %s; want %q", lang, body, want)
		}
	}

	tp.MustDo(t, "POST", "/api/v1/consultations/"+q.ID+"/decline", map[string]string{"reason": "本週出差，無法及時答覆。"}, w.m1)
	_, body := tp.Do("GET", "/api/v1/consultations/"+q.ID, nil, w.e1)
	moved := portaltest.Decode[mentorsweb.APIConsultation](t, body)
	if n := len(moved.Messages); n == 0 || moved.Messages[n-1].Event != "decline" || moved.Messages[n-1].Text != "本週出差，無法及時答覆。" {
		t.Errorf("the API's system message: %s", body)
	}
	ent, _ := tp.SignedIn(t, "e1@test.cn")
	_, doc := ent.Get("/consultations/" + q.ID)
	thread := doc.Find("#thread li.system").Text()
	if !strings.Contains(thread, "導師將這則諮詢轉給其他導師。原因：本週出差，無法及時答覆。") || strings.Contains(thread, "decline") {
		t.Errorf("the thread says %q", thread)
	}
}
