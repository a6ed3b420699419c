package training

import (
	"context"

	"onestop/services/core"
	"onestop/services/figures"
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

// count records an enrolment's events (each once).
func (s *Service) count(ctx context.Context, id string) {
	var e Enrolment
	if s.store.Get(ctx, "enrolments", id, &e) == nil {
		s.figures.Count(ctx, "enrolment", id, events(&e))
	}
}

// FigureSource derives every enrolment's events, for rebuilds.
func (s *Service) FigureSource() figures.Source {
	return figures.SourceOf(s.store, "enrolments", events)
}
