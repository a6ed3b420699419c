package training

import (
	"context"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/policy"
	"onestop/services/store"
)

// Claim statuses.
const (
	Submitted = "submitted"
	Approved  = "approved"
	Rejected  = "rejected"
	Paid      = "paid"
)

// ClaimLine is one trainee of a claim.
type ClaimLine struct {
	EnrolmentID string `bson:"enrolment_id" json:"enrolment_id"`
	PersonID    string `bson:"person_id" json:"-"`
	RealName    string `bson:"real_name" json:"real_name"`
	AmountYuan  int64  `bson:"amount_yuan" json:"amount_yuan"`
	// Funding is where the line is paid from (Fundings): the trainee's
	// voucher (VoucherID), the unemployment-insurance fund for its
	// recipients, or the special funds.
	Funding   string `bson:"funding,omitempty" json:"funding,omitempty"`
	VoucherID string `bson:"voucher_id,omitempty" json:"voucher_id,omitempty"`
	// Eligible: the trainee qualifies for a support that subsidises the
	// course's kind (or holds its voucher) — the check the bureau reads
	// before approving.
	Eligible bool `bson:"eligible" json:"eligible"`
	// Reason says why a trainee was left out (already subsidised).
	Reason string `bson:"reason,omitempty" json:"reason,omitempty"`
}

// The funding channels of a claim's lines (source: special funds, the
// unemployment-insurance fund, vouchers).
const (
	FundVoucher      = "voucher"
	FundInsurance    = "unemployment_insurance"
	FundSpecialFunds = "special_funds"
)

// Fundings are the channels in display order.
var Fundings = []string{FundVoucher, FundInsurance, FundSpecialFunds}

// Vouchers are the training vouchers (培訓券) a claim redeems
// (services/grants): a person's valid, unused voucher for a kind of course
// on a day, its use by a claim, and its return when the claim is rejected.
type Vouchers interface {
	Voucher(ctx context.Context, personID, course string, on core.Date) (id string, fen int64, err error)
	Redeem(ctx context.Context, id, claimID, provider string) error
	Release(ctx context.Context, id, claimID string) error
}

// UseVouchers lets claims redeem vouchers (the bureau wires it: the
// vouchers' service is built after this one).
func (s *Service) UseVouchers(v Vouchers) { s.vouchers = v }

// fund decides where a line is paid from, and checks the trainee: a
// voucher of the course's kind valid on the day they completed it pays
// the line, up to its value; otherwise a recipient of unemployment
// insurance is paid from that fund, anyone else from the special funds.
// The trainee must qualify for a support that subsidises the kind.
func (s *Service) fund(ctx context.Context, c *Course, l *ClaimLine, on core.Date) error {
	if s.vouchers != nil {
		id, fen, err := s.vouchers.Voucher(ctx, l.PersonID, c.Kind, on)
		if err != nil {
			return err
		}
		if id != "" {
			l.Funding, l.VoucherID, l.Eligible = FundVoucher, id, true
			l.AmountYuan = min(l.AmountYuan, fen/100)
			return nil
		}
	}
	ans, err := s.people.Eligibility(ctx, accounts.Principal{ID: "system", Role: accounts.Admin, Name: "system"}, l.PersonID)
	if core.IsCode(err, core.NotFound) {
		l.Funding = FundSpecialFunds
		return nil // no profile to check: not eligible, and said so
	}
	if err != nil {
		return err
	}
	for _, r := range ans.Results {
		if r.Policy.Benefit.PerTraineeYuan[c.Kind] > 0 && (r.Status == policy.Eligible || r.Status == policy.Voluntary) {
			l.Eligible = true
		}
	}
	l.Funding = FundSpecialFunds
	if p, err := s.people.Get(ctx, accounts.Principal{ID: "system", Role: accounts.Admin, Name: "system"}, l.PersonID); err == nil &&
		slices.Contains(p.Facts.TargetGroups, "unemployment_insurance_recipient") {
		l.Funding = FundInsurance // (十一): the fund pays its recipients' training
	}
	return nil
}

// Step is one change of a claim.
type Step struct {
	At        time.Time `bson:"at" json:"at"`
	ActorName string    `bson:"actor_name" json:"actor_name"`
	Action    string    `bson:"action" json:"action"`
	Note      string    `bson:"note,omitempty" json:"note,omitempty"`
}

// Claim is a provider's subsidy claim for a completed course, generated
// from attendance: the trainees who passed and were not subsidised before
// for the same kind of training.
type Claim struct {
	ID           string      `bson:"_id" json:"id"`
	ProviderID   string      `bson:"provider_id" json:"provider_id"`
	ProviderName string      `bson:"provider_name" json:"provider_name"`
	CourseID     string      `bson:"course_id" json:"course_id"`
	CourseTitle  string      `bson:"course_title" json:"course_title"`
	Lines        []ClaimLine `bson:"lines" json:"lines"`
	Excluded     []ClaimLine `bson:"excluded" json:"excluded"`
	TotalYuan    int64       `bson:"total_yuan" json:"total_yuan"`
	Status       string      `bson:"status" json:"status"`
	History      []Step      `bson:"history" json:"history"`
	CreatedAt    time.Time   `bson:"created_at" json:"created_at"`
}

// subsidyGroup: start-up training is subsidised once per person whichever
// start-up kind it was; other kinds once per kind.
func subsidyGroup(kind string) string {
	if slices.Contains(StartupKinds, kind) {
		return "startup"
	}
	return kind
}

// CreateClaim generates the claim of a completed course (the provider).
// Each line holds a key on the person and the kind of training, taken
// before the claim is written, so nobody is claimed for twice, and pays
// what the policy allows (claimAmount), whatever the course says.
func (s *Service) CreateClaim(ctx context.Context, actor accounts.Principal, courseID string, m accounts.Meta) (*Claim, error) {
	c, err := s.ownCourse(ctx, actor, courseID)
	if err != nil {
		return nil, err
	}
	if c.Status != Completed {
		return nil, core.Errorf(core.Conflict, "error.training.not_completed")
	}
	amount, err := s.claimAmount(ctx, c)
	if err != nil {
		return nil, err
	}
	if amount <= 0 {
		return nil, core.Errorf(core.Conflict, "error.training.no_subsidy")
	}
	_, roster, err := s.Roster(ctx, actor, courseID)
	if err != nil {
		return nil, err
	}
	cl := &Claim{ID: core.NewID(), ProviderID: c.ProviderID, ProviderName: c.ProviderName, CourseID: c.ID, CourseTitle: c.Title,
		Lines: []ClaimLine{}, Excluded: []ClaimLine{}, Status: Submitted, CreatedAt: s.clock.Now()}
	var keys []string
	release := func() {
		for _, k := range keys {
			_ = s.store.ReleaseKey(context.WithoutCancel(ctx), k, cl.ID)
		}
	}
	for _, e := range roster {
		if e.Status != Passed || e.Claimed {
			continue
		}
		line := ClaimLine{EnrolmentID: e.ID, PersonID: e.PersonID, RealName: e.RealName, AmountYuan: amount}
		key := "subsidy:" + e.PersonID + ":" + subsidyGroup(c.Kind)
		if err := s.store.ClaimKey(ctx, key, cl.ID, "error.training.claimed"); err != nil {
			if !core.IsCode(err, core.Conflict) {
				release()
				return nil, err
			}
			line.AmountYuan, line.Reason = 0, "already_subsidised"
			cl.Excluded = append(cl.Excluded, line)
			continue
		}
		keys = append(keys, key)
		if err := s.fund(ctx, c, &line, completedOn(e, s.clock.Now())); err != nil {
			release()
			return nil, err
		}
		cl.Lines = append(cl.Lines, line)
		cl.TotalYuan += line.AmountYuan
	}
	if len(cl.Lines) == 0 {
		release()
		return nil, core.Errorf(core.Conflict, "error.training.nothing_to_claim")
	}
	// The vouchers last, each once: one another claim used meanwhile
	// refuses the claim, and what this one took is given back.
	var redeemed []string
	unredeem := func() {
		for _, id := range redeemed {
			_ = s.vouchers.Release(context.WithoutCancel(ctx), id, cl.ID)
		}
	}
	for _, l := range cl.Lines {
		if l.VoucherID == "" {
			continue
		}
		if err := s.vouchers.Redeem(ctx, l.VoucherID, cl.ID, c.ProviderName); err != nil {
			unredeem()
			release()
			return nil, err
		}
		redeemed = append(redeemed, l.VoucherID)
	}
	release = func() {
		unredeem()
		for _, k := range keys {
			_ = s.store.ReleaseKey(context.WithoutCancel(ctx), k, cl.ID)
		}
	}
	cl.History = []Step{{At: cl.CreatedAt, ActorName: actor.Name, Action: Submitted}}
	if _, err := s.store.C("claims").InsertOne(ctx, cl); err != nil {
		release()
		return nil, core.Wrap(err, "insert claim")
	}
	for _, l := range cl.Lines {
		_ = s.store.UpdateIf(ctx, "enrolments", l.EnrolmentID, nil, bson.D{{Key: "$set", Value: bson.D{{Key: "claimed", Value: true}}}})
	}
	s.audit.Record(ctx, actor.Actor(m), "claim.submit", audit.Success, cl.ID, c.ID)
	return cl, nil
}

// completedOn is the day a trainee completed the course (today for an
// enrolment recorded before the day was kept).
func completedOn(e *Enrolment, now time.Time) core.Date {
	if !e.CompletedOn.IsZero() {
		return e.CompletedOn
	}
	return core.DateOf(now)
}

// Claim reads a claim: its provider and the bureau's staff.
func (s *Service) Claim(ctx context.Context, actor accounts.Principal, id string) (*Claim, error) {
	if !core.ValidID(id) {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	var cl Claim
	if err := s.store.Get(ctx, "claims", id, &cl); err != nil {
		return nil, err
	}
	if cl.ProviderID != actor.ID && !actor.Role.Staff() {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	return &cl, nil
}

// Claims lists claims, newest first: a provider's own, or all for staff.
// Claims come one per course, a bounded collection read whole.
func (s *Service) Claims(ctx context.Context, actor accounts.Principal) ([]*Claim, error) {
	if actor.Role != accounts.Provider && !actor.Role.Staff() {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	var out []*Claim
	err := store.Each(ctx, s.store, "claims", func(cl *Claim) error {
		if actor.Role.Staff() || cl.ProviderID == actor.ID {
			out = append(out, cl)
		}
		return nil
	})
	slices.SortFunc(out, func(a, b *Claim) int { return b.CreatedAt.Compare(a.CreatedAt) })
	return out, err
}

var claimSteps = map[string]struct{ from, to string }{
	"approve": {Submitted, Approved},
	"reject":  {Submitted, Rejected},
	"pay":     {Approved, Paid},
}

// ReviewClaim approves or rejects a submitted claim, or records it paid
// (administrators). A rejected claim gives its trainees back, so a
// corrected claim can include them.
func (s *Service) ReviewClaim(ctx context.Context, actor accounts.Principal, id, action, note string, m accounts.Meta) (*Claim, error) {
	if actor.Role != accounts.Admin {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	cl, err := s.Claim(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	st, ok := claimSteps[action]
	var v core.Validation
	v.Check(ok, "action", "error.enum")
	note = v.Text("note", note, 0, 1000)
	v.Check(action != "reject" || note != "", "note", "error.reason.required")
	if err := v.Err(); err != nil {
		return nil, err
	}
	step := Step{At: s.clock.Now(), ActorName: actor.Name, Action: st.to, Note: note}
	err = s.store.UpdateIf(ctx, "claims", cl.ID, []store.Cond{store.Eq("status", st.from)},
		bson.D{{Key: "$set", Value: bson.D{{Key: "status", Value: st.to}}}, {Key: "$push", Value: bson.D{{Key: "history", Value: step}}}})
	if core.IsCode(err, core.Conflict) {
		return nil, core.Errorf(core.Conflict, "error.training.claim_state")
	}
	if err != nil {
		return nil, err
	}
	if action == "reject" {
		c, _ := s.Course(ctx, cl.CourseID)
		for _, l := range cl.Lines {
			if l.VoucherID != "" && s.vouchers != nil {
				_ = s.vouchers.Release(ctx, l.VoucherID, cl.ID) // the trainee may use it again
			}
			if c != nil {
				_ = s.store.ReleaseKey(ctx, "subsidy:"+l.PersonID+":"+subsidyGroup(c.Kind), cl.ID)
			}
			_ = s.store.UpdateIf(ctx, "enrolments", l.EnrolmentID, nil, bson.D{{Key: "$set", Value: bson.D{{Key: "claimed", Value: false}}}})
		}
	}
	s.audit.Record(ctx, actor.Actor(m), "claim."+action, audit.Success, cl.ID, "")
	return s.Claim(ctx, actor, cl.ID)
}

// ProviderStat is one provider's record, for the bureau's dynamic
// management (動態管理) of the published list.
type ProviderStat struct {
	Provider                          *Provider
	Courses, Enrolled, Passed, Failed int
	CompletionRate                    float64 // passed / (passed + not passed), percent
	ClaimedYuan, PaidYuan             int64
	Complaints                        int // about the provider: the hotline's record, filled in by the caller (-1: unknown)
}

// Stats sums each provider's courses, completions and claims
// (administrators); enrolments are counted from the index's facets.
func (s *Service) Stats(ctx context.Context, actor accounts.Principal) ([]ProviderStat, error) {
	if actor.Role != accounts.Admin {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	provs, err := s.Providers(ctx)
	if err != nil {
		return nil, err
	}
	claims, err := s.Claims(ctx, actor)
	if err != nil {
		return nil, err
	}
	courses := map[string]int{}
	err = store.Each(ctx, s.store, "courses", func(c *Course) error { courses[c.ProviderID]++; return nil })
	if err != nil {
		return nil, err
	}
	var out []ProviderStat
	for _, p := range provs {
		st := ProviderStat{Provider: p, Courses: courses[p.ID]}
		r, err := s.outbox.Engine().Search(ctx, EnrolmentIndex.Name, search.Query{Filters: []search.Filter{{Field: "provider_id", Values: []string{p.ID}}},
			Facets: []string{"status"}, Limit: 1})
		if err != nil {
			return nil, &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
		}
		for _, f := range r.Facets["status"] {
			switch f.Value {
			case Passed:
				st.Passed = f.Count
			case NotPassed:
				st.Failed = f.Count
			}
			if f.Value != Withdrawn {
				st.Enrolled += f.Count
			}
		}
		if st.Passed+st.Failed > 0 {
			st.CompletionRate = float64(100*st.Passed) / float64(st.Passed+st.Failed)
		}
		for _, cl := range claims {
			if cl.ProviderID == p.ID && cl.Status != Rejected {
				st.ClaimedYuan += cl.TotalYuan
				if cl.Status == Paid {
					st.PaidYuan += cl.TotalYuan
				}
			}
		}
		out = append(out, st)
	}
	return out, nil
}
