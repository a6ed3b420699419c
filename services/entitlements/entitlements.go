// Package entitlements keeps what each person qualifies for and tells them
// when that changes (the first half of 免申即享): newly eligible for a
// support, about to lose one (with its last day), or no longer eligible.
// A person's profile save re-checks them at once; a change of the
// catalogue and the passing of days re-check everyone, in a background
// sweep whose progress administrators see.
//
// Each notice is told once: its id is derived from the person, the
// support, the change and the snapshot it moves from, so a refresh that
// runs again after a crash — between the notices and the snapshot — finds
// them sent and sends nothing more. The people eligible for each support
// now are counted the same way (figures.go).
package entitlements

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"time"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/figures"
	"onestop/services/notify"
	"onestop/services/people"
	"onestop/services/policy"
	"onestop/services/store"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Collection keeps, by person (_id), what they qualified for when last
// told; Jobs keeps the sweep's progress.
var (
	Collection = store.Collection{Name: "entitlements"}
	Jobs       = store.Collection{Name: "entitlement_sweeps"}
)

// Collections of the package.
var Collections = []store.Collection{Collection, Jobs}

// Ahead is how many days before a support ends its holder is told.
const Ahead = 30

// Snapshot is what one person qualified for when last told.
type Snapshot struct {
	ID      string          `bson:"_id"` // the person's account
	Holds   map[string]Hold `bson:"holds"`
	Version int             `bson:"version"`
	At      time.Time       `bson:"at"`
}

// Hold is one support the person qualifies for.
type Hold struct {
	// Last is the last day it holds when that is within Ahead days (a
	// graduate's window closing); zero while it holds beyond.
	Last core.Date `bson:"last,omitzero"`
	// From is the version of the snapshot the person gained it from: the
	// id of the figure that counts them eligible (figures.go), which a
	// rebuild derives again from the snapshot.
	From int `bson:"from,omitempty"`
}

// Change kinds.
const (
	Gained = "gained" // newly eligible
	Ending = "ending" // eligible, with a last day within Ahead days
	Lost   = "lost"   // eligible no more
)

// Change is one thing a person is told.
type Change struct {
	Policy, Kind string
	Last         core.Date // for Ending (and Gained with an end in sight)
}

// Service keeps the snapshots.
type Service struct {
	store    *store.Store
	engine   search.Engine
	people   *people.Service
	policies *policy.Catalogue
	notify   *notify.Service
	figures  *figures.Service
	clock    core.Clock
	log      *slog.Logger
	gained   []func(ctx context.Context, personID string)
}

// OnGained registers fn to run after a re-check found a person newly
// eligible for some support (the grants made without application).
func (s *Service) OnGained(fn func(ctx context.Context, personID string)) {
	s.gained = append(s.gained, fn)
}

// Deps wires the service.
type Deps struct {
	Store    *store.Store
	Engine   search.Engine
	People   *people.Service
	Policies *policy.Catalogue
	Notify   *notify.Service
	// Figures counts the people eligible for each support now.
	Figures *figures.Service
	Clock   core.Clock
	Log     *slog.Logger
}

// New returns the service.
func New(d Deps) (*Service, error) {
	if err := core.CheckDeps("entitlements", d); err != nil {
		return nil, err
	}
	return &Service{store: d.Store, engine: d.Engine, people: d.People, policies: d.Policies, notify: d.Notify, figures: d.Figures,
		clock: d.Clock, log: d.Log}, nil
}

// system reads profiles for the re-check.
var system = accounts.Principal{ID: "system", Role: accounts.Admin, Name: "system"}

// Refresh re-checks one person against the catalogue today and tells them
// what changed since they were last told. A person checked for the first
// time is not told what they already qualify for (the supports page says
// it), only of a support about to end.
func (s *Service) Refresh(ctx context.Context, personID string) ([]Change, error) {
	p, err := s.people.Get(ctx, system, personID)
	if core.IsCode(err, core.NotFound) {
		return nil, nil // no profile (or erased): nothing to tell
	}
	if err != nil {
		return nil, err
	}
	list, err := s.policies.All(ctx)
	if err != nil {
		return nil, err
	}
	facts := people.AnsweredFacts(p)
	return s.refresh(ctx, personID, Holds(list, &facts, core.DateOf(s.clock.Now())))
}

// refresh tells a person what changed from their snapshot to now, and
// keeps now as their snapshot.
func (s *Service) refresh(ctx context.Context, personID string, now map[string]Hold) ([]Change, error) {
	var prev Snapshot
	err := s.store.Get(ctx, Collection.Name, personID, &prev)
	first := core.IsCode(err, core.NotFound)
	if err != nil && !first {
		return nil, err
	}
	had := prev.Holds // what they were counted eligible for (nothing at a first check)
	for id, h := range now {
		h.From = prev.Version
		if was, ok := had[id]; ok {
			h.From = was.From
		}
		now[id] = h
	}
	if first {
		prev = Snapshot{ID: personID, Holds: maps.Clone(now)}
		for id := range prev.Holds {
			prev.Holds[id] = Hold{} // so an end in sight is still told
		}
	}
	changes := diff(prev.Holds, now)
	if !first && len(changes) == 0 && maps.Equal(prev.Holds, now) {
		return nil, nil
	}
	for _, c := range changes {
		if err := s.tell(ctx, personID, prev.Version, c); err != nil {
			return nil, err // the snapshot stays: the next run tells it again, once
		}
	}
	// Counted as told: before the snapshot moves, each once.
	if err := s.count(ctx, personID, prev.Version, had, now); err != nil {
		return nil, err
	}
	next := Snapshot{ID: personID, Holds: now, Version: prev.Version + 1, At: s.clock.Now()}
	if first {
		_, err = s.store.C(Collection.Name).InsertOne(ctx, &next)
		if mongo.IsDuplicateKeyError(err) {
			err = store.ErrStale
		}
	} else {
		err = s.store.UpdateIf(ctx, Collection.Name, personID, []store.Cond{store.Eq("version", prev.Version)},
			bson.D{{Key: "$set", Value: bson.D{{Key: "holds", Value: next.Holds}, {Key: "version", Value: next.Version}, {Key: "at", Value: next.At}}}})
	}
	if core.IsCode(err, core.Conflict) {
		return nil, nil // another replica refreshed them meanwhile: its notices stand
	}
	if err != nil {
		return nil, core.Wrap(err, "entitlements")
	}
	if slices.ContainsFunc(changes, func(c Change) bool { return c.Kind == Gained }) {
		for _, fn := range s.gained {
			fn(context.WithoutCancel(ctx), personID)
		}
	}
	return changes, nil
}

// Holds are the supports the facts qualify for on day, each with its last
// day when that comes within Ahead days.
func Holds(list []*policy.Policy, f *policy.Facts, day core.Date) map[string]Hold {
	out := map[string]Hold{}
	for _, r := range policy.Evaluate(list, f, day) {
		if r.Status != policy.Eligible {
			continue
		}
		out[r.Policy.ID] = Hold{Last: lastDay(r.Policy, f, day)}
	}
	return out
}

// lastDay is the last day within Ahead days on which p still holds, or
// zero when it holds beyond: a binary search over the days, each an
// evaluation of microseconds. (A rule that holds, stops and holds again
// within a month is not one the catalogue has.)
func lastDay(p *policy.Policy, f *policy.Facts, day core.Date) core.Date {
	one := []*policy.Policy{p}
	holds := func(d int) bool {
		rs := policy.Evaluate(one, f, day.AddDays(d))
		return len(rs) == 1 && rs[0].Status == policy.Eligible
	}
	if holds(Ahead) {
		return core.Date{}
	}
	lo, hi := 0, Ahead // holds on lo, not on hi
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if holds(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return day.AddDays(lo)
}

// diff is what changed from prev to now, in the catalogue's order of ids.
func diff(prev, now map[string]Hold) []Change {
	var out []Change
	for _, id := range slices.Sorted(maps.Keys(now)) {
		h := now[id]
		was, had := prev[id]
		switch {
		case !had:
			out = append(out, Change{Policy: id, Kind: Gained, Last: h.Last})
		case !h.Last.IsZero() && !h.Last.Equal(was.Last):
			out = append(out, Change{Policy: id, Kind: Ending, Last: h.Last})
		}
	}
	for _, id := range slices.Sorted(maps.Keys(prev)) {
		if _, still := now[id]; !still {
			out = append(out, Change{Policy: id, Kind: Lost})
		}
	}
	return out
}

// tell sends one change's notice, under an id derived from the snapshot
// it moves from: sent once however often the refresh runs.
func (s *Service) tell(ctx context.Context, personID string, from int, c Change) error {
	id := core.IDOf("entitlement", personID, c.Policy, c.Kind, strconv.Itoa(from))
	key, arg := "notify.entitlement."+c.Kind, notify.Policy(c.Policy)
	if !c.Last.IsZero() {
		key, arg = key+"_until", notify.PolicyUntil(c.Policy, c.Last.String())
	}
	return s.notify.SendOnce(ctx, id, personID, key, arg, "/supports#policy-"+c.Policy)
}

// fingerprint names the catalogue as it is: every policy's id and version.
// A sweep remembers the one it ran for, so an edit starts the next.
func fingerprint(list []*policy.Policy) string {
	out := ""
	for _, p := range list {
		out += fmt.Sprintf("%s@%d;", p.ID, p.Version)
	}
	return out
}
