package onestop

import (
	"context"

	"onestop/services/core"
	"onestop/services/figures"
)

// events are the figures a request contributes, from the request alone:
// made, by type; completed, and within its time limit or not.
func events(r *Request) []figures.Event {
	dims := map[string]string{"service_type": r.Type}
	out := []figures.Event{{ID: "service.requested:" + r.ID, On: core.DateOf(r.CreatedAt), Dims: dims, Counts: map[string]int64{"service_requests": 1}}}
	if r.Status == Completed && !r.ClosedAt.IsZero() {
		onTime := int64(0)
		if !r.ClosedAt.After(r.DueAt) {
			onTime = 1
		}
		out = append(out, figures.Event{ID: "service.completed:" + r.ID, On: core.DateOf(r.ClosedAt), Dims: dims,
			Counts: map[string]int64{"service_completed": 1, "service_on_time": onTime}})
	}
	return out
}

// count records a request's events (each once).
func (s *Service) count(ctx context.Context, id string) {
	var r Request
	if s.store.Get(ctx, Collection.Name, id, &r) == nil {
		s.figures.Count(ctx, "service_request", id, events(&r))
	}
}

// FigureSource derives every request's events, for rebuilds.
func (s *Service) FigureSource() figures.Source {
	return figures.SourceOf(s.store, Collection.Name, events)
}
