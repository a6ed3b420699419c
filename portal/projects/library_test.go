package projects_test

import (
	"context"
	"net/url"
	projectsweb "onestop/portal/projects"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
)

// TestLibraryBadParametersReshowTheForm: a parameter the library refuses
// answers 400 with the form as it was sent and a message at the field at
// fault, in the visitor's language — not 「沒有符合的資料」.
func TestLibraryBadParametersReshowTheForm(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	if err := tp.App.LoadDemoProjects(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, query, lang string
		fields            map[string]string // field → message
		keep              map[string]string // control id → value re-shown
	}{
		{name: "unknown sort", query: "sort=bogus&q=養老", fields: map[string]string{"sort": "請從列表中選擇。"}, keep: map[string]string{"q": "養老"}},
		{name: "reversed range", query: "min_investment=300000&max_investment=1000",
			fields: map[string]string{"min_investment": "最低值不可大於最高值。"}, keep: map[string]string{"min_investment": "300000", "max_investment": "1000"}},
		{name: "negative amount", query: "max_investment=-5", fields: map[string]string{"max_investment": "請填寫不小於 0 的整數金額（元），例如 50000。"}},
		{name: "letters for an amount, and a bad sort too", query: "min_investment=abc&sort=price&industry=technology",
			fields: map[string]string{"min_investment": "請填寫不小於 0 的整數金額（元），例如 50000。", "sort": "請從列表中選擇。"},
			keep:   map[string]string{"min_investment": "abc"}},
		{name: "in English", query: "min_investment=abc", lang: "en", fields: map[string]string{"min_investment": "Enter a whole number of yuan, 0 or more (for example 50000)."}},
		{name: "in Simplified", query: "sort=bogus", lang: "zh-Hans", fields: map[string]string{"sort": "请从列表中选择。"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tp.Browser()
			if tc.lang != "" {
				b.Header.Set("Accept-Language", tc.lang)
			}
			for _, path := range []string{"/projects?" + tc.query, "/projects?partial=1&" + tc.query} {
				resp, doc := b.Get(path)
				if resp.StatusCode != 400 {
					t.Errorf("%s: status %d, want 400", path, resp.StatusCode)
				}
				if doc.Find("#library-errors").Length() != 1 || doc.Find("#project-cards .empty").Length() != 0 {
					t.Errorf("%s: says %q instead of what is wrong", path, strings.TrimSpace(doc.Find("#results, body").First().Text()))
				}
				for _, msg := range tc.fields {
					if !strings.Contains(doc.Find("#library-errors").Text(), msg) {
						t.Errorf("%s: the summary does not say %q: %q", path, msg, doc.Find("#library-errors").Text())
					}
				}
			}
			_, doc := b.Get("/projects?" + tc.query)
			for field, msg := range tc.fields {
				if got := doc.Find("#e-" + field).Text(); got != msg {
					t.Errorf("message at %s: %q, want %q", field, got, msg)
				}
				if v, _ := doc.Find("#" + field).Attr("aria-invalid"); v != "true" {
					t.Errorf("%s is not marked invalid", field)
				}
			}
			for id, want := range tc.keep {
				if got, _ := doc.Find("#" + id).Attr("value"); got != want {
					t.Errorf("%s re-shown as %q, want %q", id, got, want)
				}
			}
		})
	}
	// A good query marks nothing.
	if resp, doc := tp.Browser().Get("/projects?min_investment=1000&max_investment=300000&sort=newest"); resp.StatusCode != 200 ||
		doc.Find("#library-errors, .field-error, [aria-invalid]").Length() != 0 {
		t.Errorf("a good query: %d, marked %d", resp.StatusCode, doc.Find(".field-error").Length())
	}
}

// TestProjectPageLeadsOn: a project of the library shows its evaluation
// as far as the visitor may see it, offers the next steps (a base, a
// mentor, the 項目開發 service, each for the project's industry), and
// 「返回項目庫」 goes back to the search the visitor came from — never to
// another site or another area.
func TestProjectPageLeadsOn(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	if err := tp.App.LoadDemoProjects(context.Background()); err != nil {
		t.Fatal(err)
	}
	tp.Account(accounts.Entrepreneur, "ent@test.cn")
	guest := tp.Browser()
	search := "/projects?industry=technology&sort=newest"
	_, doc := guest.Get(search)
	card := doc.Find("#project-cards .project-card h2 a").First()
	href, _ := card.Attr("href")
	u, err := url.Parse(href)
	if err != nil || u.Query().Get("back") != "/projects?industry=technology&sort=newest" {
		t.Fatalf("a card does not carry the search: %q", href)
	}
	id := strings.TrimPrefix(u.Path, "/projects/")
	_, doc = guest.Get(href)
	if got := attr(doc, "#library-back", "href"); got != "/projects?industry=technology&sort=newest" {
		t.Errorf("「返回項目庫」 leads to %q", got)
	}
	// Recommended by import: the outcome is shown, the details are said
	// to be private.
	if !strings.Contains(doc.Find("#project-outcome").Text(), "推介") || doc.Find("#evaluation-private").Length() != 1 || doc.Find(".review").Length() != 0 {
		t.Errorf("evaluation for the public: %q", doc.Find("#project-evaluation").Text())
	}
	for sel, want := range map[string]string{"#next-bases": "/bases?industry=technology", "#next-mentors": "/mentors?industry=technology",
		"#next-ask": "/consultations/new?industry=technology", "#next-service": "/services?type=project_development#service-form"} {
		if got := attr(doc, sel, "href"); got != want {
			t.Errorf("next step %s: %q, want %q", sel, got, want)
		}
	}
	for _, tc := range []struct{ name, back, referer, want string }{
		{name: "no way back given", want: "/projects"},
		{name: "another site", back: "//evil.example/projects", want: "/projects"},
		{name: "another area", back: "/admin/users?q=x", want: "/projects"},
		{name: "a project, not the library", back: "/projects/" + id, want: "/projects"},
		{name: "a script", back: "javascript:alert(1)", want: "/projects"},
		{name: "the partial flag and empty fields are dropped", back: "/projects?q=養老&partial=1&risk=&sort=newest", want: "/projects?q=" + url.QueryEscape("養老") + "&sort=newest"},
		{name: "the library as Referer", referer: "http://example.com/projects?risk=low", want: "/projects?risk=low"},
		{name: "another site as Referer", referer: "http://evil.example/projects?risk=low", want: "/projects"},
	} {
		path := "/projects/" + id
		if tc.back != "" {
			path += "?back=" + url.QueryEscape(tc.back)
		}
		b := tp.Browser()
		if tc.referer != "" {
			b.Header.Set("Referer", tc.referer)
		}
		if _, doc := b.Get(path); attr(doc, "#library-back", "href") != tc.want {
			t.Errorf("%s: back to %q, want %q", tc.name, attr(doc, "#library-back", "href"), tc.want)
		}
	}
	// Each next step lands where it says, with the industry or the service
	// chosen.
	ent, _ := tp.SignedIn(t, "ent@test.cn")
	for path, sel := range map[string]string{
		"/bases?industry=technology":             `#industry option[value="technology"][selected]`,
		"/mentors?industry=technology":           `#industry option[value="technology"][selected]`,
		"/consultations/new?industry=technology": `#f-industry option[value="technology"][selected]`,
		"/services?type=project_development":     `input[name="type"][value="project_development"][checked]`,
	} {
		if resp, doc := ent.Get(path); resp.StatusCode != 200 || doc.Find(sel).Length() != 1 {
			t.Errorf("%s: %d, %s not found", path, resp.StatusCode, sel)
		}
	}
}

// TestProjectEvaluationShownToWhoMaySee: the submitter sees the reviewers,
// scores and opinions of their project on its page; the public and other
// users see the outcome and not the reviews.
func TestProjectEvaluationShownToWhoMaySee(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	_, owner, _ := tp.Account(accounts.Entrepreneur, "ent@test.cn")
	tp.Account(accounts.Entrepreneur, "other@test.cn")
	rev1, mentor1, _ := tp.Account(accounts.Mentor, "m1@test.cn")
	rev2, mentor2, _ := tp.Account(accounts.Mentor, "m2@test.cn")
	_, admin, _ := tp.Account(accounts.Admin, "admin@test.cn")
	raw := tp.MustDo(t, "POST", "/api/v1/projects", map[string]any{"title": "社區洗衣便民店", "summary": "提供乾洗、水洗與上門收送", "description": "租用臨街商鋪",
		"industry": "community_service", "district": "xicheng", "investment_yuan": 60000, "risk": "low", "expected_jobs": 3,
		"target_groups": []string{"registered_unemployed"}, "tags": []string{"洗衣"}, "source": "individual", "submit": true}, owner)
	id := portaltest.Decode[projectsweb.APIProject](t, raw).ID
	p := "/api/v1/projects/" + id
	ownerPage, _ := tp.SignedIn(t, "ent@test.cn")
	if _, doc := ownerPage.Get("/projects/" + id); doc.Find("#project-reviewers").Text() != "尚未指派評審專家。" {
		t.Errorf("before review, the submitter reads %q", doc.Find("#project-evaluation").Text())
	}
	review := map[string]any{"scores": map[string]int{"market": 4, "investment": 4, "risk": 5, "employment": 3, "feasibility": 4}, "opinion": "選址合理，需求穩定，建議推介。"}
	tp.MustDo(t, "POST", p+"/reviewers", map[string]any{"reviewer_ids": []string{rev1, rev2}}, admin)
	tp.MustDo(t, "POST", p+"/reviews", review, mentor1)
	tp.MustDo(t, "POST", p+"/reviews", review, mentor2)
	tp.MustDo(t, "POST", p+"/decision", map[string]string{"outcome": "recommended", "reason": "strong_market"}, admin)
	otherPage, _ := tp.SignedIn(t, "other@test.cn")
	for _, tc := range []struct {
		name    string
		b       *portaltest.Browser
		reviews int
	}{{"submitter", ownerPage, 2}, {"guest", tp.Browser(), 0}, {"another entrepreneur", otherPage, 0}} {
		_, doc := tc.b.Get("/projects/" + id)
		ev := doc.Find("#project-evaluation")
		if ev.Find(".review").Length() != tc.reviews || !strings.Contains(ev.Find("#project-outcome").Text(), "推介") {
			t.Errorf("%s: %d reviews, outcome %q", tc.name, ev.Find(".review").Length(), ev.Find("#project-outcome").Text())
		}
		if private := ev.Find("#evaluation-private").Length() == 1; private != (tc.reviews == 0) || strings.Contains(ev.Text(), "選址合理") != (tc.reviews > 0) {
			t.Errorf("%s: the evaluation's details shown wrongly: %q", tc.name, ev.Text())
		}
	}
}

func attr(doc *goquery.Document, sel, name string) string {
	v, _ := doc.Find(sel).Attr(name)
	return v
}

// TestBrowserLibraryWaitsForIMEComposition: typing 社區 in pinyin sends
// input events for "she'qu" while the word is composed; none of them may
// search (announcing 「共 0 個項目」 and rewriting the address). The search
// runs when the composition ends, for the word chosen.
func TestBrowserLibraryWaitsForIMEComposition(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	if err := tp.App.LoadDemoProjects(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := portaltest.NewSession(t, tp, 60*time.Second)
	// Every fetch and address change the page makes is written down.
	s.Step("open the library", chromedp.Navigate(s.Base+"/projects"), chromedp.WaitVisible(chromedp.ID("q")),
		chromedp.Evaluate[chromedp.Void](`(() => {
			window.fetched = []; window.replaced = [];
			const f = window.fetch, r = history.replaceState.bind(history);
			window.fetch = function (u, o) { window.fetched.push(String(u)); return f(u, o); };
			history.replaceState = function (s, t, u) { window.replaced.push(String(u)); return r(s, t, u); };
		})()`))
	// The composition lasts longer than the typing pause the page waits
	// for: a timer set after the input events and longer than that pause
	// fires after any search they queued (timers run in the order they
	// fall due), so the check needs no clock.
	composed, err := chromedp.Run(s.Ctx, chromedp.Evaluate[[]string](`(async () => {
		const q = document.getElementById("q");
		q.focus();
		q.dispatchEvent(new CompositionEvent("compositionstart", { bubbles: true, data: "" }));
		for (const text of ["s", "she", "she'q", "she'qu"]) {
			q.value = text;
			q.dispatchEvent(new CompositionEvent("compositionupdate", { bubbles: true, data: text }));
			q.dispatchEvent(new InputEvent("input", { bubbles: true, isComposing: true, data: text, inputType: "insertCompositionText" }));
			await new Promise(r => setTimeout(r, 400));
		}
		return window.fetched.concat(window.replaced);
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if len(composed) != 0 {
		t.Errorf("searched while composing: %q", composed)
	}
	if count := s.Text("#result-count"); strings.Contains(count, "共 0 個") {
		t.Errorf("announced %q while composing", count)
	}
	s.Step("choose the word", chromedp.Evaluate[chromedp.Void](`(() => {
		const q = document.getElementById("q");
		q.value = "社區";
		q.dispatchEvent(new InputEvent("input", { bubbles: true, isComposing: true, data: "社區", inputType: "insertCompositionText" }));
		q.dispatchEvent(new CompositionEvent("compositionend", { bubbles: true, data: "社區" }));
	})()`), chromedp.WaitVisible(chromedp.CSS("#project-cards mark")))
	fetched, err := chromedp.Run(s.Ctx, chromedp.Evaluate[[]string](`window.fetched`))
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := chromedp.Run(s.Ctx, chromedp.Location())
	if len(fetched) != 1 || !strings.Contains(fetched[0], "q="+url.QueryEscape("社區")) || !strings.Contains(loc, "q="+url.QueryEscape("社區")) {
		t.Errorf("after the composition: fetched %q, address %s", fetched, loc)
	}
}

// TestProjectInTheReadersScript: a project written in Simplified reads in
// Traditional in the zh-Hant interface (and the other way round), while
// the API and the edit form keep what was typed.
func TestProjectInTheReadersScript(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	_, owner, _ := tp.Account(accounts.Entrepreneur, "ent@test.cn")
	raw := tp.MustDo(t, "POST", "/api/v1/projects", map[string]any{"title": "智能灌溉设备安装服务", "summary": "为农户安装物联网智能灌溉设备", "description": "按亩收费",
		"industry": "agri_processing", "district": "xicheng", "investment_yuan": 60000, "risk": "low", "expected_jobs": 3,
		"target_groups": []string{"registered_unemployed"}, "tags": []string{"灌溉"}, "source": "individual"}, owner)
	id := portaltest.Decode[projectsweb.APIProject](t, raw).ID
	b, _ := tp.SignedIn(t, "ent@test.cn")
	for lang, want := range map[string]string{"zh-Hant": "智能灌溉設備安裝服務", "zh-Hans": "智能灌溉设备安装服务", "en": "智能灌溉設備安裝服務"} {
		b.Cookies["lang"] = lang
		if _, doc := b.Get("/projects/" + id); doc.Find("#project-title").Text() != want {
			t.Errorf("%s reader: %q", lang, doc.Find("#project-title").Text())
		}
	}
	if !strings.Contains(string(tp.MustDo(t, "GET", "/api/v1/projects/"+id, nil, owner)), "智能灌溉设备安装服务") {
		t.Error("the API changed what was typed")
	}
}
