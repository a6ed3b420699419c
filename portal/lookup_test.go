package portal_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"onestop/portal/portaltest"
)

// TestLookupByNumberPages: the console and the people list search by POST;
// a number in a link shows a message and looks nothing up; the results of
// a POST render in place, with the number in no URL.
func TestLookupByNumberPages(t *testing.T) {
	t.Parallel()
	w := portaltest.NewHotlineWorld(t)
	const idNo, phone = "11010519880512123X", "13800138000"
	person := `a[href="/staff/people/` + w.E1ID + `"]`
	b := w.Portal.Browser()
	_, doc := b.Get("/login")
	b.Post("/login", url.Values{"login": {"hotline@test.cn"}, "password": {portaltest.Password}}, portaltest.CSRF(doc))

	for _, page := range []struct{ path, form, action string }{{"/hotline", "#find-form", "/hotline/find"}, {"/staff/people", "#people-search", "/staff/people/search"}} {
		_, doc := b.Get(page.path)
		f := doc.Find(page.form)
		if m, _ := f.Attr("method"); m != "post" {
			t.Errorf("%s: search form method %q", page.path, m)
		}
		if a, _ := f.Attr("action"); a != page.action {
			t.Errorf("%s: search form action %q", page.path, a)
		}
		if v, _ := f.Find(`input[name="_csrf"]`).Attr("value"); v == "" {
			t.Errorf("%s: search form without its CSRF token", page.path)
		}
	}

	for _, tc := range []struct {
		name, method, path, q string
		status                int
		found                 string // a selector that must match, or ""
		refused               bool
	}{
		{"console: ID number posted", "POST", "/hotline/find", idNo, 200, "#found .result", false},
		{"console: phone posted", "POST", "/hotline/find", phone, 200, "#found .result", false},
		{"console: name posted", "POST", "/hotline/find", "王小明", 200, "#found .result", false},
		{"console: name in the link", "GET", "/hotline", "王小明", 200, "#found .result", false},
		{"console: ID number in the link", "GET", "/hotline", idNo, 422, "", true},
		{"console: phone in the link", "GET", "/hotline", phone, 422, "", true},
		{"people: ID number posted", "POST", "/staff/people/search", idNo, 200, person, false},
		{"people: phone posted", "POST", "/staff/people/search", phone, 200, person, false},
		{"people: name posted", "POST", "/staff/people/search", "王小明", 200, person, false},
		{"people: name in the link", "GET", "/staff/people", "王小明", 200, person, false},
		{"people: ID number in the link", "GET", "/staff/people", idNo, 422, "", true},
		{"people: phone in the link", "GET", "/staff/people", phone, 422, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, before := b.Get("/hotline")
			var r *http.Response
			var resp *goquery.Document
			if tc.method == "POST" {
				r, resp = b.Post(tc.path, url.Values{"q": {tc.q}}, portaltest.CSRF(before))
			} else {
				r, resp = b.Get(tc.path + "?q=" + url.QueryEscape(tc.q))
			}
			if loc := r.Header.Get("Location"); r.StatusCode != tc.status || loc != "" {
				t.Fatalf("%d, Location %q; want %d in place", r.StatusCode, loc, tc.status)
			}
			if tc.found != "" && resp.Find(tc.found).Length() == 0 {
				t.Errorf("not found: no %s", tc.found)
			}
			if tc.refused {
				msg := resp.Find("#e-q").Text()
				if msg == "" || strings.Contains(msg, "search.") {
					t.Errorf("refusal message: %q", msg)
				}
				if resp.Find("#found").Length() != 0 || resp.Find(person).Length() != 0 {
					t.Error("a number in the link was looked up")
				}
			}
			html, _ := resp.Html()
			if strings.Contains(html, idNo) {
				t.Error("the ID number is echoed into the page")
			}
			resp.Find("a[href], form[action]").Each(func(_ int, s *goquery.Selection) {
				for _, attr := range []string{"href", "action"} {
					if v, ok := s.Attr(attr); ok && (strings.Contains(v, idNo) || strings.Contains(v, phone)) {
						t.Errorf("a number in a URL: %s", v)
					}
				}
			})
		})
	}

	e := w.Portal.Browser()
	_, doc = e.Get("/login")
	e.Post("/login", url.Values{"login": {"e1@test.cn"}, "password": {portaltest.Password}}, portaltest.CSRF(doc))
	_, doc = e.Get("/")
	for _, path := range []string{"/hotline/find", "/staff/people/search"} {
		if r, _ := e.Post(path, url.Values{"q": {idNo}}, portaltest.CSRF(doc)); r.StatusCode != 403 {
			t.Errorf("entrepreneur POST %s: %d", path, r.StatusCode)
		}
	}
}

// TestSignInLinkDropsNumbers: a guest sent to sign in comes back to the
// page asked for, but a number in its query is not carried into the link.
func TestSignInLinkDropsNumbers(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	for _, tt := range []struct{ path, next string }{
		{"/staff/people?q=11010519880512123X", "/staff/people"},
		{"/hotline?q=138%200013%208000&page=2", "/hotline"},
		{"/staff/people?q=%E9%99%B3&page=2", "/staff/people?q=%E9%99%B3&page=2"},
	} {
		resp, _ := tp.Do("GET", tt.path, nil, "")
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != 303 || loc == nil || loc.Path != "/login" || loc.Query().Get("next") != tt.next {
			t.Errorf("GET %s as a guest: %d %q, want sign-in with next=%s", tt.path, resp.StatusCode, resp.Header.Get("Location"), tt.next)
		}
	}
}
