package grants

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/notify"
	"onestop/services/people"
	"onestop/services/policy"
)

// applies reports whether actor is the application's own side: the person,
// or a user of the organisation that claims.
func (s *Service) applies(ctx context.Context, actor accounts.Principal, a *Application) bool {
	if actor.Guest() {
		return false
	}
	if a.Applicant != policy.ByOrganisation {
		return actor.ID == a.SubjectID
	}
	if actor.Role != accounts.Organisation {
		return false
	}
	o, _, err := s.orgs.Of(ctx, actor.ID)
	return err == nil && o.ID == a.SubjectID
}

// Get reads an application: its applicant's side and the bureau. Anyone
// else: not found.
func (s *Service) Get(ctx context.Context, actor accounts.Principal, id string) (*Application, error) {
	notFound := core.Errorf(core.NotFound, "error.not_found")
	if actor.Guest() || !core.ValidID(id) {
		return nil, notFound
	}
	var a Application
	if err := s.store.Get(ctx, collection, id, &a); err != nil {
		return nil, err
	}
	if !actor.Role.Bureau() && !s.applies(ctx, actor, &a) {
		return nil, notFound
	}
	return &a, nil
}

// editable: the applicant changes the evidence until the bureau decides.
func (s *Service) editable(ctx context.Context, actor accounts.Principal, id string) (*Application, *policy.Policy, error) {
	a, err := s.Get(ctx, actor, id)
	if err != nil {
		return nil, nil, err
	}
	if !s.applies(ctx, actor, a) {
		return nil, nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	if a.Status != Submitted && a.Status != Returned {
		return nil, nil, core.Errorf(core.Conflict, "error.grant.state")
	}
	pol, err := s.policies.Get(ctx, a.PolicyID)
	if err != nil {
		return nil, nil, err
	}
	if pol.Apply == nil {
		return nil, nil, core.Errorf(core.Conflict, "error.grant.state")
	}
	return a, pol, nil
}

// StepInput is an action on an application.
type StepInput struct {
	Action string `json:"action"`
	Note   string `json:"note,omitempty"`
	// Hardship grants the 《再就業優惠證》 with the registration, as asked.
	Hardship bool `json:"hardship,omitempty"`
}

// steps: who may, from which statuses, to which.
var steps = map[string]struct {
	side string
	from []string
	to   string
}{
	"grant":    {"bureau", []string{Submitted}, Granted},
	"refuse":   {"bureau", []string{Submitted, Returned}, Refused},
	"return":   {"bureau", []string{Submitted}, Returned},
	"resubmit": {"applicant", []string{Returned}, Submitted},
	"withdraw": {"applicant", []string{Submitted, Returned}, Withdrawn},
}

// Actions are the steps in the order a page offers them.
var Actions = []string{"grant", "return", "refuse", "resubmit", "withdraw"}

// Decides reports whether actor may decide applications under pol: a case
// officer, unless the policy names administrators, and an administrator.
func Decides(actor accounts.Principal, pol *policy.Policy) bool {
	switch actor.Role {
	case accounts.Admin:
		return true
	case accounts.CaseOfficer:
		return pol.Apply == nil || pol.Apply.Decider != "admin"
	}
	return false
}

// Act moves an application on. The bureau grants it (on checked facts and
// the evidence the policy names; a registration may add the hardship
// card), returns it to the applicant or refuses it, both with a reason;
// the applicant resubmits or withdraws it.
func (s *Service) Act(ctx context.Context, actor accounts.Principal, id string, in StepInput, m accounts.Meta) (*Application, error) {
	a, err := s.Get(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	st, ok := steps[in.Action]
	if !ok {
		return nil, &core.Error{Code: core.Invalid, Message: "error.action", Fields: map[string]string{"action": "error.enum"}}
	}
	pol, err := s.policies.Get(ctx, a.PolicyID)
	if err != nil {
		return nil, err
	}
	switch st.side {
	case "applicant":
		if !s.applies(ctx, actor, a) {
			return nil, core.Errorf(core.Forbidden, "error.forbidden")
		}
	case "bureau":
		if !Decides(actor, pol) {
			return nil, core.Errorf(core.Forbidden, "error.forbidden")
		}
	}
	if !slices.Contains(st.from, a.Status) {
		return nil, core.Errorf(core.Conflict, "error.grant.state")
	}
	if in.Action == "grant" && (pol.Apply == nil || pol.Apply.Kind != a.Kind) {
		// An administrator changed how the support is applied for since:
		// what to check and grant is no longer known. It can still be sent
		// back, refused or withdrawn.
		return nil, core.Errorf(core.Conflict, "error.grant.policy_changed")
	}
	var v core.Validation
	now := s.clock.Now()
	note := v.Text("note", in.Note, 0, 2000)
	set := bson.D{{Key: "status", Value: st.to}}
	var g *Grant
	switch in.Action {
	case "return":
		v.Check(note != "", "note", "error.reason.required")
	case "refuse":
		v.Check(len([]rune(note)) >= 5, "note", "error.reason.short")
	case "grant":
		v.Check(!in.Hardship || a.Hardship, "hardship", "error.grant.no_hardship")
		v.Check(!in.Hardship || note != "", "note", "error.grant.hardship_note")
		if err := s.grantable(ctx, &v, pol, a); err != nil {
			return nil, err
		}
		if v.Err() == nil {
			if g, err = s.makeGrant(ctx, pol, a, actor.Name, in.Hardship, false); err != nil {
				return nil, err
			}
			set = append(set, bson.E{Key: "grant", Value: g})
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	switch st.to {
	case Submitted:
		days := pol.Apply.DecideDays()
		set = append(set, bson.E{Key: "due_at", Value: s.calendar.DueOn(now, days)}, bson.E{Key: "due_days", Value: days})
	case Returned:
		set = append(set, bson.E{Key: "due_at", Value: s.calendar.DueOn(now, ReturnedDays)}, bson.E{Key: "due_days", Value: ReturnedDays})
	default:
		set = append(set, bson.E{Key: "due_at", Value: time.Time{}}, bson.E{Key: "due_days", Value: 0}, bson.E{Key: "decided_at", Value: now})
	}
	step := Step{At: now, ActorName: actor.Name, Side: st.side, Action: in.Action, Note: note}
	if err := s.update(ctx, a, bson.D{{Key: "$set", Value: set}, {Key: "$push", Value: bson.D{{Key: "history", Value: step}}}}); err != nil {
		if g != nil && g.Code != "" {
			_ = s.store.ReleaseKey(context.WithoutCancel(ctx), certKey(g.Code), a.ID)
		}
		return nil, err
	}
	switch st.to {
	case Refused, Withdrawn:
		s.release(ctx, a, true) // the person may apply again
	case Granted:
		if a.Applicant == policy.ByOrganisation {
			s.release(ctx, a, false) // the lines stay held: once a person
		}
	}
	s.audit.Record(ctx, actor.Actor(m), "grant."+in.Action, audit.Success, a.ID, a.PolicyID)
	out, err := s.Get(ctx, actor, a.ID)
	if err != nil {
		return nil, err
	}
	s.tell(ctx, out, in.Action)
	if st.to == Granted || st.to == Refused {
		s.count(ctx, out)
	}
	return out, nil
}

// grantable checks what a grant rests on: the evidence the policy names,
// and for a person, still eligible on facts the bureau has checked.
func (s *Service) grantable(ctx context.Context, v *core.Validation, pol *policy.Policy, a *Application) error {
	for _, k := range pol.Apply.Documents {
		if !a.Has(k) {
			v.Add("documents", "error.grant.document_missing") // (the page lists which)
			break
		}
	}
	if a.Applicant == policy.ByOrganisation {
		if err := s.enough(pol, a); err != nil {
			v.Add("lines", core.Faults(err)[0].Msg)
		}
		return nil
	}
	res, err := s.result(ctx, a.SubjectID, a.PolicyID)
	if err != nil {
		return err
	}
	switch {
	case res == nil || res.Status != policy.Eligible:
		v.Add("note", "error.grant.no_longer_eligible")
	case len(res.Unverified) > 0:
		v.Add("note", "error.grant.unverified") // (the person's page says which, and how)
	}
	return nil
}

// result is a person's answer for one policy today, with the checked facts
// it rests on that nobody verified yet (nil when the policy is not among
// the answers).
func (s *Service) result(ctx context.Context, personID, policyID string) (*policy.Result, error) {
	ans, err := s.people.Eligibility(ctx, system, personID)
	if err != nil {
		return nil, err
	}
	for i := range ans.Results {
		if ans.Results[i].Policy.ID == policyID {
			return &ans.Results[i], nil
		}
	}
	return nil, nil
}

// makeGrant works out what is granted: a certificate's code and validity,
// a registration's numbers, a reward's amount.
func (s *Service) makeGrant(ctx context.Context, pol *policy.Policy, a *Application, by string, hardship, auto bool) (*Grant, error) {
	now := s.clock.Now()
	g := &Grant{At: now, ByName: by, PolicyVersion: pol.Version, Auto: auto}
	b := pol.Benefit
	switch pol.Apply.Kind {
	case policy.ApplyCertificate:
		g.ValidFrom = core.DateOf(now)
		if b.FromFact != "" && a.Applicant == policy.ByPerson {
			if p, err := s.people.Get(ctx, system, a.SubjectID); err == nil {
				if d, err := core.ParseDate(people.FactValue(&p.Facts, b.FromFact)); err == nil {
					g.ValidFrom = d
				}
			}
		}
		if b.Years > 0 {
			g.ValidUntil = g.ValidFrom.AddYears(b.Years).AddDays(-1)
			if b.HalfYears > 0 {
				g.HalfUntil = g.ValidUntil.AddYears(b.HalfYears)
			}
		}
		if err := s.code(ctx, g, a.ID); err != nil {
			return nil, err
		}
	case policy.ApplyRegistration:
		n, err := s.number(ctx, pol.Apply.Prefix, "DJ")
		if err != nil {
			return nil, err
		}
		g.Number = n
		if hardship {
			if g.HardshipNumber, err = s.number(ctx, "ZJY", "ZJY"); err != nil {
				return nil, err
			}
		}
	case policy.ApplyReward:
		g.AmountFen = int64(a.Meeting()) * b.PerPersonYuan * 100
	case policy.ApplyVoucher:
		g.Course, g.AmountFen = pol.Apply.Course, b.PerTraineeYuan[pol.Apply.Course]*100
		g.ValidFrom = core.DateOf(now)
		g.ValidUntil = g.ValidFrom.AddMonths(pol.Apply.ValidMonths()).AddDays(-1)
		if err := s.code(ctx, g, a.ID); err != nil {
			return nil, err
		}
	}
	if g.AmountFen == 0 && b.AmountYuan > 0 && pol.Apply.Kind != policy.ApplyReward {
		g.AmountFen = b.AmountYuan * 100
	}
	return g, nil
}

// code gives a grant a code of its own (a certificate's, a voucher's),
// held as a key so it finds the application.
func (s *Service) code(ctx context.Context, g *Grant, applicationID string) error {
	for range 5 { // a code is random: another try on the rare clash
		g.Code = newCode()
		err := s.store.ClaimKey(ctx, certKey(g.Code), applicationID, "error.grant.code")
		if !core.IsCode(err, core.Conflict) {
			return err
		}
	}
	return core.Errorf(core.Conflict, "error.grant.code")
}

// number is the next number of a registration series: the prefix, the
// year, six digits (JY2026000017).
func (s *Service) number(ctx context.Context, prefix, fallback string) (string, error) {
	if prefix == "" {
		prefix = fallback
	}
	year := s.clock.Now().Year()
	n, err := s.store.Next(ctx, fmt.Sprintf("registration:%s:%d", prefix, year))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s%d%06d", prefix, year, n), nil
}

// certKey finds a certificate by its code (/verify).
func certKey(code string) string { return "cert:" + code }

// codeAlphabet has no letters read as digits (0/O, 1/I/L) — a code is
// typed from paper.
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// newCode is a certificate's code: 12 random characters in three groups
// (about 59 bits), which nobody guesses.
func newCode() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	out := make([]byte, 0, 14)
	for i, c := range b {
		if i == 4 || i == 8 {
			out = append(out, '-')
		}
		out = append(out, codeAlphabet[int(c)%len(codeAlphabet)])
	}
	return string(out)
}

// tell notifies the applicant's side of the bureau's steps.
func (s *Service) tell(ctx context.Context, a *Application, action string) {
	switch action {
	case "grant", "return", "refuse":
	default:
		return
	}
	link := "/grants/" + a.ID
	for _, to := range s.recipients(ctx, a) {
		s.notify.Send(ctx, to, "notify.grant."+action, notify.Policy(a.PolicyID), link)
	}
}

// recipients are the applicant's accounts: the person, or every user of
// the organisation.
func (s *Service) recipients(ctx context.Context, a *Application) []string {
	if a.Applicant != policy.ByOrganisation {
		return []string{a.SubjectID}
	}
	o, err := s.orgs.Get(ctx, system, a.SubjectID)
	if err != nil {
		return []string{a.ByID}
	}
	ids := make([]string, 0, len(o.Users))
	for _, u := range o.Users {
		ids = append(ids, u.ID)
	}
	return ids
}
