package mentors_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

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
