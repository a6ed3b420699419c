package portal_test

import (
	"fmt"
	figuresweb "onestop/portal/figures"
	"onestop/portal/portaltest"
	"strings"
	"testing"
	"time"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/figures"
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
}
