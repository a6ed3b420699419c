package onestop

import (
	"context"
	"time"

	"onestop/search"

	"onestop/services/core"
	"onestop/services/figures"
)

// events are the figures a request contributes, from the request alone:
// made, by type; completed, and within its time limit or not — on the day
// of completion, and again on the day of the limit for the on-time rate,
// which counts the requests still open past it at the moment it is read
// (OpenOverdue; see figures.CountOverdue). A cancelled request is in
// neither.
func events(r *Request) []figures.Event {
	dims := map[string]string{"service_type": r.Type}
	out := []figures.Event{{ID: "service.requested:" + r.ID, On: core.DateOf(r.CreatedAt), Dims: dims, Counts: map[string]int64{"service_requests": 1}}}
	if r.Status == Completed && !r.ClosedAt.IsZero() {
		onTime := int64(0)
		if !r.ClosedAt.After(r.DueAt) {
			onTime = 1
		}
		out = append(out, figures.Event{ID: "service.completed:" + r.ID, On: core.DateOf(r.ClosedAt), Dims: dims,
			Counts: map[string]int64{"service_completed": 1, "service_on_time": onTime}},
			figures.Event{ID: "service.due:" + r.ID, On: core.DateOf(r.DueAt), Dims: dims,
				Counts: map[string]int64{"service_due_closed": 1, "service_due_on_time": onTime}})
	}
	return out
}

// OpenOverdue counts the open requests whose time limit fell in [from,
// until), by type (figures.OverdueCounter).
func (s *Service) OpenOverdue(ctx context.Context, dim, value string, from, until time.Time) (int64, error) {
	return figures.CountOverdue(ctx, s.outbox.Engine(), Index.Name, "due_ms", []search.Filter{{Field: "open", Values: []string{"yes"}}},
		map[string]string{"service_type": "type"}, dim, value, from, until)
}

// FigureSource derives requests' events, for rebuilds and for the
// follow-ups of their writes (see New).
func (s *Service) FigureSource() figures.Source {
	return figures.SourceOf(s.store, Collection.Name, events)
}
