package hotline

import (
	"context"
	"slices"
	"time"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/core"
)

// Callback is a call waiting to be returned.
type Callback struct {
	CallID, ContactID, ContactName, Topic string
	At                                    time.Time
	Overdue                               bool
}

// Today is a member of staff's work of the day, across the hotline:
// callbacks due by tonight, their cases with a contact due by today, and
// their open complaints by due time. (Service requests are the one-stop
// area's; the page asks it too.)
type Today struct {
	Callbacks  []Callback
	Cases      []CaseRow
	Complaints []ComplaintRow
}

// WorkToday gathers the caller's work of the day (hotline staff and
// administrators), each list earliest first.
func (s *Service) WorkToday(ctx context.Context, actor accounts.Principal) (*Today, error) {
	if err := staffOnly(actor); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	today := core.DateOf(now)
	tonight := float64(today.AddDays(1).Time().UnixMilli() - 1)
	one := 1.0
	r, err := s.outbox.Engine().Search(ctx, CallIndex.Name, search.Query{Filters: []search.Filter{{Field: "staff_id", Values: []string{actor.ID}}},
		Ranges: []search.Range{{Field: "callback_ms", Min: &one, Max: &tonight}}, Sort: []search.Sort{{Field: "callback_ms"}}, Limit: search.MaxLimit})
	if err != nil {
		return nil, unavailable(err)
	}
	out := &Today{Callbacks: []Callback{}}
	for _, h := range r.Hits {
		at := time.UnixMilli(int64(h.Number("callback_ms")))
		out.Callbacks = append(out.Callbacks, Callback{CallID: h.ID, ContactID: h.String("contact_id"), ContactName: h.String("contact_name"),
			Topic: h.String("topic"), At: at, Overdue: at.Before(now)})
	}
	cases, _, _, err := s.Cases(ctx, actor, CaseQuery{Queue: "mine", Page: core.Page{Size: 100}})
	if err != nil {
		return nil, err
	}
	out.Cases = slices.DeleteFunc(cases, func(c CaseRow) bool { return c.NextDue.IsZero() || c.NextDue.After(today) })
	complaints, _, _, err := s.Complaints(ctx, actor, ComplaintQuery{Queue: "mine", Page: core.Page{Size: 100}})
	if err != nil {
		return nil, err
	}
	out.Complaints = slices.DeleteFunc(complaints, func(c ComplaintRow) bool { return c.Status == "closed" })
	slices.SortStableFunc(out.Complaints, func(a, b ComplaintRow) int { return a.DueAt.Compare(b.DueAt) })
	return out, nil
}
