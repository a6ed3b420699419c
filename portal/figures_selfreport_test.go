package portal_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/url"
	figuresweb "onestop/portal/figures"
	"onestop/portal/portaltest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/figures"
	"onestop/services/people"
)

// shownFigures are a view's figures by catalog key.
func shownFigures(v *figures.View) map[string]string {
	out := map[string]string{}
	for _, s := range v.Sections {
		for _, f := range s.Figures {
			out[f.Key] = f.Value
		}
	}
	return out
}

// TestFiguresSelfReported: the probe's one-account attack on the jobs
// figure, end to end. A self-report of 100,000 people is refused on its
// field (the form shown again); a jump within the bound is accepted but
// waits in the staff queue and moves no verified figure — the dashboard,
// its JSON and its CSV show verified and self-reported apart — until staff
// verify it (correcting the figure); open data publishes the verified
// figures only; the registration date is the person's to change only
// before the first check-in; and the rebuild command's sums agree with
// the writes'.
func TestFiguresSelfReported(t *testing.T) {
	tp := portaltest.New(t)
	_, admin, _ := tp.Account(accounts.Admin, "admin@test.cn")
	_, staff, _ := tp.Account(accounts.Hotline, "hotline@test.cn")
	id, e1, _ := tp.Account(accounts.Entrepreneur, "e1@test.cn")
	today := core.DateOf(tp.Now())
	month := today.String()[:7]
	reg := today.AddMonths(-13) // the 6- and 12-month check-ins are open
	venture := func(reg core.Date) map[string]any {
		return map[string]any{"real_name": "歐陽自報", "consent_version": people.NoticeVersion, "district": "xicheng",
			"venture": map[string]any{"stage": "operating", "industry": "technology", "first_registered": reg.String()}}
	}
	if resp, body := tp.Do("PUT", "/api/v1/me/profile", venture(reg), e1); resp.StatusCode != 200 {
		t.Fatalf("profile: %d %s", resp.StatusCode, body)
	}

	// The form: 100,000 is refused on the field, in the reader's language.
	person := tp.Browser()
	_, doc := person.Get("/login")
	person.Post("/login", url.Values{"login": {"e1@test.cn"}, "password": {portaltest.Password}}, portaltest.CSRF(doc))
	_, doc = person.Get("/me/venture")
	resp, doc := person.Post("/ventures/"+id+"/checkins", url.Values{"month": {"6"}, "on": {today.String()}, "operating": {"yes"}, "employees": {"100000"}}, portaltest.CSRF(doc))
	input := doc.Find("#employees")
	if resp.StatusCode != 422 || input.AttrOr("aria-invalid", "") != "true" || input.AttrOr("value", "") != "100000" ||
		!strings.Contains(doc.Find("#e-employees").Text(), "0 至 299") {
		t.Fatalf("the form: %d, %q", resp.StatusCode, doc.Find("#venture-form").Text())
	}

	checkin := "/api/v1/ventures/" + id + "/checkins"
	tp.Run(t, []portaltest.Scenario{
		{Name: "100,000 people, self-reported", Method: "POST", Path: checkin, Token: e1, Body: map[string]any{"month": 6, "on": today.String(), "operating": true, "employees": 100000},
			Status: 422, Contains: []string{`"field":"employees"`, "error.venture.employees"}},
		{Name: "300 people, self-reported", Method: "POST", Path: checkin, Token: e1, Body: map[string]any{"month": 6, "on": today.String(), "operating": true, "employees": 300},
			Status: 422, Contains: []string{"error.venture.employees"}},
		{Name: "3 people, taken as said", Method: "POST", Path: checkin, Token: e1, Body: map[string]any{"month": 6, "on": today.String(), "operating": true, "employees": 3},
			Status: 200, Contains: []string{`"employees":3`}, NotContains: []string{"to_verify"}},
		{Name: "250 people a month on waits for staff", Method: "POST", Path: checkin, Token: e1, Body: map[string]any{"month": 12, "on": today.String(), "operating": true, "employees": 250},
			Status: 200, Contains: []string{`"review":"to_verify"`}},
		{Name: "the staff queue", Method: "GET", Path: "/api/v1/hotline/stability/verify", Token: staff, Status: 200, Contains: []string{id, `"employees":250`, `"previous":3`}},
		{Name: "the person has no queue", Method: "GET", Path: "/api/v1/hotline/stability/verify", Token: e1, Status: 403},
		{Name: "the person cannot verify", Method: "POST", Path: "/api/v1/ventures/" + id + "/reviews", Token: e1, Body: map[string]any{"month": 12, "decision": "verify"}, Status: 403},
		{Name: "a decision that is none", Method: "POST", Path: "/api/v1/ventures/" + id + "/reviews", Token: staff, Body: map[string]any{"month": 12, "decision": "approve"},
			Status: 422, Contains: []string{`"field":"decision"`}},
		{Name: "the date is kept once a check-in is answered", Method: "PUT", Path: "/api/v1/me/profile", Token: e1, Body: venture(reg.AddMonths(-1)),
			Status: 422, Contains: []string{`"field":"venture.first_registered"`, "error.venture.registered_locked"}},
	})

	figuresOf := func() figuresweb.APIFigures {
		t.Helper()
		tp.App.ForgetFigures()
		resp, body := tp.Do("GET", "/api/v1/admin/figures?from="+month+"&to="+month, nil, admin)
		if resp.StatusCode != 200 {
			t.Fatalf("figures: %d %s", resp.StatusCode, body)
		}
		return portaltest.Decode[figuresweb.APIFigures](t, body)
	}
	f := figuresOf()
	shown := shownFigures(f.View)
	if f.Counts["stability_employees_verified"] != 0 || f.Counts["stability_employees_self"] != 3 || f.Counts["stability_to_verify"] != 1 ||
		shown["figures.jobs"] != "0" || shown["figures.jobs_self"] != "3" || shown["figures.to_verify"] != "1" {
		t.Fatalf("before staff look: %v %v", f.Counts, shown)
	}

	// Staff find it in their queue and verify it at the figure they heard.
	desk := tp.Browser()
	_, doc = desk.Get("/login")
	desk.Post("/login", url.Values{"login": {"hotline@test.cn"}, "password": {portaltest.Password}}, portaltest.CSRF(doc))
	resp, doc = desk.Get("/hotline/stability/verify")
	if resp.StatusCode != 200 || doc.Find("#to-verify tbody tr").Length() != 1 || doc.Find("#to-verify .reported").Text() != "250" {
		t.Fatalf("the queue page: %d %q", resp.StatusCode, doc.Find("#to-verify").Text())
	}
	resp, _ = desk.Post("/ventures/"+id+"/reviews", url.Values{"month": {"12"}, "decision": {"verify"}, "employees": {"25"}, "from": {"queue"}}, portaltest.CSRF(doc))
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/hotline/stability/verify" {
		t.Fatalf("verify: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, doc = desk.Get("/hotline/stability/verify"); doc.Find("#to-verify .reported").Length() != 0 {
		t.Errorf("still queued: %q", doc.Find("#to-verify").Text())
	}
	f = figuresOf()
	shown = shownFigures(f.View)
	if f.Counts["stability_employees_verified"] != 25 || f.Counts["stability_employees_self"] != 3 || f.Counts["stability_to_verify"] != 0 ||
		shown["figures.jobs"] != "25" || shown["figures.jobs_self"] != "3" {
		t.Fatalf("after verification: %v %v", f.Counts, shown)
	}

	// The dashboard and its export say the same, apart.
	board := tp.Browser()
	_, doc = board.Get("/login")
	board.Post("/login", url.Values{"login": {"admin@test.cn"}, "password": {portaltest.Password}}, portaltest.CSRF(doc))
	tp.App.ForgetFigures()
	_, doc = board.Get("/admin/figures?from=" + month + "&to=" + month)
	tiles := doc.Find("#figure-tiles").Text()
	for _, want := range []string{"25 帶動就業人數（經核實回訪）", "3 帶動就業人數（自報）", "0 待核實的自報回訪", "企業自報回訪（未經核實）"} {
		if !strings.Contains(tiles, want) {
			t.Errorf("the dashboard lacks %q: %q", want, tiles)
		}
	}
	_, raw := board.Raw("/admin/figures.csv?from=" + month + "&to=" + month)
	r := csv.NewReader(bytes.NewReader(raw))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil || !hasRow(rows, "帶動就業人數（經核實回訪）", "25") || !hasRow(rows, "帶動就業人數（自報）", "3") || !hasRow(rows, "12 個月仍經營（自報）", "12 個月仍經營（經核實）") {
		t.Errorf("csv (%v): %v", err, rows)
	}

	// Open data publishes the verified figures, and says so.
	resp, body := tp.Do("GET", "/api/v1/open-data", nil, "")
	if d := portaltest.Decode[figures.OpenData](t, body); resp.StatusCode != 200 || d.CheckIns != "verified" {
		t.Errorf("open data: %d %s", resp.StatusCode, body)
	}
	if _, doc = tp.Browser().Get("/open-data"); !strings.Contains(doc.Find("#open-data-verified").Text(), "經熱線人員記錄或核實") {
		t.Errorf("the open data page does not say its check-ins are verified")
	}

	// Staff correct the registration date; a date in the future is shown
	// again on the form.
	resp, doc = desk.Get("/hotline/ventures/" + id)
	if resp.StatusCode != 200 || doc.Find("#registration-form").Length() != 1 {
		t.Fatalf("the venture page: %d", resp.StatusCode)
	}
	resp, doc = desk.Post("/ventures/"+id+"/registration", url.Values{"first_registered": {"2999-01-01"}}, portaltest.CSRF(doc))
	if resp.StatusCode != 422 || doc.Find("#e-first_registered").Text() == "" || doc.Find("#first_registered").AttrOr("value", "") != "2999-01-01" {
		t.Fatalf("a future date: %d %q", resp.StatusCode, doc.Find("#registration-form").Text())
	}
	earlier := reg.AddMonths(-1)
	tp.Run(t, []portaltest.Scenario{
		{Name: "staff correct the date", Method: "POST", Path: "/api/v1/ventures/" + id + "/registration", Token: staff, Body: map[string]any{"first_registered": earlier.String()},
			Status: 200, Contains: []string{`"first_registered":"` + earlier.String() + `"`}},
		{Name: "the profile follows", Method: "GET", Path: "/api/v1/me/profile", Token: e1, Status: 200, Contains: []string{earlier.String()}},
		{Name: "and saves as it is", Method: "PUT", Path: "/api/v1/me/profile", Token: e1, Body: venture(earlier), Status: 200},
	})

	// The rebuild command sums the records to the same rollups.
	ctx := context.Background()
	before, _ := tp.App.Bureau().Figures.Snapshot(ctx)
	if _, err := tp.App.Bureau().Figures.Rebuild(ctx, tp.App.Bureau().FigureSources(), nil); err != nil {
		t.Fatal(err)
	}
	if after, _ := tp.App.Bureau().Figures.Snapshot(ctx); !reflect.DeepEqual(before, after) {
		t.Errorf("rebuild differs:\nkept    %v\nrebuilt %v", before, after)
	}
}

// TestBrowserVerifyQueue: on a phone screen, an entrepreneur answers a
// check-in far above the last one and is told it waits for the hotline;
// hotline staff find it in their queue, verify it at the figure they
// checked, and open the venture's page — every page fits the screen.
func TestBrowserVerifyQueue(t *testing.T) {
	tp := portaltest.New(t)
	tp.Account(accounts.Hotline, "hotline@test.cn")
	id, e1, _ := tp.Account(accounts.Entrepreneur, "e1@test.cn")
	today := core.DateOf(tp.Now())
	if resp, body := tp.Do("PUT", "/api/v1/me/profile", map[string]any{"real_name": "歐陽自報", "consent_version": people.NoticeVersion, "district": "xicheng",
		"venture": map[string]any{"stage": "operating", "industry": "technology", "first_registered": today.AddMonths(-13).String()}}, e1); resp.StatusCode != 200 {
		t.Fatalf("profile: %d %s", resp.StatusCode, body)
	}
	if resp, body := tp.Do("POST", "/api/v1/ventures/"+id+"/checkins", map[string]any{"month": 6, "on": today.String(), "operating": true, "employees": 3}, e1); resp.StatusCode != 200 {
		t.Fatalf("6-month check-in: %d %s", resp.StatusCode, body)
	}
	s := portaltest.NewSession(t, tp, 90*time.Second)
	s.Step("phone screen", chromedp.EmulateViewport(375, 812))
	s.ZhHant()
	s.Login("e1@test.cn")
	s.Step("answer the 12-month check-in", chromedp.Navigate(s.Base+"/me/venture"), chromedp.WaitVisible(chromedp.ID("venture-form")),
		chromedp.Click(chromedp.CSS(`input[name="operating"][value="yes"]`)), chromedp.SetValue(chromedp.ID("employees"), "250"),
		chromedp.Click(chromedp.CSS(`#venture-form button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="stability.recorded_to_verify"]`)))
	if got := s.Text("#venture-checks"); !strings.Contains(got, "等待熱線核實") {
		t.Errorf("the person's check-ins: %q", got)
	}
	s.Fits("the venture page")
	portaltest.Screenshot(t, s.Ctx, "venture-to-verify")
	s.Logout()
	s.Login("hotline@test.cn")
	s.Step("the queue", chromedp.Navigate(s.Base+"/hotline/stability/verify"), chromedp.WaitVisible(chromedp.ID("to-verify")))
	if got := s.Text("#to-verify"); !strings.Contains(got, "歐陽自報") || !strings.Contains(got, "上次 3 人") {
		t.Errorf("the queue: %q", got)
	}
	s.Fits("the queue")
	portaltest.Screenshot(t, s.Ctx, "verify-queue")
	s.Step("verify at 25", chromedp.SetValue(chromedp.ID("fix-"+id+"-12"), "25"), chromedp.Click(chromedp.CSS(`#to-verify button[value="verify"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash[data-flash="verify.done.verify"]`)))
	s.Step("the venture", chromedp.Navigate(s.Base+"/hotline/ventures/"+id), chromedp.WaitVisible(chromedp.ID("registration-form")))
	if got := s.Text("#venture-checks"); !strings.Contains(got, "25") || !strings.Contains(got, "自報 250") || !strings.Contains(got, "經核實") {
		t.Errorf("the venture's check-ins: %q", got)
	}
	s.Fits("the venture's page")
	portaltest.Screenshot(t, s.Ctx, "staff-venture")
}
