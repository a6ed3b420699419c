package policy

import (
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"time"
	"unicode/utf8"

	"onestop/services/core"
)

// Languages of the catalogue's texts, default first.
var Languages = []string{"zh-Hant", "zh-Hans", "en"}

// Text is a string in each language.
type Text map[string]string

// In returns the text in lang, falling back to the default language.
func (t Text) In(lang string) string {
	if s := t[lang]; s != "" {
		return s
	}
	return t[Languages[0]]
}

// Benefit is what a policy grants, in numbers the engine can fill in.
type Benefit struct {
	AmountYuan    int64   `json:"amount_yuan,omitempty" bson:"amount_yuan,omitempty"`
	PerPersonYuan int64   `json:"per_person_yuan,omitempty" bson:"per_person_yuan,omitempty"`
	PersonsFact   string  `json:"persons_fact,omitempty" bson:"persons_fact,omitempty"`
	RatePct       float64 `json:"rate_pct,omitempty" bson:"rate_pct,omitempty"`
	TermMonthsMax int     `json:"term_months_max,omitempty" bson:"term_months_max,omitempty"`
	FromFact      string  `json:"from_fact,omitempty" bson:"from_fact,omitempty"` // the date the period starts
	Years         int     `json:"years,omitempty" bson:"years,omitempty"`
	HalfYears     int     `json:"half_years,omitempty" bson:"half_years,omitempty"` // then at half rate
	// PerTraineeYuan is a training subsidy's standard: the most paid for
	// one trainee of a course, by kind of course (awareness, planning,
	// management, skills). A provider's subsidy is bounded by it.
	PerTraineeYuan map[string]int64 `json:"per_trainee_yuan,omitempty" bson:"per_trainee_yuan,omitempty"`
}

// Apply says how a support is applied for (申領), as data: a policy an
// administrator adds with a kind here can be applied for without a
// release. A policy without one is explained, not applied for.
type Apply struct {
	// Kind is the application's kind, one of ApplyKinds: "loan" files a
	// guaranteed-loan application (services/loans), bounded by the
	// policy's Benefit (amount, term, interest subsidy); "certificate"
	// grants a certificate whose code anyone can verify (the fee
	// exemption, the tax-relief confirmation), valid for the Benefit's
	// years; "registration" grants a registration with its number (the
	// 《就業登記證》, and the 《再就業優惠證》 for those in hardship);
	// "reward" is an organisation's claim of so much a head for the people
	// it lists (services/grants); "subsidy" pays the Benefit's amount once,
	// on the evidence named (a one-off start-up subsidy); "voucher" issues
	// a training voucher.
	Kind string `json:"kind" bson:"kind"`
	// Documents are the evidence an applicant uploads, by kind
	// (EvidenceKinds); each named one is required.
	Documents []string `json:"documents,omitempty" bson:"documents,omitempty"`
	// Days is the bureau's time limit to decide, in working days (5 when 0).
	Days int `json:"days,omitempty" bson:"days,omitempty"`
	// Decider is who decides: a case officer (the default) or only an
	// administrator. An administrator may always decide.
	Decider string `json:"decider,omitempty" bson:"decider,omitempty"`
	// Prefix starts a registration's numbers (登記證號), e.g. "JY".
	Prefix string `json:"prefix,omitempty" bson:"prefix,omitempty"`
	// Hardship lets a registration also grant the 《再就業優惠證》 to those
	// the bureau finds in hardship (被徵地農民 三(一)).
	Hardship bool `json:"hardship,omitempty" bson:"hardship,omitempty"`
	// Lines are the terms each person a reward claim lists must meet.
	Lines *LineTerms `json:"lines,omitempty" bson:"lines,omitempty"`
	// Organisations are the kinds of organisation that may claim (all when
	// empty): employer, labour_agency, farmer_entity (services/orgs).
	Organisations []string `json:"organisations,omitempty" bson:"organisations,omitempty"`
	// Course is the kind of course a voucher pays for (a key of the
	// Benefit's PerTraineeYuan); Months how long it is valid (12 when 0).
	Course string `json:"course,omitempty" bson:"course,omitempty"`
	Months int    `json:"months,omitempty" bson:"months,omitempty"`
	// Auto grants the support without an application (免申即享) once a
	// person is eligible on checked facts alone.
	Auto bool `json:"auto,omitempty" bson:"auto,omitempty"`
}

// LineTerms are what a reward claim's listed people must meet: a labour
// contract of at least ContractYears, served for ServedYears, social
// insurance paid, on the land-expropriated farmers' roster; and the
// least number of such people a claim must list (MinLines: "more than 10"
// is 11).
type LineTerms struct {
	ContractYears   int  `json:"contract_years,omitempty" bson:"contract_years,omitempty"`
	ServedYears     int  `json:"served_years,omitempty" bson:"served_years,omitempty"`
	SocialInsurance bool `json:"social_insurance,omitempty" bson:"social_insurance,omitempty"`
	OnRoster        bool `json:"on_roster,omitempty" bson:"on_roster,omitempty"`
	MinLines        int  `json:"min_lines,omitempty" bson:"min_lines,omitempty"`
}

// The kinds of application.
const (
	ApplyLoan         = "loan"
	ApplyCertificate  = "certificate"
	ApplyRegistration = "registration"
	ApplyReward       = "reward"
	ApplyVoucher      = "voucher"
	ApplySubsidy      = "subsidy"
)

// ApplyKinds are the kinds of application the portal runs.
var ApplyKinds = []string{ApplyLoan, ApplyCertificate, ApplyRegistration, ApplyReward, ApplySubsidy, ApplyVoucher}

// EvidenceKinds are the documents an application may ask for.
var EvidenceKinds = []string{"id_card", "graduation_certificate", "unemployment_certificate", "disability_certificate",
	"discharge_certificate", "business_licence", "land_expropriation_proof", "labour_contracts", "social_insurance_record",
	"hardship_proof", "tax_registration"}

// OrganisationKinds are the kinds of organisation account (services/orgs
// keeps the same list; a test holds them equal).
var OrganisationKinds = []string{"employer", "labour_agency", "farmer_entity"}

// Deciders are who may be named to decide an application.
var Deciders = []string{"case_officer", "admin"}

// DefaultApplyDays is the bureau's time limit when a policy names none.
const DefaultApplyDays = 5

// AppliedAs reports whether the policy is applied for as kind.
func (p *Policy) AppliedAs(kind string) bool { return p.Apply != nil && p.Apply.Kind == kind }

// Applicable reports whether the policy is applied for through the
// general applications (every kind but the loan file).
func (p *Policy) Applicable() bool {
	return p.Active && p.Apply != nil && p.Apply.Kind != ApplyLoan
}

// ValidMonths is how long a voucher holds.
func (a *Apply) ValidMonths() int {
	if a == nil || a.Months <= 0 {
		return 12
	}
	return a.Months
}

// DecideDays is the bureau's time limit in working days.
func (a *Apply) DecideDays() int {
	if a == nil || a.Days <= 0 {
		return DefaultApplyDays
	}
	return a.Days
}

// Policy is one public support of the catalogue.
type Policy struct {
	ID          string          `json:"id" bson:"_id"`
	Version     int             `json:"version" bson:"version"`
	Name        Text            `json:"name" bson:"name"`
	Summary     Text            `json:"summary" bson:"summary"`
	Grantor     Text            `json:"grantor" bson:"grantor"`
	BenefitText Text            `json:"benefit_text" bson:"benefit_text"`
	Basis       string          `json:"basis" bson:"basis"`
	Benefit     Benefit         `json:"benefit" bson:"benefit"`
	Apply       *Apply          `json:"apply,omitempty" bson:"apply,omitempty"`
	Conditions  json.RawMessage `json:"conditions" bson:"-"`
	Stored      string          `json:"-" bson:"conditions"` // the conditions as JSON text
	Active      bool            `json:"active" bson:"active"`
	Applicant   string          `json:"applicant,omitempty" bson:"applicant,omitempty"` // who claims it (ByPerson when empty)
	UpdatedAt   time.Time       `json:"updated_at" bson:"updated_at"`
	UpdatedBy   string          `json:"updated_by,omitempty" bson:"updated_by,omitempty"`

	cond *Cond
}

// Who claims a support (Policy.Applicant): a person, or an organisation —
// an employer, a labour agency or training institution, an entity founded
// by land-expropriated farmers (the hiring rewards of 被徵地農民 三(三)(四)).
// A person is not asked for an organisation's facts.
const (
	ByPerson       = "person"
	ByOrganisation = "organisation"
)

// Applicants are the values Policy.Applicant may take ("" is a person).
var Applicants = []string{ByPerson, ByOrganisation}

// ForOrganisations reports whether an organisation, not a person, claims
// the support.
func (p *Policy) ForOrganisations() bool { return p.Applicant == ByOrganisation }

var policyID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,59}$`)

// applyPrefix is a registration number's prefix: capitals, 1–6.
var applyPrefix = regexp.MustCompile(`^[A-Z]{1,6}$`)

// courseKind is the shape of a kind of training course (the training
// package owns the list; this package only keeps the standards).
var courseKind = regexp.MustCompile(`^[a-z][a-z_]{1,29}$`)

// Validate checks a policy and compiles its conditions. A condition naming
// an unknown fact or a wrong operator is refused with the path of the node.
func (p *Policy) Validate() error { return p.validate(nil) }

// validate checks a policy whose conditions may also read the facts an
// administrator defined.
func (p *Policy) validate(defined vocabulary) error {
	var v core.Validation
	v.Check(policyID.MatchString(p.ID), "id", "error.policy.id")
	for field, t := range map[string]Text{"name": p.Name, "summary": p.Summary, "grantor": p.Grantor, "benefit_text": p.BenefitText} {
		limit := 200
		if field == "summary" {
			limit = 2000
		}
		for _, l := range Languages {
			s := t[l]
			v.Check(s != "" && utf8.ValidString(s) && utf8.RuneCountInString(s) <= limit, field+"."+l, "error.policy.text")
		}
		for l := range t {
			v.Check(slices.Contains(Languages, l), field, "error.policy.language")
		}
	}
	v.Check(utf8.RuneCountInString(p.Basis) <= 200, "basis", "error.policy.text")
	v.Check(p.Applicant == "" || slices.Contains(Applicants, p.Applicant), "applicant", "error.enum")
	if p.Applicant == ByPerson {
		p.Applicant = "" // one way to say it: the default
	}
	b := p.Benefit
	v.Check(b.AmountYuan >= 0 && b.AmountYuan <= 100_000_000 && b.PerPersonYuan >= 0 && b.PerPersonYuan <= 1_000_000, "benefit", "error.number.range")
	v.Check(b.RatePct >= 0 && b.RatePct <= 100 && b.TermMonthsMax >= 0 && b.TermMonthsMax <= 600, "benefit", "error.number.range")
	v.Check(b.Years >= 0 && b.Years <= 50 && b.HalfYears >= 0 && b.HalfYears <= 50, "benefit", "error.number.range")
	v.Check(len(b.PerTraineeYuan) <= 10, "benefit", "error.number.range")
	for kind, yuan := range b.PerTraineeYuan {
		v.Check(courseKind.MatchString(kind) && yuan >= 0 && yuan <= 100_000, "benefit", "error.number.range")
	}
	if b.PersonsFact != "" {
		d, ok := facts[b.PersonsFact]
		v.Check(ok && d.kind == kNumber, "benefit", "error.policy.fact")
	}
	if b.FromFact != "" {
		d, ok := facts[b.FromFact]
		v.Check(ok && d.kind == kDate, "benefit", "error.policy.fact")
	}
	if a := p.Apply; a != nil {
		v.Check(slices.Contains(ApplyKinds, a.Kind), "apply.kind", "error.enum")
		a.Documents = v.Subset("apply.documents", a.Documents, EvidenceKinds)
		v.Check(a.Days >= 0 && a.Days <= 60, "apply.days", "error.number.range")
		v.Check(a.Decider == "" || slices.Contains(Deciders, a.Decider), "apply.decider", "error.enum")
		v.Check(a.Prefix == "" || applyPrefix.MatchString(a.Prefix), "apply.prefix", "error.policy.prefix")
		v.Check(!a.Hardship || a.Kind == ApplyRegistration, "apply.hardship", "error.policy.apply_field")
		reward := a.Kind == ApplyReward
		v.Check(reward == (a.Lines != nil), "apply.lines", "error.policy.apply_lines")
		v.Check(!reward || p.Applicant == ByOrganisation, "applicant", "error.policy.apply_applicant")
		v.Check(!reward || b.PerPersonYuan > 0, "benefit", "error.policy.apply_amount")
		v.Check(a.Kind != ApplySubsidy || b.AmountYuan > 0, "benefit", "error.policy.apply_subsidy")
		if l := a.Lines; l != nil {
			v.Check(l.ContractYears >= 0 && l.ContractYears <= 10 && l.ServedYears >= 0 && l.ServedYears <= 10 && l.MinLines >= 0 && l.MinLines <= 1000, "apply.lines", "error.number.range")
		}
		a.Organisations = v.Subset("apply.organisations", a.Organisations, OrganisationKinds)
		v.Check(len(a.Organisations) == 0 || p.Applicant == ByOrganisation, "apply.organisations", "error.policy.apply_field")
		v.Check(!a.Auto || a.Kind == ApplyCertificate || a.Kind == ApplyRegistration || a.Kind == ApplyVoucher, "apply.auto", "error.policy.apply_field")
		voucher := a.Kind == ApplyVoucher
		v.Check(!voucher || b.PerTraineeYuan[a.Course] > 0, "apply.course", "error.policy.apply_course")
		v.Check(voucher || a.Course == "" && a.Months == 0, "apply.course", "error.policy.apply_field")
		v.Check(a.Months >= 0 && a.Months <= 36, "apply.months", "error.number.range")
	}
	raw := p.Conditions
	if len(raw) == 0 {
		raw = json.RawMessage(`{}`)
	}
	c, err := parseConditions(raw, defined)
	if err != nil {
		var ce *CondError
		if !errors.As(err, &ce) {
			return err
		}
		v.Add("conditions", ce.Msg)
		return v.Err()
	}
	if err := v.Err(); err != nil {
		return err
	}
	p.cond = c
	compact, _ := json.Marshal(c)
	p.Conditions = compact
	p.Stored = string(compact)
	return nil
}

// Cond returns the compiled conditions.
func (p *Policy) Cond() *Cond { return p.cond }

// Status is the outcome of a check.
type Status string

// The outcomes.
const (
	Eligible    Status = "eligible"
	NotEligible Status = "not_eligible"
	NeedsInfo   Status = "needs_info"
	// Voluntary: the person fails only parts the rule waives on their own
	// application (Cond.Voluntary) — 可自願報名參加, not 不符合.
	Voluntary Status = "voluntary"
	// ForOrganisations: a support an organisation claims, which a person's
	// answers have not shown their venture to qualify for (ForPerson).
	ForOrganisations Status = "for_organisations"
)

// Result is one policy checked against one person.
type Result struct {
	Policy  *Policy
	Status  Status
	Reasons []Reason
	Missing []string // facts to give, for needs_info
	Benefit *Granted
	// Unverified names the checked facts (核驗項) an eligible outcome rests
	// on that nobody has verified: the person's own word. The engine leaves
	// it empty; whoever knows where each fact came from fills it
	// (people.Service), so the answer can say "eligible once checked".
	Unverified []string
}

// MayNeed lists every fact an undecided policy's conditions name that the
// person has not given — not only the next one Missing asks for — so a
// form can ask them in one round instead of one rule at a time.
func (r Result) MayNeed(f *Facts) []string {
	if r.Status != NeedsInfo || r.Policy.cond == nil {
		return nil
	}
	var out []string
	e := &evaluation{f: f}
	for _, rs := range r.Policy.cond.leaves(e) {
		if rs.Met == Unknown && rs.Missing != "" && !slices.Contains(out, rs.Missing) {
			out = append(out, rs.Missing)
		}
	}
	return out
}

// Granted is the benefit worked out for the person.
type Granted struct {
	AmountYuan    int64     `json:"amount_yuan,omitempty"`
	PerPersonYuan int64     `json:"per_person_yuan,omitempty"`
	Persons       int       `json:"persons,omitempty"`
	TotalYuan     int64     `json:"total_yuan,omitempty"`
	RatePct       float64   `json:"rate_pct,omitempty"`
	TermMonthsMax int       `json:"term_months_max,omitempty"`
	From          core.Date `json:"from,omitzero"`
	Until         core.Date `json:"until,omitzero"`      // last day of the full benefit
	HalfUntil     core.Date `json:"half_until,omitzero"` // last day at half rate
}

// Evaluate checks facts against every policy as of a day. It reads only
// memory: one profile against the whole catalogue costs microseconds.
func Evaluate(policies []*Policy, f *Facts, asOf core.Date) []Result {
	out := make([]Result, 0, len(policies))
	for _, p := range policies {
		if !p.Active || p.cond == nil {
			continue
		}
		e := &evaluation{f: f, asOf: asOf}
		t, reasons := p.cond.eval(e)
		r := Result{Policy: p, Reasons: reasons}
		switch {
		case t == Yes && e.waived:
			r.Status = Voluntary
			r.Benefit = p.grant(f, asOf)
		case t == Yes:
			r.Status = Eligible
			r.Benefit = p.grant(f, asOf)
		case t == No:
			r.Status = NotEligible
		default:
			r.Status = NeedsInfo
			for _, rs := range reasons {
				if rs.Missing != "" && !slices.Contains(r.Missing, rs.Missing) {
					r.Missing = append(r.Missing, rs.Missing)
				}
			}
		}
		out = append(out, r)
	}
	return out
}

// ForPerson is how results read to a person: a support an organisation
// claims is theirs only when their venture's facts already qualify it;
// otherwise it is for organisations, with nothing to ask and nothing
// failed (a job seeker is not asked whether she is a labour agency).
func ForPerson(rs []Result) []Result {
	for i, r := range rs {
		if r.Policy.ForOrganisations() && r.Status != Eligible {
			rs[i] = Result{Policy: r.Policy, Status: ForOrganisations}
		}
	}
	return rs
}

func (p *Policy) grant(f *Facts, asOf core.Date) *Granted {
	b := p.Benefit
	g := &Granted{AmountYuan: b.AmountYuan, PerPersonYuan: b.PerPersonYuan, RatePct: b.RatePct, TermMonthsMax: b.TermMonthsMax}
	if b.PersonsFact != "" {
		if v, ok := facts[b.PersonsFact].get(f, asOf); ok {
			g.Persons = int(v.(float64))
			g.TotalYuan = int64(g.Persons) * b.PerPersonYuan
		}
	}
	if b.FromFact != "" {
		if v, ok := facts[b.FromFact].get(f, asOf); ok {
			g.From = v.(core.Date)
			if b.Years > 0 {
				g.Until = g.From.AddYears(b.Years).AddDays(-1)
			}
			if b.HalfYears > 0 {
				g.HalfUntil = g.From.AddYears(b.Years + b.HalfYears).AddDays(-1)
			}
		}
	}
	return g
}

func asErr(err error, target **core.Error) bool { return errors.As(err, target) }
