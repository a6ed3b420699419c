package orgs_test

import (
	"net/url"
	"strings"
	"testing"

	"onestop/portal/portaltest"
	"onestop/services/accounts"
)

// orgForm is the registration form as a person fills it in.
func orgForm(name, code, login string) url.Values {
	return url.Values{"name": {name}, "credit_code": {code}, "kind": {"labour_agency"}, "district": {"nancheng"}, "address": {"南城區解放路 8 號"},
		"contact_name": {"周經理"}, "contact_phone": {"020-86013388"}, "user_name": {"周經理"}, "login": {login},
		"password": {portaltest.Password}, "password2": {portaltest.Password}}
}

// TestOrgRegisterPages: the form shows a bad credit code again as typed
// with the reason at the field, in the visitor's language, and writes
// nothing; a good one leads to the code, and the code to the
// organisation's page, pending; the credit code taken is said at its
// field; the menu leads an organisation's user to /org and not to a
// profile.
func TestOrgRegisterPages(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	b := tp.Browser()
	_, doc := b.Get("/org/register")
	if doc.Find("#org-register-form #f-credit_code").Length() != 1 || doc.Find(`input[name="kind"]`).Length() != 3 || doc.Find("#user_name").Length() != 1 {
		t.Fatal("the registration form")
	}
	csrf := portaltest.CSRF(doc)
	before := tp.Snapshot()
	form := orgForm("南城勞務派遣有限公司", "91110000710935732J", "zhou@agency.cn")
	resp, doc := b.Post("/org/register", form, csrf)
	if resp.StatusCode != 422 || doc.Find("#f-credit_code[aria-invalid=true]").Length() != 1 || doc.Find("#f-credit_code").AttrOr("value", "") != "91110000710935732J" ||
		doc.Find("#e-credit_code").Text() != tp.App.Kit.I18n.T("zh-Hant", "error.credit_code.check") || doc.Find("#f-name").AttrOr("value", "") != "南城勞務派遣有限公司" ||
		doc.Find("#kind-labour_agency[checked]").Length() != 1 {
		t.Fatalf("a wrong check character: %d %q", resp.StatusCode, doc.Find("#e-credit_code").Text())
	}
	b.Header.Set("Accept-Language", "en")
	form.Set("credit_code", "91110000710935732")
	form.Del("_csrf")
	if _, doc = b.Post("/org/register", form, csrf); !strings.Contains(doc.Find("#e-credit_code").Text(), "18 characters") {
		t.Errorf("in English: %q", doc.Find("#e-credit_code").Text())
	}
	b.Header.Del("Accept-Language")
	form.Set("password2", "something else")
	form.Set("credit_code", "91110000710935732K")
	form.Del("_csrf")
	if resp, doc = b.Post("/org/register", form, csrf); resp.StatusCode != 422 || doc.Find("#password2[aria-invalid=true]").Length() != 1 {
		t.Fatalf("passwords that differ: %d", resp.StatusCode)
	}
	if after := tp.Snapshot(); after != before {
		t.Error("refused registrations wrote")
	}
	form.Set("password2", portaltest.Password)
	form.Del("_csrf")
	if resp, _ = b.Post("/org/register", form, csrf); resp.StatusCode != 303 || resp.Header.Get("Location") != "/org/confirm" {
		t.Fatalf("register: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, doc = b.Get("/org/confirm")
	if !strings.Contains(doc.Find("#confirm-sent").Text(), "z***@agency.cn") {
		t.Errorf("the confirmation page: %q", doc.Find("#confirm-sent").Text())
	}
	if resp, doc = b.Post("/org/confirm", url.Values{"code": {"000000"}}, portaltest.CSRF(doc)); resp.StatusCode != 422 || doc.Find("#code[aria-invalid=true]").Length() != 1 {
		t.Fatalf("a wrong code: %d", resp.StatusCode)
	}
	if resp, _ = b.Post("/org/confirm", url.Values{"code": {tp.Code("zhou@agency.cn")}}, portaltest.CSRF(doc)); resp.StatusCode != 303 || resp.Header.Get("Location") != "/org" {
		t.Fatalf("confirm: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, doc = b.Get("/org")
	if resp.StatusCode != 200 || doc.Find("#org-name").Text() != "南城勞務派遣有限公司" || !strings.Contains(doc.Find("#org-status").Text(), "待核驗") ||
		doc.Find(`.flash[data-flash="org.registered"]`).Length() != 1 || doc.Find("#invite-form").Length() != 1 || doc.Find("#details-form").Length() != 1 {
		t.Fatalf("the organisation's page: %d %q", resp.StatusCode, doc.Find("main").Text())
	}
	if doc.Find(`header a[href="/org"]`).Length() == 0 || doc.Find(`header a[href="/profile"]`).Length() != 0 {
		t.Error("the menu of an organisation's user")
	}
	if resp, _ := b.Get("/profile"); resp.StatusCode != 403 {
		t.Errorf("an organisation's user on a profile: %d", resp.StatusCode)
	}

	// A second registration of the code is told at its field.
	other := tp.Browser()
	_, doc = other.Get("/org/register")
	resp, doc = other.Post("/org/register", orgForm("別家", "91110000710935732K", "else@agency.cn"), portaltest.CSRF(doc))
	if resp.StatusCode != 409 || doc.Find("#e-credit_code").Text() != tp.App.Kit.I18n.T("zh-Hant", "error.org.code_taken") {
		t.Fatalf("a taken code: %d %q", resp.StatusCode, doc.Find("#e-credit_code").Text())
	}
	// Someone signed in for themselves is not offered it.
	tp.Account(accounts.Entrepreneur, "ent@test.cn")
	ent, _ := tp.SignedIn(t, "ent@test.cn")
	if resp, _ := ent.Get("/org/register"); resp.StatusCode != 303 {
		t.Errorf("an entrepreneur on the organisations' form: %d", resp.StatusCode)
	}
}

// TestOrgPages: staff find the organisation by name and code, refuse a
// rejection without a reason, reject, and the manager reads why, corrects
// and sends again; staff verify; the manager invites a colleague, who
// takes up the link, confirms the code and sees the organisation without
// the manager's forms; the manager removes them; an organisation's
// account in none is told how to register one.
func TestOrgPages(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	tp.Account(accounts.Admin, "admin@test.cn")
	registerOrg(t, tp, orgBody("東城第一製衣廠", "91350100M000100Y43", "hr@factory.cn"))
	admin, _ := tp.SignedIn(t, "admin@test.cn")
	for _, q := range []string{"", "?status=pending", "?q=製衣", "?q=91350100M000100Y43&status=pending"} {
		_, doc := admin.Get("/staff/orgs" + q)
		if doc.Find("#orgs tbody a").Text() != "東城第一製衣廠" {
			t.Fatalf("/staff/orgs%s: %q", q, doc.Find("#orgs tbody").Text())
		}
	}
	_, doc := admin.Get("/staff/orgs?status=verified")
	if doc.Find("#orgs tbody a").Length() != 0 {
		t.Error("a pending organisation among the verified")
	}
	_, doc = admin.Get("/staff/orgs")
	page := doc.Find("#orgs tbody a").AttrOr("href", "")
	_, doc = admin.Get(page)
	if doc.Find("#verify-form").Length() != 1 || doc.Find("#org-code").Text() != "91350100M000100Y43" {
		t.Fatalf("the staff's page of it: %q", doc.Find("main").Text())
	}
	resp, doc := admin.Post(page+"/reject", url.Values{"reason": {"短"}}, portaltest.CSRF(doc))
	if resp.StatusCode != 422 || doc.Find("#reason[aria-invalid=true]").Length() != 1 || doc.Find("#reason").Text() != "短" {
		t.Fatalf("a short reason: %d", resp.StatusCode)
	}
	if resp, _ = admin.Post(page+"/reject", url.Values{"reason": {"名稱與營業執照不符，請更正。"}}, portaltest.CSRF(doc)); resp.StatusCode != 303 {
		t.Fatalf("reject: %d", resp.StatusCode)
	}

	mgr, csrf := tp.SignedIn(t, "hr@factory.cn")
	_, doc = mgr.Get("/org")
	if !strings.Contains(doc.Find("#org-reason").Text(), "名稱與營業執照不符") || doc.Find("#details-submit").Text() != "重新提交" {
		t.Fatalf("the rejected organisation's page: %q", doc.Find("main").Text())
	}
	fix := url.Values{"name": {"東城第一製衣有限公司"}, "credit_code": {"91350100M000100Y43"}, "kind": {"employer"}, "district": {"dongcheng"},
		"address": {"東城區人民路 1 號"}, "contact_name": {"陳經理"}, "contact_phone": {"國際長途"}, "version": {doc.Find(`input[name="version"]`).AttrOr("value", "")}}
	resp, doc = mgr.Post("/org/details", fix, portaltest.CSRF(doc))
	if resp.StatusCode != 422 || doc.Find("#f-contact_phone[aria-invalid=true]").Length() != 1 || doc.Find("#f-name").AttrOr("value", "") != "東城第一製衣有限公司" {
		t.Fatalf("a bad contact phone: %d", resp.StatusCode)
	}
	fix.Set("contact_phone", "13800138000")
	fix.Del("_csrf")
	if resp, _ = mgr.Post("/org/details", fix, portaltest.CSRF(doc)); resp.StatusCode != 303 {
		t.Fatalf("sent again: %d", resp.StatusCode)
	}
	_, doc = admin.Get(page)
	if doc.Find("#org-name").Text() != "東城第一製衣有限公司" || doc.Find("#verify-form").Length() != 1 {
		t.Fatal("the corrected organisation does not wait for staff")
	}
	if resp, _ = admin.Post(page+"/verify", url.Values{}, portaltest.CSRF(doc)); resp.StatusCode != 303 {
		t.Fatalf("verify: %d", resp.StatusCode)
	}
	_, doc = admin.Get(page)
	if doc.Find(`.flash[data-flash="staff.org.verified"]`).Length() != 1 || doc.Find("#verify-form").Length() != 0 || !strings.Contains(doc.Find("#org-status").Text(), "已核驗") {
		t.Fatalf("verified: %q", doc.Find("main").Text())
	}

	// The manager invites a colleague, who joins through the link.
	_, doc = mgr.Get("/org")
	if doc.Find("#details-form").Length() != 0 || doc.Find("#org-fixed").Length() != 1 {
		t.Error("a verified organisation's details are offered for editing")
	}
	resp, doc = mgr.Post("/org/invitations", url.Values{"login": {"not an address"}, "name": {"李會計"}}, portaltest.CSRF(doc))
	if resp.StatusCode != 422 || doc.Find("#invite-login[aria-invalid=true]").Length() != 1 || doc.Find("#invite-name").AttrOr("value", "") != "李會計" {
		t.Fatalf("a bad login: %d", resp.StatusCode)
	}
	if resp, _ = mgr.Post("/org/invitations", url.Values{"login": {"li@factory.cn"}, "name": {"李會計"}}, csrf); resp.StatusCode != 303 {
		t.Fatalf("invite: %d", resp.StatusCode)
	}
	_, doc = mgr.Get("/org")
	if !strings.Contains(doc.Find("#org-invites").Text(), "l***@factory.cn") {
		t.Fatalf("the open invitation: %q", doc.Find("main").Text())
	}
	link := tp.LastMessage("li@factory.cn").Link
	li := tp.Browser()
	if resp, _ = li.Get(link); resp.StatusCode != 303 || resp.Header.Get("Location") != "/org/join" {
		t.Fatalf("the link: %d", resp.StatusCode)
	}
	_, doc = li.Get("/org/join")
	if !strings.Contains(doc.Find("#join-lead").Text(), "東城第一製衣有限公司") || doc.Find("#name").AttrOr("value", "") != "李會計" {
		t.Fatalf("the invitation's page: %q", doc.Find("main").Text())
	}
	resp, _ = li.Post("/org/join", url.Values{"name": {"李會計"}, "password": {portaltest.Password}, "password2": {portaltest.Password}}, portaltest.CSRF(doc))
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/org/confirm" {
		t.Fatalf("join: %d", resp.StatusCode)
	}
	_, doc = li.Get("/org/confirm")
	if resp, _ = li.Post("/org/confirm", url.Values{"code": {tp.Code("li@factory.cn")}}, portaltest.CSRF(doc)); resp.StatusCode != 303 {
		t.Fatalf("confirm: %d", resp.StatusCode)
	}
	_, doc = li.Get("/org")
	if doc.Find("#org-name").Text() != "東城第一製衣有限公司" || doc.Find("#invite-form").Length() != 0 || doc.Find("#leave-form").Length() != 1 ||
		doc.Find(`.flash[data-flash="org.joined"]`).Length() != 1 {
		t.Fatalf("the colleague's page: %q", doc.Find("main").Text())
	}
	// The link is used up.
	if _, doc = li.Get("/org/join"); doc.Find("#join-gone").Length() != 1 {
		t.Error("a used link still offers to join")
	}

	// The manager removes the colleague, who is then in none.
	_, doc = mgr.Get("/org")
	id := strings.TrimPrefix(doc.Find("#org-users tbody tr").Eq(1).AttrOr("id", ""), "user-")
	if resp, _ = mgr.Post("/org/users/"+id+"/remove", url.Values{}, portaltest.CSRF(doc)); resp.StatusCode != 303 {
		t.Fatalf("remove: %d", resp.StatusCode)
	}
	_, doc = li.Get("/org")
	if doc.Find("#org-none").Length() != 1 || doc.Find(`#org-register[href="/org/register"]`).Length() != 1 {
		t.Fatalf("removed: %q", doc.Find("main").Text())
	}
	if resp, _ = li.Get("/org/register"); resp.StatusCode != 200 {
		t.Errorf("an account in none registers one: %d", resp.StatusCode)
	}
}
