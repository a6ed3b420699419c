package workdays

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/store"
)

// The years a calendar may be set for.
const (
	FirstYear = 2000
	LastYear  = 2100
)

// Bounds of a year's calendar: a festival's days off are at most a month,
// and a year has a few dozen runs at most.
const (
	maxSpans    = 40
	maxSpanDays = 31
	maxName     = 20
	maxSource   = 500
)

// Input is an administrator's calendar for a year; it replaces what the
// year had.
type Input struct {
	Holidays    []Span `json:"holidays"`
	WorkingDays []Span `json:"working_days"`
	Source      string `json:"source"`
	// Version is the version the edit started from: a save over a newer
	// one (another administrator's) is refused. 0 skips the check.
	Version int `json:"version,omitempty"`
}

// Year returns year y as stored; a year nobody set comes back with
// version 0 and no days (it counts Monday to Friday).
func (c *Calendar) Year(ctx context.Context, y int) (*Year, error) {
	if y < FirstYear || y > LastYear {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	if c.store == nil {
		if yd := c.current().years[y]; yd != nil {
			doc := yd.doc
			return &doc, nil
		}
		return &Year{ID: yearID(y), Year: y, Holidays: []Span{}, WorkingDays: []Span{}}, nil
	}
	var doc Year
	err := c.store.Get(ctx, Collection.Name, yearID(y), &doc)
	if core.IsCode(err, core.NotFound) {
		return &Year{ID: yearID(y), Year: y, Holidays: []Span{}, WorkingDays: []Span{}}, nil
	}
	if err != nil {
		return nil, err
	}
	return &doc, nil
}

// Set replaces year y's calendar: administrators only, checked whole, one
// guarded write (the version), audited.
func (c *Calendar) Set(ctx context.Context, actor accounts.Principal, y int, in Input, m accounts.Meta) (*Year, error) {
	target := yearID(y)
	if actor.Role != accounts.Admin {
		if c.audit != nil {
			c.audit.Record(ctx, actor.Actor(m), "workdays.set", audit.Denied, target, "")
		}
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	if y < FirstYear || y > LastYear {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	if err := check(y, &in); err != nil {
		return nil, err
	}
	if c.store == nil {
		return nil, core.Errorf(core.Unavailable, "error.unavailable")
	}
	cur, err := c.Year(ctx, y)
	if err != nil {
		return nil, err
	}
	if in.Version > 0 && in.Version != cur.Version {
		return nil, store.ErrStale
	}
	now := c.clock.Now()
	doc := Year{ID: target, Year: y, Holidays: in.Holidays, WorkingDays: in.WorkingDays, Source: in.Source,
		Version: cur.Version + 1, UpdatedAt: now, UpdatedBy: actor.ID}
	if cur.Version == 0 {
		_, err = c.store.C(Collection.Name).InsertOne(ctx, doc)
		if isDuplicate(err) {
			return nil, store.ErrStale // set meanwhile by someone else
		}
		err = core.Wrap(err, "insert working-day calendar")
	} else {
		set := bson.D{{Key: "holidays", Value: doc.Holidays}, {Key: "working_days", Value: doc.WorkingDays}, {Key: "source", Value: doc.Source},
			{Key: "version", Value: doc.Version}, {Key: "updated_at", Value: now}, {Key: "updated_by", Value: actor.ID}}
		err = c.store.UpdateIf(ctx, Collection.Name, target, []store.Cond{store.Eq("version", cur.Version)}, bson.D{{Key: "$set", Value: set}})
	}
	if err != nil {
		return nil, err
	}
	c.audit.Record(ctx, actor.Actor(m), "workdays.set", audit.Success, target, fmt.Sprintf("v%d", doc.Version))
	if err := c.Refresh(ctx); err != nil {
		// Saved; the next reload picks it up.
		c.log.Warn("working-day calendar reload", "err", err)
	}
	return &doc, nil
}

// check validates a year's calendar and normalises it: every day within the
// year, each span in order and at most a month, names on one line, no day
// both off and a working day, and working days only on weekends (a weekday
// already is one). Detail names the first day at fault.
func check(y int, in *Input) error {
	var v core.Validation
	detail := ""
	bad := func(field, key string, sp Span) {
		if !v.Has(field) {
			detail = spanText(sp)
		}
		v.Add(field, key)
	}
	first, last := core.NewDate(y, time.January, 1), core.NewDate(y, time.December, 31)
	clean := func(field string, spans []Span) []Span {
		if len(spans) > maxSpans {
			v.Add(field, "error.workdays.too_many")
			return spans
		}
		out := make([]Span, 0, len(spans))
		for _, sp := range spans {
			if sp.To.IsZero() {
				sp.To = sp.From
			}
			sp.Name = strings.Join(strings.Fields(sp.Name), " ")
			switch {
			case sp.From.IsZero():
				v.Add(field, "error.workdays.line")
			case sp.From.Before(first) || sp.To.After(last):
				bad(field, "error.workdays.outside_year", sp)
			case sp.To.Before(sp.From) || sp.To.Day()-sp.From.Day() >= maxSpanDays:
				bad(field, "error.workdays.range", sp)
			}
			var nv core.Validation
			nv.Line("name", sp.Name, 0, maxName)
			if nv.Err() != nil {
				bad(field, "error.workdays.name", sp)
			}
			out = append(out, sp)
		}
		slices.SortStableFunc(out, func(a, b Span) int { return a.From.Day() - b.From.Day() })
		return out
	}
	in.Holidays = clean("holidays", in.Holidays)
	in.WorkingDays = clean("working_days", in.WorkingDays)
	in.Source = v.Text("source", in.Source, 0, maxSource)
	if err := v.Err(); err != nil {
		return withDetail(err, detail)
	}
	off := map[int]bool{}
	for _, sp := range in.Holidays {
		eachDay(sp, func(d core.Date) { off[d.Day()] = true })
	}
	for _, sp := range in.WorkingDays {
		eachDay(sp, func(d core.Date) {
			if v.Has("working_days") {
				return
			}
			one := Span{From: d, To: d}
			if off[d.Day()] {
				bad("working_days", "error.workdays.both", one)
			} else if wd := d.Time().Weekday(); wd != time.Saturday && wd != time.Sunday {
				bad("working_days", "error.workdays.weekday", one)
			}
		})
	}
	return withDetail(v.Err(), detail)
}

func withDetail(err error, detail string) error {
	var ce *core.Error
	if errors.As(err, &ce) {
		ce.Detail = detail
	}
	return err
}

func isDuplicate(err error) bool { return err != nil && mongo.IsDuplicateKeyError(err) }
