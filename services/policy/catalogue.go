package policy

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/figures"
	"onestop/services/reference"
	"onestop/services/store"
)

// Collections are the catalogue's: the current policies (a small, bounded
// collection, read whole) and every earlier version.
var Collections = []store.Collection{{Name: "policies"}, {Name: "policy_versions"}, CheckLog, DefinedFacts}

//go:embed catalogue.json
var seedJSON []byte

type seedFile struct {
	Version  int      `json:"version"`
	Source   string   `json:"source"`
	Policies []Policy `json:"policies"`
}

// SeedPolicies returns the policies of the versioned seed file, validated.
func SeedPolicies() ([]*Policy, error) {
	var sf seedFile
	if err := json.Unmarshal(seedJSON, &sf); err != nil {
		return nil, fmt.Errorf("policy: seed file: %w", err)
	}
	out := make([]*Policy, 0, len(sf.Policies))
	for i := range sf.Policies {
		p := &sf.Policies[i]
		p.Version, p.Active = 1, true
		if err := p.Validate(); err != nil {
			return nil, fmt.Errorf("policy: seed %s: %v", p.ID, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// Catalogue keeps the policies and checks people against them.
type Catalogue struct {
	store     *store.Store
	audit     *audit.Log
	clock     core.Clock
	figures   *figures.Service
	reference *reference.Lists

	mu       sync.RWMutex
	policies []*Policy
	defined  []*DefinedFact
	loadedAt time.Time
}

// cacheFor bounds how stale another replica's edit can look here.
const cacheFor = 30 * time.Second

// Deps wires the catalogue.
type Deps struct {
	Store *store.Store
	Audit *audit.Log
	Clock core.Clock
	// Figures counts eligibility checks (checks.go).
	Figures *figures.Service
	// Reference holds the venture industries facts and conditions name.
	Reference *reference.Lists
}

// New returns the catalogue.
func New(d Deps) (*Catalogue, error) {
	if err := core.CheckDeps("policy", d); err != nil {
		return nil, err
	}
	return &Catalogue{store: d.Store, audit: d.Audit, clock: d.Clock, figures: d.Figures, reference: d.Reference}, nil
}

// Upgrade is who saved a version the portal's upgrade made (UpdatedBy).
const Upgrade = "upgrade"

// Seed brings the database in step with the seed file: missing policies
// are inserted, and policies last written by the seed move to the file's
// newer text as a new version. A policy an administrator has edited is
// theirs and is left alone.
func (c *Catalogue) Seed(ctx context.Context) error {
	seeds, err := SeedPolicies()
	if err != nil {
		return err
	}
	for _, p := range seeds {
		var have Policy
		err := c.store.Get(ctx, "policies", p.ID, &have)
		switch {
		case err == nil && have.UpdatedBy != "seed" && have.Apply == nil && p.Apply != nil:
			// How a support is applied for was code before it was data:
			// an administrator's edit of such a policy keeps being
			// applied for as it was, in a version of its own.
			have.Apply, p = p.Apply, &have
			p.Conditions = json.RawMessage(have.Stored)
			if err := p.Validate(); err != nil {
				// The administrator's edit does not fit the kind (a reward
				// without its amount a head): it stays explained only, as
				// they left it, until they name how it is applied for.
				continue
			}
			p.Version, p.UpdatedBy = have.Version+1, Upgrade
			p.UpdatedAt = c.clock.Now()
			if err := c.write(ctx, p); err != nil {
				return err
			}
			continue
		case err == nil && (have.UpdatedBy != "seed" || sameSeed(&have, p)):
			continue
		case err == nil:
			p.Version = have.Version + 1
		case !core.IsCode(err, core.NotFound):
			return err
		}
		p.UpdatedAt, p.UpdatedBy = c.clock.Now(), "seed"
		if err := c.write(ctx, p); err != nil {
			return err
		}
	}
	return c.reload(ctx)
}

func (c *Catalogue) write(ctx context.Context, p *Policy) error {
	snap := bson.D{{Key: "_id", Value: fmt.Sprintf("%s@%d", p.ID, p.Version)}, {Key: "policy_id", Value: p.ID}, {Key: "policy", Value: p}}
	if _, err := c.store.C("policy_versions").InsertOne(ctx, snap); err != nil {
		return core.Wrap(err, "policy version")
	}
	_, err := c.store.C("policies").ReplaceOne(ctx, bson.D{{Key: "_id", Value: p.ID}}, p, optionsUpsert)
	return core.Wrap(err, "write policy")
}

func (c *Catalogue) reload(ctx context.Context) error {
	var defined []*DefinedFact
	err := store.Each(ctx, c.store, DefinedFacts.Name, func(d *DefinedFact) error {
		defined = append(defined, d)
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(defined, func(a, b *DefinedFact) int { return strings.Compare(a.Name, b.Name) })
	vocab := vocabularyOf(defined)
	var list []*Policy
	err = store.Each(ctx, c.store, "policies", func(p *Policy) error {
		p.Conditions = json.RawMessage(p.Stored)
		if err := p.validate(vocab); err != nil {
			return fmt.Errorf("policy %s in the database is invalid: %w", p.ID, err)
		}
		list = append(list, p)
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(list, func(a, b *Policy) int { return strings.Compare(a.ID, b.ID) })
	c.mu.Lock()
	c.policies, c.defined, c.loadedAt = list, defined, time.Now()
	c.mu.Unlock()
	return nil
}

// All returns the policies (active or not), sorted by id.
func (c *Catalogue) All(ctx context.Context) ([]*Policy, error) {
	c.mu.RLock()
	list, fresh := c.policies, time.Since(c.loadedAt) < cacheFor
	c.mu.RUnlock()
	if fresh {
		return list, nil
	}
	if err := c.reload(ctx); err != nil {
		return nil, err
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.policies, nil
}

// Get returns one policy.
func (c *Catalogue) Get(ctx context.Context, id string) (*Policy, error) {
	list, err := c.All(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range list {
		if p.ID == id {
			return p, nil
		}
	}
	return nil, core.Errorf(core.NotFound, "error.not_found")
}

// VisibleTo reports whether me may read the policy: anyone while it is
// active; administrators also before and after (they edit drafts and keep
// retired ones).
func (p *Policy) VisibleTo(me accounts.Principal) bool { return p.Active || me.Role == accounts.Admin }

// Visible returns one policy me may read; any other does not exist for them.
func (c *Catalogue) Visible(ctx context.Context, me accounts.Principal, id string) (*Policy, error) {
	p, err := c.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !p.VisibleTo(me) {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	return p, nil
}

// Listed returns the policies me may read, sorted by id.
func (c *Catalogue) Listed(ctx context.Context, me accounts.Principal) ([]*Policy, error) {
	list, err := c.All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*Policy, 0, len(list))
	for _, p := range list {
		if p.VisibleTo(me) {
			out = append(out, p)
		}
	}
	return out, nil
}

// TrainingStandard is the most any active policy pays for one trainee of
// a course of kind (its PerTraineeYuan); ok is false when no active policy
// subsidises that kind. A course is open to everyone those policies name,
// so it is bounded by the highest of their standards.
func (c *Catalogue) TrainingStandard(ctx context.Context, kind string) (yuan int64, ok bool, err error) {
	list, err := c.All(ctx)
	if err != nil {
		return 0, false, err
	}
	for _, p := range list {
		if y, has := p.Benefit.PerTraineeYuan[kind]; has && p.Active {
			yuan, ok = max(yuan, y), true
		}
	}
	return yuan, ok, nil
}

// Check evaluates a person's facts against the active catalogue as of a
// day, as the person reads it (ForPerson). A venture industry may be any
// ever listed (the facts may be a stored profile's), and given by its
// label.
func (c *Catalogue) Check(ctx context.Context, f *Facts, asOf core.Date) ([]Result, error) {
	var v core.Validation
	f.Validate(&v, asOf, c.reference.Known(VentureIndustries...))
	if err := c.CheckExtra(ctx, &v, f); err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	list, err := c.All(ctx)
	if err != nil {
		return nil, err
	}
	return ForPerson(Evaluate(list, f, asOf)), nil
}

// Save stores an administrator's edit as the next version. The edit names
// the version it was based on; a concurrent edit makes it stale.
func (c *Catalogue) Save(ctx context.Context, actor accounts.Principal, p *Policy, m accounts.Meta) error {
	if actor.Role != accounts.Admin {
		c.audit.Record(ctx, actor.Actor(m), "policy.edit", audit.Denied, p.ID, "")
		return core.Errorf(core.Forbidden, "error.forbidden")
	}
	// The facts defined as this process last read them: one defined on
	// another replica in the last half minute is read afresh.
	if err := c.reload(ctx); err != nil {
		return err
	}
	c.mu.RLock()
	vocab := vocabularyOf(c.defined)
	c.mu.RUnlock()
	if err := p.validate(vocab); err != nil {
		return err
	}
	if err := c.checkCodes(p); err != nil {
		return err
	}
	old, err := c.Get(ctx, p.ID)
	if err != nil && !core.IsCode(err, core.NotFound) {
		return err
	}
	base := 0
	if old != nil {
		base = old.Version
	}
	if p.Version != base {
		return store.ErrStale
	}
	p.Version = base + 1
	p.UpdatedAt, p.UpdatedBy = c.clock.Now(), actor.ID
	if old == nil {
		if err := c.write(ctx, p); err != nil {
			return err
		}
	} else {
		// The version snapshot's id is unique, so of two edits of the same
		// base only one can write it.
		snap := bson.D{{Key: "_id", Value: fmt.Sprintf("%s@%d", p.ID, p.Version)}, {Key: "policy_id", Value: p.ID}, {Key: "policy", Value: p}}
		if _, err := c.store.C("policy_versions").InsertOne(ctx, snap); err != nil {
			if isDuplicate(err) {
				return store.ErrStale
			}
			return core.Wrap(err, "policy version")
		}
		if _, err := c.store.C("policies").ReplaceOne(ctx, bson.D{{Key: "_id", Value: p.ID}}, p); err != nil {
			return core.Wrap(err, "write policy")
		}
	}
	c.audit.Record(ctx, actor.Actor(m), "policy.edit", audit.Success, p.ID, fmt.Sprintf("version %d", p.Version))
	return c.reload(ctx)
}

// checkCodes refuses conditions naming a venture industry that the
// reference lists have never had (a retired one still counts: a policy
// may well exclude it).
func (c *Catalogue) checkCodes(p *Policy) error {
	known := c.reference.Known(VentureIndustries...)
	for _, code := range p.Cond().values("venture.industry") {
		if got, ok := known.Resolve(code); !ok || got != code {
			e := core.Errorf(core.Invalid, "error.invalid")
			e.Fields = map[string]string{"conditions": core.Msg("error.cond.industry", code)}
			return e
		}
	}
	return nil
}

// Versions returns every stored version of a policy, newest first.
func (c *Catalogue) Versions(ctx context.Context, id string) ([]*Policy, error) {
	cur, err := c.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []*Policy
	for v := cur.Version; v >= 1; v-- {
		var snap struct {
			Policy Policy `bson:"policy"`
		}
		if err := c.store.Get(ctx, "policy_versions", fmt.Sprintf("%s@%d", id, v), &snap); err != nil {
			if core.IsCode(err, core.NotFound) {
				continue
			}
			return nil, err
		}
		snap.Policy.Conditions = json.RawMessage(snap.Policy.Stored)
		out = append(out, &snap.Policy)
	}
	return out, nil
}

func sameSeed(a, b *Policy) bool {
	ja, _ := json.Marshal(struct {
		N, S, G, B       Text
		Basis, Applicant string
		Benefit          Benefit
		Apply            *Apply
		Cond             string
	}{a.Name, a.Summary, a.Grantor, a.BenefitText, a.Basis, a.Applicant, a.Benefit, a.Apply, a.Stored})
	jb, _ := json.Marshal(struct {
		N, S, G, B       Text
		Basis, Applicant string
		Benefit          Benefit
		Apply            *Apply
		Cond             string
	}{b.Name, b.Summary, b.Grantor, b.BenefitText, b.Basis, b.Applicant, b.Benefit, b.Apply, b.Stored})
	return string(ja) == string(jb)
}
