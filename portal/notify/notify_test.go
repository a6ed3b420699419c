package notify_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
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
