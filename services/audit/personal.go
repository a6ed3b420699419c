package audit

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/search"
	"onestop/services/core"
	"onestop/services/privacy"
	"onestop/services/store"
)

// PersonalData is the audit log's part of the personal-data contract
// (services/privacy). The log must be kept (Cybersecurity Law Art. 21:
// six months at least) and no event is ever deleted or changed — with one
// exception, made here: when a person deletes their account, the name on
// the events they did becomes their pseudonym, and their name and numbers
// leave the events' details. Who (by account id), what, when and from
// where stay as they were.
func (l *Log) PersonalData() PersonalData { return PersonalData{l} }

// PersonalData implements privacy.Area and privacy.Follower.
type PersonalData struct{ l *Log }

// Name implements privacy.Area.
func (PersonalData) Name() string { return "audit" }

// Holds implements privacy.Area.
func (PersonalData) Holds() []string { return []string{Collection.Name} }

// exportedEvent is an event as the person gets it: what was done, when,
// and by whom — themselves, or a role ("hotline", "bank_officer"), never a
// staff member's name or address.
type exportedEvent struct {
	At     time.Time `json:"at"`
	Action string    `json:"action"`
	Result string    `json:"result"`
	By     string    `json:"by"`
	Target string    `json:"target,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

// Export implements privacy.Area: the events the person did and those
// done to their account.
func (p PersonalData) Export(ctx context.Context, id string) (*privacy.Part, error) {
	return p.ExportAbout(ctx, id, nil)
}

// ExportAbout implements privacy.Follower: also the events done to the
// records the other areas exported (a bank officer reading a loan's
// documents, staff revealing a number).
func (p PersonalData) ExportAbout(ctx context.Context, id string, recordIDs []string) (*privacy.Part, error) {
	seen := map[string]bool{}
	var events []*Event
	collect := func(field string, values []string) error {
		for chunk := range slices.Chunk(values, search.MaxLimit) {
			ids, err := p.find(ctx, field, chunk)
			if err != nil {
				return err
			}
			list, err := store.GetMany[Event](ctx, p.l.store, Collection.Name, ids)
			if err != nil {
				return err
			}
			for _, e := range list {
				if e != nil && !seen[e.ID] {
					seen[e.ID] = true
					events = append(events, e)
				}
			}
		}
		return nil
	}
	if err := collect("actor_id", []string{id}); err != nil {
		return nil, err
	}
	if err := collect("target", append([]string{id}, recordIDs...)); err != nil {
		return nil, err
	}
	slices.SortFunc(events, func(a, b *Event) int { return a.At.Compare(b.At) })
	var part privacy.Part
	for _, e := range events {
		by := e.ActorRole
		switch {
		case e.ActorID != "" && e.ActorID == id:
			by = privacy.You
		case by == "":
			by = privacy.Staff
		}
		part.Add("audit_event", e.ID, e.At, e.Result, exportedEvent{At: e.At, Action: e.Action, Result: e.Result, By: by, Target: e.Target, Detail: e.Detail})
	}
	return &part, nil
}

// find returns the ids of the events whose keyword field is one of values.
func (p PersonalData) find(ctx context.Context, field string, values []string) ([]string, error) {
	var ids []string
	for offset := 0; offset < privacy.MaxRecords; offset += search.MaxLimit {
		r, err := p.l.outbox.Engine().Search(ctx, Index.Name, search.Query{Filters: []search.Filter{{Field: field, Values: values}},
			Offset: offset, Limit: search.MaxLimit})
		if err != nil {
			return nil, &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
		}
		for _, h := range r.Hits {
			ids = append(ids, h.ID)
		}
		if len(r.Hits) < search.MaxLimit {
			break
		}
	}
	return ids, nil
}

// Erase implements privacy.Area (see PersonalData for the one change the
// log allows).
func (p PersonalData) Erase(ctx context.Context, subj privacy.Subject) error {
	for _, field := range []string{"actor_id", "target"} {
		ids, err := p.find(ctx, field, []string{subj.ID})
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := p.eraseOne(ctx, id, subj); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p PersonalData) eraseOne(ctx context.Context, id string, subj privacy.Subject) error {
	e, err := p.l.Get(ctx, id)
	if err != nil {
		return err
	}
	// Every event found is the person's or done to their account, so its
	// detail is about them. The actor's name goes only when the actor is
	// the person: a hotline officer of the same name who acted on them
	// keeps their own.
	set := bson.D{{Key: "detail", Value: subj.Scrub(e.Detail)}}
	if e.ActorID == subj.ID {
		set = append(set, bson.E{Key: "actor_name", Value: subj.Pseudonym})
	}
	if err := p.l.outbox.Begin(ctx, Index.Name, id); err != nil {
		return err
	}
	_, err = p.l.store.C(Collection.Name).UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: set}})
	p.l.outbox.Apply(ctx, Index.Name, id)
	return core.Wrap(err, "erase audit name")
}
