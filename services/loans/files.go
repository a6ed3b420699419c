package loans

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/policy"
)

// Application is the loan form.
type Application struct {
	PolicyID         string   `json:"policy_id"`
	AmountYuan       int64    `json:"amount_yuan"`
	TermMonths       int      `json:"term_months"`
	Purpose          string   `json:"purpose"`
	Plan             string   `json:"plan"`
	Guarantee        string   `json:"guarantee"`
	GuaranteeDetails string   `json:"guarantee_details"`
	Documents        []string `json:"documents"`
	BankID           string   `json:"bank_id"`
}

// Limits are what a policy allows: the most, the longest, the share of
// interest subsidised.
type Limits struct {
	MaxYuan    int64
	MaxMonths  int
	SubsidyPct float64
}

// limits reads a policy's benefit; without figures in the catalogue the
// general caps apply (2 million yuan, 24 months, half the interest).
func limits(p *policy.Policy) Limits {
	l := Limits{MaxYuan: 2_000_000, MaxMonths: 24, SubsidyPct: 50}
	b := p.Benefit
	if b.AmountYuan > 0 {
		l.MaxYuan = b.AmountYuan
	}
	if b.TermMonthsMax > 0 {
		l.MaxMonths = b.TermMonthsMax
	}
	if b.RatePct > 0 {
		l.SubsidyPct = b.RatePct
	}
	return l
}

// Policies are the catalogue's active supports applied for as a loan (the
// policy's Apply kind): an administrator adds one without a release.
func (s *Service) Policies(ctx context.Context) ([]*policy.Policy, error) {
	all, err := s.policies.All(ctx)
	if err != nil {
		return nil, err
	}
	var out []*policy.Policy
	for _, p := range all {
		if p.Active && p.AppliedAs("loan") {
			out = append(out, p)
		}
	}
	return out, nil
}

// LimitsFor returns the limits of a loan policy.
func (s *Service) LimitsFor(ctx context.Context, policyID string) (Limits, error) {
	p, err := s.policies.Get(ctx, policyID)
	if err != nil {
		return Limits{}, err
	}
	return limits(p), nil
}

// Apply files an application under a loan policy the applicant's profile
// makes them eligible for now, with the bank they choose. The amount and
// term are bounded by the policy; the documents the guarantee needs must
// be listed.
func (s *Service) Apply(ctx context.Context, actor accounts.Principal, in Application, m accounts.Meta) (*Loan, error) {
	if actor.Role != accounts.Entrepreneur {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	pol, err := s.policies.Get(ctx, in.PolicyID)
	if core.IsCode(err, core.NotFound) || (err == nil && (!pol.Active || !pol.AppliedAs("loan"))) {
		return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"policy_id": "error.enum"}}
	}
	if err != nil {
		return nil, err
	}
	var v core.Validation
	lim := limits(pol)
	prof, err := s.people.Get(ctx, actor, actor.ID)
	if err != nil {
		return nil, err
	}
	results, err := s.policies.Check(ctx, &prof.Facts, core.DateOf(s.clock.Now()))
	if err != nil {
		return nil, err
	}
	eligible := slices.ContainsFunc(results, func(r policy.Result) bool { return r.Policy.ID == in.PolicyID && r.Status == policy.Eligible })
	v.Check(eligible, "policy_id", "error.loan.not_eligible")
	v.Check(in.AmountYuan >= 1000 && in.AmountYuan <= lim.MaxYuan, "amount_yuan", core.Msg("error.loan.amount", yuan(lim.MaxYuan*100)))
	v.Check(in.TermMonths >= 1 && in.TermMonths <= lim.MaxMonths, "term_months", core.Msg("error.loan.term", lim.MaxMonths))
	l := &Loan{ID: core.NewID(), PersonID: actor.ID, PersonName: prof.RealName, PolicyID: in.PolicyID, AmountYuan: in.AmountYuan,
		TermMonths: in.TermMonths, Guarantee: in.Guarantee, Status: Submitted, SubsidyPct: lim.SubsidyPct, Repayments: []Repayment{}, CreatedAt: s.clock.Now()}
	l.Purpose = v.Text("purpose", in.Purpose, 5, 500)
	l.Plan = v.Text("plan", in.Plan, 20, 4000)
	v.Check(slices.Contains(Guarantees, in.Guarantee), "guarantee", "error.enum")
	l.GuaranteeDetails = v.Text("guarantee_details", in.GuaranteeDetails, 0, 1000)
	v.Check(in.Guarantee == "guarantee_fund" || l.GuaranteeDetails != "", "guarantee_details", "error.required")
	l.Documents = v.Subset("documents", in.Documents, Documents)
	need := []string{"id_card", "business_plan"}
	if in.Guarantee == "guarantor" {
		need = append(need, "guarantor_statement")
	}
	for _, d := range need {
		v.Check(slices.Contains(l.Documents, d), "documents", "error.loan.documents")
	}
	bank, err := s.Bank(ctx, in.BankID)
	v.Check(err == nil, "bank_id", "error.enum")
	if err := v.Err(); err != nil {
		return nil, err
	}
	l.BankID, l.BankName = bank.ID, bank.Name
	a := Applicant{District: prof.District}
	a.IDMasked, a.PhoneMasked = prof.Masked()
	if w := prof.Facts.Venture; w != nil {
		a.Stage, a.Form, a.Industry = w.Stage, w.Form, w.Industry
		if w.Employees != nil {
			a.Employees = *w.Employees
		}
	}
	l.Applicant = a
	l.DueDays = DefaultDays[Submitted]
	l.DueAt = s.calendar.DueOn(l.CreatedAt, l.DueDays)
	l.Timeline = []Step{{At: l.CreatedAt, ActorName: actor.Name, Side: "applicant", Action: "apply"}}
	// One open file per person and policy: a key held until the file ends
	// (withdrawn, declined, repaid), so a double submit makes one file.
	key := openKey(l)
	if err := s.store.ClaimKey(ctx, key, l.ID, "error.loan.open"); err != nil {
		return nil, err
	}
	if err := s.outbox.Begin(ctx, LoanIndex.Name, l.ID); err != nil {
		_ = s.store.ReleaseKey(context.WithoutCancel(ctx), key, l.ID)
		return nil, err
	}
	if _, err := s.store.C("loans").InsertOne(ctx, l); err != nil {
		_ = s.store.ReleaseKey(context.WithoutCancel(ctx), key, l.ID)
		return nil, core.Wrap(err, "insert loan")
	}
	s.outbox.Apply(ctx, LoanIndex.Name, l.ID)
	s.audit.Record(ctx, actor.Actor(m), "loan.apply", audit.Success, l.ID, in.PolicyID)
	s.count(ctx, l)
	return l, nil
}

func openKey(l *Loan) string { return "loan:" + l.PersonID + ":" + l.PolicyID }

// Loan reads a file: its applicant, the bureau's staff, and the officers of
// its bank once it has reached the bank. Anyone else: not found.
func (s *Service) Loan(ctx context.Context, actor accounts.Principal, id string) (*Loan, error) {
	notFound := core.Errorf(core.NotFound, "error.not_found")
	if actor.Guest() || !core.ValidID(id) {
		return nil, notFound
	}
	var l Loan
	if err := s.store.Get(ctx, "loans", id, &l); err != nil {
		return nil, err
	}
	switch {
	case actor.ID == l.PersonID, actor.Role.Staff():
	case actor.Role == accounts.BankOfficer:
		b, err := s.bankOf(ctx, actor)
		if err != nil || b.ID != l.BankID || !l.ReachedBank {
			return nil, notFound
		}
	default:
		return nil, notFound
	}
	return &l, nil
}

// StepInput is an action on a file.
type StepInput struct {
	Action       string    `json:"action"`
	Note         string    `json:"note,omitempty"`
	GrantedYuan  int64     `json:"granted_yuan,omitempty"`
	RatePct      float64   `json:"rate_pct,omitempty"`
	On           core.Date `json:"on,omitzero"`
	PrincipalFen int64     `json:"principal_fen,omitempty"`
	InterestFen  int64     `json:"interest_fen,omitempty"`
}

// steps: who may, from which statuses, to which.
var steps = map[string]struct {
	side string
	from []string
	to   string
}{
	"forward":  {"bureau", []string{Submitted}, Forwarded},
	"return":   {"bureau", []string{Submitted}, Returned},
	"resubmit": {"applicant", []string{Returned}, Submitted},
	"withdraw": {"applicant", []string{Submitted, Returned, Forwarded}, Withdrawn},
	"approve":  {"bank", []string{Forwarded}, Approved},
	"decline":  {"bank", []string{Forwarded}, Declined},
	"disburse": {"bank", []string{Approved}, Disbursed},
	"repay":    {"bank", []string{Disbursed}, Disbursed},
}

func sideOf(actor accounts.Principal, l *Loan) string {
	switch {
	case actor.ID == l.PersonID:
		return "applicant"
	case actor.Role.Staff():
		return "bureau"
	case actor.Role == accounts.BankOfficer:
		return "bank"
	}
	return ""
}

// Act moves a file on: the bureau forwards it to the bank (saying what it
// verified) or returns it to the applicant; the applicant resubmits or
// withdraws; the bank approves (amount and rate), declines, disburses, and
// records repayments. Each waiting status gets its time limit.
func (s *Service) Act(ctx context.Context, actor accounts.Principal, id string, in StepInput, m accounts.Meta) (*Loan, error) {
	l, err := s.Loan(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	st, ok := steps[in.Action]
	if !ok {
		return nil, &core.Error{Code: core.Invalid, Message: "error.action", Fields: map[string]string{"action": "error.enum"}}
	}
	if sideOf(actor, l) != st.side {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	if !slices.Contains(st.from, l.Status) {
		return nil, core.Errorf(core.Conflict, "error.loan.state")
	}
	var v core.Validation
	now := s.clock.Now()
	today := core.DateOf(now)
	note := v.Text("note", in.Note, 0, 2000)
	set := bson.D{{Key: "status", Value: st.to}}
	switch in.Action {
	case "forward", "return", "decline":
		v.Check(note != "", "note", "error.reason.required")
		if in.Action == "forward" {
			// The bank gets a file whose facts were checked, not the
			// applicant's word (#17 §2): what the policy rests on must be
			// verified by a case officer or on a roster first.
			pending, err := s.unverified(ctx, l)
			if err != nil {
				return nil, err
			}
			v.Check(len(pending) == 0, "note", "error.loan.unverified")
			set = append(set, bson.E{Key: "reached_bank", Value: true})
		}
	case "approve":
		v.Check(in.GrantedYuan >= 1000 && in.GrantedYuan <= l.AmountYuan, "granted_yuan", "error.loan.granted")
		v.Check(in.RatePct >= 0.1 && in.RatePct <= 20, "rate_pct", "error.number.range")
		set = append(set, bson.E{Key: "granted_yuan", Value: in.GrantedYuan}, bson.E{Key: "rate_pct", Value: in.RatePct}, bson.E{Key: "decided_at", Value: now})
	case "disburse":
		dayIn(&v, "on", in.On, core.DateOf(l.DecidedAt), today, "error.loan.before_approval")
		set = append(set, bson.E{Key: "disbursed_on", Value: in.On})
	case "repay":
		owed := l.GrantedYuan*100 - l.RepaidFen()
		dayIn(&v, "on", in.On, l.DisbursedOn, today, "error.loan.before_disbursement")
		v.Check(in.PrincipalFen+in.InterestFen > 0, "principal_fen", "error.loan.repayment_empty")
		v.Check(in.PrincipalFen >= 0 && in.PrincipalFen <= owed, "principal_fen", core.Msg("error.loan.repayment", yuan(owed)))
		v.Check(in.InterestFen >= 0 && in.InterestFen <= l.GrantedYuan*100, "interest_fen", "error.number.range")
		if in.PrincipalFen == owed {
			set[0].Value = Repaid
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	to, _ := set[0].Value.(string)
	if days, ok := DefaultDays[to]; ok {
		set = append(set, bson.E{Key: "due_at", Value: s.calendar.DueOn(now, days)}, bson.E{Key: "due_days", Value: days})
	} else {
		set = append(set, bson.E{Key: "due_at", Value: time.Time{}}, bson.E{Key: "due_days", Value: 0})
	}
	update := bson.D{{Key: "$set", Value: set}, {Key: "$push", Value: bson.D{{Key: "timeline", Value: Step{At: now, ActorName: actor.Name, Side: st.side, Action: in.Action, Note: note}}}}}
	if in.Action == "repay" {
		r := Repayment{On: in.On, PrincipalFen: in.PrincipalFen, InterestFen: in.InterestFen}
		update[1] = bson.E{Key: "$push", Value: bson.D{{Key: "timeline", Value: Step{At: now, ActorName: actor.Name, Side: st.side, Action: in.Action, Note: note, Repayment: &r}},
			{Key: "repayments", Value: r}}}
	}
	err = s.update(ctx, l, update)
	if core.IsCode(err, core.Conflict) {
		return nil, core.Errorf(core.Conflict, "error.stale")
	}
	if err != nil {
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "loan."+in.Action, audit.Success, l.ID, "")
	s.tell(ctx, l, in.Action)
	out, err := s.Loan(ctx, actor, l.ID)
	if err == nil && (in.Action == "approve" || in.Action == "decline") {
		s.count(ctx, out)
	}
	if err == nil && (out.Status == Withdrawn || out.Status == Declined || out.Status == Repaid) {
		_ = s.store.ReleaseKey(ctx, openKey(out), out.ID) // the person may apply again
	}
	return out, err
}

// tell notifies whoever must act next, and the applicant of decisions.
func (s *Service) tell(ctx context.Context, l *Loan, action string) {
	link := "/loans/" + l.ID
	switch action {
	case "forward":
		if b, err := s.Bank(ctx, l.BankID); err == nil {
			for _, o := range b.Officers {
				s.notify.Send(ctx, o, "notify.loan.forwarded", l.PersonName, link)
			}
		}
		s.notify.Send(ctx, l.PersonID, "notify.loan.step.forward", l.BankName, link)
	case "return", "approve", "decline", "disburse":
		s.notify.Send(ctx, l.PersonID, "notify.loan.step."+action, l.BankName, link)
	}
}

// Query picks files.
type Query struct {
	Status string
	Page   core.Page
}

// Row is one file of a list.
type Row struct {
	ID, PersonName, Status, Waiting, PolicyID string
	AmountYuan                                int64
	DueAt, CreatedAt                          time.Time
	DueDays                                   int // working days; 0 when counted in calendar days
	Overdue                                   bool
}

// List returns files: the applicant's own; the bureau's queue (those
// waiting on the bureau unless a status is asked); a bank's files.
func (s *Service) List(ctx context.Context, actor accounts.Principal, q Query) ([]Row, int, core.Page, error) {
	p := q.Page.Normalize()
	sq := search.Query{Offset: p.Offset(), Limit: p.Size, Sort: []search.Sort{{Field: "created_at", Desc: true}}}
	switch {
	case actor.Role == accounts.Entrepreneur:
		sq.Filters = append(sq.Filters, search.Filter{Field: "person_id", Values: []string{actor.ID}})
	case actor.Role.Staff():
		if q.Status == "" {
			sq.Filters = append(sq.Filters, search.Filter{Field: "waiting_on", Values: []string{"bureau"}})
		}
	case actor.Role == accounts.BankOfficer:
		b, err := s.bankOf(ctx, actor)
		if err != nil {
			return nil, 0, p, err
		}
		sq.Filters = append(sq.Filters, search.Filter{Field: "bank_id", Values: []string{b.ID}}, search.Filter{Field: "reached_bank", Values: []string{"yes"}})
	default:
		return nil, 0, p, core.Errorf(core.Forbidden, "error.forbidden")
	}
	if q.Status != "" {
		if !slices.Contains(Statuses, q.Status) {
			return nil, 0, p, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"status": "error.enum"}}
		}
		sq.Filters = append(sq.Filters, search.Filter{Field: "status", Values: []string{q.Status}})
	}
	r, err := s.outbox.Engine().Search(ctx, LoanIndex.Name, sq)
	if err != nil {
		return nil, 0, p, &core.Error{Code: core.Unavailable, Message: "error.search_unavailable", Cause: err}
	}
	now := s.clock.Now()
	rows := make([]Row, 0, len(r.Hits))
	for _, h := range r.Hits {
		due := time.Time{}
		if ms := h.Number("due_ms"); ms > 0 {
			due = time.UnixMilli(int64(ms)).UTC()
		}
		w := h.String("waiting_on")
		if w == "none" {
			w = ""
		}
		rows = append(rows, Row{ID: h.ID, PersonName: h.String("person_name"), Status: h.String("status"), Waiting: w, PolicyID: h.String("policy_id"),
			AmountYuan: int64(h.Number("amount")), DueAt: due, DueDays: int(h.Number("due_days")), CreatedAt: h.Time("created_at"), Overdue: !due.IsZero() && now.After(due)})
	}
	return rows, r.Total, p, nil
}

// dayIn checks a step's date: given, not before from (early names the
// step it may not precede), not after today.
func dayIn(v *core.Validation, field string, d, from, today core.Date, early string) {
	switch {
	case d.IsZero():
		v.Add(field, "error.date")
	case d.Before(from):
		v.Add(field, core.Msg(early, from.String()))
	case d.After(today):
		v.Add(field, "error.date.future")
	}
}

// yuan writes an amount of fen as yuan with thousands separators (and
// fen when there are any), for the messages that name a bound.
func yuan(fen int64) string {
	s := strconv.FormatInt(fen/100, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if f := fen % 100; f != 0 {
		s += fmt.Sprintf(".%02d", f)
	}
	return s
}

// unverified names the checked facts the file's policy rests on for its
// applicant that are still only their word.
func (s *Service) unverified(ctx context.Context, l *Loan) ([]string, error) {
	a, err := s.people.Eligibility(ctx, accounts.Principal{ID: "system", Role: accounts.Admin, Name: "system"}, l.PersonID)
	if err != nil {
		return nil, err
	}
	for _, r := range a.Results {
		if r.Policy.ID == l.PolicyID {
			return r.Unverified, nil
		}
	}
	return nil, nil
}
