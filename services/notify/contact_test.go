package notify_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"onestop/services/notify"
)

// TestSendToContact: a message to an address without an account (a
// registration code) goes through the outbox like any other, addressed by
// the sealed contact; the development sender logs the masked address and
// the code, never the sealed value.
func TestSendToContact(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	var log bytes.Buffer
	e.svc.SetSender(notify.LogSender{Log: slog.New(slog.NewTextHandler(&log, nil))})
	to := notify.Contact{Channel: "sms", Sealed: "v1.sealed-phone", Masked: "139****9000"}
	if err := e.svc.SendTo(ctx, to, "register.message.code", "123456"); err != nil {
		t.Fatal(err)
	}
	rep, err := e.svc.Deliver(ctx)
	if err != nil || rep.Sent != 1 {
		t.Fatalf("deliver: %+v %v", rep, err)
	}
	line := log.String()
	for _, want := range []string{"channel=sms", "to=139****9000", "key=register.message.code", "arg=123456"} {
		if !strings.Contains(line, want) {
			t.Errorf("log lacks %q: %s", want, line)
		}
	}
	if strings.Contains(line, "sealed-phone") {
		t.Errorf("the sealed address was logged: %s", line)
	}
	if n, _ := e.svc.Unread(ctx, ""); n != 0 {
		t.Errorf("a contact message became a notification (%d)", n)
	}
}
