package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"

	"onestop/portal"
	"onestop/services/accounts"
	"onestop/services/notify"
	"onestop/services/pii"
)

// TestMain runs the tests, or — when ONESTOP_TEST_PORTAL_ARGS is set — the
// portal itself with those arguments (separated by \x1f): the crash test
// starts this binary as a portal it can kill.
func TestMain(m *testing.M) {
	if args := os.Getenv("ONESTOP_TEST_PORTAL_ARGS"); args != "" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := Main(ctx, strings.Split(args, "\x1f"), os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

const testPassword = "Ch4ng3-me-not!"

// testApp is a portal started on a data directory as the binary would
// (keys from settings or the key files), answering in process.
type testApp struct {
	t    *testing.T
	app  *portal.App
	cfg  *portal.Config
	sent *mailbox
}

// startApp starts the portal on data with settings args; the test closes
// it (a command may need the data directory to itself).
func startApp(t *testing.T, data string, args ...string) *testApp {
	t.Helper()
	cfg, err := portal.LoadConfig(append([]string{"-data", data, "-metrics-addr", "off"}, args...), func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.FastHashing = true
	app, err := portal.NewApp(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ta := &testApp{t: t, app: app, cfg: cfg, sent: &mailbox{}}
	app.Bureau().Notify.SetSender(ta.sent)
	return ta
}

func (ta *testApp) close() {
	if err := ta.app.Close(context.Background()); err != nil {
		ta.t.Fatal(err)
	}
}

// do sends a request; body is JSON-encoded.
func (ta *testApp) do(method, path string, body any, token string) (*http.Response, []byte) {
	ta.t.Helper()
	var r io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		r = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := ta.app.HTTP().Test(req, -1)
	if err != nil {
		ta.t.Fatal(err)
	}
	out, _ := io.ReadAll(resp.Body)
	return resp, out
}

// account creates an account of a role and signs it in.
func (ta *testApp) account(role accounts.Role, email string) (id, access string) {
	ta.t.Helper()
	ctx := context.Background()
	acc := ta.app.Bureau().Accounts
	admin := accounts.Principal{ID: "bootstrap", Role: accounts.Admin}
	u, err := acc.Create(ctx, admin, accounts.NewAccount{Email: email, Password: testPassword, Name: "測試" + string(role), Role: role}, accounts.Meta{IP: "192.0.2.1"})
	if err != nil {
		ta.t.Fatal(err)
	}
	return u.ID, ta.login(email)
}

// login signs an account in and returns its access token.
func (ta *testApp) login(login string) string {
	ta.t.Helper()
	tok, err := ta.app.Bureau().Accounts.Login(context.Background(), login, testPassword, accounts.Meta{IP: "192.0.2.1"})
	if err != nil {
		ta.t.Fatalf("sign-in by %s: %v", login, err)
	}
	return tok.Access
}

// register signs up through the API as a person does (the form, the code
// from the message, the confirmation); it returns the new account's id.
func (ta *testApp) register(body map[string]any) string {
	ta.t.Helper()
	resp, raw := ta.do("POST", "/api/v1/auth/register", body, "")
	if resp.StatusCode != 202 {
		ta.t.Fatalf("register %v: %d %s", body, resp.StatusCode, raw)
	}
	st := decode[struct {
		RegistrationID string `json:"registration_id"`
	}](ta.t, raw)
	login, _ := body["email"].(string)
	if login == "" {
		login, _ = body["phone"].(string)
	}
	d := ta.lastMessage(login)
	if d.Key != "register.message.code" {
		ta.t.Fatalf("the last message to %s is %s, not a code", login, d.Key)
	}
	resp, raw = ta.do("POST", "/api/v1/auth/register/confirm", map[string]string{"registration_id": st.RegistrationID, "code": d.Arg}, "")
	if resp.StatusCode != 200 {
		ta.t.Fatalf("confirm %v: %d %s", body, resp.StatusCode, raw)
	}
	return decode[struct {
		User struct{ ID string } `json:"user"`
	}](ta.t, raw).User.ID
}

// mailbox is the test portal's SMS and e-mail gateway: it keeps what the
// portal hands over, so a test reads a message as a person reads their
// phone.
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

// lastMessage runs the sender worker once and returns the latest message
// sent to login (an e-mail address or phone number in any form).
func (ta *testApp) lastMessage(login string) notify.Delivery {
	ta.t.Helper()
	want := pii.NormalizeEmail(login)
	if p := pii.NormalizePhone(login); p != "" {
		want = p
	}
	if _, err := ta.app.Bureau().Notify.Deliver(context.Background()); err != nil {
		ta.t.Fatal(err)
	}
	vault, err := portal.OpenVault(ta.cfg)
	if err != nil {
		ta.t.Fatal(err)
	}
	ta.sent.mu.Lock()
	defer ta.sent.mu.Unlock()
	for i := len(ta.sent.list) - 1; i >= 0; i-- {
		d := ta.sent.list[i]
		if to, err := vault.Open(notify.ContactField, d.ContactSealed); err == nil && to == want {
			return d
		}
	}
	ta.t.Fatalf("no message to %s", login)
	return notify.Delivery{}
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %T: %v (%s)", v, err, b)
	}
	return v
}

// run runs the command line and returns its exit code and output.
func run(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}
