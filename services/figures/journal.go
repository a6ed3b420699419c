package figures

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"onestop/services/core"
	"onestop/services/store"
)

// A count is journaled so that a process killed inside it is finished
// later, not lost (the store has no transaction across documents, the
// embedded one none at all):
//
//  1. the batch — its events — is written to the process's journal,
//     replacing the batch before it;
//  2. the events are claimed, each claim naming the batch; an event
//     claimed before is another batch's, and counts there;
//  3. each rollup gets the sums of the batch's claimed events and, in the
//     same update, the batch's mark.
//
// A journal left by a dead process is finished by Recover: the claims say
// which events are the batch's, the marks which rollups have its sums
// already. A mark is removed once no journal holds its batch (the next
// update of the rollup), so rollups keep a handful at most.

// errKilled ends a count where a test kills it (Service.kill).
var errKilled = errors.New("figures: count killed (a test's)")

// killed reports whether a test kills the count before its write n after
// the journal (1: the claims, 2: the first rollup's sums, …).
func (s *Service) killed(n int) bool { return s.kill > 0 && n >= s.kill }

// journal is one process's last batch.
type journal struct {
	ID     string    `bson:"_id"` // the process's (Service.holder)
	Batch  string    `bson:"batch"`
	Events []Event   `bson:"events"`
	At     time.Time `bson:"at"` // the batch's time, or the process's last sign of life
}

// claim is a counted event's id and the batch that counts it (none for the
// claims of a rebuild and of versions before the journal).
type claim struct {
	ID    string `bson:"_id"`
	Batch string `bson:"batch,omitempty"`
}

// marks are the batches whose marks may go from rollups: their journal
// moved on. Rollup id → batches.
type marks struct {
	mu    sync.Mutex
	stale map[string][]string
}

func (m *marks) add(batch string, rollups []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.stale == nil {
		m.stale = map[string][]string{}
	}
	for _, r := range rollups {
		m.stale[r] = append(m.stale[r], batch)
	}
}

// take returns the stale marks of a rollup, to be removed by its next
// update.
func (m *marks) take(rollup string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.stale[rollup]
	delete(m.stale, rollup)
	return out
}

// recordAll counts many events at once as one batch (see above): events
// claimed before are counted already and skipped, and each rollup gets the
// sum of what the new ones add to it.
func (s *Service) recordAll(ctx context.Context, events []Event) error {
	var fresh []Event
	seen := map[string]bool{}
	for _, e := range events {
		if e.ID == "" || e.On.IsZero() || check(e) != nil {
			// A caller's bug; the others' events still count.
			slog.Error("figures: event refused", "event", e.ID, "on", e.On, "values", e.Values)
			continue
		}
		if !seen[e.ID] {
			seen[e.ID] = true
			fresh = append(fresh, e)
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	j := journal{ID: *s.holder.Load(), Batch: core.NewID(), Events: fresh, At: time.Now().UTC()}
	if err := s.writeJournal(ctx, &j); err != nil {
		return err
	}
	// The batch before is out of the journal: its marks may go.
	s.marks.add(s.last.batch, s.last.rollups)
	s.last.batch, s.last.rollups = "", nil
	touched, err := s.count(ctx, &j, false)
	if err != nil {
		// Left for Recover to finish: the next batch goes to a journal of
		// its own, and this one, silent, is finished within minutes.
		s.holder.Store(new(core.NewID()))
		return err
	}
	s.last.batch, s.last.rollups = j.Batch, touched
	return nil
}

// writeJournal replaces the process's journal with j: by _id, as the
// embedded store finds documents fast only so.
func (s *Service) writeJournal(ctx context.Context, j *journal) error {
	c := s.store.C(Journals.Name)
	r, err := c.ReplaceOne(ctx, bson.D{{Key: "_id", Value: j.ID}}, j)
	if err == nil && r.MatchedCount == 0 {
		_, err = c.InsertOne(ctx, j)
	}
	return core.Wrap(err, "figures journal")
}

// count claims the journal's events and adds their sums to the rollups it
// touches, returning their ids. again is a journal finished after its
// process died: a claim it wrote then is still its own, and a rollup with
// its mark has its sums.
func (s *Service) count(ctx context.Context, j *journal, again bool) ([]string, error) {
	if s.killed(1) {
		return nil, errKilled
	}
	claims := make([]any, len(j.Events))
	for i, e := range j.Events {
		claims[i] = claim{ID: e.ID, Batch: j.Batch}
	}
	_, err := s.store.C("figure_events").InsertMany(ctx, claims, options.InsertMany().SetOrdered(false))
	if err != nil && !onlyDuplicates(err) {
		return nil, core.Wrap(err, "claim figure events")
	}
	ours := make([]bool, len(j.Events))
	for i := range ours {
		ours[i] = true
	}
	var dups []string
	var at []int
	for _, we := range bulkErrors(err) {
		ours[we.Index] = false
		dups = append(dups, j.Events[we.Index].ID)
		at = append(at, we.Index)
	}
	if again && len(dups) > 0 {
		got, err := store.GetMany[claim](ctx, s.store, "figure_events", dups)
		if err != nil {
			return nil, err
		}
		for k, c := range got {
			ours[at[k]] = c != nil && c.Batch == j.Batch
		}
	}
	type sum struct {
		t   Rollup
		inc map[string]int64
	}
	sums := map[string]*sum{}
	for i, e := range j.Events {
		if !ours[i] {
			continue
		}
		for _, t := range targets(e) {
			r := sums[t.ID]
			if r == nil {
				r = &sum{t: t, inc: map[string]int64{}}
				sums[t.ID] = r
			}
			addEvent(r.inc, e, 1)
		}
	}
	var touched []string
	for _, id := range sortedKeys(sums) {
		inc := incOps(sums[id].inc)
		if len(inc) == 0 {
			continue
		}
		if s.killed(2 + len(touched)) {
			return touched, errKilled
		}
		touched = append(touched, id)
		if err := s.incrementOnce(ctx, sums[id].t, j.Batch, inc, again); err != nil {
			return touched, err
		}
	}
	return touched, nil
}

// incrementOnce adds inc to rollup t with batch's mark, removing the marks
// gone stale. guarded: only if the rollup has not the mark yet (a journal
// finished again); a live batch is the only one to write its mark.
func (s *Service) incrementOnce(ctx context.Context, t Rollup, batch string, inc bson.D, guarded bool) error {
	mark := "batches." + batch
	update := bson.D{{Key: "$inc", Value: inc}, {Key: "$set", Value: bson.D{{Key: mark, Value: true}}}}
	if old := s.marks.take(t.ID); len(old) > 0 {
		unset := bson.D{}
		for _, b := range old {
			unset = append(unset, bson.E{Key: "batches." + b, Value: ""})
		}
		update = append(update, bson.E{Key: "$unset", Value: unset})
	}
	for attempt := 0; ; attempt++ {
		found, err := s.addTo(ctx, t.ID, update, mark, guarded)
		if err != nil || found {
			return err
		}
		if attempt == 1 {
			return fmt.Errorf("figures: rollup %s neither found nor created", t.ID)
		}
		// Never upsert: an upsert reads the whole collection on the
		// embedded store. Every rollup is born with every histogram's
		// buckets, so an increment always finds its array.
		if _, err := s.store.C("rollups").InsertOne(ctx, newRollup(t)); err != nil && !mongo.IsDuplicateKeyError(err) {
			return core.Wrap(err, "create rollup")
		}
	}
}

// addTo sends update to rollup id, guarded or not; found is false when
// there is no such rollup.
func (s *Service) addTo(ctx context.Context, id string, update bson.D, mark string, guarded bool) (found bool, err error) {
	if guarded {
		err := s.store.UpdateIf(ctx, "rollups", id, []store.Cond{store.Eq(mark, nil)}, update)
		switch {
		case core.IsCode(err, core.NotFound):
			return false, nil
		case core.IsCode(err, core.Conflict):
			return true, nil // its sums are in
		}
		return true, err
	}
	r, err := s.store.C("rollups").UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, update)
	if err != nil {
		return false, core.Wrap(err, "increment rollup")
	}
	return r.MatchedCount == 1, nil
}

// Recover finishes the journals of processes gone: on the embedded store,
// which one process serves, every journal it finds before it counts
// anything; on a server, those with no sign of life since before (the
// processes beat every minute, see Run). Each is then removed.
func (s *Service) Recover(ctx context.Context, before time.Time) (int, error) {
	cur, err := s.store.C(Journals.Name).Find(ctx, bson.D{})
	if err != nil {
		return 0, core.Wrap(err, "figures journals")
	}
	var js []journal
	if err := cur.All(ctx, &js); err != nil {
		return 0, core.Wrap(err, "figures journals")
	}
	n := 0
	for _, j := range js {
		if j.ID == *s.holder.Load() || (!before.IsZero() && !j.At.Before(before)) {
			continue
		}
		touched, err := s.count(ctx, &j, true)
		if err != nil {
			return n, err
		}
		if _, err := s.store.C(Journals.Name).DeleteOne(ctx, bson.D{{Key: "_id", Value: j.ID}}); err != nil {
			return n, core.Wrap(err, "figures journal")
		}
		// No journal holds the batch now: its marks may go.
		s.marks.add(j.Batch, touched)
		n++
	}
	return n, nil
}

// Run keeps this process's journal alive (it beats every interval) and,
// holding the lease, finishes the journals of processes silent for three
// intervals, until ctx ends. Liveness is the machine's time, not clock
// (which only times the lease): it is about processes, not the calendar.
func (s *Service) Run(ctx context.Context, holder string, every time.Duration, clock core.Clock) {
	go s.store.RunLeased(ctx, "figures-journals", holder, every, clock, func(ctx context.Context) {
		if n, err := s.Recover(ctx, time.Now().Add(-3*every)); err != nil && ctx.Err() == nil {
			slog.Warn("figures journals", "err", err)
		} else if n > 0 {
			slog.Info("figures journals of stopped processes finished", "journals", n)
		}
	})
	core.Every(ctx, every, func() {
		_, err := s.store.C(Journals.Name).UpdateOne(store.Background(ctx), bson.D{{Key: "_id", Value: *s.holder.Load()}},
			bson.D{{Key: "$set", Value: bson.D{{Key: "at", Value: time.Now().UTC()}}}})
		if err != nil && ctx.Err() == nil {
			slog.Warn("figures journal", "err", err)
		}
	})
}
