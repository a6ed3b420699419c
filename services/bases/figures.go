package bases

import (
	"context"

	"onestop/services/core"
	"onestop/services/figures"
)

// appEvents are the matching figures of an application, from the
// application alone: applied; decided by the base (an offer or a
// refusal), with the days it took; placed (became a tenant).
func appEvents(a *Application) []figures.Event {
	dims := map[string]string{"base": a.BaseID}
	out := []figures.Event{{ID: "match.applied:" + a.ID, On: core.DateOf(a.CreatedAt), Dims: dims, Counts: map[string]int64{"match_applications": 1}}}
	decided, placed := false, false
	for _, st := range a.History {
		switch {
		case !decided && (st.To == AppOffered || st.To == AppDeclined):
			decided = true
			e := figures.Event{ID: "match.decided:" + a.ID, On: core.DateOf(st.At), Dims: dims, Counts: map[string]int64{"match_decided": 1},
				Values: map[string]float64{"match_days": st.At.Sub(a.CreatedAt).Hours() / 24}}
			if st.To == AppOffered {
				e.Counts["match_offers"] = 1
			}
			out = append(out, e)
		case !placed && st.To == AppTenant:
			placed = true
			out = append(out, figures.Event{ID: "match.placed:" + a.ID, On: core.DateOf(st.At), Dims: dims, Counts: map[string]int64{"match_placements": 1}})
		}
	}
	return out
}

// count records an application's events (each once).
func (s *Service) count(ctx context.Context, id string) {
	var a Application
	if s.store.Get(ctx, "applications", id, &a) == nil {
		s.figures.Count(ctx, "application", id, appEvents(&a))
	}
}

// FigureSource derives every application's events, for rebuilds.
func (s *Service) FigureSource() figures.Source {
	return figures.SourceOf(s.store, "applications", appEvents)
}
