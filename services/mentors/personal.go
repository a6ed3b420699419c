package mentors

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/privacy"
	"onestop/services/store"
)

// A mentor whose account is disabled (or no longer a mentor's) is put on
// hold: paused, so the directory (active mentors only) and the routing
// (guarded on status active) leave them out, with the status they had kept
// beside it, so enabling the account again puts them back as they were.
// Their open consultations move on to the next fitting mentor.

// accountHold is the part of a mentor record the hold uses.
type accountHold struct {
	Status       string `bson:"status"`
	AccountOff   bool   `bson:"account_off"`
	StatusBefore string `bson:"status_before,omitempty"`
}

// mentorUnavailable is why a consultation moved on from a mentor whose
// account was disabled or deleted.
const mentorUnavailable = "mentor_unavailable"

// AccountChanged keeps a mentor in step with their account (register it
// with accounts.Service.OnChange): disabled, or no longer a mentor's, puts
// them on hold; enabled again takes the hold off.
func (s *Service) AccountChanged(ctx context.Context, u *accounts.User) {
	var err error
	if u.Disabled || u.Role != accounts.Mentor {
		err = s.hold(ctx, u.ID)
	} else {
		err = s.release(ctx, u.ID)
	}
	if err != nil && !core.IsCode(err, core.NotFound) {
		s.log().Warn("mentor not in step with the account", "mentor", u.ID, "err", err)
	}
}

// hold pauses a mentor for their account and moves their open
// consultations on.
func (s *Service) hold(ctx context.Context, id string) error {
	err := privacy.Retry(func() error {
		var h accountHold
		if err := s.store.Get(ctx, "mentors", id, &h); err != nil || h.AccountOff {
			return err
		}
		return s.setMentor(ctx, id, []store.Cond{store.Eq("status", h.Status)}, bson.D{{Key: "status", Value: Paused},
			{Key: "account_off", Value: true}, {Key: "status_before", Value: h.Status}})
	})
	if err != nil {
		return err
	}
	return s.moveAllOn(ctx, id)
}

// release takes the hold off: the mentor gets back the status they had,
// unless an administrator changed it meanwhile.
func (s *Service) release(ctx context.Context, id string) error {
	var h accountHold
	if err := s.store.Get(ctx, "mentors", id, &h); err != nil || !h.AccountOff {
		return err
	}
	status := h.Status
	if status == Paused && h.StatusBefore != "" {
		status = h.StatusBefore
	}
	return s.setMentor(ctx, id, []store.Cond{store.Eq("account_off", true)}, bson.D{{Key: "status", Value: status},
		{Key: "account_off", Value: false}, {Key: "status_before", Value: ""}})
}

// onHold reports whether a mentor is on hold for their account (an
// administrator may not make them active meanwhile).
func (s *Service) onHold(ctx context.Context, id string) bool {
	var h accountHold
	return s.store.Get(ctx, "mentors", id, &h) == nil && h.AccountOff
}

// setMentor changes a mentor record under conds, keeping the directory
// and the routing cache in step.
func (s *Service) setMentor(ctx context.Context, id string, conds []store.Cond, set bson.D) error {
	if err := s.outbox.Begin(ctx, MentorIndex.Name, id); err != nil {
		return err
	}
	set = append(set, bson.E{Key: "updated_at", Value: s.clock.Now()})
	err := s.store.UpdateIf(ctx, "mentors", id, conds, bson.D{{Key: "$set", Value: set}})
	s.outbox.Apply(ctx, MentorIndex.Name, id)
	s.invalidate()
	return err
}

// moveAllOn moves every consultation a mentor holds open (waiting for or
// in the middle of an answer) to the next fitting mentor.
func (s *Service) moveAllOn(ctx context.Context, mentorID string) error {
	ids, err := privacy.Find(ctx, s.outbox.Engine(), ConsultationIndex.Name, "mentor_id", mentorID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		err := privacy.Retry(func() error {
			c, err := s.read(ctx, id)
			if err != nil || c.MentorID != mentorID || (c.Status != Waiting && c.Status != Answering) {
				return err
			}
			return s.moveOn(ctx, c, mentorUnavailable, "")
		})
		if err != nil && !core.IsCode(err, core.NotFound) {
			return err
		}
	}
	return nil
}

// PersonalData is the mentor pool's and the consultations' part of the
// personal-data contract (services/privacy).
func (s *Service) PersonalData() PersonalData { return PersonalData{s} }

// PersonalData implements privacy.Area.
type PersonalData struct{ s *Service }

// Name implements privacy.Area.
func (PersonalData) Name() string { return "consultations" }

// Known implements privacy.Namer: the name a mentor shows in the pool.
func (p PersonalData) Known(ctx context.Context, id string) (names, numbers []string, err error) {
	m, err := p.s.Mentor(ctx, id)
	if core.IsCode(err, core.NotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return []string{m.Name}, nil, nil
}

// Holds implements privacy.Area.
func (PersonalData) Holds() []string { return []string{"mentors", "consultations"} }

type exportedMentor struct {
	Name       string    `json:"name"`
	Title      string    `json:"title,omitempty"`
	Type       string    `json:"type"`
	Industries []string  `json:"industries"`
	Topics     []string  `json:"topics"`
	Bio        string    `json:"bio"`
	Languages  []string  `json:"languages"`
	Capacity   int       `json:"capacity"`
	Contact    []string  `json:"contact"`
	Status     string    `json:"status"`
	Answered   int       `json:"answered"`
	Ratings    int       `json:"ratings"`
	Rating     float64   `json:"rating"`
	CreatedAt  time.Time `json:"created_at"`
}

type exportedConsultation struct {
	Topic         string            `json:"topic"`
	Industry      string            `json:"industry,omitempty"`
	Question      string            `json:"question,omitempty"`
	Status        string            `json:"status"`
	Mentor        string            `json:"mentor,omitempty"`
	Messages      []exportedMessage `json:"messages"`
	Rating        int               `json:"rating,omitempty"`
	RatingComment string            `json:"rating_comment,omitempty"`
	CreatedAt     time.Time         `json:"created_at"`
	ClosedAt      time.Time         `json:"closed_at,omitzero"`
}

type exportedMessage struct {
	At    time.Time `json:"at"`
	By    string    `json:"by"` // you, mentor, staff, system
	Event string    `json:"event,omitempty"`
	Text  string    `json:"text"`
}

// Export implements privacy.Area: the consultations the person asked, and,
// for a mentor, their profile and their own messages in the consultations
// they were given.
func (p PersonalData) Export(ctx context.Context, id string) (*privacy.Part, error) {
	part, err := p.ExportAsked(ctx, "asker_id", id, id)
	if err != nil {
		return nil, err
	}
	m, err := p.s.Mentor(ctx, id)
	if core.IsCode(err, core.NotFound) {
		return part, nil
	}
	if err != nil {
		return nil, err
	}
	part.Add("mentor_profile", m.ID, m.CreatedAt, m.Status, exportedMentor{Name: m.Name, Title: m.Title, Type: m.Type, Industries: m.Industries, Topics: m.Topics,
		Bio: m.Bio, Languages: m.Languages, Capacity: m.Capacity, Contact: m.Contact, Status: m.Status, Answered: m.Answered, Ratings: m.Ratings,
		Rating: m.Rating(), CreatedAt: m.CreatedAt})
	ids, err := privacy.Find(ctx, p.s.outbox.Engine(), ConsultationIndex.Name, "seen_by", id)
	if err != nil {
		return nil, err
	}
	list, err := store.GetMany[Consultation](ctx, p.s.store, "consultations", ids)
	if err != nil {
		return nil, err
	}
	for _, c := range list {
		if c == nil || !slices.Contains(c.SeenBy, id) {
			continue
		}
		ex := exportedConsultation{Topic: c.Topic, Industry: c.Industry, Status: c.Status, Messages: []exportedMessage{}, CreatedAt: c.CreatedAt}
		for _, msg := range c.Messages {
			if msg.AuthorID == id {
				ex.Messages = append(ex.Messages, exportedMessage{At: msg.At, By: privacy.You, Text: msg.Text})
			}
		}
		part.Add("consultation_answered", c.ID, c.CreatedAt, c.Status, ex)
	}
	return part, nil
}

// ExportAsked exports the consultations whose keyword field has value
// (asker_id for an account; the hotline's contact_id for a caller) as the
// asker personID sees them.
func (p PersonalData) ExportAsked(ctx context.Context, field, value, personID string) (*privacy.Part, error) {
	ids, err := privacy.Find(ctx, p.s.outbox.Engine(), ConsultationIndex.Name, field, value)
	if err != nil {
		return nil, err
	}
	list, err := store.GetMany[Consultation](ctx, p.s.store, "consultations", ids)
	if err != nil {
		return nil, err
	}
	var part privacy.Part
	for _, c := range list {
		if c == nil {
			continue
		}
		ex := exportedConsultation{Topic: c.Topic, Industry: c.Industry, Question: c.Question, Status: c.Status, Mentor: c.MentorName,
			Messages: []exportedMessage{}, Rating: c.Rating, RatingComment: c.RatingComment, CreatedAt: c.CreatedAt, ClosedAt: c.ClosedAt}
		for _, msg := range c.Messages {
			by := msg.Role
			if msg.AuthorID != "" && msg.AuthorID == personID {
				by = privacy.You
			}
			event, text := msg.Said()
			ex.Messages = append(ex.Messages, exportedMessage{At: msg.At, By: by, Event: event, Text: text})
		}
		part.Add("consultation", c.ID, c.CreatedAt, c.Status, ex)
	}
	return &part, nil
}

// Erase implements privacy.Area: the person's own consultations are closed
// and kept under the pseudonym; a mentor is retired from the pool (out of
// the directory and the routing for good), their open consultations move
// on, and their name leaves every consultation they were given.
func (p PersonalData) Erase(ctx context.Context, subj privacy.Subject) error {
	if err := p.EraseAsked(ctx, "asker_id", subj.ID, subj); err != nil {
		return err
	}
	var h accountHold
	err := p.s.store.Get(ctx, "mentors", subj.ID, &h)
	if core.IsCode(err, core.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	// The account is off for good: no administrator makes them active.
	if err := p.s.setMentor(ctx, subj.ID, nil, bson.D{{Key: "status", Value: Retired}, {Key: "name", Value: subj.Pseudonym},
		{Key: "bio", Value: ""}, {Key: "title", Value: ""}, {Key: "contact", Value: []string{}}, {Key: "account_off", Value: true}, {Key: "status_before", Value: Retired}}); err != nil {
		return err
	}
	if err := p.s.moveAllOn(ctx, subj.ID); err != nil {
		return err
	}
	ids, err := privacy.Find(ctx, p.s.outbox.Engine(), ConsultationIndex.Name, "seen_by", subj.ID)
	if err != nil {
		return err
	}
	// The askers' notifications quote their mentor's name: those of these
	// consultations are renamed (notify).
	return p.each(ctx, ids, subj, func(c *Consultation) bson.D { return p.scrubbed(c, subj, false) })
}

// EraseAsked closes and pseudonymises the consultations whose keyword
// field has value (asker_id, or the hotline's contact_id for a caller).
func (p PersonalData) EraseAsked(ctx context.Context, field, value string, subj privacy.Subject) error {
	ids, err := privacy.Find(ctx, p.s.outbox.Engine(), ConsultationIndex.Name, field, value)
	if err != nil {
		return err
	}
	return p.each(ctx, ids, subj, func(c *Consultation) bson.D {
		set := append(p.scrubbed(c, subj, true), bson.E{Key: "asker_name", Value: subj.Pseudonym},
			bson.E{Key: "question", Value: subj.Scrub(c.Question)}, bson.E{Key: "rating_comment", Value: subj.Scrub(c.RatingComment)})
		if c.Status != Closed {
			// Nobody answers a deleted account: the thread ends, and the
			// mentor's capacity comes back.
			set = append(set, bson.E{Key: "status", Value: Closed}, bson.E{Key: "closed_at", Value: p.s.clock.Now()})
		}
		return set
	})
}

// scrubbed is the $set that takes the subject's name and numbers out of a
// consultation's thread and, if they were its mentor, its mentor's name.
// Messages are theirs by author id, never by a name (the asker and the
// mentor may share one). In their own consultation (own) every message
// loses their name and numbers; in one they were only given as a mentor,
// the others' messages lose their numbers only.
func (p PersonalData) scrubbed(c *Consultation, subj privacy.Subject, own bool) bson.D {
	msgs := slices.Clone(c.Messages)
	for i := range msgs {
		mine := msgs[i].AuthorID == subj.ID ||
			// A mentor's "passed on" marker written before it carried the
			// mentor's id: by the name, in a thread given to them.
			(msgs[i].AuthorID == "" && msgs[i].Role == "system" && slices.Contains(c.SeenBy, subj.ID) && subj.IsName(msgs[i].AuthorName))
		if mine {
			msgs[i].AuthorName = subj.Pseudonym
		}
		if own || mine {
			msgs[i].Text = subj.Scrub(msgs[i].Text)
		} else {
			msgs[i].Text = subj.ScrubNumbers(msgs[i].Text)
		}
	}
	set := bson.D{{Key: "messages", Value: msgs}, {Key: "updated_at", Value: p.s.clock.Now()}}
	if c.MentorID == subj.ID {
		set = append(set, bson.E{Key: "mentor_name", Value: subj.Pseudonym})
	}
	return set
}

// each applies the $set change builds to each consultation, guarded on
// the version read (read again when someone wrote meanwhile); a thread
// closed while its mentor still held it gives the slot back.
func (p PersonalData) each(ctx context.Context, ids []string, subj privacy.Subject, change func(*Consultation) bson.D) error {
	for _, id := range ids {
		err := privacy.Retry(func() error {
			c, err := p.s.read(ctx, id)
			if err != nil {
				return err
			}
			set := change(c)
			if err := p.s.change(ctx, c, bson.D{{Key: "$set", Value: set}}); err != nil {
				return err
			}
			subj.Erased(c.ID)
			if (c.Status == Waiting || c.Status == Answering) && slices.ContainsFunc(set, func(e bson.E) bool { return e.Key == "status" }) {
				p.s.freeSlot(ctx, c.MentorID)
			}
			return nil
		})
		if err != nil && !core.IsCode(err, core.NotFound) {
			return err
		}
	}
	return nil
}
