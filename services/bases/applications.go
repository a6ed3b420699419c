package bases

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/store"
)

// Application statuses.
const (
	AppPending       = "pending"
	AppWaitlisted    = "waitlisted"
	AppDeclined      = "declined"
	AppOffered       = "offered"
	AppTenant        = "tenant"
	AppOfferDeclined = "offer_declined"
	AppWithdrawn     = "withdrawn"
	AppMovedOut      = "moved_out"
)

// MaxChoices is how many bases one person may rank in an intake.
const MaxChoices = 5

// MoveOutReasons end a tenancy.
var MoveOutReasons = []string{"graduated", "moved", "closed", "other"}

// AppIndex lists applications for applicants, managers and the intake.
var AppIndex = search.Index{
	Name:     "applications",
	Text:     []string{"applicant_name", "base_name"},
	Keywords: []string{"applicant_id", "base_id", "intake_id", "status"},
	Numbers:  []string{"rank"},
	Times:    []string{"created_at"},
}

// Application is one person's application to one base in an intake.
type Application struct {
	ID            string    `bson:"_id"`
	IntakeID      string    `bson:"intake_id"`
	ApplicantID   string    `bson:"applicant_id"`
	ApplicantName string    `bson:"applicant_name"`
	BaseID        string    `bson:"base_id"`
	BaseName      string    `bson:"base_name"`
	Rank          int       `bson:"rank"`
	Venture       string    `bson:"venture"`
	Status        string    `bson:"status"`
	Reason        string    `bson:"reason,omitempty"`
	CreatedAt     time.Time `bson:"created_at"`
	UpdatedAt     time.Time `bson:"updated_at"`
	History       []Step    `bson:"history"`
}

// Step is one recorded change of an application.
type Step struct {
	At        time.Time `bson:"at"`
	ActorName string    `bson:"actor_name"`
	Action    string    `bson:"action"`
	To        string    `bson:"to"`
	Note      string    `bson:"note,omitempty"`
}

// Active reports whether the application still holds a choice.
func (a *Application) Active() bool {
	return a.Status == AppPending || a.Status == AppWaitlisted || a.Status == AppOffered
}

func appDoc(a *Application) *search.Doc {
	return &search.Doc{ID: a.ID, Fields: map[string]any{
		"applicant_name": a.ApplicantName, "base_name": a.BaseName, "applicant_id": a.ApplicantID, "base_id": a.BaseID,
		"intake_id": a.IntakeID, "status": a.Status, "rank": a.Rank, "created_at": a.CreatedAt}}
}

// Intake is an application round.
type Intake struct {
	ID         string    `bson:"_id" json:"id"`
	Name       string    `bson:"name" json:"name"`
	Open       bool      `bson:"open" json:"open"`
	CreatedAt  time.Time `bson:"created_at" json:"created_at"`
	AssignedAt time.Time `bson:"assigned_at,omitempty" json:"assigned_at,omitzero"`
}

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// ImportID is the id of an imported base, from its external id.
func ImportID(externalID string) string {
	sum := sha256.Sum256([]byte("bases/" + externalID))
	return idEncoding.EncodeToString(sum[:16])
}

func isDuplicate(err error) bool { return mongo.IsDuplicateKeyError(err) }

// OpenIntake creates and opens an intake (administrators).
func (s *Service) OpenIntake(ctx context.Context, actor accounts.Principal, name string, m accounts.Meta) (*Intake, error) {
	if actor.Role != accounts.Admin {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	name = strings.TrimSpace(name)
	if n := utf8.RuneCountInString(name); n < 2 || n > 40 || strings.ContainsRune(name, 0) {
		return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"name": "error.text.length"}}
	}
	in := &Intake{ID: core.NewID(), Name: name, Open: true, CreatedAt: s.clock.Now()}
	if _, err := s.store.C("intakes").InsertOne(ctx, in); err != nil {
		return nil, core.Wrap(err, "insert intake")
	}
	s.audit.Record(ctx, actor.Actor(m), "intake.open", audit.Success, in.ID, name)
	return in, nil
}

// Intakes lists the intakes, newest first (a handful a year).
func (s *Service) Intakes(ctx context.Context) ([]*Intake, error) {
	var list []*Intake
	err := store.Each(ctx, s.store, "intakes", func(i *Intake) error { list = append(list, i); return nil })
	slices.SortFunc(list, func(a, b *Intake) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return list, err
}

// CurrentIntake is the newest open intake.
func (s *Service) CurrentIntake(ctx context.Context) (*Intake, error) {
	list, err := s.Intakes(ctx)
	if err != nil {
		return nil, err
	}
	for _, in := range list {
		if in.Open {
			return in, nil
		}
	}
	return nil, core.Errorf(core.Conflict, "error.intake.closed")
}

// Apply files a person's ranked choices (most wanted first, at most five,
// no base twice) for the open intake. Keys claimed first make a second
// application to the same base, or two applications with one rank,
// impossible even when sent at once; nothing is half-written.
func (s *Service) Apply(ctx context.Context, actor accounts.Principal, choices []string, venture string, m accounts.Meta) ([]*Application, error) {
	if actor.Role != accounts.Entrepreneur {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	var v core.Validation
	v.Check(len(choices) >= 1 && len(choices) <= MaxChoices, "choices", "error.apply.count")
	seen := map[string]bool{}
	for _, c := range choices {
		v.Check(!seen[c], "choices", "error.apply.twice")
		seen[c] = true
	}
	venture = strings.TrimSpace(venture)
	v.Check(utf8.RuneCountInString(venture) >= 5 && utf8.RuneCountInString(venture) <= 1000 && !strings.ContainsRune(venture, 0), "venture", "error.apply.venture")
	if err := v.Err(); err != nil {
		return nil, err
	}
	intake, err := s.CurrentIntake(ctx)
	if err != nil {
		return nil, err
	}
	var bases []*Base
	for _, id := range choices {
		b, err := s.Base(ctx, actor, id)
		if err != nil || b.Status != Approved {
			return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"choices": "error.apply.unknown_base"}}
		}
		if !b.IntakeOpen || b.FreeSeats <= 0 {
			return nil, &core.Error{Code: core.Conflict, Message: "error.apply.closed", Fields: map[string]string{"choices": "error.apply.closed"}}
		}
		bases = append(bases, b)
	}
	now := s.clock.Now()
	var claimed []string
	undo := func() {
		for _, k := range claimed {
			_ = s.store.ReleaseKeyAny(context.WithoutCancel(ctx), k)
		}
	}
	var apps []*Application
	for _, b := range bases {
		a := &Application{ID: core.NewID(), IntakeID: intake.ID, ApplicantID: actor.ID, ApplicantName: actor.Name, BaseID: b.ID,
			BaseName: b.Name, Venture: venture, Status: AppPending, CreatedAt: now, UpdatedAt: now,
			History: []Step{{At: now, ActorName: actor.Name, Action: "apply", To: AppPending}}}
		if err := s.claimChoice(ctx, a); err != nil {
			undo()
			return nil, err
		}
		claimed = append(claimed, baseKey(a), rankKey(a.IntakeID, a.ApplicantID, a.Rank))
		apps = append(apps, a)
	}
	for _, a := range apps {
		if err := s.outbox.Begin(ctx, AppIndex.Name, a.ID); err != nil {
			undo()
			return nil, err
		}
	}
	docs := make([]any, len(apps))
	for i, a := range apps {
		docs[i] = a
	}
	if _, err := s.store.C("applications").InsertMany(ctx, docs); err != nil {
		undo()
		return nil, core.Wrap(err, "insert applications")
	}
	for _, a := range apps {
		s.outbox.Apply(ctx, AppIndex.Name, a.ID)
		s.count(ctx, a.ID)
	}
	s.audit.Record(ctx, actor.Actor(m), "application.apply", audit.Success, intake.ID, fmt.Sprintf("%d choices", len(apps)))
	return apps, nil
}

// A person's choices in an intake are held by keys: one per base (one
// application to a base at a time) and one per rank (at most MaxChoices
// under way at once, ranked in the order they were made).
func baseKey(a *Application) string {
	return fmt.Sprintf("app:%s:%s:base:%s", a.IntakeID, a.ApplicantID, a.BaseID)
}

func rankKey(intake, applicant string, rank int) string {
	return fmt.Sprintf("app:%s:%s:rank:%d", intake, applicant, rank)
}

// claimChoice claims a's base and the first free rank. A key held by an
// application that has ended is taken over: a person who withdrew (or
// whose choice ended otherwise) may choose again, the same base too —
// but not a base that declined them in this intake. Claims are atomic,
// so two applications sent at once cannot take one place twice.
func (s *Service) claimChoice(ctx context.Context, a *Application) error {
	conflict := func(key string) error {
		return &core.Error{Code: core.Conflict, Message: key, Fields: map[string]string{"choices": key}}
	}
	switch held, err := s.claimFree(ctx, baseKey(a), a.ID); {
	case err != nil:
		return err
	case held != nil && held.Status == AppDeclined:
		return conflict("error.apply.declined_here")
	case held != nil:
		return conflict("error.apply.pending_here")
	}
	for r := 1; r <= MaxChoices; r++ {
		held, err := s.claimFree(ctx, rankKey(a.IntakeID, a.ApplicantID, r), a.ID)
		if err != nil {
			_ = s.store.ReleaseKey(context.WithoutCancel(ctx), baseKey(a), a.ID)
			return err
		}
		if held == nil {
			a.Rank = r
			return nil
		}
	}
	_ = s.store.ReleaseKey(context.WithoutCancel(ctx), baseKey(a), a.ID)
	return conflict("error.apply.full")
}

// FreeRanks are the ranks actor may still choose in the current intake:
// those no application under way holds. None is open when no intake is.
func (s *Service) FreeRanks(ctx context.Context, actor accounts.Principal) ([]int, error) {
	intake, err := s.CurrentIntake(ctx)
	if err != nil {
		return nil, err
	}
	var free []int
	for r := 1; r <= MaxChoices; r++ {
		holder, err := s.store.KeyOwner(ctx, rankKey(intake.ID, actor.ID, r))
		if core.IsCode(err, core.NotFound) {
			free = append(free, r)
			continue
		}
		if err != nil {
			return nil, err
		}
		var held Application
		if err := s.store.Get(ctx, "applications", holder, &held); err == nil && !held.Active() && held.Status != AppTenant {
			free = append(free, r)
		}
	}
	return free, nil
}

// claimFree claims key for owner. When another application holds it, that
// one is returned — unless it has ended (and, for a base key, the base did
// not decline it), in which case the key is taken over.
func (s *Service) claimFree(ctx context.Context, key, owner string) (*Application, error) {
	for range 3 { // claim, take over an ended holder's key, claim again
		err := s.store.ClaimKey(ctx, key, owner, "error.apply.taken")
		if !core.IsCode(err, core.Conflict) {
			return nil, err
		}
		holder, err := s.store.KeyOwner(ctx, key)
		if core.IsCode(err, core.NotFound) {
			continue // released meanwhile: claim again
		}
		if err != nil {
			return nil, err
		}
		var held Application
		if err := s.store.Get(ctx, "applications", holder, &held); err != nil {
			if core.IsCode(err, core.NotFound) {
				// Claimed by an application being written right now (its
				// keys come first): the place is taken.
				return &Application{ID: holder, Status: AppPending}, nil
			}
			return nil, err
		}
		if held.Active() || held.Status == AppTenant || (held.Status == AppDeclined && strings.Contains(key, ":base:")) {
			return &held, nil
		}
		if err := s.store.ReleaseKey(ctx, key, holder); err != nil {
			return nil, err
		}
	}
	return nil, core.Errorf(core.Conflict, "error.stale")
}

// Application reads one: the applicant, the base's managers and
// administrators may; for anyone else it does not exist.
func (s *Service) Application(ctx context.Context, actor accounts.Principal, id string) (*Application, *Base, error) {
	nf := core.Errorf(core.NotFound, "error.not_found")
	if actor.Guest() || !core.ValidID(id) {
		return nil, nil, nf
	}
	var a Application
	if err := s.store.Get(ctx, "applications", id, &a); err != nil {
		return nil, nil, err
	}
	var b Base
	if err := s.store.Get(ctx, "bases", a.BaseID, &b); err != nil {
		return nil, nil, err
	}
	if a.ApplicantID != actor.ID && actor.Role != accounts.Admin && !b.Manages(actor.ID) {
		return nil, nil, nf
	}
	return &a, &b, nil
}

// Act moves an application along. The applicant withdraws, accepts or
// declines an offer; the base's managers accept (making an offer that holds
// a seat), decline with a reason, wait-list, and end a tenancy with a
// reason. Each change is one guarded update, so two people acting at once
// cannot both succeed, and a seat is taken or given back with it. Accepting
// an offer claims the person's one tenancy first (tenancy.go), so two
// offers accepted at once cannot make them a tenant at two bases.
func (s *Service) Act(ctx context.Context, actor accounts.Principal, id, action, reason string, m accounts.Meta) (*Application, error) {
	a, b, err := s.Application(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	manager := actor.Role == accounts.Admin || b.Manages(actor.ID)
	owner := a.ApplicantID == actor.ID
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > 500 || strings.ContainsRune(reason, 0) {
		return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"reason": "error.text.length"}}
	}
	type rule struct {
		from   []string
		to     string
		allow  bool
		seat   int // -1 takes a seat, +1 gives one back
		reason bool
	}
	rules := map[string]rule{
		"accept":        {[]string{AppPending, AppWaitlisted}, AppOffered, manager, -1, false},
		"decline":       {[]string{AppPending, AppWaitlisted}, AppDeclined, manager, 0, true},
		"waitlist":      {[]string{AppPending}, AppWaitlisted, manager, 0, false},
		"withdraw":      {[]string{AppPending, AppWaitlisted, AppOffered}, AppWithdrawn, owner, 0, false},
		"accept_offer":  {[]string{AppOffered}, AppTenant, owner, 0, false},
		"decline_offer": {[]string{AppOffered}, AppOfferDeclined, owner, +1, false},
		"move_out":      {[]string{AppTenant}, AppMovedOut, manager, +1, true},
	}
	r, ok := rules[action]
	if !ok {
		return nil, core.Errorf(core.Invalid, "error.action")
	}
	if !r.allow {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	if r.reason && reason == "" {
		return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"reason": "error.reason.required"}}
	}
	if action == "move_out" && !slices.Contains(MoveOutReasons, reason) {
		return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"reason": "error.enum"}}
	}
	if !slices.Contains(r.from, a.Status) {
		return nil, core.Errorf(core.Conflict, "error.stale")
	}
	if action == "withdraw" && a.Status == AppOffered {
		r.seat = +1
	}
	if r.to == AppTenant {
		if err := s.claimTenancy(ctx, a); err != nil {
			return nil, err
		}
	}
	if r.seat < 0 {
		if err := s.takeSeat(ctx, b.ID); err != nil {
			return nil, err
		}
	}
	if err := s.transition(ctx, actor, a, r.to, action, reason); err != nil {
		if r.seat < 0 {
			_ = s.releaseSeat(context.WithoutCancel(ctx), b.ID)
		}
		if r.to == AppTenant {
			_ = s.abandonTenancy(context.WithoutCancel(ctx), a)
		}
		return nil, err
	}
	if r.seat > 0 {
		if err := s.releaseSeat(ctx, b.ID); err != nil {
			return nil, err
		}
	}
	// An offer leaving (withdrawn, declined) gives back a key an accept of
	// it claimed and never finished; a move-out ends the tenancy.
	if (a.Status == AppOffered && r.to != AppTenant) || action == "move_out" {
		if err := s.releaseTenancy(ctx, a); err != nil {
			return nil, err
		}
	}
	if action == "accept_offer" {
		s.supersede(ctx, actor, a)
	}
	if !owner {
		s.notify.Send(ctx, a.ApplicantID, "notify.application."+r.to, b.Name, "/applications")
	}
	s.audit.Record(ctx, actor.Actor(m), "application."+action, audit.Success, a.ID, a.Status+"→"+r.to)
	out, _, err := s.Application(ctx, actor, id)
	return out, err
}

func (s *Service) transition(ctx context.Context, actor accounts.Principal, a *Application, to, action, note string) error {
	now := s.clock.Now()
	if err := s.outbox.Begin(ctx, AppIndex.Name, a.ID); err != nil {
		return err
	}
	err := s.store.UpdateIf(ctx, "applications", a.ID, []store.Cond{store.Eq("status", a.Status)},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: to}, {Key: "reason", Value: note}, {Key: "updated_at", Value: now}}},
			{Key: "$push", Value: bson.D{{Key: "history", Value: Step{At: now, ActorName: actor.Name, Action: action, To: to, Note: note}}}}})
	s.outbox.Apply(ctx, AppIndex.Name, a.ID)
	if err == nil {
		s.count(ctx, a.ID)
	}
	return err
}

// supersede withdraws a new tenant's other applications of the intake,
// giving back any seats their offers held.
func (s *Service) supersede(ctx context.Context, actor accounts.Principal, kept *Application) {
	others, err := s.search(ctx, []search.Filter{{Field: "applicant_id", Values: []string{kept.ApplicantID}}, {Field: "intake_id", Values: []string{kept.IntakeID}}}, core.Page{Size: 20})
	if err != nil {
		return
	}
	for _, o := range others {
		if o.ID == kept.ID || !o.Active() {
			continue
		}
		if err := s.transition(ctx, actor, o, AppWithdrawn, "superseded", ""); err == nil && o.Status == AppOffered {
			_ = s.releaseSeat(ctx, o.BaseID)
		}
	}
}

// search reads applications through the index, then each from the
// database so the status is current.
func (s *Service) search(ctx context.Context, filters []search.Filter, p core.Page) ([]*Application, error) {
	p = p.Normalize()
	r, err := s.outbox.Engine().Search(ctx, AppIndex.Name, search.Query{Filters: filters, Offset: p.Offset(), Limit: p.Size,
		Sort: []search.Sort{{Field: "created_at", Desc: true}, {Field: "rank"}}})
	if err != nil {
		return nil, &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
	}
	out := make([]*Application, 0, len(r.Hits))
	for _, h := range r.Hits {
		var a Application
		if err := s.store.Get(ctx, "applications", h.ID, &a); err == nil {
			out = append(out, &a)
		}
	}
	return out, nil
}

// Mine lists the caller's applications.
func (s *Service) Mine(ctx context.Context, actor accounts.Principal, p core.Page) ([]*Application, error) {
	if actor.Guest() {
		return nil, core.Errorf(core.Unauthenticated, "error.unauthenticated")
	}
	return s.search(ctx, []search.Filter{{Field: "applicant_id", Values: []string{actor.ID}}}, p)
}

// ForBase lists a base's applications for its managers, optionally of one
// status.
func (s *Service) ForBase(ctx context.Context, actor accounts.Principal, baseID, status string, p core.Page) ([]*Application, error) {
	b, err := s.Base(ctx, actor, baseID)
	if err != nil {
		return nil, err
	}
	if actor.Role != accounts.Admin && !b.Manages(actor.ID) {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	f := []search.Filter{{Field: "base_id", Values: []string{baseID}}}
	if status != "" {
		f = append(f, search.Filter{Field: "status", Values: []string{status}})
	}
	return s.search(ctx, f, p)
}
