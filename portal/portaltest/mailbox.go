package portaltest

import (
	"context"
	"encoding/json"
	"sync"

	"onestop/portal"
	accountsweb "onestop/portal/accounts"
	"onestop/services/notify"
	"onestop/services/pii"
)

// mailbox is the test portal's SMS and e-mail gateway: it keeps what the
// portal hands over, so a test reads a registration code as a person
// reads their phone. Production has no such door: the code leaves only
// through the sender.
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

// newMailbox makes the mailbox app's sender; call it before the app serves.
func newMailbox(app *portal.App) *mailbox {
	m := &mailbox{}
	app.Bureau().Notify.SetSender(m)
	return m
}

// LastMessage runs the sender worker once and returns the latest message
// sent to login (an e-mail address or phone number in any form).
func (p *Portal) LastMessage(login string) notify.Delivery {
	p.T.Helper()
	got := p.Messages(login)
	if len(got) == 0 {
		p.T.Fatalf("no message to %s", login)
	}
	return got[len(got)-1]
}

// Messages runs the sender worker once and returns every message sent to
// login (an e-mail address or phone number in any form), oldest first.
func (p *Portal) Messages(login string) []notify.Delivery {
	p.T.Helper()
	want := pii.NormalizeEmail(login)
	if ph := pii.NormalizePhone(login); ph != "" {
		want = ph
	}
	if _, err := p.App.Bureau().Notify.Deliver(context.Background()); err != nil {
		p.T.Fatal(err)
	}
	vault := p.App.Vault()
	p.sent.mu.Lock()
	defer p.sent.mu.Unlock()
	var out []notify.Delivery
	for _, d := range p.sent.list {
		if to, err := vault.Open(notify.ContactField, d.ContactSealed); err == nil && to == want {
			out = append(out, d)
		}
	}
	return out
}

// Code is the registration code last sent to login.
func (p *Portal) Code(login string) string {
	p.T.Helper()
	d := p.LastMessage(login)
	if d.Key != "register.message.code" {
		p.T.Fatalf("the last message to %s is %s, not a code", login, d.Key)
	}
	return d.Arg
}

// ResetCode is the password-reset code last sent to login.
func (p *Portal) ResetCode(login string) string {
	p.T.Helper()
	d := p.LastMessage(login)
	if d.Key != "reset.message.code" {
		p.T.Fatalf("the last message to %s is %s, not a reset code", login, d.Key)
	}
	return d.Arg
}

// AdminReset is the link and code of the password reset an administrator
// last sent to login (the link is the portal's path, as the sender gets it).
func (p *Portal) AdminReset(login string) (link, code string) {
	p.T.Helper()
	d := p.LastMessage(login)
	if d.Key != "reset.message.admin" || d.Link == "" {
		p.T.Fatalf("the last message to %s is %s, not an administrator's reset", login, d.Key)
	}
	return d.Link, d.Arg
}

// Register signs up through the API as a person does: the form, the code
// from the message, the confirmation; it returns the signed-in tokens.
func (p *Portal) Register(body map[string]any, hdr ...string) accountsweb.TokenResponse {
	p.T.Helper()
	resp, raw := p.Do("POST", "/api/v1/auth/register", body, "", hdr...)
	if resp.StatusCode != 202 {
		p.T.Fatalf("register %v: %d %s", body, resp.StatusCode, raw)
	}
	var st accountsweb.RegisterResponse
	if err := json.Unmarshal(raw, &st); err != nil {
		p.T.Fatal(err)
	}
	login, _ := body["email"].(string)
	if login == "" {
		login, _ = body["phone"].(string)
	}
	confirm := map[string]string{"registration_id": st.RegistrationID, "code": p.Code(login)}
	resp, raw = p.Do("POST", "/api/v1/auth/register/confirm", confirm, "", hdr...)
	if resp.StatusCode != 200 {
		p.T.Fatalf("confirm %v: %d %s", body, resp.StatusCode, raw)
	}
	var tok accountsweb.TokenResponse
	if err := json.Unmarshal(raw, &tok); err != nil {
		p.T.Fatal(err)
	}
	return tok
}
