package hotline

import (
	"context"
	"slices"
	"time"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/core"
)

// Unassigned is the AssigneeID of ComplaintQuery that picks the complaints
// nobody has taken yet. The index holds it in place of an empty assignee,
// because an empty keyword cannot be filtered on (Bleve does not index it).
const Unassigned = "none"

// ComplaintSorts are the orders of the board besides the default (newest
// first): "due" earliest time limit first, "-due" latest first.
var ComplaintSorts = []string{"due", "-due"}

// ComplaintQuery picks complaints.
type ComplaintQuery struct {
	// Queue: "" (all), open, overdue, escalated, mine, or a status.
	Queue     string
	ContactID string
	AgainstID string // complaints about one training provider
	// Kind is one of ComplaintKinds; Against one of Against (whom the
	// complaint is about); "" is any.
	Kind, Against string
	// AssigneeID is a staff member's id, or Unassigned; "" is anyone. Staff
	// only: for anyone else it picks nothing out, so their own list says
	// nothing of who works on what.
	AssigneeID string
	// Sort is "" (newest first; the overdue queue: earliest due first) or
	// one of ComplaintSorts.
	Sort string
	Text string
	Page core.Page
}

// check refuses the values no option offers, each with its field.
func (q ComplaintQuery) check() error {
	var v core.Validation
	v.Check(q.Queue == "" || slices.Contains(complaintQueues, q.Queue) || slices.Contains(ComplaintStatuses, q.Queue), "queue", "error.enum")
	v.Check(q.Kind == "" || slices.Contains(ComplaintKinds, q.Kind), "kind", "error.enum")
	v.Check(q.Against == "" || slices.Contains(Against, q.Against), "against", "error.enum")
	v.Check(q.AssigneeID == "" || q.AssigneeID == Unassigned || core.ValidID(q.AssigneeID), "assignee_id", "error.enum")
	v.Check(q.Sort == "" || slices.Contains(ComplaintSorts, q.Sort), "sort", "error.enum")
	return v.Err()
}

// complaintQueues are the named queues besides the statuses.
var complaintQueues = []string{"open", "overdue", "escalated", "mine"}

// ComplaintRow is one complaint of a list.
type ComplaintRow struct {
	ID, Ref, Subject, ContactName, Kind, Against, Status string
	// AssigneeID and AssigneeName say who works on it ("" when nobody yet);
	// filled for staff only.
	AssigneeID, AssigneeName string
	DueAt, CreatedAt         time.Time
	LimitDays                int // working days; 0 when counted in calendar days
	Overdue, Escalated       bool
}

// Complaints lists complaints: the board for staff, their own for anyone
// else.
func (s *Service) Complaints(ctx context.Context, actor accounts.Principal, q ComplaintQuery) ([]ComplaintRow, int, core.Page, error) {
	p := q.Page.Normalize()
	if actor.Guest() {
		return nil, 0, p, core.Errorf(core.Unauthenticated, "error.unauthenticated")
	}
	if err := q.check(); err != nil {
		return nil, 0, p, err
	}
	staff := actor.Role.Staff()
	sq := search.Query{Text: q.Text, Offset: p.Offset(), Limit: p.Size, Sort: []search.Sort{{Field: "created_at", Desc: true}}}
	if ref, ok := ParseComplaintRef(q.Text); ok {
		// A reference number quoted on the phone finds its complaint.
		sq.Text, sq.Filters = "", append(sq.Filters, search.Filter{Field: "ref", Values: []string{ref}})
	}
	if !staff {
		sq.Filters = append(sq.Filters, search.Filter{Field: "complainant_id", Values: []string{actor.ID}})
	}
	for _, f := range []struct{ field, value string }{{"contact_id", q.ContactID}, {"against_id", q.AgainstID}, {"kind", q.Kind}, {"against", q.Against}} {
		if f.value != "" {
			sq.Filters = append(sq.Filters, search.Filter{Field: f.field, Values: []string{f.value}})
		}
	}
	if q.AssigneeID != "" && staff {
		sq.Filters = append(sq.Filters, search.Filter{Field: "assignee_id", Values: []string{q.AssigneeID}})
	}
	now := s.clock.Now()
	open := search.Filter{Field: "open", Values: []string{"yes"}}
	switch q.Queue {
	case "":
	case "open":
		sq.Filters = append(sq.Filters, open)
	case "overdue":
		max := float64(now.UnixMilli())
		sq.Filters = append(sq.Filters, open)
		sq.Ranges = append(sq.Ranges, search.Range{Field: "due_ms", Max: &max})
		sq.Sort = []search.Sort{{Field: "due_ms"}, {Field: "created_at", Desc: true}}
	case "escalated":
		sq.Filters = append(sq.Filters, open, search.Filter{Field: "escalated", Values: []string{"yes"}})
	case "mine":
		sq.Filters = append(sq.Filters, open, search.Filter{Field: "assignee_id", Values: []string{actor.ID}})
	default:
		sq.Filters = append(sq.Filters, search.Filter{Field: "status", Values: []string{q.Queue}})
	}
	if q.Sort != "" {
		// Ties (the same last working day) newest first, so pages do not
		// shuffle between two views of the board.
		sq.Sort = []search.Sort{{Field: "due_ms", Desc: q.Sort == "-due"}, {Field: "created_at", Desc: true}}
	}
	r, err := s.outbox.Engine().Search(ctx, ComplaintIndex.Name, sq)
	if err != nil {
		return nil, 0, p, unavailable(err)
	}
	rows := make([]ComplaintRow, 0, len(r.Hits))
	for _, h := range r.Hits {
		due := time.UnixMilli(int64(h.Number("due_ms"))).UTC()
		row := ComplaintRow{ID: h.ID, Ref: h.String("ref"), Subject: h.String("subject"), ContactName: h.String("contact_name"), Kind: h.String("kind"),
			Against: h.String("against"), Status: h.String("status"), DueAt: due, CreatedAt: h.Time("created_at"),
			LimitDays: int(h.Number("limit_days")), Escalated: h.String("escalated") == "yes"}
		if a := h.String("assignee_id"); staff && a != Unassigned {
			row.AssigneeID, row.AssigneeName = a, h.String("assignee_name")
		}
		row.Overdue = h.String("open") == "yes" && now.After(due)
		rows = append(rows, row)
	}
	return rows, r.Total, p, nil
}
