package portal_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	figuresweb "onestop/portal/figures"
	"onestop/portal/portaltest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/figures"
	"onestop/services/reference"
)

// TestFiguresCountOverdueWorkAsLate: the dashboard, its JSON and its page
// say a time-limit rate as what it is: in time ÷ (settled + still open past
// the limit), with both parts named and the open overdue ones counted.
// Four complaints: one answered late, one in time, one unanswered past
// its limit, one not due yet — 1 ÷ 3, not the 50 % of the answered ones.
func TestFiguresCountOverdueWorkAsLate(t *testing.T) {
	tp := portaltest.New(t)
	_, e1, _ := tp.Account(accounts.Entrepreneur, "e1@test.cn")
	tp.Account(accounts.Admin, "admin@test.cn")
	start := tp.Now()
	file := func(kind string) string {
		resp, body := tp.Do("POST", "/api/v1/complaints", map[string]any{"kind": kind, "subject": "服務進度查詢錯誤", "against": "portal",
			"details": "網站的服務進度查詢一直顯示錯誤。"}, e1)
		if resp.StatusCode != 201 {
			t.Fatalf("file: %d %s", resp.StatusCode, body)
		}
		return portaltest.Decode[map[string]any](t, body)["id"].(string)
	}
	answer := func(id string) {
		if resp, body := tp.Do("POST", "/api/v1/complaints/"+id+"/steps", map[string]any{"action": "answer", "text": "已修正查詢頁面，請再試一次。"},
			tp.Login("admin@test.cn")); resp.StatusCode != 200 {
			t.Fatalf("answer: %d %s", resp.StatusCode, body)
		}
	}
	late, inTime := file("privacy"), file("conduct") // 7 and 10 days
	file("privacy")                                  // left unanswered
	tp.Advance(24 * time.Hour)
	answer(inTime)
	tp.Advance(8 * 24 * time.Hour) // past the 7-day limits
	answer(late)
	e1 = tp.Login("e1@test.cn")
	file("service") // due in 15 days: in neither part
	tp.Settle(t)
	tp.App.ForgetFigures()

	span := "from=" + core.DateOf(start).String()[:7] + "&to=" + core.DateOf(tp.Now().AddDate(0, 1, 0)).String()[:7]
	resp, body := tp.Do("GET", "/api/v1/admin/figures?"+span, nil, tp.Login("admin@test.cn"))
	if resp.StatusCode != 200 {
		t.Fatalf("figures: %d %s", resp.StatusCode, body)
	}
	var got figures.Figure
	for _, s := range portaltest.Decode[figuresweb.APIFigures](t, body).View.Sections {
		for _, f := range s.Figures {
			if f.Key == "figures.complaints_on_time" {
				got = f
			}
		}
	}
	want := "按時辦結 1 ÷ 到期或已辦結 3（含逾期未結 1）"
	if got.Value != "33.3%" || got.Kind != "rate" || got.N != 1 || got.Of != 3 || got.OpenOverdue == nil || *got.OpenOverdue != 1 ||
		got.Numerator != "按時辦結" || got.Denominator != "到期或已辦結" || got.Note != want || got.Number == nil || fmt.Sprintf("%.3f", *got.Number) != "0.333" {
		t.Errorf("the complaints' rate in the JSON: %+v", got)
	}
	b, _ := tp.SignedIn(t, "admin@test.cn")
	resp, doc := b.Get("/admin/figures?" + span)
	if tiles := doc.Find("#figure-tiles").Text(); resp.StatusCode != 200 || !strings.Contains(tiles, "33.3% 投訴限時辦結率 "+want) {
		t.Errorf("the dashboard: %d %q", resp.StatusCode, tiles)
	}
	resp, body = tp.Do("GET", "/api/v1/admin/figures?"+span, nil, tp.Login("admin@test.cn"), "Accept-Language", "en")
	if !strings.Contains(string(body), `"note":"closed in time 1 ÷ due or closed 3 (incl. 1 overdue and still open)"`) {
		t.Errorf("in English: %d %s", resp.StatusCode, body)
	}

	t.Run("exports", func(t *testing.T) { checkExports(t, b, span, want) })
	// A filter is said in words, not as its code.
	code := tp.App.Lists.Codes(reference.District)[0]
	_, raw := b.Raw("/admin/figures.xlsx?" + span + "&filter=district:" + code)
	x, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := x.GetCellValue(x.GetSheetList()[0], "C1"); v != "地區："+tp.App.Lists.Label(reference.District, code, "zh-Hant") {
		t.Errorf("the filter of a district's export: %q", v)
	}
}

// checkExports: the XLSX holds numbers as numbers (a rate as a fraction
// in a percent format, its parts as counts in columns of their own), the
// filter in words, a frozen header and columns as wide as what they hold;
// the cohorts' counts and shares are apart; the CSV starts with a BOM.
func checkExports(t *testing.T, b *portaltest.Browser, span, formula string) {
	resp, raw := b.Raw("/admin/figures.xlsx?" + span)
	if resp.StatusCode != 200 {
		t.Fatalf("xlsx: %d", resp.StatusCode)
	}
	x, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	sheets := x.GetSheetList()
	first := sheets[0]
	rows, _ := x.GetRows(first)
	at := -1
	for i, r := range rows {
		if len(r) > 1 && r[1] == "投訴限時辦結率" {
			at = i + 1
		}
	}
	if at < 0 || rows[0][2] != "全市" || rows[1][3] != "分子計算" {
		t.Fatalf("no complaints' rate, or the filter not in words: %q", rows[:2])
	}
	for _, tt := range []struct {
		col    string
		number float64
		format string
	}{{"C", 1.0 / 3, "0.0%"}, {"E", 1, "#,##0"}, {"G", 3, "#,##0"}, {"H", 1, "#,##0"}} {
		ref := fmt.Sprintf("%s%d", tt.col, at)
		typ, _ := x.GetCellType(first, ref)
		v, _ := x.GetCellValue(first, ref, excelize.Options{RawCellValue: true})
		id, _ := x.GetCellStyle(first, ref)
		st, _ := x.GetStyle(id)
		n, err := strconv.ParseFloat(v, 64)
		if typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString || err != nil || math.Abs(n-tt.number) > 1e-9 ||
			st == nil || st.CustomNumFmt == nil || *st.CustomNumFmt != tt.format {
			t.Errorf("%s: type %v, %q, style %+v; want the number %v shown as %s", ref, typ, v, st, tt.number, tt.format)
		}
	}
	for col, want := range map[string]string{"D": "按時辦結", "F": "到期或已辦結", "I": formula} {
		if v, _ := x.GetCellValue(first, fmt.Sprintf("%s%d", col, at)); v != want {
			t.Errorf("%s%d = %q, want %q", col, at, v, want)
		}
	}
	if shown, _ := x.GetCellValue(first, fmt.Sprintf("C%d", at)); shown != "33.3%" {
		t.Errorf("the rate as Excel shows it: %q", shown)
	}
	if p, _ := x.GetPanes(first); !p.Freeze || p.YSplit != 2 || p.TopLeftCell != "A3" {
		t.Errorf("the header is not frozen: %+v", p)
	}
	if w, _ := x.GetColWidth(first, "B"); w < 16 {
		t.Errorf("the figures' column is %v wide, narrower than their names", w)
	}
	var cohorts string
	for _, s := range sheets {
		if strings.Contains(s, "創業隊列") {
			cohorts = s
		}
	}
	head, _ := x.GetRows(cohorts)
	if len(head) < 3 || head[1][2] != "6 個月仍經營（經核實）" || head[1][3] != "6 個月仍經營比例（經核實）" {
		t.Fatalf("cohort columns: %q", head)
	}
	if typ, _ := x.GetCellType(cohorts, "B3"); typ == excelize.CellTypeSharedString {
		t.Errorf("a cohort's ventures started is text")
	}

	resp, raw = b.Raw("/admin/figures.csv?" + span)
	if resp.StatusCode != 200 || !bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")) {
		t.Fatalf("csv: %d, starts %q", resp.StatusCode, raw[:min(len(raw), 8)])
	}
	r := csv.NewReader(bytes.NewReader(raw[3:]))
	r.FieldsPerRecord = -1
	crows, err := r.ReadAll()
	if err != nil || !slices.ContainsFunc(crows, func(r []string) bool {
		return slices.Equal(r, []string{"熱線與跟蹤扶持", "投訴限時辦結率", "33.3%", "按時辦結", "1", "到期或已辦結", "3", "1", formula})
	}) {
		t.Errorf("csv rows (%v): %q", err, crows[:min(len(crows), 30)])
	}
}

// TestFiguresPageInBrowser: on the dashboard in a browser, a year with
// nothing recorded says so in words where it drew an empty frame (the
// calls), a year with something draws its bars (the service requests),
// and a time-limit rate shows its formula beside it.
func TestFiguresPageInBrowser(t *testing.T) {
	tp := portaltest.New(t)
	_, e1, _ := tp.Account(accounts.Entrepreneur, "e1@test.cn")
	tp.Account(accounts.Admin, "admin@test.cn")
	if resp, body := tp.Do("POST", "/api/v1/services", map[string]any{"type": "financing", "details": "想了解創業擔保貸款的申請流程"}, e1); resp.StatusCode != 201 {
		t.Fatalf("service: %d %s", resp.StatusCode, body)
	}
	tp.Advance(10 * 24 * time.Hour) // past its 7 days, still open
	tp.Settle(t)
	tp.App.ForgetFigures()
	s := portaltest.NewSession(t, tp, 90*time.Second)
	s.ZhHant()
	s.Login("admin@test.cn")
	s.Step("the dashboard", chromedp.Navigate(s.Base+"/admin/figures"), chromedp.WaitVisible(chromedp.ID("figure-tiles")))
	type drawn struct {
		Empty     string  `json:"empty"`
		Svgs      int     `json:"svgs"`
		Tallest   float64 `json:"tallest"`
		EmptyShow bool    `json:"shown"`
	}
	look := func(key string) drawn {
		js := `(() => { const f = document.getElementById("chart-` + key + `"); const p = f.querySelector(".chart-empty");
			return {empty: p ? p.textContent : "", shown: !!p && p.getBoundingClientRect().height > 0, svgs: f.querySelectorAll("svg").length,
				tallest: Math.max(0, ...[...f.querySelectorAll("rect")].map(r => r.getBoundingClientRect().height))}; })()`
		d, err := chromedp.Run(s.Ctx, chromedp.Evaluate[drawn](js))
		if err != nil {
			t.Fatalf("the chart %s: %v", key, err)
		}
		return d
	}
	if d := look("figures.series.calls"); d.Svgs != 0 || !d.EmptyShow || d.Empty != "最近 12 個月都沒有紀錄，沒有可畫的圖表。" {
		t.Errorf("the calls' empty year: %+v", d)
	}
	if d := look("figures.series.service_requests"); d.Svgs != 1 || d.Empty != "" || d.Tallest <= 0 {
		t.Errorf("the service requests' year: %+v", d)
	}
	if got := s.Text("#figure-tiles"); !strings.Contains(got, "按時辦結 0 ÷ 到期或已辦結 1（含逾期未結 1）") {
		t.Errorf("the services' rate: %q", got)
	}
	s.Fits("the figures page")
	portaltest.Screenshot(t, s.Ctx, "figures-empty-charts")
}
