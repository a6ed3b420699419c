// Package servicetest builds what a service under test works with, on a
// fresh database of the embedded store: the search index, the outbox, the
// audit log, notifications, the vault, accounts, the reference lists, the
// working-day calendar, people, the policy catalogue and the figures, all
// on a clock the test moves. Each package's tests add their own service and call Ready.
package servicetest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/figures"
	"onestop/services/notify"
	"onestop/services/outbox"
	"onestop/services/people"
	"onestop/services/pii"
	"onestop/services/policy"
	"onestop/services/reference"
	"onestop/services/store"
	"onestop/services/store/storetest"
	"onestop/services/workdays"
)

// Env is the neighbourhood of a service under test.
type Env struct {
	Store    *store.Store
	Engine   search.Engine
	Outbox   *outbox.Outbox
	Audit    *audit.Log
	Notify   *notify.Service
	Vault    *pii.Vault
	Accounts *accounts.Service
	People   *people.Service
	Policies *policy.Catalogue
	Figures  *figures.Service
	// Reference is the reference lists, seeded.
	Reference *reference.Lists
	// Workdays is the working-day calendar, seeded (2026).
	Workdays *workdays.Calendar
	Now      *atomic.Int64 // the clock, in Unix milliseconds
	Clock    core.Clock
	Log      *slog.Logger
	// Admin is an administrator who exists only as a principal.
	Admin accounts.Principal
}

// Meta is the request metadata tests act with.
var Meta = accounts.Meta{IP: "192.0.2.10"}

// New builds the environment at start, with colls (the service's own
// collections) ensured besides the neighbours'.
func New(t testing.TB, start time.Time, colls ...store.Collection) *Env {
	t.Helper()
	all := slices.Concat([]store.Collection{outbox.Collection, audit.Collection, people.Collection, people.DisputeCollection, people.EvidenceCollection, people.RosterCollection, store.Leases}, accounts.Collections,
		notify.Collections, policy.Collections, figures.Collections, []store.Collection{reference.Collection, workdays.Collection}, colls)
	s := storetest.New(t, all...)
	b, err := search.OpenBleve(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	e := &Env{Store: s, Engine: b, Now: new(atomic.Int64), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Admin: accounts.Principal{ID: "admin", Role: accounts.Admin, Name: "管理員"}}
	e.Now.Store(start.UnixMilli())
	e.Clock = func() time.Time { return time.UnixMilli(e.Now.Load()) }
	e.Outbox = outbox.New(s, b, e.Log)
	e.Audit = Must(audit.New(audit.Deps{Store: s, Outbox: e.Outbox, Clock: e.Clock, Log: e.Log}))
	e.Notify = Must(notify.New(notify.Deps{Store: s, Outbox: e.Outbox, Clock: e.Clock, Log: e.Log}))
	e.Vault = Must(pii.NewVault(bytes.Repeat([]byte{9}, 32)))
	e.Accounts = Must(accounts.New(accounts.Deps{Store: s, Outbox: e.Outbox, Audit: e.Audit, Vault: e.Vault, Clock: e.Clock,
		Argon2: accounts.Argon2{MemoryKiB: 64, Time: 1, Threads: 1}, Log: e.Log, Notify: e.Notify}))
	e.Reference = Must(reference.New(reference.Deps{Store: s, Audit: e.Audit, Clock: e.Clock, Log: e.Log}))
	if err := e.Reference.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.Workdays = Must(workdays.New(workdays.Deps{Store: s, Audit: e.Audit, Clock: e.Clock, Log: e.Log}))
	if err := e.Workdays.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.Figures = Must(figures.New(figures.Deps{Store: s}))
	e.Policies = Must(policy.New(policy.Deps{Store: s, Audit: e.Audit, Clock: e.Clock, Figures: e.Figures, Reference: e.Reference}))
	if err := e.Policies.Seed(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.People = Must(people.New(people.Deps{Store: s, Outbox: e.Outbox, Audit: e.Audit, Vault: e.Vault, Notify: e.Notify, Clock: e.Clock, Policies: e.Policies, Reference: e.Reference}))
	return e
}

// NoProvider is a hotline's ProviderName where no training provider is
// on the list.
func NoProvider(context.Context, string) (string, bool) { return "", false }

// Must returns v, and panics (failing the test) on err: for constructors,
// whose only error is a dependency the test forgot.
func Must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Ready creates the search indexes: call it once the service under test
// has registered its own.
func (e *Env) Ready(t testing.TB) {
	t.Helper()
	if err := e.Outbox.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// Settle waits for the follow-ups of the writes so far (figure counts run
// after a write answers): call it before reading figures.
func (e *Env) Settle(t testing.TB) {
	t.Helper()
	Settle(t, e.Outbox)
}

// Settle waits for an outbox's follow-ups under way.
func Settle(t testing.TB, o *outbox.Outbox) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := o.Settle(ctx); err != nil {
		t.Fatalf("follow-ups did not run: %v", err)
	}
}

// Advance moves the clock.
func (e *Env) Advance(d time.Duration) { e.Now.Add(d.Milliseconds()) }

// Users creates an account per name with its role, and returns them as
// principals by name.
func (e *Env) Users(t testing.TB, roles map[string]accounts.Role) map[string]accounts.Principal {
	t.Helper()
	out := map[string]accounts.Principal{}
	for name, role := range roles {
		u, err := e.Accounts.Create(context.Background(), e.Admin, accounts.NewAccount{Email: name + "@test.cn", Password: "Long-enough-9", Name: name, Role: role}, Meta)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = accounts.Principal{ID: u.ID, Role: role, Name: name}
	}
	return out
}
