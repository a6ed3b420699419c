package training

import (
	"context"
	"log/slog"

	"onestop/services/core"
	"onestop/services/figures"
	"onestop/services/store"
)

// events are the figures an enrolment contributes, from the record alone:
// enrolled on the day of enrolment; passed or not on the day the course
// closed — the training effect (培訓效果) by provider and kind.
func events(e *Enrolment) []figures.Event {
	dims := map[string]string{"provider": e.ProviderID, "training_kind": e.Kind}
	out := []figures.Event{{ID: "training.enrolled:" + e.ID, On: core.DateOf(e.CreatedAt), Dims: dims, Counts: map[string]int64{"training_enrolled": 1}}}
	switch e.Status {
	case Passed:
		out = append(out, figures.Event{ID: "training.done:" + e.ID, On: e.CompletedOn, Dims: dims, Counts: map[string]int64{"training_passed": 1}})
	case NotPassed:
		out = append(out, figures.Event{ID: "training.done:" + e.ID, On: e.CompletedOn, Dims: dims, Counts: map[string]int64{"training_not_passed": 1}})
	}
	return out
}

// count records an enrolment's events (each once); failures are logged:
// a rebuild recovers them.
func (s *Service) count(ctx context.Context, id string) {
	if s.figures == nil {
		return
	}
	var e Enrolment
	if err := s.store.Get(ctx, "enrolments", id, &e); err != nil {
		return
	}
	for _, ev := range events(&e) {
		if err := s.figures.Record(context.WithoutCancel(ctx), ev); err != nil {
			slog.Warn("training figures", "enrolment", id, "err", err)
		}
	}
}

// FigureSource derives every enrolment's events, for rebuilds.
func (s *Service) FigureSource() figures.Source {
	return figures.Source{Name: "training", Each: func(ctx context.Context, emit func(figures.Event) error) error {
		return store.Each(ctx, s.store, "enrolments", func(e *Enrolment) error {
			for _, ev := range events(e) {
				if err := emit(ev); err != nil {
					return err
				}
			}
			return nil
		})
	}}
}

// SetFigures makes the service keep figures.
func (s *Service) SetFigures(f *figures.Service) { s.figures = f }
