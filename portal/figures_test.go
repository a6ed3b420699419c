package portal_test

import (
	"bytes"
	"encoding/csv"
	"net/url"
	basesweb "onestop/portal/bases"
	figuresweb "onestop/portal/figures"
	"onestop/portal/portaltest"
	"onestop/portal/web"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/figures"
	"onestop/services/reference"
)

// TestFiguresByHand lays down a small world through the API and works the
// figures out by hand: three choices of base (two by one person), one
// offer after fifty hours and one placement; one person's eligibility,
// checked twice in a month (counted once); one service request completed
// in time. The dashboard, its JSON, its CSV and XLSX exports and the
// manager's own figures all say so.
func TestFiguresByHand(t *testing.T) {
	w := portaltest.NewBaseWorld(t)
	tp := w.Portal
	if resp, body := tp.Do("PUT", "/api/v1/me/profile", map[string]any{"real_name": "陳一", "consent_version": "2026-11", "district": "xicheng"}, w.E1); resp.StatusCode != 200 {
		t.Fatalf("profile: %d %s", resp.StatusCode, body)
	}
	for range 2 {
		if resp, body := tp.Do("GET", "/api/v1/me/eligibility", nil, w.E1); resp.StatusCode != 200 {
			t.Fatalf("eligibility: %d %s", resp.StatusCode, body)
		}
	}
	resp, body := tp.Do("POST", "/api/v1/applications", map[string]any{"choices": []string{w.BaseA, w.BaseB}, "venture": "軟件外包工作室，三人團隊"}, w.E1)
	if resp.StatusCode != 201 {
		t.Fatalf("apply: %d %s", resp.StatusCode, body)
	}
	appA := portaltest.Decode[web.ListResponse[basesweb.APIApplication]](t, body).Items[0].ID
	if resp, body := tp.Do("POST", "/api/v1/applications", map[string]any{"choices": []string{w.BaseA}, "venture": "社區烘焙坊，兩人"}, w.E2); resp.StatusCode != 201 {
		t.Fatalf("apply: %d %s", resp.StatusCode, body)
	}
	resp, body = tp.Do("POST", "/api/v1/services", map[string]any{"type": "financing", "details": "想了解創業擔保貸款的申請流程"}, w.E1)
	if resp.StatusCode != 201 {
		t.Fatalf("service: %d %s", resp.StatusCode, body)
	}
	req := portaltest.Decode[map[string]any](t, body)["id"].(string)
	tp.Advance(50 * time.Hour)
	w.Admin, w.MgrA, w.E1 = tp.Login("admin@test.cn"), tp.Login("mgra@test.cn"), tp.Login("e1@test.cn")
	for _, step := range []struct {
		path, token string
		body        any
	}{
		{"/api/v1/manage/applications/" + appA + "/accept", w.MgrA, nil},
		{"/api/v1/applications/" + appA + "/accept-offer", w.E1, nil},
		{"/api/v1/staff/services/" + req + "/assign", w.Admin, map[string]any{}},
		{"/api/v1/staff/services/" + req + "/start", w.Admin, map[string]any{}},
		{"/api/v1/staff/services/" + req + "/complete", w.Admin, map[string]any{"note": "已介紹貸款流程"}},
	} {
		if resp, body := tp.Do("POST", step.path, step.body, step.token); resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", step.path, resp.StatusCode, body)
		}
	}

	// To the next month: the request's time limit (7 days) may fall there.
	month, next := core.DateOf(tp.Now()).String()[:7], core.DateOf(tp.Now().AddDate(0, 1, 0)).String()[:7]
	tp.Settle(t)
	resp, body = tp.Do("GET", "/api/v1/admin/figures?from="+month+"&to="+next, nil, w.Admin)
	if resp.StatusCode != 200 {
		t.Fatalf("figures: %d %s", resp.StatusCode, body)
	}
	f := portaltest.Decode[figuresweb.APIFigures](t, body)
	want := map[string]int64{"match_applications": 3, "match_decided": 1, "match_offers": 1, "match_placements": 1,
		"eligibility_checks": 1, "service_requests": 1, "service_completed": 1, "service_on_time": 1}
	for k, n := range want {
		if f.Counts[k] != n {
			t.Errorf("%s = %d, want %d", k, f.Counts[k], n)
		}
	}
	if f.Medians["match_days"] != 3 { // 50 hours is 2.1 days: the bucket up to 3
		t.Errorf("median days to a decision: %v", f.Medians["match_days"])
	}
	shown := map[string]string{}
	for _, s := range f.View.Sections {
		for _, fg := range s.Figures {
			shown[fg.Key] = fg.Value
		}
	}
	if shown["figures.match_applications"] != "3" || shown["figures.service_on_time"] != "100.0%" || shown["figures.match_days"] != "≤ 3" {
		t.Errorf("the view: %v", shown)
	}

	// The exports carry the same numbers, and nothing a spreadsheet runs.
	b := tp.Browser()
	_, doc := b.Get("/login")
	b.Post("/login", url.Values{"login": {"admin@test.cn"}, "password": {portaltest.Password}}, portaltest.CSRF(doc))
	resp, raw := b.Raw("/admin/figures.csv?from=" + month + "&to=" + next)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("csv does not parse: %v", err)
	}
	if !hasRow(rows, "入駐孵化基地申請", "3") || !hasRow(rows, "服務按時辦結率", "100.0%") {
		t.Errorf("csv rows: %v", rows[:min(len(rows), 12)])
	}
	resp, raw = b.Raw("/admin/figures.xlsx?from=" + month + "&to=" + next)
	if resp.StatusCode != 200 {
		t.Fatalf("xlsx: %d", resp.StatusCode)
	}
	x, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("xlsx does not open: %v", err)
	}
	sheets := x.GetSheetList()
	xrows, err := x.GetRows(sheets[0])
	if err != nil || !hasRow(xrows, "入駐孵化基地申請", "3") || len(sheets) < 4 {
		t.Errorf("xlsx: %d sheets, %v (%v)", len(sheets), xrows, err)
	}
	for _, rows := range [][][]string{rows, xrows} {
		for _, row := range rows {
			for _, c := range row {
				if c != "" && strings.ContainsRune("=+@", rune(c[0])) {
					t.Errorf("a cell a spreadsheet would run: %q", c)
				}
			}
		}
	}

	// The page: sections, cohorts, the breakdown by base, the definitions.
	resp, doc = b.Get("/admin/figures?from=" + month + "&to=" + next)
	if resp.StatusCode != 200 || doc.Find("#cohorts tbody tr").Length() != 12 || doc.Find("#figure-help dt").Length() < 20 {
		t.Fatalf("dashboard: %d, %d cohorts", resp.StatusCode, doc.Find("#cohorts tbody tr").Length())
	}
	href, _ := doc.Find("#export-csv").Attr("href")
	if resp, raw := b.Raw(href); resp.StatusCode != 200 || !strings.Contains(string(raw), month+" – "+next) {
		t.Errorf("the page's export link %q does not keep the span: %d", href, resp.StatusCode)
	}
	if got := doc.Find("table.breakdown").Text(); !strings.Contains(got, "高新創業園") {
		t.Errorf("the bases' table: %q", got)
	}
	if resp, doc = b.Get("/admin/figures?filter=base:" + w.BaseA + "&from=" + month + "&to=" + next); resp.StatusCode != 200 ||
		!strings.Contains(doc.Find("#figure-tiles").Text(), "2 入駐孵化基地申請") {
		t.Errorf("filtered by base A: %d %q", resp.StatusCode, doc.Find("#figure-tiles").Text())
	}

	if resp, _ := b.Raw("/admin/figures.xlsx?from=1926-01&to=2026-01"); resp.StatusCode != 422 {
		t.Errorf("an export of a century: %d", resp.StatusCode)
	}

	// A manager sees their own base's figures; an entrepreneur none.
	resp, body = tp.Do("GET", "/api/v1/me/figures?from="+month+"&to="+month, nil, w.MgrA)
	own := portaltest.Decode[web.ListResponse[figuresweb.OwnFigures]](t, body)
	if resp.StatusCode != 200 || len(own.Items) != 1 || own.Items[0].Figures[0].N != 2 || own.Items[0].Figures[2].N != 1 {
		t.Errorf("manager A's figures: %d %s", resp.StatusCode, body)
	}
	tp.Run(t, []portaltest.Scenario{
		{Name: "entrepreneurs have no figures", Method: "GET", Path: "/api/v1/me/figures", Token: w.E1, Status: 403},
		{Name: "managers cannot read the bureau's", Method: "GET", Path: "/api/v1/admin/figures", Token: w.MgrA, Status: 403},
		{Name: "an unknown dimension", Method: "GET", Path: "/api/v1/admin/figures?dim=salary", Token: w.Admin, Status: 422, Contains: []string{`"field":"dim"`}},
		{Name: "an unknown district", Method: "GET", Path: "/api/v1/admin/figures?dim=district&value=atlantis", Token: w.Admin, Status: 422, Contains: []string{`"field":"value"`}},
		{Name: "a base that is no id", Method: "GET", Path: "/api/v1/admin/figures?dim=base&value=../../etc", Token: w.Admin, Status: 422},
		{Name: "reversed", Method: "GET", Path: "/api/v1/admin/figures?from=2026-12&to=2026-01", Token: w.Admin, Status: 422, Contains: []string{"error.figures.reversed"}},
		{Name: "a century", Method: "GET", Path: "/api/v1/admin/figures?from=1926-01&to=2026-01", Token: w.Admin, Status: 422, Contains: []string{"error.figures.span"}},
		{Name: "not a month", Method: "GET", Path: "/api/v1/admin/figures?from=2026-13", Token: w.Admin, Status: 422, Contains: []string{`"field":"from"`}},
		{Name: "an own span reversed", Method: "GET", Path: "/api/v1/me/figures?from=2026-12&to=2026-01", Token: w.MgrA, Status: 422},
	})
}

func hasRow(rows [][]string, label, value string) bool {
	return slices.ContainsFunc(rows, func(r []string) bool { return slices.Contains(r, label) && slices.Contains(r, value) })
}

// TestOpenData: anyone reads it, as JSON and as a page; it holds
// aggregates only — no name or id of anyone in the records — and the city's
// few stability check-ins are withheld.
func TestOpenData(t *testing.T) {
	tp := portaltest.New(t)
	e1ID, e1, _ := tp.Account(accounts.Entrepreneur, "e1@test.cn")
	reg := core.DateOf(tp.Now()).AddMonths(-2).String()
	resp, body := tp.Do("PUT", "/api/v1/me/profile", map[string]any{"real_name": "歐陽開放", "consent_version": "2026-11", "district": "xicheng",
		"venture": map[string]any{"stage": "operating", "industry": "technology", "first_registered": reg, "employees": 2}}, e1)
	if resp.StatusCode != 200 {
		t.Fatalf("profile: %d %s", resp.StatusCode, body)
	}
	resp, body = tp.Do("GET", "/api/v1/open-data", nil, "")
	if resp.StatusCode != 200 {
		t.Fatalf("open data: %d %s", resp.StatusCode, body)
	}
	d := portaltest.Decode[figures.OpenData](t, body)
	if d.SuppressedBelow != 5 || len(d.Rows) != len(tp.App.Lists.Codes(reference.District))+1 || d.Rows[0].VenturesStarted != nil {
		t.Errorf("open data: %s", body)
	}
	for _, secret := range []string{"歐陽開放", e1ID, "e1@test.cn"} {
		if strings.Contains(string(body), secret) {
			t.Errorf("open data holds %q", secret)
		}
	}
	b := tp.Browser()
	if resp, doc := b.Get("/open-data"); resp.StatusCode != 200 || !strings.Contains(doc.Find("#open-data").Text(), "<5") {
		t.Errorf("open data page: %d %q", resp.StatusCode, doc.Find("#open-data").Text())
	}
	// Calls, consultations and trainees have no district: the city's
	// table has them, the districts' table has no column of them.
	_, doc := b.Get("/open-data")
	if head := doc.Find("#open-data thead").Text(); doc.Find("#open-data thead th").Length() != 6 || strings.Contains(head, "熱線來電") ||
		doc.Find("#open-data-city tbody td").Length() != 3 || !strings.Contains(doc.Find("#open-data-city thead").Text(), "熱線來電") {
		t.Errorf("open data by district and for the city: %q / %q", head, doc.Find("#open-data-city").Text())
	}
	if !strings.Contains(string(body), `"city_only":{"training_passed":0,"consultations":0,"calls":0}`) {
		t.Errorf("the city-only figures in JSON: %s", body)
	}
}
