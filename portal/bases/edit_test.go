package bases_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onestop/portal/portaltest"
)

// TestEditBaseAPI (#20): PATCH /api/v1/admin/bases/:id changes only the
// fields given, for administrators only; a base's manager keeps their own
// PUT; bad input is a 422 naming the fields, a stale version a 409, and the
// public list shows the change at once.
func TestEditBaseAPI(t *testing.T) {
	t.Parallel()
	w := portaltest.NewBaseWorld(t)
	tp := w.Portal
	path := "/api/v1/admin/bases/" + w.BaseA
	// The public list is read (and cached) before the edit.
	if _, body := tp.Do("GET", "/api/v1/bases", nil, ""); !strings.Contains(string(body), "高新創業園") {
		t.Fatalf("list before: %s", body)
	}
	tp.Run(t, []portaltest.Scenario{
		{Name: "guests", Method: "PATCH", Path: path, Body: map[string]any{"name": "改名基地"}, Status: 401},
		{Name: "the base's manager", Method: "PATCH", Path: path, Token: w.MgrA, Body: map[string]any{"name": "改名基地"}, Status: 403},
		{Name: "an entrepreneur", Method: "PATCH", Path: path, Token: w.E1, Body: map[string]any{"name": "改名基地"}, Status: 403},
		{Name: "no such base", Method: "PATCH", Path: "/api/v1/admin/bases/0000000000000000000000000a", Token: w.Admin, Body: map[string]any{"name": "改名基地"}, Status: 404},
		{Name: "nothing to change", Method: "PATCH", Path: path, Token: w.Admin, Body: map[string]any{"version": 1}, Status: 422, Contains: []string{"error.nothing"}},
		{Name: "free seats are never typed", Method: "PATCH", Path: path, Token: w.Admin, Body: map[string]any{"free_seats": 99}, Status: 422},
		{Name: "every fault in one answer", Method: "PATCH", Path: path, Token: w.Admin, Body: map[string]any{"name": "", "seats": -1, "level": "galactic"}, Status: 422,
			Contains: []string{`"field":"name"`, `"field":"seats"`, `"field":"level"`, "此欄位必填"}},
		{Name: "a stale version", Method: "PATCH", Path: path, Token: w.Admin, Body: map[string]any{"name": "改名基地", "version": 9}, Status: 409, Contains: []string{"error.stale"}},
		{Name: "nothing was written", Method: "GET", Path: "/api/v1/bases/" + w.BaseA, Status: 200, Contains: []string{"高新創業園", `"seats":3`, `"version":1`}, NotContains: []string{"改名基地"}},
		{Name: "an administrator renames it and adds seats", Method: "PATCH", Path: path, Token: w.Admin, Body: map[string]any{"name": "高新創業園二期", "seats": 6, "version": 1}, Status: 200,
			Contains: []string{`"name":"高新創業園二期"`, `"seats":6`, `"free_seats":6`, `"version":2`, `"district":"hightech"`, `"industries":["technology"]`}},
		{Name: "the public list shows it at once", Method: "GET", Path: "/api/v1/bases", Status: 200, Contains: []string{"高新創業園二期"}},
		{Name: "an edit from the old version is stale", Method: "PATCH", Path: path, Token: w.Admin, Body: map[string]any{"contact": "0755-1", "version": 1}, Status: 409},
		{Name: "its manager still edits their listing", Method: "PUT", Path: "/api/v1/bases/" + w.BaseA, Token: w.MgrA,
			Body: map[string]any{"name": "高新創業園二期", "level": "municipal", "district": "hightech", "seats": 6, "contact": "0755-2"}, Status: 200, Contains: []string{`"version":3`}},
		{Name: "the edit is in the audit log", Method: "GET", Path: "/api/v1/admin/audit?action=base.update", Token: w.Admin, Status: 200, Contains: []string{w.BaseA, "name,seats"}},
	})
}

// TestEditBasePages: the edit page is the new-base form filled in; a bad
// save comes back with what was typed and every message in the reader's
// language; a save over another edit says so and offers the latest; a
// good one returns to the list.
func TestEditBasePages(t *testing.T) {
	t.Parallel()
	w := portaltest.NewBaseWorld(t)
	tp := w.Portal
	admin, _ := tp.SignedIn(t, "admin@test.cn")
	_, doc := admin.Get("/admin/bases")
	if href, _ := doc.Find("#edit-" + w.BaseA).Attr("href"); href != "/admin/bases/"+w.BaseA+"/edit" {
		t.Fatalf("the list's edit link: %q", href)
	}
	edit := "/admin/bases/" + w.BaseA + "/edit"
	resp, doc := admin.Get(edit)
	form := doc.Find("form#base-edit-form")
	if resp.StatusCode != 200 || form.Length() != 1 || form.AttrOr("action", "") != "/admin/bases/"+w.BaseA {
		t.Fatalf("edit page: %d", resp.StatusCode)
	}
	val := func(sel string) string { return doc.Find(sel).AttrOr("value", "") }
	if val("#f-name") != "高新創業園" || val("#f-seats") != "3" || val(`input[name="version"]`) != "1" ||
		doc.Find(`#f-level option[selected]`).AttrOr("value", "") != "municipal" || doc.Find(`#f-district option[selected]`).AttrOr("value", "") != "hightech" ||
		doc.Find(`input[name="industries"][value="technology"][checked]`).Length() != 1 || doc.Find(`input[name="services"][value="mentoring"][checked]`).Length() != 1 ||
		doc.Find(`input[name="intake_open"][checked]`).Length() != 1 {
		t.Errorf("the form is not filled in: %s", form.Text())
	}
	// The new-base form is the same form.
	_, list := admin.Get("/admin/bases")
	if a, b := list.Find("form#base-form .grid input").Length(), form.Find(".grid input").Length(); a != b || a == 0 {
		t.Errorf("new-base form has %d inputs, the edit form %d", a, b)
	}
	manager, _ := tp.SignedIn(t, "mgra@test.cn")
	if resp, _ := manager.Get(edit); resp.StatusCode != 403 {
		t.Errorf("a manager opened the admin edit page: %d", resp.StatusCode)
	}

	typed := url.Values{"name": {""}, "level": {""}, "district": {"hightech"}, "address": {"科技園 8 號"}, "seats": {"4"}, "rent_free_months": {"6"},
		"contact": {"0755-8"}, "industries": {"technology"}, "version": {"1"}}
	resp, doc = admin.Post("/admin/bases/"+w.BaseA, typed, portaltest.CSRF(doc))
	if resp.StatusCode != 422 || doc.Find("#e-name").Text() != "此欄位必填。" || doc.Find("#e-level").Length() != 1 {
		t.Fatalf("a bad save: %d %q %q", resp.StatusCode, doc.Find("#e-name").Text(), doc.Find("main").Text())
	}
	if doc.Find("#f-address").AttrOr("value", "") != "科技園 8 號" || doc.Find("#f-seats").AttrOr("value", "") != "4" {
		t.Errorf("what was typed is lost")
	}
	if _, doc := tp.Do("GET", "/api/v1/bases/"+w.BaseA, nil, ""); !strings.Contains(string(doc), `"address":""`) {
		t.Errorf("a refused save wrote: %s", doc)
	}

	typed.Set("name", "高新創業園二期")
	typed.Set("level", "municipal")
	typed.Set("version", "7") // another edit came first
	resp, doc = admin.Post("/admin/bases/"+w.BaseA, typed, portaltest.CSRF(doc))
	if resp.StatusCode != 409 || !strings.Contains(doc.Find("#base-edit-form-error").Text(), "資料已被他人變更") ||
		doc.Find("#base-edit-form-error a").AttrOr("href", "") != edit || doc.Find("#f-name").AttrOr("value", "") != "高新創業園二期" {
		t.Fatalf("a stale save: %d %q", resp.StatusCode, doc.Find("#base-edit-form-error").Text())
	}

	typed.Set("version", "1")
	resp, _ = admin.Post("/admin/bases/"+w.BaseA, typed, portaltest.CSRF(doc))
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/admin/bases" {
		t.Fatalf("save: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, doc = admin.Get("/admin/bases")
	if !strings.Contains(doc.Find(".flash").Text(), "基地資料已更新") || !strings.Contains(doc.Find("#all-bases").Text(), "高新創業園二期") {
		t.Errorf("after the save: %q", doc.Find(".flash").Text())
	}
	if _, doc := tp.Browser().Get("/bases"); !strings.Contains(doc.Find("main").Text(), "高新創業園二期") {
		t.Errorf("the public list does not show the new name")
	}
}

// TestBrowserEditBase: an administrator opens a base from the list,
// changes its name and seats, saves, and the public list shows the new
// name and seats.
func TestBrowserEditBase(t *testing.T) {
	t.Parallel()
	w := portaltest.NewBaseWorld(t)
	s := portaltest.NewSession(t, w.Portal, 90*time.Second)
	s.ZhHant()
	s.Login("admin@test.cn")
	s.Step("open the base's edit page", chromedp.Navigate(s.Base+"/admin/bases"), chromedp.WaitVisible(chromedp.ID("edit-"+w.BaseA)),
		chromedp.Click(chromedp.ID("edit-"+w.BaseA)), chromedp.WaitVisible(chromedp.ID("base-edit-form")))
	s.Step("change name and seats", chromedp.SetValue(chromedp.ID("f-name"), "高新創業園二期"), chromedp.SetValue(chromedp.ID("f-seats"), "8"))
	portaltest.Screenshot(t, s.Ctx, "admin-base-edit")
	s.Step("save", chromedp.Click(chromedp.ID("base-edit-form-submit")), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="admin.bases.updated"]`)))
	s.Logout()
	s.Step("the public list", chromedp.Navigate(s.Base+"/bases"), chromedp.WaitVisible(chromedp.Search(`//a[contains(., "高新創業園二期")]`)))
	s.Step("the base's page", chromedp.Navigate(s.Base+"/bases/"+w.BaseA), chromedp.WaitVisible(chromedp.ID("base-seats")))
	if got := s.Text("#base-seats"); got != "空餘 8 / 共 8 個工位" {
		t.Errorf("free seats: %q", got)
	}
}
