// Package notify keeps in-app notifications: a line for a person when
// something happens to their records (an offer, a decision), with a link;
// the unread count behind the bell; and the delivery outbox that hands
// each notification to an SMS / e-mail sender (deliver.go).
package notify

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"onestop/search"
	"onestop/services/core"
	"onestop/services/outbox"
	"onestop/services/store"
)

// Collection holds notifications.
var Collection = store.Collection{Name: "notifications"}

// Index lists a person's notifications, newest first.
var Index = search.Index{Name: "notifications", Keywords: []string{"user_id", "key", "link", "arg"}, Numbers: []string{"at_ms"}, Times: []string{"at"}}

// inbox is a person's read mark: notifications after SeenAt are unread.
// Read by _id on every page, so the bell costs one lookup and one count.
var inbox = store.Collection{Name: "notify_inbox"}

type inboxDoc struct {
	UserID string    `bson:"_id"`
	SeenAt time.Time `bson:"seen_at"`
}

// Collections of the package.
var Collections = []store.Collection{Collection, inbox, Deliveries}

// Notification is one message, as a catalog key and its argument.
type Notification struct {
	ID     string    `bson:"_id"`
	UserID string    `bson:"user_id"`
	Key    string    `bson:"key"`
	Arg    string    `bson:"arg,omitempty"`
	Link   string    `bson:"link,omitempty"`
	At     time.Time `bson:"at"`
}

// hitTime is when a listed notification came, to the millisecond as it is
// stored (the engine's date field may keep whole seconds only): the read
// mark is set from it.
func hitTime(h search.Hit) time.Time {
	if ms := h.Number("at_ms"); ms > 0 {
		return time.UnixMilli(int64(ms)).UTC()
	}
	return h.Time("at")
}

func toDoc(n *Notification) *search.Doc {
	return &search.Doc{ID: n.ID, Fields: map[string]any{"user_id": n.UserID, "key": n.Key, "arg": n.Arg, "link": n.Link, "at": n.At, "at_ms": float64(n.At.UnixMilli())}}
}

// Service sends and lists notifications.
type Service struct {
	failed   atomic.Int64 // deliveries given up since start (DeliveryFailures)
	store    *store.Store
	outbox   *outbox.Outbox
	clock    core.Clock
	log      *slog.Logger
	sender   Sender
	channels Channels
}

// Deps wires the service. The sender and the channels have defaults (the
// log, DefaultChannels) and are set after construction (SetSender,
// SetChannels): mentors' channels come from a service built later.
type Deps struct {
	Store  *store.Store
	Outbox *outbox.Outbox
	Clock  core.Clock
	Log    *slog.Logger
}

// New returns the service and registers its index.
func New(d Deps) (*Service, error) {
	if err := core.CheckDeps("notify", d); err != nil {
		return nil, err
	}
	d.Outbox.Register(outbox.SourceFor(d.Store, Collection.Name, Index, toDoc))
	d.Outbox.Register(outbox.SourceFor(d.Store, Deliveries.Name, DeliveryIndex, deliveryDoc))
	return &Service{store: d.Store, outbox: d.Outbox, clock: d.Clock, log: d.Log, sender: LogSender{Log: d.Log}, channels: DefaultChannels}, nil
}

// Send records a notification; a failure is logged, never returned: the
// act it reports has happened.
func (s *Service) Send(ctx context.Context, userID, key, arg, link string) {
	n := Notification{ID: core.NewID(), UserID: userID, Key: key, Arg: arg, Link: link, At: s.clock.Now()}
	ctx = context.WithoutCancel(ctx)
	if err := s.store.Insert(ctx, Collection.Name, n); err != nil {
		s.log.Error("notification not stored", "err", err)
		return
	}
	if err := s.outbox.Changed(ctx, Index.Name, n.ID); err != nil {
		s.log.Warn("notification index", "err", err)
	}
	s.enqueue(ctx, &n)
}

// SendOnce records a notification under an id its caller derives from
// what it reports (core.IDOf), so an act that runs again — a worker's
// retry after a crash — tells the person once; its deliveries are keyed by
// it too. Unlike Send it returns a failure to store: the caller retries.
func (s *Service) SendOnce(ctx context.Context, id, userID, key, arg, link string) error {
	n := Notification{ID: id, UserID: userID, Key: key, Arg: arg, Link: link, At: s.clock.Now()}
	err := s.store.Insert(ctx, Collection.Name, n)
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return core.Wrap(err, "notification")
	}
	if err == nil {
		if err := s.outbox.Changed(ctx, Index.Name, n.ID); err != nil {
			s.log.Warn("notification index", "err", err)
		}
	}
	s.enqueue(ctx, &n) // (again after a crash between the two: each delivery once)
	return nil
}

// Unread counts a person's notifications newer than their read mark.
func (s *Service) Unread(ctx context.Context, userID string) (int, error) {
	var in inboxDoc
	err := s.store.C(inbox.Name).FindOne(ctx, bson.D{{Key: "_id", Value: userID}}).Decode(&in)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return 0, core.Wrap(err, "read inbox")
	}
	after := float64(in.SeenAt.UnixMilli() + 1)
	r, err := s.outbox.Engine().Search(ctx, Index.Name, search.Query{
		Filters: []search.Filter{{Field: "user_id", Values: []string{userID}}},
		Ranges:  []search.Range{{Field: "at_ms", Min: &after}}, Limit: 1})
	if err != nil {
		return 0, &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
	}
	return r.Total, nil
}

// MarkRead moves a person's read mark to now.
func (s *Service) MarkRead(ctx context.Context, userID string) error {
	_, err := s.store.C(inbox.Name).UpdateOne(ctx, bson.D{{Key: "_id", Value: userID}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "seen_at", Value: s.clock.Now()}}}}, options.UpdateOne().SetUpsert(true))
	return core.Wrap(err, "mark read")
}

// MarkSeen moves the read mark up to newest, the newest notification the
// person has seen: one that came later stays unread. A mark already there
// is left alone, and nothing is written.
func (s *Service) MarkSeen(ctx context.Context, userID string, newest time.Time) error {
	var in inboxDoc
	err := s.store.C(inbox.Name).FindOne(ctx, bson.D{{Key: "_id", Value: userID}}).Decode(&in)
	if err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return core.Wrap(err, "read inbox")
	}
	if err == nil && !in.SeenAt.Before(newest) {
		return nil
	}
	_, err = s.store.C(inbox.Name).UpdateOne(ctx, bson.D{{Key: "_id", Value: userID}},
		// $max: two pages posting at once never move the mark back.
		bson.D{{Key: "$max", Value: bson.D{{Key: "seen_at", Value: newest}}}}, options.UpdateOne().SetUpsert(true))
	return core.Wrap(err, "mark seen")
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
		out = append(out, Notification{ID: h.ID, UserID: userID, Key: h.String("key"), Arg: h.String("arg"), Link: h.String("link"), At: hitTime(h)})
	}
	return out, r.Total, nil
}

func idFilter(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }

// set builds a $set of field, value pairs.
func set(kv ...any) bson.D {
	var d bson.D
	for i := 0; i+1 < len(kv); i += 2 {
		d = append(d, bson.E{Key: kv[i].(string), Value: kv[i+1]})
	}
	return bson.D{{Key: "$set", Value: d}}
}
