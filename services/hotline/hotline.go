// Package hotline owns the start-up service hotline (創業服務熱線, source
// (十一)): contact records for callers (with or without an account), the
// call log, complaints with time limits (限時辦結), follow-up cases that help
// entrepreneurs whose ventures failed start again (創業失敗跟蹤扶持), and the
// stability check-ins of operating ventures that the bureau's figures are
// computed from. A background worker sends each due reminder once and
// escalates overdue complaints.
package hotline

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/figures"
	"onestop/services/mentors"
	"onestop/services/notify"
	"onestop/services/onestop"
	"onestop/services/outbox"
	"onestop/services/people"
	"onestop/services/pii"
	"onestop/services/reference"
	"onestop/services/store"
	"onestop/services/workdays"
)

// Collections of the package.
var Collections = []store.Collection{
	{Name: "contacts"}, {Name: "calls"}, {Name: "complaints"}, {Name: "cases"}, {Name: "ventures"}, store.Leases, store.Sequences,
}

// Service runs the hotline.
type Service struct {
	store    *store.Store
	outbox   *outbox.Outbox
	audit    *audit.Log
	notify   *notify.Service
	vault    *pii.Vault
	clock    core.Clock
	people   *people.Service
	mentors  *mentors.Service
	onestop  *onestop.Service
	accounts *accounts.Service
	figures  *figures.Service
	// reference: the districts callers live in.
	reference *reference.Lists
	days      map[string]int
	// calendar counts complaints' time limits in working days.
	calendar *workdays.Calendar
	// providerName names a training provider on the bureau's list.
	providerName func(ctx context.Context, id string) (string, bool)
}

// Deps are the services the hotline works with.
type Deps struct {
	Store    *store.Store
	Outbox   *outbox.Outbox
	Audit    *audit.Log
	Notify   *notify.Service
	Vault    *pii.Vault
	Clock    core.Clock
	People   *people.Service
	Mentors  *mentors.Service
	Onestop  *onestop.Service
	Accounts *accounts.Service
	// Figures counts calls, complaints, cases and ventures' check-ins
	// (figures.go).
	Figures *figures.Service
	// ComplaintDays overrides the time limits of complaint kinds, in
	// working days.
	ComplaintDays map[string]int `deps:"optional"`
	// ProviderName names a training provider on the bureau's list
	// (training.Service.ProviderName): a complaint about a provider names
	// one from the list.
	ProviderName func(ctx context.Context, id string) (string, bool)
	// Reference holds the districts callers live in.
	Reference *reference.Lists
	// Calendar is the bureau's working-day calendar the limits count in.
	Calendar *workdays.Calendar
}

// New returns the service and registers its indexes.
func New(d Deps) (*Service, error) {
	if err := core.CheckDeps("hotline", d); err != nil {
		return nil, err
	}
	days := map[string]int{}
	for k, v := range DefaultComplaintDays {
		days[k] = v
	}
	for k, v := range d.ComplaintDays {
		days[k] = v
	}
	s := &Service{store: d.Store, outbox: d.Outbox, audit: d.Audit, notify: d.Notify, vault: d.Vault, clock: d.Clock,
		people: d.People, mentors: d.Mentors, onestop: d.Onestop, accounts: d.Accounts, figures: d.Figures, days: days, providerName: d.ProviderName,
		reference: d.Reference, calendar: d.Calendar}
	counts := map[string]figures.Source{}
	for _, f := range s.FigureSources() {
		counts[f.Name] = f
	}
	for _, src := range []outbox.Source{
		outbox.SourceFor(d.Store, "contacts", ContactIndex, contactDoc),
		outbox.SourceFor(d.Store, "calls", CallIndex, callDoc),
		outbox.SourceFor(d.Store, "complaints", ComplaintIndex, complaintDoc),
		outbox.SourceFor(d.Store, "cases", CaseIndex, caseDoc),
		outbox.SourceFor(d.Store, "ventures", VentureIndex, ventureDoc),
	} {
		// The records the figures count, but ventures (see countVenture).
		if f, ok := counts[src.Index.Name]; ok && src.Index.Name != VentureIndex.Name {
			src.After = d.Figures.After(f)
		}
		d.Outbox.Register(src)
	}
	return s, nil
}

// ComplaintDays is the time limit of a complaint kind, in working days.
func (s *Service) ComplaintDays(kind string) int { return s.days[kind] }

// Step is one entry of a record's timeline. Note is staff-only text.
type Step struct {
	At        time.Time `bson:"at" json:"at"`
	ActorID   string    `bson:"actor_id" json:"-"`
	ActorName string    `bson:"actor_name" json:"actor_name"`
	Action    string    `bson:"action" json:"action"`
	Note      string    `bson:"note,omitempty" json:"note,omitempty"`
	// Said is text everyone who reads the record sees: what the person
	// themselves wrote, or the reason a complaint was reopened (whoever
	// reopened it: the complainant reads why).
	Said string `bson:"said,omitempty" json:"said,omitempty"`
}

// Link ties a record to what was made from it or for it.
type Link struct {
	Kind string    `bson:"kind" json:"kind"` // consultation, service, complaint, case, eligibility, training
	ID   string    `bson:"id" json:"id"`
	At   time.Time `bson:"at" json:"at"`
	// Note sums up the result (an eligibility check: the policies met).
	Note string `bson:"note,omitempty" json:"note,omitempty"`
}

// LinkKinds are the kinds of Link.
var LinkKinds = []string{"consultation", "service", "complaint", "case", "eligibility", "training"}

func staffOnly(actor accounts.Principal) error {
	if actor.Guest() {
		return core.Errorf(core.Unauthenticated, "error.unauthenticated")
	}
	if !actor.Role.Staff() {
		return core.Errorf(core.Forbidden, "error.forbidden")
	}
	return nil
}

func enum(v *core.Validation, field, s string, allowed []string) {
	v.Check(slices.Contains(allowed, s), field, "error.enum")
}

// insert writes a new record and its index entry (outbox noted first).
func (s *Service) insert(ctx context.Context, coll, index, id string, doc any) error {
	if err := s.outbox.Begin(ctx, index, id); err != nil {
		return err
	}
	if err := s.store.Insert(ctx, coll, doc); err != nil {
		return core.Wrap(err, "insert "+coll)
	}
	s.outbox.Apply(ctx, index, id)
	return nil
}

// change applies a guarded update: only if the record is still at version
// (optimistic concurrency: two staff saving at once cannot both win), and
// bumps the version.
func (s *Service) change(ctx context.Context, coll, index, id string, version int, update bson.D) error {
	update = append(slices.Clone(update), bson.E{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}})
	if err := s.outbox.Begin(ctx, index, id); err != nil {
		return err
	}
	err := s.store.UpdateIf(ctx, coll, id, []store.Cond{store.Eq("version", version)}, update)
	s.outbox.Apply(ctx, index, id)
	if core.IsCode(err, core.Conflict) {
		return core.Errorf(core.Conflict, "error.stale")
	}
	return err
}

func set(kv ...any) bson.D {
	var d bson.D
	for i := 0; i+1 < len(kv); i += 2 {
		d = append(d, bson.E{Key: kv[i].(string), Value: kv[i+1]})
	}
	return bson.D{{Key: "$set", Value: d}}
}

// with adds a $push of steps (and more operators) to an update.
func with(update bson.D, ops ...bson.E) bson.D { return append(update, ops...) }

func push(field string, v any) bson.E {
	return bson.E{Key: "$push", Value: bson.D{{Key: field, Value: v}}}
}

// WithClock returns the service on another clock: the demo loader uses it
// to lay down a past (calls over past weeks, cases opened months ago).
func (s *Service) WithClock(c core.Clock) *Service {
	cp := *s
	cp.clock = c
	return &cp
}
