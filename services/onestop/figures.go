package onestop

import (
	"context"
	"log/slog"

	"onestop/services/core"
	"onestop/services/figures"
	"onestop/services/store"
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

// SetFigures makes the service keep figures.
func (s *Service) SetFigures(f *figures.Service) { s.figures = f }

// count records a request's events (each once); a failure is logged: the
// request was made, and a rebuild recovers the count.
func (s *Service) count(ctx context.Context, id string) {
	if s.figures == nil {
		return
	}
	var r Request
	if err := s.store.Get(ctx, Collection.Name, id, &r); err != nil {
		return
	}
	for _, e := range events(&r) {
		if err := s.figures.Record(context.WithoutCancel(ctx), e); err != nil {
			slog.Warn("service figures", "request", id, "err", err)
		}
	}
}

// FigureSource derives every request's events, for rebuilds.
func (s *Service) FigureSource() figures.Source {
	return figures.Source{Name: "service_requests", Each: func(ctx context.Context, emit func(figures.Event) error) error {
		return store.Each(ctx, s.store, Collection.Name, func(r *Request) error {
			for _, e := range events(r) {
				if err := emit(e); err != nil {
					return err
				}
			}
			return nil
		})
	}}
}
