package people

import (
	"context"
	"errors"
	"slices"
	"strings"
	"unicode"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/notify"
	"onestop/services/policy"
	"onestop/services/store"
)

// VerifyInput is a staff check of one fact (核驗): the value found, which
// confirms the person's or corrects it, what was checked, and optionally
// a document filed on the record first (AddEvidence).
type VerifyInput struct {
	Fact       string
	Value      string // as ParseFactValue reads it
	Note       string
	DocumentID string
}

// caseWork reads the profile a case officer or an administrator works on:
// never their own (a person does not check their own facts, whatever their
// role became), and only one that was saved. A refusal is audited.
func (s *Service) caseWork(ctx context.Context, actor accounts.Principal, personID, action string, m accounts.Meta) (*Profile, error) {
	switch {
	case actor.Guest():
		return nil, core.Errorf(core.Unauthenticated, "error.unauthenticated")
	case actor.ID == personID:
		s.audit.Record(ctx, actor.Actor(m), action, audit.Denied, personID, "own")
		return nil, core.Errorf(core.Forbidden, "error.verify.own")
	case !actor.Role.Verifier():
		s.audit.Record(ctx, actor.Actor(m), action, audit.Denied, personID, "")
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	p, err := s.Get(ctx, actor, personID)
	if err != nil {
		return nil, err
	}
	if p.CreatedAt.IsZero() {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	return p, nil
}

// Verify records a case officer's or an administrator's check of one of a
// person's checked facts, on evidence: the fact takes the value found (a
// correction is a change of the fact), its source says who checked it,
// when and how, the act is audited and the person told.
func (s *Service) Verify(ctx context.Context, actor accounts.Principal, personID string, in VerifyInput, m accounts.Meta) (*FactSource, error) {
	p, err := s.caseWork(ctx, actor, personID, "profile.fact.verify", m)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var v core.Validation
	checked, err := s.AllCheckedFacts(ctx)
	if err != nil {
		return nil, err
	}
	c, known := find(checked, in.Fact)
	v.Check(known, "fact", "error.enum")
	value := ""
	if known {
		var ok bool
		value, ok = ParseFactValue(c, in.Value)
		v.Check(ok, "value", "error.fact.value."+c.Kind)
	}
	note := noteText(&v, "note", in.Note)
	var doc *Evidence
	if in.DocumentID != "" {
		i := slices.IndexFunc(p.Evidence, func(e Evidence) bool { return e.ID == in.DocumentID })
		if i < 0 {
			v.Add("document_id", "error.not_found")
		} else {
			d := p.Evidence[i]
			doc = &d
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	facts := p.Facts
	setFact(&facts, c.Key, value)
	if err := s.checkValue(&facts, p, c.Key); err != nil {
		return nil, err
	}
	src := FactSource{Fact: c.Key, Check: Check{Source: SourceVerified, Value: value, At: now, ByID: actor.ID, ByName: actor.Name, Note: note, Document: doc}}
	if err := s.establish(ctx, p, facts, src); err != nil {
		return nil, err
	}
	detail := c.Key + "=" + value
	if FactValue(&p.Facts, c.Key) != value {
		detail += " corrected"
	}
	s.audit.Record(ctx, actor.Actor(m), "profile.fact.verify", audit.Success, personID, detail)
	s.notify.Send(ctx, personID, "notify.fact.verified", notify.Label("checked."+c.Key), "/profile#checked")
	return &src, nil
}

// checkValue validates the facts a check leaves, reporting a problem of
// the checked fact's own field as the value's (a farmland figure out of
// range, a graduation before birth); problems of other fields are not the
// check's to settle.
func (s *Service) checkValue(facts *policy.Facts, p *Profile, key string) error {
	var fv core.Validation
	facts.Validate(&fv, core.DateOf(s.clock.Now()), s.reference.Current(policy.VentureIndustries...).Keeping(venture(p).Industry))
	field := key
	if strings.HasPrefix(key, groupPrefix) {
		field = "target_groups"
	}
	var e *core.Error
	if err := fv.Err(); errors.As(err, &e) && e.Fields[field] != "" {
		return &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"value": e.Fields[field]}}
	}
	return nil
}

// establish writes facts with src as the source of its fact, lapsing any
// other established value the facts no longer hold, on the profile as
// read (a save meanwhile is a conflict), and lets the hooks catch up.
func (s *Service) establish(ctx context.Context, p *Profile, facts policy.Facts, src FactSource) error {
	sources := lapse(withSource(p.Sources, src), &facts, src.At)
	err := s.updateProfile(ctx, p, bson.D{{Key: "$set", Value: bson.D{{Key: "facts", Value: facts}, {Key: "fact_sources", Value: sources},
		{Key: "updated_at", Value: src.At}}}})
	if err != nil {
		return err
	}
	p.Facts, p.Sources, p.UpdatedAt = facts, sources, src.At
	for _, fn := range s.saved {
		fn(context.WithoutCancel(ctx), p.ID)
	}
	return nil
}

// updateProfile applies update to the profile if it is still the version
// read, keeping the people index in step.
func (s *Service) updateProfile(ctx context.Context, p *Profile, update bson.D) error {
	if err := s.outbox.Begin(ctx, Index.Name, p.ID); err != nil {
		return err
	}
	err := s.store.UpdateIf(ctx, Collection.Name, p.ID, []store.Cond{store.Eq("updated_at", p.UpdatedAt)}, update)
	s.outbox.Apply(ctx, Index.Name, p.ID)
	if core.IsCode(err, core.Conflict) {
		return core.Errorf(core.Conflict, "error.stale")
	}
	return err
}

// RosterEntry is one fact a person's line on an imported roster (花名冊)
// establishes: the village committee's roster of land-expropriated
// farmers, the land bureau's list of those under 0.1 mu per head.
type RosterEntry struct {
	// Roster names the roster as staff and the person read it
	// ("北山村被徵地農民花名冊（2026）").
	Roster string
	Fact   string // a checked fact
	Value  string // as ParseFactValue reads it
}

// FromRoster establishes a checked fact of a person from a roster line the
// import matched to them (through the ID number's blind index; nothing in
// clear). It takes no principal: it is the import's act, like
// RecordTraining. Run again it changes nothing: a value already
// established stays as it is, so an import is idempotent and the person
// is told once. It reports whether the profile changed.
func (s *Service) FromRoster(ctx context.Context, personID string, e RosterEntry) (bool, error) {
	var v core.Validation
	checked, err := s.AllCheckedFacts(ctx)
	if err != nil {
		return false, err
	}
	c, known := find(checked, e.Fact)
	v.Check(known, "fact", "error.enum")
	value := ""
	if known {
		var ok bool
		value, ok = ParseFactValue(c, e.Value)
		v.Check(ok, "value", "error.fact.value."+c.Kind)
	}
	v.Line("roster", e.Roster, 1, 100)
	if err := v.Err(); err != nil {
		return false, err
	}
	var p Profile
	if err := s.store.Get(ctx, Collection.Name, personID, &p); err != nil {
		return false, err
	}
	if src := p.SourceOf(c.Key); src.Established() && src.Value == value && FactValue(&p.Facts, c.Key) == value {
		return false, nil
	}
	facts := p.Facts
	setFact(&facts, c.Key, value)
	if err := s.checkValue(&facts, &p, c.Key); err != nil {
		return false, err
	}
	src := FactSource{Fact: c.Key, Check: Check{Source: SourceRoster, Value: value, At: s.clock.Now(), Roster: strings.TrimSpace(e.Roster)}}
	if err := s.establish(ctx, &p, facts, src); err != nil {
		return false, err
	}
	s.audit.Record(ctx, audit.Actor{Role: "import", Name: src.Roster}, "profile.fact.roster", audit.Success, personID, c.Key+"="+value)
	s.notify.Send(ctx, personID, "notify.fact.roster", notify.Label("checked."+c.Key), "/profile#checked")
	return true, nil
}

// noteText checks a note staff write on a person's record: 2 to 500
// characters, and no ID or phone number in it — those are sealed where
// they belong, and a note is shown to every reader of the record.
func noteText(v *core.Validation, field, s string) string {
	s = v.Text(field, s, 2, 500)
	if !v.Has(field) && holdsNumber(s) {
		v.Add(field, "error.note.number")
	}
	return s
}

// holdsNumber reports whether text holds a run of 11 or more digits
// (spaces and dashes inside the run allowed, an ID number's final X too):
// the length of a phone or an ID number.
func holdsNumber(s string) bool {
	n := 0
	for _, r := range s {
		switch {
		case unicode.IsDigit(r) || (n >= 17 && (r == 'X' || r == 'x')):
			n++
			if n >= 11 {
				return true
			}
		case (r == ' ' || r == '-') && n > 0:
		default:
			n = 0
		}
	}
	return false
}
