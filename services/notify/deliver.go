package notify

import (
	"context"
	"log/slog"
	"time"

	"onestop/search"
	"onestop/services/core"
	"onestop/services/store"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Deliveries is the outbox of messages for SMS / e-mail senders: one
// document per notification, written with it, sent by the worker.
var Deliveries = store.Collection{Name: "notify_deliveries"}

// DeliveryIndex finds the deliveries whose time has come.
var DeliveryIndex = search.Index{Name: "notify_deliveries", Keywords: []string{"status"}, Numbers: []string{"next_ms"}}

// Delivery states.
const (
	Pending = "pending"
	Sent    = "sent"
	Failed  = "failed"
)

// MaxAttempts bounds the tries of one delivery before it is marked failed.
const MaxAttempts = 5

// Delivery is one message waiting for (or done with) an outside sender.
// It goes to a person (UserID), or — a registration code, before any
// account exists — to a contact address (ContactSealed).
type Delivery struct {
	ID     string `bson:"_id"`
	UserID string `bson:"user_id"`
	// ContactSealed is the e-mail address or phone number of a message
	// to someone who has no account (yet), sealed with the pii vault under
	// ContactField; ContactMasked is its masked form, for logs. Nothing
	// else in the outbox holds the address.
	ContactSealed string    `bson:"contact_sealed,omitempty"`
	ContactMasked string    `bson:"contact_masked,omitempty"`
	Channel       string    `bson:"channel"` // "sms" or "email"
	Key           string    `bson:"key"`
	Arg           string    `bson:"arg,omitempty"`
	Link          string    `bson:"link,omitempty"`
	Status        string    `bson:"status"`
	Attempts      int       `bson:"attempts"`
	NextAt        time.Time `bson:"next_at"`
	LastErr       string    `bson:"last_err,omitempty"`
	SentAt        time.Time `bson:"sent_at,omitzero"`
}

func deliveryDoc(d *Delivery) *search.Doc {
	next := float64(0)
	if d.Status == Pending {
		next = float64(d.NextAt.UnixMilli())
	}
	return &search.Doc{ID: d.ID, Fields: map[string]any{"status": d.Status, "next_ms": next}}
}

// Sender hands a message to an outside channel. A real SMS or e-mail
// gateway is a small adapter: it looks up the person's contact details and
// preferred channel (accounts) — or, for a delivery to a contact, opens
// ContactSealed with the vault (field ContactField) — and calls its
// provider; an error means "try again later". It puts the message in the
// person's language, reading Arg with Word as the pages do.
type Sender interface {
	Deliver(ctx context.Context, d Delivery) error
}

// LogSender is the development sender: it logs what it would send. A
// message to a contact is logged with the masked address, its argument
// (a registration code) and its link (a reset's), so whoever runs the demo
// can read the code in the log.
type LogSender struct{ Log *slog.Logger }

// Deliver logs the message.
func (l LogSender) Deliver(_ context.Context, d Delivery) error {
	if d.UserID == "" {
		l.Log.Info("message for sender", "channel", d.Channel, "to", d.ContactMasked, "key", d.Key, "arg", d.Arg, "link", d.Link)
		return nil
	}
	// No argument: to a person it is often someone's name (a case due,
	// a file forwarded), and a log line is not erased with the person.
	l.Log.Info("message for sender", "channel", d.Channel, "user", d.UserID, "key", d.Key, "link", d.Link)
	return nil
}

// ContactField is the vault field under which a contact address is sealed.
const ContactField = "contact"

// Contact is where a message to someone without an account goes.
type Contact struct {
	Channel string // "sms" or "email"
	Sealed  string // the address, sealed with the vault under ContactField
	Masked  string // the address masked, for logs
}

// SendTo queues a message to a contact address: no in-app notification,
// only the delivery, which the sender worker hands on with retries like
// any other.
func (s *Service) SendTo(ctx context.Context, to Contact, key, arg string) error {
	return s.SendLinkTo(ctx, to, key, arg, "")
}

// SendLinkTo is SendTo with a link: a page of the portal the message
// leads to (a one-time link to set a new password), which the sender
// puts in the message as the site's address.
func (s *Service) SendLinkTo(ctx context.Context, to Contact, key, arg, link string) error {
	d := Delivery{ID: core.NewID(), ContactSealed: to.Sealed, ContactMasked: to.Masked, Channel: to.Channel,
		Key: key, Arg: arg, Link: link, Status: Pending, NextAt: s.clock.Now()}
	ctx = context.WithoutCancel(ctx)
	if err := s.store.Insert(ctx, Deliveries.Name, d); err != nil {
		return core.Wrap(err, "queue delivery")
	}
	if err := s.outbox.Changed(ctx, DeliveryIndex.Name, d.ID); err != nil {
		s.log.Warn("delivery index", "err", err)
	}
	return nil
}

// SetSender replaces the sender (a gateway adapter, or a test double).
func (s *Service) SetSender(x Sender) { s.sender = x }

// Channels says which outside channels a person wants messages on.
type Channels func(ctx context.Context, userID string) []string

// DefaultChannels is SMS for everyone: the bureau's usual channel.
func DefaultChannels(context.Context, string) []string { return []string{"sms"} }

// SetChannels replaces the channel preferences lookup.
func (s *Service) SetChannels(f Channels) { s.channels = f }

// enqueue writes one delivery per channel the person wants; its id is the
// notification's and the channel, so writing it twice cannot send twice.
func (s *Service) enqueue(ctx context.Context, n *Notification) {
	for _, ch := range s.channels(ctx, n.UserID) {
		d := Delivery{ID: n.ID + "-" + ch, UserID: n.UserID, Channel: ch, Key: n.Key, Arg: n.Arg, Link: n.Link, Status: Pending, NextAt: n.At}
		if err := s.store.Insert(ctx, Deliveries.Name, d); mongo.IsDuplicateKeyError(err) {
			continue // queued by an earlier run of SendOnce
		} else if err != nil {
			s.log.Error("delivery not queued", "err", err)
			continue
		}
		if err := s.outbox.Changed(ctx, DeliveryIndex.Name, d.ID); err != nil {
			s.log.Warn("delivery index", "err", err)
		}
	}
}

// DeliverReport says what one pass did.
type DeliverReport struct{ Sent, Retried, Failed int }

// DeliveryFailures is how many deliveries this process gave up on (after
// MaxAttempts) since it started.
func (s *Service) DeliveryFailures() int64 { return s.failed.Load() }

// Deliver is one pass of the sender worker over the deliveries whose time
// has come. Each is claimed with a guarded update on its attempt count
// before it is sent, so two workers never send the same one in the same
// attempt; a send that fails is retried with growing waits, then marked
// failed for an operator to see.
func (s *Service) Deliver(ctx context.Context) (DeliverReport, error) {
	var rep DeliverReport
	now := s.clock.Now()
	min, max := 1.0, float64(now.UnixMilli())
	err := search.Drain(ctx, s.outbox.Engine(), DeliveryIndex.Name, search.Query{
		Filters: []search.Filter{{Field: "status", Values: []string{Pending}}},
		Ranges:  []search.Range{{Field: "next_ms", Min: &min, Max: &max}}, Sort: []search.Sort{{Field: "next_ms"}}},
		func(id string) bool { return s.deliverOne(ctx, id, now, &rep) })
	return rep, err
}

func (s *Service) deliverOne(ctx context.Context, id string, now time.Time, rep *DeliverReport) bool {
	var d Delivery
	if err := s.store.C(Deliveries.Name).FindOne(ctx, idFilter(id)).Decode(&d); err != nil {
		return false
	}
	if d.Status != Pending || d.NextAt.After(now) {
		return false
	}
	// Claim: the attempt is ours only if nobody took it first. Until the
	// send is recorded, the next try waits a minute (a crashed sender's
	// claim runs out).
	claim := set("attempts", d.Attempts+1, "next_at", now.Add(time.Minute))
	if err := s.store.UpdateIf(ctx, Deliveries.Name, id, []store.Cond{store.Eq("status", Pending), store.Eq("attempts", d.Attempts)}, claim); err != nil {
		return false
	}
	d.Attempts++
	var update = set("status", Sent, "sent_at", now, "last_err", "")
	switch err := s.sender.Deliver(ctx, d); {
	case err == nil:
		rep.Sent++
	case d.Attempts >= MaxAttempts:
		update = set("status", Failed, "last_err", err.Error())
		rep.Failed++
		s.failed.Add(1)
		s.log.Error("delivery failed", "delivery", id, "attempts", d.Attempts, "err", err)
	default:
		update = set("next_at", now.Add(time.Duration(d.Attempts*d.Attempts)*time.Minute), "last_err", err.Error())
		rep.Retried++
	}
	if _, err := s.store.C(Deliveries.Name).UpdateOne(ctx, idFilter(id), update); err != nil {
		s.log.Error("delivery state not stored", "delivery", id, "err", core.Wrap(err, "delivery"))
	}
	_ = s.outbox.Changed(ctx, DeliveryIndex.Name, id)
	return true
}

// SenderLease is held by the replica that runs the sender worker.
const SenderLease = "notify-deliveries"

// Run does a delivery pass every interval while holding the lease.
func (s *Service) Run(ctx context.Context, holder string, every time.Duration) {
	s.store.RunLeased(ctx, SenderLease, holder, every, s.clock, func(ctx context.Context) {
		if rep, err := s.Deliver(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("sender worker", "err", err)
		} else if rep.Sent+rep.Retried+rep.Failed > 0 {
			s.log.Info("sender worker", "sent", rep.Sent, "retried", rep.Retried, "failed", rep.Failed)
		}
	})
}
