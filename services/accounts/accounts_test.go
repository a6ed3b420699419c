package accounts

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"onestop/search"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/notify"
	"onestop/services/outbox"
	"onestop/services/pii"
	"onestop/services/store"
	"onestop/services/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// must returns v, and panics (failing the test) on a constructor's error.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

const password = "Long-enough-9"

var cheap = Argon2{MemoryKiB: 64, Time: 1, Threads: 1}

// env is the service on a fresh database of the embedded store, with a
// clock the test moves and an outbox of messages the test reads.
type env struct {
	svc    *Service
	store  *store.Store
	vault  *pii.Vault
	notify *notify.Service
	audit  *audit.Log
	sent   *mailbox
	now    *atomic.Int64
	admin  Principal
}

func setup(t testing.TB, argon Argon2) *env {
	t.Helper()
	st := storetest.New(t, slices.Concat(Collections, notify.Collections, []store.Collection{outbox.Collection, audit.Collection})...)
	b, err := search.OpenBleve(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	now := new(atomic.Int64)
	now.Store(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC).UnixMilli())
	clock := core.Clock(func() time.Time { return time.UnixMilli(now.Load()) })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	o := outbox.New(st, b, log)
	n := must(notify.New(notify.Deps{Store: st, Outbox: o, Clock: clock, Log: log}))
	vault := must(pii.NewVault(bytes.Repeat([]byte{7}, 32)))
	a := must(audit.New(audit.Deps{Store: st, Outbox: o, Clock: clock, Log: log}))
	svc := must(New(Deps{Store: st, Outbox: o, Audit: a, Vault: vault, Clock: clock, Argon2: argon,
		Log: log, Tokens: TokenConfig{Key: bytes.Repeat([]byte{1}, 32)}, Notify: n}))
	if err := o.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	box := &mailbox{}
	n.SetSender(box)
	return &env{svc: svc, store: st, vault: vault, notify: n, audit: a, sent: box, now: now,
		admin: Principal{ID: "admin", Role: Admin, Name: "管理員"}}
}

func (e *env) advance(d time.Duration) { e.now.Add(d.Milliseconds()) }

// user opens an account with an e-mail login.
func (e *env) user(t testing.TB, email string, role Role) *User {
	t.Helper()
	u, err := e.svc.Create(context.Background(), e.admin, NewAccount{Email: email, Password: password, Name: "測試者", Role: role}, Meta{})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// mailbox is a sender double: it keeps what the portal would send.
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

// messages runs the sender worker once and returns every message sent to
// the masked address so far, oldest first.
func (e *env) messages(t testing.TB, masked string) []notify.Delivery {
	t.Helper()
	if _, err := e.notify.Deliver(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.sent.mu.Lock()
	defer e.sent.mu.Unlock()
	var out []notify.Delivery
	for _, d := range e.sent.list {
		if d.ContactMasked == masked {
			out = append(out, d)
		}
	}
	return out
}

// outcomes counts the results of attempts run at once by error code ("" is
// success).
type outcomes map[core.Code]int

// ran counts the attempts that were not refused by a limit.
func (o outcomes) ran() int {
	n := 0
	for code, k := range o {
		if code != core.TooManyRequests {
			n += k
		}
	}
	return n
}

// concurrently runs n calls of f at once and counts their outcomes.
func concurrently(n int, f func(i int) error) outcomes {
	var mu sync.Mutex
	out := outcomes{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			err := f(i)
			code := core.Code("")
			if err != nil {
				code = core.ErrorCode(err)
			}
			mu.Lock()
			out[code]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return out
}
