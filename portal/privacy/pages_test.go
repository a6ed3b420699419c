package privacy_test

import (
	"net/url"
	"strings"
	"testing"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
)

// TestWrongPasswordShownOnce (#23): the account page has a password field
// in each of its three forms; a wrong password sent with the export or the
// deletion is said once, at the form that was sent, and the new-password
// field of the password change stays unmarked.
func TestWrongPasswordShownOnce(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	tp.Account(accounts.Entrepreneur, "ent@test.cn")
	b, csrf := tp.SignedIn(t, "ent@test.cn")
	const wrong = "目前密碼不正確。"
	for _, tt := range []struct {
		path  string
		form  url.Values
		at    string // where the message belongs
		field string
	}{
		{"/account/export", url.Values{"password": {"not-my-password"}}, "#export-err", "#export-password"},
		{"/account/delete", url.Values{"password": {"not-my-password"}, "confirm": {"yes"}}, "#delete-err", "#delete-password"},
	} {
		t.Run(tt.path, func(t *testing.T) {
			resp, doc := b.Post(tt.path, tt.form, csrf)
			if resp.StatusCode != 422 {
				t.Fatalf("%d", resp.StatusCode)
			}
			if n := strings.Count(doc.Find("main").Text(), wrong); n != 1 {
				t.Errorf("the message is on the page %d times", n)
			}
			if got := doc.Find(tt.at).Text(); got != wrong {
				t.Errorf("at %s: %q", tt.at, got)
			}
			if v, _ := doc.Find(tt.field).Attr("aria-invalid"); v != "true" {
				t.Errorf("%s is not marked invalid", tt.field)
			}
			if n := doc.Find(`[aria-invalid="true"]`).Length(); n != 1 {
				t.Errorf("%d fields marked invalid, want 1", n)
			}
		})
	}
	resp, doc := b.Post("/account/delete", url.Values{"password": {portaltest.Password}}, csrf)
	if got := doc.Find("#delete-confirm-err").Text(); resp.StatusCode != 422 || got != "請勾選確認。" {
		t.Errorf("deletion unconfirmed: %d %q", resp.StatusCode, got)
	}
	if resp, _ := b.Get("/account"); resp.StatusCode != 200 {
		t.Errorf("the account after the refusals: %d", resp.StatusCode)
	}
}
