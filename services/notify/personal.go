package notify

import (
	"context"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/search"
	"onestop/services/core"
	"onestop/services/privacy"
	"onestop/services/store"
)

// PersonalData is the notifications' part of the personal-data contract
// (services/privacy): a person's own notifications, read mark and
// deliveries, and the notifications to others that name them (a case due,
// a file forwarded: the argument is the person's name).
func (s *Service) PersonalData() PersonalData { return PersonalData{s} }

// PersonalData implements privacy.Area.
type PersonalData struct{ s *Service }

// Name implements privacy.Area.
func (PersonalData) Name() string { return "notifications" }

// Holds implements privacy.Area.
func (PersonalData) Holds() []string { return []string{Collection.Name, inbox.Name, Deliveries.Name} }

// channels are the outside channels a delivery may have gone by; its id is
// the notification's and the channel.
var channels = []string{"sms", "email"}

type exportedNotification struct {
	Key  string    `json:"key"`
	Arg  string    `json:"arg,omitempty"`
	Link string    `json:"link,omitempty"`
	At   time.Time `json:"at"`
}

// Export implements privacy.Area: the person's notifications.
func (p PersonalData) Export(ctx context.Context, id string) (*privacy.Part, error) {
	ids, err := privacy.Find(ctx, p.s.outbox.Engine(), Index.Name, "user_id", id)
	if err != nil {
		return nil, err
	}
	list, err := store.GetMany[Notification](ctx, p.s.store, Collection.Name, ids)
	if err != nil {
		return nil, err
	}
	var part privacy.Part
	for _, n := range list {
		if n != nil && n.UserID == id {
			part.Add("notification", n.ID, n.At, "", exportedNotification{Key: n.Key, Arg: n.Arg, Link: n.Link, At: n.At})
		}
	}
	return &part, nil
}

// Erase implements privacy.Area: the person's own notifications, their
// deliveries and read mark go; a notification to someone else that quotes
// the person (a loan forwarded, a case due: the argument is the name on
// the record) keeps its place under the pseudonym — but only when it
// points at a record whose name the areas erased (privacy.Subject.Records).
// Its argument equalling a name proves nothing: another person may bear
// it, and an account may be named "6" or like a bank.
func (p PersonalData) Erase(ctx context.Context, subj privacy.Subject) error {
	own, err := privacy.Find(ctx, p.s.outbox.Engine(), Index.Name, "user_id", subj.ID)
	if err != nil {
		return err
	}
	for _, id := range own {
		if err := p.remove(ctx, Collection.Name, Index.Name, id); err != nil {
			return err
		}
		for _, ch := range channels {
			if err := p.remove(ctx, Deliveries.Name, DeliveryIndex.Name, id+"-"+ch); err != nil {
				return err
			}
		}
	}
	if _, err := p.s.store.C(inbox.Name).DeleteOne(ctx, idFilter(subj.ID)); err != nil {
		return core.Wrap(err, "erase read mark")
	}
	if subj.Records.Len() == 0 {
		return nil
	}
	for _, name := range subj.Names {
		quoting, err := p.quoting(ctx, subj, name)
		if err != nil {
			return err
		}
		for _, id := range quoting {
			if err := p.rename(ctx, id, name, subj.Pseudonym); err != nil {
				return err
			}
		}
	}
	return nil
}

// quoting returns the notifications to other people whose argument is
// name and whose link points at a record the erasure took the person's
// name from. The index row has the link, so no notification is read.
func (p PersonalData) quoting(ctx context.Context, subj privacy.Subject, name string) ([]string, error) {
	var ids []string
	for offset := 0; offset < privacy.MaxRecords; offset += search.MaxLimit {
		r, err := p.s.outbox.Engine().Search(ctx, Index.Name, search.Query{Filters: []search.Filter{{Field: "arg", Values: []string{name}}},
			Offset: offset, Limit: search.MaxLimit})
		if err != nil {
			return nil, &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
		}
		for _, h := range r.Hits {
			if h.String("user_id") != subj.ID && pointsAt(h.String("link"), subj) {
				ids = append(ids, h.ID)
			}
		}
		if len(r.Hits) < search.MaxLimit {
			break
		}
	}
	return ids, nil
}

// pointsAt reports whether a notification's link ("/loans/<id>",
// "/cases/<id>?tab=plan") names a record the erasure took the person's name
// from.
func pointsAt(link string, subj privacy.Subject) bool {
	link, _, _ = strings.Cut(link, "?")
	link, _, _ = strings.Cut(link, "#")
	for seg := range strings.SplitSeq(link, "/") {
		if subj.WasErased(seg) {
			return true
		}
	}
	return false
}

// remove deletes one document and its index entry (the outbox noted
// first, so a crash in between still takes it out of the index).
func (p PersonalData) remove(ctx context.Context, coll, index, id string) error {
	if err := p.s.outbox.Begin(ctx, index, id); err != nil {
		return err
	}
	if _, err := p.s.store.C(coll).DeleteOne(ctx, idFilter(id)); err != nil {
		return core.Wrap(err, "erase "+coll)
	}
	p.s.outbox.Apply(ctx, index, id)
	return nil
}

// rename replaces the argument of a notification (and of its deliveries)
// if it is still the name.
func (p PersonalData) rename(ctx context.Context, id, name, pseudonym string) error {
	for _, d := range []struct{ coll, index, id string }{
		{Collection.Name, Index.Name, id}, {Deliveries.Name, DeliveryIndex.Name, id + "-sms"}, {Deliveries.Name, DeliveryIndex.Name, id + "-email"},
	} {
		if err := p.s.outbox.Begin(ctx, d.index, d.id); err != nil {
			return err
		}
		err := p.s.store.UpdateIf(ctx, d.coll, d.id, []store.Cond{store.Eq("arg", name)}, bson.D{{Key: "$set", Value: bson.D{{Key: "arg", Value: pseudonym}}}})
		p.s.outbox.Apply(ctx, d.index, d.id)
		if err != nil && !core.IsCode(err, core.NotFound) && !core.IsCode(err, core.Conflict) {
			return err
		}
	}
	return nil
}
