// Package notify keeps in-app notifications: a line for a person when
// something happens to their records (an offer, a decision), with a link.
package notify

import (
	"context"
	"log/slog"
	"time"

	"onestop/search"
	"onestop/services/core"
	"onestop/services/outbox"
	"onestop/services/store"
)

// Collection holds notifications.
var Collection = store.Collection{Name: "notifications"}

// Index lists a person's notifications, newest first.
var Index = search.Index{Name: "notifications", Keywords: []string{"user_id", "key", "link", "arg"}, Times: []string{"at"}}

// Notification is one message, as a catalog key and its argument.
type Notification struct {
	ID     string    `bson:"_id"`
	UserID string    `bson:"user_id"`
	Key    string    `bson:"key"`
	Arg    string    `bson:"arg,omitempty"`
	Link   string    `bson:"link,omitempty"`
	At     time.Time `bson:"at"`
}

func toDoc(n *Notification) *search.Doc {
	return &search.Doc{ID: n.ID, Fields: map[string]any{"user_id": n.UserID, "key": n.Key, "arg": n.Arg, "link": n.Link, "at": n.At}}
}

// Service sends and lists notifications.
type Service struct {
	store  *store.Store
	outbox *outbox.Outbox
	clock  core.Clock
	log    *slog.Logger
}

// New returns the service and registers its index.
func New(s *store.Store, o *outbox.Outbox, clock core.Clock, log *slog.Logger) *Service {
	o.Register(outbox.SourceFor(s, Collection.Name, Index, toDoc))
	return &Service{store: s, outbox: o, clock: clock, log: log}
}

// Send records a notification; a failure is logged, never returned: the
// act it reports has happened.
func (s *Service) Send(ctx context.Context, userID, key, arg, link string) {
	n := Notification{ID: core.NewID(), UserID: userID, Key: key, Arg: arg, Link: link, At: s.clock.Now()}
	ctx = context.WithoutCancel(ctx)
	if _, err := s.store.C(Collection.Name).InsertOne(ctx, n); err != nil {
		s.log.Error("notification not stored", "err", err)
		return
	}
	if err := s.outbox.Changed(ctx, Index.Name, n.ID); err != nil {
		s.log.Warn("notification index", "err", err)
	}
}

// List returns a person's notifications, newest first.
func (s *Service) List(ctx context.Context, userID string, p core.Page) ([]Notification, int, error) {
	p = p.Normalize()
	r, err := s.outbox.Engine().Search(ctx, Index.Name, search.Query{
		Filters: []search.Filter{{Field: "user_id", Values: []string{userID}}}, Offset: p.Offset(), Limit: p.Size,
		Sort: []search.Sort{{Field: "at", Desc: true}}})
	if err != nil {
		return nil, 0, &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
	}
	out := make([]Notification, 0, len(r.Hits))
	for _, h := range r.Hits {
		out = append(out, Notification{ID: h.ID, UserID: userID, Key: h.String("key"), Arg: h.String("arg"), Link: h.String("link"), At: h.Time("at")})
	}
	return out, r.Total, nil
}
