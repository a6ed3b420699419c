// Package people owns entrepreneurs' profiles (創業者信息): real-name data
// with the ID number and phone protected (sealed, blind-indexed, masked,
// revealed only to staff through an audited action), the facts the
// eligibility engine reads, consent to the privacy notice, and erasure.
package people

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/documents"
	"onestop/services/notify"
	"onestop/services/outbox"
	"onestop/services/pii"
	"onestop/services/policy"
	"onestop/services/reference"
	"onestop/services/store"
)

// NoticeVersion is the version of the privacy notice people consent to;
// change it with the notice's text in the catalogs, and everyone is asked
// again on their next profile save.
const NoticeVersion = "2026-11"

// Collection holds profiles, one per account, keyed by the account id.
var Collection = store.Collection{Name: "profiles"}

// Index lists people for staff: names and masked values only.
var Index = search.Index{
	Name:     "people",
	Text:     []string{"name"},
	Keywords: []string{"district", "stage", "industry", "id_masked", "phone_masked"},
	Times:    []string{"updated_at"},
}

// Enumerations of profile fields.
var (
	Educations = []string{"primary", "junior_secondary", "senior_secondary", "vocational", "college", "bachelor", "master", "doctorate"}
	Needs      = []string{"training", "financing", "premises", "mentoring", "licensing"}
)

// Profile is an entrepreneur's record.
type Profile struct {
	ID          string       `bson:"_id"`
	RealName    string       `bson:"real_name"`
	IDSealed    string       `bson:"id_sealed,omitempty"`
	IDMasked    string       `bson:"id_masked,omitempty"`
	IDIndex     string       `bson:"id_index,omitempty"`
	PhoneSealed string       `bson:"phone_sealed,omitempty"`
	PhoneMasked string       `bson:"phone_masked,omitempty"`
	PhoneIndex  string       `bson:"phone_index,omitempty"`
	District    string       `bson:"district,omitempty"`
	Education   string       `bson:"education,omitempty"`
	Skills      []string     `bson:"skills,omitempty"`
	Certs       []string     `bson:"certificates,omitempty"`
	Needs       []string     `bson:"needs,omitempty"`
	Facts       policy.Facts `bson:"facts"`
	Consents    []Consent    `bson:"consents,omitempty"`
	Trainings   []Training   `bson:"trainings,omitempty"`
	// Sources says where the checked facts came from: checked by staff,
	// from a roster, or a check that lapsed (facts.go). A fact without
	// one is the person's own word.
	Sources []FactSource `bson:"fact_sources,omitempty"`
	// Recommendations are the trainings and jobs the bureau recommended,
	// with the answers (recommendations.go).
	Recommendations []Recommendation `bson:"recommendations,omitempty"`
	// Evidence lists the documents staff filed as evidence of checks
	// (evidence.go).
	Evidence []Evidence `bson:"evidence,omitempty"`
	// Pending names the numbers (id_number, phone) kept but not claimed
	// because another profile holds them: staff settle the dispute
	// (disputes.go). Only staff see it.
	Pending   []string  `bson:"pending,omitempty"`
	CreatedAt time.Time `bson:"created_at"`
	UpdatedAt time.Time `bson:"updated_at"`
}

// Consent records agreement to a version of the privacy notice.
type Consent struct {
	Version string    `bson:"version" json:"version"`
	At      time.Time `bson:"at" json:"at"`
	Channel string    `bson:"channel" json:"channel"` // web, api
}

// Training is a course the person completed, recorded by the training
// area when the provider closes the course.
type Training struct {
	CourseID    string    `bson:"course_id" json:"course_id"`
	Title       string    `bson:"title" json:"title"`
	Kind        string    `bson:"kind" json:"kind"`
	Certificate string    `bson:"certificate,omitempty" json:"certificate,omitempty"`
	Code        string    `bson:"code" json:"code"`
	CompletedOn core.Date `bson:"completed_on" json:"completed_on"`
}

// Settled reports whether the profile's number in field (FieldID or
// FieldPhone) is this person's: not one kept pending while a dispute about
// it awaits staff (disputes.go).
func (p *Profile) Settled(field string) bool { return !slices.Contains(p.Pending, field) }

// Masked returns the masked ID number and phone that others may rely on
// (a bank's loan file, a course roster, a caller record): a number awaiting
// a dispute is left out, so nobody's number is passed on as this person's.
// The person is not told (the save must not reveal it); staff see the
// pending mark on the person's page.
func (p *Profile) Masked() (id, phone string) {
	if p.Settled(FieldID) {
		id = p.IDMasked
	}
	if p.Settled(FieldPhone) {
		phone = p.PhoneMasked
	}
	return id, phone
}

// Consented reports whether the current notice was agreed to.
func (p *Profile) Consented() bool {
	return slices.ContainsFunc(p.Consents, func(c Consent) bool { return c.Version == NoticeVersion })
}

// Service manages profiles.
type Service struct {
	store    *store.Store
	outbox   *outbox.Outbox
	audit    *audit.Log
	vault    *pii.Vault
	notify   *notify.Service
	clock    core.Clock
	policies *policy.Catalogue
	files    *documents.Store // the documents of checks (evidence.go)
	// reference: the lists of districts and industries.
	reference *reference.Lists
	saved     []func(ctx context.Context, id string)
	checks    []FactsCheck // OnCheck
}

// OnSave registers fn to run after every profile save (the hotline keeps
// ventures' follow-up in step with it). It runs after the write, so a
// failure there never undoes the save; its owner must catch up by itself.
func (s *Service) OnSave(fn func(ctx context.Context, id string)) { s.saved = append(s.saved, fn) }

// Deps wires the service.
type Deps struct {
	Store  *store.Store
	Outbox *outbox.Outbox
	Audit  *audit.Log
	// Vault seals the ID number and phone of a profile.
	Vault *pii.Vault
	// Notify tells a person of a check of their facts or a recorded
	// recommendation.
	Notify *notify.Service
	Clock  core.Clock
	// Policies checks a person's profile (Eligibility).
	Policies *policy.Catalogue
	// Reference holds the districts and industries a profile names.
	Reference *reference.Lists
}

// WithClock returns the service on another clock: the demo loader uses it
// to lay down a past (a person who signed up the week their business was
// registered, years ago). The copy keeps the hooks registered so far.
func (s *Service) WithClock(c core.Clock) *Service {
	cp := *s
	cp.clock = c
	return &cp
}

// New returns the service and registers its index.
func New(d Deps) (*Service, error) {
	if err := core.CheckDeps("people", d); err != nil {
		return nil, err
	}
	svc := &Service{store: d.Store, outbox: d.Outbox, audit: d.Audit, vault: d.Vault, notify: d.Notify, clock: d.Clock, policies: d.Policies, reference: d.Reference,
		files: documents.New(d.Store, d.Vault, EvidenceCollection.Name)}
	d.Outbox.Register(outbox.SourceFor(d.Store, Collection.Name, Index, toDoc))
	registerDisputes(d.Store, d.Outbox)
	return svc, nil
}

func toDoc(p *Profile) *search.Doc {
	return &search.Doc{ID: p.ID, Fields: map[string]any{
		"name": p.RealName, "district": p.District, "stage": venture(p).Stage, "industry": venture(p).Industry,
		"id_masked": p.IDMasked, "phone_masked": p.PhoneMasked, "updated_at": p.UpdatedAt,
	}}
}

func venture(p *Profile) *policy.Venture {
	if p.Facts.Venture == nil {
		return &policy.Venture{}
	}
	return p.Facts.Venture
}

// canRead: the owner and the bureau's staff, case officers included.
// Everyone else gets NotFound, so a forbidden profile and a missing one
// look the same.
func canRead(actor accounts.Principal, id string) bool {
	return actor.ID == id || actor.Role.Bureau()
}

// Get reads a profile; an account without one gets an empty profile.
func (s *Service) Get(ctx context.Context, actor accounts.Principal, id string) (*Profile, error) {
	if actor.Guest() || !canRead(actor, id) || !core.ValidID(id) {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	var p Profile
	err := s.store.Get(ctx, Collection.Name, id, &p)
	if core.IsCode(err, core.NotFound) && actor.ID == id {
		return &Profile{ID: id}, nil
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// Each calls fn with every stored profile, for the sweeps that re-check
// everyone (entitlements): one pass over the collection.
func (s *Service) Each(ctx context.Context, fn func(*Profile) error) error {
	return store.Each(ctx, s.store, Collection.Name, fn)
}

// Input is a profile as the person fills it in. IDNumber and Phone are
// write-only: empty keeps what is stored.
type Input struct {
	RealName       string   `json:"real_name"`
	IDNumber       string   `json:"id_number,omitempty"`
	Phone          string   `json:"phone,omitempty"`
	District       string   `json:"district,omitempty"`
	Education      string   `json:"education,omitempty"`
	Skills         []string `json:"skills,omitempty"`
	Certificates   []string `json:"certificates,omitempty"`
	Needs          []string `json:"needs,omitempty"`
	ConsentVersion string   `json:"consent_version,omitempty"`
	// FactSources is refused whenever given: where a fact came from is
	// the bureau's to say (Verify, FromRoster), never the person's. It is
	// named so that sending back what the profile reads gets a clear
	// answer, not an unknown field.
	FactSources json.RawMessage `json:"fact_sources,omitempty"`
	policy.Facts
}

func cleanList(v *core.Validation, field string, in []string, max int) []string {
	var out []string
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !printable(s) || utf8.RuneCountInString(s) > 50 {
			v.Add(field, "error.text")
			continue
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	v.Check(len(out) <= max, field, "error.too_many_items")
	return out
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) || unicode.Is(unicode.Cf, r) {
			return false
		}
	}
	return true
}

// Save validates and stores the caller's own profile. The ID number's
// birth date and gender are derived and must agree with any given; the ID
// number and phone are unique across profiles (blind-index keys claimed
// before the write, so nothing is half-written when a key is taken).
func (s *Service) Save(ctx context.Context, actor accounts.Principal, in Input, channel string, m accounts.Meta) (*Profile, error) {
	if actor.Guest() {
		return nil, core.Errorf(core.Unauthenticated, "error.unauthenticated")
	}
	if actor.Role != accounts.Entrepreneur {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	old, err := s.Get(ctx, actor, actor.ID)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	asOf := core.DateOf(now)
	var v core.Validation
	p := *old
	p.RealName = strings.TrimSpace(in.RealName)
	v.Check(p.RealName != "" && utf8.RuneCountInString(p.RealName) <= 50 && printable(p.RealName), "real_name", "error.name")
	// A district or industry may be given by its label; a retired one the
	// profile already holds stays.
	s.reference.Current(reference.District).Keeping(old.District).Check(&v, "district", &in.District)
	v.Check(in.Education == "" || slices.Contains(Educations, in.Education), "education", "error.enum")
	p.District, p.Education = in.District, in.Education
	p.Skills = cleanList(&v, "skills", in.Skills, 20)
	p.Certs = cleanList(&v, "certificates", in.Certificates, 20)
	for _, n := range in.Needs {
		v.Check(slices.Contains(Needs, n), "needs", "error.enum")
	}
	p.Needs = in.Needs
	facts := in.Facts
	var newID, newPhone string
	if id := strings.ToUpper(strings.TrimSpace(in.IDNumber)); id != "" {
		info, problem := pii.ParseID(id, now)
		if problem != "" {
			v.Add("id_number", string(problem))
		} else {
			newID = id
			fromID(&v, &facts, info)
		}
	} else if old.IDSealed != "" {
		// The stored number still decides birth date and gender.
		stored, err := s.vault.Open("id_number", old.IDSealed)
		if err != nil {
			return nil, core.Wrap(err, "open id number")
		}
		info, _ := pii.ParseID(stored, now)
		fromID(&v, &facts, info)
	}
	if ph := strings.TrimSpace(in.Phone); ph != "" {
		newPhone = pii.NormalizePhone(ph)
		v.Check(newPhone != "", "phone", "error.phone")
	}
	facts.Validate(&v, asOf, s.reference.Current(policy.VentureIndustries...).Keeping(venture(old).Industry))
	if err := s.policies.CheckExtra(ctx, &v, &facts); err != nil {
		return nil, err
	}
	checked, err := s.AllCheckedFacts(ctx)
	if err != nil {
		return nil, err
	}
	protect(&v, old, &facts, checked)
	v.Check(len(in.FactSources) == 0, "fact_sources", "error.fact.sources")
	for _, check := range s.checks {
		check(ctx, actor.ID, &old.Facts, &facts, &v)
	}
	if !old.Consented() {
		v.Check(in.ConsentVersion == NoticeVersion, "consent_version", "error.consent")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	// A skill certificate earned on a course stays earned (the facts a
	// person must not set at all are kept by protect).
	if slices.ContainsFunc(old.Trainings, func(t Training) bool { return t.Certificate != "" }) {
		facts.HasSkillCertificate = old.Facts.HasSkillCertificate
	}
	p.Facts = facts
	// A value the person changed is their word again: its check lapses,
	// and staff see that it did.
	p.Sources = lapse(old.Sources, &facts, now)
	if in.ConsentVersion == NoticeVersion && !old.Consented() {
		p.Consents = append(slices.Clone(old.Consents), Consent{Version: NoticeVersion, At: now, Channel: channel})
	}

	// Claim the new unique keys first; release the old ones only after the
	// write succeeded. A number given again as stored keeps its ciphertext
	// and index: re-keying it is the data-key rotation's work (its index may
	// be a previous key's), and the keys it holds are not this save's to
	// undo. A number another profile holds is kept pending and disputed
	// (disputes.go): the answer is the same as for a free one.
	idKeys := s.vault.IndexKeys("idno:", "id_number", newID)
	phoneKeys := s.vault.IndexKeys("pphone:", "phone", newPhone)
	changesID := newID != "" && !slices.Contains(idKeys, "idno:"+old.IDIndex)
	changesPhone := newPhone != "" && !slices.Contains(phoneKeys, "pphone:"+old.PhoneIndex)
	if (changesID || changesPhone) && selfService(channel) {
		if err := s.countNumberChange(ctx, actor.ID, m.IP); err != nil {
			return nil, err
		}
	}
	var claimed, release []string
	undo := func() {
		for _, k := range claimed {
			_ = s.store.ReleaseKey(context.WithoutCancel(ctx), k, p.ID)
		}
	}
	holders := map[string]string{}
	claim := func(f numberField, keys []string, value, masked string) error {
		fresh, err := s.store.ClaimKeys(ctx, keys, p.ID, "error.stale") // never shown: a conflict is kept pending
		switch {
		case core.IsCode(err, core.Conflict):
			holder, _ := s.store.KeyOwnerAny(ctx, keys...)
			holders[f.name] = holder
			if !slices.Contains(p.Pending, f.name) {
				p.Pending = append(slices.Clone(p.Pending), f.name)
			}
		case err != nil:
			return err
		default:
			if fresh {
				claimed = append(claimed, keys[0])
			}
			p.Pending = slices.DeleteFunc(slices.Clone(p.Pending), func(x string) bool { return x == f.name })
		}
		if was := *f.index(old); was != "" {
			release = append(release, f.prefix+was)
		}
		*f.sealed(&p), *f.masked(&p), *f.index(&p) = s.vault.Seal(f.name, value), masked, s.vault.BlindIndex(f.name, value)
		return nil
	}
	if changesID {
		if err := claim(numberFields[FieldID], idKeys, newID, pii.MaskIDNumber(newID)); err != nil {
			return nil, err
		}
	}
	if changesPhone {
		if err := claim(numberFields[FieldPhone], phoneKeys, newPhone, pii.MaskPhone(newPhone)); err != nil {
			undo()
			return nil, err
		}
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = now
	}
	p.UpdatedAt = now
	if err := s.outbox.Begin(ctx, Index.Name, p.ID); err != nil {
		undo()
		return nil, err
	}
	// Insert, or set every field guarded on the version read, never upsert:
	// an upsert through the embedded store reads the whole collection, and
	// a plain replace would lose a training recorded meanwhile.
	var werr error
	if old.CreatedAt.IsZero() {
		_, werr = s.store.C(Collection.Name).InsertOne(ctx, &p)
	} else {
		werr = s.replaceIf(ctx, &p, old)
	}
	if werr != nil {
		undo()
		return nil, core.Wrap(werr, "save profile")
	}
	s.outbox.Apply(ctx, Index.Name, p.ID)
	for _, k := range release {
		_ = s.store.ReleaseKey(ctx, k, p.ID)
	}
	if changesID || changesPhone || len(old.Pending) > 0 {
		s.recordDisputes(context.WithoutCancel(ctx), &p, holders)
	}
	s.audit.Record(ctx, actor.Actor(m), "profile.save", audit.Success, p.ID, "")
	if changesID && !slices.Contains(p.Pending, FieldID) {
		// An ID number given now may be on a roster imported before: its
		// facts are checked at once. (A disputed number's are not, until
		// staff settle whose it is.) A failure leaves the save done; the
		// next save of the number, or the next import, catches up.
		if err := s.applyRosters(context.WithoutCancel(ctx), p.ID, newID); err != nil {
			slog.Warn("rosters", "person", p.ID, "err", err)
		}
	}
	for _, fn := range s.saved {
		fn(context.WithoutCancel(ctx), p.ID)
	}
	return &p, nil
}

// selfService reports whether a save comes from the person over HTTP (the
// web form or the API), where number changes are limited; demo and seed
// loads run inside the portal.
func selfService(channel string) bool { return channel == "web" || channel == "api" }

// replaceIf writes a whole profile if it is still the version read: every
// field set, and those the new one leaves out (omitempty) unset.
func (s *Service) replaceIf(ctx context.Context, p, old *Profile) error {
	fields := func(v *Profile) (bson.D, error) {
		raw, err := bson.Marshal(v)
		if err != nil {
			return nil, err
		}
		var doc bson.D
		err = bson.Unmarshal(raw, &doc)
		return slices.DeleteFunc(doc, func(e bson.E) bool { return e.Key == "_id" }), err
	}
	doc, err := fields(p)
	if err != nil {
		return err
	}
	was, err := fields(old)
	if err != nil {
		return err
	}
	update := bson.D{{Key: "$set", Value: doc}}
	var unset bson.D
	for _, e := range was {
		if !slices.ContainsFunc(doc, func(n bson.E) bool { return n.Key == e.Key }) {
			unset = append(unset, bson.E{Key: e.Key, Value: ""})
		}
	}
	if len(unset) > 0 {
		update = append(update, bson.E{Key: "$unset", Value: unset})
	}
	err = s.store.UpdateIf(ctx, Collection.Name, p.ID, []store.Cond{store.Eq("updated_at", old.UpdatedAt)}, update)
	if core.IsCode(err, core.Conflict) {
		return core.Errorf(core.Conflict, "error.stale")
	}
	return err
}

// fromID sets birth date and gender from what the ID number says, after
// checking any the person gave agree with it.
func fromID(v *core.Validation, f *policy.Facts, info pii.IDInfo) {
	birth, gender := core.NewDate(info.Birth.Year(), info.Birth.Month(), info.Birth.Day()), "male"
	if info.Female {
		gender = "female"
	}
	if f.BirthDate != nil && !f.BirthDate.Equal(birth) {
		v.Add("birth_date", "error.id.mismatch")
	}
	if f.Gender != "" && f.Gender != gender {
		v.Add("gender", "error.id.mismatch")
	}
	f.BirthDate, f.Gender = &birth, gender
}

// Revealed is a profile's sensitive values in clear.
type Revealed struct {
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone"`
}

// Reveal opens a profile's ID number and phone for the bureau's staff
// (hotline, case officers, administrators); every reveal, and every
// refused attempt, is audited.
func (s *Service) Reveal(ctx context.Context, actor accounts.Principal, id string, m accounts.Meta) (*Revealed, error) {
	if !actor.Role.Bureau() {
		s.audit.Record(ctx, actor.Actor(m), "pii.reveal", audit.Denied, id, "")
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	p, err := s.Get(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	var r Revealed
	if r.IDNumber, err = s.vault.Open("id_number", p.IDSealed); err != nil {
		return nil, core.Wrap(err, "open id number")
	}
	if r.Phone, err = s.vault.Open("phone", p.PhoneSealed); err != nil {
		return nil, core.Wrap(err, "open phone")
	}
	s.audit.Record(ctx, actor.Actor(m), "pii.reveal", audit.Success, id, "id_number,phone")
	return &r, nil
}

// Own returns the caller's own sensitive values, for their data export.
func (s *Service) Own(ctx context.Context, actor accounts.Principal) (*Profile, *Revealed, error) {
	p, err := s.Get(ctx, actor, actor.ID)
	if err != nil {
		return nil, nil, err
	}
	var r Revealed
	if r.IDNumber, err = s.vault.Open("id_number", p.IDSealed); err != nil {
		return nil, nil, core.Wrap(err, "open id number")
	}
	if r.Phone, err = s.vault.Open("phone", p.PhoneSealed); err != nil {
		return nil, nil, core.Wrap(err, "open phone")
	}
	return p, &r, nil
}

// RecordTraining adds a completed course to a profile; a course that
// awards a skill certificate sets has_skill_certificate, which the
// eligibility engine reads. It is the training area's act (the provider
// closed the course), so it takes no principal.
func (s *Service) RecordTraining(ctx context.Context, personID string, t Training, skillCertificate bool) error {
	var p Profile
	if err := s.store.Get(ctx, Collection.Name, personID, &p); err != nil {
		return err
	}
	if slices.ContainsFunc(p.Trainings, func(x Training) bool { return x.CourseID == t.CourseID }) {
		return nil // recorded before: a retried completion
	}
	set := bson.D{{Key: "updated_at", Value: s.clock.Now()}}
	if skillCertificate {
		set = append(set, bson.E{Key: "facts.has_skill_certificate", Value: true})
	}
	if err := s.outbox.Begin(ctx, Index.Name, personID); err != nil {
		return err
	}
	err := s.store.UpdateIf(ctx, Collection.Name, personID, []store.Cond{store.Eq("updated_at", p.UpdatedAt)},
		bson.D{{Key: "$set", Value: set}, {Key: "$push", Value: bson.D{{Key: "trainings", Value: t}}}})
	s.outbox.Apply(ctx, Index.Name, personID)
	return err
}

// FindBySensitive finds a profile by an ID number or phone typed by staff,
// through the blind index; nothing in clear is searched or stored.
func (s *Service) FindBySensitive(ctx context.Context, actor accounts.Principal, value string) (string, bool) {
	if !actor.Role.Bureau() {
		return "", false
	}
	value = strings.ToUpper(strings.TrimSpace(value))
	var keys []string
	if _, problem := pii.ParseID(value, s.clock.Now()); problem == "" {
		keys = s.vault.IndexKeys("idno:", "id_number", value)
	} else if ph := pii.NormalizePhone(value); ph != "" {
		keys = s.vault.IndexKeys("pphone:", "phone", ph)
	} else {
		return "", false
	}
	id, err := s.store.KeyOwnerAny(ctx, keys...)
	return id, err == nil
}

// Erase deletes the caller's profile and frees its unique keys (account
// deletion). It is the owner's own act; the portal has re-checked the
// password.
func (s *Service) Erase(ctx context.Context, actor accounts.Principal) error {
	p, err := s.Get(ctx, actor, actor.ID)
	if err != nil {
		return err
	}
	// The documents' bytes before the record that lists them: a failed
	// erasure run again finds them still listed.
	if err := s.eraseEvidence(ctx, p); err != nil {
		return err
	}
	if err := s.outbox.Begin(ctx, Index.Name, p.ID); err != nil {
		return err
	}
	if _, err := s.store.C(Collection.Name).DeleteOne(ctx, bson.D{{Key: "_id", Value: p.ID}}); err != nil {
		return core.Wrap(err, "erase profile")
	}
	s.outbox.Apply(ctx, Index.Name, p.ID)
	for _, k := range s.heldKeys(p) {
		_ = s.store.ReleaseKey(ctx, k, p.ID)
	}
	// A number the person claimed is no longer anyone's to settle.
	p.Pending, p.IDIndex, p.PhoneIndex = nil, "", ""
	s.recordDisputes(context.WithoutCancel(ctx), p, nil)
	return nil
}

// heldKeys are the keys a profile may hold: its stored indexes' and its
// values' under every data key (a rotation under way may have claimed the
// current key's for it already).
func (s *Service) heldKeys(p *Profile) []string {
	var keys []string
	for _, f := range []struct{ sealed, index, field, prefix string }{
		{p.IDSealed, p.IDIndex, "id_number", "idno:"}, {p.PhoneSealed, p.PhoneIndex, "phone", "pphone:"},
	} {
		if f.index != "" {
			keys = append(keys, f.prefix+f.index)
		}
		if v, err := s.vault.Open(f.field, f.sealed); err == nil && v != "" {
			keys = append(keys, s.vault.IndexKeys(f.prefix, f.field, v)...)
		}
	}
	return keys
}

// ListQuery filters the staff list of people.
type ListQuery struct {
	Text     string
	District string
	Page     core.Page
}

// Row is one line of the staff list.
type Row struct {
	ID, Name, District, Stage, IDMasked, PhoneMasked string
	UpdatedAt                                        time.Time
}

// List pages through people for the bureau's staff. A query that is an ID number or a
// phone number is looked up through the blind index instead.
func (s *Service) List(ctx context.Context, actor accounts.Principal, q ListQuery) ([]Row, int, core.Page, error) {
	p := q.Page.Normalize()
	if !actor.Role.Bureau() {
		return nil, 0, p, core.Errorf(core.Forbidden, "error.forbidden")
	}
	if id, ok := s.FindBySensitive(ctx, actor, q.Text); ok {
		var pr Profile
		if err := s.store.Get(ctx, Collection.Name, id, &pr); err != nil {
			return nil, 0, p, err
		}
		d := toDoc(&pr)
		return []Row{rowOf(search.Hit{ID: d.ID, Fields: d.Fields})}, 1, p, nil
	}
	sq := search.Query{Text: q.Text, Offset: p.Offset(), Limit: p.Size}
	if district, ok := s.reference.Known(reference.District).Resolve(q.District); ok {
		sq.Filters = append(sq.Filters, search.Filter{Field: "district", Values: []string{district}})
	}
	r, err := s.outbox.Engine().Search(ctx, Index.Name, sq)
	if err != nil {
		return nil, 0, p, &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
	}
	rows := make([]Row, 0, len(r.Hits))
	for _, h := range r.Hits {
		rows = append(rows, rowOf(h))
	}
	return rows, r.Total, p, nil
}

func rowOf(h search.Hit) Row {
	t := h.Time("updated_at")
	if v, ok := h.Fields["updated_at"].(time.Time); ok {
		t = v
	}
	return Row{ID: h.ID, Name: h.String("name"), District: h.String("district"), Stage: h.String("stage"),
		IDMasked: h.String("id_masked"), PhoneMasked: h.String("phone_masked"), UpdatedAt: t}
}
