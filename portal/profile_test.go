package portal

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"onestop/services/accounts"
	"onestop/services/people"
	"onestop/services/store/storetest"
)

// A valid ID number (check digit computed) and phone used as canaries: they
// must never appear in clear where they should not.
const (
	canaryID    = "440301199001011234"
	canaryPhone = "13912345670"
)

func goodProfile() map[string]any {
	return map[string]any{
		"real_name": "林美華", "id_number": canaryID, "phone": canaryPhone, "district": "dongcheng",
		"education": "bachelor", "consent_version": people.NoticeVersion,
		"target_groups": []string{"college_graduate"}, "graduation_date": "2025-07-01",
		"wants_training": true, "venture": map[string]any{"stage": "preparing", "form": "individual", "industry": "information_service"},
	}
}

func with(m map[string]any, k string, v any) map[string]any {
	out := map[string]any{}
	for kk, vv := range m {
		out[kk] = vv
	}
	if v == nil {
		delete(out, k)
	} else {
		out[k] = v
	}
	return out
}

func TestProfileAPI(t *testing.T) {
	tp := newTestPortal(t)
	_, ent, _ := tp.account(accounts.Entrepreneur, "ent@test.cn")
	_, other, _ := tp.account(accounts.Entrepreneur, "other@test.cn")
	_, mentor, _ := tp.account(accounts.Mentor, "mentor@test.cn")
	before := tp.snapshot()
	bad := []scenario{
		{name: "bad check digit", body: with(goodProfile(), "id_number", "440301199001011235"), contains: []string{`"field":"id_number"`, "error.id.checksum"}},
		{name: "legacy 15 digits", body: with(goodProfile(), "id_number", "440301900101123"), contains: []string{"error.id.legacy15"}},
		{name: "impossible birth date in the ID", body: with(goodProfile(), "id_number", "440301199002301234"), contains: []string{"error.id.birth"}},
		{name: "birth date disagrees with the ID", body: with(goodProfile(), "birth_date", "1990-01-02"), contains: []string{`"field":"birth_date"`, "error.id.mismatch"}},
		{name: "gender disagrees with the ID", body: with(goodProfile(), "gender", "female"), contains: []string{`"field":"gender"`}},
		{name: "future birth date", body: with(with(goodProfile(), "id_number", nil), "birth_date", "2099-01-01"), contains: []string{"error.date.birth"}},
		{name: "impossible date", body: with(goodProfile(), "graduation_date", "2025-02-30"), contains: []string{"graduation_date"}},
		{name: "unknown target group", body: with(goodProfile(), "target_groups", []string{"martian"}), contains: []string{`"field":"target_groups"`}},
		{name: "negative employees", body: with(goodProfile(), "venture", map[string]any{"employees": -3}), contains: []string{"venture.employees"}},
		{name: "more farmer employees than employees", body: with(goodProfile(), "venture", map[string]any{"employees": 2, "land_farmer_employees": 5}), contains: []string{"error.number.more_than_employees"}},
		{name: "no consent", body: with(goodProfile(), "consent_version", nil), contains: []string{`"field":"consent_version"`}},
		{name: "old notice version", body: with(goodProfile(), "consent_version", "2020-01"), contains: []string{`"field":"consent_version"`}},
		{name: "bad phone", body: with(goodProfile(), "phone", "12345"), contains: []string{`"field":"phone"`}},
		{name: "unknown district", body: with(goodProfile(), "district", "atlantis"), contains: []string{`"field":"district"`}},
		{name: "mass assignment of id", body: with(goodProfile(), "id", "someone-else"), contains: []string{"error.json.unknown"}},
		{name: "operator object", body: with(goodProfile(), "real_name", map[string]any{"$ne": nil}), contains: []string{"error.json.type"}},
	}
	for i := range bad {
		bad[i].method, bad[i].path, bad[i].token, bad[i].status = "PUT", "/api/v1/me/profile", ent, 422
		bad[i].notContains = []string{canaryID, canaryPhone}
	}
	tp.run(t, bad)
	if tp.snapshot() != before {
		t.Fatal("a refused profile changed stored records")
	}

	tp.run(t, []scenario{
		{name: "save", method: "PUT", path: "/api/v1/me/profile", token: ent, body: goodProfile(), status: 200,
			contains:    []string{`"id_number_masked":"4403**********1234"`, `"phone_masked":"139****5670"`, `"birth_date":"1990-01-01"`, `"gender":"male"`, `"version":"2026-11"`},
			notContains: []string{canaryID, canaryPhone}},
		{name: "read back masked", method: "GET", path: "/api/v1/me/profile", token: ent, status: 200,
			contains: []string{"4403**********1234", "林美華"}, notContains: []string{canaryID, canaryPhone}},
		{name: "keep the stored ID when blank", method: "PUT", path: "/api/v1/me/profile", token: ent, body: with(with(goodProfile(), "id_number", nil), "phone", nil), status: 200,
			contains: []string{"4403**********1234", `"gender":"male"`}},
		// Another person's numbers are accepted as any (a 409 made the save an
		// oracle for people's numbers); staff settle the dispute.
		{name: "the same ID on another account", method: "PUT", path: "/api/v1/me/profile", token: other, body: with(goodProfile(), "phone", "13912345671"), status: 200,
			notContains: []string{"taken", "pending", canaryID}},
		{name: "the same phone on another account", method: "PUT", path: "/api/v1/me/profile", token: other, body: with(goodProfile(), "id_number", "440301198512150012"), status: 200,
			notContains: []string{"taken", "pending", canaryPhone}},
		{name: "mentors have no profile", method: "PUT", path: "/api/v1/me/profile", token: mentor, body: goodProfile(), status: 403},
		{name: "guests neither", method: "GET", path: "/api/v1/me/profile", status: 401},
		{name: "my eligibility", method: "GET", path: "/api/v1/me/eligibility", token: ent, status: 200,
			contains: []string{`"policy_id":"fee-exemption-3y","name":"個體經營三年免收行政事業性收費","status":"eligible"`}},
	})
	// The other account's disputed numbers are withdrawn by saving its own.
	tp.run(t, []scenario{{name: "other saves own numbers", method: "PUT", path: "/api/v1/me/profile", token: other,
		body: with(with(goodProfile(), "id_number", "440301198512150012"), "phone", "13912345671"), status: 200}})
}

func TestStaffPeopleAndReveal(t *testing.T) {
	tp := newTestPortal(t)
	entID, ent, _ := tp.account(accounts.Entrepreneur, "ent@test.cn")
	_, other, _ := tp.account(accounts.Entrepreneur, "other@test.cn")
	_, hotline, _ := tp.account(accounts.Hotline, "hotline@test.cn")
	_, admin, _ := tp.account(accounts.Admin, "admin@test.cn")
	_, mentor, _ := tp.account(accounts.Mentor, "mentor@test.cn")
	_, manager, _ := tp.account(accounts.IncubatorManager, "manager@test.cn")
	if resp, body := tp.do("PUT", "/api/v1/me/profile", goodProfile(), ent); resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	person := "/api/v1/staff/people/" + entID
	var sc []scenario
	for _, who := range []struct {
		name, token string
		status      int
	}{{"owner", ent, 403}, {"other entrepreneur", other, 403}, {"mentor", mentor, 403}, {"incubator manager", manager, 403}, {"guest", "", 401}} {
		sc = append(sc,
			scenario{name: who.name + " lists people", method: "GET", path: "/api/v1/staff/people", token: who.token, status: who.status},
			scenario{name: who.name + " searches people by ID number", method: "POST", path: "/api/v1/staff/people/search", body: map[string]string{"q": canaryID}, token: who.token, status: who.status, notContains: []string{entID}},
			scenario{name: who.name + " reads a person", method: "GET", path: person, token: who.token, status: who.status},
			scenario{name: who.name + " reveals", method: "POST", path: person + "/reveal", token: who.token, status: who.status, notContains: []string{canaryID}},
		)
	}
	for _, who := range []struct{ name, token string }{{"hotline", hotline}, {"admin", admin}} {
		sc = append(sc,
			scenario{name: who.name + " finds by name", method: "GET", path: "/api/v1/staff/people?q=林美華", token: who.token, status: 200, contains: []string{entID, "139****5670"}, notContains: []string{canaryPhone}},
			scenario{name: who.name + " finds by ID number", method: "POST", path: "/api/v1/staff/people/search", body: map[string]string{"q": canaryID}, token: who.token, status: 200, contains: []string{entID}, notContains: []string{canaryID}},
			scenario{name: who.name + " finds by phone", method: "POST", path: "/api/v1/staff/people/search", body: map[string]string{"q": canaryPhone}, token: who.token, status: 200, contains: []string{entID}},
			scenario{name: who.name + " cannot put an ID number in a URL", method: "GET", path: "/api/v1/staff/people?q=" + canaryID, token: who.token, status: 422, notContains: []string{entID, canaryID}},
			scenario{name: who.name + " reads masked", method: "GET", path: person, token: who.token, status: 200, contains: []string{"4403**********1234"}, notContains: []string{canaryID}},
			scenario{name: who.name + " reveals", method: "POST", path: person + "/reveal", token: who.token, status: 200, contains: []string{canaryID, canaryPhone}},
			scenario{name: who.name + " reads an unknown person", method: "GET", path: "/api/v1/staff/people/0000000000000000000000000a", token: who.token, status: 404},
		)
	}
	tp.run(t, sc)
	_, body := tp.do("GET", "/api/v1/admin/audit?action=pii.reveal&size=100", nil, admin)
	if n := strings.Count(string(body), `"action":"pii.reveal"`); n != 2 {
		t.Errorf("%d reveals audited, want 2 (hotline and admin): %s", n, body)
	}
}

// TestSensitiveValuesNeverStoredInClear: after profiles are saved and
// revealed, neither the database files nor the search index hold the ID
// number or the phone in clear.
func TestSensitiveValuesNeverStoredInClear(t *testing.T) {
	tp := newTestPortal(t)
	entID, ent, _ := tp.account(accounts.Entrepreneur, "ent@test.cn")
	_, hotline, _ := tp.account(accounts.Hotline, "hotline@test.cn")
	tp.do("PUT", "/api/v1/me/profile", goodProfile(), ent)
	tp.do("POST", "/api/v1/staff/people/"+entID+"/reveal", nil, hotline)
	tp.do("POST", "/api/v1/staff/people/search", map[string]string{"q": canaryID}, hotline)
	if err := tp.app.outbox.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	dirs := []string{tp.app.cfg.DataDir, storetest.Dir()}
	checked := 0
	for _, dir := range dirs {
		eachFile(dir, func(p string, raw []byte) {
			checked++
			for _, canary := range []string{canaryID, canaryPhone} {
				if bytes.Contains(raw, []byte(canary)) {
					t.Errorf("%s holds %s in clear", p, canary)
				}
			}
		})
	}
	if checked < 5 {
		t.Fatalf("only %d files checked", checked)
	}
}
