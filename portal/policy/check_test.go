package policy_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"

	"onestop/portal/portaltest"
)

// TestSelfCheckAsksWhereThePersonIs: after a round the page says the
// outcome in a line, then shows the form — the new questions marked, the
// first of them focused — and the full results only after it, so nobody
// scrolls past long results to find what is asked next.
func TestSelfCheckAsksWhereThePersonIs(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	b := tp.Browser()
	_, doc := b.Get("/check")
	if doc.Find(".new-q, [autofocus], #summary").Length() != 0 {
		t.Fatal("the first round marks questions as new")
	}
	form := url.Values{"target_groups": {"college_graduate"}, "venture.stage": {"operating"}, "venture.form": {"individual"}}
	resp, doc := b.Post("/check", form, portaltest.CSRF(doc))
	if resp.StatusCode != 200 {
		t.Fatalf("round 1: %d", resp.StatusCode)
	}
	// The order of the page: summary, form, results.
	var order []string
	doc.Find("#summary, #check-form, #results").Each(func(_ int, s *goquery.Selection) { order = append(order, s.AttrOr("id", "")) })
	if strings.Join(order, " ") != "summary check-form results" {
		t.Errorf("page order %v, want the summary, then the form, then the results", order)
	}
	if got := doc.Find("#tally").Text(); !strings.Contains(got, "符合") || !strings.Contains(got, "需補充資料") {
		t.Errorf("tally: %q", got)
	}
	// The questions just added are marked; those the person answered are not.
	if doc.Find(`.new-q [name="graduation_date"]`).Length() != 1 {
		t.Error("the graduation date, asked for the first time, is not marked new")
	}
	for _, name := range []string{"venture.stage", "venture.form", "birth_date"} {
		if doc.Find(`.new-q [name="`+name+`"]`).Length() != 0 {
			t.Errorf("%s was asked before and is marked new", name)
		}
	}
	newCount := doc.Find(".new-q").Length()
	if want := "表格中加入了 " + strconv.Itoa(newCount) + " 個新問題"; !strings.Contains(doc.Find("#new-questions").Text(), want) {
		t.Errorf("new questions line %q, want %q", doc.Find("#new-questions").Text(), want)
	}
	// One control takes the focus: the first new question in the form.
	focus := doc.Find("[autofocus]")
	if focus.Length() != 1 || focus.AttrOr("id", "") != doc.Find(".new-q").First().Find("input, select").AttrOr("id", "?") {
		t.Errorf("autofocus on %d controls (%s), want the first new question", focus.Length(), focus.AttrOr("id", ""))
	}
	// Answering them: they are no longer new, and nothing typed is lost.
	form.Set("graduation_date", "2025-07-01")
	_, doc = b.Post("/check", form, portaltest.CSRF(doc))
	if doc.Find(`.new-q [name="graduation_date"]`).Length() != 0 || doc.Find(`[name="graduation_date"]`).AttrOr("value", "") != "2025-07-01" {
		t.Error("an answered question stays marked new, or lost its answer")
	}
}

// TestSelfCheckFieldsReadAlone: the count of land-expropriated farmers
// among the employees is labelled on its own and follows the employees
// field; the industry list keeps the encouraged industries apart from the
// trades the tax-relief rule names (saunas are not an encouraged trade).
func TestSelfCheckFieldsReadAlone(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	b := tp.Browser()
	_, doc := b.Get("/check")
	form := url.Values{"target_groups": {"land_expropriated_farmer"}, "venture.stage": {"operating"}, "venture.form": {"company"},
		"venture.land_farmer_employees": {"3"}, "venture.industry": {"technology"}}
	_, doc = b.Post("/check", form, portaltest.CSRF(doc))
	farmers := doc.Find(`[id="f-venture.land_farmer_employees"]`).Closest(".field")
	if got := farmers.Find("label").Text(); !strings.HasPrefix(got, "所僱員工中被徵地農民人數") {
		t.Errorf("label %q does not stand alone", got)
	}
	if farmers.Prev().Find(`[name="venture.employees"]`).Length() != 1 {
		t.Errorf("the farmers among the employees do not follow the employees field: %q", farmers.Prev().Text())
	}
	groups := doc.Find(`[id="f-venture.industry"] optgroup`)
	if groups.Length() != 2 {
		t.Fatalf("%d option groups in the industry list", groups.Length())
	}
	catalogue, sector := groups.Eq(0), groups.Eq(1)
	if catalogue.AttrOr("label", "") != "鼓勵發展的行業（產業指導目錄）" || sector.AttrOr("label", "") != "其他行業（稅費減免政策所列）" {
		t.Errorf("group labels %q, %q", catalogue.AttrOr("label", ""), sector.AttrOr("label", ""))
	}
	if catalogue.Find(`option[value="technology"][selected]`).Length() != 1 || catalogue.Find(`option[value="sauna"]`).Length() != 0 ||
		sector.Find(`option[value="sauna"]`).Length() != 1 || sector.Find(`option[value="internet_cafe"]`).Length() != 1 {
		t.Errorf("the groups hold the wrong trades: %q | %q", catalogue.Text(), sector.Text())
	}
	if n := doc.Find(`[id="f-venture.industry"] > option`).Length(); n != 1 { // "not answered" only
		t.Errorf("%d options outside the groups", n)
	}
}

// TestSelfCheckFocusBrowser: on a phone, after pressing 查看結果 the focus
// and the screen are on the first new question, not at the results.
func TestSelfCheckFocusBrowser(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	s := portaltest.NewSession(t, tp, 60*time.Second)
	s.Step("phone screen", chromedp.EmulateViewport(375, 812))
	s.ZhHant()
	s.Step("first round", chromedp.Navigate(s.Base+"/check"), chromedp.WaitVisible(chromedp.ID("check-form")),
		chromedp.Click(chromedp.CSS(`input[value="college_graduate"]`)),
		chromedp.SetValue(chromedp.CSS(`[id="f-venture.stage"]`), "operating"), chromedp.SetValue(chromedp.CSS(`[id="f-venture.form"]`), "individual"),
		chromedp.Click(chromedp.ID("check-submit")), chromedp.WaitVisible(chromedp.ID("summary")))
	focused, err := chromedp.Run(s.Ctx, chromedp.Evaluate[string](`document.activeElement.closest(".new-q") ? document.activeElement.id : "not a new question: " + document.activeElement.tagName`))
	if err != nil || focused != "f-graduation_date" {
		t.Errorf("focus on %q (%v), want the graduation date", focused, err)
	}
	inView, err := chromedp.Run(s.Ctx, chromedp.Evaluate[bool](`(() => { const r = document.activeElement.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight })()`))
	if err != nil || !inView {
		t.Errorf("the first new question is off the screen (%v)", err)
	}
	portaltest.Screenshot(t, s.Ctx, "check-round-1-phone")
	s.Fits("the self-check on a phone")
}
