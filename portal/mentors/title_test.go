package mentors_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"onestop/portal/portaltest"
)

// TestMentorTitle: two mentors of one name are told apart by the title
// (position and organisation) each gives — in the directory, on their page,
// in the administrators' table and through the API; a title is one line of
// at most 60 characters, and a form refused keeps what was typed.
func TestMentorTitle(t *testing.T) {
	t.Parallel()
	w := newMentorWorld(t) // m1 and m2 share the name the harness gives every mentor
	tp := w.tp
	profile := func(title string) map[string]any {
		return map[string]any{"title": title, "type": "successful_founder", "industries": []string{"technology"}, "topics": []string{"financing"},
			"bio": "連續創業者，十年軟件公司經營經驗。", "languages": []string{"zh"}, "capacity": 5}
	}
	tp.Run(t, []portaltest.Scenario{
		{Name: "m1 gives a title", Method: "PUT", Path: "/api/v1/me/mentor", Token: w.m1, Body: profile("城市商業銀行退休信貸經理"), Status: 200},
		{Name: "m2 gives another", Method: "PUT", Path: "/api/v1/me/mentor", Token: w.m2, Body: profile("城市大學法學院教授"), Status: 200},
		{Name: "the API shows it", Method: "GET", Path: "/api/v1/mentors/" + w.m1ID, Status: 200, Contains: []string{`"title":"城市商業銀行退休信貸經理"`}},
		{Name: "a title on two lines", Method: "PUT", Path: "/api/v1/me/mentor", Token: w.m1, Body: profile("退休信貸經理\n城市商業銀行"), Status: 422,
			Contains: []string{`"field":"title"`, "error.text.chars"}},
		{Name: "a title of 61 characters", Method: "PUT", Path: "/api/v1/me/mentor", Token: w.m1, Body: profile(strings.Repeat("長", 61)), Status: 422,
			Contains: []string{`"field":"title"`, "error.text.max"}},
		{Name: "the refused ones changed nothing", Method: "GET", Path: "/api/v1/mentors/" + w.m1ID, Status: 200, Contains: []string{"城市商業銀行退休信貸經理"}},
	})

	titles := func(doc *goquery.Document, sel string) []string {
		var out []string
		doc.Find(sel).Each(func(_ int, s *goquery.Selection) { out = append(out, strings.TrimSpace(s.Text())) })
		return out
	}
	want := map[string]bool{"城市商業銀行退休信貸經理": true, "城市大學法學院教授": true}
	admin, _ := tp.SignedIn(t, "admin@test.cn")
	_, directory := tp.Browser().Get("/mentors")
	_, table := admin.Get("/admin/mentors")
	for _, page := range []struct {
		name string
		got  []string
	}{
		{"the directory", titles(directory, "#mentor-cards .mentor-title")},
		{"the administrators' table", titles(table, "#mentor-stats .mentor-title")},
	} {
		if len(page.got) != 2 || !want[page.got[0]] || !want[page.got[1]] || page.got[0] == page.got[1] {
			t.Errorf("%s shows the titles %q", page.name, page.got)
		}
	}
	if _, doc := tp.Browser().Get("/mentors/" + w.m2ID); doc.Find("#mentor-title").Text() != "城市大學法學院教授" {
		t.Errorf("the mentor's page: %q", doc.Find("#mentor-title").Text())
	}

	// The form: a title too long is refused at its field, kept as typed.
	mentor, _ := tp.SignedIn(t, "m1@test.cn")
	_, doc := mentor.Get("/mentor/profile")
	if got, _ := doc.Find("#f-title").Attr("value"); got != "城市商業銀行退休信貸經理" {
		t.Errorf("the form holds the title %q", got)
	}
	long := strings.Repeat("長", 61)
	form := url.Values{"title": {long}, "type": {"official"}, "topics": {"law"}, "bio": {"法律顧問，處理合同糾紛十年。"}, "capacity": {"3"}}
	resp, doc := mentor.Post("/mentor/profile", form, portaltest.CSRF(doc))
	if got, _ := doc.Find("#f-title").Attr("value"); resp.StatusCode != 422 || got != long || doc.Find("#e-title").Text() == "" {
		t.Errorf("a title too long: %d, kept %q, message %q", resp.StatusCode, got, doc.Find("#e-title").Text())
	}
}
