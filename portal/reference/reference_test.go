package reference_test

import (
	"net/url"
	"onestop/portal/portaltest"
	projectsweb "onestop/portal/projects"
	"strings"
	"testing"

	"onestop/services/accounts"
)

// TestReferenceAPI: administrators edit the lists through the API; anyone
// reads the active entries; a district added is taken at once by another
// area, by code or label, and a retired one is no longer taken for a new
// record.
func TestReferenceAPI(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	_, admin, _ := tp.Account(accounts.Admin, "admin@test.cn")
	_, ent, _ := tp.Account(accounts.Entrepreneur, "ent@test.cn")
	_, staff, _ := tp.Account(accounts.Hotline, "staff@test.cn")
	xingang := map[string]any{"code": "xingang", "labels": map[string]string{"zh-Hant": "新港區", "zh-Hans": "新港区", "en": "Xingang"}}
	project := map[string]any{"title": "新港早餐店", "summary": "社區早餐", "industry": "社区服务型", "district": "新港区",
		"investment_yuan": 30000, "risk": "low", "expected_jobs": 2, "source": "individual", "submit": false}
	contact := func(district string) map[string]any { return map[string]any{"name": "王來電", "district": district} }
	tp.Run(t, []portaltest.Scenario{
		{Name: "anyone reads the lists", Method: "GET", Path: "/api/v1/reference", Status: 200,
			Contains: []string{`"kind":"district"`, `"code":"dongcheng"`, `"zh-Hans":"东城区"`, `"kind":"industry"`, `"kind":"sector"`}},
		{Name: "guests may not edit", Method: "POST", Path: "/api/v1/admin/reference/district", Body: xingang, Status: 401},
		{Name: "entrepreneurs may not edit", Method: "POST", Path: "/api/v1/admin/reference/district", Body: xingang, Token: ent, Status: 403},
		{Name: "hotline staff may not read the whole list", Method: "GET", Path: "/api/v1/admin/reference/district", Token: staff, Status: 403},
		{Name: "unknown list", Method: "GET", Path: "/api/v1/admin/reference/planet", Token: admin, Status: 404},
		{Name: "a code in capitals", Method: "POST", Path: "/api/v1/admin/reference/district", Token: admin,
			Body: map[string]any{"code": "XinGang", "labels": xingang["labels"]}, Status: 422, Contains: []string{`"field":"code"`}},
		{Name: "an existing code", Method: "POST", Path: "/api/v1/admin/reference/district", Token: admin,
			Body: map[string]any{"code": "dongcheng", "labels": map[string]string{"zh-Hant": "東城新區", "zh-Hans": "东城新区", "en": "New Dongcheng"}}, Status: 409},
		{Name: "add", Method: "POST", Path: "/api/v1/admin/reference/district", Body: xingang, Token: admin, Status: 201,
			Contains: []string{`"version":2`, `"code":"xingang"`}},
		{Name: "another area takes it by its label", Method: "POST", Path: "/api/v1/projects", Body: project, Token: ent, Status: 201,
			Contains: []string{`"district":"xingang"`, `"industry":"community_service"`}},
		{Name: "staff record a caller by the English label", Method: "POST", Path: "/api/v1/hotline/contacts", Body: contact(" xingang "), Token: staff, Status: 201},
		{Name: "retire", Method: "PATCH", Path: "/api/v1/admin/reference/district/xingang", Body: map[string]any{"retired": true}, Token: admin, Status: 200,
			Contains: []string{`"code":"xingang","labels":{"en":"Xingang","zh-Hans":"新港区","zh-Hant":"新港區"},"retired":true`}},
		{Name: "no longer offered", Method: "GET", Path: "/api/v1/reference", Status: 200, NotContains: []string{"xingang"}},
		{Name: "no longer taken for a new record", Method: "POST", Path: "/api/v1/hotline/contacts", Body: contact("新港區"), Token: staff, Status: 422,
			Contains: []string{`"field":"district"`, "error.enum"}},
		{Name: "the code stays taken", Method: "POST", Path: "/api/v1/admin/reference/district", Body: xingang, Token: admin, Status: 409},
		{Name: "relabel", Method: "PATCH", Path: "/api/v1/admin/reference/district/hightech", Token: admin, Status: 200,
			Body:     map[string]any{"labels": map[string]string{"zh-Hant": "高新技術開發區", "zh-Hans": "高新技术开发区", "en": "High-tech development zone"}},
			Contains: []string{"高新技術開發區"}},
		{Name: "relabel an unknown code", Method: "PATCH", Path: "/api/v1/admin/reference/district/atlantis", Token: admin, Status: 404,
			Body: map[string]any{"retired": false}},
		{Name: "edits are audited", Method: "GET", Path: "/api/v1/admin/audit?action=reference.retire", Token: admin, Status: 200,
			Contains: []string{`"target":"district:xingang"`, `"result":"success"`}},
		{Name: "an order that leaves one out", Method: "PUT", Path: "/api/v1/admin/reference/industry/order", Token: admin, Status: 422,
			Body: map[string]any{"codes": []string{"technology"}}},
	})
	// A record keeps its retired district through an edit.
	resp, raw := tp.Do("GET", "/api/v1/me/projects", nil, ent)
	if resp.StatusCode != 200 || !strings.Contains(string(raw), `"district":"xingang"`) {
		t.Fatalf("my projects: %d %s", resp.StatusCode, raw)
	}
	id := portaltest.Decode[projectsweb.APILibrary](t, raw).Hits[0].ID
	project["title"], project["district"] = "新港早餐店（改）", "xingang"
	if resp, raw := tp.Do("PUT", "/api/v1/projects/"+id, portaltest.With(project, "submit", nil), ent); resp.StatusCode != 200 {
		t.Errorf("an edit keeping the retired district: %d %s", resp.StatusCode, raw)
	}
}

// TestReferenceAdminPage: the editor lists every list; an administrator
// adds, relabels, retires and moves entries through its forms, and pages
// label codes from the lists in the reader's language.
func TestReferenceAdminPage(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	tp.Account(accounts.Admin, "boss@test.cn")
	tp.Account(accounts.Entrepreneur, "ent@test.cn")
	b := tp.Browser()
	_, doc := b.Get("/login")
	b.Post("/login", url.Values{"login": {"boss@test.cn"}, "password": {portaltest.Password}}, portaltest.CSRF(doc))
	resp, doc := b.Get("/admin/reference")
	if resp.StatusCode != 200 || doc.Find("section.reference-list").Length() != 3 || doc.Find("#district-dongcheng").Length() != 1 {
		t.Fatalf("editor: %d, %d lists", resp.StatusCode, doc.Find("section.reference-list").Length())
	}
	labels := func(hant, hans, en string) url.Values {
		return url.Values{"label.zh-Hant": {hant}, "label.zh-Hans": {hans}, "label.en": {en}}
	}
	add := labels("新港區", "新港区", "Xingang")
	add.Set("code", "Xin Gang")
	resp, doc = b.Post("/admin/reference/district", add, portaltest.CSRF(doc))
	if resp.StatusCode != 422 || doc.Find("#add-district-code[aria-invalid=true]").Length() != 1 || doc.Find("#add-district-zh-Hant").AttrOr("value", "") != "新港區" {
		t.Fatalf("a bad code: %d, form not shown again with the error", resp.StatusCode)
	}
	add.Set("code", "xingang")
	if resp, _ = b.Post("/admin/reference/district", add, portaltest.CSRF(doc)); resp.StatusCode != 303 {
		t.Fatalf("add: %d", resp.StatusCode)
	}
	for _, step := range []struct {
		path string
		form url.Values
	}{
		{"/admin/reference/district/xingang", labels("新港新區", "新港新区", "Xingang new area")},
		{"/admin/reference/district/xingang/move", url.Values{"dir": {"up"}}},
		{"/admin/reference/district/beishan/status", url.Values{"retired": {"true"}}},
	} {
		if resp, _ := b.Post(step.path, step.form, portaltest.CSRF(doc)); resp.StatusCode != 303 {
			t.Fatalf("%s: %d", step.path, resp.StatusCode)
		}
	}
	_, doc = b.Get("/admin/reference")
	entries := doc.Find("#district ol > li")
	if n := entries.Length(); n != 10 {
		t.Fatalf("%d districts listed, want 10", n)
	}
	if id, _ := entries.Eq(8).Attr("id"); id != "district-xingang" {
		t.Errorf("moved entry at place 9 is %q", id)
	}
	if !doc.Find("#district-beishan").HasClass("retired") || doc.Find("#district-xingang-zh-Hant").AttrOr("value", "") != "新港新區" {
		t.Error("retired or relabelled entry not shown so")
	}
	// Retiring the last active sector is refused, with a message.
	for _, c := range tp.App.Bureau().Reference.Codes("sector")[1:] {
		if resp, _ := b.Post("/admin/reference/sector/"+c+"/status", url.Values{"retired": {"true"}}, portaltest.CSRF(doc)); resp.StatusCode != 303 {
			t.Fatalf("retire %s: %d", c, resp.StatusCode)
		}
	}
	last := tp.App.Bureau().Reference.Codes("sector")[0]
	b.Post("/admin/reference/sector/"+last+"/status", url.Values{"retired": {"true"}}, portaltest.CSRF(doc))
	_, doc = b.Get("/admin/reference")
	if doc.Find(".flash").AttrOr("data-flash", "") != "error.reference.last_active" {
		t.Errorf("flash %q", doc.Find(".flash").AttrOr("data-flash", ""))
	}

	// Pages label from the lists: the library's district filter offers the
	// new district in the reader's language and no longer the retired one.
	_, doc = tp.Browser().Get("/projects")
	opts := doc.Find("#district option")
	if !strings.Contains(opts.Text(), "新港新區") || strings.Contains(opts.Text(), "北山縣") {
		t.Errorf("district filter: %s", opts.Text())
	}
	// A non-administrator is refused.
	e := tp.Browser()
	_, doc = e.Get("/login")
	e.Post("/login", url.Values{"login": {"ent@test.cn"}, "password": {portaltest.Password}}, portaltest.CSRF(doc))
	if resp, _ := e.Get("/admin/reference"); resp.StatusCode != 403 {
		t.Errorf("entrepreneur on the editor: %d", resp.StatusCode)
	}
}
