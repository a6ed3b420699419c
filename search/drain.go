package search

import (
	"context"
	"time"
)

// Drain handles every hit of q a page at a time, always from the first
// page: the work queues of the background workers are queries whose hits
// leave the results once handled (a reminder sent, a complaint escalated).
// It stops when a page changes nothing or is the last; handle reports
// whether it changed the hit. q.Sort should be set, so pages are stable.
func Drain(ctx context.Context, e Engine, index string, q Query, handle func(id string) bool) error {
	q.Offset, q.Limit = 0, MaxLimit
	for range 10000 { // a bound, should a handler keep reporting changes that do not stick
		r, err := e.Search(ctx, index, q)
		if err != nil {
			return err
		}
		done := 0
		for _, h := range r.Hits {
			if handle(h.ID) {
				done++
			}
		}
		if done == 0 || len(r.Hits) < MaxLimit {
			return nil
		}
	}
	return nil
}

// Overdue is the escalation workers' queue (loan files, applications):
// the records waiting on one of waiting whose due time (due_ms) has passed
// at now and that were not raised for it yet (escalated "no"), oldest
// first. Each index that escalates declares those fields.
func Overdue(waiting []string, now time.Time) Query {
	one, nowMs := 1.0, float64(now.UnixMilli())
	return Query{Filters: []Filter{{Field: "waiting_on", Values: waiting}, {Field: "escalated", Values: []string{"no"}}},
		Ranges: []Range{{Field: "due_ms", Min: &one, Max: &nowMs}}, Sort: []Sort{{Field: "created_at"}}}
}

// AllIDs lists the ids of every document of index that passes the filter,
// page by page: for the few jobs that must touch each record of a kind
// (records kept for a hotline caller given to their account), not for
// pages.
func AllIDs(ctx context.Context, e Engine, index string, f Filter) ([]string, error) {
	var ids []string
	for offset := 0; ; offset += MaxLimit {
		r, err := e.Search(ctx, index, Query{Filters: []Filter{f}, Offset: offset, Limit: MaxLimit})
		if err != nil {
			return ids, err
		}
		for _, h := range r.Hits {
			ids = append(ids, h.ID)
		}
		if len(r.Hits) < MaxLimit || offset+MaxLimit >= r.Total {
			return ids, nil
		}
	}
}
