package grants

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/orgs"
	"onestop/services/pii"
	"onestop/services/policy"
	"onestop/services/store"
)

// Input is the application form.
type Input struct {
	PolicyID string `json:"policy_id"`
	Note     string `json:"note,omitempty"`
	// Hardship asks for the 《再就業優惠證》 too (a registration whose
	// policy grants it).
	Hardship bool `json:"hardship,omitempty"`
	// Lines are the people a reward claim lists.
	Lines []LineInput `json:"lines,omitempty"`
}

// LineInput is one person of a reward claim, with their labour contract.
type LineInput struct {
	Name            string    `json:"name"`
	IDNumber        string    `json:"id_number"`
	ContractStart   core.Date `json:"contract_start"`
	ContractYears   int       `json:"contract_years"`
	SocialInsurance bool      `json:"social_insurance"`
}

// MaxLines bounds the people one claim lists.
const MaxLines = 200

// subject is who applies: a person, or the organisation an account
// claims for.
type subject struct {
	applicant, id, name string
	org                 *orgs.Org
}

// Policies are the supports the actor may apply for here: a person's, or
// an organisation user's, active and applied for through this package.
func (s *Service) Policies(ctx context.Context, actor accounts.Principal) ([]*policy.Policy, error) {
	all, err := s.policies.All(ctx)
	if err != nil {
		return nil, err
	}
	var out []*policy.Policy
	for _, p := range all {
		if p.Applicable() && p.ForOrganisations() == (actor.Role == accounts.Organisation) {
			out = append(out, p)
		}
	}
	return out, nil
}

// policy reads a policy applied for here; anything else is the unknown
// policy the form names.
func (s *Service) policy(ctx context.Context, id string) (*policy.Policy, error) {
	p, err := s.policies.Get(ctx, id)
	if core.IsCode(err, core.NotFound) || (err == nil && !p.Applicable()) {
		return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"policy_id": "error.grant.policy"}}
	}
	return p, err
}

// subjectOf finds who applies for pol: the entrepreneur themself, or the
// verified organisation of an organisation's user, of a kind the policy
// names.
func (s *Service) subjectOf(ctx context.Context, actor accounts.Principal, pol *policy.Policy) (*subject, error) {
	if !pol.ForOrganisations() {
		if actor.Role != accounts.Entrepreneur {
			return nil, core.Errorf(core.Forbidden, "error.grant.persons_only")
		}
		p, err := s.people.Get(ctx, actor, actor.ID)
		if err != nil {
			return nil, err
		}
		return &subject{applicant: policy.ByPerson, id: actor.ID, name: p.RealName}, nil
	}
	if actor.Role != accounts.Organisation {
		return nil, core.Errorf(core.Forbidden, "error.grant.organisations_only")
	}
	o, _, err := s.orgs.Of(ctx, actor.ID)
	if err != nil {
		return nil, err
	}
	if !o.Verified() {
		return nil, core.Errorf(core.Conflict, "error.grant.org_unverified")
	}
	if k := pol.Apply.Organisations; len(k) > 0 && !slices.Contains(k, string(o.Kind)) {
		return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"policy_id": "error.grant.org_kind"}}
	}
	return &subject{applicant: policy.ByOrganisation, id: o.ID, name: o.Name, org: o}, nil
}

// holdKey is held by a person's application from submission: until a
// refusal or withdrawal frees it, and for good once granted (the support
// is once-only). An organisation holds its key while a claim is open; the
// once-only keys of a claim are its lines'.
func holdKey(policyID, subjectID string) string { return "apply:" + policyID + ":" + subjectID }

// lineKey makes a person count once towards a policy's reward, whoever
// claims for them.
func lineKey(policyID, index string) string { return "reward:" + policyID + ":" + index }

// Apply files an application under pol for the actor (or their
// organisation) with its evidence. A person must be eligible today —
// checked facts may still wait for the bureau's check; a reward claim's
// lines are judged against the policy's terms, and at least one (or the
// policy's least number) must meet them. Nothing is written when anything
// is refused.
func (s *Service) Apply(ctx context.Context, actor accounts.Principal, in Input, files []Upload, m accounts.Meta) (*Application, error) {
	pol, err := s.policy(ctx, in.PolicyID)
	if err != nil {
		return nil, err
	}
	sub, err := s.subjectOf(ctx, actor, pol)
	if err != nil {
		return nil, err
	}
	// Once granted, always said so, whatever the answer today.
	if _, err := s.store.KeyOwner(ctx, holdKey(pol.ID, sub.id)); err == nil {
		return nil, core.Errorf(core.Conflict, "error.grant.twice")
	} else if !core.IsCode(err, core.NotFound) {
		return nil, err
	}
	now := s.clock.Now()
	today := core.DateOf(now)
	var v core.Validation
	a := &Application{ID: core.NewID(), PolicyID: pol.ID, PolicyVersion: pol.Version, Kind: pol.Apply.Kind, Applicant: sub.applicant,
		SubjectID: sub.id, SubjectName: sub.name, ByID: actor.ID, Status: Submitted, Documents: []Document{}, CreatedAt: now}
	a.Note = v.Text("note", in.Note, 0, 1000)
	v.Check(!in.Hardship || pol.Apply.Hardship, "hardship", "error.grant.no_hardship")
	a.Hardship = in.Hardship
	if sub.applicant == policy.ByPerson {
		res, err := s.result(ctx, sub.id, pol.ID)
		if core.IsCode(err, core.NotFound) { // an account without a profile yet
			return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"policy_id": "error.grant.profile_first"}}
		}
		if err != nil {
			return nil, err
		}
		v.Check(res != nil && res.Status == policy.Eligible, "policy_id", "error.grant.not_eligible")
		v.Check(len(in.Lines) == 0, "lines", "error.grant.no_lines")
	}
	s.lines(ctx, &v, pol, a, in.Lines, today)
	v.Check(len(files) <= MaxDocuments, "documents", "error.file.count")
	for i, f := range files {
		checkUpload(&v, fmt.Sprintf("documents.%d", i), f, pol.Apply.Documents)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	a.DueDays = pol.Apply.DecideDays()
	a.DueAt = s.calendar.DueOn(now, a.DueDays)
	a.History = []Step{{At: now, ActorName: actor.Name, Side: "applicant", Action: "apply", Note: a.Note}}

	// The keys first: the subject's, then each meeting line's. A line whose
	// person another claim holds is kept, marked claimed.
	key := holdKey(pol.ID, sub.id)
	if err := s.store.ClaimKey(ctx, key, a.ID, "error.grant.twice"); err != nil {
		return nil, err
	}
	release := func() { s.release(context.WithoutCancel(ctx), a, true) }
	for i := range a.Lines {
		l := &a.Lines[i]
		if !l.Meets() {
			continue
		}
		// During a key rotation the person's line may sit under an older
		// key's index: any of them held means they were claimed.
		if owner, err := s.store.KeyOwnerAny(ctx, l.indexes...); err == nil && owner != a.ID {
			l.Short = "claimed"
			continue
		} else if err != nil && !core.IsCode(err, core.NotFound) {
			release()
			return nil, err
		}
		if err := s.store.ClaimKey(ctx, lineKey(pol.ID, l.Index), a.ID, "error.grant.claimed"); err != nil {
			if !core.IsCode(err, core.Conflict) {
				release()
				return nil, err
			}
			l.Short = "claimed"
		}
	}
	if err := s.enough(pol, a); err != nil {
		release()
		return nil, err
	}
	docs, err := s.keep(ctx, a.ID, files)
	if err != nil {
		release()
		return nil, err
	}
	a.Documents = docs
	if err := s.outbox.Begin(ctx, Index.Name, a.ID); err != nil {
		s.drop(ctx, docs)
		release()
		return nil, err
	}
	if _, err := s.store.C(collection).InsertOne(ctx, a); err != nil {
		s.drop(ctx, docs)
		release()
		return nil, core.Wrap(err, "insert application")
	}
	s.outbox.Apply(ctx, Index.Name, a.ID)
	s.audit.Record(ctx, actor.Actor(m), "grant.apply", audit.Success, a.ID, pol.ID)
	s.count(ctx, a)
	return a, nil
}

// enough refuses a reward claim none of whose lines meets the terms, or
// fewer than the policy's least number.
func (s *Service) enough(pol *policy.Policy, a *Application) error {
	if pol.Apply.Kind != policy.ApplyReward {
		return nil
	}
	t := pol.Apply.Lines
	n := a.Meeting()
	if n == 0 {
		return &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"lines": "error.grant.none_meet"}}
	}
	if t.MinLines > 0 && n < t.MinLines {
		return &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"lines": core.Msg("error.grant.min_lines", t.MinLines, n)}}
	}
	return nil
}

// lines checks a reward claim's lines and judges each against the
// policy's terms. An ID number is sealed, masked and indexed at once:
// never kept or logged in clear.
func (s *Service) lines(ctx context.Context, v *core.Validation, pol *policy.Policy, a *Application, in []LineInput, today core.Date) {
	if pol.Apply.Kind != policy.ApplyReward {
		return
	}
	if len(in) == 0 {
		v.Add("lines", "error.grant.lines")
		return
	}
	if len(in) > MaxLines {
		v.Add("lines", core.Msg("error.grant.too_many_lines", MaxLines))
		return
	}
	t := pol.Apply.Lines
	seen := map[string]int{}
	for i, l := range in {
		f := func(name string) string { return fmt.Sprintf("lines.%d.%s", i, name) }
		name := v.Line(f("name"), l.Name, 1, 50)
		number := strings.ToUpper(strings.TrimSpace(l.IDNumber))
		if _, problem := pii.ParseID(number, s.clock.Now()); problem != "" {
			v.Add(f("id_number"), string(problem))
		} else if j, dup := seen[number]; dup {
			v.Add(f("id_number"), core.Msg("error.grant.line_twice", j+1))
		} else {
			seen[number] = i
		}
		switch {
		case l.ContractStart.IsZero():
			v.Add(f("contract_start"), "error.date")
		case l.ContractStart.After(today):
			v.Add(f("contract_start"), "error.date.future")
		}
		v.Check(l.ContractYears >= 1 && l.ContractYears <= 30, f("contract_years"), "error.number.range")
		if v.Err() != nil {
			continue
		}
		line := Line{Name: name, IDSealed: s.vault.Seal("id_number", number), IDMasked: pii.MaskIDNumber(number),
			Index: s.vault.BlindIndex("id_number", number), ContractStart: l.ContractStart, ContractYears: l.ContractYears, SocialInsurance: l.SocialInsurance}
		for _, ix := range s.vault.BlindIndexes("id_number", number) {
			line.indexes = append(line.indexes, lineKey(pol.ID, ix))
		}
		switch {
		case l.ContractYears < t.ContractYears:
			line.Short = "contract"
		case l.ContractStart.AddYears(t.ServedYears).After(today):
			line.Short = "served"
		case t.SocialInsurance && !l.SocialInsurance:
			line.Short = "insurance"
		case t.OnRoster && !s.onRoster(ctx, number):
			line.Short = "roster"
		}
		a.Lines = append(a.Lines, line)
	}
}

// onRoster: the person is on the land-expropriated farmers' roster, by the
// imported roster or a registered person's checked fact. A failed read
// counts as not found: the line is marked, and the bureau sees why.
func (s *Service) onRoster(ctx context.Context, number string) bool {
	ok, err := s.people.OnRoster(ctx, number)
	return err == nil && ok
}

// release frees an application's keys: the subject's, and (all true) its
// lines' too.
func (s *Service) release(ctx context.Context, a *Application, all bool) {
	_ = s.store.ReleaseKey(ctx, holdKey(a.PolicyID, a.SubjectID), a.ID)
	if !all {
		return
	}
	for _, l := range a.Lines {
		if l.Meets() {
			_ = s.store.ReleaseKey(ctx, lineKey(a.PolicyID, l.Index), a.ID)
		}
	}
}

// update changes an application guarded on the version read, keeping the
// index in step.
func (s *Service) update(ctx context.Context, a *Application, update bson.D) error {
	update = append(update, bson.E{Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}})
	if err := s.outbox.Begin(ctx, Index.Name, a.ID); err != nil {
		return err
	}
	err := s.store.UpdateIf(ctx, collection, a.ID, []store.Cond{store.Eq("version", a.Version)}, update)
	s.outbox.Apply(ctx, Index.Name, a.ID)
	if core.IsCode(err, core.Conflict) {
		return core.Errorf(core.Conflict, "error.stale")
	}
	return err
}
