package mentors

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/store"
)

// Reply adds a message to the thread: the asker (or the staff who logged
// it), the assigned mentor, or an administrator. A mentor's first reply is
// the first answer and stops the clock.
func (s *Service) Reply(ctx context.Context, actor accounts.Principal, id, text string, m accounts.Meta) (*Consultation, error) {
	c, err := s.Get(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	var v core.Validation
	text = cleanText(&v, "text", text, 1)
	if err := v.Err(); err != nil {
		return nil, err
	}
	role := ""
	switch {
	case actor.ID == c.MentorID:
		role = "mentor"
	case actor.ID == c.AskerID && c.AskerID != "":
		role = "asker"
	case actor.ID == c.LoggedBy || actor.Role == accounts.Admin:
		role = "staff"
	default:
		return nil, core.Errorf(core.Forbidden, "error.forbidden") // a mentor it moved away from reads, no longer writes
	}
	if c.Status == Closed || c.Status == Unassigned {
		return nil, core.Errorf(core.Conflict, "error.consult.closed")
	}
	now := s.clock.Now()
	set := bson.D{{Key: "updated_at", Value: now}}
	if role == "mentor" && c.Status == Waiting {
		set = append(set, bson.E{Key: "status", Value: Answering}, bson.E{Key: "first_answer_at", Value: now})
	}
	msg := Message{At: now, AuthorID: actor.ID, AuthorName: actor.Name, Role: role, Text: text}
	if err := s.change(ctx, c, bson.D{{Key: "$set", Value: set}, {Key: "$push", Value: bson.D{{Key: "messages", Value: msg}}}}); err != nil {
		return nil, err
	}
	if role == "mentor" {
		s.tell(ctx, c, "reply")
	}
	s.audit.Record(ctx, actor.Actor(m), "consultation.reply", audit.Success, c.ID, role)
	return s.read(ctx, id)
}

// tell lets the asker know the mentor replied or answered, and the hotline
// member who logged the question for a caller too (they may call back).
func (s *Service) tell(ctx context.Context, c *Consultation, what string) {
	if c.AskerID != "" {
		s.notify.Send(ctx, c.AskerID, "notify.consult."+what, c.MentorName, "/consultations/"+c.ID)
	}
	if c.LoggedBy != "" {
		s.notify.Send(ctx, c.LoggedBy, "notify.consult.caller_"+what, c.AskerName, "/consultations/"+c.ID)
	}
}

// AttachAsker makes a linked caller the asker of the questions the hotline
// logged for their contact record, so they follow them in their own list.
func (s *Service) AttachAsker(ctx context.Context, contactID, accountID string) error {
	ids, err := search.AllIDs(ctx, s.outbox.Engine(), ConsultationIndex.Name, search.Filter{Field: "contact_id", Values: []string{contactID}})
	if err != nil {
		return err
	}
	for _, id := range ids {
		c, err := s.read(ctx, id)
		if err != nil || c.AskerID != "" {
			continue
		}
		if err := s.change(ctx, c, bson.D{{Key: "$set", Value: bson.D{{Key: "asker_id", Value: accountID}}}}); err != nil {
			return err
		}
	}
	return nil
}

// change applies an update guarded on the version read, keeping the index
// in step.
func (s *Service) change(ctx context.Context, c *Consultation, update bson.D) error {
	if err := s.outbox.Begin(ctx, ConsultationIndex.Name, c.ID); err != nil {
		return err
	}
	err := s.store.UpdateIf(ctx, "consultations", c.ID, []store.Cond{store.Eq("updated_at", c.UpdatedAt)}, update)
	s.outbox.Apply(ctx, ConsultationIndex.Name, c.ID)
	return err
}

// MarkAnswered is the mentor saying the question is answered; it frees the
// slot of their capacity.
func (s *Service) MarkAnswered(ctx context.Context, actor accounts.Principal, id string, m accounts.Meta) (*Consultation, error) {
	c, err := s.Get(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if actor.ID != c.MentorID {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	if c.Status != Answering {
		return nil, core.Errorf(core.Conflict, "error.consult.not_answering")
	}
	if err := s.change(ctx, c, bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: Answered}, {Key: "updated_at", Value: s.clock.Now()}}}}); err != nil {
		return nil, err
	}
	s.freeSlot(ctx, c.MentorID)
	_, _ = s.store.C("mentors").UpdateOne(ctx, bson.D{{Key: "_id", Value: c.MentorID}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "answered", Value: 1}}}})
	s.reindexMentor(ctx, c.MentorID)
	s.tell(ctx, c, "answered")
	s.audit.Record(ctx, actor.Actor(m), "consultation.answered", audit.Success, c.ID, "")
	return s.read(ctx, id)
}

func (s *Service) reindexMentor(ctx context.Context, id string) {
	_ = s.outbox.Changed(ctx, MentorIndex.Name, id)
	s.invalidate()
}

// Close ends the thread by the asker (or the staff who logged it) with a
// rating of 1–5 and a comment; a consultation is rated once.
func (s *Service) Close(ctx context.Context, actor accounts.Principal, id string, rating int, comment string, m accounts.Meta) (*Consultation, error) {
	c, err := s.Get(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if !(c.AskerID != "" && actor.ID == c.AskerID) && !(c.LoggedBy != "" && actor.ID == c.LoggedBy) {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	var v core.Validation
	switch {
	case rating == 0: // none chosen: ask for one, rather than state the scale
		v.Add("rating", "error.consult.rating.missing")
	case rating < 1 || rating > 5:
		v.Add("rating", "error.consult.rating")
	}
	comment = strings.TrimSpace(comment)
	v.Check(utf8.RuneCountInString(comment) <= 1000 && !strings.ContainsRune(comment, 0), "comment", "error.consult.text")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if c.Status != Answered && c.Status != Answering {
		return nil, core.Errorf(core.Conflict, "error.consult.not_answered")
	}
	now := s.clock.Now()
	if err := s.change(ctx, c, bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: Closed}, {Key: "rating", Value: rating},
		{Key: "rating_comment", Value: comment}, {Key: "closed_at", Value: now}, {Key: "updated_at", Value: now}}}}); err != nil {
		return nil, err
	}
	if c.Status == Answering {
		s.freeSlot(ctx, c.MentorID) // closed before the mentor marked it answered
	}
	_, _ = s.store.C("mentors").UpdateOne(ctx, bson.D{{Key: "_id", Value: c.MentorID}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "rating_sum", Value: rating}, {Key: "ratings", Value: 1}}}})
	s.reindexMentor(ctx, c.MentorID)
	s.audit.Record(ctx, actor.Actor(m), "consultation.close", audit.Success, c.ID, "")
	return s.read(ctx, id)
}

// Decline is a mentor passing a consultation on, with a reason; it moves
// to the next fitting mentor.
func (s *Service) Decline(ctx context.Context, actor accounts.Principal, id, reason string, m accounts.Meta) (*Consultation, error) {
	c, err := s.Get(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if actor.ID != c.MentorID {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n < 2 || n > 500 || strings.ContainsRune(reason, 0) {
		return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"reason": "error.reason.required"}}
	}
	if c.Status != Waiting {
		return nil, core.Errorf(core.Conflict, "error.consult.not_waiting")
	}
	if err := s.moveOn(ctx, c, "decline", reason); err != nil {
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "consultation.decline", audit.Success, c.ID, reason)
	return s.read(ctx, id)
}

// moveOn takes a waiting consultation from its mentor and routes it to the
// next one. The first step is guarded on the version read, so a decline
// and the deadline worker (or two workers) cannot both move it.
func (s *Service) moveOn(ctx context.Context, c *Consultation, why, note string) error {
	now := s.clock.Now()
	msg := Message{At: now, AuthorID: c.MentorID, AuthorName: c.MentorName, Role: "system", Event: why, Text: note}
	if err := s.change(ctx, c, bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: Unassigned}, {Key: "mentor_id", Value: ""},
		{Key: "mentor_name", Value: ""}, {Key: "updated_at", Value: now}},
	}, {Key: "$inc", Value: bson.D{{Key: "rematches", Value: 1}}}, {Key: "$push", Value: bson.D{{Key: "messages", Value: msg}}}}); err != nil {
		return err
	}
	s.freeSlot(ctx, c.MentorID)
	fresh, err := s.read(ctx, c.ID)
	if err != nil {
		return err
	}
	_, err = s.route(ctx, fresh, nil)
	return err
}

// Reassign hands a consultation to a chosen mentor: administrators at any
// time before it is answered, the asker while it waits for a first answer
// (picking from the suggestions).
func (s *Service) Reassign(ctx context.Context, actor accounts.Principal, id, mentorID string, m accounts.Meta) (*Consultation, error) {
	c, err := s.Get(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	admin := actor.Role == accounts.Admin
	asker := (c.AskerID != "" && actor.ID == c.AskerID) || (c.LoggedBy != "" && actor.ID == c.LoggedBy)
	if !admin && !asker {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	if c.Status != Waiting && c.Status != Unassigned {
		return nil, core.Errorf(core.Conflict, "error.consult.not_waiting")
	}
	if mentorID == c.MentorID {
		return c, nil
	}
	mt, err := s.Mentor(ctx, mentorID)
	if err != nil {
		return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"mentor_id": "error.consult.mentor"}}
	}
	if !admin && slices.Contains(c.SeenBy, mt.ID) {
		return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"mentor_id": "error.consult.mentor"}}
	}
	now := s.clock.Now()
	if c.Status == Waiting {
		if err := s.change(ctx, c, bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: Unassigned}, {Key: "mentor_id", Value: ""}, {Key: "updated_at", Value: now}}}}); err != nil {
			return nil, err
		}
		s.freeSlot(ctx, c.MentorID)
		if c, err = s.read(ctx, id); err != nil {
			return nil, err
		}
	}
	if admin {
		c.SeenBy = slices.DeleteFunc(slices.Clone(c.SeenBy), func(x string) bool { return x == mt.ID })
	}
	if _, err := s.route(ctx, c, mt); err != nil {
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "consultation.reassign", audit.Success, c.ID, mt.ID)
	return s.read(ctx, id)
}

// HalfTime is when the reminder goes out.
func (s *Service) halfTime(c *Consultation) time.Time { return c.AssignedAt.Add(s.AnswerWithin / 2) }
