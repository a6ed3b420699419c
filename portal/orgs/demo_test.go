package orgs_test

import (
	"testing"

	"onestop/portal/portaltest"
	"onestop/services/demo"
)

// TestDemoOrganisations: the demo has an organisation of each kind the
// hiring rewards name — a verified employer with a colleague, a labour
// agency waiting for staff, a verified farmers' entity — and their users
// sign in with the demo's password to their page.
func TestDemoOrganisations(t *testing.T) {
	t.Parallel()
	tp := portaltest.DemoWorld(t)
	login := func(email string) string {
		t.Helper()
		resp, raw := tp.Do("POST", "/api/v1/auth/login", map[string]string{"login": email, "password": demo.Password}, "")
		if resp.StatusCode != 200 {
			t.Fatalf("sign in %s: %d %s", email, resp.StatusCode, raw)
		}
		return portaltest.Str(portaltest.Decode[map[string]any](t, raw), "access_token")
	}
	want := []struct {
		login, kind, status, part string
		users                     int
	}{
		{"hr@demo.onestop.cn", "employer", "verified", "manager", 2},
		{"hr2@demo.onestop.cn", "employer", "verified", "member", 2},
		{"agency@demo.onestop.cn", "labour_agency", "pending", "manager", 1},
		{"coop@demo.onestop.cn", "farmer_entity", "verified", "manager", 1},
	}
	for _, w := range want {
		o := portaltest.Decode[map[string]any](t, tp.MustDo(t, "GET", "/api/v1/orgs/mine", nil, login(w.login)))
		users, _ := o["users"].([]any)
		if o["kind"] != w.kind || o["status"] != w.status || o["your_part"] != w.part || len(users) != w.users {
			t.Errorf("%s: %v %v %v, %d users", w.login, o["kind"], o["status"], o["your_part"], len(users))
		}
	}
	admin := login("admin@demo.onestop.cn")
	list := portaltest.Decode[map[string]any](t, tp.MustDo(t, "GET", "/api/v1/staff/orgs?status=pending", nil, admin))
	if list["total"] != float64(1) {
		t.Errorf("pending organisations in the demo: %v", list["total"])
	}
}
