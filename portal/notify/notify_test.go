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

// TestEntitlementNotices (#17 §3): a support an administrator adds is told
// to the people it makes eligible by the re-check everyone gets, in each
// reader's language with the support's own name; the policy list says how
// the re-check went.
func TestEntitlementNotices(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	_, admin, _ := tp.Account(accounts.Admin, "admin@test.cn")
	_, vet, _ := tp.Account(accounts.Entrepreneur, "vet@test.cn")
	if resp, body := tp.Do("PUT", "/api/v1/me/profile", map[string]any{"real_name": "退伍軍", "consent_version": "2026-11", "target_groups": []string{"retired_soldier"}}, vet); resp.StatusCode != 200 {
		t.Fatalf("profile: %d %s", resp.StatusCode, body)
	}
	policy := map[string]any{"version": 0, "active": true, "basis": "測試",
		"name":         map[string]string{"zh-Hant": "退役軍人創業輔導", "zh-Hans": "退役军人创业辅导", "en": "Start-up coaching for veterans"},
		"summary":      map[string]string{"zh-Hant": "退役軍人可獲創業輔導。", "zh-Hans": "退役军人可获创业辅导。", "en": "Veterans get start-up coaching."},
		"grantor":      map[string]string{"zh-Hant": "退役軍人事務局", "zh-Hans": "退役军人事务局", "en": "Veterans bureau"},
		"benefit_text": map[string]string{"zh-Hant": "免費輔導", "zh-Hans": "免费辅导", "en": "Free coaching"},
		"conditions":   map[string]any{"fact": "target_groups", "op": "contains", "value": "retired_soldier"}}
	tp.MustDo(t, "PUT", "/api/v1/admin/policies/veteran-coaching", policy, admin)
	sweep, err := tp.App.Bureau().Entitlements.SweepAll(context.Background())
	if err != nil || sweep.Checked != 1 || sweep.Told < 1 {
		t.Fatalf("the re-check: %+v %v", sweep, err)
	}
	for lang, want := range map[string]string{
		"zh-Hant": "您現在符合「退役軍人創業輔導」的條件",
		"zh-Hans": "您现在符合“退役军人创业辅导”的条件",
		"en":      "You now qualify for “Start-up coaching for veterans”.",
	} {
		_, body := tp.Do("GET", "/api/v1/me/notifications", nil, vet, "Accept-Language", lang)
		if strings.Count(string(body), want) != 1 {
			t.Errorf("%s: %s lacks %q once", lang, body, want)
		}
	}
	b, _ := tp.SignedIn(t, "admin@test.cn")
	if _, doc := b.Get("/admin/policies"); !strings.Contains(doc.Find("#sweep").Text(), "核對 1 人") {
		t.Errorf("the policy list: %q", doc.Find("#sweep").Text())
	}
}
