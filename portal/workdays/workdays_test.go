package workdays_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
	"onestop/services/core"
)

// at moves a fresh test portal's clock to t, before anyone signs in.
func at(tp *portaltest.Portal, t time.Time) { tp.Advance(t.Sub(tp.Now())) }

func span(from, to, name string) map[string]string {
	return map[string]string{"from": from, "to": to, "name": name}
}

// TestWorkdaysAPI: administrators read and replace a year's calendar;
// nobody else may; a calendar with a day outside the year, a day both off
// and worked, a weekday "worked" or an impossible date is refused whole as
// problem+json naming the field; a save over a newer version is refused;
// saves are audited.
func TestWorkdaysAPI(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	at(tp, time.Date(2026, 12, 4, 10, 0, 0, 0, core.CST))
	_, admin, _ := tp.Account(accounts.Admin, "admin@test.cn")
	_, ent, _ := tp.Account(accounts.Entrepreneur, "ent@test.cn")
	_, staff, _ := tp.Account(accounts.Hotline, "staff@test.cn")
	good := map[string]any{"holidays": []map[string]string{span("2027-01-01", "2027-01-03", "元旦"), span("2027-02-06", "2027-02-12", "春節")},
		"working_days": []map[string]string{{"from": "2027-02-14", "name": "春節"}}, "source": "試填，待核對"}
	bad := func(holidays, worked []map[string]string) map[string]any {
		return map[string]any{"holidays": holidays, "working_days": worked, "source": ""}
	}
	const path = "/api/v1/admin/workdays/2027"
	tp.Run(t, []portaltest.Scenario{
		{Name: "guests may not read", Method: "GET", Path: path, Status: 401},
		{Name: "entrepreneurs may not read", Method: "GET", Path: path, Token: ent, Status: 403},
		{Name: "hotline staff may not read", Method: "GET", Path: path, Token: staff, Status: 403},
		{Name: "the seeded year", Method: "GET", Path: "/api/v1/admin/workdays/2026", Token: admin, Status: 200,
			Contains: []string{`"set":true`, `"version":1`, `{"from":"2026-10-01","to":"2026-10-07","name":"國慶節"}`, `{"from":"2026-10-10","to":"2026-10-10","name":"國慶節"}`, "核對"}},
		{Name: "a year nobody set", Method: "GET", Path: path, Token: admin, Status: 200, Contains: []string{`"set":false`, `"version":0`, `"holidays":[]`}},
		{Name: "a year out of range", Method: "GET", Path: "/api/v1/admin/workdays/1999", Token: admin, Status: 404},
		{Name: "not a year", Method: "GET", Path: "/api/v1/admin/workdays/next", Token: admin, Status: 404},
		{Name: "guests may not set", Method: "PUT", Path: path, Body: good, Status: 401},
		{Name: "entrepreneurs may not set", Method: "PUT", Path: path, Body: good, Token: ent, Status: 403},
		{Name: "hotline staff may not set", Method: "PUT", Path: path, Body: good, Token: staff, Status: 403},
		{Name: "a day of another year", Method: "PUT", Path: path, Token: admin, Status: 422,
			Body:     bad([]map[string]string{span("2026-12-31", "2027-01-01", "元旦")}, nil),
			Contains: []string{`"field":"holidays"`, `"code":"error.workdays.outside_year"`, "2026-12-31 ~ 2027-01-01"}},
		{Name: "a run backwards", Method: "PUT", Path: path, Token: admin, Status: 422,
			Body: bad([]map[string]string{span("2027-10-07", "2027-10-01", "國慶節")}, nil), Contains: []string{`"code":"error.workdays.range"`}},
		{Name: "a day both off and worked", Method: "PUT", Path: path, Token: admin, Status: 422,
			Body:     bad([]map[string]string{span("2027-02-06", "2027-02-14", "春節")}, []map[string]string{{"from": "2027-02-13"}}),
			Contains: []string{`"field":"working_days"`, `"code":"error.workdays.both"`, "2027-02-13"}},
		{Name: "a weekday worked", Method: "PUT", Path: path, Token: admin, Status: 422,
			Body: bad(nil, []map[string]string{{"from": "2027-02-15"}}), Contains: []string{`"field":"working_days"`, `"code":"error.workdays.weekday"`}},
		{Name: "an impossible date", Method: "PUT", Path: path, Token: admin, Status: 422,
			Body: bad([]map[string]string{span("2027-02-30", "", "")}, nil), Contains: []string{`"field":"holidays`, `"code":"error.json.type"`}},
		{Name: "an unknown field", Method: "PUT", Path: path, Token: admin, Status: 422,
			Body: map[string]any{"holidays": []any{}, "updated_by": "someone"}},
		{Name: "nothing refused was written", Method: "GET", Path: path, Token: admin, Status: 200, Contains: []string{`"set":false`}},
		{Name: "set", Method: "PUT", Path: path, Body: good, Token: admin, Status: 200,
			Contains: []string{`"set":true`, `"version":1`, `{"from":"2027-02-14","to":"2027-02-14","name":"春節"}`}},
		{Name: "a save from an older version", Method: "PUT", Path: path, Token: admin, Status: 409, Body: portaltest.With(good, "version", 7)},
		{Name: "a save from the version read", Method: "PUT", Path: path, Token: admin, Status: 200, Body: portaltest.With(good, "version", 1),
			Contains: []string{`"version":2`}},
		{Name: "saves are audited", Method: "GET", Path: "/api/v1/admin/audit?action=workdays.set", Token: admin, Status: 200,
			Contains: []string{`"target":"2027"`, `"result":"success"`}},
	})
	// New limits count with it at once: a request filed on the last day of
	// 2026 skips New Year's Day and its weekend.
	tp.Advance(27 * 24 * time.Hour) // Thursday 31 December
	if due := tp.App.Bureau().Workdays.DueOn(tp.Now(), 1); !core.DateOf(due).Equal(core.NewDate(2027, time.January, 4)) {
		t.Errorf("a day's limit from 31 December ends on %s", core.DateOf(due))
	}
}

// TestWorkdaysAdminPage: the editor shows the seeded year with the note to
// check it, opens on next year while that is unset, takes runs of days as
// text, shows a mistake again with what was typed and the line at fault,
// and refuses a save over another administrator's.
func TestWorkdaysAdminPage(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	at(tp, time.Date(2026, 12, 4, 10, 0, 0, 0, core.CST))
	tp.Account(accounts.Admin, "boss@test.cn")
	tp.Account(accounts.Entrepreneur, "ent@test.cn")
	b, _ := tp.SignedIn(t, "boss@test.cn")

	resp, doc := b.Get("/admin/workdays?year=2026")
	if resp.StatusCode != 200 || doc.Find("#workdays-check").Length() != 1 || !strings.Contains(doc.Find("#holidays").Text(), "2026-10-01 ~ 2026-10-07 國慶節") ||
		!strings.Contains(doc.Find("#workdays-summary").Text(), "放假 33 天，調休上班 6 天") || !strings.Contains(doc.Find("#workdays-source").Text(), "核對") {
		t.Fatalf("the seeded year: %d, %q", resp.StatusCode, doc.Find("#workdays-summary").Text())
	}
	// In December, the editor opens on next year, which nobody has set.
	_, doc = b.Get("/admin/workdays")
	if doc.Find("#year-2027").Length() != 1 || doc.Find("#workdays-not-set").Length() != 1 || doc.Find("#workdays-unset-2027 a").AttrOr("href", "") != "/admin/workdays?year=2027" {
		t.Fatal("the editor does not open on the unset next year")
	}
	csrf := portaltest.CSRF(doc)
	typed := url.Values{"holidays": {"2027-01-01 ~ 2027-01-03 元旦\n10月1日 國慶節"}, "working_days": {""}, "source": {"局方核對"}, "version": {"0"}}
	resp, doc = b.Post("/admin/workdays/2027", typed, csrf)
	if resp.StatusCode != 422 || doc.Find("#holidays[aria-invalid=true]").Length() != 1 || doc.Find("#holidays").Text() != typed.Get("holidays") ||
		!strings.Contains(doc.Find("#workdays-error").Text(), "10月1日 國慶節") || doc.Find("#e-holidays").Text() == "" {
		t.Fatalf("a line it cannot read: %d, %q", resp.StatusCode, doc.Find("#workdays-error").Text())
	}
	typed.Set("holidays", "２０２７－１０－０１ ～ ２０２７－１０－０７ 國慶節\n2027/2/6至2027/2/12 春節")
	typed.Set("working_days", "2027-02-15 春節")
	resp, doc = b.Post("/admin/workdays/2027", typed, csrf)
	if resp.StatusCode != 422 || doc.Find("#working_days[aria-invalid=true]").Length() != 1 || doc.Find("#e-working_days").Text() != tp.App.Kit.I18n.T("zh-Hant", "error.workdays.weekday") ||
		doc.Find("#working_days").Text() != "2027-02-15 春節" {
		t.Fatalf("a weekday worked: %d", resp.StatusCode)
	}
	typed.Set("working_days", "2027-02-14 春節\n2027-10-09 國慶節")
	if resp, _ = b.Post("/admin/workdays/2027", typed, csrf); resp.StatusCode != 303 || resp.Header.Get("Location") != "/admin/workdays?year=2027" {
		t.Fatalf("save: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, doc = b.Get("/admin/workdays?year=2027")
	if !strings.Contains(doc.Find("#workdays-summary").Text(), "放假 14 天，調休上班 2 天") || doc.Find(".workdays-unset").Length() != 0 ||
		!strings.Contains(doc.Find("#holidays").Text(), "2027-02-06 ~ 2027-02-12 春節\n2027-10-01 ~ 2027-10-07 國慶節") {
		t.Fatalf("saved year: %q / %q", doc.Find("#workdays-summary").Text(), doc.Find("#holidays").Text())
	}
	if v := doc.Find(`input[name=version]`).AttrOr("value", ""); v != "1" {
		t.Fatalf("version in the form: %q", v)
	}
	// Two administrators edit from version 1; the second save is shown
	// again as typed, against the version stored now.
	other, _ := tp.SignedIn(t, "boss@test.cn")
	_, doc = other.Get("/admin/workdays?year=2027")
	typed.Set("version", "1")
	typed.Del("_csrf") // Post keeps the token it added to the form
	if resp, _ = other.Post("/admin/workdays/2027", typed, portaltest.CSRF(doc)); resp.StatusCode != 303 {
		t.Fatalf("first save: %d", resp.StatusCode)
	}
	typed.Set("source", "第二位管理員")
	typed.Del("_csrf")
	resp, doc = b.Post("/admin/workdays/2027", typed, csrf)
	if resp.StatusCode != 409 || doc.Find("#source").Text() != "第二位管理員" || doc.Find(`input[name=version]`).AttrOr("value", "") != "2" ||
		doc.Find("#workdays-error").Text() != tp.App.Kit.I18n.T("zh-Hant", "admin.workdays.stale") {
		t.Fatalf("a save over another's: %d, %q", resp.StatusCode, doc.Find("#workdays-error").Text())
	}
	// A non-administrator is refused.
	e, _ := tp.SignedIn(t, "ent@test.cn")
	if resp, _ := e.Get("/admin/workdays"); resp.StatusCode != 403 {
		t.Errorf("entrepreneur on the editor: %d", resp.StatusCode)
	}
}

// TestStaffQueuesWarnUnsetYear: from December, staff queues say that next
// year's holidays are not set (limits reaching into it count Monday to
// Friday) until an administrator sets them; entrepreneurs are not told.
func TestStaffQueuesWarnUnsetYear(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	at(tp, time.Date(2026, 11, 30, 10, 0, 0, 0, core.CST))
	tp.Account(accounts.Hotline, "desk@test.cn")
	tp.Account(accounts.Entrepreneur, "ent@test.cn")
	queues := []string{"/staff/services", "/complaints", "/loans", "/hotline"}
	warned := func(b *portaltest.Browser, path string) bool {
		t.Helper()
		resp, doc := b.Get(path)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		return doc.Find("#workdays-unset-2027").Length() == 1
	}
	desk, _ := tp.SignedIn(t, "desk@test.cn")
	for _, q := range queues {
		if warned(desk, q) {
			t.Errorf("%s warns in November", q)
		}
	}
	tp.Advance(24 * time.Hour) // 1 December
	desk, _ = tp.SignedIn(t, "desk@test.cn")
	for _, q := range queues {
		if !warned(desk, q) {
			t.Errorf("%s does not warn in December", q)
		}
	}
	ent, _ := tp.SignedIn(t, "ent@test.cn")
	for _, q := range []string{"/services", "/complaints", "/loans"} {
		if warned(ent, q) {
			t.Errorf("%s warns an entrepreneur", q)
		}
	}
	_, admin, _ := tp.Account(accounts.Admin, "boss@test.cn")
	body := map[string]any{"holidays": []map[string]string{span("2027-01-01", "2027-01-03", "元旦")}, "source": "局方核對"}
	if resp, raw := tp.Do("PUT", "/api/v1/admin/workdays/2027", body, admin); resp.StatusCode != 200 {
		t.Fatalf("set 2027: %d %s", resp.StatusCode, raw)
	}
	for _, q := range queues {
		if warned(desk, q) {
			t.Errorf("%s still warns once 2027 is set", q)
		}
	}
}
