// Package audit keeps the append-only log of security-relevant events
// (login, logout, account and role changes, reveals of sensitive data): who,
// when, from where, what, to what, and with which result. Nothing in the
// code base deletes an audit record or changes what it says happened; the
// one update is the erasure of a deleted person's name (personal.go).
package audit

import (
	"context"
	"log/slog"
	"time"

	"onestop/search"
	"onestop/services/core"
	"onestop/services/outbox"
	"onestop/services/store"
)

// Collection holds the events.
var Collection = store.Collection{Name: "audit"}

// Index lists events for the admin audit page.
var Index = search.Index{
	Name:     "audit",
	Text:     []string{"actor_name", "detail"},
	Keywords: []string{"action", "result", "actor_id", "actor_role", "target", "ip"},
	Times:    []string{"at"},
}

// Event is one audit record.
type Event struct {
	ID        string    `bson:"_id"`
	At        time.Time `bson:"at"`
	Action    string    `bson:"action"` // e.g. authn.login, user.role_change
	Result    string    `bson:"result"` // success, failure, denied
	ActorID   string    `bson:"actor_id,omitempty"`
	ActorRole string    `bson:"actor_role,omitempty"`
	ActorName string    `bson:"actor_name,omitempty"`
	IP        string    `bson:"ip,omitempty"`
	Target    string    `bson:"target,omitempty"` // the record acted on
	Detail    string    `bson:"detail,omitempty"` // never sensitive values
}

// Results.
const (
	Success = "success"
	Failure = "failure"
	Denied  = "denied"
)

// Actor is who did something, from where.
type Actor struct {
	ID, Role, Name, IP string
}

// Log writes events.
type Log struct {
	store  *store.Store
	outbox *outbox.Outbox
	clock  core.Clock
	log    *slog.Logger
}

// Deps wires the audit log.
type Deps struct {
	Store  *store.Store
	Outbox *outbox.Outbox
	Clock  core.Clock
	// Log takes the audit writes that failed (they never fail the action).
	Log *slog.Logger
}

// New returns the audit log and registers its index.
func New(d Deps) (*Log, error) {
	if err := core.CheckDeps("audit", d); err != nil {
		return nil, err
	}
	l := &Log{store: d.Store, outbox: d.Outbox, clock: d.Clock, log: d.Log}
	d.Outbox.Register(outbox.SourceFor(d.Store, Collection.Name, Index, toDoc))
	return l, nil
}

// Record appends an event. An audit write that fails is logged loudly but
// does not undo the action it records: the action already happened.
func (l *Log) Record(ctx context.Context, a Actor, action, result, target, detail string) {
	e := Event{
		ID: core.NewID(), At: l.clock.Now(), Action: action, Result: result,
		ActorID: a.ID, ActorRole: a.Role, ActorName: a.Name, IP: a.IP, Target: target, Detail: detail,
	}
	if err := l.store.Insert(context.WithoutCancel(ctx), Collection.Name, e); err != nil {
		l.log.Error("audit write failed", "action", action, "err", err)
		return
	}
	if err := l.outbox.Changed(context.WithoutCancel(ctx), Index.Name, e.ID); err != nil {
		l.log.Warn("audit index", "err", err)
	}
}

// Get reads one event.
func (l *Log) Get(ctx context.Context, id string) (*Event, error) {
	var e Event
	if err := l.store.Get(ctx, Collection.Name, id, &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// Query lists events newest first.
type Query struct {
	Text    string
	Action  string
	Result  string
	ActorID string
	Target  string
	Page    core.Page
}

// Search lists events from the search index.
func (l *Log) Search(ctx context.Context, q Query) (*search.Result, core.Page, error) {
	p := q.Page.Normalize()
	sq := search.Query{Text: q.Text, Offset: p.Offset(), Limit: p.Size, Sort: []search.Sort{{Field: "at", Desc: true}}}
	for field, v := range map[string]string{"action": q.Action, "result": q.Result, "actor_id": q.ActorID, "target": q.Target} {
		if v != "" {
			sq.Filters = append(sq.Filters, search.Filter{Field: field, Values: []string{v}})
		}
	}
	r, err := l.outbox.Engine().Search(ctx, Index.Name, sq)
	if err != nil {
		return nil, p, core.Wrap(&core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}, "audit search")
	}
	return r, p, nil
}

func toDoc(e *Event) *search.Doc {
	return &search.Doc{ID: e.ID, Fields: map[string]any{
		"action": e.Action, "result": e.Result, "actor_id": e.ActorID, "actor_role": e.ActorRole,
		"actor_name": e.ActorName, "target": e.Target, "ip": e.IP, "detail": e.Detail, "at": e.At,
	}}
}
