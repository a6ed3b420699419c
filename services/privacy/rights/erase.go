package rights

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/privacy"
	"onestop/services/store"
)

// An erasure runs every area in the registry's order; it cannot be one
// transaction, and a step may fail half-way. Each step is idempotent, but
// what a retry needs may be gone by then: the real name and numbers leave
// with the profile, the login and the sessions with the account (the
// person cannot even ask again). So before any area runs the erasure is
// stored as a job under the person's id, holding the names and numbers
// gathered then, sealed with the vault, and the records erased so far; the
// compaction it owes is recorded at the same moment. The job is deleted
// once every area has erased. One that stopped is finished by the worker
// (Run, through Resume) in the background.

// erasePrefix starts the _id of an erasure job; the person's id follows.
const erasePrefix = "erase:"

// holdFor is how long a run holds an erasure job: no other run (the
// person asking again, the worker of another replica) starts on it
// meanwhile. A run that dies leaves it to the worker once it ran out.
const holdFor = 10 * time.Minute

// sealField binds the sealed part of a job to its use (pii.Vault).
const sealField = "privacy_erasure"

// erasure is an erasure under way.
type erasure struct {
	ID       string `bson:"_id"` // erasePrefix + person id
	PersonID string `bson:"person_id"`
	Role     string `bson:"role"`
	// Sealed is a keptSubject, sealed.
	Sealed string `bson:"sealed"`
	// Records are the ids of the records the areas erased the person's
	// name from so far (privacy.Subject.Records): a draft deleted by one
	// run is still known to the notifications of the next.
	Records []string  `bson:"records"`
	Since   time.Time `bson:"since"`
	Until   time.Time `bson:"until"` // a run holds it until then
	Tries   int       `bson:"tries"`
}

// keptSubject is what a job keeps sealed: the names and numbers to scrub,
// and the address the erasure was asked from (for its audit event).
type keptSubject struct {
	Names   []string `json:"names,omitempty"`
	Numbers []string `json:"numbers,omitempty"`
	IP      string   `json:"ip,omitempty"`
}

// errHeld reports an erasure another run holds right now.
var errHeld = errors.New("rights: erasure held by another run")

// Erase deletes the account of the person acting (PIPL Art. 47): the names
// and numbers they went by are gathered and stored with the erasure job,
// then every area erases in the registry's order (the account and the
// audit log come last), the erasure is audited under the pseudonym, and
// the search indexes are compacted so no old segment keeps the name.
//
// done is true when every area has erased. When a step fails once the job
// is stored, the erasure is under way: Erase answers done false without an
// error (the account may be gone already, so asking the person to try
// again would be wrong), and the worker finishes it. An error means
// nothing was changed and the person may simply try again.
func (s *Service) Erase(ctx context.Context, actor audit.Actor) (done bool, err error) {
	j, err := s.job(ctx, actor.ID)
	if err != nil {
		return false, err
	}
	started := j != nil
	j, subj, ip, err := s.prepare(ctx, j, actor)
	switch {
	case errors.Is(err, errHeld):
		return false, nil
	case err != nil && !started:
		return false, err
	case err != nil:
		s.c.Log.Warn("erasure under way: the worker finishes it", "person", actor.ID, "err", err)
		return false, nil
	}
	if err := s.run(ctx, j, subj, ip); err != nil {
		s.c.Log.Error("erasure stopped; the worker finishes it", "person", subj, "err", err)
		return false, nil
	}
	return true, nil
}

// Resume runs every erasure left unfinished (a step failed, the process
// stopped) that no other run holds, each to its end or until a step fails
// again. The jobs are few, so they are read by a scan of the collection.
func (s *Service) Resume(ctx context.Context) error {
	var jobs []*erasure
	err := store.Each(ctx, s.c.Store, Jobs.Name, func(j *erasure) error {
		if strings.HasPrefix(j.ID, erasePrefix) {
			jobs = append(jobs, j)
		}
		return nil
	})
	if err != nil {
		return err
	}
	var errs []error
	for _, j := range jobs {
		person := j.PersonID
		j, subj, ip, err := s.prepare(ctx, j, audit.Actor{ID: person})
		if errors.Is(err, errHeld) {
			continue
		}
		if err == nil {
			err = s.run(ctx, j, subj, ip)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("erasure of %s: %w", person, err))
		}
	}
	return errors.Join(errs...)
}

// job reads the person's erasure under way; nil when there is none.
func (s *Service) job(ctx context.Context, personID string) (*erasure, error) {
	var j erasure
	err := s.c.Store.Get(ctx, Jobs.Name, erasePrefix+personID, &j)
	if core.IsCode(err, core.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &j, nil
}

// prepare makes the subject of a run and takes the job for it: the names
// and numbers the job keeps, with those every Namer knows now (a retry
// after the profile went knows fewer; the kept ones stay), and the records
// erased so far. A new job (j nil) is stored, with the compaction it will
// owe, before anything is erased; an existing one is claimed, unless
// another run holds it (errHeld).
func (s *Service) prepare(ctx context.Context, j *erasure, actor audit.Actor) (*erasure, privacy.Subject, string, error) {
	now := s.now()
	personID := actor.ID
	if j != nil {
		personID = j.PersonID
		if j.Until.After(now) {
			return nil, privacy.Subject{}, "", errHeld
		}
	}
	subj := privacy.Subject{ID: personID, Pseudonym: s.c.Pseudonym(personID), Records: privacy.NewRecords()}
	kept := keptSubject{IP: actor.IP}
	if j != nil {
		raw, err := s.c.Vault.Open(sealField, j.Sealed)
		if err == nil {
			err = json.Unmarshal([]byte(raw), &kept)
		}
		if err != nil {
			return nil, subj, "", core.Wrap(err, "rights: open erasure job")
		}
		subj.Add(kept.Names, kept.Numbers)
		subj.Records.Add(j.Records...)
	}
	// The areas find the person's records through the search indexes: a
	// change the index has not taken yet would be a record missed.
	if err := s.c.Outbox.Drain(ctx); err != nil {
		return nil, subj, "", &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
	}
	for _, a := range s.c.Registry.Areas() {
		if n, ok := a.(privacy.Namer); ok {
			names, numbers, err := n.Known(ctx, personID)
			if err != nil {
				return nil, subj, "", core.Wrap(err, "erase: names from "+a.Name())
			}
			subj.Add(names, numbers)
		}
	}
	kept.Names, kept.Numbers = subj.Names, subj.Numbers
	raw, err := json.Marshal(kept)
	if err != nil {
		return nil, subj, "", core.Wrap(err, "rights: seal erasure job")
	}
	sealed := s.c.Vault.Seal(sealField, string(raw))
	until := now.Add(holdFor)
	if j == nil {
		if err := s.owe(ctx, false); err != nil {
			return nil, subj, "", err
		}
		j = &erasure{ID: erasePrefix + personID, PersonID: personID, Role: actor.Role, Sealed: sealed, Records: []string{},
			Since: now, Until: until, Tries: 1}
		_, err := s.c.Store.C(Jobs.Name).InsertOne(ctx, j)
		if mongo.IsDuplicateKeyError(err) {
			return nil, subj, "", errHeld // the same person asking twice at once
		}
		if err != nil {
			return nil, subj, "", core.Wrap(err, "rights: store erasure job")
		}
		return j, subj, kept.IP, nil
	}
	// Re-sealed on every run: under the current key during a rotation.
	err = s.c.Store.UpdateIf(ctx, Jobs.Name, j.ID, []store.Cond{store.Eq("until", j.Until)},
		bson.D{{Key: "$set", Value: bson.D{{Key: "sealed", Value: sealed}, {Key: "until", Value: until}}},
			{Key: "$inc", Value: bson.D{{Key: "tries", Value: 1}}}})
	if core.IsCode(err, core.Conflict) || core.IsCode(err, core.NotFound) {
		return nil, subj, "", errHeld // taken, or finished, meanwhile
	}
	if err != nil {
		return nil, subj, "", err
	}
	j.Sealed, j.Until = sealed, until
	return j, subj, kept.IP, nil
}

// run erases in every area, in the registry's order, keeping the records
// erased in the job as it goes; then the compaction is owed again (the
// last changes are in no compaction yet), the erasure audited under the
// pseudonym, and the job deleted. A step that fails gives the job back to
// the worker at once.
func (s *Service) run(ctx context.Context, j *erasure, subj privacy.Subject, ip string) error {
	for _, a := range s.c.Registry.Areas() {
		n := subj.Records.Len()
		if err := a.Erase(ctx, subj); err != nil {
			s.release(ctx, j, subj)
			return core.Wrap(err, "erase "+a.Name())
		}
		if subj.Records.Len() != n {
			if err := s.keep(ctx, j, bson.D{{Key: "records", Value: subj.Records.IDs()}}); err != nil {
				s.release(ctx, j, subj)
				return err
			}
		}
	}
	if err := s.owe(ctx, true); err != nil {
		s.release(ctx, j, subj)
		return err
	}
	s.c.Audit.Record(ctx, audit.Actor{ID: subj.ID, Role: j.Role, Name: subj.Pseudonym, IP: ip}, "privacy.erase", audit.Success, subj.ID, "")
	if _, err := s.c.Store.C(Jobs.Name).DeleteOne(ctx, bson.D{{Key: "_id", Value: j.ID}}); err != nil {
		// Everything is erased; the worker runs it once more, to no effect.
		s.release(ctx, j, subj)
		return core.Wrap(err, "rights: clear erasure job")
	}
	return nil
}

// keep changes the job while this run holds it.
func (s *Service) keep(ctx context.Context, j *erasure, set bson.D) error {
	err := s.c.Store.UpdateIf(ctx, Jobs.Name, j.ID, []store.Cond{store.Eq("until", j.Until)}, bson.D{{Key: "$set", Value: set}})
	if core.IsCode(err, core.Conflict) {
		return core.Wrap(err, "rights: erasure job taken over")
	}
	return err
}

// release gives the job back for the worker's next round, with the
// records erased so far; it runs even when the request has gone, and a
// failure only leaves the job held until its hold runs out.
func (s *Service) release(ctx context.Context, j *erasure, subj privacy.Subject) {
	ctx = context.WithoutCancel(ctx)
	set := bson.D{{Key: "until", Value: s.now()}, {Key: "records", Value: subj.Records.IDs()}}
	if err := s.keep(ctx, j, set); err != nil {
		s.c.Log.Warn("erasure job not released; the worker takes it when its hold runs out", "person", subj, "err", err)
	}
}

// now is the clock to the millisecond, as the store keeps it, so that a
// guard on a time read back matches.
func (s *Service) now() time.Time { return s.c.Clock.Now().UTC().Truncate(time.Millisecond) }
