package entitlements

import (
	"context"
	"maps"
	"slices"
	"strconv"

	"onestop/services/core"
	"onestop/services/figures"
)

// The people eligible for each support now (the policy-delivery figures of
// source (十五)) are a stock, counted as the snapshots change: +1 when a
// person gains a support, -1 when they lose it or their snapshot is
// erased, under the dimension policy in the stock rollups (figures.Event
// Stock). Each event's id is derived from the person, the support and the
// snapshot version the change moves from, as a notice's is, so a refresh
// run again after a crash counts nothing twice. A rebuild derives, from
// each snapshot, a gain for every support it holds, under the id the live
// gain had (Hold.From): the sums agree, for a loss and the gain it takes
// back add up to nothing.

// eligible is one change of the stock of people eligible for a support.
func eligible(change, personID, policyID string, from int, on core.Date, n int64) figures.Event {
	return figures.Event{ID: "eligible." + change + ":" + personID + ":" + policyID + ":" + strconv.Itoa(from), On: on, Stock: true,
		Dims: map[string]string{"policy": policyID}, Counts: map[string]int64{"eligible": n}}
}

// holdEvents are a snapshot's supports as the stock counts them: the
// events a rebuild sums.
func holdEvents(snap *Snapshot) []figures.Event {
	out := make([]figures.Event, 0, len(snap.Holds))
	for _, id := range slices.Sorted(maps.Keys(snap.Holds)) {
		out = append(out, eligible("gained", snap.ID, id, snap.Holds[id].From, core.DateOf(snap.At), 1))
	}
	return out
}

// count records what moved from the supports a person was counted for
// (had) to those they hold now, moving from snapshot version from.
func (s *Service) count(ctx context.Context, personID string, from int, had, now map[string]Hold) error {
	today := core.DateOf(s.clock.Now())
	var events []figures.Event
	for _, id := range slices.Sorted(maps.Keys(now)) {
		if _, ok := had[id]; !ok {
			events = append(events, eligible("gained", personID, id, from, today, 1))
		}
	}
	for _, id := range slices.Sorted(maps.Keys(had)) {
		if _, ok := now[id]; !ok {
			events = append(events, eligible("lost", personID, id, from, today, -1))
		}
	}
	if len(events) == 0 {
		return nil
	}
	return s.figures.Record(ctx, events...)
}

// FigureSource derives the people eligible now from the snapshots, for
// rebuilds.
func (s *Service) FigureSource() figures.Source {
	return figures.SourceOf(s.store, Collection.Name, holdEvents)
}
