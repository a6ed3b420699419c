// Package rights runs the data-subject rights of PIPL over every area of
// the personal-data contract (services/privacy): access and copy (Art. 45:
// Export, written as a ZIP of JSON per area and a readable summary) and
// deletion (Art. 47: Erase, a durable job finished in the background if a
// step fails, then the search indexes compacted so that no old segment
// keeps the name).
package rights

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"onestop/search"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/outbox"
	"onestop/services/pii"
	"onestop/services/privacy"
	"onestop/services/store"
)

// Jobs holds the pending jobs of the package: a compaction of the search
// indexes owed after an erasure (see Compact), and each erasure under way
// until it completes (erase.go), with the person's names and numbers
// sealed.
var Jobs = store.Collection{Name: "privacy_jobs"}

const compactJob = "compact"

// job is a pending compaction: due since the last erasure that needs it.
type job struct {
	ID  string    `bson:"_id"`
	Due time.Time `bson:"due"`
}

// Deps wires the service; every field but Compactor is required.
type Deps struct {
	Registry *privacy.Registry
	Store    *store.Store
	// Vault seals the names and numbers an erasure under way keeps until
	// it completes.
	Vault *pii.Vault
	// Outbox is drained before an erasure (areas find a person's records
	// through the search indexes, which must be in step) and names the
	// indexes to compact after it.
	Outbox *outbox.Outbox
	Audit  *audit.Log
	// Compactor rewrites an index so that replaced and deleted documents
	// leave its files (the embedded Bleve engine); nil for an engine that
	// needs nothing of the kind.
	Compactor search.Compactor `deps:"optional"`
	// Pseudonym is the stand-in name of a deleted account.
	Pseudonym func(id string) string
	Clock     core.Clock
	Log       *slog.Logger
}

// Service runs the export and erasure use cases over every registered area.
type Service struct {
	c    Deps
	wake chan struct{}
}

// New returns the service.
func New(c Deps) (*Service, error) {
	if err := core.CheckDeps("rights", c); err != nil {
		return nil, err
	}
	if len(c.Registry.Areas()) == 0 {
		return nil, errors.New("rights: no area registered")
	}
	return &Service{c: c, wake: make(chan struct{}, 1)}, nil
}

// Export is everything the portal holds about one person (PIPL Art. 45).
type Export struct {
	PersonID   string
	ExportedAt time.Time
	Parts      []AreaPart // in the registry's order
}

// AreaPart is one area's part of an export.
type AreaPart struct {
	Area string
	Part *privacy.Part
}

// Export collects what every area holds about the person acting, and
// audits it. The audit log (a Follower) is asked last, for the events
// about the records the others exported too.
func (s *Service) Export(ctx context.Context, actor audit.Actor) (*Export, error) {
	ex := &Export{PersonID: actor.ID, ExportedAt: s.c.Clock.Now()}
	var ids []string
	var followers []privacy.Area
	for _, a := range s.c.Registry.Areas() {
		if _, ok := a.(privacy.Follower); ok {
			followers = append(followers, a)
			continue
		}
		p, err := a.Export(ctx, actor.ID)
		if err != nil {
			return nil, core.Wrap(err, "export "+a.Name())
		}
		ex.add(a.Name(), p)
		for _, r := range p.Records {
			ids = append(ids, r.ID)
		}
	}
	for _, a := range followers {
		p, err := a.(privacy.Follower).ExportAbout(ctx, actor.ID, ids)
		if err != nil {
			return nil, core.Wrap(err, "export "+a.Name())
		}
		ex.add(a.Name(), p)
	}
	s.c.Audit.Record(ctx, actor, "privacy.export", audit.Success, actor.ID, "")
	return ex, nil
}

func (ex *Export) add(area string, p *privacy.Part) {
	if p == nil {
		p = &privacy.Part{}
	}
	if p.Records == nil {
		p.Records = []privacy.Record{}
	}
	ex.Parts = append(ex.Parts, AreaPart{Area: area, Part: p})
}

// owe records that the indexes need compacting, durably (a crash before
// the compaction leaves the job for the next start), and with wake wakes
// Run to compact now.
func (s *Service) owe(ctx context.Context, wake bool) error {
	if s.c.Compactor == nil {
		return nil
	}
	_, err := s.c.Store.C(Jobs.Name).UpdateOne(ctx, bson.D{{Key: "_id", Value: compactJob}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "due", Value: s.c.Clock.Now()}}}}, options.UpdateOne().SetUpsert(true))
	if err != nil {
		return core.Wrap(err, "rights: record compaction")
	}
	if wake {
		select {
		case s.wake <- struct{}{}:
		default: // a wake-up is pending already
		}
	}
	return nil
}

// compactTimeout bounds the compaction of one index; one that runs over is
// tried again on the next round.
const compactTimeout = 5 * time.Minute

// Compact runs the compaction owed, if any: it applies the outbox first (a
// record's pseudonymised document must be in the index before the segments
// holding the old one are merged away), then compacts every index. The job
// is cleared only if no erasure owed another one meanwhile.
func (s *Service) Compact(ctx context.Context) error {
	if s.c.Compactor == nil {
		return nil
	}
	var j job
	if err := s.c.Store.Get(ctx, Jobs.Name, compactJob, &j); err != nil {
		if core.IsCode(err, core.NotFound) {
			return nil
		}
		return err
	}
	if err := s.c.Outbox.Drain(ctx); err != nil {
		return fmt.Errorf("rights: compaction waits for the outbox: %w", err)
	}
	var errs []error
	for _, index := range s.c.Outbox.Indexes() {
		ictx, cancel := context.WithTimeout(ctx, compactTimeout)
		if err := s.c.Compactor.Compact(ictx, index); err != nil {
			errs = append(errs, err)
		}
		cancel()
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	// Only the job as read: a newer erasure's stays for the next round.
	_, err := s.c.Store.C(Jobs.Name).DeleteOne(ctx, bson.D{{Key: "_id", Value: compactJob}, {Key: "due", Value: j.Due}})
	return core.Wrap(err, "rights: clear compaction")
}

// Run finishes the erasures left unfinished (Resume) and compacts when an
// erasure asks, and every interval (a step or a compaction that failed, a
// job left by a crash), until ctx ends.
func (s *Service) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.Resume(ctx); err != nil && ctx.Err() == nil {
			s.c.Log.Warn("erasure under way: a step failed, tried again next round", "err", err)
		}
		if err := s.Compact(ctx); err != nil && ctx.Err() == nil {
			s.c.Log.Warn("search index compaction after an erasure", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-t.C:
		}
	}
}
