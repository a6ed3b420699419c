package onestop_test

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/onestop"
)

// clockTime is a time of day: a deadline never shows one.
var clockTime = regexp.MustCompile(`\d{1,2}:\d{2}`)

// at moves a fresh test portal's clock to t, before anyone signs in.
func at(tp *portaltest.Portal, t time.Time) { tp.Advance(t.Sub(tp.Now())) }

// TestServiceFormDescribesTypes: the request form offers each of the six
// services of the chain with what it includes and its time limit in
// working days, in each language.
func TestServiceFormDescribesTypes(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	tp.Account(accounts.Entrepreneur, "ent@test.cn")
	b, _ := tp.SignedIn(t, "ent@test.cn")
	kit := tp.App.Kit
	for _, tt := range []struct{ lang, unit string }{{"zh-Hant", "個工作日內辦結"}, {"zh-Hans", "个工作日内办结"}, {"en", "working days"}} {
		b.Cookies["lang"] = tt.lang
		resp, doc := b.Get("/services")
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", tt.lang, resp.StatusCode)
		}
		if n := doc.Find("#service-types .choice").Length(); n != len(onestop.Types) {
			t.Fatalf("%s: %d choices, want %d", tt.lang, n, len(onestop.Types))
		}
		if note := doc.Find("#workdays-note").Text(); note != kit.I18n.T(tt.lang, "workdays.note") {
			t.Errorf("%s: the form does not say limits are working days: %q", tt.lang, note)
		}
		for _, typ := range onestop.Types {
			choice := doc.Find("#choice-" + typ)
			radio := choice.Find(`input[type=radio][name=type][value="` + typ + `"]`)
			if radio.Length() != 1 || radio.AttrOr("aria-describedby", "") != "desc-"+typ {
				t.Errorf("%s %s: no radio described by its text", tt.lang, typ)
			}
			desc := strings.TrimSpace(choice.Find("#desc-" + typ).Text())
			if want := kit.I18n.T(tt.lang, "services.desc."+typ); desc != want || desc == "services.desc."+typ {
				t.Errorf("%s %s: description %q, want %q", tt.lang, typ, desc, want)
			}
			limit := choice.Find(".limit").Text()
			if !strings.Contains(limit, strconv.Itoa(onestop.DefaultDays[typ])+" "+tt.unit) {
				t.Errorf("%s %s: limit %q, want %d %s", tt.lang, typ, limit, onestop.DefaultDays[typ], tt.unit)
			}
		}
	}
}

// TestServicePagesShowWorkingDays: a request's deadline is a date with its
// limit in working days, never a clock time: on the request's page, the
// owner's list and the staff queue.
func TestServicePagesShowWorkingDays(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	// Friday 4 December 2026, 16:40 in China: ten working days end on
	// Friday 18 December.
	at(tp, time.Date(2026, 12, 4, 16, 40, 0, 0, core.CST))
	tp.Account(accounts.Entrepreneur, "ent@test.cn")
	tp.Account(accounts.Hotline, "desk@test.cn")
	b, csrf := tp.SignedIn(t, "ent@test.cn")
	resp, _ := b.Post("/services", url.Values{"type": {"project_development"}, "details": {"想開一家社區早餐店，請幫忙看看項目是否可行。"}}, csrf)
	if resp.StatusCode != 303 {
		t.Fatalf("request: %d", resp.StatusCode)
	}
	path := resp.Header.Get("Location")
	const want = "2026-12-18（10 個工作日內）"
	_, doc := b.Get(path)
	due := doc.Find("#request-due")
	if got := strings.TrimSpace(due.Text()); got != want || clockTime.MatchString(got) {
		t.Errorf("request page: due %q, want %q", got, want)
	}
	if due.Find(`time[datetime="2026-12-18"]`).Length() != 1 {
		t.Error("the deadline is not a machine-readable date")
	}
	_, doc = b.Get("/services")
	if got := doc.Find("#my-services tbody tr td").Last().Text(); got != want {
		t.Errorf("my services: due %q, want %q", got, want)
	}
	b.Cookies["lang"] = "en"
	if _, doc = b.Get(path); strings.TrimSpace(doc.Find("#request-due").Text()) != "2026-12-18 (within 10 working days)" {
		t.Errorf("in English: %q", doc.Find("#request-due").Text())
	}
	staff, _ := tp.SignedIn(t, "desk@test.cn")
	_, doc = staff.Get("/staff/services")
	if got := doc.Find("#queue tbody tr td").Last().Text(); got != want {
		t.Errorf("staff queue: due %q, want %q", got, want)
	}
}

// TestServicePageLeadsOn (walk of #20): a request's page leads back to the
// list it came from, and, for staff, to the person it is for; an empty
// list shows no pager of zero pages.
func TestServicePageLeadsOn(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	entID, _, _ := tp.Account(accounts.Entrepreneur, "ent@test.cn")
	tp.Account(accounts.Hotline, "desk@test.cn")
	b, csrf := tp.SignedIn(t, "ent@test.cn")
	if _, doc := b.Get("/services"); doc.Find(".pager").Length() != 0 {
		t.Errorf("an empty list has a pager: %q", doc.Find(".pager").Text())
	}
	resp, _ := b.Post("/services", url.Values{"type": {"plan_design"}, "details": {"需要一份給銀行看的經營計劃書。"}}, csrf)
	if resp.StatusCode != 303 {
		t.Fatalf("request: %d", resp.StatusCode)
	}
	path := resp.Header.Get("Location")
	_, doc := b.Get(path)
	if href := doc.Find(`a[href="/services"]`).First().Text(); href == "" {
		t.Error("the owner's page does not lead back to their requests")
	}
	if doc.Find("#request-owner a").Length() != 0 {
		t.Error("the owner is shown a link to the staff's person page")
	}
	if _, doc = b.Get("/services"); doc.Find(".pager").Length() != 1 {
		t.Error("a list with a request has no pager")
	}
	staff, _ := tp.SignedIn(t, "desk@test.cn")
	_, doc = staff.Get(path)
	if doc.Find(`main a[href="/staff/services"]`).Length() != 1 {
		t.Error("the staff page does not lead back to the queue")
	}
	if got := doc.Find("#request-owner a").AttrOr("href", ""); got != "/staff/people/"+entID {
		t.Errorf("the owner links to %q, want their person page", got)
	}
}
