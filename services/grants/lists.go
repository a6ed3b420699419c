package grants

import (
	"context"
	"slices"
	"strings"
	"time"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/policy"
)

// Query picks applications.
type Query struct {
	Kind     string
	Status   string
	PolicyID string
	Page     core.Page
}

// Row is one application of a list.
type Row struct {
	ID, SubjectName, Status, Waiting, PolicyID, Kind string
	AmountFen                                        int64
	Lines                                            int
	DueAt, CreatedAt, DecidedAt                      time.Time
	DueDays                                          int
	Overdue                                          bool
}

// List returns applications: the applicant's own, newest first; the
// bureau's queue — those waiting on it unless a status is asked — the
// overdue first, then by how soon each is due.
func (s *Service) List(ctx context.Context, actor accounts.Principal, q Query) ([]Row, int, core.Page, error) {
	p := q.Page.Normalize()
	sq := search.Query{Offset: p.Offset(), Limit: p.Size, Sort: []search.Sort{{Field: "created_at", Desc: true}}}
	switch {
	case actor.Role.Bureau():
		if q.Status == "" {
			sq.Filters = append(sq.Filters, search.Filter{Field: "waiting_on", Values: []string{"bureau"}})
			sq.Sort = []search.Sort{{Field: "due_ms"}, {Field: "created_at"}}
		}
	case actor.Role == accounts.Entrepreneur, actor.Role == accounts.Organisation:
		id, err := s.subjectID(ctx, actor)
		if core.IsCode(err, core.NotFound) {
			return []Row{}, 0, p, nil // an organisation's account in none: nothing of its own
		}
		if err != nil {
			return nil, 0, p, err
		}
		sq.Filters = append(sq.Filters, search.Filter{Field: "subject_id", Values: []string{id}})
	default:
		return nil, 0, p, core.Errorf(core.Forbidden, "error.forbidden")
	}
	var v core.Validation
	v.Check(q.Status == "" || slices.Contains(Statuses, q.Status), "status", "error.enum")
	v.Check(q.Kind == "" || slices.Contains(policy.ApplyKinds, q.Kind) && q.Kind != policy.ApplyLoan, "kind", "error.enum")
	v.Check(q.PolicyID == "" || len(q.PolicyID) <= 60 && !strings.ContainsAny(q.PolicyID, " \"'"), "policy_id", "error.enum")
	if err := v.Err(); err != nil {
		return nil, 0, p, err
	}
	for field, value := range map[string]string{"status": q.Status, "kind": q.Kind, "policy_id": q.PolicyID} {
		if value != "" {
			sq.Filters = append(sq.Filters, search.Filter{Field: field, Values: []string{value}})
		}
	}
	return s.rows(ctx, sq, p)
}

func (s *Service) rows(ctx context.Context, sq search.Query, p core.Page) ([]Row, int, core.Page, error) {
	r, err := s.outbox.Engine().Search(ctx, Index.Name, sq)
	if err != nil {
		return nil, 0, p, &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
	}
	now := s.clock.Now()
	rows := make([]Row, 0, len(r.Hits))
	for _, h := range r.Hits {
		due := time.Time{}
		if ms := h.Number("due_ms"); ms > 0 {
			due = time.UnixMilli(int64(ms)).UTC()
		}
		w := h.String("waiting_on")
		if w == "none" {
			w = ""
		}
		rows = append(rows, Row{ID: h.ID, SubjectName: h.String("subject_name"), Status: h.String("status"), Waiting: w,
			PolicyID: h.String("policy_id"), Kind: h.String("kind"), AmountFen: int64(h.Number("amount_fen")), Lines: int(h.Number("lines")),
			DueAt: due, DueDays: int(h.Number("due_days")), CreatedAt: h.Time("created_at"), DecidedAt: h.Time("decided_at"),
			Overdue: !due.IsZero() && now.After(due)})
	}
	return rows, r.Total, p, nil
}

// SubjectOf is whom the actor applies as: themself, or their organisation.
func (s *Service) SubjectOf(ctx context.Context, actor accounts.Principal) (string, error) {
	return s.subjectID(ctx, actor)
}

// subjectID is whom the actor applies as: themself, or their organisation.
func (s *Service) subjectID(ctx context.Context, actor accounts.Principal) (string, error) {
	if actor.Role != accounts.Organisation {
		return actor.ID, nil
	}
	o, _, err := s.orgs.Of(ctx, actor.ID)
	if err != nil {
		return "", err
	}
	return o.ID, nil
}

// Ledger is the benefit ledger of a person or an organisation (its id):
// what was granted, when, how much, under which policy version, newest
// first. The subject's own side reads their own; the bureau anyone's.
func (s *Service) Ledger(ctx context.Context, actor accounts.Principal, subjectID string, page core.Page) ([]*Application, int, core.Page, error) {
	p := page.Normalize()
	own, err := s.subjectID(ctx, actor)
	if err != nil && !core.IsCode(err, core.NotFound) {
		return nil, 0, p, err
	}
	if actor.Guest() || (subjectID != own && !actor.Role.Bureau()) {
		return nil, 0, p, core.Errorf(core.NotFound, "error.not_found")
	}
	sq := search.Query{Offset: p.Offset(), Limit: p.Size, Sort: []search.Sort{{Field: "decided_at", Desc: true}},
		Filters: []search.Filter{{Field: "subject_id", Values: []string{subjectID}}, {Field: "status", Values: []string{Granted}}}}
	rows, total, p, err := s.rows(ctx, sq, p)
	if err != nil {
		return nil, 0, p, err
	}
	out := make([]*Application, 0, len(rows))
	for _, r := range rows {
		var a Application
		if err := s.store.Get(ctx, collection, r.ID, &a); err != nil {
			if core.IsCode(err, core.NotFound) {
				continue // (erased since it was indexed)
			}
			return nil, 0, p, err
		}
		out = append(out, &a)
	}
	return out, total, p, nil
}

// Certificate is what anyone who holds a certificate's code may read: the
// support, the holder's name masked, the validity, and whether it holds
// today.
type Certificate struct {
	Code       string    `json:"code"`
	PolicyID   string    `json:"policy_id"`
	Holder     string    `json:"holder"`
	ValidFrom  core.Date `json:"valid_from"`
	ValidUntil core.Date `json:"valid_until,omitzero"`
	HalfUntil  core.Date `json:"half_until,omitzero"`
	GrantedAt  time.Time `json:"granted_at"`
	// Course is a voucher's kind of course.
	Course string `json:"course,omitempty"`
	// State is valid, expired, not_yet or (a voucher) redeemed.
	State string `json:"state"`
}

// NormalizeCode reads a code as typed from paper: case and spaces do not
// matter, the dashes are optional.
func NormalizeCode(s string) string {
	s = strings.ToUpper(strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\u3000' {
			return -1
		}
		return r
	}, s))
	if len(s) != 12 {
		return ""
	}
	for _, r := range s {
		if !strings.ContainsRune(codeAlphabet, r) {
			return ""
		}
	}
	return s[:4] + "-" + s[4:8] + "-" + s[8:]
}

// Verify finds a certificate by its code (the registration office, a tax
// officer, the holder): anyone, without signing in. An unknown code is not
// found.
func (s *Service) Verify(ctx context.Context, code string) (*Certificate, error) {
	code = NormalizeCode(code)
	if code == "" {
		return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"code": "error.grant.code_format"}}
	}
	id, err := s.store.KeyOwner(ctx, certKey(code))
	if err != nil {
		return nil, err
	}
	var a Application
	if err := s.store.Get(ctx, collection, id, &a); err != nil {
		return nil, err
	}
	if a.Grant == nil || a.Grant.Code != code {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	g := a.Grant
	c := &Certificate{Code: code, PolicyID: a.PolicyID, Holder: maskName(a.SubjectName, a.Applicant), ValidFrom: g.ValidFrom,
		ValidUntil: g.ValidUntil, HalfUntil: g.HalfUntil, GrantedAt: g.At, Course: g.Course, State: "valid"}
	today := core.DateOf(s.clock.Now())
	last := g.ValidUntil
	if !g.HalfUntil.IsZero() {
		last = g.HalfUntil
	}
	switch {
	case !redeemedAt(g).IsZero():
		c.State = "redeemed"
	case today.Before(g.ValidFrom):
		c.State = "not_yet"
	case !last.IsZero() && today.After(last):
		c.State = "expired"
	}
	return c, nil
}

// maskName shows a person's name as 王*明 (the first and last characters);
// an organisation's name is public.
func maskName(name, applicant string) string {
	if applicant == policy.ByOrganisation {
		return name
	}
	r := []rune(name)
	switch len(r) {
	case 0:
		return ""
	case 1:
		return "*"
	case 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}
