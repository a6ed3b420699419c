// Package bases owns incubation bases (創業孵化基地, source (十)): their
// listings and managers, applications with ranked choices, offers and
// tenancies with live free seats that can never be over-booked, and the
// intake-wide assignment (services/matching) that places a whole intake
// fairly in one run.
package bases

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/figures"
	"onestop/services/matching"
	"onestop/services/notify"
	"onestop/services/outbox"
	"onestop/services/policy"
	"onestop/services/reference"
	"onestop/services/store"
)

// Enumerations.
var (
	Levels   = []string{"national", "provincial", "municipal", "county"}
	Services = []string{"training", "mentoring", "financing_help", "registration_help", "shared_facilities"}
)

// Base statuses.
const (
	Pending   = "pending"
	Approved  = "approved"
	Suspended = "suspended"
)

// Collections of the package.
var Collections = []store.Collection{{Name: "bases"}, {Name: "applications"}, {Name: "intakes"}}

// Base is an incubation base. FreeSeats is derived: seats minus the offers
// and tenancies it holds, changed only by guarded increments, never typed.
// Version counts the saves of the listing (edit.go): an edit made over a
// version it did not start from is refused. Offers, tenancies, the status
// and the managers leave it as it is: they change no detail an editor
// typed.
type Base struct {
	ID             string    `bson:"_id" json:"id"`
	ExternalID     string    `bson:"external_id,omitempty" json:"external_id,omitempty"`
	Name           string    `bson:"name" json:"name"`
	Level          string    `bson:"level" json:"level"`
	District       string    `bson:"district" json:"district"`
	Address        string    `bson:"address" json:"address"`
	Industries     []string  `bson:"industries" json:"industries"`
	Groups         []string  `bson:"groups" json:"target_groups"`
	Stages         []string  `bson:"stages" json:"stages"`
	Services       []string  `bson:"services" json:"services"`
	Seats          int       `bson:"seats" json:"seats"`
	FreeSeats      int       `bson:"free_seats" json:"free_seats"`
	RentFreeMonths int       `bson:"rent_free_months" json:"rent_free_months"`
	IntakeOpen     bool      `bson:"intake_open" json:"intake_open"`
	Contact        string    `bson:"contact" json:"contact"`
	Managers       []string  `bson:"managers" json:"-"`
	Status         string    `bson:"status" json:"status"`
	Version        int       `bson:"version" json:"version"`
	CreatedAt      time.Time `bson:"created_at" json:"created_at"`
	UpdatedAt      time.Time `bson:"updated_at" json:"updated_at"`
}

// Manages reports whether the account manages the base.
func (b *Base) Manages(id string) bool { return slices.Contains(b.Managers, id) }

// MatchBase is the base as the scorer sees it.
func (b *Base) MatchBase() matching.Base {
	return matching.Base{ID: b.ID, Industries: b.Industries, District: b.District, Groups: b.Groups, Stages: b.Stages,
		FreeSeats: b.FreeSeats, Services: b.Services, IntakeOpen: b.IntakeOpen}
}

// BaseInput is a listing as an administrator or manager writes it.
type BaseInput struct {
	ExternalID     string   `json:"external_id,omitempty"`
	Name           string   `json:"name"`
	Level          string   `json:"level"`
	District       string   `json:"district"`
	Address        string   `json:"address"`
	Industries     []string `json:"industries"`
	Groups         []string `json:"target_groups"`
	Stages         []string `json:"stages"`
	Services       []string `json:"services"`
	Seats          int      `json:"seats"`
	RentFreeMonths int      `json:"rent_free_months"`
	IntakeOpen     bool     `json:"intake_open"`
	Contact        string   `json:"contact"`
}

// validate checks and normalises a listing; the rules say which district
// and industries it may name, and turn labels into codes.
func (in *BaseInput) validate(district, industries reference.Rule) error {
	var v core.Validation
	in.Name = v.Line("name", in.Name, 2, 60)
	v.Check(slices.Contains(Levels, in.Level), "level", "error.enum")
	v.Check(strings.TrimSpace(in.District) != "", "district", "error.enum")
	district.Check(&v, "district", &in.District)
	in.Address, in.Contact = v.Line("address", in.Address, 0, 120), v.Line("contact", in.Contact, 0, 100)
	in.Industries = industries.CheckAll(&v, "industries", in.Industries)
	in.Groups = v.Subset("target_groups", in.Groups, policy.TargetGroups)
	in.Stages = v.Subset("stages", in.Stages, policy.Stages)
	in.Services = v.Subset("services", in.Services, Services)
	v.Check(in.Seats >= 0 && in.Seats <= 10_000, "seats", "error.number.range")
	v.Check(in.RentFreeMonths >= 0 && in.RentFreeMonths <= 120, "rent_free_months", "error.number.range")
	return v.Err()
}

// Service manages bases and applications.
type Service struct {
	store    *store.Store
	outbox   *outbox.Outbox
	audit    *audit.Log
	notify   *notify.Service
	accounts *accounts.Service
	clock    core.Clock
	figures  *figures.Service
	// reference: the lists of districts and industries.
	reference *reference.Lists

	mu       sync.Mutex
	cache    []*Base
	cachedAt time.Time
}

// Deps wires the service.
type Deps struct {
	Store  *store.Store
	Outbox *outbox.Outbox
	Audit  *audit.Log
	Notify *notify.Service
	// Accounts checks that a base's managers are incubator managers.
	Accounts *accounts.Service
	Clock    core.Clock
	// Figures counts applications, offers and placements (figures.go).
	Figures *figures.Service
	// Reference holds the districts and industries a base names.
	Reference *reference.Lists
}

// New returns the service and registers the applications index.
func New(d Deps) (*Service, error) {
	if err := core.CheckDeps("incubators", d); err != nil {
		return nil, err
	}
	d.Outbox.Register(outbox.SourceFor(d.Store, "applications", AppIndex, appDoc))
	return &Service{store: d.Store, outbox: d.Outbox, audit: d.Audit, notify: d.Notify, accounts: d.Accounts, clock: d.Clock, figures: d.Figures,
		reference: d.Reference}, nil
}

// freshFor bounds how old the free seats on a list may be; a replica's own
// writes refresh it at once.
const freshFor = 5 * time.Second

// Bases returns every base (a bounded collection: a city has about a
// thousand), from a cache a few seconds old at most.
func (s *Service) Bases(ctx context.Context) ([]*Base, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cache != nil && time.Since(s.cachedAt) < freshFor {
		return s.cache, nil
	}
	var list []*Base
	if err := store.Each(ctx, s.store, "bases", func(b *Base) error { list = append(list, b); return nil }); err != nil {
		return nil, err
	}
	slices.SortFunc(list, func(a, b *Base) int { return strings.Compare(a.ID, b.ID) })
	s.cache, s.cachedAt = list, time.Now()
	return list, nil
}

func (s *Service) invalidate() {
	s.mu.Lock()
	s.cache = nil
	s.mu.Unlock()
}

// visible: approved bases are public; the others are seen by their
// managers and administrators.
func visible(actor accounts.Principal, b *Base) bool {
	return b.Status == Approved || actor.Role == accounts.Admin || (!actor.Guest() && b.Manages(actor.ID))
}

// Base reads one base (from the database, so its free seats are current).
func (s *Service) Base(ctx context.Context, actor accounts.Principal, id string) (*Base, error) {
	if !core.ValidID(id) {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	var b Base
	if err := s.store.Get(ctx, "bases", id, &b); err != nil {
		return nil, err
	}
	if !visible(actor, &b) {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	return &b, nil
}

// Filter narrows the directory.
type Filter struct {
	District, Industry, Level, Group string
	FreeOnly                         bool
}

// Directory lists the public bases that pass the filter. Its district and
// industry may be labels.
func (s *Service) Directory(ctx context.Context, f Filter) ([]*Base, error) {
	if code, ok := s.reference.Known(reference.District).Resolve(f.District); ok {
		f.District = code
	}
	if code, ok := s.reference.Known(reference.Industry).Resolve(f.Industry); ok {
		f.Industry = code
	}
	all, err := s.Bases(ctx)
	if err != nil {
		return nil, err
	}
	var out []*Base
	for _, b := range all {
		if b.Status != Approved || (f.District != "" && b.District != f.District) || (f.Level != "" && b.Level != f.Level) ||
			(f.Industry != "" && !slices.Contains(b.Industries, f.Industry)) || (f.Group != "" && len(b.Groups) > 0 && !slices.Contains(b.Groups, f.Group)) ||
			(f.FreeOnly && b.FreeSeats <= 0) {
			continue
		}
		out = append(out, b)
	}
	return out, nil
}

// CreateBase lists a new base (administrators; it starts pending until
// approved).
func (s *Service) CreateBase(ctx context.Context, actor accounts.Principal, in BaseInput, m accounts.Meta) (*Base, error) {
	if actor.Role != accounts.Admin {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	if err := in.validate(s.reference.Current(reference.District), s.reference.Current(reference.Industry)); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	b := &Base{ID: core.NewID(), Status: Pending, Version: 1, CreatedAt: now, UpdatedAt: now, Managers: []string{}}
	if in.ExternalID != "" {
		b.ID = ImportID(in.ExternalID)
	}
	fillBase(b, in)
	b.Seats, b.FreeSeats = in.Seats, in.Seats
	if _, err := s.store.C("bases").InsertOne(ctx, b); err != nil {
		if isDuplicate(err) {
			return nil, core.Errorf(core.Conflict, "error.base.exists")
		}
		return nil, core.Wrap(err, "insert base")
	}
	s.invalidate()
	s.audit.Record(ctx, actor.Actor(m), "base.create", audit.Success, b.ID, b.Name)
	return b, nil
}

func fillBase(b *Base, in BaseInput) {
	b.ExternalID, b.Name, b.Level, b.District, b.Address = in.ExternalID, in.Name, in.Level, in.District, in.Address
	b.Industries, b.Groups, b.Stages, b.Services = in.Industries, in.Groups, in.Stages, in.Services
	b.RentFreeMonths, b.IntakeOpen, b.Contact = in.RentFreeMonths, in.IntakeOpen, in.Contact
}

// UpdateBase replaces a listing: its managers or administrators (the
// API's PUT and the import). A change of seats moves the free seats by the
// same amount and can never take away seats that offers or tenants hold.
func (s *Service) UpdateBase(ctx context.Context, actor accounts.Principal, id string, in BaseInput, m accounts.Meta) (*Base, error) {
	b, err := s.Base(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if actor.Role != accounts.Admin && !b.Manages(actor.ID) {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	if err := s.saveListing(ctx, b, in, false); err != nil {
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "base.edit", audit.Success, id, "")
	return s.Base(ctx, actor, id)
}

// SetStatus approves or suspends a base (administrators).
func (s *Service) SetStatus(ctx context.Context, actor accounts.Principal, id, status string, m accounts.Meta) error {
	if actor.Role != accounts.Admin {
		return core.Errorf(core.Forbidden, "error.forbidden")
	}
	if status != Approved && status != Suspended && status != Pending {
		return &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"status": "error.enum"}}
	}
	if _, err := s.Base(ctx, actor, id); err != nil {
		return err
	}
	if _, err := s.store.C("bases").UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: status}, {Key: "updated_at", Value: s.clock.Now()}}}}); err != nil {
		return core.Wrap(err, "base status")
	}
	s.invalidate()
	s.audit.Record(ctx, actor.Actor(m), "base."+status, audit.Success, id, "")
	return nil
}

// SetManagers names a base's managers (administrators): accounts with the
// incubator-manager role.
func (s *Service) SetManagers(ctx context.Context, actor accounts.Principal, id string, managerIDs []string, m accounts.Meta) error {
	if actor.Role != accounts.Admin {
		return core.Errorf(core.Forbidden, "error.forbidden")
	}
	if _, err := s.Base(ctx, actor, id); err != nil {
		return err
	}
	list := []string{}
	for _, mid := range managerIDs {
		u, err := s.accounts.Get(ctx, mid)
		if err != nil || u.Role != accounts.IncubatorManager || u.Disabled {
			return &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"managers": "error.base.manager"}}
		}
		if !slices.Contains(list, mid) {
			list = append(list, mid)
		}
	}
	if _, err := s.store.C("bases").UpdateOne(ctx, bson.D{{Key: "_id", Value: id}}, bson.D{{Key: "$set", Value: bson.D{{Key: "managers", Value: list}}}}); err != nil {
		return core.Wrap(err, "base managers")
	}
	s.invalidate()
	s.audit.Record(ctx, actor.Actor(m), "base.managers", audit.Success, id, strings.Join(list, ","))
	return nil
}

// Managed returns the bases an account manages.
func (s *Service) Managed(ctx context.Context, actor accounts.Principal) ([]*Base, error) {
	all, err := s.Bases(ctx)
	if err != nil {
		return nil, err
	}
	var out []*Base
	for _, b := range all {
		if b.Manages(actor.ID) {
			out = append(out, b)
		}
	}
	return out, nil
}

// takeSeat reserves one seat, atomically: of two accepts racing for the
// last seat exactly one succeeds.
func (s *Service) takeSeat(ctx context.Context, baseID string) error {
	err := s.store.UpdateIf(ctx, "bases", baseID, []store.Cond{store.Gt("free_seats", 0)},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "free_seats", Value: -1}}}})
	if core.IsCode(err, core.Conflict) {
		return core.Errorf(core.Conflict, "error.base.full")
	}
	s.invalidate()
	return err
}

func (s *Service) releaseSeat(ctx context.Context, baseID string) error {
	_, err := s.store.C("bases").UpdateOne(ctx, bson.D{{Key: "_id", Value: baseID}}, bson.D{{Key: "$inc", Value: bson.D{{Key: "free_seats", Value: 1}}}})
	s.invalidate()
	return core.Wrap(err, "release seat")
}

// ImportRow is one base of an import file.
type ImportRow struct {
	BaseInput
	Status string `json:"status"`
}

// ImportReport sums up an import of bases.
type ImportReport struct {
	Lines, Created, Updated int
	Rejected                []ImportRejection
}

// ImportRejection says why a line was not imported: what is wrong, field
// by field, as message keys for the report to translate.
type ImportRejection struct {
	Line   int
	Faults []core.Fault
}

// Import reads bases as JSON lines and upserts them by external id (the
// id is computed from it), so importing a file twice changes nothing. A
// bad line is reported and skipped.
func (s *Service) Import(ctx context.Context, actor accounts.Principal, r io.Reader, progress func(int)) (*ImportReport, error) {
	if actor.Role != accounts.Admin {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	rep := &ImportReport{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		raw := bytes.TrimSpace(sc.Bytes())
		if len(raw) == 0 {
			continue
		}
		rep.Lines++
		if progress != nil {
			progress(rep.Lines)
		}
		reject := func(faults ...core.Fault) {
			rep.Rejected = append(rep.Rejected, ImportRejection{Line: line, Faults: faults})
		}
		var row ImportRow
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&row); err != nil {
			reject(core.Fault{Msg: core.JSONProblem(raw, err)})
			continue
		}
		if row.ExternalID == "" {
			reject(core.Fault{Field: "external_id", Msg: "error.required"})
			continue
		}
		if row.Status == "" {
			row.Status = Approved
		}
		if row.Status != Approved && row.Status != Pending && row.Status != Suspended {
			reject(core.Fault{Field: "status", Msg: "error.enum"})
			continue
		}
		id := ImportID(row.ExternalID)
		_, err := s.CreateBase(ctx, actor, row.BaseInput, accounts.Meta{})
		switch {
		case err == nil:
			rep.Created++
		case core.IsCode(err, core.Conflict):
			if _, err := s.UpdateBase(ctx, actor, id, row.BaseInput, accounts.Meta{}); err != nil {
				reject(core.Faults(err)...)
				continue
			}
			rep.Updated++
		default:
			reject(core.Faults(err)...)
			continue
		}
		if err := s.SetStatus(ctx, actor, id, row.Status, accounts.Meta{}); err != nil {
			reject(core.Faults(err)...)
		}
	}
	return rep, sc.Err()
}
