package portal

import (
	"bytes"
	"encoding/csv"
	"net/url"
	basesweb "onestop/portal/bases"
	figuresweb "onestop/portal/figures"
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
	w := newBaseWorld(t)
	tp := w.tp
	if resp, body := tp.do("PUT", "/api/v1/me/profile", map[string]any{"real_name": "陳一", "consent_version": "2026-11", "district": "xicheng"}, w.e1); resp.StatusCode != 200 {
		t.Fatalf("profile: %d %s", resp.StatusCode, body)
	}
	for range 2 {
		if resp, body := tp.do("GET", "/api/v1/me/eligibility", nil, w.e1); resp.StatusCode != 200 {
			t.Fatalf("eligibility: %d %s", resp.StatusCode, body)
		}
	}
	resp, body := tp.do("POST", "/api/v1/applications", map[string]any{"choices": []string{w.baseA, w.baseB}, "venture": "軟件外包工作室，三人團隊"}, w.e1)
	if resp.StatusCode != 201 {
		t.Fatalf("apply: %d %s", resp.StatusCode, body)
	}
	appA := decode[web.ListResponse[basesweb.APIApplication]](t, body).Items[0].ID
	if resp, body := tp.do("POST", "/api/v1/applications", map[string]any{"choices": []string{w.baseA}, "venture": "社區烘焙坊，兩人"}, w.e2); resp.StatusCode != 201 {
		t.Fatalf("apply: %d %s", resp.StatusCode, body)
	}
	resp, body = tp.do("POST", "/api/v1/services", map[string]any{"type": "financing", "details": "想了解創業擔保貸款的申請流程"}, w.e1)
	if resp.StatusCode != 201 {
		t.Fatalf("service: %d %s", resp.StatusCode, body)
	}
	req := decode[map[string]any](t, body)["id"].(string)
	tp.advance(50 * time.Hour)
	w.admin, w.mgrA, w.e1 = tp.login("admin@test.cn"), tp.login("mgra@test.cn"), tp.login("e1@test.cn")
	for _, step := range []struct {
		path, token string
		body        any
	}{
		{"/api/v1/manage/applications/" + appA + "/accept", w.mgrA, nil},
		{"/api/v1/applications/" + appA + "/accept-offer", w.e1, nil},
		{"/api/v1/staff/services/" + req + "/assign", w.admin, map[string]any{}},
		{"/api/v1/staff/services/" + req + "/start", w.admin, map[string]any{}},
		{"/api/v1/staff/services/" + req + "/complete", w.admin, map[string]any{"note": "已介紹貸款流程"}},
	} {
		if resp, body := tp.do("POST", step.path, step.body, step.token); resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", step.path, resp.StatusCode, body)
		}
	}

	month := core.DateOf(tp.app.Clock.Now()).String()[:7]
	resp, body = tp.do("GET", "/api/v1/admin/figures?from="+month+"&to="+month, nil, w.admin)
	if resp.StatusCode != 200 {
		t.Fatalf("figures: %d %s", resp.StatusCode, body)
	}
	f := decode[figuresweb.APIFigures](t, body)
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
	b := tp.browser()
	_, doc := b.get("/login")
	b.post("/login", url.Values{"login": {"admin@test.cn"}, "password": {testPassword}}, csrfOf(doc))
	resp, raw := b.raw("/admin/figures.csv?from=" + month + "&to=" + month)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	r := csv.NewReader(bytes.NewReader(raw))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("csv does not parse: %v", err)
	}
	if !hasRow(rows, "入駐孵化基地申請", "3") || !hasRow(rows, "服務按時辦結率", "100.0%") {
		t.Errorf("csv rows: %v", rows[:min(len(rows), 12)])
	}
	resp, raw = b.raw("/admin/figures.xlsx?from=" + month + "&to=" + month)
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
	resp, doc = b.get("/admin/figures?from=" + month + "&to=" + month)
	if resp.StatusCode != 200 || doc.Find("#cohorts tbody tr").Length() != 12 || doc.Find("#figure-help dt").Length() < 20 {
		t.Fatalf("dashboard: %d, %d cohorts", resp.StatusCode, doc.Find("#cohorts tbody tr").Length())
	}
	href, _ := doc.Find("#export-csv").Attr("href")
	if resp, raw := b.raw(href); resp.StatusCode != 200 || !strings.Contains(string(raw), month+" – "+month) {
		t.Errorf("the page's export link %q does not keep the span: %d", href, resp.StatusCode)
	}
	if got := doc.Find("table.breakdown").Text(); !strings.Contains(got, "高新創業園") {
		t.Errorf("the bases' table: %q", got)
	}
	if resp, doc = b.get("/admin/figures?filter=base:" + w.baseA + "&from=" + month + "&to=" + month); resp.StatusCode != 200 ||
		!strings.Contains(doc.Find("#figure-tiles").Text(), "2 入駐孵化基地申請") {
		t.Errorf("filtered by base A: %d %q", resp.StatusCode, doc.Find("#figure-tiles").Text())
	}

	if resp, _ := b.raw("/admin/figures.xlsx?from=1926-01&to=2026-01"); resp.StatusCode != 422 {
		t.Errorf("an export of a century: %d", resp.StatusCode)
	}

	// A manager sees their own base's figures; an entrepreneur none.
	resp, body = tp.do("GET", "/api/v1/me/figures?from="+month+"&to="+month, nil, w.mgrA)
	own := decode[web.ListResponse[figuresweb.OwnFigures]](t, body)
	if resp.StatusCode != 200 || len(own.Items) != 1 || own.Items[0].Figures[0].N != 2 || own.Items[0].Figures[2].N != 1 {
		t.Errorf("manager A's figures: %d %s", resp.StatusCode, body)
	}
	tp.run(t, []scenario{
		{name: "entrepreneurs have no figures", method: "GET", path: "/api/v1/me/figures", token: w.e1, status: 403},
		{name: "managers cannot read the bureau's", method: "GET", path: "/api/v1/admin/figures", token: w.mgrA, status: 403},
		{name: "an unknown dimension", method: "GET", path: "/api/v1/admin/figures?dim=salary", token: w.admin, status: 422, contains: []string{`"field":"dim"`}},
		{name: "an unknown district", method: "GET", path: "/api/v1/admin/figures?dim=district&value=atlantis", token: w.admin, status: 422, contains: []string{`"field":"value"`}},
		{name: "a base that is no id", method: "GET", path: "/api/v1/admin/figures?dim=base&value=../../etc", token: w.admin, status: 422},
		{name: "reversed", method: "GET", path: "/api/v1/admin/figures?from=2026-12&to=2026-01", token: w.admin, status: 422, contains: []string{"error.figures.reversed"}},
		{name: "a century", method: "GET", path: "/api/v1/admin/figures?from=1926-01&to=2026-01", token: w.admin, status: 422, contains: []string{"error.figures.span"}},
		{name: "not a month", method: "GET", path: "/api/v1/admin/figures?from=2026-13", token: w.admin, status: 422, contains: []string{`"field":"from"`}},
		{name: "an own span reversed", method: "GET", path: "/api/v1/me/figures?from=2026-12&to=2026-01", token: w.mgrA, status: 422},
	})
}

func hasRow(rows [][]string, label, value string) bool {
	return slices.ContainsFunc(rows, func(r []string) bool { return slices.Contains(r, label) && slices.Contains(r, value) })
}

// TestOpenData: anyone reads it, as JSON and as a page; it holds
// aggregates only — no name or id of anyone in the records — and the city's
// few stability check-ins are withheld.
func TestOpenData(t *testing.T) {
	tp := newTestPortal(t)
	e1ID, e1, _ := tp.account(accounts.Entrepreneur, "e1@test.cn")
	reg := core.DateOf(tp.app.Clock.Now()).AddMonths(-2).String()
	resp, body := tp.do("PUT", "/api/v1/me/profile", map[string]any{"real_name": "歐陽開放", "consent_version": "2026-11", "district": "xicheng",
		"venture": map[string]any{"stage": "operating", "industry": "technology", "first_registered": reg, "employees": 2}}, e1)
	if resp.StatusCode != 200 {
		t.Fatalf("profile: %d %s", resp.StatusCode, body)
	}
	resp, body = tp.do("GET", "/api/v1/open-data", nil, "")
	if resp.StatusCode != 200 {
		t.Fatalf("open data: %d %s", resp.StatusCode, body)
	}
	d := decode[figures.OpenData](t, body)
	if d.SuppressedBelow != 5 || len(d.Rows) != len(tp.app.Lists.Codes(reference.District))+1 || d.Rows[0].VenturesStarted != nil {
		t.Errorf("open data: %s", body)
	}
	for _, secret := range []string{"歐陽開放", e1ID, "e1@test.cn"} {
		if strings.Contains(string(body), secret) {
			t.Errorf("open data holds %q", secret)
		}
	}
	b := tp.browser()
	if resp, doc := b.get("/open-data"); resp.StatusCode != 200 || !strings.Contains(doc.Find("#open-data").Text(), "<5") {
		t.Errorf("open data page: %d %q", resp.StatusCode, doc.Find("#open-data").Text())
	}
}
