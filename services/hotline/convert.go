package hotline

import (
	"context"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/mentors"
	"onestop/services/onestop"
)

// Ask files a consultation for a contact: the caller is named from the
// record, and the consultation is tied to it.
func (s *Service) Ask(ctx context.Context, actor accounts.Principal, contactID string, q mentors.Question, m accounts.Meta) (*mentors.Consultation, error) {
	var v core.Validation
	contact, err := s.contactField(ctx, actor, &v, contactID)
	if err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	q.ContactID, q.CallerName, q.AccountID = contact.ID, contact.Name, contact.AccountID
	return s.mentors.Ask(ctx, actor, q, m)
}

// RequestService files a one-stop service request for a contact: owned by
// their account when the record is linked to one.
func (s *Service) RequestService(ctx context.Context, actor accounts.Principal, contactID string, in onestop.NewRequest, m accounts.Meta) (*onestop.Request, error) {
	var v core.Validation
	contact, err := s.contactField(ctx, actor, &v, contactID)
	if err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.onestop.CreateFor(ctx, actor, onestop.Owner{AccountID: contact.AccountID, ContactID: contact.ID, Name: contact.Name}, in, m)
}

// Conversion turns a call into a consultation or a service request (one
// click on the call's row: the call's notes become the question or the
// details).
type Conversion struct {
	To    string `json:"to"`              // consultation or service
	Topic string `json:"topic,omitempty"` // consultation: a mentor topic
	Type  string `json:"type,omitempty"`  // service: a one-stop type
}

// MentorTopic maps a call topic to the mentor topic a consultation about it
// starts with.
var MentorTopic = map[string]string{
	"eligibility": "financing", "training": "operations", "loan": "financing", "subsidy": "financing",
	"registration": "licensing", "tax": "tax", "premises": "operations", "incubator": "operations",
	"mentoring": "operations", "restart": "restart", "portal": "operations", "other": "operations",
}

// Convert makes a consultation or service request from a call and links it
// on the call. It returns the kind and id of what was made.
func (s *Service) Convert(ctx context.Context, actor accounts.Principal, callID string, in Conversion, m accounts.Meta) (Link, error) {
	call, err := s.Call(ctx, actor, callID)
	if err != nil {
		return Link{}, err
	}
	var l Link
	switch in.To {
	case "consultation":
		topic := in.Topic
		if topic == "" {
			topic = MentorTopic[call.Topic]
		}
		x, err := s.Ask(ctx, actor, call.ContactID, mentors.Question{Topic: topic, Question: call.Notes}, m)
		if err != nil {
			return Link{}, err
		}
		l = Link{Kind: "consultation", ID: x.ID}
	case "service":
		r, err := s.RequestService(ctx, actor, call.ContactID, onestop.NewRequest{Type: in.Type, Details: call.Notes}, m)
		if err != nil {
			return Link{}, err
		}
		l = Link{Kind: "service", ID: r.ID}
	default:
		return Link{}, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"to": "error.enum"}}
	}
	l.At = s.clock.Now()
	s.linkCall(ctx, call.ID, l)
	return l, nil
}

// CaseHelp is help arranged from a case: a consultation (topic "restart"
// unless given), a service request, or a record that eligibility was
// checked afresh.
type CaseHelp struct {
	Kind     string `json:"kind"` // consultation or service
	Topic    string `json:"topic,omitempty"`
	Type     string `json:"type,omitempty"`
	Question string `json:"text"`
}

// Help arranges a consultation or service request for a case's person and
// links it on the case.
func (s *Service) Help(ctx context.Context, actor accounts.Principal, id string, in CaseHelp, m accounts.Meta) (*Case, error) {
	c, err := s.openStaffCase(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	var l Link
	switch in.Kind {
	case "consultation":
		if in.Topic == "" {
			in.Topic = "restart"
		}
		x, err := s.Ask(ctx, actor, c.ContactID, mentors.Question{Topic: in.Topic, Question: in.Question}, m)
		if err != nil {
			return nil, err
		}
		l = Link{Kind: "consultation", ID: x.ID}
	case "service":
		r, err := s.RequestService(ctx, actor, c.ContactID, onestop.NewRequest{Type: in.Type, Details: in.Question}, m)
		if err != nil {
			return nil, err
		}
		l = Link{Kind: "service", ID: r.ID}
	default:
		return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"kind": "error.enum"}}
	}
	return s.AddLink(ctx, actor, c.ID, l, m)
}
