// Package loans owns guaranteed-loan applications (創業擔保貸款, source
// (九)): one online file shared by the applicant, the bureau and the
// partner bank the applicant chose. The bureau checks and forwards it, the
// bank decides and disburses, repayments are recorded, and the interest
// subsidy (貼息) is worked out from the loan's rate and schedule. Every step
// has a time limit and the file always says whom it is waiting on.
package loans

import (
	"context"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/documents"
	"onestop/services/figures"
	"onestop/services/notify"
	"onestop/services/outbox"
	"onestop/services/people"
	"onestop/services/pii"
	"onestop/services/policy"
	"onestop/services/store"
	"onestop/services/workdays"
)

// Collections of the package.
var Collections = []store.Collection{{Name: "banks"}, {Name: "loans"}, blobCollection}

// Statuses of an application, and whom each waits on.
const (
	Submitted = "submitted" // the bureau checks
	Returned  = "returned"  // the applicant completes it
	Forwarded = "forwarded" // the bank decides
	Approved  = "approved"  // the bank disburses
	Declined  = "declined"
	Disbursed = "disbursed" // being repaid
	Repaid    = "repaid"
	Withdrawn = "withdrawn"
)

// Statuses in the order of a file's life.
var Statuses = []string{Submitted, Returned, Forwarded, Approved, Declined, Disbursed, Repaid, Withdrawn}

// BankStatuses are those a file can have once it reached the bank, the
// only files a bank officer sees: the bureau returns files before they are
// forwarded, never after.
var BankStatuses = []string{Forwarded, Approved, Declined, Disbursed, Repaid, Withdrawn}

// WaitingOn says who must act next in each status.
var WaitingOn = map[string]string{Submitted: "bureau", Returned: "applicant", Forwarded: "bank", Approved: "bank"}

// DefaultDays are the time limits of each waiting status, in working days
// of the bureau's calendar (services/workdays): each of the bureau's and
// the bank's steps within the three working days comparable platforms
// reach, and seven for the applicant to complete a file sent back.
var DefaultDays = map[string]int{Submitted: 2, Returned: 7, Forwarded: 3, Approved: 3}

// Enumerations of the form.
var (
	Guarantees = []string{"guarantor", "collateral", "guarantee_fund"}
	Documents  = []string{"id_card", "business_licence", "business_plan", "guarantor_statement", "income_proof", "lease"}
)

// LoanIndex is the bureau's and the banks' queues, and the applicant's list.
var LoanIndex = search.Index{
	Name:     "loans",
	Text:     []string{"person_name", "purpose"},
	Keywords: []string{"status", "bank_id", "person_id", "waiting_on", "policy_id", "reached_bank", "escalated"},
	Numbers:  []string{"due_ms", "due_days", "amount"},
	Times:    []string{"created_at"},
}

// Bank is a partner bank and its officers' accounts.
type Bank struct {
	ID        string    `bson:"_id" json:"id"`
	Name      string    `bson:"name" json:"name"`
	Officers  []string  `bson:"officers" json:"-"`
	CreatedAt time.Time `bson:"created_at" json:"created_at"`
}

// Step is one entry of a file's timeline, which the applicant sees whole.
type Step struct {
	At        time.Time `bson:"at" json:"at"`
	ActorName string    `bson:"actor_name" json:"actor_name"`
	Side      string    `bson:"side" json:"side"` // applicant, bureau, bank
	Action    string    `bson:"action" json:"action"`
	Note      string    `bson:"note,omitempty" json:"note,omitempty"`
	// Repayment is what a repay step recorded, so the timeline reads
	// with its amounts.
	Repayment *Repayment `bson:"repayment,omitempty" json:"repayment,omitempty"`
}

// Repayment is one repayment the bank records.
type Repayment struct {
	On           core.Date `bson:"on" json:"on"`
	PrincipalFen int64     `bson:"principal_fen" json:"principal_fen"`
	InterestFen  int64     `bson:"interest_fen" json:"interest_fen"`
}

// Loan is one application and, once granted, the loan.
type Loan struct {
	ID               string       `bson:"_id" json:"id"`
	PersonID         string       `bson:"person_id" json:"-"`
	PersonName       string       `bson:"person_name" json:"person_name"`
	PolicyID         string       `bson:"policy_id" json:"policy_id"`
	AmountYuan       int64        `bson:"amount_yuan" json:"amount_yuan"`
	TermMonths       int          `bson:"term_months" json:"term_months"`
	Purpose          string       `bson:"purpose" json:"purpose"`
	Plan             string       `bson:"plan" json:"plan"`
	Guarantee        string       `bson:"guarantee" json:"guarantee"`
	GuaranteeDetails string       `bson:"guarantee_details" json:"guarantee_details"`
	Documents        []string     `bson:"documents" json:"documents"`
	Attachments      []Attachment `bson:"attachments,omitempty" json:"attachments"`
	BankID           string       `bson:"bank_id" json:"bank_id"`
	BankName         string       `bson:"bank_name" json:"bank_name"`
	Status           string       `bson:"status" json:"status"`
	ReachedBank      bool         `bson:"reached_bank" json:"-"`
	Applicant        Applicant    `bson:"applicant" json:"applicant"`
	DueAt            time.Time    `bson:"due_at,omitempty" json:"due_at,omitzero"` // the close of the step's last working day
	// DueDays is the step's time limit in working days, which DueAt counts;
	// 0 on steps begun when limits were calendar days.
	DueDays      int         `bson:"due_days,omitempty" json:"limit_workdays,omitempty"`
	EscalatedFor time.Time   `bson:"escalated_for,omitempty" json:"-"` // the limit the worker raised the file for
	SubsidyPct   float64     `bson:"subsidy_pct" json:"subsidy_pct"`
	GrantedYuan  int64       `bson:"granted_yuan,omitempty" json:"granted_yuan,omitempty"`
	RatePct      float64     `bson:"rate_pct,omitempty" json:"rate_pct,omitempty"`
	DecidedAt    time.Time   `bson:"decided_at,omitempty" json:"decided_at,omitzero"`
	DisbursedOn  core.Date   `bson:"disbursed_on,omitempty" json:"disbursed_on,omitzero"`
	Repayments   []Repayment `bson:"repayments" json:"repayments"`
	Timeline     []Step      `bson:"timeline" json:"timeline"`
	CreatedAt    time.Time   `bson:"created_at" json:"created_at"`
	Version      int         `bson:"version" json:"-"`
}

// Applicant is what the profile says about the applicant when they apply:
// the bank reads it here, so nobody types it twice.
type Applicant struct {
	IDMasked    string `bson:"id_masked,omitempty" json:"id_masked,omitempty"`
	PhoneMasked string `bson:"phone_masked,omitempty" json:"phone_masked,omitempty"`
	District    string `bson:"district,omitempty" json:"district,omitempty"`
	Stage       string `bson:"stage,omitempty" json:"stage,omitempty"`
	Form        string `bson:"form,omitempty" json:"form,omitempty"`
	Industry    string `bson:"industry,omitempty" json:"industry,omitempty"`
	Employees   int    `bson:"employees,omitempty" json:"employees,omitempty"`
}

// Waiting says whom the file waits on now ("" when nobody).
func (l *Loan) Waiting() string { return WaitingOn[l.Status] }

// Overdue reports whether the side it waits on is past its time limit.
func (l *Loan) Overdue(now time.Time) bool {
	return l.Waiting() != "" && !l.DueAt.IsZero() && now.After(l.DueAt)
}

// Schedule is the loan's monthly schedule with its interest subsidy, once
// it is disbursed (or as it would be, once approved).
func (l *Loan) Schedule() []Installment {
	if l.GrantedYuan == 0 {
		return nil
	}
	start := l.DisbursedOn
	if start.IsZero() {
		start = core.DateOf(l.DecidedAt)
	}
	return Schedule(l.GrantedYuan, l.RatePct, l.TermMonths, start, l.SubsidyPct)
}

// Instalment states against the principal repaid.
const (
	InstalmentPaid     = "paid"
	InstalmentPartial  = "partial"  // some of its principal repaid
	InstalmentOverdue  = "overdue"  // its day passed, principal not all repaid
	InstalmentUpcoming = "upcoming" // not due yet
)

// Standing is where a granted loan stands on a day: the principal still
// owed and how each instalment of the schedule fares, the principal repaid
// applied to the instalments in order (the bank's view of a file).
type Standing struct {
	OutstandingFen int64    `json:"outstanding_fen"`
	Paid, Overdue  int      `json:"-"`
	States         []string `json:"-"` // by instalment, as Schedule
}

// Standing works out the loan's standing on today.
func (l *Loan) Standing(today core.Date) Standing {
	sched := l.Schedule()
	repaid := l.RepaidFen()
	st := Standing{OutstandingFen: l.GrantedYuan*100 - repaid, States: make([]string, len(sched))}
	var due int64 // principal scheduled up to and including this instalment
	for i, in := range sched {
		before := due
		due += in.PrincipalFen
		switch {
		case repaid >= due:
			st.States[i] = InstalmentPaid
			st.Paid++
		case !in.DueOn.After(today):
			st.States[i] = InstalmentOverdue
			st.Overdue++
		case repaid > before:
			st.States[i] = InstalmentPartial
		default:
			st.States[i] = InstalmentUpcoming
		}
	}
	return st
}

// RepaidFen sums the principal repaid.
func (l *Loan) RepaidFen() int64 {
	var n int64
	for _, r := range l.Repayments {
		n += r.PrincipalFen
	}
	return n
}

func loanDoc(l *Loan) *search.Doc {
	due, days := int64(0), 0
	if l.Waiting() != "" {
		due, days = l.DueAt.UnixMilli(), l.DueDays
	}
	waiting := l.Waiting()
	if waiting == "" {
		waiting = "none"
	}
	return &search.Doc{ID: l.ID, Fields: map[string]any{"person_name": l.PersonName, "purpose": l.Purpose, "status": l.Status, "bank_id": l.BankID,
		"person_id": l.PersonID, "waiting_on": waiting, "policy_id": l.PolicyID, "reached_bank": yesNo(l.ReachedBank), "escalated": yesNo(!l.DueAt.IsZero() && l.EscalatedFor.Equal(l.DueAt)), "due_ms": due, "due_days": days, "amount": l.AmountYuan, "created_at": l.CreatedAt}}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// Service runs loan files.
type Service struct {
	store    *store.Store
	outbox   *outbox.Outbox
	audit    *audit.Log
	notify   *notify.Service
	people   *people.Service
	policies *policy.Catalogue
	accounts *accounts.Service
	figures  *figures.Service
	clock    core.Clock
	// calendar counts each step's time limit in working days.
	calendar *workdays.Calendar
	files    *documents.Store // the attachments' bytes (attachments.go)
}

// Deps wires the service.
type Deps struct {
	Store  *store.Store
	Outbox *outbox.Outbox
	Audit  *audit.Log
	Notify *notify.Service
	// People reads the applicant's profile, whose facts are checked.
	People *people.Service
	// Policies checks the applicant against the loan's policy.
	Policies *policy.Catalogue
	// Accounts checks a bank's officers and finds the administrators
	// that late files escalate to.
	Accounts *accounts.Service
	// Figures counts applications, decisions and disbursements.
	Figures *figures.Service
	Clock   core.Clock
	// Calendar is the bureau's working-day calendar the limits count in.
	Calendar *workdays.Calendar
	// Vault seals the attachments' bytes.
	Vault *pii.Vault
}

// New returns the service and registers its index.
func New(d Deps) (*Service, error) {
	if err := core.CheckDeps("loans", d); err != nil {
		return nil, err
	}
	d.Outbox.Register(outbox.SourceFor(d.Store, "loans", LoanIndex, loanDoc))
	return &Service{store: d.Store, outbox: d.Outbox, audit: d.Audit, notify: d.Notify, people: d.People, policies: d.Policies,
		accounts: d.Accounts, figures: d.Figures, clock: d.Clock, calendar: d.Calendar, files: documents.New(d.Store, d.Vault, blobCollection.Name)}, nil
}

// WithClock returns the service on another clock (the demo loader).
func (s *Service) WithClock(c core.Clock) *Service {
	cp := *s
	cp.clock = c
	return &cp
}

// CreateBank adds a partner bank (administrators).
func (s *Service) CreateBank(ctx context.Context, actor accounts.Principal, name string, m accounts.Meta) (*Bank, error) {
	if actor.Role != accounts.Admin {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	var v core.Validation
	name = v.Line("name", name, 2, 60)
	if err := v.Err(); err != nil {
		return nil, err
	}
	b := &Bank{ID: core.NewID(), Name: name, Officers: []string{}, CreatedAt: s.clock.Now()}
	if err := s.store.ClaimKey(ctx, "bank:"+strings.ToLower(name), b.ID, "error.loan.bank_exists"); err != nil {
		return nil, err
	}
	if _, err := s.store.C("banks").InsertOne(ctx, b); err != nil {
		return nil, core.Wrap(err, "insert bank")
	}
	s.audit.Record(ctx, actor.Actor(m), "bank.create", audit.Success, b.ID, name)
	return b, nil
}

// SetOfficers names a bank's officers: active bank-officer accounts, each
// at one bank only.
func (s *Service) SetOfficers(ctx context.Context, actor accounts.Principal, bankID string, ids []string, m accounts.Meta) (*Bank, error) {
	if actor.Role != accounts.Admin {
		return nil, core.Errorf(core.Forbidden, "error.forbidden")
	}
	b, err := s.Bank(ctx, bankID)
	if err != nil {
		return nil, err
	}
	banks, err := s.Banks(ctx)
	if err != nil {
		return nil, err
	}
	list := []string{}
	for _, id := range ids {
		u, err := s.accounts.Get(ctx, id)
		bad := err != nil || u.Role != accounts.BankOfficer || u.Disabled
		for _, other := range banks {
			bad = bad || (other.ID != b.ID && slices.Contains(other.Officers, id))
		}
		if bad {
			return nil, &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"officers": "error.loan.officer"}}
		}
		if !slices.Contains(list, id) {
			list = append(list, id)
		}
	}
	if err := s.store.UpdateIf(ctx, "banks", b.ID, nil, bson.D{{Key: "$set", Value: bson.D{{Key: "officers", Value: list}}}}); err != nil {
		return nil, err
	}
	s.audit.Record(ctx, actor.Actor(m), "bank.officers", audit.Success, b.ID, strings.Join(list, ","))
	return s.Bank(ctx, b.ID)
}

// Bank reads a bank.
func (s *Service) Bank(ctx context.Context, id string) (*Bank, error) {
	if !core.ValidID(id) {
		return nil, core.Errorf(core.NotFound, "error.not_found")
	}
	var b Bank
	if err := s.store.Get(ctx, "banks", id, &b); err != nil {
		return nil, err
	}
	return &b, nil
}

// Banks lists the partner banks (a handful: read whole).
func (s *Service) Banks(ctx context.Context) ([]*Bank, error) {
	var out []*Bank
	err := store.Each(ctx, s.store, "banks", func(b *Bank) error { out = append(out, b); return nil })
	slices.SortFunc(out, func(a, b *Bank) int { return strings.Compare(a.Name, b.Name) })
	return out, err
}

// bankOf returns the bank an officer works at.
func (s *Service) bankOf(ctx context.Context, actor accounts.Principal) (*Bank, error) {
	banks, err := s.Banks(ctx)
	if err != nil {
		return nil, err
	}
	for _, b := range banks {
		if slices.Contains(b.Officers, actor.ID) {
			return b, nil
		}
	}
	return nil, core.Errorf(core.Forbidden, "error.loan.no_bank")
}
