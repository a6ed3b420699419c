package notify_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
	"onestop/services/notify"
)

// TestNotificationsPageMarksReadByPost: showing the notifications changes
// nothing; the page's form marks read up to the newest it showed, so one
// that came after stays unread.
func TestNotificationsPageMarksReadByPost(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	id, _, _ := tp.Account(accounts.Entrepreneur, "reader@test.cn")
	ctx := context.Background()
	unread := func() int {
		t.Helper()
		n, err := tp.App.Bureau().Notify.Unread(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	tp.App.Bureau().Notify.Send(ctx, id, "notify.consult.new", "x", "/consultations/1")
	b := tp.Browser()
	_, doc := b.Get("/login")
	b.Post("/login", url.Values{"login": {"reader@test.cn"}, "password": {portaltest.Password}}, portaltest.CSRF(doc))
	_, doc = b.Get("/notifications")
	if n := unread(); n != 1 {
		t.Fatalf("after the GET, %d unread; a GET must not mark", n)
	}
	form := doc.Find("form#mark-read")
	upto, _ := form.Find(`input[name="upto"]`).Attr("value")
	if form.Length() != 1 || upto == "" || doc.Find(`#unread`).Text() != "1" {
		t.Fatalf("the page has no mark-read form (upto %q) or no bell", upto)
	}
	tp.Advance(time.Second)
	tp.App.Bureau().Notify.Send(ctx, id, "notify.consult.new", "y", "/consultations/2") // after the page was shown
	if resp, _ := b.Post("/notifications/read", url.Values{"upto": {upto}}, portaltest.CSRF(doc)); resp.StatusCode != 303 || resp.Header.Get("Location") != "/notifications" {
		t.Fatalf("mark read: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := unread(); n != 1 {
		t.Errorf("%d unread after marking what the page showed; want the later one", n)
	}
	for _, bad := range []string{"", "soon", "-5"} {
		if resp, _ := b.Post("/notifications/read", url.Values{"upto": {bad}}, portaltest.CSRF(doc)); resp.StatusCode != 422 {
			t.Errorf("upto %q: %d, want 422", bad, resp.StatusCode)
		}
	}
}

// TestNotificationWordsInReadersLanguage (#20.9): an argument that is a
// catalog key or a reference code is shown in the reader's language; a
// name is shown as it is, even one that looks like a key.
func TestNotificationWordsInReadersLanguage(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	id, token, _ := tp.Account(accounts.Mentor, "words@test.cn")
	ctx := context.Background()
	n := tp.App.Bureau().Notify
	n.Send(ctx, id, "notify.consult.assigned", notify.Label("topic.tax"), "/consultations/1")
	n.Send(ctx, id, "notify.case.assigned", notify.Ref("district", "dongcheng"), "/cases/1")
	n.Send(ctx, id, "notify.case.assigned", "topic.tax", "/cases/2")
	for lang, want := range map[string][]string{
		"zh-Hant": {"新諮詢待您答覆：稅務", "新的跟蹤個案交給您：東城區", "新的跟蹤個案交給您：topic.tax"},
		"en":      {"A new question awaits you: Tax", "A follow-up case is yours: Dongcheng", "A follow-up case is yours: topic.tax"},
	} {
		resp, body := tp.Do("GET", "/api/v1/me/notifications", nil, token, "Accept-Language", lang)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", lang, resp.StatusCode, body)
		}
		for _, w := range want {
			if !strings.Contains(string(body), w) {
				t.Errorf("%s: %s lacks %q", lang, body, w)
			}
		}
	}
}
