// Package workdays owns the bureau's working-day calendar (工作日曆): which
// days count towards a time limit (限時辦結). Monday to Friday are working
// days except the public holidays the bureau sets (放假); weekend days it
// declares working days (調休上班) count too. Each year is one document,
// read by `_id` ("2026"), seeded from seed.json the first time, edited by
// administrators and read through an in-memory snapshot. A year nobody set
// counts Monday to Friday, and the pages say so until it is set.
//
// Time limits are counted here (DueOn): a limit of n working days ends at
// the close (23:59:59 China time) of the n-th working day after the day a
// thing was filed.
package workdays

import (
	"context"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/store"
)

// Span is a run of days, both ends included, and the festival it is for
// (春節). A single day has From equal to To.
type Span struct {
	From core.Date `bson:"from" json:"from"`
	// To is the last day; left out, the span is the one day From.
	To   core.Date `bson:"to" json:"to"`
	Name string    `bson:"name,omitempty" json:"name,omitempty"`
}

// Year is one year's calendar as stored.
type Year struct {
	ID   string `bson:"_id" json:"-"` // the year, "2026"
	Year int    `bson:"year" json:"year"`
	// Holidays are the days off (放假), weekends within them included.
	Holidays []Span `bson:"holidays" json:"holidays"`
	// WorkingDays are weekend days declared working days (調休上班).
	WorkingDays []Span `bson:"working_days" json:"working_days"`
	// Source says where the dates come from (the State Council's notice).
	Source string `bson:"source" json:"source"`
	// Version moves on with every change; 0 is a year nobody has set.
	Version   int       `bson:"version" json:"version"`
	UpdatedAt time.Time `bson:"updated_at" json:"updated_at,omitzero"`
	UpdatedBy string    `bson:"updated_by" json:"-"`
}

// Set reports whether the year has a calendar (else it counts Monday to
// Friday).
func (y *Year) Set() bool { return y.Version > 0 }

// Collection holds one document per year, read by `_id`.
var Collection = store.Collection{Name: "workdays"}

// refreshEvery is how old this process's snapshot may grow before a read
// starts a reload.
const refreshEvery = 30 * time.Second

// Calendar is the working-day calendar.
//
// Reads never touch the database: they use a snapshot of the years around
// today (last year to next year), held in an atomic pointer and replaced
// whole. This process's own edits replace it at once; another replica's
// are picked up by the reload a read starts when the snapshot is older
// than RefreshEvery (one `_id` read per year), as the reference lists do.
type Calendar struct {
	store *store.Store
	audit *audit.Log
	clock core.Clock
	log   *slog.Logger
	every time.Duration

	snap      atomic.Pointer[snapshot]
	reloading atomic.Bool
}

// Deps wires the calendar.
type Deps struct {
	Store *store.Store
	Audit *audit.Log
	Clock core.Clock
	// Log takes the background reloads that failed.
	Log *slog.Logger
	// RefreshEvery bounds how stale another replica's edit may look here
	// (zero: 30 s).
	RefreshEvery time.Duration
}

// New returns the calendar. Until Ensure has read the database it counts
// with the seed file's years.
func New(d Deps) (*Calendar, error) {
	if err := core.CheckDeps("workdays", d); err != nil {
		return nil, err
	}
	seed, err := seedYears()
	if err != nil {
		return nil, err
	}
	c := &Calendar{store: d.Store, audit: d.Audit, clock: d.Clock, log: d.Log, every: d.RefreshEvery}
	if c.every <= 0 {
		c.every = refreshEvery
	}
	c.snap.Store(newSnapshot(seed, c.clock.Now()))
	return c, nil
}

// Fixed returns a calendar of the given years only, without a database:
// for tests and tools. Its edits fail.
func Fixed(years ...Year) (*Calendar, error) {
	for i := range years {
		if years[i].Year < FirstYear || years[i].Year > LastYear {
			return nil, core.Errorf(core.NotFound, "error.not_found")
		}
		in := Input{Holidays: years[i].Holidays, WorkingDays: years[i].WorkingDays, Source: years[i].Source}
		if err := check(years[i].Year, &in); err != nil {
			return nil, err
		}
		years[i].ID, years[i].Holidays, years[i].WorkingDays = yearID(years[i].Year), in.Holidays, in.WorkingDays
		years[i].Version = max(years[i].Version, 1)
	}
	c := &Calendar{log: slog.Default(), every: 1<<63 - 1}
	c.snap.Store(newSnapshot(years, c.clock.Now()))
	return c, nil
}

// Seeded returns the seed file's calendar without a database.
func Seeded() (*Calendar, error) {
	seed, err := seedYears()
	if err != nil {
		return nil, err
	}
	return Fixed(seed...)
}

// Ensure writes the seed's years that the database lacks (a year once
// written is the bureau's: the file never overwrites it) and loads the
// snapshot.
func (c *Calendar) Ensure(ctx context.Context) error {
	seed, err := seedYears()
	if err != nil {
		return err
	}
	now := c.clock.Now()
	for _, y := range seed {
		var have Year
		err := c.store.Get(ctx, Collection.Name, y.ID, &have)
		if err == nil {
			continue
		}
		if !core.IsCode(err, core.NotFound) {
			return err
		}
		y.UpdatedAt, y.UpdatedBy = now, "seed"
		if _, err := c.store.C(Collection.Name).InsertOne(ctx, y); err != nil && !isDuplicate(err) {
			return core.Wrap(err, "seed working-day calendar")
		}
	}
	return c.Refresh(ctx)
}

// window is the years a snapshot holds: those a time limit counted today
// can reach, and last year's for what was filed then.
func window(now time.Time) []int {
	y := now.In(core.CST).Year()
	return []int{y - 1, y, y + 1}
}

// Refresh reloads the years around today from the database now.
func (c *Calendar) Refresh(ctx context.Context) error {
	now := c.clock.Now()
	var years []Year
	for _, y := range window(now) {
		var doc Year
		err := c.store.Get(ctx, Collection.Name, yearID(y), &doc)
		switch {
		case err == nil:
			years = append(years, doc)
		case core.IsCode(err, core.NotFound):
			// Not set: Monday to Friday.
		default:
			return err
		}
	}
	c.snap.Store(newSnapshot(years, now))
	return nil
}

// current returns the snapshot, starting a background reload when it is
// older than RefreshEvery.
func (c *Calendar) current() *snapshot {
	s := c.snap.Load()
	if c.store == nil || c.clock.Now().Sub(s.loaded) < c.every || !c.reloading.CompareAndSwap(false, true) {
		return s
	}
	go func() {
		defer c.reloading.Store(false)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := c.Refresh(ctx); err != nil {
			c.log.Warn("working-day calendar reload", "err", err)
			// Try again after another interval, not on every read.
			again := *c.snap.Load()
			again.loaded = c.clock.Now()
			c.snap.Store(&again)
		}
	}()
	return s
}

// snapshot is the years set, as this process last read them.
type snapshot struct {
	years  map[int]*yearDays
	loaded time.Time
}

// yearDays is one year's exceptions to Monday–Friday, by day number.
type yearDays struct {
	doc     Year
	off, on map[int]bool
}

func newSnapshot(years []Year, now time.Time) *snapshot {
	s := &snapshot{years: map[int]*yearDays{}, loaded: now}
	for _, y := range years {
		yd := &yearDays{doc: y, off: map[int]bool{}, on: map[int]bool{}}
		for _, sp := range y.Holidays {
			eachDay(sp, func(d core.Date) { yd.off[d.Day()] = true })
		}
		for _, sp := range y.WorkingDays {
			eachDay(sp, func(d core.Date) { yd.on[d.Day()] = true })
		}
		s.years[y.Year] = yd
	}
	return s
}

// eachDay calls fn for every day of a span.
func eachDay(sp Span, fn func(core.Date)) {
	to := sp.To
	if to.IsZero() {
		to = sp.From
	}
	for d := sp.From; !d.After(to); d = d.AddDays(1) {
		fn(d)
	}
}

// working reports whether d is a working day.
func (s *snapshot) working(d core.Date) bool {
	t := d.Time()
	if yd := s.years[t.Year()]; yd != nil {
		if yd.on[d.Day()] {
			return true
		}
		if yd.off[d.Day()] {
			return false
		}
	}
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

func yearID(y int) string { return strconv.Itoa(y) }
