// Package bureau is the composition root: it builds every service of the
// portal from one Config, in dependency order, wires the events that cross
// areas, registers every area of the personal-data contract and refuses a
// collection that no area covers. The HTTP layer (portal), the command-line
// tools and the tests all start from here, so no second place knows how the
// services fit together.
package bureau

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/bases"
	"onestop/services/core"
	"onestop/services/entitlements"
	"onestop/services/figures"
	"onestop/services/grants"
	"onestop/services/hotline"
	"onestop/services/loans"
	"onestop/services/mentors"
	"onestop/services/notify"
	"onestop/services/onestop"
	"onestop/services/orgs"
	"onestop/services/outbox"
	"onestop/services/people"
	"onestop/services/pii"
	"onestop/services/policy"
	"onestop/services/privacy"
	"onestop/services/privacy/rights"
	"onestop/services/projects"
	"onestop/services/reference"
	"onestop/services/replays"
	"onestop/services/store"
	"onestop/services/timeline"
	"onestop/services/training"
	"onestop/services/workdays"
)

// Config is what the services are built from.
type Config struct {
	Store  *store.Store
	Engine search.Engine // the engine the outbox writes to, decorated as the caller wants
	Vault  *pii.Vault
	Clock  core.Clock
	Log    *slog.Logger
	// TokenKey signs access tokens (≥ 32 random bytes).
	TokenKey []byte
	// Argon2 sets password hashing; zero is accounts.DefaultArgon2.
	Argon2 accounts.Argon2
	// ServiceDays overrides the one-stop services' time limits (working
	// days).
	ServiceDays map[string]int `deps:"optional"`
	// AnswerWithin is how long a mentor has to answer (zero: mentors' default).
	AnswerWithin time.Duration
	// ComplaintDays overrides the time limits (working days) of complaint
	// kinds.
	ComplaintDays map[string]int `deps:"optional"`
	// IdempotencyWait is how long a create may run before a retry takes its
	// key over.
	IdempotencyWait time.Duration
	// FollowUpDelay is how long writes' follow-ups wait before they run
	// (outbox.Outbox.DelayFollowUps).
	FollowUpDelay time.Duration
	// Compactor rewrites a search index after an erasure (Bleve); nil where
	// the engine keeps nothing merged away (Meilisearch).
	Compactor search.Compactor `deps:"optional"`
}

// Bureau is every service, built and wired.
type Bureau struct {
	Outbox   *outbox.Outbox
	Audit    *audit.Log
	Notify   *notify.Service
	Accounts *accounts.Service
	Figures  *figures.Service
	// Views are the dashboards' and open data's views of the figures.
	Views *figures.Views
	// Reference is the bureau's lists (districts, industries) every area
	// validates and labels with.
	Reference *reference.Lists
	// Workdays is the bureau's working-day calendar every time limit is
	// counted in.
	Workdays *workdays.Calendar
	People   *people.Service
	Policies *policy.Catalogue
	Onestop  *onestop.Service
	Projects *projects.Service
	Bases    *bases.Service
	Mentors  *mentors.Service
	Training *training.Service
	Hotline  *hotline.Service
	// Timeline is a person's records across the areas, for staff.
	Timeline *timeline.Service
	Loans    *loans.Service
	// Entitlements tell people when what they qualify for changes.
	Entitlements *entitlements.Service
	// Orgs are the organisation accounts: employers, labour agencies and
	// farmer-founded entities, and their users.
	Orgs *orgs.Service
	// Grants are the applications for every support but the loan file,
	// and the benefit ledger.
	Grants  *grants.Service
	Replays *replays.Store
	Privacy *privacy.Registry
	Rights  *rights.Service

	store  *store.Store
	engine search.Engine
	log    *slog.Logger
}

// Store is the database the services were built on, for the tools that
// write it directly (seed-load's bulk writes, the demo's look-ups by login
// key).
func (b *Bureau) Store() *store.Store { return b.store }

// Engine is the search engine the outbox writes to.
func (b *Bureau) Engine() search.Engine { return b.engine }

// New builds the services. It opens nothing and writes nothing: Ensure
// creates what is missing.
func New(c Config) (*Bureau, error) {
	if err := core.CheckDeps("bureau", c); err != nil {
		return nil, err
	}
	b := &Bureau{store: c.Store, engine: c.Engine, log: c.Log, Outbox: outbox.New(c.Store, c.Engine, c.Log)}
	b.Outbox.DelayFollowUps(c.FollowUpDelay)
	st, o, clock := c.Store, b.Outbox, c.Clock
	argon := c.Argon2
	if argon == (accounts.Argon2{}) {
		argon = accounts.DefaultArgon2
	}
	var err error
	steps := []func() error{
		func() error {
			b.Replays, err = replays.New(replays.Deps{Store: st, Clock: clock, Wait: c.IdempotencyWait})
			return err
		},
		func() error {
			b.Audit, err = audit.New(audit.Deps{Store: st, Outbox: o, Clock: clock, Log: c.Log})
			return err
		},
		func() error {
			b.Notify, err = notify.New(notify.Deps{Store: st, Outbox: o, Clock: clock, Log: c.Log})
			return err
		},
		func() error {
			b.Accounts, err = accounts.New(accounts.Deps{Store: st, Outbox: o, Audit: b.Audit, Vault: c.Vault, Clock: clock,
				Argon2: argon, Log: c.Log, Tokens: accounts.TokenConfig{Key: c.TokenKey}, Notify: b.Notify})
			return err
		},
		// Figures before the services that count them.
		func() error { b.Figures, err = figures.New(figures.Deps{Store: st}); return err },
		func() error {
			b.Reference, err = reference.New(reference.Deps{Store: st, Audit: b.Audit, Clock: clock, Log: c.Log})
			return err
		},
		func() error {
			b.Workdays, err = workdays.New(workdays.Deps{Store: st, Audit: b.Audit, Clock: clock, Log: c.Log})
			return err
		},
		func() error {
			b.Policies, err = policy.New(policy.Deps{Store: st, Audit: b.Audit, Clock: clock, Figures: b.Figures, Reference: b.Reference})
			return err
		},
		func() error {
			b.People, err = people.New(people.Deps{Store: st, Outbox: o, Audit: b.Audit, Vault: c.Vault, Notify: b.Notify, Clock: clock,
				Policies: b.Policies, Reference: b.Reference})
			return err
		},
		func() error {
			b.Onestop, err = onestop.New(onestop.Deps{Store: st, Outbox: o, Audit: b.Audit, Clock: clock, Figures: b.Figures, People: b.People,
				Calendar: b.Workdays, Days: c.ServiceDays})
			return err
		},
		func() error {
			b.Projects, err = projects.New(projects.Deps{Store: st, Outbox: o, Audit: b.Audit, Accounts: b.Accounts, Clock: clock, Reference: b.Reference})
			return err
		},
		func() error {
			b.Bases, err = bases.New(bases.Deps{Store: st, Outbox: o, Audit: b.Audit, Notify: b.Notify, Accounts: b.Accounts,
				Clock: clock, Figures: b.Figures, Reference: b.Reference})
			return err
		},
		func() error {
			b.Mentors, err = mentors.New(mentors.Deps{Store: st, Outbox: o, Audit: b.Audit, Notify: b.Notify, Clock: clock,
				Figures: b.Figures, AnswerWithin: c.AnswerWithin, Reference: b.Reference})
			return err
		},
		func() error {
			b.Training, err = training.New(training.Deps{Store: st, Outbox: o, Audit: b.Audit, People: b.People, Policies: b.Policies,
				Accounts: b.Accounts, Figures: b.Figures, Clock: clock, Reference: b.Reference})
			return err
		},
		func() error {
			b.Hotline, err = hotline.New(hotline.Deps{Store: st, Outbox: o, Audit: b.Audit, Notify: b.Notify, Vault: c.Vault, Clock: clock,
				People: b.People, Mentors: b.Mentors, Onestop: b.Onestop, Accounts: b.Accounts, Figures: b.Figures,
				ComplaintDays: c.ComplaintDays, ProviderName: b.Training.ProviderName, Reference: b.Reference, Calendar: b.Workdays})
			return err
		},
		func() error {
			b.Timeline, err = timeline.New(timeline.Deps{Engine: b.engine, Hotline: b.Hotline})
			return err
		},
		func() error {
			b.Entitlements, err = entitlements.New(entitlements.Deps{Store: st, Engine: b.engine, People: b.People, Policies: b.Policies,
				Notify: b.Notify, Figures: b.Figures, Clock: clock, Log: c.Log})
			return err
		},
		func() error {
			b.Loans, err = loans.New(loans.Deps{Store: st, Outbox: o, Audit: b.Audit, Notify: b.Notify, People: b.People,
				Policies: b.Policies, Accounts: b.Accounts, Figures: b.Figures, Clock: clock, Calendar: b.Workdays, Vault: c.Vault})
			return err
		},
		func() error {
			b.Orgs, err = orgs.New(orgs.Deps{Store: st, Outbox: o, Audit: b.Audit, Notify: b.Notify, Accounts: b.Accounts, Vault: c.Vault,
				Clock: clock, Reference: b.Reference, Log: c.Log})
			return err
		},
		func() error {
			b.Grants, err = grants.New(grants.Deps{Store: st, Outbox: o, Audit: b.Audit, Notify: b.Notify, People: b.People,
				Orgs: b.Orgs, Policies: b.Policies, Figures: b.Figures, Vault: c.Vault, Clock: clock, Calendar: b.Workdays, Accounts: b.Accounts})
			return err
		},
		// The views after the areas whose open overdue work their rates
		// count.
		func() error {
			b.Views, err = figures.NewViews(figures.ViewsDeps{Figures: b.Figures, Clock: clock, Lists: newFigureLists(b.Reference),
				Overdue: map[string]figures.OverdueCounter{figures.OverdueComplaints: b.Hotline.OpenOverdue, figures.OverdueConsultations: b.Mentors.OpenOverdue,
					figures.OverdueServices: b.Onestop.OpenOverdue, figures.OverdueTraining: b.Training.OpenOverdue}})
			return err
		},
		func() error { return b.privacy(c) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	b.wire(c.Log)
	return b, nil
}

// wire subscribes areas to the events of others: the ways round a cycle
// of dependencies (the hotline needs people; people's saves concern the
// hotline).
func (b *Bureau) wire(log *slog.Logger) {
	// Once a check-in is answered, a venture's registration date is the
	// follow-up's: the profile save refuses to move it.
	b.People.OnCheck(b.Hotline.CheckFacts)
	// A saved profile may start or stop a venture's follow-up; a failure
	// here is caught up by the hotline worker's daily sweep.
	b.People.OnSave(func(ctx context.Context, id string) {
		if err := b.Hotline.SyncVenture(ctx, id); err != nil {
			log.Warn("venture follow-up", "person", id, "err", err)
		}
	})
	// A saved profile may change what the person qualifies for: they are
	// told at once; a failure here is caught up by the daily sweep.
	b.People.OnSave(func(ctx context.Context, id string) {
		if _, err := b.Entitlements.Refresh(ctx, id); err != nil {
			log.Warn("entitlements", "person", id, "err", err)
		}
	})
	// A saved profile, a check or a roster line, and a re-check that finds
	// a person newly eligible (a new policy version, the passing of days),
	// may make a support granted without application due (免申即享).
	autoGrants := func(ctx context.Context, id string) {
		if _, err := b.Grants.AutoGrants(ctx, id); err != nil {
			log.Warn("automatic grants", "person", id, "err", err)
		}
	}
	b.People.OnSave(autoGrants)
	b.Entitlements.OnGained(autoGrants)
	// A provider's subsidy claim redeems its trainees' training vouchers.
	b.Training.UseVouchers(b.Grants)
	// Mentors choose their channels on their profile; everyone else gets
	// the default.
	b.Notify.SetChannels(func(ctx context.Context, userID string) []string {
		if ch, ok := b.Mentors.ContactChannels(ctx, userID); ok {
			return ch
		}
		return notify.DefaultChannels(ctx, userID)
	})
	// A mentor whose account is disabled leaves the directory and the
	// routing at once.
	b.Accounts.OnChange(b.Mentors.AccountChanged)
}

// FigureSources are the records every figure is computed from, for a
// rebuild of the rollups.
func (b *Bureau) FigureSources() []figures.Source {
	return append([]figures.Source{b.Loans.FigureSource(), b.Training.FigureSource(), b.Mentors.FigureSource(), b.Onestop.FigureSource(),
		b.Policies.FigureSource(), b.Bases.FigureSource(), b.Grants.FigureSource(), b.Entitlements.FigureSource()}, b.Hotline.FigureSources()...)
}

// Collections are every collection the services keep.
func (b *Bureau) Collections() []store.Collection {
	colls := []store.Collection{store.Keys, store.Leases, outbox.Collection, audit.Collection, people.Collection, people.DisputeCollection, people.EvidenceCollection, people.RosterCollection,
		onestop.Collection, projects.Collection, replays.Collection, rights.Jobs, reference.Collection, workdays.Collection}
	for _, cs := range [][]store.Collection{accounts.Collections, policy.Collections, bases.Collections, notify.Collections,
		mentors.Collections, hotline.Collections, training.Collections, loans.Collections, figures.Collections, entitlements.Collections, orgs.Collections, grants.Collections} {
		colls = append(colls, cs...)
	}
	return colls
}

// Ensure creates the collections and indexes that are missing, seeds the
// reference lists, the working-day calendar and the policy catalogue,
// brings the figures to this version and numbers the complaints filed
// before reference numbers. It declares the search indexes last; an
// engine that does not answer returns an error wrapping
// search.ErrUnavailable after everything else is done, so the caller may
// go on degraded.
func (b *Bureau) Ensure(ctx context.Context) error {
	if err := b.store.Ensure(ctx, b.Collections()...); err != nil {
		return err
	}
	if err := b.Reference.Ensure(ctx); err != nil {
		return err
	}
	if err := b.Workdays.Ensure(ctx); err != nil {
		return err
	}
	if err := b.Policies.Seed(ctx); err != nil {
		return err
	}
	serr := b.Outbox.Ensure(ctx)
	if serr != nil && !errors.Is(serr, search.ErrUnavailable) {
		return serr
	}
	if err := b.Figures.Upgrade(ctx); err != nil {
		return err
	}
	// Counts a process killed halfway left: on the embedded store every
	// journal is a dead process's (one process serves it), on a server
	// only those silent for minutes (Figures.Run finishes the others).
	since := time.Now().Add(-3 * time.Minute)
	if b.store.Embedded() {
		since = time.Time{}
	}
	if n, err := b.Figures.Recover(ctx, since); err != nil {
		return err
	} else if n > 0 {
		b.log.Info("figures: counts of a stopped process finished", "journals", n)
	}
	if _, err := b.Hotline.NumberOldComplaints(ctx); err != nil {
		return err
	}
	return serr
}
