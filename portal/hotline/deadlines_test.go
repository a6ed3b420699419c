package hotline_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	hotlineweb "onestop/portal/hotline"
	"onestop/portal/portaltest"
	"onestop/services/accounts"
	"onestop/services/core"
)

// TestComplaintDeadlinePages: a complaint's deadline reads as a date and
// its limit in working days, never a clock time, for the complainant and
// on the staff board; the form gives each kind's limit in working days.
func TestComplaintDeadlinePages(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	// Wednesday 25 November 2026, 22:10 in China: a privacy complaint's
	// five working days are Thursday to the next Wednesday.
	tp.Advance(time.Date(2026, 11, 25, 22, 10, 0, 0, core.CST).Sub(tp.Now()))
	_, ent, _ := tp.Account(accounts.Entrepreneur, "ent@test.cn")
	tp.Account(accounts.Hotline, "desk@test.cn")
	resp, body := tp.Do("POST", "/api/v1/complaints", map[string]any{"kind": "privacy", "subject": "收到推銷電話", "against": "portal",
		"details": "登記後就收到不明推銷電話，懷疑資料外洩。"}, ent)
	if resp.StatusCode != 201 {
		t.Fatalf("file: %d %s", resp.StatusCode, body)
	}
	c := portaltest.Decode[hotlineweb.APIComplaint](t, body)
	if c.DueOn.String() != "2026-12-02" || c.LimitWorkdays != 5 {
		t.Errorf("API: due on %s, %d working days", c.DueOn, c.LimitWorkdays)
	}
	const want = "2026-12-02（5 個工作日內）"
	clock := regexp.MustCompile(`\d{1,2}:\d{2}`)
	b, _ := tp.SignedIn(t, "ent@test.cn")
	_, doc := b.Get("/complaints/" + c.ID)
	if got := strings.TrimSpace(doc.Find("#complaint-due").Text()); got != want || clock.MatchString(got) {
		t.Errorf("complaint page: due %q, want %q", got, want)
	}
	_, doc = b.Get("/complaints")
	if got := doc.Find("#complaints tbody tr td").Last().Text(); got != want {
		t.Errorf("my complaints: due %q, want %q", got, want)
	}
	_, doc = b.Get("/complaints/new")
	if opt := doc.Find(`#f-kind option[value="privacy"]`).Text(); !strings.Contains(opt, "（5 個工作日內辦結）") {
		t.Errorf("the form's kind: %q", opt)
	}
	if doc.Find("#kind-hint").Text() != tp.App.Kit.I18n.T("zh-Hant", "workdays.note") {
		t.Error("the form does not say how limits are counted")
	}
	staff, _ := tp.SignedIn(t, "desk@test.cn")
	_, doc = staff.Get("/complaints?" + url.Values{"queue": {"open"}}.Encode())
	if got := doc.Find("#complaints tbody tr td").Last().Text(); got != want {
		t.Errorf("staff board: due %q, want %q", got, want)
	}
}
