package grants

import (
	"context"

	"onestop/services/core"
	"onestop/services/figures"
)

// events are the figures an application contributes, derived from the
// application alone, so the write path and a rebuild count the same:
// applied on the day it was filed, then granted (with the amount) or
// refused on the day of the decision — the policy-delivery figures of
// source (十五), by policy.
func events(a *Application) []figures.Event {
	dims := map[string]string{"policy": a.PolicyID, "kind": a.Kind}
	var out []figures.Event
	if a.Grant == nil || !a.Grant.Auto {
		out = append(out, figures.Event{ID: "grant.applied:" + a.ID, On: core.DateOf(a.CreatedAt), Dims: dims,
			Counts: map[string]int64{"applications": 1}})
	}
	switch a.Status {
	case Granted:
		out = append(out, figures.Event{ID: "grant.decided:" + a.ID, On: core.DateOf(a.DecidedAt), Dims: dims,
			Counts: map[string]int64{"granted": 1, "granted_fen": a.Grant.AmountFen}})
	case Refused:
		out = append(out, figures.Event{ID: "grant.decided:" + a.ID, On: core.DateOf(a.DecidedAt), Dims: dims,
			Counts: map[string]int64{"refused": 1}})
	}
	return out
}

// count records an application's events (each once).
func (s *Service) count(ctx context.Context, a *Application) {
	s.figures.Count(ctx, "grant", a.ID, events(a))
}

// FigureSource derives every application's events, for rebuilds.
func (s *Service) FigureSource() figures.Source {
	return figures.SourceOf(s.store, collection, events)
}
