// Package grants owns the applications (申領) for the supports whose
// policy declares how they are applied for (policy.Apply), all but the
// loan file, which services/loans keeps: certificates with a code anyone
// can verify, registrations with their number, and organisations' reward
// claims for the people they list. An application waits on the bureau
// within the policy's working days, or on the applicant when sent back;
// a case officer grants it only on checked facts and the evidence the
// policy names, or refuses it with a reason. What is granted is the
// benefit ledger: one person or organisation never holds the same support
// twice (a key of the key collection), nor a reward for the same person.
package grants

import (
	"time"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/documents"
	"onestop/services/figures"
	"onestop/services/notify"
	"onestop/services/orgs"
	"onestop/services/outbox"
	"onestop/services/people"
	"onestop/services/pii"
	"onestop/services/policy"
	"onestop/services/store"
	"onestop/services/workdays"
)

// collection keeps the applications and, once granted, the ledger.
const collection = "grants"

// Collections of the package: the applications, their documents' bytes.
var Collections = []store.Collection{{Name: collection}, blobCollection}

// Statuses of an application.
const (
	Submitted = "submitted" // the bureau checks and decides
	Returned  = "returned"  // the applicant completes it
	Granted   = "granted"
	Refused   = "refused"
	Withdrawn = "withdrawn"
)

// Statuses in the order of an application's life.
var Statuses = []string{Submitted, Returned, Granted, Refused, Withdrawn}

// WaitingOn says who must act next in each status.
var WaitingOn = map[string]string{Submitted: "bureau", Returned: "applicant"}

// ReturnedDays is the applicant's time to complete an application sent
// back, in working days.
const ReturnedDays = 7

// Index is the applicant's list, the bureau's queue and the ledger.
var Index = search.Index{
	Name:     "grants",
	Text:     []string{"subject_name"},
	Keywords: []string{"status", "kind", "policy_id", "subject_id", "waiting_on", "applicant", "escalated"},
	Numbers:  []string{"due_ms", "due_days", "amount_fen", "lines"},
	Times:    []string{"created_at", "decided_at"},
}

// Step is one entry of an application's history, which the applicant
// sees whole.
type Step struct {
	At        time.Time `bson:"at" json:"at"`
	ActorName string    `bson:"actor_name" json:"actor_name"`
	Side      string    `bson:"side" json:"side"` // applicant, bureau, system
	Action    string    `bson:"action" json:"action"`
	Note      string    `bson:"note,omitempty" json:"note,omitempty"`
}

// Line is one person a reward claim lists, with their labour contract.
// The ID number is sealed; the list shows it masked.
type Line struct {
	Name            string    `bson:"name" json:"name"`
	IDSealed        string    `bson:"id_sealed" json:"-"`
	IDMasked        string    `bson:"id_masked" json:"id_masked"`
	Index           string    `bson:"index" json:"-"` // the number's blind index: the line's once-only key
	ContractStart   core.Date `bson:"contract_start" json:"contract_start"`
	ContractYears   int       `bson:"contract_years" json:"contract_years"`
	SocialInsurance bool      `bson:"social_insurance" json:"social_insurance"`
	// Short names the first term the line fails ("" when it meets them):
	// contract, served, insurance, roster, claimed.
	Short string `bson:"short,omitempty" json:"short,omitempty"`
	// indexes are the line's once-only keys under every key of the vault's
	// ring, while the claim is made (never stored).
	indexes []string
}

// Meets reports whether the line counts towards the reward.
func (l Line) Meets() bool { return l.Short == "" }

// Grant is what an application granted: the ledger's entry.
type Grant struct {
	At            time.Time `bson:"at" json:"at"`
	ByName        string    `bson:"by_name" json:"by_name"`
	PolicyVersion int       `bson:"policy_version" json:"policy_version"`
	// Code is a certificate's code, which anyone can verify (/verify).
	Code string `bson:"code,omitempty" json:"code,omitempty"`
	// Number is a registration's number; HardshipNumber the 《再就業優惠證》's.
	Number         string    `bson:"number,omitempty" json:"number,omitempty"`
	HardshipNumber string    `bson:"hardship_number,omitempty" json:"hardship_number,omitempty"`
	AmountFen      int64     `bson:"amount_fen,omitempty" json:"amount_fen,omitempty"`
	ValidFrom      core.Date `bson:"valid_from,omitzero" json:"valid_from,omitzero"`
	ValidUntil     core.Date `bson:"valid_until,omitzero" json:"valid_until,omitzero"`
	// HalfUntil ends the half-rate years of a relief (三免兩減半).
	HalfUntil core.Date `bson:"half_until,omitzero" json:"half_until,omitzero"`
	// Auto: granted without an application (免申即享).
	Auto bool `bson:"auto,omitempty" json:"auto,omitempty"`
	// Course is the kind of course a voucher pays for; Redeemed says which
	// provider's claim used it.
	Course   string      `bson:"course,omitempty" json:"course,omitempty"`
	Redeemed *Redemption `bson:"redeemed,omitempty" json:"redeemed,omitempty"`
}

// Redemption is a voucher used in a provider's subsidy claim.
type Redemption struct {
	ClaimID  string    `bson:"claim_id" json:"claim_id"`
	Provider string    `bson:"provider" json:"provider"`
	At       time.Time `bson:"at" json:"at"`
}

// Application is one application for a support and, once granted, its
// entry in the ledger.
type Application struct {
	ID            string `bson:"_id" json:"id"`
	PolicyID      string `bson:"policy_id" json:"policy_id"`
	PolicyVersion int    `bson:"policy_version" json:"policy_version"`
	Kind          string `bson:"kind" json:"kind"`
	// Applicant is policy.ByPerson or policy.ByOrganisation; SubjectID is
	// the person's or the organisation's id, SubjectName its name.
	Applicant   string `bson:"applicant" json:"applicant"`
	SubjectID   string `bson:"subject_id" json:"-"`
	SubjectName string `bson:"subject_name" json:"subject_name"`
	ByID        string `bson:"by_id" json:"-"` // the account that applied
	Note        string `bson:"note,omitempty" json:"note,omitempty"`
	// Hardship: the applicant asks for the 《再就業優惠證》 too.
	Hardship  bool       `bson:"hardship,omitempty" json:"hardship,omitempty"`
	Lines     []Line     `bson:"lines,omitempty" json:"lines,omitempty"`
	Documents []Document `bson:"documents" json:"documents"`
	Status    string     `bson:"status" json:"status"`
	DueAt     time.Time  `bson:"due_at,omitzero" json:"due_at,omitzero"`
	DueDays   int        `bson:"due_days" json:"due_days"`
	// EscalatedFor is the time limit the worker raised the application
	// for (worker.go): once per limit.
	EscalatedFor time.Time `bson:"escalated_for,omitzero" json:"-"`
	History      []Step    `bson:"history" json:"history"`
	Grant        *Grant    `bson:"grant,omitempty" json:"grant,omitempty"`
	DecidedAt    time.Time `bson:"decided_at,omitzero" json:"decided_at,omitzero"`
	// Version moves with every write: each is guarded on the one read.
	Version   int       `bson:"version" json:"version"`
	CreatedAt time.Time `bson:"created_at" json:"created_at"`
}

// Waiting says whom the application waits on now ("" when nobody).
func (a *Application) Waiting() string { return WaitingOn[a.Status] }

// Overdue reports whether the side it waits on is past its time limit.
func (a *Application) Overdue(now time.Time) bool {
	return a.Waiting() != "" && !a.DueAt.IsZero() && now.After(a.DueAt)
}

// Meeting counts the lines that meet the reward's terms.
func (a *Application) Meeting() int {
	n := 0
	for _, l := range a.Lines {
		if l.Meets() {
			n++
		}
	}
	return n
}

// Has reports whether a document of kind is attached.
func (a *Application) Has(kind string) bool {
	for _, d := range a.Documents {
		if d.Kind == kind {
			return true
		}
	}
	return false
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func toDoc(a *Application) *search.Doc {
	due, days := int64(0), 0
	waiting := a.Waiting()
	if waiting != "" {
		due, days = a.DueAt.UnixMilli(), a.DueDays
	} else {
		waiting = "none"
	}
	var amount int64
	if a.Grant != nil {
		amount = a.Grant.AmountFen
	}
	return &search.Doc{ID: a.ID, Fields: map[string]any{"subject_name": a.SubjectName, "status": a.Status, "kind": a.Kind,
		"policy_id": a.PolicyID, "subject_id": a.SubjectID, "waiting_on": waiting, "applicant": a.Applicant, "due_ms": due, "due_days": days,
		"amount_fen": amount, "lines": len(a.Lines), "created_at": a.CreatedAt, "decided_at": a.DecidedAt,
		"escalated": yesNo(!a.DueAt.IsZero() && a.EscalatedFor.Equal(a.DueAt))}}
}

// Service runs applications.
type Service struct {
	store    *store.Store
	outbox   *outbox.Outbox
	audit    *audit.Log
	notify   *notify.Service
	people   *people.Service
	orgs     *orgs.Service
	policies *policy.Catalogue
	figures  *figures.Service
	vault    *pii.Vault
	files    *documents.Store
	clock    core.Clock
	calendar *workdays.Calendar
	accounts *accounts.Service
}

// Deps wires the service.
type Deps struct {
	Store  *store.Store
	Outbox *outbox.Outbox
	Audit  *audit.Log
	Notify *notify.Service
	// People reads an applicant's profile and where its facts came from,
	// and finds the people a reward claim lists on the rosters.
	People *people.Service
	// Orgs says which organisation an account claims for.
	Orgs *orgs.Service
	// Policies is the catalogue the applications are made under.
	Policies *policy.Catalogue
	// Figures counts applications and grants (the policy-delivery figures).
	Figures *figures.Service
	// Vault seals the ID numbers a reward claim lists.
	Vault *pii.Vault
	Clock core.Clock
	// Calendar counts the time limits in working days.
	Calendar *workdays.Calendar
	// Accounts lists the administrators late applications are raised to.
	Accounts *accounts.Service
}

// New returns the service and registers its index.
func New(d Deps) (*Service, error) {
	if err := core.CheckDeps(collection, d); err != nil {
		return nil, err
	}
	d.Outbox.Register(outbox.SourceFor(d.Store, collection, Index, toDoc))
	return &Service{store: d.Store, outbox: d.Outbox, audit: d.Audit, notify: d.Notify, people: d.People, orgs: d.Orgs,
		policies: d.Policies, figures: d.Figures, vault: d.Vault, clock: d.Clock, calendar: d.Calendar, accounts: d.Accounts,
		files: documents.New(d.Store, d.Vault, blobCollection.Name)}, nil
}

// WithClock returns the service on another clock (the demo loader).
func (s *Service) WithClock(c core.Clock) *Service {
	cp := *s
	cp.clock = c
	return &cp
}

// system is the principal of the grants nobody asked for.
var system = accounts.Principal{ID: "system", Role: accounts.Admin, Name: "system"}
