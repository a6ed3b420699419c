package portal

import (
	"net/url"
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
	tp := newTestPortal(t)
	_, admin, _ := tp.account(accounts.Admin, "admin@test.cn")
	_, ent, _ := tp.account(accounts.Entrepreneur, "ent@test.cn")
	_, staff, _ := tp.account(accounts.Hotline, "staff@test.cn")
	xingang := map[string]any{"code": "xingang", "labels": map[string]string{"zh-Hant": "新港區", "zh-Hans": "新港区", "en": "Xingang"}}
	project := map[string]any{"title": "新港早餐店", "summary": "社區早餐", "industry": "社区服务型", "district": "新港区",
		"investment_yuan": 30000, "risk": "low", "expected_jobs": 2, "source": "individual", "submit": false}
	contact := func(district string) map[string]any { return map[string]any{"name": "王來電", "district": district} }
	tp.run(t, []scenario{
		{name: "anyone reads the lists", method: "GET", path: "/api/v1/reference", status: 200,
			contains: []string{`"kind":"district"`, `"code":"dongcheng"`, `"zh-Hans":"东城区"`, `"kind":"industry"`, `"kind":"sector"`}},
		{name: "guests may not edit", method: "POST", path: "/api/v1/admin/reference/district", body: xingang, status: 401},
		{name: "entrepreneurs may not edit", method: "POST", path: "/api/v1/admin/reference/district", body: xingang, token: ent, status: 403},
		{name: "hotline staff may not read the whole list", method: "GET", path: "/api/v1/admin/reference/district", token: staff, status: 403},
		{name: "unknown list", method: "GET", path: "/api/v1/admin/reference/planet", token: admin, status: 404},
		{name: "a code in capitals", method: "POST", path: "/api/v1/admin/reference/district", token: admin,
			body: map[string]any{"code": "XinGang", "labels": xingang["labels"]}, status: 422, contains: []string{`"field":"code"`}},
		{name: "an existing code", method: "POST", path: "/api/v1/admin/reference/district", token: admin,
			body: map[string]any{"code": "dongcheng", "labels": map[string]string{"zh-Hant": "東城新區", "zh-Hans": "东城新区", "en": "New Dongcheng"}}, status: 409},
		{name: "add", method: "POST", path: "/api/v1/admin/reference/district", body: xingang, token: admin, status: 201,
			contains: []string{`"version":2`, `"code":"xingang"`}},
		{name: "another area takes it by its label", method: "POST", path: "/api/v1/projects", body: project, token: ent, status: 201,
			contains: []string{`"district":"xingang"`, `"industry":"community_service"`}},
		{name: "staff record a caller by the English label", method: "POST", path: "/api/v1/hotline/contacts", body: contact(" xingang "), token: staff, status: 201},
		{name: "retire", method: "PATCH", path: "/api/v1/admin/reference/district/xingang", body: map[string]any{"retired": true}, token: admin, status: 200,
			contains: []string{`"code":"xingang","labels":{"en":"Xingang","zh-Hans":"新港区","zh-Hant":"新港區"},"retired":true`}},
		{name: "no longer offered", method: "GET", path: "/api/v1/reference", status: 200, notContains: []string{"xingang"}},
		{name: "no longer taken for a new record", method: "POST", path: "/api/v1/hotline/contacts", body: contact("新港區"), token: staff, status: 422,
			contains: []string{`"field":"district"`, "error.enum"}},
		{name: "the code stays taken", method: "POST", path: "/api/v1/admin/reference/district", body: xingang, token: admin, status: 409},
		{name: "relabel", method: "PATCH", path: "/api/v1/admin/reference/district/hightech", token: admin, status: 200,
			body:     map[string]any{"labels": map[string]string{"zh-Hant": "高新技術開發區", "zh-Hans": "高新技术开发区", "en": "High-tech development zone"}},
			contains: []string{"高新技術開發區"}},
		{name: "relabel an unknown code", method: "PATCH", path: "/api/v1/admin/reference/district/atlantis", token: admin, status: 404,
			body: map[string]any{"retired": false}},
		{name: "edits are audited", method: "GET", path: "/api/v1/admin/audit?action=reference.retire", token: admin, status: 200,
			contains: []string{`"target":"district:xingang"`, `"result":"success"`}},
		{name: "an order that leaves one out", method: "PUT", path: "/api/v1/admin/reference/industry/order", token: admin, status: 422,
			body: map[string]any{"codes": []string{"technology"}}},
	})
	// A record keeps its retired district through an edit.
	resp, raw := tp.do("GET", "/api/v1/me/projects", nil, ent)
	if resp.StatusCode != 200 || !strings.Contains(string(raw), `"district":"xingang"`) {
		t.Fatalf("my projects: %d %s", resp.StatusCode, raw)
	}
	id := decode[projectsweb.APILibrary](t, raw).Hits[0].ID
	project["title"], project["district"] = "新港早餐店（改）", "xingang"
	if resp, raw := tp.do("PUT", "/api/v1/projects/"+id, with(project, "submit", nil), ent); resp.StatusCode != 200 {
		t.Errorf("an edit keeping the retired district: %d %s", resp.StatusCode, raw)
	}
}

// TestReferenceAdminPage: the editor lists every list; an administrator
// adds, relabels, retires and moves entries through its forms, and pages
// label codes from the lists in the reader's language.
func TestReferenceAdminPage(t *testing.T) {
	tp := newTestPortal(t)
	tp.account(accounts.Admin, "boss@test.cn")
	tp.account(accounts.Entrepreneur, "ent@test.cn")
	b := tp.browser()
	_, doc := b.get("/login")
	b.post("/login", url.Values{"login": {"boss@test.cn"}, "password": {testPassword}}, csrfOf(doc))
	resp, doc := b.get("/admin/reference")
	if resp.StatusCode != 200 || doc.Find("section.reference-list").Length() != 3 || doc.Find("#district-dongcheng").Length() != 1 {
		t.Fatalf("editor: %d, %d lists", resp.StatusCode, doc.Find("section.reference-list").Length())
	}
	labels := func(hant, hans, en string) url.Values {
		return url.Values{"label.zh-Hant": {hant}, "label.zh-Hans": {hans}, "label.en": {en}}
	}
	add := labels("新港區", "新港区", "Xingang")
	add.Set("code", "Xin Gang")
	resp, doc = b.post("/admin/reference/district", add, csrfOf(doc))
	if resp.StatusCode != 422 || doc.Find("#add-district-code[aria-invalid=true]").Length() != 1 || doc.Find("#add-district-zh-Hant").AttrOr("value", "") != "新港區" {
		t.Fatalf("a bad code: %d, form not shown again with the error", resp.StatusCode)
	}
	add.Set("code", "xingang")
	if resp, _ = b.post("/admin/reference/district", add, csrfOf(doc)); resp.StatusCode != 303 {
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
		if resp, _ := b.post(step.path, step.form, csrfOf(doc)); resp.StatusCode != 303 {
			t.Fatalf("%s: %d", step.path, resp.StatusCode)
		}
	}
	_, doc = b.get("/admin/reference")
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
	for _, c := range tp.app.bureau.Reference.Codes("sector")[1:] {
		if resp, _ := b.post("/admin/reference/sector/"+c+"/status", url.Values{"retired": {"true"}}, csrfOf(doc)); resp.StatusCode != 303 {
			t.Fatalf("retire %s: %d", c, resp.StatusCode)
		}
	}
	last := tp.app.bureau.Reference.Codes("sector")[0]
	b.post("/admin/reference/sector/"+last+"/status", url.Values{"retired": {"true"}}, csrfOf(doc))
	_, doc = b.get("/admin/reference")
	if doc.Find(".flash").AttrOr("data-flash", "") != "error.reference.last_active" {
		t.Errorf("flash %q", doc.Find(".flash").AttrOr("data-flash", ""))
	}

	// Pages label from the lists: the library's district filter offers the
	// new district in the reader's language and no longer the retired one.
	_, doc = tp.browser().get("/projects")
	opts := doc.Find("#district option")
	if !strings.Contains(opts.Text(), "新港新區") || strings.Contains(opts.Text(), "北山縣") {
		t.Errorf("district filter: %s", opts.Text())
	}
	// A non-administrator is refused.
	e := tp.browser()
	_, doc = e.get("/login")
	e.post("/login", url.Values{"login": {"ent@test.cn"}, "password": {testPassword}}, csrfOf(doc))
	if resp, _ := e.get("/admin/reference"); resp.StatusCode != 403 {
		t.Errorf("entrepreneur on the editor: %d", resp.StatusCode)
	}
}
