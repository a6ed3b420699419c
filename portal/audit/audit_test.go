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
