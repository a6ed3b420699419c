package store

import (
	"context"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/core"
)

// Leases is where background workers take turns: a lease document per job
// names its holder and until when it holds, so of several portal replicas
// one runs the job at a time.
var Leases = Collection{Name: "leases"}

type lease struct {
	ID     string    `bson:"_id"`
	Holder string    `bson:"holder"`
	Until  time.Time `bson:"until"`
}

// Acquire takes or renews the lease on job for holder until now+ttl. It
// reports whether holder has it: a lease held by another and not expired
// is not taken.
func (s *Store) Acquire(ctx context.Context, job, holder string, now time.Time, ttl time.Duration) (bool, error) {
	until := now.Add(ttl).UTC().Truncate(time.Millisecond)
	_, err := s.C(Leases.Name).InsertOne(ctx, lease{ID: job, Holder: holder, Until: until})
	if err == nil {
		return true, nil
	}
	set := bson.D{{Key: "$set", Value: bson.D{{Key: "holder", Value: holder}, {Key: "until", Value: until}}}}
	// Renew our own lease, or take one that has run out.
	if err := s.UpdateIf(ctx, Leases.Name, job, []Cond{Eq("holder", holder)}, set); err == nil {
		return true, nil
	} else if !core.IsCode(err, core.Conflict) {
		return false, err
	}
	err = s.UpdateIf(ctx, Leases.Name, job, []Cond{Lt("until", now.UTC().Truncate(time.Millisecond))}, set)
	if core.IsCode(err, core.Conflict) {
		return false, nil
	}
	return err == nil, err
}

// RunLeased calls pass every interval while holder holds the lease on job,
// until ctx ends: the loop of every background worker. The lease lasts
// three intervals, so a replica that dies hands the job on within them.
// A pass is Background work: its writes let the writes of requests go
// first.
func (s *Store) RunLeased(ctx context.Context, job, holder string, every time.Duration, clock core.Clock, pass func(context.Context)) {
	core.Every(ctx, every, func() {
		if ok, err := s.Acquire(ctx, job, holder, clock.Now(), 3*every); err == nil && ok {
			pass(Background(ctx))
			s.passes.done(job)
		}
	})
}

// passLog remembers when this process last ran each leased job, for the
// workers' lag metric.
type passLog struct {
	mu sync.Mutex
	at map[string]time.Time
}

func (p *passLog) done(job string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.at[job] = time.Now()
	p.mu.Unlock()
}

// LastPasses returns when this process last ran each leased job.
func (s *Store) LastPasses() map[string]time.Time {
	out := map[string]time.Time{}
	if s.passes == nil {
		return out
	}
	s.passes.mu.Lock()
	defer s.passes.mu.Unlock()
	for k, v := range s.passes.at {
		out[k] = v
	}
	return out
}
