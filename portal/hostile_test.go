package portal_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/url"
	hotlineweb "onestop/portal/hotline"
	loansweb "onestop/portal/loans"
	"onestop/portal/web"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
	"onestop/services/orgs"
	"onestop/services/training"
)

// hostileStrings are values that must never get past validation into a
// stored record as a login, a name or a role.
var hostileStrings = []string{
	"", " ", strings.Repeat("長", 5000), "\x00", "a\x00b", "\u200b", "\u202eevil", "\r\nSet-Cookie: x=1",
	"../../etc/passwd", "{{.}}", "{{template \"x\"}}", "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>",
	"javascript:alert(1)", `") OR true OR ("`, "' OR '1'='1", "$where", "a.b", "$ne", "110105491231002",
	"11010519491231002Y", "-1", "1e309", "9999-99-99", "NaN",
	// Invisible and direction-changing characters, and other encodings.
	"\u200d\u200c\ufeff", "\u2066x\u2069", "\u202dx", "a\u0301\u0301\u0301\u0301", "\U0001F469\u200d\U0001F469\u200d\U0001F467", "\ufffd",
	"%00", "%2e%2e%2f%2e%2e%2f", "..\\..\\windows\\win.ini", "/etc/shadow", "file:///etc/passwd", "\\\\host\\share",
	// Header and log breaking.
	"x\ry", "x\nlevel=ERROR msg=forged", "\u2028\u2029",
	// Template and markup syntax.
	"${7*7}", "#{7*7}", "<%= 7*7 %>", "{{7*7}}", "<svg onload=alert(1)>", "<iframe src=javascript:alert(1)>", "<a href=\"javascript:alert(1)\">x</a>",
	"jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk=alert() )//", "data:text/html,<script>alert(1)</script>",
	// Query and search-filter breakouts (Mongo, Bleve, Meilisearch).
	`{"$gt":""}`, `status = "open" OR 1 = 1`, `+status:open -x`, `*`, `\"`, `" OR id EXISTS`, `a AND b OR c`, `_id:*`,
	// Identity numbers with a wrong check digit, and absurd numbers and dates.
	"110105199001011235", "440301199903150031", "11010519900101123", "99999999999999999999", "-9223372036854775809",
	"0x1p-2", "Infinity", "0000-00-00", "2026-02-30", "1900-01-01T00:00:00Z", "+275760-09-13",
}

// hostileValues are JSON values of the wrong shape.
var hostileValues = []string{
	`{"$ne":null}`, `{"$gt":""}`, `{"$where":"1"}`, `{"$regex":".*"}`, `["a","b"]`, `123`, `true`, `null`,
	`{"a":{"b":{"c":{"d":{"e":{}}}}}}`, `1e400`, `-0`, `[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]`,
	`{"$set":{"role":"admin"}}`, `{"x":{"$ne":1}}`, `[{"$gt":""}]`, "\"\xff\xfe\"", "\"\xc3\x28\"", "\"\xed\xa0\x80\"",
	`1.7976931348623157e309`, `-1e-400`, `9007199254740993`, `{}`, `[]`, `""`,
	strings.Repeat("[", 200) + strings.Repeat("]", 200), `"` + strings.Repeat("A", 70000) + `"`,
}

func TestHostileInput(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	_, admin, _ := tp.Account(accounts.Admin, "admin@test.cn")
	entID, ent, _ := tp.Account(accounts.Entrepreneur, "ent@test.cn")
	_, officer, _ := tp.Account(accounts.CaseOfficer, "officer@test.cn")
	// A stored request, so the snapshot covers one; a person with a profile
	// for the case officer's checks to aim at (the entrepreneur has none:
	// without consent, a save of any one field is refused).
	tp.Do("POST", "/api/v1/services", map[string]string{"type": "financing", "details": "需要資金"}, ent)
	personID, person, _ := tp.Account(accounts.Entrepreneur, "person@test.cn")
	tp.MustDo(t, "PUT", "/api/v1/me/profile", portaltest.GoodProfile(), person)
	before := tp.Snapshot()

	type target struct {
		method, path, token string
		fields              []string
		readOnly            bool // a computation that stores nothing: some payloads are fine
		optionalBody        bool // an empty body is a valid request
	}
	targets := []target{
		{"POST", "/api/v1/auth/register", "", []string{"email", "phone", "password", "name"}, false, false},
		{"POST", "/api/v1/auth/register/confirm", "", []string{"registration_id", "code"}, false, false},
		{"POST", "/api/v1/auth/login", "", []string{"login", "password"}, false, false},
		{"POST", "/api/v1/auth/refresh", "", []string{"refresh_token"}, false, false},
		{"POST", "/api/v1/auth/password/forgot", "", []string{"login"}, false, false},
		{"POST", "/api/v1/auth/password/reset", "", []string{"reset_id", "code", "new_password"}, false, false},
		{"POST", "/api/v1/me/password", ent, []string{"current_password", "new_password"}, false, false},
		{"POST", "/api/v1/admin/users", admin, []string{"email", "phone", "password", "name", "role"}, false, false},
		{"PATCH", "/api/v1/admin/users/" + entID, admin, []string{"role", "disabled"}, false, false},
		{"PUT", "/api/v1/me/profile", ent, []string{"real_name", "id_number", "phone", "birth_date", "gender", "target_groups", "graduation_date", "farmland_per_capita_mu", "relocated_by_law", "training_refusals", "venture", "consent_version"}, false, false},
		{"POST", "/api/v1/eligibility/check", "", []string{"as_of", "profile"}, true, false},
		{"POST", "/api/v1/staff/people/" + personID + "/facts/verify", officer, []string{"fact", "value", "note", "document_id"}, false, false},
		{"POST", "/api/v1/staff/people/" + personID + "/recommendations", officer, []string{"kind", "course_id", "what", "on", "answer", "note"}, false, false},
		{"POST", "/api/v1/services", ent, []string{"type", "details"}, false, false},
		{"PUT", "/api/v1/admin/policies/guaranteed-loan", admin, []string{"id", "version", "name", "conditions", "benefit", "applicant"}, false, false},
		{"POST", "/api/v1/me/export", ent, []string{"password"}, false, false},
		{"POST", "/api/v1/me/delete", ent, []string{"password"}, false, false},
	}
	var bodies []string
	raw := []string{
		"", "{", "[]", "null", `"x"`, "{}{}", `{"a":1} trailing`, "\xff\xfe{}", `{"email":"\ud800"}`,
		`{"__proto__":{"role":"admin"}}`, `{"role":"admin","_id":"x","$set":{"role":"admin"}}`,
		strings.Repeat("[", 10000) + strings.Repeat("]", 10000),
		`{"email":"` + strings.Repeat("a", 900<<10) + `@x.cn"}`, // just under the body limit
	}
	// (A body over the limit is refused by the server before any handler:
	// TestServeAndShutdown checks the 413 over a real connection.)
	count := 0
	for _, tg := range targets {
		bodies = bodies[:0]
		bodies = append(bodies, raw...)
		for _, f := range tg.fields {
			for _, s := range hostileStrings {
				b, _ := bson.MarshalExtJSON(bson.D{{Key: f, Value: s}}, false, false)
				bodies = append(bodies, string(b))
			}
			for _, v := range hostileValues {
				if f == "disabled" && v == "true" {
					continue // a valid value there
				}
				bodies = append(bodies, `{"`+f+`":`+v+`}`)
			}
		}
		for _, body := range bodies {
			if body == "" && tg.optionalBody {
				continue
			}
			resp, out := tp.Do(tg.method, tg.path, body, tg.token)
			count++
			if resp.StatusCode >= 500 {
				t.Errorf("%s %s %.80q: %d %s", tg.method, tg.path, body, resp.StatusCode, out)
			}
			if resp.StatusCode < 400 && !tg.readOnly {
				t.Errorf("%s %s %.80q accepted: %d %s", tg.method, tg.path, body, resp.StatusCode, out)
			}
		}
		// Wrong media type.
		if resp, _ := tp.Do(tg.method, tg.path, nil, tg.token, "Content-Type", "text/plain"); resp.StatusCode >= 500 || resp.StatusCode < 400 {
			t.Errorf("%s %s without JSON: %d", tg.method, tg.path, resp.StatusCode)
		}
	}
	// Search parameters are values, never queries.
	for _, s := range hostileStrings {
		if len(s) > 4000 {
			continue // an over-long URL is refused by the server before routing
		}
		for _, p := range []string{"q", "role", "status", "page", "size", "action", "result"} {
			resp, out := tp.Do("GET", "/api/v1/admin/users?"+p+"="+url.QueryEscape(s), nil, admin)
			count++
			if resp.StatusCode != 200 {
				t.Errorf("list with %s=%.40q: %d %s", p, s, resp.StatusCode, out)
			}
			for _, list := range []string{"/api/v1/admin/audit", "/api/v1/staff/people", "/api/v1/staff/services"} {
				want := 200
				if list == "/api/v1/staff/people" && p == "q" && web.SensitiveQuery(s, tp.Now()) {
					want = 422 // a number goes by POST (lookup.go)
				}
				resp, _ = tp.Do("GET", list+"?"+p+"="+url.QueryEscape(s), nil, admin)
				if resp.StatusCode != want {
					t.Errorf("%s with %s=%.40q: %d, want %d", list, p, s, resp.StatusCode, want)
				}
			}
		}
	}
	// The library refuses or clamps, never fails.
	for _, s := range hostileStrings {
		if len(s) > 4000 {
			continue
		}
		for _, p := range []string{"q", "industry", "district", "risk", "target_group", "min_investment", "max_investment", "sort", "page", "per_page"} {
			resp, out := tp.Do("GET", "/api/v1/projects?"+p+"="+url.QueryEscape(s), nil, "")
			count++
			if resp.StatusCode != 200 && resp.StatusCode != 400 {
				t.Errorf("library with %s=%.40q: %d %s", p, s, resp.StatusCode, out)
			}
		}
	}
	// Web forms too.
	b := tp.Browser()
	_, doc := b.Get("/register")
	for _, s := range hostileStrings {
		resp, _ := b.Post("/register", url.Values{"name": {s}, "login": {s}, "password": {s}, "password2": {s}}, portaltest.CSRF(doc))
		count++
		if resp.StatusCode >= 500 || resp.StatusCode < 400 {
			t.Errorf("register form with %.40q: %d", s, resp.StatusCode)
		}
		resp, _ = b.Post("/register/confirm", url.Values{"code": {s}}, portaltest.CSRF(doc))
		count++
		if resp.StatusCode >= 500 || resp.StatusCode < 400 {
			t.Errorf("confirm form with %.40q: %d", s, resp.StatusCode)
		}
		resp, _ = b.Post("/password/forgot", url.Values{"login": {s}}, portaltest.CSRF(doc))
		count++
		if resp.StatusCode >= 500 || resp.StatusCode < 400 {
			t.Errorf("forgot form with %.40q: %d", s, resp.StatusCode)
		}
		resp, _ = b.Post("/password/reset", url.Values{"code": {s}, "password": {s}, "password2": {s}}, portaltest.CSRF(doc))
		count++
		if resp.StatusCode >= 500 || resp.StatusCode < 400 {
			t.Errorf("reset form with %.40q: %d", s, resp.StatusCode)
		}
	}
	if after := tp.Snapshot(); after != before {
		t.Error("rejected requests changed stored records")
	}
	if count < 300 {
		t.Fatalf("only %d hostile requests sent", count)
	}
	t.Logf("%d hostile requests, no 5xx, nothing stored", count)
}

// hostileTarget is a write endpoint and the fields to poison; base holds
// other, valid fields of the body (`"name":"x",`).
type hostileTarget struct {
	method, path string
	fields       []string
	base         string
}

// sweepHostile sends the corpus to each target and checks that none is
// accepted or fails, and that colls are unchanged; it returns the count.
func sweepHostile(t *testing.T, tp *portaltest.Portal, token string, targets []hostileTarget, colls []string) int {
	t.Helper()
	snapshot := func() string {
		h := sha256.New()
		for _, c := range colls {
			cur, err := tp.App.Store().C(c).Find(context.Background(), bson.D{})
			if err != nil {
				t.Fatal(err)
			}
			var docs []bson.Raw
			if err := cur.All(context.Background(), &docs); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(h, "%s:%d;", c, len(docs))
			for _, d := range docs {
				h.Write(d)
			}
		}
		return fmt.Sprintf("%x", h.Sum(nil))
	}
	before := snapshot()
	count := 0
	for _, tg := range targets {
		var bodies []string
		for _, f := range tg.fields {
			for _, s := range hostileStrings {
				if tg.base != "" && strings.TrimSpace(s) == "" {
					continue // an optional field left blank
				}
				b, _ := bson.MarshalExtJSON(bson.D{{Key: f, Value: s}}, false, false)
				bodies = append(bodies, "{"+tg.base+string(b[1:]))
			}
			for _, v := range hostileValues {
				if tg.base != "" && (v == "null" || v == `""`) {
					continue // an optional field left out or blank
				}
				bodies = append(bodies, `{`+tg.base+`"`+f+`":`+v+`}`)
			}
		}
		bodies = append(bodies, "{", "[]", `{"status":"closed","_id":"x","$set":{"status":"closed"}}`)
		for _, body := range bodies {
			resp, out := tp.Do(tg.method, tg.path, body, token)
			count++
			if resp.StatusCode >= 500 || resp.StatusCode < 400 {
				t.Errorf("%s %s %.80q: %d %s", tg.method, tg.path, body, resp.StatusCode, out)
			}
		}
	}
	if snapshot() != before {
		t.Error("rejected requests changed stored records")
	}
	return count
}

// TestHostileHotline sends the corpus to every hotline write and list: no
// 5xx, nothing accepted, no record changed.
func TestHostileHotline(t *testing.T) {
	t.Parallel()
	w := portaltest.NewHotlineWorld(t)
	tp := w.Portal
	contact := portaltest.Decode[hotlineweb.APIContact](t, w.Post(t, "/api/v1/hotline/contacts", map[string]any{"name": "陳先生", "phone": "13912345678"}, w.Staff))
	cs := portaltest.Decode[hotlineweb.APICase](t, w.Post(t, "/api/v1/cases", map[string]any{"contact_id": contact.ID, "reasons": []string{"market"}, "loan_status": "none"}, w.Staff))
	cp := portaltest.Decode[hotlineweb.APIComplaint](t, w.Post(t, "/api/v1/complaints", map[string]any{"contact_id": contact.ID, "kind": "service", "subject": "等太久", "against": "portal", "details": "網頁打不開。"}, w.Staff))
	call := portaltest.Decode[hotlineweb.APICall](t, w.Post(t, "/api/v1/hotline/calls", map[string]any{"contact_id": contact.ID, "type": "policy", "topic": "loan", "notes": "問貸款", "outcome": "resolved", "duration_minutes": 2}, w.Staff))
	count := sweepHostile(t, tp, w.Staff, []hostileTarget{
		// A name alone makes a contact; any printable text is a name.
		{"POST", "/api/v1/hotline/contacts", []string{"phone", "id_number", "district"}, `"name":"張三",`},
		{"POST", "/api/v1/hotline/calls", []string{"contact_id", "type", "topic", "notes", "outcome", "duration_minutes"}, ""},
		{"POST", "/api/v1/hotline/calls/" + call.ID + "/convert", []string{"to", "topic", "type"}, ""},
		{"POST", "/api/v1/complaints", []string{"contact_id", "kind", "subject", "against", "details"}, ""},
		{"POST", "/api/v1/complaints/" + cp.ID + "/steps", []string{"action", "text", "assignee_id"}, ""},
		{"POST", "/api/v1/cases", []string{"contact_id", "reasons", "debts_yuan", "loan_status"}, ""},
		{"PUT", "/api/v1/cases/" + cs.ID, []string{"reasons", "plan", "debts_yuan"}, ""},
		{"POST", "/api/v1/cases/" + cs.ID + "/contacts", []string{"on", "channel", "note", "checkin_id"}, ""},
		{"PUT", "/api/v1/cases/" + cs.ID + "/schedule", []string{"days"}, ""},
		{"POST", "/api/v1/cases/" + cs.ID + "/mentor", []string{"mentor_id"}, ""},
		{"POST", "/api/v1/cases/" + cs.ID + "/help", []string{"kind", "text"}, ""},
		{"POST", "/api/v1/cases/" + cs.ID + "/close", []string{"outcome", "on"}, ""},
		{"POST", "/api/v1/ventures/" + w.E1ID + "/checkins", []string{"month", "on", "operating", "employees"}, ""},
	}, []string{"contacts", "calls", "complaints", "cases", "ventures", "consultations", "service_requests", "keys"})
	for _, s := range hostileStrings {
		if len(s) > 4000 {
			continue
		}
		for _, list := range []string{"/api/v1/hotline/find?q=", "/api/v1/cases?queue=", "/api/v1/cases?staff_id=", "/api/v1/complaints?queue=",
			"/api/v1/complaints?q=", "/api/v1/hotline/calls?topic=", "/api/v1/hotline/calls?week="} {
			resp, out := tp.Do("GET", list+url.QueryEscape(s), nil, w.Staff)
			count++
			if resp.StatusCode >= 500 || (resp.StatusCode != 200 && resp.StatusCode != 422) {
				t.Errorf("%s%.40q: %d %s", list, s, resp.StatusCode, out)
			}
		}
		for _, search := range []string{"/api/v1/hotline/find", "/api/v1/staff/people/search"} {
			resp, out := tp.Do("POST", search, map[string]string{"q": s}, w.Staff)
			count++
			if resp.StatusCode >= 500 || (resp.StatusCode != 200 && resp.StatusCode != 422) {
				t.Errorf("POST %s %.40q: %d %s", search, s, resp.StatusCode, out)
			}
		}
	}
	t.Logf("%d hostile hotline requests, no 5xx, nothing stored", count)
}

// TestHostileTraining: the corpus against the training writes and the
// catalogue.
func TestHostileTraining(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	_, admin, _ := tp.Account(accounts.Admin, "admin@test.cn")
	schoolID, school, _ := tp.Account(accounts.Provider, "school@test.cn")
	tp.Do("POST", "/api/v1/admin/providers/"+schoolID, map[string]any{"listed": true}, admin)
	resp, body := tp.Do("POST", "/api/v1/courses", map[string]any{"title": "SYB 創業培訓", "kind": "planning", "place": "東城區", "seats": 10,
		"sessions": []map[string]any{{"starts_at": tp.Now().Add(time.Hour).UTC().Format(time.RFC3339), "hours": 3}}}, school)
	if resp.StatusCode != 201 {
		t.Fatalf("course: %d %s", resp.StatusCode, body)
	}
	id := portaltest.Decode[training.Course](t, body).ID
	count := sweepHostile(t, tp, school, []hostileTarget{
		{"POST", "/api/v1/courses", []string{"title", "kind", "sessions", "seats", "fee_yuan", "subsidy_yuan", "min_attendance", "target_groups", "certificate"}, ""},
		{"POST", "/api/v1/courses/" + id + "/attendance", []string{"session_id", "present"}, ""},
	}, []string{"courses", "enrolments", "claims", "keys"})
	for _, s := range hostileStrings {
		if len(s) > 4000 {
			continue
		}
		for _, p := range []string{"q", "kind", "district", "target_group", "page", "size"} {
			resp, out := tp.Do("GET", "/api/v1/courses?"+p+"="+url.QueryEscape(s), nil, "")
			count++
			if resp.StatusCode != 200 && resp.StatusCode != 422 {
				t.Errorf("catalogue with %s=%.40q: %d %s", p, s, resp.StatusCode, out)
			}
		}
	}
	t.Logf("%d hostile training requests", count)
}

// TestHostileLoans: the corpus against the loan writes.
func TestHostileLoans(t *testing.T) {
	t.Parallel()
	w := portaltest.NewLoanWorld(t)
	resp, body := w.Portal.Do("POST", "/api/v1/loans", map[string]any{"policy_id": "guaranteed-loan", "amount_yuan": 20000, "term_months": 24, "purpose": "購買豆腐設備",
		"guarantee": "guarantee_fund", "plan": "在村口開豆腐坊，日產 200 斤，供應三家超市。", "documents": []string{"id_card", "business_plan"}, "bank_id": w.BankID}, w.Farmer)
	if resp.StatusCode != 201 {
		t.Fatalf("apply: %d %s", resp.StatusCode, body)
	}
	id := portaltest.Decode[loansweb.APILoan](t, body).ID
	n := sweepHostile(t, w.Portal, w.Farmer, []hostileTarget{
		{"POST", "/api/v1/loans", []string{"policy_id", "amount_yuan", "term_months", "purpose", "plan", "guarantee", "documents", "bank_id"}, ""},
		{"POST", "/api/v1/loans/" + id + "/steps", []string{"action", "note", "granted_yuan", "on", "principal_fen"}, ""},
	}, []string{"loans", "banks", "keys"})
	n += sweepHostile(t, w.Portal, w.Staff, []hostileTarget{
		{"POST", "/api/v1/loans/" + id + "/steps", []string{"action", "note", "rate_pct"}, ""},
	}, []string{"loans"})
	t.Logf("%d hostile loan requests", n)
}

// TestHostileOrgs: the corpus against an organisation's registration, its
// users' joining and its manager's writes, and the staff's list: nothing
// is accepted, nothing fails, nothing is stored.
func TestHostileOrgs(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	_, admin, _ := tp.Account(accounts.Admin, "admin@test.cn")
	mgrID, mgr, _ := tp.Account(accounts.Organisation, "hr@factory.cn")
	in := orgs.Input{Name: "東城第一製衣廠", CreditCode: "91350100M000100Y43", Kind: orgs.Employer, District: "dongcheng", Address: "東城區人民路 1 號",
		ContactName: "陳經理", ContactPhone: "0755-86013388"}
	if _, err := tp.App.Bureau().Orgs.Found(context.Background(), accounts.Principal{ID: mgrID, Role: accounts.Organisation}, in, accounts.Meta{}); err != nil {
		t.Fatal(err)
	}
	colls := []string{"orgs", "org_registrations", "org_invitations", "users", "registrations", "keys"}
	org := []string{"name", "credit_code", "kind", "district", "address", "contact_name", "contact_phone"}
	count := sweepHostile(t, tp, "", []hostileTarget{
		{"POST", "/api/v1/orgs/register", append(org, "email", "phone", "user_name", "password"), ""},
		{"POST", "/api/v1/orgs/register/confirm", []string{"registration_id", "code"}, ""},
		{"POST", "/api/v1/orgs/join", []string{"invitation", "name", "password"}, ""},
	}, colls)
	count += sweepHostile(t, tp, mgr, []hostileTarget{
		{"PATCH", "/api/v1/orgs/mine", append(org, "version"), ""},
		{"POST", "/api/v1/orgs/mine/invitations", []string{"email", "phone", "name"}, ""},
		{"POST", "/api/v1/orgs/join/accept", []string{"invitation"}, ""},
	}, colls)
	for _, s := range hostileStrings {
		if len(s) > 4000 {
			continue
		}
		for _, p := range []string{"q", "status", "kind", "page", "size"} {
			resp, out := tp.Do("GET", "/api/v1/staff/orgs?"+p+"="+url.QueryEscape(s), nil, admin)
			count++
			if resp.StatusCode != 200 {
				t.Errorf("the organisations with %s=%.40q: %d %s", p, s, resp.StatusCode, out)
			}
		}
	}
	t.Logf("%d hostile requests about organisations", count)
}
