package accounts

import (
	"context"
	"testing"

	"onestop/services/core"
)

// TestOrgRegistration: a registration for an organisation's user opens
// an account of the organisation role only through its own door, whose
// organisation takes it in first; should the organisation refuse, no
// account is opened and the login stays free. A person's registration does
// not go through that door.
func TestOrgRegistration(t *testing.T) {
	e := setup(t, cheap)
	ctx := context.Background()
	m := Meta{IP: "192.0.2.7"}
	st, err := e.svc.StartOrgRegistration(ctx, NewAccount{Email: "hr@factory.cn", Name: "陳經理", Password: password, Role: Admin}, m)
	if err != nil {
		t.Fatal(err)
	}
	code := e.messages(t, st.SentTo)[0].Arg
	if _, err := e.svc.ConfirmRegistration(ctx, st.ID, code, m); fieldOf(err) != "error.code.expired" {
		t.Fatalf("through a person's door: %v", err)
	}
	refused := core.Errorf(core.Conflict, "error.org.code_taken")
	var joined *User
	if _, err := e.svc.ConfirmOrgRegistration(ctx, st.ID, code, m, func(_ context.Context, u *User) error { joined = u; return refused }); err != refused {
		t.Fatalf("the organisation refuses: %v", err)
	}
	if joined == nil || joined.Role != Organisation {
		t.Fatalf("the organisation was offered %+v", joined)
	}
	if _, err := e.svc.Get(ctx, joined.ID); !core.IsCode(err, core.NotFound) {
		t.Errorf("the refused account is there: %v", err)
	}
	if _, err := e.store.KeyOwner(ctx, "email:hr@factory.cn"); !core.IsCode(err, core.NotFound) {
		t.Errorf("the refused account's login is held: %v", err)
	}
	// The login registers again, and this time the organisation takes it.
	st, err = e.svc.StartOrgRegistration(ctx, NewAccount{Email: "hr@factory.cn", Name: "陳經理", Password: password}, m)
	if err != nil {
		t.Fatal(err)
	}
	msgs := e.messages(t, st.SentTo)
	tok, err := e.svc.ConfirmOrgRegistration(ctx, st.ID, msgs[len(msgs)-1].Arg, m, func(context.Context, *User) error { return nil })
	if err != nil || tok.User.Role != Organisation {
		t.Fatalf("taken in: %v", err)
	}
	// A person's registration is not an organisation's.
	p, err := e.svc.StartRegistration(ctx, NewAccount{Email: "me@test.cn", Name: "王", Password: password, Role: Organisation}, m)
	if err != nil {
		t.Fatal(err)
	}
	code = e.messages(t, p.SentTo)[0].Arg
	if _, err := e.svc.ConfirmOrgRegistration(ctx, p.ID, code, m, func(context.Context, *User) error { return nil }); fieldOf(err) != "error.code.expired" {
		t.Fatalf("a person's registration through the organisations' door: %v", err)
	}
	if tok, err := e.svc.ConfirmRegistration(ctx, p.ID, code, m); err != nil || tok.User.Role != Entrepreneur {
		t.Fatalf("a person asking for the organisation role registers as an entrepreneur: %v", err)
	}
}
