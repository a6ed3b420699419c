package orgs_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/notify"
	"onestop/services/orgs"
	"onestop/services/pii"
	"onestop/services/servicetest"
	"onestop/services/store"
	"onestop/services/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var (
	ctx  = context.Background()
	meta = servicetest.Meta
)

const password = "Long-enough-9"

// env is the service on a fresh database, with a mailbox for the
// messages it and the accounts send.
type env struct {
	*servicetest.Env
	svc  *orgs.Service
	mail *mailbox
}

type mailbox struct {
	mu   sync.Mutex
	list []notify.Delivery
}

func (m *mailbox) Deliver(_ context.Context, d notify.Delivery) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.list = append(m.list, d)
	return nil
}

func setup(t *testing.T) *env {
	t.Helper()
	e := &env{Env: servicetest.New(t, time.Date(2026, 11, 2, 9, 0, 0, 0, core.CST), orgs.Collections...), mail: &mailbox{}}
	e.Notify.SetSender(e.mail)
	e.svc = servicetest.Must(orgs.New(orgs.Deps{Store: e.Store, Outbox: e.Outbox, Audit: e.Audit, Notify: e.Notify, Accounts: e.Accounts,
		Vault: e.Vault, Clock: e.Clock, Reference: e.Reference, Log: e.Log}))
	e.Ready(t)
	return e
}

// last is the last message to a login (an address without an account:
// a code, an invitation).
func (e *env) last(t *testing.T, login string) notify.Delivery {
	t.Helper()
	if _, err := e.Notify.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	e.mail.mu.Lock()
	defer e.mail.mu.Unlock()
	for i := len(e.mail.list) - 1; i >= 0; i-- {
		d := e.mail.list[i]
		if to, err := e.Vault.Open(notify.ContactField, d.ContactSealed); err == nil && (to == pii.NormalizeEmail(login) || to == pii.NormalizePhone(login)) {
			return d
		}
	}
	t.Fatalf("no message to %s", login)
	return notify.Delivery{}
}

// code is the registration code last sent to a login.
func (e *env) code(t *testing.T, login string) string {
	t.Helper()
	d := e.last(t, login)
	if d.Key != "register.message.code" {
		t.Fatalf("the last message to %s is %s, not a code", login, d.Key)
	}
	return d.Arg
}

// to lists the keys of the messages to an account, oldest first.
func (e *env) to(t *testing.T, userID string) []string {
	t.Helper()
	if _, err := e.Notify.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	e.mail.mu.Lock()
	defer e.mail.mu.Unlock()
	var keys []string
	for _, d := range e.mail.list {
		if d.UserID == userID {
			keys = append(keys, d.Key)
		}
	}
	return keys
}

func input(name, code string) orgs.Input {
	return orgs.Input{Name: name, CreditCode: code, Kind: orgs.Employer, District: "dongcheng", Address: "東城區人民路 1 號",
		ContactName: "陳經理", ContactPhone: "0755-86013388"}
}

// register registers an organisation and confirms its first user's code:
// the organisation and its manager, signed in.
func (e *env) register(t *testing.T, in orgs.Input, email string) (*orgs.Org, accounts.Principal) {
	t.Helper()
	st, err := e.svc.Register(ctx, in, orgs.NewUser{Email: email, Name: "陳經理", Password: password}, meta)
	if err != nil {
		t.Fatalf("register %s: %v", in.Name, err)
	}
	done, err := e.svc.Confirm(ctx, st.ID, e.code(t, email), meta)
	if err != nil {
		t.Fatalf("confirm %s: %v", in.Name, err)
	}
	u := done.Tokens.User
	return done.Org, accounts.Principal{ID: u.ID, Role: u.Role, Name: u.Name}
}

// join invites a login to the manager's organisation and has the
// newcomer register through the link: the newcomer, signed in.
func (e *env) join(t *testing.T, manager accounts.Principal, email, name string) accounts.Principal {
	t.Helper()
	inv, err := e.svc.Invite(ctx, manager, orgs.InviteInput{Email: email, Name: name}, meta)
	if err != nil {
		t.Fatalf("invite %s: %v", email, err)
	}
	msg := e.last(t, email)
	if msg.Key != "org.message.invite" || msg.Link != orgs.JoinLink(inv.Token) {
		t.Fatalf("the invitation's message: %+v", msg)
	}
	st, err := e.svc.StartJoin(ctx, inv.Token, name, password, meta)
	if err != nil {
		t.Fatalf("start joining: %v", err)
	}
	done, err := e.svc.Confirm(ctx, st.ID, e.code(t, email), meta)
	if err != nil {
		t.Fatalf("confirm joining: %v", err)
	}
	u := done.Tokens.User
	return accounts.Principal{ID: u.ID, Role: u.Role, Name: u.Name}
}

func field(err error) map[string]string {
	var ce *core.Error
	if core.IsCode(err, core.Invalid) || core.IsCode(err, core.Conflict) {
		if e, ok := err.(*core.Error); ok {
			ce = e
		}
	}
	if ce == nil {
		return nil
	}
	return ce.Fields
}

// count is the number of documents of a collection.
func (e *env) count(t *testing.T, coll string) int64 {
	t.Helper()
	n, err := e.Store.C(coll).CountDocuments(ctx, bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRegisterValidates: a registration with a bad detail answers every
// field at fault at once and writes nothing, not even a registration.
func TestRegisterValidates(t *testing.T) {
	e := setup(t)
	good := input("東城第一製衣廠", "91350100M000100Y43")
	tests := []struct {
		name  string
		edit  func(*orgs.Input)
		field string
		key   string
	}{
		{"a credit code one short", func(in *orgs.Input) { in.CreditCode = "91350100M000100Y4" }, "credit_code", "error.credit_code.length"},
		{"a credit code with an O", func(in *orgs.Input) { in.CreditCode = "91350100MO00100Y43" }, "credit_code", "error.credit_code.chars"},
		{"a credit code with the wrong check character", func(in *orgs.Input) { in.CreditCode = "91350100M000100Y44" }, "credit_code", "error.credit_code.check"},
		{"no credit code", func(in *orgs.Input) { in.CreditCode = "" }, "credit_code", "error.required"},
		{"an unknown kind", func(in *orgs.Input) { in.Kind = "bank" }, "kind", "error.enum"},
		{"an unknown district", func(in *orgs.Input) { in.District = "atlantis" }, "district", "error.enum"},
		{"no district", func(in *orgs.Input) { in.District = "" }, "district", "error.required"},
		{"a one-character name", func(in *orgs.Input) { in.Name = "廠" }, "name", "error.text.min|2"},
		{"a name on two lines", func(in *orgs.Input) { in.Name = "東城\n製衣廠" }, "name", "error.text.one_line"},
		{"no contact", func(in *orgs.Input) { in.ContactName = " " }, "contact_name", "error.required"},
		{"a contact phone of letters", func(in *orgs.Input) { in.ContactPhone = "call me" }, "contact_phone", "error.org.contact_phone"},
		{"a landline without its area code", func(in *orgs.Input) { in.ContactPhone = "86013388" }, "contact_phone", "error.org.contact_phone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := good
			tt.edit(&in)
			_, err := e.svc.Register(ctx, in, orgs.NewUser{Email: "a@test.cn", Name: "陳", Password: password}, meta)
			if got := field(err)[tt.field]; got != tt.key {
				t.Errorf("%s: %q (%v), want %q", tt.field, got, err, tt.key)
			}
		})
	}
	// The user's own mistakes are the accounts', named as the form names them.
	_, err := e.svc.Register(ctx, good, orgs.NewUser{Email: "not-an-address", Name: "", Password: "short"}, meta)
	if f := field(err); f["email"] != "error.email" || f["user_name"] != "error.name" || f["password"] == "" || f["name"] != "" {
		t.Errorf("the user's mistakes: %v", f)
	}
	for _, coll := range []string{orgs.Registrations.Name, accounts.Registrations.Name, orgs.Collection.Name, store.Keys.Name} {
		if n := e.count(t, coll); n != 0 {
			t.Errorf("%s holds %d documents after refusals", coll, n)
		}
	}
	// Mobile numbers, landlines with extensions and full-width digits are
	// contact phones.
	for _, phone := range []string{"13800138000", "+86 138 0013 8000", "0755-86013388-801", "０２０８６０１３３８８"} {
		in := good
		in.ContactPhone = phone
		if _, err := e.svc.Register(ctx, in, orgs.NewUser{Email: "phone@test.cn", Name: "陳", Password: password}, meta); err != nil {
			t.Errorf("contact phone %q: %v", phone, err)
		}
	}
}

// TestRegisterConfirm: the code opens the account and the organisation
// together, the user its manager, the organisation pending and listed for
// staff; the credit code is taken, and the membership.
func TestRegisterConfirm(t *testing.T) {
	e := setup(t)
	in := input("東城第一製衣廠", " 9135 0100-m000100y43 ")
	o, mgr := e.register(t, in, "hr@factory.cn")
	if o.CreditCode != "91350100M000100Y43" || o.Status != orgs.Pending || o.Verified() || mgr.Role != accounts.Organisation ||
		o.ManagerID() != mgr.ID || len(o.Users) != 1 || o.Users[0].Part != orgs.Manager {
		t.Fatalf("registered: %+v, manager %+v", o, mgr)
	}
	mine, u, err := e.svc.Of(ctx, mgr.ID)
	if err != nil || mine.ID != o.ID || u.Part != orgs.Manager {
		t.Fatalf("Of the manager: %v %+v", err, u)
	}
	if n := e.count(t, orgs.Registrations.Name); n != 0 {
		t.Errorf("%d organisation registrations left after confirming", n)
	}
	rows, total, _, err := e.svc.List(ctx, e.Admin, orgs.ListQuery{Status: orgs.Pending})
	if err != nil || total != 1 || rows[0].Code != o.CreditCode || rows[0].Users != 1 || rows[0].Kind != "employer" {
		t.Fatalf("the staff's pending list: %v %d %+v", err, total, rows)
	}
	for _, q := range []string{"91350100M000100Y43", "９１３５０１００ｍ０００１００ｙ４３", "製衣"} {
		if _, total, _, err := e.svc.List(ctx, e.Admin, orgs.ListQuery{Text: q}); err != nil || total != 1 {
			t.Errorf("search %q: %d %v", q, total, err)
		}
	}
	if _, total, _, _ := e.svc.List(ctx, e.Admin, orgs.ListQuery{Text: "91440300708461136T"}); total != 0 {
		t.Errorf("another code finds %d", total)
	}
	ev, _, err := e.Audit.Search(ctx, audit.Query{Action: "org.register"})
	if err != nil || ev.Total != 1 {
		t.Errorf("audited registrations: %v %+v", err, ev)
	}
}

// TestCreditCodeIsUnique: a second registration of a credit code is
// refused with a clear message before any code is sent; two registrations
// of one code racing to confirm open one organisation, and the loser's
// account is not opened; nothing of the loser is left half-written.
func TestCreditCodeIsUnique(t *testing.T) {
	e := setup(t)
	code := "91440300708461136T"
	a, err := e.svc.Register(ctx, input("騰訊甲", code), orgs.NewUser{Email: "a@test.cn", Name: "甲", Password: password}, meta)
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.svc.Register(ctx, input("騰訊乙", code), orgs.NewUser{Email: "b@test.cn", Name: "乙", Password: password}, meta)
	if err != nil {
		t.Fatal(err) // neither is confirmed yet: the code is free
	}
	codeA, codeB := e.code(t, "a@test.cn"), e.code(t, "b@test.cn")
	// A wrong code gives the credit code back.
	if _, err := e.svc.Confirm(ctx, a.ID, "000000", meta); field(err)["code"] != "error.code.wrong" {
		t.Fatalf("a wrong code: %v", err)
	}
	if _, err := e.svc.Confirm(ctx, b.ID, codeB, meta); err != nil {
		t.Fatalf("b confirms: %v", err)
	}
	users := e.count(t, "users")
	if _, err := e.svc.Confirm(ctx, a.ID, codeA, meta); !core.IsCode(err, core.Conflict) || field(err)["credit_code"] != "error.org.code_taken" {
		t.Fatalf("a confirms after b: %v", err)
	}
	if e.count(t, "users") != users || e.count(t, orgs.Collection.Name) != 1 {
		t.Errorf("the loser's confirmation wrote: %d users (was %d), %d organisations", e.count(t, "users"), users, e.count(t, orgs.Collection.Name))
	}
	// Registering the code again is refused at once, however it is typed.
	for _, typed := range []string{code, strings.ToLower(code), "9144 0300 7084 6113 6T"} {
		_, err := e.svc.Register(ctx, input("騰訊丙", typed), orgs.NewUser{Email: "c@test.cn", Name: "丙", Password: password}, meta)
		if !core.IsCode(err, core.Conflict) || field(err)["credit_code"] != "error.org.code_taken" {
			t.Errorf("registering %q again: %v", typed, err)
		}
	}
	// A's login was not opened: it registers again, with another code.
	if _, mgr := e.register(t, input("騰訊甲", "91440101190445878B"), "a@test.cn"); mgr.ID == "" {
		t.Fatal("a registers again")
	}
}

// TestOrgRegistrationsKeepTheirDoor: the accounts' own confirmation opens
// no organisation's account, and an organisation's confirmation opens no
// person's: each is refused, and each registration is left for its own.
func TestOrgRegistrationsKeepTheirDoor(t *testing.T) {
	e := setup(t)
	st, err := e.svc.Register(ctx, input("北城勞務", "91110000710935732K"), orgs.NewUser{Email: "org@test.cn", Name: "北", Password: password}, meta)
	if err != nil {
		t.Fatal(err)
	}
	code := e.code(t, "org@test.cn")
	if _, err := e.Accounts.ConfirmRegistration(ctx, st.ID, code, meta); field(err)["code"] != "error.code.expired" {
		t.Fatalf("an organisation's registration through the accounts' door: %v", err)
	}
	if _, err := e.svc.Confirm(ctx, st.ID, code, meta); err != nil {
		t.Fatalf("through its own door: %v", err)
	}
	person, err := e.Accounts.StartRegistration(ctx, accounts.NewAccount{Email: "person@test.cn", Name: "人", Password: password}, meta)
	if err != nil {
		t.Fatal(err)
	}
	code = e.code(t, "person@test.cn")
	if _, err := e.svc.Confirm(ctx, person.ID, code, meta); field(err)["code"] != "error.code.expired" {
		t.Fatalf("a person's registration through the organisations' door: %v", err)
	}
	if tok, err := e.Accounts.ConfirmRegistration(ctx, person.ID, code, meta); err != nil || tok.User.Role != accounts.Entrepreneur {
		t.Fatalf("through its own door: %v", err)
	}
}

// TestWhoMayVerify: only the verifying roles verify or reject; a
// rejection needs a reason; only a pending organisation is reviewed; its
// users are told, and every review is audited.
func TestWhoMayVerify(t *testing.T) {
	e := setup(t)
	o, mgr := e.register(t, input("東城第一製衣廠", "91350100M000100Y43"), "hr@factory.cn")
	people := e.Users(t, map[string]accounts.Role{"hotline": accounts.Hotline, "ent": accounts.Entrepreneur, "bank": accounts.BankOfficer})
	for _, who := range []accounts.Principal{people["hotline"], people["ent"], people["bank"], mgr, {}} {
		if _, err := e.svc.Verify(ctx, who, o.ID, meta); !core.IsCode(err, core.Forbidden) {
			t.Errorf("%s verifies: %v", who.Role, err)
		}
		if _, err := e.svc.Reject(ctx, who, o.ID, "名稱與營業執照不符", meta); !core.IsCode(err, core.Forbidden) {
			t.Errorf("%s rejects: %v", who.Role, err)
		}
		if _, _, _, err := e.svc.List(ctx, who, orgs.ListQuery{}); !core.IsCode(err, core.Forbidden) {
			t.Errorf("%s lists: %v", who.Role, err)
		}
	}
	if _, err := e.svc.Reject(ctx, e.Admin, o.ID, "不對", meta); field(err)["reason"] != "error.text.min|5" {
		t.Errorf("a rejection without a reason: %v", err)
	}
	got, err := e.svc.Reject(ctx, e.Admin, o.ID, "名稱與營業執照不符，請更正。", meta)
	if err != nil || got.Status != orgs.Rejected || got.Reason != "名稱與營業執照不符，請更正。" || got.ReviewedBy != e.Admin.ID {
		t.Fatalf("reject: %v %+v", err, got)
	}
	if _, err := e.svc.Verify(ctx, e.Admin, o.ID, meta); !core.IsCode(err, core.Conflict) {
		t.Errorf("verify a rejected organisation: %v", err)
	}
	if keys := e.to(t, mgr.ID); !slices.Contains(keys, "notify.org.rejected") {
		t.Errorf("the manager was told %v", keys)
	}
	// The manager corrects the details and sends them again.
	fixed := input("東城第一製衣有限公司", "91350100M000100Y43")
	if _, err := e.svc.Update(ctx, mgr, fixed, got.Version-1, meta); !core.IsCode(err, core.Conflict) {
		t.Errorf("an edit from an older version: %v", err)
	}
	again, err := e.svc.Update(ctx, mgr, fixed, got.Version, meta)
	if err != nil || again.Status != orgs.Pending || again.Reason != "" || again.Name != "東城第一製衣有限公司" {
		t.Fatalf("sent again: %v %+v", err, again)
	}
	ok, err := e.svc.Verify(ctx, e.Admin, o.ID, meta)
	if err != nil || !ok.Verified() {
		t.Fatalf("verify: %v %+v", err, ok)
	}
	if _, err := e.svc.Reject(ctx, e.Admin, o.ID, "又發現不符之處。", meta); !core.IsCode(err, core.Conflict) {
		t.Errorf("reject a verified organisation: %v", err)
	}
	if _, err := e.svc.Update(ctx, mgr, input("改名", "91350100M000100Y43"), 0, meta); !core.IsCode(err, core.Conflict) {
		t.Errorf("edit a verified organisation: %v", err)
	}
	if keys := e.to(t, mgr.ID); !slices.Contains(keys, "notify.org.verified") {
		t.Errorf("the manager was told %v", keys)
	}
	for action, want := range map[string]int{"org.verify": 1, "org.reject": 1} {
		r, _, err := e.Audit.Search(ctx, audit.Query{Action: action, Result: audit.Success})
		if err != nil || r.Total != want {
			t.Errorf("%s audited %d times: %v", action, r.Total, err)
		}
	}
	if r, _, _ := e.Audit.Search(ctx, audit.Query{Action: "org.verify", Result: audit.Denied}); r.Total != 5 {
		t.Errorf("refused verifications audited: %d", r.Total)
	}
	// Staff see any organisation; its users their own; others none.
	if _, err := e.svc.Get(ctx, people["hotline"], o.ID); !core.IsCode(err, core.NotFound) {
		t.Errorf("hotline reads an organisation: %v", err)
	}
	other, _ := e.register(t, input("北城勞務", "91110000710935732K"), "agency@test.cn")
	if _, err := e.svc.Get(ctx, mgr, other.ID); !core.IsCode(err, core.NotFound) {
		t.Errorf("a manager reads another organisation: %v", err)
	}
	if _, err := e.svc.Get(ctx, e.Admin, other.ID); err != nil {
		t.Errorf("staff read an organisation: %v", err)
	}
}

// TestUsersJoinAndLeave: the manager invites by login; the newcomer
// registers through the link and joins; a second invitation replaces the
// first; the manager removes a user, who keeps their account but belongs
// to no organisation; a user leaves; the manager stays; only the manager
// manages; an account belongs to one organisation at most.
func TestUsersJoinAndLeave(t *testing.T) {
	e := setup(t)
	o, mgr := e.register(t, input("東城第一製衣廠", "91350100M000100Y43"), "hr@factory.cn")
	colleague := e.join(t, mgr, "li@factory.cn", "李會計")
	got, u, err := e.svc.Of(ctx, colleague.ID)
	if err != nil || got.ID != o.ID || u.Part != orgs.Member || colleague.Role != accounts.Organisation || len(got.Users) != 2 || len(got.Invites) != 0 {
		t.Fatalf("joined: %v %+v %+v", err, u, got)
	}
	if keys := e.to(t, mgr.ID); !slices.Contains(keys, "notify.org.joined") {
		t.Errorf("the manager was told %v", keys)
	}
	people, err := e.svc.People(ctx, got)
	if err != nil || len(people) != 2 || people[0].ID != mgr.ID || people[1].Name != "李會計" || people[1].Login != pii.MaskEmail("li@factory.cn") {
		t.Fatalf("people: %v %+v", err, people)
	}

	// Only the manager invites and removes.
	if _, err := e.svc.Invite(ctx, colleague, orgs.InviteInput{Email: "x@factory.cn", Name: "某"}, meta); !core.IsCode(err, core.Forbidden) {
		t.Errorf("a member invites: %v", err)
	}
	if err := e.svc.RemoveUser(ctx, colleague, mgr.ID, meta); !core.IsCode(err, core.Forbidden) {
		t.Errorf("a member removes the manager: %v", err)
	}
	if err := e.svc.RemoveUser(ctx, mgr, mgr.ID, meta); !core.IsCode(err, core.Conflict) {
		t.Errorf("the manager removes themselves: %v", err)
	}
	if err := e.svc.Leave(ctx, mgr, meta); !core.IsCode(err, core.Conflict) {
		t.Errorf("the manager leaves: %v", err)
	}
	if _, err := e.svc.Invite(ctx, mgr, orgs.InviteInput{Email: "x@factory.cn", Phone: "13800138000", Name: "某"}, meta); field(err)["login"] != "error.login.one" {
		t.Errorf("two logins: %v", err)
	}

	// A second invitation of one login replaces the first; the first's
	// link stops working, as does a withdrawn one's.
	first, err := e.svc.Invite(ctx, mgr, orgs.InviteInput{Phone: "13800138000", Name: "王出納"}, meta)
	if err != nil {
		t.Fatal(err)
	}
	second, err := e.svc.Invite(ctx, mgr, orgs.InviteInput{Phone: "138 0013 8000", Name: "王出納"}, meta)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := e.svc.Get(ctx, mgr, o.ID); len(got.Invites) != 1 || got.Invites[0].ID != second.ID || got.Invites[0].LoginMasked != "138****8000" {
		t.Fatalf("invitations: %+v", got.Invites)
	}
	if _, err := e.svc.InvitationFor(ctx, first.Token); !core.IsCode(err, core.NotFound) {
		t.Errorf("the replaced invitation: %v", err)
	}
	if v, err := e.svc.InvitationFor(ctx, second.Token); err != nil || v.OrgName != "東城第一製衣廠" || v.SentTo != "138****8000" {
		t.Errorf("the invitation's page: %v %+v", err, v)
	}
	if err := e.svc.CancelInvite(ctx, mgr, second.ID, meta); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.StartJoin(ctx, second.Token, "王出納", password, meta); !core.IsCode(err, core.NotFound) {
		t.Errorf("a withdrawn invitation: %v", err)
	}
	if n := e.count(t, orgs.Invitations.Name); n != 0 {
		t.Errorf("%d invitations kept after they were replaced and withdrawn", n)
	}

	// An invitation expires.
	late, err := e.svc.Invite(ctx, mgr, orgs.InviteInput{Email: "late@factory.cn", Name: "遲到"}, meta)
	if err != nil {
		t.Fatal(err)
	}
	e.Advance(orgs.InviteTTL)
	if _, err := e.svc.StartJoin(ctx, late.Token, "遲到", password, meta); !core.IsCode(err, core.NotFound) {
		t.Errorf("an expired invitation: %v", err)
	}

	// The manager removes the colleague: the account stays, in no
	// organisation, and is told.
	if err := e.svc.RemoveUser(ctx, mgr, colleague.ID, meta); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.Of(ctx, colleague.ID); !core.IsCode(err, core.NotFound) {
		t.Errorf("removed, still in: %v", err)
	}
	if _, err := e.Accounts.Get(ctx, colleague.ID); err != nil {
		t.Errorf("removed, the account is gone: %v", err)
	}
	if keys := e.to(t, colleague.ID); !slices.Contains(keys, "notify.org.removed") {
		t.Errorf("the colleague was told %v", keys)
	}
	if err := e.svc.RemoveUser(ctx, mgr, colleague.ID, meta); !core.IsCode(err, core.NotFound) {
		t.Errorf("removed twice: %v", err)
	}

	// Another organisation invites the removed colleague, who accepts
	// signed in; the first organisation cannot take them back meanwhile.
	_, other := e.register(t, input("北城勞務", "91110000710935732K"), "agency@test.cn")
	inv, err := e.svc.Invite(ctx, other, orgs.InviteInput{Email: "li@factory.cn", Name: "李會計"}, meta)
	if err != nil {
		t.Fatal(err)
	}
	stranger := e.Users(t, map[string]accounts.Role{"stranger": accounts.Organisation, "ent": accounts.Entrepreneur})
	if _, err := e.svc.Accept(ctx, stranger["stranger"], inv.Token, meta); !core.IsCode(err, core.Forbidden) {
		t.Errorf("another login accepts: %v", err)
	}
	if _, err := e.svc.Accept(ctx, stranger["ent"], inv.Token, meta); !core.IsCode(err, core.Forbidden) {
		t.Errorf("an entrepreneur accepts: %v", err)
	}
	joined, err := e.svc.Accept(ctx, colleague, inv.Token, meta)
	if err != nil || joined.ManagerID() != other.ID {
		t.Fatalf("accept: %v", err)
	}
	back, err := e.svc.Invite(ctx, mgr, orgs.InviteInput{Email: "li@factory.cn", Name: "李會計"}, meta)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Accept(ctx, colleague, back.Token, meta); !core.IsCode(err, core.Conflict) {
		t.Errorf("a second organisation: %v", err)
	}
	// And leaves of their own accord.
	if err := e.svc.Leave(ctx, colleague, meta); err != nil {
		t.Fatal(err)
	}
	if keys := e.to(t, other.ID); !slices.Contains(keys, "notify.org.left") {
		t.Errorf("the other manager was told %v", keys)
	}
	if _, err := e.svc.Accept(ctx, colleague, back.Token, meta); err != nil {
		t.Errorf("back to the first after leaving: %v", err)
	}
	for _, action := range []string{"org.user_invite", "org.user_join", "org.user_remove", "org.user_leave", "org.invite_cancel"} {
		if r, _, err := e.Audit.Search(ctx, audit.Query{Action: action, Result: audit.Success}); err != nil || r.Total == 0 {
			t.Errorf("%s not audited: %v", action, err)
		}
	}
}

// TestJoinNothingHalfWritten: a newcomer whose organisation cannot take
// them in (its invitation withdrawn between their form and their code, or
// the organisation full) gets no account, and their login stays free.
func TestJoinNothingHalfWritten(t *testing.T) {
	e := setup(t)
	_, mgr := e.register(t, input("東城第一製衣廠", "91350100M000100Y43"), "hr@factory.cn")
	inv, err := e.svc.Invite(ctx, mgr, orgs.InviteInput{Email: "late@factory.cn", Name: "遲到"}, meta)
	if err != nil {
		t.Fatal(err)
	}
	e.last(t, "late@factory.cn") // the invitation, delivered before the code
	st, err := e.svc.StartJoin(ctx, inv.Token, "遲到", password, meta)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.CancelInvite(ctx, mgr, inv.ID, meta); err != nil {
		t.Fatal(err)
	}
	users := e.count(t, "users")
	if _, err := e.svc.Confirm(ctx, st.ID, e.code(t, "late@factory.cn"), meta); !core.IsCode(err, core.NotFound) {
		t.Fatalf("joining a withdrawn invitation: %v", err)
	}
	if e.count(t, "users") != users {
		t.Error("an account was opened for a withdrawn invitation")
	}
	// The login is free: a registration of its own opens it.
	p, err := e.Accounts.StartRegistration(ctx, accounts.NewAccount{Email: "late@factory.cn", Name: "遲到", Password: password}, meta)
	if err != nil {
		t.Fatal(err)
	}
	if msg := e.last(t, "late@factory.cn"); msg.Key != "register.message.code" {
		t.Fatalf("the login is taken: %s", msg.Key)
	}
	if _, err := e.Accounts.ConfirmRegistration(ctx, p.ID, e.code(t, "late@factory.cn"), meta); err != nil {
		t.Fatal(err)
	}

	// The organisation fills up while a newcomer confirms: the newcomer is
	// refused and no account opens.
	_, big := e.register(t, input("北城勞務", "91110000710935732K"), "agency@test.cn")
	pending, err := e.svc.Invite(ctx, big, orgs.InviteInput{Email: "last@test.cn", Name: "最後"}, meta)
	if err != nil {
		t.Fatal(err)
	}
	e.last(t, "last@test.cn") // the invitation, delivered before the code
	st, err = e.svc.StartJoin(ctx, pending.Token, "最後", password, meta)
	if err != nil {
		t.Fatal(err)
	}
	code := e.code(t, "last@test.cn")
	o, _, _ := e.svc.Of(ctx, big.ID)
	// The list filled to its bound by hand.
	full := bson.A{bson.D{{Key: "id", Value: big.ID}, {Key: "part", Value: orgs.Manager}, {Key: "since", Value: time.Now()}}}
	for len(full) < orgs.MaxUsers {
		full = append(full, bson.D{{Key: "id", Value: core.NewID()}, {Key: "part", Value: orgs.Member}, {Key: "since", Value: time.Now()}})
	}
	if _, err := e.Store.C(orgs.Collection.Name).UpdateOne(ctx, bson.D{{Key: "_id", Value: o.ID}}, bson.D{{Key: "$set", Value: bson.D{{Key: "users", Value: full}}}}); err != nil {
		t.Fatal(err)
	}
	users = e.count(t, "users")
	if _, err := e.svc.Confirm(ctx, st.ID, code, meta); !core.IsCode(err, core.Conflict) {
		t.Fatalf("joining a full organisation: %v", err)
	}
	if e.count(t, "users") != users {
		t.Error("an account was opened for a full organisation")
	}
	if _, err := e.Store.KeyOwner(ctx, "email:last@test.cn"); !core.IsCode(err, core.NotFound) {
		t.Errorf("the refused newcomer's login is held: %v", err)
	}
}

// TestPurgeExpired: a registration whose code nobody confirmed and an
// invitation nobody took up are deleted once expired, and not before;
// an organisation's confirmed records stay.
func TestPurgeExpired(t *testing.T) {
	e := setup(t)
	_, mgr := e.register(t, input("東城第一製衣廠", "91350100M000100Y43"), "hr@factory.cn")
	if _, err := e.svc.Register(ctx, input("騰訊甲", "91440300708461136T"), orgs.NewUser{Email: "a@test.cn", Name: "甲", Password: password}, meta); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Invite(ctx, mgr, orgs.InviteInput{Phone: "13800138000", Name: "王出納"}, meta); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	if r, i := e.count(t, orgs.Registrations.Name), e.count(t, orgs.Invitations.Name); r != 1 || i != 1 {
		t.Fatalf("before they expire: %d registrations, %d invitations", r, i)
	}
	e.Advance(orgs.InviteTTL + time.Minute)
	if err := e.svc.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	if r, i, o := e.count(t, orgs.Registrations.Name), e.count(t, orgs.Invitations.Name), e.count(t, orgs.Collection.Name); r != 0 || i != 0 || o != 1 {
		t.Errorf("after they expired: %d registrations, %d invitations, %d organisations", r, i, o)
	}
}
