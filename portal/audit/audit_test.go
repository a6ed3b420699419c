package audit_test

import (
	"testing"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
)

func TestMain(m *testing.M) { portaltest.Main(m) }

// TestAuditLog: administrators read the audit log, by page and by API,
// filtered by action and result; nobody else does, and a refused look is
// itself recorded.
func TestAuditLog(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	_, admin, _ := tp.Account(accounts.Admin, "admin@audit.test.cn")
	_, staff, _ := tp.Account(accounts.Hotline, "staff@audit.test.cn")
	tp.Login("admin@audit.test.cn") // a second sign-in: one more event
	tp.Run(t, []portaltest.Scenario{
		{Name: "administrators list events", Method: "GET", Path: "/api/v1/admin/audit", Token: admin, Status: 200,
			Contains: []string{`"action":"authn.login"`, `"total":`}},
		{Name: "filtered by action", Method: "GET", Path: "/api/v1/admin/audit?action=authn.login&result=success", Token: admin, Status: 200,
			Contains: []string{`"action":"authn.login"`}, NotContains: []string{`"action":"authz_fail"`}},
		{Name: "hotline staff may not", Method: "GET", Path: "/api/v1/admin/audit", Token: staff, Status: 403},
		{Name: "guests may not", Method: "GET", Path: "/api/v1/admin/audit", Status: 401},
		{Name: "the refusal is recorded", Method: "GET", Path: "/api/v1/admin/audit?action=authz_fail", Token: admin, Status: 200,
			Contains: []string{`"action":"authz_fail"`, "GET /api/v1/admin/audit"}},
	})
	b, _ := tp.SignedIn(t, "admin@audit.test.cn")
	resp, doc := b.Get("/admin/audit?action=authn.login")
	if resp.StatusCode != 200 || doc.Find("table tbody tr").Length() == 0 {
		t.Fatalf("audit page: %d, %d rows", resp.StatusCode, doc.Find("table tbody tr").Length())
	}
}

// TestAuditPageNamesActions (#20.9): the audit page names each action in
// the reader's language — 「登入」, not authn.login — keeping the code for
// whoever needs it in the cell's title, and the filter offers the actions
// by name.
func TestAuditPageNamesActions(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	tp.Account(accounts.Admin, "admin@audit.test.cn")
	b, _ := tp.SignedIn(t, "admin@audit.test.cn")
	for lang, want := range map[string][2]string{"zh-Hant": {"登入", "變更角色"}, "en": {"Signed in", "Role changed"}} {
		b.Cookies["lang"] = lang
		_, doc := b.Get("/admin/audit?action=authn.login")
		cell := doc.Find("table#audit tbody tr td:nth-child(2)").First()
		if code, _ := cell.Attr("title"); cell.Text() != want[0] || code != "authn.login" {
			t.Errorf("%s: the action reads %q (title %q), want %q", lang, cell.Text(), code, want[0])
		}
		if got := doc.Find(`select#action option[value="user.role_change"]`).Text(); got != want[1] {
			t.Errorf("%s: the filter offers user.role_change as %q, want %q", lang, got, want[1])
		}
		if !doc.Find(`select#action option[value="authn.login"]`).Is("[selected]") {
			t.Errorf("%s: the filter does not keep the chosen action", lang)
		}
	}
}
