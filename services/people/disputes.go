package people

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/outbox"
	"onestop/services/store"
)

// A number dispute (號碼待核) arises when a person saves an ID number or
// phone that another profile already holds.
//
// The save must not tell them so: an answer that differed by whether
// somebody else holds a number would let anyone test numbers against the
// register (a phone was once recovered from its mask in minutes that way),
// and would leave the real owner locked out by whoever typed their number
// first. So the save is accepted like any other; the number is kept on the
// profile, sealed, but marked pending and not claimed, and a dispute goes
// to the bureau's staff, who settle it with the real person: the number
// goes to the claimant (and leaves the holder) or stays with the holder
// (and leaves the claimant's profile).

// DisputeCollection holds disputes, one per claimant and field, so saving
// the same field again replaces the claimant's earlier dispute.
var DisputeCollection = store.Collection{Name: "number_disputes"}

// DisputeIndex lists disputes for staff; it holds ids and masked values
// only.
var DisputeIndex = search.Index{
	Name:     "number_disputes",
	Keywords: []string{"status", "field", "claimant_id", "holder_id", "masked"},
	Times:    []string{"created_at"},
}

// Dispute states and decisions.
const (
	DisputeOpen      = "open"
	DisputeSettling  = "settling" // staff are settling it (Resolve); back to open if that fails
	DisputeResolved  = "resolved"
	DisputeWithdrawn = "withdrawn" // the claimant changed or erased the number

	ToClaimant = "claimant" // the claimant proved the number is theirs
	ToHolder   = "holder"   // the number stays with the profile holding it
)

// Number fields that can be disputed.
const (
	FieldID    = "id_number"
	FieldPhone = "phone"
)

// Dispute is one contested number.
type Dispute struct {
	ID         string    `bson:"_id" json:"id"`
	Field      string    `bson:"field" json:"field"`
	ClaimantID string    `bson:"claimant_id" json:"claimant_id"`
	HolderID   string    `bson:"holder_id" json:"holder_id"`
	Masked     string    `bson:"masked" json:"masked"`
	Status     string    `bson:"status" json:"status"`
	Decision   string    `bson:"decision,omitempty" json:"decision,omitempty"`
	Note       string    `bson:"note,omitempty" json:"note,omitempty"`
	ResolvedBy string    `bson:"resolved_by,omitempty" json:"resolved_by,omitempty"`
	CreatedAt  time.Time `bson:"created_at" json:"created_at"`
	ResolvedAt time.Time `bson:"resolved_at,omitzero" json:"resolved_at,omitzero"`
}

func disputeID(claimant, field string) string { return claimant + ":" + field }

func disputeDoc(d *Dispute) *search.Doc {
	return &search.Doc{ID: d.ID, Fields: map[string]any{
		"status": d.Status, "field": d.Field, "claimant_id": d.ClaimantID, "holder_id": d.HolderID,
		"masked": d.Masked, "created_at": d.CreatedAt,
	}}
}

// numberField describes where a profile keeps one kind of number.
type numberField struct {
	name, prefix string
	stored       string // the stored fields' stem: id → id_sealed, id_masked, id_index
	sealed       func(*Profile) *string
	masked       func(*Profile) *string
	index        func(*Profile) *string
}

var numberFields = map[string]numberField{
	FieldID: {FieldID, "idno:", "id", func(p *Profile) *string { return &p.IDSealed },
		func(p *Profile) *string { return &p.IDMasked }, func(p *Profile) *string { return &p.IDIndex }},
	FieldPhone: {FieldPhone, "pphone:", "phone", func(p *Profile) *string { return &p.PhoneSealed },
		func(p *Profile) *string { return &p.PhoneMasked }, func(p *Profile) *string { return &p.PhoneIndex }},
}

// keys are the key-collection keys of the number a profile keeps in f (one
// per data key during a rotation, current first).
func (s *Service) keys(f numberField, p *Profile) []string {
	v, err := s.vault.Open(f.name, *f.sealed(p))
	if err != nil || v == "" {
		return nil
	}
	return s.vault.IndexKeys(f.prefix, f.name, v)
}

// Number-change limits: a person fixing a typo needs a few; a service
// centre registering people behind one address needs more. The save no
// longer reveals anything, so these only slow a search that learns nothing.
var (
	numbersPerAccount = store.Limit{Name: "numbers-account", Max: 6, Window: time.Hour}
	numbersPerAddress = store.Limit{Name: "numbers-ip", Max: 60, Window: time.Hour}
)

// countNumberChange counts a save bringing a new number against the
// account and the address, refusing it once either is over its limit.
// The count comes first, atomically, so concurrent saves cannot all pass.
func (s *Service) countNumberChange(ctx context.Context, account, ip string) error {
	now := s.clock.Now()
	for _, c := range []struct {
		l   store.Limit
		key string
	}{{numbersPerAccount, account}, {numbersPerAddress, ip}} {
		if c.key == "" {
			continue
		}
		if _, err := s.store.Take(ctx, "throttle", c.l, s.vault.BlindIndex("throttle-key", c.key), now); err != nil {
			return err
		}
	}
	return nil
}

// recordDisputes brings the claimant's disputes in step with a saved
// profile: one opened for each field whose new number another profile
// holds (holders), and an open one withdrawn when its field is no longer
// pending. A pending field whose number this save left alone keeps its
// dispute. (The dispute holds no index of the number: a data-key rotation
// re-indexes the profile, and the dispute stays what it was.)
func (s *Service) recordDisputes(ctx context.Context, p *Profile, holders map[string]string) {
	for _, f := range []numberField{numberFields[FieldID], numberFields[FieldPhone]} {
		id := disputeID(p.ID, f.name)
		if holder, ok := holders[f.name]; ok {
			d := Dispute{ID: id, Field: f.name, ClaimantID: p.ID, HolderID: holder, Masked: *f.masked(p),
				Status: DisputeOpen, CreatedAt: s.clock.Now()}
			_ = s.writeDispute(ctx, &d, true)
			continue
		}
		if slices.Contains(p.Pending, f.name) {
			continue
		}
		var d Dispute
		if err := s.store.Get(ctx, DisputeCollection.Name, id, &d); err != nil || d.Status != DisputeOpen {
			continue
		}
		d.Status = DisputeWithdrawn
		_ = s.writeDispute(ctx, &d, false)
	}
}

// writeDispute stores a dispute and its index entry. Failures are logged
// by the outbox's note or ignored: the profile keeps its pending mark, and
// staff see it on the person's page whatever becomes of the queue entry.
func (s *Service) writeDispute(ctx context.Context, d *Dispute, replace bool) error {
	if err := s.outbox.Begin(ctx, DisputeIndex.Name, d.ID); err != nil {
		return err
	}
	c := s.store.C(DisputeCollection.Name)
	var err error
	if replace {
		// Delete then insert by `_id` (an upsert reads the whole
		// collection on the embedded store).
		if _, err = c.DeleteOne(ctx, bson.D{{Key: "_id", Value: d.ID}}); err == nil {
			_, err = c.InsertOne(ctx, d)
		}
	} else {
		_, err = c.ReplaceOne(ctx, bson.D{{Key: "_id", Value: d.ID}}, d)
	}
	s.outbox.Apply(ctx, DisputeIndex.Name, d.ID)
	return core.Wrap(err, "write dispute")
}

// DisputeQuery filters the staff queue.
type DisputeQuery struct {
	Status   string // open (default), resolved, withdrawn, all
	PersonID string // as claimant or holder
	Page     core.Page
}

// DisputeRow is a dispute with the two people's names, for the queue.
type DisputeRow struct {
	Dispute
	ClaimantName, HolderName string
}

// Disputes lists disputes for staff, newest first.
func (s *Service) Disputes(ctx context.Context, actor accounts.Principal, q DisputeQuery) ([]DisputeRow, int, core.Page, error) {
	p := q.Page.Normalize()
	if !actor.Role.Staff() {
		return nil, 0, p, core.Errorf(core.Forbidden, "error.forbidden")
	}
	sq := search.Query{Offset: p.Offset(), Limit: p.Size, Sort: []search.Sort{{Field: "created_at", Desc: true}}}
	switch q.Status {
	case "", DisputeOpen:
		sq.Filters = append(sq.Filters, search.Filter{Field: "status", Values: []string{DisputeOpen}})
	case DisputeResolved, DisputeWithdrawn:
		sq.Filters = append(sq.Filters, search.Filter{Field: "status", Values: []string{q.Status}})
	case "all":
	default:
		return nil, 0, p, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"status": "error.enum"}}
	}
	if q.PersonID != "" {
		sq.Filters = append(sq.Filters, search.Filter{Field: "claimant_id", Values: []string{q.PersonID}})
	}
	r, err := s.outbox.Engine().Search(ctx, DisputeIndex.Name, sq)
	if err != nil {
		return nil, 0, p, &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
	}
	ids := make([]string, len(r.Hits))
	for i, h := range r.Hits {
		ids[i] = h.ID
	}
	got, err := store.GetMany[Dispute](ctx, s.store, DisputeCollection.Name, ids)
	if err != nil {
		return nil, 0, p, err
	}
	out := make([]DisputeRow, 0, len(got))
	var people []string
	for _, d := range got {
		if d != nil {
			out = append(out, DisputeRow{Dispute: *d})
			people = append(people, d.ClaimantID, d.HolderID)
		}
	}
	profiles, err := store.GetMany[Profile](ctx, s.store, Collection.Name, people)
	if err != nil {
		return nil, 0, p, err
	}
	for i := range out {
		// A party erased since has no profile; staff see its id only.
		if pr := profiles[2*i]; pr != nil {
			out[i].ClaimantName = pr.RealName
		}
		if pr := profiles[2*i+1]; pr != nil {
			out[i].HolderName = pr.RealName
		}
	}
	return out, r.Total, p, nil
}

// DisputesOf lists the open disputes a person is party to, as claimant or
// holder, for their page in the staff console.
func (s *Service) DisputesOf(ctx context.Context, actor accounts.Principal, personID string) ([]Dispute, error) {
	if !actor.Role.Staff() {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	var out []Dispute
	for _, field := range []string{"claimant_id", "holder_id"} {
		r, err := s.outbox.Engine().Search(ctx, DisputeIndex.Name, search.Query{Limit: 20, Filters: []search.Filter{
			{Field: "status", Values: []string{DisputeOpen}}, {Field: field, Values: []string{personID}}}})
		if err != nil {
			return nil, &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
		}
		for _, h := range r.Hits {
			var d Dispute
			if err := s.store.Get(ctx, DisputeCollection.Name, h.ID, &d); err == nil && d.Status == DisputeOpen {
				out = append(out, d)
			}
		}
	}
	return out, nil
}

// Resolve settles an open dispute (staff, after checking with the real
// person: their ID card at a service point, or a call to the number).
// ToClaimant hands the number's key to the claimant and takes the number
// off the holder's profile; ToHolder takes it off the claimant's.
//
// The dispute is first moved from open to settling in one guarded step, so
// two staff settling it at once cannot both act; a settlement that fails
// half-way puts the key back and the dispute back to open.
func (s *Service) Resolve(ctx context.Context, actor accounts.Principal, id, decision, note string, m accounts.Meta) (*Dispute, error) {
	if !actor.Role.Staff() {
		s.audit.Record(ctx, actor.Actor(m), "number_dispute.resolve", audit.Denied, id, "")
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	note = strings.TrimSpace(note)
	var v core.Validation
	v.Check(decision == ToClaimant || decision == ToHolder, "decision", "error.enum")
	v.Check(note != "" && utf8.RuneCountInString(note) <= 500 && printable(note), "note", "error.text")
	if err := v.Err(); err != nil {
		return nil, err
	}
	var d Dispute
	if err := s.store.Get(ctx, DisputeCollection.Name, id, &d); err != nil {
		return nil, err
	}
	closed := core.Errorf(core.Conflict, "error.dispute.closed")
	if d.Status != DisputeOpen {
		return nil, closed
	}
	if err := s.store.UpdateIf(ctx, DisputeCollection.Name, id, []store.Cond{store.Eq("status", DisputeOpen), store.Eq("created_at", d.CreatedAt)},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: DisputeSettling}}}}); err != nil {
		if core.IsCode(err, core.Conflict) || core.IsCode(err, core.NotFound) {
			return nil, closed
		}
		return nil, err
	}
	reopen := func() {
		_ = s.store.UpdateIf(context.WithoutCancel(ctx), DisputeCollection.Name, id, []store.Cond{store.Eq("status", DisputeSettling)},
			bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: DisputeOpen}}}})
	}
	f := numberFields[d.Field]
	var err error
	if decision == ToClaimant {
		err = s.award(ctx, f, d.ClaimantID, d.HolderID)
	} else {
		err = s.withdrawClaim(ctx, f, d.ClaimantID)
	}
	if err != nil {
		reopen()
		return nil, err
	}
	d.Status, d.Decision, d.Note, d.ResolvedBy, d.ResolvedAt = DisputeResolved, decision, note, actor.ID, s.clock.Now()
	if err := s.writeDispute(ctx, &d, false); err != nil {
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "number_dispute.resolve", audit.Success, d.ClaimantID, d.Field+"→"+decision)
	return &d, nil
}

// award gives the claimant the number: its keys move from the holder to
// the claimant in one guarded step each, the claimant's pending mark goes,
// and then the holder's profile loses the number. A claimant who changed
// the number meanwhile gets nothing: the keys go back.
func (s *Service) award(ctx context.Context, f numberField, claimantID, holderID string) error {
	claimant, err := s.pendingProfile(ctx, f, claimantID)
	if err != nil {
		return err
	}
	keys := s.keys(f, claimant)
	var moved []string
	giveBack := func() {
		for _, k := range moved {
			_ = s.store.MoveKey(context.WithoutCancel(ctx), k, claimantID, holderID)
		}
	}
	for i, k := range keys {
		held, err := s.store.KeyOwner(ctx, k)
		switch {
		case core.IsCode(err, core.NotFound) && i > 0:
			continue // a previous data key's: nobody holds the number under it
		case err != nil && !core.IsCode(err, core.NotFound):
			giveBack()
			return err
		case err == nil && held != holderID && held != claimantID:
			giveBack()
			return core.Errorf(core.Conflict, "error.dispute.held")
		}
		if err := s.store.MoveKey(ctx, k, holderID, claimantID); err != nil {
			giveBack()
			return err
		}
		moved = append(moved, k)
	}
	for range 3 {
		err = s.setGuarded(ctx, claimant, bson.D{{Key: "pending", Value: without(claimant.Pending, f.name)}}, nil)
		if !core.IsCode(err, core.Conflict) {
			break
		}
		// Saved meanwhile: still the same number?
		if claimant, err = s.pendingProfile(ctx, f, claimantID); err != nil || !slices.Equal(s.keys(f, claimant), keys) {
			giveBack()
			return core.Errorf(core.Conflict, "error.dispute.closed")
		}
	}
	if err != nil {
		giveBack()
		return err
	}
	// The holder loses the number if it still has it (its keys are the
	// claimant's now, so dropping frees nothing of the claimant's).
	for range 3 {
		var holder Profile
		if err := s.store.Get(ctx, Collection.Name, holderID, &holder); err != nil {
			return nil // erased meanwhile: nothing to take off
		}
		if *f.index(&holder) == "" || !slices.Equal(s.keys(f, &holder), keys) {
			return nil
		}
		if err = s.dropNumber(ctx, f, &holder); !core.IsCode(err, core.Conflict) {
			return err
		}
	}
	return err
}

// withdrawClaim takes the disputed number off the claimant's profile.
func (s *Service) withdrawClaim(ctx context.Context, f numberField, claimantID string) error {
	var err error
	for range 3 {
		var claimant *Profile
		if claimant, err = s.pendingProfile(ctx, f, claimantID); err != nil {
			return err
		}
		if err = s.dropNumber(ctx, f, claimant); !core.IsCode(err, core.Conflict) {
			return err
		}
	}
	return err
}

// pendingProfile reads the claimant's profile, which must still keep the
// field's number pending.
func (s *Service) pendingProfile(ctx context.Context, f numberField, id string) (*Profile, error) {
	var p Profile
	if err := s.store.Get(ctx, Collection.Name, id, &p); err != nil {
		return nil, err
	}
	if !slices.Contains(p.Pending, f.name) || len(s.keys(f, &p)) == 0 {
		return nil, core.Errorf(core.Conflict, "error.dispute.closed")
	}
	return &p, nil
}

func without(list []string, x string) []string {
	return slices.DeleteFunc(slices.Clone(list), func(v string) bool { return v == x })
}

// dropNumber takes a number off a profile and frees its keys.
func (s *Service) dropNumber(ctx context.Context, f numberField, p *Profile) error {
	keys := s.keys(f, p)
	pending := without(p.Pending, f.name)
	unset := bson.D{{Key: f.stored + "_sealed", Value: ""}, {Key: f.stored + "_masked", Value: ""}, {Key: f.stored + "_index", Value: ""}}
	if err := s.setGuarded(ctx, p, bson.D{{Key: "pending", Value: pending}}, unset); err != nil {
		return err
	}
	for _, k := range keys {
		_ = s.store.ReleaseKey(ctx, k, p.ID)
	}
	return nil
}

// setGuarded changes a profile if it is still the version read.
func (s *Service) setGuarded(ctx context.Context, p *Profile, set, unset bson.D) error {
	set = append(set, bson.E{Key: "updated_at", Value: s.clock.Now()})
	upd := bson.D{{Key: "$set", Value: set}}
	if len(unset) > 0 {
		upd = append(upd, bson.E{Key: "$unset", Value: unset})
	}
	if err := s.outbox.Begin(ctx, Index.Name, p.ID); err != nil {
		return err
	}
	err := s.store.UpdateIf(ctx, Collection.Name, p.ID, []store.Cond{store.Eq("updated_at", p.UpdatedAt)}, upd)
	s.outbox.Apply(ctx, Index.Name, p.ID)
	if core.IsCode(err, core.Conflict) {
		return core.Errorf(core.Conflict, "error.stale")
	}
	return err
}

func registerDisputes(s *store.Store, o *outbox.Outbox) {
	o.Register(outbox.SourceFor(s, DisputeCollection.Name, DisputeIndex, disputeDoc))
}
