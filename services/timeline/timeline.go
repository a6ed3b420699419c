// Package timeline is one person's history across the areas, for staff:
// calls, complaints, follow-up cases, service requests, mentor
// consultations, loan files, base applications and training enrolments,
// newest first, each with the page of its record. It reads only the
// search indexes the areas keep (a person's records are found by the
// keyword that names them there), so it costs one query per area.
package timeline

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"time"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/bases"
	"onestop/services/core"
	"onestop/services/hotline"
	"onestop/services/loans"
	"onestop/services/mentors"
	"onestop/services/onestop"
	"onestop/services/training"
)

// Entry is one record of the person's.
type Entry struct {
	At     time.Time `json:"at"`
	Kind   string    `json:"kind"` // call, complaint, case, service, consultation, loan, application, enrolment
	ID     string    `json:"id"`
	Status string    `json:"status,omitempty"`
	// Detail is a code the page labels (a service type, a call topic, a
	// consultation topic, a loan policy) or text of the record (a
	// complaint's subject, a base's name).
	Detail string `json:"detail,omitempty"`
}

// source is where one kind of record is found: the index, the keyword
// that names the person (or their hotline contact), and the field to show.
type source struct {
	kind, index, field, detail string
	byContact                  bool
}

var sources = []source{
	{kind: "call", index: hotline.CallIndex.Name, field: "contact_id", detail: "topic", byContact: true},
	{kind: "complaint", index: hotline.ComplaintIndex.Name, field: "complainant_id", detail: "subject"},
	{kind: "case", index: hotline.CaseIndex.Name, field: "person_id", detail: "outcome"},
	{kind: "service", index: onestop.Index.Name, field: "owner_id", detail: "type"},
	{kind: "consultation", index: mentors.ConsultationIndex.Name, field: "asker_id", detail: "topic"},
	{kind: "loan", index: loans.LoanIndex.Name, field: "person_id", detail: "policy_id"},
	{kind: "application", index: bases.AppIndex.Name, field: "applicant_id", detail: "base_name"},
	{kind: "enrolment", index: training.EnrolmentIndex.Name, field: "person_id", detail: "kind"},
}

// Deps wires the timeline.
type Deps struct {
	Engine  search.Engine
	Hotline *hotline.Service // the person's hotline contact record, for their calls
}

// Service reads timelines.
type Service struct{ d Deps }

// New returns the service.
func New(d Deps) (*Service, error) {
	if err := core.CheckDeps("timeline", d); err != nil {
		return nil, err
	}
	return &Service{d: d}, nil
}

// Limit bounds the records read of each kind: the newest are shown.
const Limit = 50

// For is a person's timeline (hotline staff and administrators). An area
// whose index does not answer is left out and logged, not the whole page.
func (s *Service) For(ctx context.Context, actor accounts.Principal, personID string) ([]Entry, error) {
	if !actor.Role.Staff() {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	if !core.ValidID(personID) {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	contactID, _ := s.d.Hotline.AccountContact(ctx, personID)
	var out []Entry
	for _, src := range sources {
		key := personID
		if src.byContact {
			if key = contactID; key == "" {
				continue
			}
		}
		r, err := s.d.Engine.Search(ctx, src.index, search.Query{Filters: []search.Filter{{Field: src.field, Values: []string{key}}},
			Sort: []search.Sort{{Field: "created_at", Desc: true}}, Limit: Limit})
		if err != nil {
			slog.Warn("timeline", "records", src.kind, "err", err)
			continue
		}
		for _, h := range r.Hits {
			out = append(out, Entry{At: h.Time("created_at"), Kind: src.kind, ID: h.ID, Status: h.String("status"), Detail: h.String(src.detail)})
		}
	}
	slices.SortStableFunc(out, func(a, b Entry) int { return cmp.Compare(b.At.UnixNano(), a.At.UnixNano()) })
	return out, nil
}
