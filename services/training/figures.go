package training

import (
	"context"
	"time"

	"onestop/search"

	"onestop/services/core"
	"onestop/services/figures"
)

// events are the figures an enrolment contributes, from the record alone:
// enrolled on the day of enrolment; passed or not on the day the course
// closed — the training effect (培訓效果) by provider and kind — and again
// on the day its last session ended, for the completion rate, which
// counts the enrolments of courses over but not yet closed at the moment
// it is read (OpenOverdue; see figures.CountOverdue).
func events(e *Enrolment) []figures.Event {
	dims := map[string]string{"provider": e.ProviderID, "training_kind": e.Kind}
	out := []figures.Event{{ID: "training.enrolled:" + e.ID, On: core.DateOf(e.CreatedAt), Dims: dims, Counts: map[string]int64{"training_enrolled": 1}}}
	if e.Status != Passed && e.Status != NotPassed {
		return out
	}
	passed, key := int64(0), "training_not_passed"
	if e.Status == Passed {
		passed, key = 1, "training_passed"
	}
	due := e.DueOn
	if due.IsZero() {
		due = e.CompletedOn // decided before the day was kept
	}
	return append(out, figures.Event{ID: "training.done:" + e.ID, On: e.CompletedOn, Dims: dims, Counts: map[string]int64{key: 1}},
		figures.Event{ID: "training.due:" + e.ID, On: due, Dims: dims, Counts: map[string]int64{"training_due_done": 1, "training_due_passed": passed}})
}

// OpenOverdue counts the enrolments still undecided on courses whose last
// session ended in [from, until) and that are not closed, by provider or
// kind (figures.OverdueCounter): the courses come from their index (few:
// a page or two), then one count of their enrolments.
func (s *Service) OpenOverdue(ctx context.Context, dim, value string, from, until time.Time) (int64, error) {
	dims := map[string]string{"provider": "provider_id", "training_kind": "kind"}
	var filters []search.Filter
	if dim != "all" {
		f, ok := dims[dim]
		if !ok {
			return 0, nil
		}
		filters = []search.Filter{{Field: f, Values: []string{value}}}
	}
	lo, hi := float64(max(from.UnixMilli(), 1)), float64(until.UnixMilli()-1)
	if hi < lo {
		return 0, nil
	}
	e := s.outbox.Engine()
	var n int64
	for page := 0; ; page++ {
		r, err := e.Search(ctx, CourseIndex.Name, search.Query{Filters: filters, Ranges: []search.Range{{Field: "open_ends_ms", Min: &lo, Max: &hi}},
			Sort: []search.Sort{{Field: "open_ends_ms"}}, Offset: page * search.MaxLimit, Limit: search.MaxLimit})
		if err != nil {
			return 0, err
		}
		ids := make([]string, len(r.Hits))
		for i, h := range r.Hits {
			ids[i] = h.ID
		}
		if len(ids) > 0 {
			c, err := e.Search(ctx, EnrolmentIndex.Name, search.Query{Filters: []search.Filter{{Field: "status", Values: []string{Enrolled}},
				{Field: "course_id", Values: ids}}, Limit: 1})
			if err != nil {
				return 0, err
			}
			n += int64(c.Total)
		}
		if len(r.Hits) < search.MaxLimit {
			return n, nil
		}
	}
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
