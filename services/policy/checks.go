package policy

import (
	"context"
	"log/slog"
	"slices"

	"go.mongodb.org/mongo-driver/v2/mongo"

	"onestop/services/core"
	"onestop/services/figures"
	"onestop/services/store"
)

// CheckLog keeps one entry per person and month in which they looked at
// the supports they qualify for: the record the figures "eligibility
// checks" and "people eligible per policy" are counted from (and rebuilt
// from). The first look of the month is kept.
var CheckLog = store.Collection{Name: "eligibility_checks"}

// CheckEntry is one person's check in one month.
type CheckEntry struct {
	ID       string    `bson:"_id"` // person|2026-11
	Day      core.Date `bson:"day"`
	District string    `bson:"district,omitempty"`
	Group    string    `bson:"group,omitempty"` // the first of the person's target groups
	Eligible []string  `bson:"eligible"`
}

func checkEvents(e *CheckEntry) []figures.Event {
	counts := map[string]int64{"eligibility_checks": 1}
	if len(e.Eligible) > 0 {
		counts["eligible_any"] = 1
	}
	for _, id := range e.Eligible {
		counts["eligible_"+id] = 1
	}
	return []figures.Event{{ID: "eligibility:" + e.ID, On: e.Day, Dims: map[string]string{"district": e.District, "group": e.Group}, Counts: counts}}
}

// Logged records that a person saw their results on day (once a month).
// It never fails the page that showed them: a lost entry is a figure one
// short, logged.
func (c *Catalogue) Logged(ctx context.Context, personID, district string, f *Facts, day core.Date, results []Result) {
	e := CheckEntry{ID: personID + "|" + day.String()[:7], Day: day, District: district, Eligible: []string{}}
	if len(f.TargetGroups) > 0 {
		e.Group = slices.Min(f.TargetGroups) // one value per dimension: the first group
	}
	for _, r := range results {
		if r.Status == Eligible {
			e.Eligible = append(e.Eligible, r.Policy.ID)
		}
	}
	ctx = context.WithoutCancel(ctx)
	// Most looks are not the month's first: a read by _id answers that
	// without a write (the embedded store takes writes one at a time).
	if err := c.store.Get(ctx, CheckLog.Name, e.ID, &CheckEntry{}); err == nil {
		return
	}
	if _, err := c.store.C(CheckLog.Name).InsertOne(ctx, &e); err != nil {
		if !mongo.IsDuplicateKeyError(err) {
			slog.Warn("eligibility log", "err", err)
		}
		return
	}
	c.figures.Count(ctx, "eligibility_check", e.ID, checkEvents(&e))
}

// FigureSource derives every logged check's events, for rebuilds.
func (c *Catalogue) FigureSource() figures.Source {
	return figures.SourceOf(c.store, CheckLog.Name, checkEvents)
}
