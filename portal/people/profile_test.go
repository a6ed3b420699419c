package people_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"net/url"
	"onestop/portal/portaltest"
	"onestop/services/accounts"

	"github.com/PuerkitoBio/goquery"
)

func TestProfileAPI(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	_, ent, _ := tp.Account(accounts.Entrepreneur, "ent@test.cn")
	_, other, _ := tp.Account(accounts.Entrepreneur, "other@test.cn")
	_, mentor, _ := tp.Account(accounts.Mentor, "mentor@test.cn")
	before := tp.Snapshot()
	bad := []portaltest.Scenario{
		{Name: "bad check digit", Body: portaltest.With(portaltest.GoodProfile(), "id_number", "440301199001011235"), Contains: []string{`"field":"id_number"`, "error.id.checksum"}},
		{Name: "legacy 15 digits", Body: portaltest.With(portaltest.GoodProfile(), "id_number", "440301900101123"), Contains: []string{"error.id.legacy15"}},
		{Name: "impossible birth date in the ID", Body: portaltest.With(portaltest.GoodProfile(), "id_number", "440301199002301234"), Contains: []string{"error.id.birth"}},
		{Name: "birth date disagrees with the ID", Body: portaltest.With(portaltest.GoodProfile(), "birth_date", "1990-01-02"), Contains: []string{`"field":"birth_date"`, "error.id.mismatch"}},
		{Name: "gender disagrees with the ID", Body: portaltest.With(portaltest.GoodProfile(), "gender", "female"), Contains: []string{`"field":"gender"`}},
		{Name: "future birth date", Body: portaltest.With(portaltest.With(portaltest.GoodProfile(), "id_number", nil), "birth_date", "2099-01-01"), Contains: []string{"error.date.birth"}},
		{Name: "impossible date", Body: portaltest.With(portaltest.GoodProfile(), "graduation_date", "2025-02-30"), Contains: []string{"graduation_date"}},
		{Name: "unknown target group", Body: portaltest.With(portaltest.GoodProfile(), "target_groups", []string{"martian"}), Contains: []string{`"field":"target_groups"`}},
		{Name: "negative employees", Body: portaltest.With(portaltest.GoodProfile(), "venture", map[string]any{"employees": -3}), Contains: []string{"venture.employees"}},
		{Name: "more farmer employees than employees", Body: portaltest.With(portaltest.GoodProfile(), "venture", map[string]any{"employees": 2, "land_farmer_employees": 5}), Contains: []string{"error.number.more_than_employees"}},
		{Name: "no consent", Body: portaltest.With(portaltest.GoodProfile(), "consent_version", nil), Contains: []string{`"field":"consent_version"`}},
		{Name: "old notice version", Body: portaltest.With(portaltest.GoodProfile(), "consent_version", "2020-01"), Contains: []string{`"field":"consent_version"`}},
		{Name: "bad phone", Body: portaltest.With(portaltest.GoodProfile(), "phone", "12345"), Contains: []string{`"field":"phone"`}},
		{Name: "unknown district", Body: portaltest.With(portaltest.GoodProfile(), "district", "atlantis"), Contains: []string{`"field":"district"`}},
		{Name: "mass assignment of id", Body: portaltest.With(portaltest.GoodProfile(), "id", "someone-else"), Contains: []string{"error.json.unknown"}},
		{Name: "operator object", Body: portaltest.With(portaltest.GoodProfile(), "real_name", map[string]any{"$ne": nil}), Contains: []string{"error.json.type"}},
	}
	for i := range bad {
		bad[i].Method, bad[i].Path, bad[i].Token, bad[i].Status = "PUT", "/api/v1/me/profile", ent, 422
		bad[i].NotContains = []string{portaltest.CanaryID, portaltest.CanaryPhone}
	}
	tp.Run(t, bad)
	if tp.Snapshot() != before {
		t.Fatal("a refused profile changed stored records")
	}

	tp.Run(t, []portaltest.Scenario{
		{Name: "save", Method: "PUT", Path: "/api/v1/me/profile", Token: ent, Body: portaltest.GoodProfile(), Status: 200,
			Contains:    []string{`"id_number_masked":"4403**********1234"`, `"phone_masked":"139****5670"`, `"birth_date":"1990-01-01"`, `"gender":"male"`, `"version":"2026-11"`},
			NotContains: []string{portaltest.CanaryID, portaltest.CanaryPhone}},
		{Name: "read back masked", Method: "GET", Path: "/api/v1/me/profile", Token: ent, Status: 200,
			Contains: []string{"4403**********1234", "林美華"}, NotContains: []string{portaltest.CanaryID, portaltest.CanaryPhone}},
		{Name: "keep the stored ID when blank", Method: "PUT", Path: "/api/v1/me/profile", Token: ent, Body: portaltest.With(portaltest.With(portaltest.GoodProfile(), "id_number", nil), "phone", nil), Status: 200,
			Contains: []string{"4403**********1234", `"gender":"male"`}},
		// Another person's numbers are accepted as any (a 409 made the save an
		// oracle for people's numbers); staff settle the dispute.
		{Name: "the same ID on another account", Method: "PUT", Path: "/api/v1/me/profile", Token: other, Body: portaltest.With(portaltest.GoodProfile(), "phone", "13912345671"), Status: 200,
			NotContains: []string{"taken", "pending", portaltest.CanaryID}},
		{Name: "the same phone on another account", Method: "PUT", Path: "/api/v1/me/profile", Token: other, Body: portaltest.With(portaltest.GoodProfile(), "id_number", "440301198512150012"), Status: 200,
			NotContains: []string{"taken", "pending", portaltest.CanaryPhone}},
		{Name: "mentors have no profile", Method: "PUT", Path: "/api/v1/me/profile", Token: mentor, Body: portaltest.GoodProfile(), Status: 403},
		{Name: "guests neither", Method: "GET", Path: "/api/v1/me/profile", Status: 401},
		{Name: "my eligibility", Method: "GET", Path: "/api/v1/me/eligibility", Token: ent, Status: 200,
			Contains: []string{`"policy_id":"fee-exemption-3y","name":"個體經營三年免收行政事業性收費","status":"eligible"`}},
	})
	// The other account's disputed numbers are withdrawn by saving its own.
	tp.Run(t, []portaltest.Scenario{{Name: "other saves own numbers", Method: "PUT", Path: "/api/v1/me/profile", Token: other,
		Body: portaltest.With(portaltest.With(portaltest.GoodProfile(), "id_number", "440301198512150012"), "phone", "13912345671"), Status: 200}})
}

func TestStaffPeopleAndReveal(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	entID, ent, _ := tp.Account(accounts.Entrepreneur, "ent@test.cn")
	_, other, _ := tp.Account(accounts.Entrepreneur, "other@test.cn")
	_, hotline, _ := tp.Account(accounts.Hotline, "hotline@test.cn")
	_, admin, _ := tp.Account(accounts.Admin, "admin@test.cn")
	_, mentor, _ := tp.Account(accounts.Mentor, "mentor@test.cn")
	_, manager, _ := tp.Account(accounts.IncubatorManager, "manager@test.cn")
	if resp, body := tp.Do("PUT", "/api/v1/me/profile", portaltest.GoodProfile(), ent); resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, body)
	}
	person := "/api/v1/staff/people/" + entID
	var sc []portaltest.Scenario
	for _, who := range []struct {
		name, token string
		status      int
	}{{"owner", ent, 403}, {"other entrepreneur", other, 403}, {"mentor", mentor, 403}, {"incubator manager", manager, 403}, {"guest", "", 401}} {
		sc = append(sc,
			portaltest.Scenario{Name: who.name + " lists people", Method: "GET", Path: "/api/v1/staff/people", Token: who.token, Status: who.status},
			portaltest.Scenario{Name: who.name + " searches people by ID number", Method: "POST", Path: "/api/v1/staff/people/search", Body: map[string]string{"q": portaltest.CanaryID}, Token: who.token, Status: who.status, NotContains: []string{entID}},
			portaltest.Scenario{Name: who.name + " reads a person", Method: "GET", Path: person, Token: who.token, Status: who.status},
			portaltest.Scenario{Name: who.name + " reveals", Method: "POST", Path: person + "/reveal", Token: who.token, Status: who.status, NotContains: []string{portaltest.CanaryID}},
		)
	}
	for _, who := range []struct{ name, token string }{{"hotline", hotline}, {"admin", admin}} {
		sc = append(sc,
			portaltest.Scenario{Name: who.name + " finds by name", Method: "GET", Path: "/api/v1/staff/people?q=林美華", Token: who.token, Status: 200, Contains: []string{entID, "139****5670"}, NotContains: []string{portaltest.CanaryPhone}},
			portaltest.Scenario{Name: who.name + " finds by ID number", Method: "POST", Path: "/api/v1/staff/people/search", Body: map[string]string{"q": portaltest.CanaryID}, Token: who.token, Status: 200, Contains: []string{entID}, NotContains: []string{portaltest.CanaryID}},
			portaltest.Scenario{Name: who.name + " finds by phone", Method: "POST", Path: "/api/v1/staff/people/search", Body: map[string]string{"q": portaltest.CanaryPhone}, Token: who.token, Status: 200, Contains: []string{entID}},
			portaltest.Scenario{Name: who.name + " cannot put an ID number in a URL", Method: "GET", Path: "/api/v1/staff/people?q=" + portaltest.CanaryID, Token: who.token, Status: 422, NotContains: []string{entID, portaltest.CanaryID}},
			portaltest.Scenario{Name: who.name + " reads masked", Method: "GET", Path: person, Token: who.token, Status: 200, Contains: []string{"4403**********1234"}, NotContains: []string{portaltest.CanaryID}},
			portaltest.Scenario{Name: who.name + " reveals", Method: "POST", Path: person + "/reveal", Token: who.token, Status: 200, Contains: []string{portaltest.CanaryID, portaltest.CanaryPhone}},
			portaltest.Scenario{Name: who.name + " reads an unknown person", Method: "GET", Path: "/api/v1/staff/people/0000000000000000000000000a", Token: who.token, Status: 404},
		)
	}
	tp.Run(t, sc)
	_, body := tp.Do("GET", "/api/v1/admin/audit?action=pii.reveal&size=100", nil, admin)
	if n := strings.Count(string(body), `"action":"pii.reveal"`); n != 2 {
		t.Errorf("%d reveals audited, want 2 (hotline and admin): %s", n, body)
	}
}

// TestSensitiveValuesNeverStoredInClear: after profiles are saved and
// revealed, neither the database files nor the search index hold the ID
// number or the phone in clear.
func TestSensitiveValuesNeverStoredInClear(t *testing.T) {
	t.Parallel()
	// A database of its own, in its data directory: the files scanned are
	// this test's alone, whatever other tests write meanwhile.
	tp := portaltest.New(t, portaltest.OwnStore())
	entID, ent, _ := tp.Account(accounts.Entrepreneur, "ent@test.cn")
	_, hotline, _ := tp.Account(accounts.Hotline, "hotline@test.cn")
	tp.Do("PUT", "/api/v1/me/profile", portaltest.GoodProfile(), ent)
	tp.Do("POST", "/api/v1/staff/people/"+entID+"/reveal", nil, hotline)
	tp.Do("POST", "/api/v1/staff/people/search", map[string]string{"q": portaltest.CanaryID}, hotline)
	if err := tp.App.Bureau().Outbox.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	checked := 0
	portaltest.EachFile(tp.App.Config().DataDir, func(p string, raw []byte) {
		checked++
		for _, canary := range []string{portaltest.CanaryID, portaltest.CanaryPhone} {
			if bytes.Contains(raw, []byte(canary)) {
				t.Errorf("%s holds %s in clear", p, canary)
			}
		}
	})
	if checked < 5 {
		t.Fatalf("only %d files checked", checked)
	}
}

func TestWebProfileForm(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	tp.Account(accounts.Entrepreneur, "ent@test.cn")
	b := tp.Browser()
	_, doc := b.Get("/login")
	b.Post("/login", url.Values{"login": {"ent@test.cn"}, "password": {portaltest.Password}}, portaltest.CSRF(doc))
	_, doc = b.Get("/profile")
	form := url.Values{"real_name": {"何志明"}, "id_number": {"440301199001011235"}, "consent": {"yes"}, "groups_known": {"1"},
		"target_groups": {"retired_soldier"}, "venture.stage": {"idea"}, "venture.form": {"individual"}, "venture.employees": {"-2"}}
	resp, doc := b.Post("/profile", form, portaltest.CSRF(doc))
	if resp.StatusCode != 422 {
		t.Fatalf("bad profile: %d", resp.StatusCode)
	}
	if got := doc.Find("#e-id_number").Text(); got != "身分證號碼校驗碼不正確，請核對。" {
		t.Errorf("id error: %q", got)
	}
	// Everything typed comes back, the sensitive fields too (#23): in this
	// answer only, to the person who typed them; a page read later never
	// has them in clear (below).
	if v, _ := doc.Find(`[name="id_number"]`).Attr("value"); v != "440301199001011235" {
		t.Errorf("the typed ID number was lost: %q", v)
	}
	if _, checked := doc.Find(`[name="consent"]`).Attr("checked"); !checked {
		t.Error("the consent tick was lost")
	}
	if v, _ := doc.Find(`[name="real_name"]`).Attr("value"); v != "何志明" {
		t.Errorf("typed name lost: %q", v)
	}
	form.Set("id_number", "440301199001011234")
	form.Set("venture.employees", "2")
	resp, _ = b.Post("/profile", form, portaltest.CSRF(doc))
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/supports" {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	// Eligible on the person's word: the answer says which check it waits
	// for, and what to bring.
	_, doc = b.Get("/supports")
	if doc.Find("#policy-fee-exemption-3y .badge").Text() != "符合（待核實：退役證明）" ||
		!strings.Contains(doc.Find("#pending-fee-exemption-3y").Text(), "退出現役證或退伍證") {
		t.Errorf("supports: %s", doc.Find("#policy-fee-exemption-3y").Text())
	}
	_, doc = b.Get("/profile")
	if !strings.Contains(doc.Find("#h-id").Text(), "4403**********1234") || strings.Contains(doc.Text(), "440301199001011234") {
		t.Error("the profile page shows the ID number in clear or not at all")
	}
}

// TestGroupsUnknownUnlessNone (#23): a profile saved with no target group
// ticked leaves the groups unknown — the policies that ask for one say
// what is missing, not 不符合 — until the person ticks "none of these".
func TestGroupsUnknownUnlessNone(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	_, token, _ := tp.Account(accounts.Entrepreneur, "ent@test.cn")
	b, _ := tp.SignedIn(t, "ent@test.cn")
	// asking counts the policies that still ask for the target groups.
	asking := func() int {
		t.Helper()
		_, body := tp.Do("GET", "/api/v1/me/eligibility", nil, token)
		var out struct {
			Results []struct {
				Missing []string `json:"missing"`
			} `json:"results"`
		}
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range out.Results {
			if slices.Contains(r.Missing, "target_groups") {
				n++
			}
		}
		return n
	}
	save := func(extra url.Values) {
		t.Helper()
		_, doc := b.Get("/profile")
		form := url.Values{"real_name": {"何志明"}, "id_number": {"440301199001011234"}, "consent": {"yes"},
			"venture.stage": {"idea"}, "venture.form": {"individual"}}
		// What the page's form sends besides what the person fills in.
		doc.Find(`form input[type="hidden"]`).Each(func(_ int, in *goquery.Selection) {
			if name, _ := in.Attr("name"); name != "_csrf" {
				form.Add(name, in.AttrOr("value", ""))
			}
		})
		for k, v := range extra {
			form[k] = v
		}
		if resp, _ := b.Post("/profile", form, portaltest.CSRF(doc)); resp.StatusCode != 303 {
			t.Fatalf("save %v: %d", extra, resp.StatusCode)
		}
	}
	save(nil)
	if n := asking(); n == 0 {
		t.Error("nothing ticked: no policy asks for the target groups (they were taken as none)")
	}
	_, doc := b.Get("/profile")
	if _, checked := doc.Find("#f-groups_none").Attr("checked"); checked {
		t.Error("unknown groups shown as none of these")
	}
	save(url.Values{"groups_none": {"1"}})
	if n := asking(); n != 0 {
		t.Errorf("none of these: %d policies still ask for the target groups", n)
	}
	_, doc = b.Get("/profile")
	if _, checked := doc.Find("#f-groups_none").Attr("checked"); !checked {
		t.Error("none of these not shown again")
	}
	_, doc = b.Get("/profile")
	resp, doc := b.Post("/profile", url.Values{"real_name": {"何志明"}, "consent": {"yes"}, "groups_none": {"1"}, "target_groups": {"retired_soldier"}}, portaltest.CSRF(doc))
	if resp.StatusCode != 422 || !strings.Contains(doc.Find(".field-error").Text(), "以上皆非") {
		t.Errorf("none of these with a group: %d %q", resp.StatusCode, doc.Find(".field-error").Text())
	}
}
