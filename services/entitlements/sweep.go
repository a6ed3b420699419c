package entitlements

import (
	"context"
	"log/slog"
	"time"

	"onestop/services/core"
	"onestop/services/people"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Sweep is the re-check of everyone: after a change of the catalogue, and
// once a day for the supports that end with the days passing. Its record
// (one, by _id) is its progress while it runs and its summary after.
type Sweep struct {
	ID          string    `bson:"_id"`
	Fingerprint string    `bson:"fingerprint"` // the catalogue it ran for
	Day         core.Date `bson:"day"`         // the day it ran for
	Checked     int       `bson:"checked"`     // people re-checked so far
	Total       int       `bson:"total"`       // people with a profile when it began (an estimate while running)
	Told        int       `bson:"told"`        // notices sent
	StartedAt   time.Time `bson:"started_at"`
	FinishedAt  time.Time `bson:"finished_at,omitzero"`
}

// Running reports whether the sweep is under way.
func (w *Sweep) Running() bool { return !w.StartedAt.IsZero() && w.FinishedAt.IsZero() }

const sweepID = "everyone"

// Progress is the last or running sweep; nil before the first.
func (s *Service) Progress(ctx context.Context) (*Sweep, error) {
	var w Sweep
	err := s.store.Get(ctx, Jobs.Name, sweepID, &w)
	if core.IsCode(err, core.NotFound) {
		return nil, nil
	}
	return &w, err
}

// Due reports whether everyone must be re-checked: the catalogue changed
// since the last sweep finished, or a day has passed.
func (s *Service) Due(ctx context.Context) (bool, error) {
	list, err := s.policies.All(ctx)
	if err != nil {
		return false, err
	}
	w, err := s.Progress(ctx)
	if err != nil || w == nil {
		return w == nil, err
	}
	return w.Fingerprint != fingerprint(list) || !w.Day.Equal(core.DateOf(s.clock.Now())) || w.Running(), nil
}

// progressEvery is how many people a sweep checks between the writes of
// its progress.
const progressEvery = 500

// SweepAll re-checks every person with a profile against the catalogue as
// it is, telling each what changed; a failure on one person is logged and
// the sweep goes on (their next save or the next sweep catches up).
func (s *Service) SweepAll(ctx context.Context) (*Sweep, error) {
	list, err := s.policies.All(ctx)
	if err != nil {
		return nil, err
	}
	today := core.DateOf(s.clock.Now())
	total, err := s.engine.Count(ctx, people.Index.Name)
	if err != nil {
		total = 0 // an estimate only: the index may be rebuilding
	}
	w := &Sweep{ID: sweepID, Fingerprint: fingerprint(list), Day: today, Total: total, StartedAt: s.clock.Now()}
	save := func() {
		if _, err := s.store.C(Jobs.Name).ReplaceOne(ctx, bson.D{{Key: "_id", Value: w.ID}}, w, options.Replace().SetUpsert(true)); err != nil {
			s.log.Warn("entitlement sweep progress", "err", err)
		}
	}
	save()
	err = s.people.Each(ctx, func(p *people.Profile) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		facts := people.AnsweredFacts(p) // as the supports page answers
		changes, err := s.refresh(ctx, p.ID, Holds(list, &facts, today))
		if err != nil && ctx.Err() == nil {
			s.log.Warn("entitlement check", "person", p.ID, "err", err)
		}
		w.Checked++
		w.Told += len(changes)
		if w.Checked%progressEvery == 0 {
			save()
		}
		return nil
	})
	if err != nil {
		return w, err
	}
	w.Total, w.FinishedAt = max(w.Total, w.Checked), s.clock.Now()
	save()
	return w, nil
}

// Lease is the lease the sweeping worker holds.
const Lease = "entitlements"

// Run sweeps, while holding the lease, whenever one is due (checked every
// interval), until ctx ends.
func (s *Service) Run(ctx context.Context, holder string, every time.Duration) {
	s.store.RunLeased(ctx, Lease, holder, every, s.clock, func(ctx context.Context) {
		due, err := s.Due(ctx)
		if err != nil || !due {
			if err != nil && ctx.Err() == nil {
				s.log.Warn("entitlement sweep", "err", err)
			}
			return
		}
		w, err := s.SweepAll(ctx)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Warn("entitlement sweep", "err", err)
			}
			return // at shutdown: the next start goes on with it (Due)
		}
		s.log.Info("entitlement sweep", "checked", w.Checked, "told", w.Told, slog.Duration("took", w.FinishedAt.Sub(w.StartedAt)))
	})
}
