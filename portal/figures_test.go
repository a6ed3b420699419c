package portal

import (
	"net/url"
	"strings"
	"testing"
)

// TestFiguresPage: the dashboard reads the rollups a loan file's writes
// kept: the tiles show them, each chart is an SVG with a title and the same
// numbers in a table; a reversed range is a clear error; only
// administrators see it.
func TestFiguresPage(t *testing.T) {
	w := newLoanWorld(t)
	tp := w.tp
	resp, body := tp.do("POST", "/api/v1/loans", map[string]any{"policy_id": "guaranteed-loan", "amount_yuan": 20000, "term_months": 24, "purpose": "購買豆腐設備",
		"guarantee": "guarantee_fund", "plan": "在村口開豆腐坊，日產 200 斤，供應三家超市。", "documents": []string{"id_card", "business_plan"}, "bank_id": w.bankID}, w.farmer)
	if resp.StatusCode != 201 {
		t.Fatalf("apply: %d %s", resp.StatusCode, body)
	}
	b := tp.browser()
	_, doc := b.get("/login")
	b.post("/login", url.Values{"login": {"admin@test.cn"}, "password": {testPassword}}, csrfOf(doc))
	resp, doc = b.get("/admin/figures")
	if resp.StatusCode != 200 {
		t.Fatalf("dashboard: %d", resp.StatusCode)
	}
	if got := doc.Find("#figure-tiles li").First().Text(); !strings.Contains(got, "1") {
		t.Errorf("loan applications tile: %q", got)
	}
	if n := doc.Find("figure.chart svg > title").Length(); n != 4 {
		t.Errorf("%d chart titles", n)
	}
	if got := doc.Find("figure.chart").Eq(2).Find("table").Text(); !strings.Contains(got, "1") {
		t.Errorf("loan chart table: %q", got)
	}
	if resp, doc := b.get("/admin/figures?from=2026-12&to=2026-01"); resp.StatusCode != 422 || doc.Find(".error").Length() == 0 {
		t.Errorf("a reversed range: %d", resp.StatusCode)
	}
	if resp, _ := b.get("/admin/figures?from=nonsense"); resp.StatusCode != 422 {
		t.Errorf("a bad month: %d", resp.StatusCode)
	}
	other := tp.browser()
	_, doc = other.get("/login")
	other.post("/login", url.Values{"login": {"hotline@test.cn"}, "password": {testPassword}}, csrfOf(doc))
	if resp, _ := other.get("/admin/figures"); resp.StatusCode != 403 {
		t.Errorf("hotline staff: %d", resp.StatusCode)
	}
}
