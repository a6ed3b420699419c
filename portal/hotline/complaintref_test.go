package hotline_test

import (
	"fmt"
	"net/url"
	hotlineweb "onestop/portal/hotline"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"onestop/portal/portaltest"
	"onestop/services/core"
)

// TestComplaintReferenceNumbers: every complaint has a reference number
// (受理編號) to quote on the hotline — on the confirmation, the complaint's
// page, the lists and the API — and staff find a complaint by it, typed
// however a caller reads it out.
func TestComplaintReferenceNumbers(t *testing.T) {
	t.Parallel()
	w := portaltest.NewHotlineWorld(t)
	tp := w.Portal
	ent, _ := tp.SignedIn(t, "e1@test.cn")
	_, doc := ent.Get("/complaints/new")
	resp, _ := ent.Post("/complaints", url.Values{"kind": {"service"}, "subject": {"窗口辦理太慢"}, "against": {"department"},
		"against_name": {"東城區服務窗口"}, "details": {"排隊三小時仍未辦完。"}}, portaltest.CSRF(doc))
	if resp.StatusCode != 303 {
		t.Fatalf("file: %d", resp.StatusCode)
	}
	mineURL := resp.Header.Get("Location")
	_, doc = ent.Get(mineURL)
	ref := strings.TrimSpace(doc.Find("#complaint-ref").Text())
	year := tp.Now().In(core.CST).Year()
	if !regexp.MustCompile(fmt.Sprintf(`^TS-%d-\d{6}$`, year)).MatchString(ref) {
		t.Fatalf("reference number %q", ref)
	}
	if got := doc.Find("#complaint-filed").Text(); !strings.Contains(got, ref) {
		t.Errorf("the confirmation does not give the number: %q", got)
	}
	// Staff take another on a call: the next number.
	contact := portaltest.Decode[hotlineweb.APIContact](t, w.Post(t, "/api/v1/hotline/contacts", map[string]any{"name": "陳先生"}, w.Staff))
	taken := portaltest.Decode[hotlineweb.APIComplaint](t, w.Post(t, "/api/v1/complaints", map[string]any{"contact_id": contact.ID, "kind": "conduct",
		"subject": "導師不回覆", "against": "portal", "details": "三天沒有任何回覆。"}, w.Staff))
	if taken.Ref == "" || taken.Ref == ref || taken.Ref[:8] != ref[:8] {
		t.Errorf("the second reference number: %q after %q", taken.Ref, ref)
	}
	mine := strings.TrimPrefix(mineURL, "/complaints/")
	lower := strings.ToLower(ref)
	fullWidth := strings.Map(func(r rune) rune {
		if r >= '!' && r <= '~' {
			return r + 0xFEE0
		}
		return r
	}, ref)
	tp.Run(t, []portaltest.Scenario{
		{Name: "in the complaint", Method: "GET", Path: "/api/v1/complaints/" + mine, Token: w.E1, Status: 200, Contains: []string{`"ref":"` + ref + `"`}},
		{Name: "in the complainant's list", Method: "GET", Path: "/api/v1/complaints", Token: w.E1, Status: 200, Contains: []string{`"ref":"` + ref + `"`}},
		{Name: "staff find it by number", Method: "GET", Path: "/api/v1/complaints?q=" + url.QueryEscape(lower), Token: w.Staff, Status: 200,
			Contains: []string{`"total":1`, mine}, NotContains: []string{taken.ID}},
		{Name: "another entrepreneur does not", Method: "GET", Path: "/api/v1/complaints?q=" + ref, Token: w.E2, Status: 200, Contains: []string{`"total":0`}},
	})
	staff, _ := tp.SignedIn(t, "hotline@test.cn")
	for _, typed := range []string{ref, lower, fullWidth, strings.ReplaceAll(ref, "-", "")} {
		_, doc := staff.Get("/hotline")
		resp, _ := staff.Post("/hotline/find", url.Values{"q": {typed}}, portaltest.CSRF(doc))
		if resp.StatusCode != 303 || resp.Header.Get("Location") != mineURL {
			t.Errorf("the console with %q: %d → %q", typed, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	_, doc = staff.Get("/hotline")
	resp, doc = staff.Post("/hotline/find", url.Values{"q": {fmt.Sprintf("TS-%d-999999", year)}}, portaltest.CSRF(doc))
	if resp.StatusCode != 422 || doc.Find("#e-q").Text() != "找不到此受理編號的投訴，請核對編號。" {
		t.Errorf("an unknown number: %d %q", resp.StatusCode, doc.Find("#e-q").Text())
	}
	// The lists show the number; the complainant's own list has no
	// 投訴人 column (it is always them), the staff's keeps it.
	for _, tc := range []struct {
		name        string
		b           *portaltest.Browser
		complainant bool
	}{{"complainant", ent, false}, {"staff", staff, true}} {
		_, doc := tc.b.Get("/complaints")
		heads := doc.Find("#complaints thead th").Map(func(_ int, s *goquery.Selection) string { return strings.TrimSpace(s.Text()) })
		if has := slices.Contains(heads, "投訴人"); has != tc.complainant || !slices.Contains(heads, "受理編號") {
			t.Errorf("%s's list columns: %q", tc.name, heads)
		}
		row := doc.Find("#complaints tbody tr").FilterFunction(func(_ int, s *goquery.Selection) bool { return s.Find(`a[href="`+mineURL+`"]`).Length() == 1 })
		if row.Find("td.ref").Text() != ref || row.Find("td").Length() != len(heads) {
			t.Errorf("%s's list row: %q", tc.name, row.Text())
		}
	}
	if _, doc := staff.Get("/complaints?q=" + url.QueryEscape(lower)); doc.Find("#complaints tbody tr").Length() != 1 {
		t.Errorf("the staff list's search box by number: %d rows", doc.Find("#complaints tbody tr").Length())
	}
	if _, doc := staff.Get("/hotline/contacts/" + contact.ID); !strings.Contains(doc.Find("#contact-complaints").Text(), taken.Ref) {
		t.Errorf("the caller's complaints lack the number: %q", doc.Find("#contact-complaints").Text())
	}
}

// TestComplaintHistoryWords: the history says who did what — the
// complainant filed it and the bureau received it (not "王小明 · 受理"),
// staff answered, the complainant confirmed it settled.
func TestComplaintHistoryWords(t *testing.T) {
	t.Parallel()
	w := portaltest.NewHotlineWorld(t)
	tp := w.Portal
	filed := portaltest.Decode[hotlineweb.APIComplaint](t, w.Post(t, "/api/v1/complaints", map[string]any{"kind": "service", "subject": "窗口辦理太慢",
		"against": "department", "against_name": "東城區服務窗口", "details": "排隊三小時仍未辦完。"}, w.E1))
	w.Post(t, "/api/v1/complaints/"+filed.ID+"/steps", map[string]any{"action": "answer", "text": "已增派窗口人員，並向您致歉。"}, w.Staff)
	final := portaltest.Decode[hotlineweb.APIComplaint](t, w.Post(t, "/api/v1/complaints/"+filed.ID+"/steps", map[string]any{"action": "close"}, w.E1))
	var by []string
	for _, st := range final.History {
		by = append(by, st.Action+":"+st.By)
	}
	if strings.Join(by, " ") != "receive:complainant answer:bureau close:complainant" {
		t.Errorf("the API's history: %v", by)
	}
	ent, _ := tp.SignedIn(t, "e1@test.cn")
	_, doc := ent.Get("/complaints/" + filed.ID)
	steps := doc.Find("#history li").Map(func(_ int, s *goquery.Selection) string { return strings.Join(strings.Fields(s.Text()), " ") })
	want := []string{"（投訴人） · 提交投訴，人社局已受理", "（人社局） · 答覆投訴人", "（投訴人） · 確認辦結"}
	if len(steps) != len(want) {
		t.Fatalf("history %q", steps)
	}
	for i, w := range want {
		if !strings.Contains(steps[i], w) {
			t.Errorf("step %d reads %q, want %q", i+1, steps[i], w)
		}
	}
	// Taken on a call, it was the bureau that received it.
	contact := portaltest.Decode[hotlineweb.APIContact](t, w.Post(t, "/api/v1/hotline/contacts", map[string]any{"name": "陳先生"}, w.Staff))
	taken := portaltest.Decode[hotlineweb.APIComplaint](t, w.Post(t, "/api/v1/complaints", map[string]any{"contact_id": contact.ID, "kind": "conduct",
		"subject": "導師不回覆", "against": "portal", "details": "三天沒有任何回覆。"}, w.Staff))
	staff, _ := tp.SignedIn(t, "hotline@test.cn")
	if _, doc := staff.Get("/complaints/" + taken.ID); !strings.Contains(doc.Find("#history li").First().Text(), "（人社局） · 受理投訴（代來電者登記）") {
		t.Errorf("a complaint taken on a call: %q", doc.Find("#history li").First().Text())
	}
}
