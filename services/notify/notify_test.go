package notify_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"onestop/search"
	"onestop/services/core"
	"onestop/services/notify"
	"onestop/services/outbox"
	"onestop/services/store"
	"onestop/services/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

type env struct {
	svc *notify.Service
	now *atomic.Int64
}

func (e *env) advance(d time.Duration) { e.now.Add(d.Milliseconds()) }

func setup(t *testing.T) *env {
	t.Helper()
	s := storetest.New(t, slices.Concat(notify.Collections, []store.Collection{outbox.Collection})...)
	b, err := search.OpenBleve(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	now := new(atomic.Int64)
	now.Store(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC).UnixMilli())
	clock := core.Clock(func() time.Time { return time.UnixMilli(now.Load()) })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	o := outbox.New(s, b, log)
	svc, err := notify.New(notify.Deps{Store: s, Outbox: o, Clock: clock, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &env{svc: svc, now: now}
}

func TestUnreadBell(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	unread := func(user string) int {
		t.Helper()
		n, err := e.svc.Unread(ctx, user)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := unread("ann"); n != 0 {
		t.Fatalf("a new user has %d unread", n)
	}
	e.svc.Send(ctx, "ann", "notify.consult.new", "x", "/consultations/1")
	e.advance(time.Second)
	e.svc.Send(ctx, "ann", "notify.consult.new", "y", "/consultations/2")
	e.svc.Send(ctx, "bob", "notify.consult.new", "z", "/consultations/3")
	if n := unread("ann"); n != 2 {
		t.Errorf("ann unread = %d, want 2", n)
	}
	e.advance(time.Second)
	if err := e.svc.MarkRead(ctx, "ann"); err != nil {
		t.Fatal(err)
	}
	if n := unread("ann"); n != 0 {
		t.Errorf("after reading, ann unread = %d", n)
	}
	if n := unread("bob"); n != 1 {
		t.Errorf("bob's count changed with ann's reading: %d", n)
	}
	e.advance(time.Second)
	e.svc.Send(ctx, "ann", "notify.consult.new", "w", "/consultations/4")
	if n := unread("ann"); n != 1 {
		t.Errorf("a new one after reading: %d", n)
	}
}

// flaky fails its first n sends, then records.
type flaky struct {
	mu       sync.Mutex
	fail     int
	tries    int
	sent     map[string]int
	channels []string
}

func (f *flaky) Deliver(_ context.Context, d notify.Delivery) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tries++
	if f.tries <= f.fail {
		return errors.New("gateway down")
	}
	f.sent[d.ID]++
	f.channels = append(f.channels, d.Channel)
	return nil
}

func TestDeliveryOutbox(t *testing.T) {
	tests := []struct {
		name              string
		fail              int
		wait              time.Duration // between passes
		passes            int
		sent, retried, ko int
	}{
		{name: "sent at once", fail: 0, passes: 1, sent: 1},
		{name: "retried after the gateway recovers", fail: 2, wait: 10 * time.Minute, passes: 3, sent: 1, retried: 2},
		{name: "marked failed after the last attempt", fail: 100, wait: time.Hour, passes: notify.MaxAttempts + 2, retried: notify.MaxAttempts - 1, ko: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			ctx := context.Background()
			f := &flaky{fail: tt.fail, sent: map[string]int{}}
			e.svc.SetSender(f)
			e.svc.Send(ctx, "ann", "notify.consult.new", "x", "/consultations/1")
			var total notify.DeliverReport
			for range tt.passes {
				rep, err := e.svc.Deliver(ctx)
				if err != nil {
					t.Fatal(err)
				}
				total.Sent += rep.Sent
				total.Retried += rep.Retried
				total.Failed += rep.Failed
				e.advance(tt.wait)
			}
			if total.Sent != tt.sent || total.Retried != tt.retried || total.Failed != tt.ko {
				t.Errorf("report = %+v, want sent %d retried %d failed %d", total, tt.sent, tt.retried, tt.ko)
			}
			if n := e.svc.DeliveryFailures(); n != int64(tt.ko) {
				t.Errorf("delivery failures counted %d, want %d", n, tt.ko) // the onestop_delivery_failures_total metric
			}
			for id, n := range f.sent {
				if n != 1 {
					t.Errorf("delivery %s sent %d times", id, n)
				}
			}
		})
	}
}

// Each delivery goes on the channels the person asked for, none when they
// asked for none; the in-app notification comes regardless.
func TestDeliveryChannels(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	f := &flaky{sent: map[string]int{}}
	e.svc.SetSender(f)
	e.svc.SetChannels(func(_ context.Context, user string) []string {
		return map[string][]string{"ann": {"sms", "email"}, "bob": {}}[user]
	})
	e.svc.Send(ctx, "ann", "notify.consult.new", "x", "/c")
	e.svc.Send(ctx, "bob", "notify.consult.new", "y", "/c")
	if _, err := e.svc.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	slices.Sort(f.channels)
	if len(f.sent) != 2 || !slices.Equal(f.channels, []string{"email", "sms"}) {
		t.Errorf("sent %v on %v, want ann's sms and email only", f.sent, f.channels)
	}
	if n, _ := e.svc.Unread(ctx, "bob"); n != 1 {
		t.Errorf("bob's in-app notification: %d", n)
	}
}

// Two workers passing at once send every message exactly once.
func TestDeliveryNoDoubleSend(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	f := &flaky{sent: map[string]int{}}
	e.svc.SetSender(f)
	for range 30 {
		e.svc.Send(ctx, "ann", "notify.consult.new", "x", "/c")
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if _, err := e.svc.Deliver(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if _, err := e.svc.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	if len(f.sent) != 30 {
		t.Errorf("%d of 30 sent", len(f.sent))
	}
	for id, n := range f.sent {
		if n != 1 {
			t.Errorf("delivery %s sent %d times", id, n)
		}
	}
}

// TestMarkSeen: the list marks read only up to what it showed; showing it
// again writes nothing, so a notification that came after stays unread.
func TestMarkSeen(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	e.svc.Send(ctx, "ann", "notify.consult.new", "x", "/consultations/1")
	shown := time.UnixMilli(e.now.Load())
	e.advance(time.Second)
	if err := e.svc.MarkSeen(ctx, "ann", shown); err != nil {
		t.Fatal(err)
	}
	e.advance(time.Second)
	e.svc.Send(ctx, "ann", "notify.consult.new", "y", "/consultations/2")
	if err := e.svc.MarkSeen(ctx, "ann", shown); err != nil { // a list shown before the second came
		t.Fatal(err)
	}
	if n, err := e.svc.Unread(ctx, "ann"); err != nil || n != 1 {
		t.Errorf("unread = %d, %v; want the later one unread", n, err)
	}
	if err := e.svc.MarkSeen(ctx, "ann", time.UnixMilli(e.now.Load())); err != nil {
		t.Fatal(err)
	}
	if n, err := e.svc.Unread(ctx, "ann"); err != nil || n != 0 {
		t.Errorf("unread = %d, %v after seeing the newest", n, err)
	}
}
