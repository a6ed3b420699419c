package figures

import (
	"context"
	"time"

	"onestop/search"
)

// How a time-limit rate (限時辦結率, on-time answers, training completion)
// counts work that is overdue and still open.
//
// An item settled (answered, completed, its course closed) is counted by
// its area as an event on the day of its time limit, not of its
// settlement: "due, settled, on time or not" in the rollup of the month
// the limit fell in. An item still open has no write to count when its
// limit passes: it becomes overdue by the clock alone. So the views ask,
// at the moment of reading, the search index of open items how many have
// a limit inside the span and already past (CountOverdue): the index
// keeps each open item's limit as a number while it is open (0 once
// settled), so this is one filtered count, ~1 ms on Bleve and on
// Meilisearch alike, and never a scan of the records. The rate is then
// settled on time ÷ (settled + open overdue), both by the month of the
// limit; an item neither settled nor due yet is in neither, and an item
// leaves the overdue count the moment it is settled and enters the
// rollup's, in the same month. The count is cached with the rollups' sums
// for a minute.

// CountOverdue counts the documents of index that pass open (the filters
// that keep only open items; may be nil when the number field is 0 for
// settled ones), whose number field (the time limit, Unix milliseconds)
// lies in [from, until), and that are filed under dim=value: fields maps
// each dimension the kind is filed under to the index's keyword field
// holding it. Under a dimension the kind is not filed under there are
// none, as in its rollups.
func CountOverdue(ctx context.Context, e search.Engine, index, field string, open []search.Filter, fields map[string]string,
	dim, value string, from, until time.Time) (int64, error) {
	filters := append([]search.Filter{}, open...)
	if dim != "all" {
		f, ok := fields[dim]
		if !ok {
			return 0, nil
		}
		filters = append(filters, search.Filter{Field: f, Values: []string{value}})
	}
	lo, hi := float64(max(from.UnixMilli(), 1)), float64(until.UnixMilli()-1)
	if hi < lo {
		return 0, nil
	}
	r, err := e.Search(ctx, index, search.Query{Filters: filters, Ranges: []search.Range{{Field: field, Min: &lo, Max: &hi}}, Limit: 1})
	if err != nil {
		return 0, err
	}
	return int64(r.Total), nil
}
