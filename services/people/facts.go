package people

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"onestop/services/core"
	"onestop/services/policy"
)

// Where a profile's fact came from (來源).
const (
	// SourceSelf is the person's own word (自行申報): every fact is, until
	// someone checks it.
	SourceSelf = "self"
	// SourceVerified is a case officer's or an administrator's check on
	// evidence (經辦核實): who, when, a note and optionally a document.
	SourceVerified = "verified"
	// SourceRoster is a roster the bureau imported (花名冊): the village
	// committee's land-expropriated farmers, the land bureau's lists.
	SourceRoster = "roster"
	// SourceRecord is a fact the portal keeps from its own records, never
	// from anyone's word: refused recommendations (recommendations.go).
	SourceRecord = "record"
)

// FactSource is where one fact of a profile came from. A profile keeps one
// per checked fact that someone other than the person established (or
// whose check lapsed); a fact without one is self-declared.
type FactSource struct {
	Fact  string `bson:"fact" json:"fact"`
	Check `bson:",inline"`
	// Lapsed is the check that no longer holds: the person changed the
	// value since (Source is then SourceSelf, At when it lapsed).
	Lapsed *Check `bson:"lapsed,omitempty" json:"lapsed,omitempty"`
}

// Check is how a fact was established, or that it was not (SourceSelf).
type Check struct {
	Source string `bson:"source" json:"source"`
	// Value is the value as established, in canonical text (FactValue):
	// when the fact's value moves away from it, the check lapses.
	Value string    `bson:"value,omitempty" json:"value,omitempty"`
	At    time.Time `bson:"at" json:"at"`
	// ByID and ByName are the staff member who verified it.
	ByID   string `bson:"by_id,omitempty" json:"by_id,omitempty"`
	ByName string `bson:"by_name,omitempty" json:"by_name,omitempty"`
	// Note says what was checked ("已核對北山村花名冊第 12 頁").
	Note     string    `bson:"note,omitempty" json:"note,omitempty"`
	Document *Evidence `bson:"document,omitempty" json:"document,omitempty"`
	// Roster names the imported roster the fact came from.
	Roster string `bson:"roster,omitempty" json:"roster,omitempty"`
}

// Established reports whether the fact rests on more than the person's
// word.
func (f Check) Established() bool {
	return f.Source == SourceVerified || f.Source == SourceRoster || f.Source == SourceRecord
}

// CheckedFact is a fact a support reads that the bureau checks before it
// grants the support (核驗項).
type CheckedFact struct {
	// Key is the fact's name as policies read it, or target_groups.<group>
	// for belonging to a target group.
	Key  string
	Kind string // FactBool, FactNumber or FactDate
	// Protected facts are never the person's to set: only a check or a
	// roster establishes them (the profile form shows them read-only).
	Protected bool
	// ConfirmedBy is another checked fact whose establishment (as true)
	// confirms this one: a land-expropriated farmer is, by the source's
	// definition, one on the roster (二, 認定方法).
	ConfirmedBy string
	// PendingFor is the target group whose members are answered as if the
	// protected fact held, until it is checked: a farmer is "eligible once
	// the roster entry is confirmed", not asked for what they cannot give.
	PendingFor string
}

// Kinds of checked facts.
const (
	FactBool   = policy.KindBool
	FactNumber = policy.KindNumber
	FactDate   = policy.KindDate
)

// groupPrefix is how a checked fact names membership of a target group.
const groupPrefix = "target_groups."

// CheckedFacts are the facts a decision must see checked, in the order
// pages list them. Each has catalog keys checked.<key> (what it is, named by
// its evidence) and checked.<key>.bring (what the person brings to have it
// checked).
var CheckedFacts = []CheckedFact{
	{Key: "on_farmer_roster", Kind: FactBool, Protected: true, PendingFor: "land_expropriated_farmer"},
	{Key: groupPrefix + "land_expropriated_farmer", Kind: FactBool, ConfirmedBy: "on_farmer_roster"},
	{Key: "farmland_per_capita_mu", Kind: FactNumber},
	{Key: "relocated_by_law", Kind: FactBool},
	{Key: groupPrefix + "registered_unemployed", Kind: FactBool},
	{Key: groupPrefix + "disabled", Kind: FactBool},
	{Key: groupPrefix + "retired_soldier", Kind: FactBool},
	{Key: groupPrefix + "college_graduate", Kind: FactBool},
	{Key: "graduation_date", Kind: FactDate},
	{Key: groupPrefix + "unemployment_insurance_recipient", Kind: FactBool},
	{Key: "venture.first_registered", Kind: FactDate},
}

// ProtectedFacts are the facts a person can neither raise nor lower: the
// protected checked facts, and the count of refused recommendations that
// staff record (recommendations.go).
var ProtectedFacts = []string{"on_farmer_roster", "training_refusals"}

// Checked returns the built-in checked fact of a key.
func Checked(key string) (CheckedFact, bool) { return find(CheckedFacts, key) }

func find(list []CheckedFact, key string) (CheckedFact, bool) {
	i := slices.IndexFunc(list, func(c CheckedFact) bool { return c.Key == key })
	if i < 0 {
		return CheckedFact{}, false
	}
	return list[i], true
}

// AllCheckedFacts are the built-in checked facts, then every fact an
// administrator defined (policy.DefinedFact): any may be checked, and one
// only a check may set is protected.
func (s *Service) AllCheckedFacts(ctx context.Context) ([]CheckedFact, error) {
	defs, err := s.policies.Defined(ctx)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(CheckedFacts)
	for _, d := range defs {
		out = append(out, CheckedFact{Key: d.Name, Kind: d.Kind, Protected: d.Protected()})
	}
	return out, nil
}

// FactValue is a fact's value in canonical text: "true"/"false", a
// number as Go prints it, a date as YYYY-MM-DD; "" when unknown. Only the
// checked and protected facts are read.
func FactValue(f *policy.Facts, key string) string {
	if g, ok := strings.CutPrefix(key, groupPrefix); ok {
		if f.TargetGroups == nil {
			return ""
		}
		return strconv.FormatBool(f.HasGroup(g))
	}
	switch key {
	case "on_farmer_roster":
		return boolText(f.OnFarmerRoster)
	case "relocated_by_law":
		return boolText(f.RelocatedByLaw)
	case "farmland_per_capita_mu":
		if f.FarmlandPerCapitaMu == nil {
			return ""
		}
		return strconv.FormatFloat(*f.FarmlandPerCapitaMu, 'f', -1, 64)
	case "graduation_date":
		return dateText(f.GraduationDate)
	case "venture.first_registered":
		if f.Venture == nil {
			return ""
		}
		return dateText(f.Venture.FirstRegistered)
	case "training_refusals":
		if f.TrainingRefusals == nil {
			return ""
		}
		return strconv.Itoa(*f.TrainingRefusals)
	}
	return f.Extra[key] // a defined fact's, already canonical
}

func boolText(b *bool) string {
	if b == nil {
		return ""
	}
	return strconv.FormatBool(*b)
}

func dateText(d *core.Date) string {
	if d == nil {
		return ""
	}
	return d.String()
}

// ParseFactValue reads a value given for a checked fact into canonical
// text; ok is false when it is not a value of the fact's kind.
func ParseFactValue(c CheckedFact, s string) (string, bool) { return policy.ParseValue(c.Kind, s) }

// setFact sets a checked fact to a canonical value (ParseFactValue).
func setFact(f *policy.Facts, key, value string) {
	if g, ok := strings.CutPrefix(key, groupPrefix); ok {
		groups := slices.DeleteFunc(slices.Clone(f.TargetGroups), func(x string) bool { return x == g })
		if groups == nil {
			groups = []string{}
		}
		if value == "true" {
			groups = append(groups, g)
		}
		f.TargetGroups = groups
		return
	}
	switch key {
	case "on_farmer_roster":
		b := value == "true"
		f.OnFarmerRoster = &b
	case "relocated_by_law":
		b := value == "true"
		f.RelocatedByLaw = &b
	case "farmland_per_capita_mu":
		n, _ := strconv.ParseFloat(value, 64)
		f.FarmlandPerCapitaMu = &n
	case "graduation_date":
		d, _ := core.ParseDate(value)
		f.GraduationDate = &d
	case "venture.first_registered":
		d, _ := core.ParseDate(value)
		w := policy.Venture{}
		if f.Venture != nil {
			w = *f.Venture
		}
		w.FirstRegistered = &d
		f.Venture = &w
	default: // a defined fact
		extra := maps.Clone(f.Extra)
		if extra == nil {
			extra = policy.Extra{}
		}
		extra[key] = value
		f.Extra = extra
	}
}

// SourceOf is where a fact of the profile came from: its stored source,
// the bureau's record for the count of refused recommendations (as of the
// last one recorded), or the person's word.
func (p *Profile) SourceOf(key string) FactSource {
	if i := slices.IndexFunc(p.Sources, func(s FactSource) bool { return s.Fact == key }); i >= 0 {
		return p.Sources[i]
	}
	if key == "training_refusals" {
		src := FactSource{Fact: key, Check: Check{Source: SourceRecord, Value: FactValue(&p.Facts, key)}}
		if n := len(p.Recommendations); n > 0 {
			src.At = p.Recommendations[n-1].At
		}
		return src
	}
	return FactSource{Fact: key, Check: Check{Source: SourceSelf}}
}

// Verified reports whether a checked fact of the profile rests on more
// than the person's word: established itself, or confirmed by the fact
// that confirms it.
func (p *Profile) Verified(key string) bool {
	if p.SourceOf(key).Established() {
		return true
	}
	c, ok := Checked(key)
	if !ok || c.ConfirmedBy == "" {
		return false
	}
	by := p.SourceOf(c.ConfirmedBy)
	return by.Established() && by.Value == "true"
}

// withSource returns sources with the one of src.Fact replaced by src.
func withSource(sources []FactSource, src FactSource) []FactSource {
	out := slices.DeleteFunc(slices.Clone(sources), func(s FactSource) bool { return s.Fact == src.Fact })
	return append(out, src)
}

// lapse returns the sources after the facts changed to now: every
// established value the facts no longer hold falls back to the person's
// word, keeping the check that lapsed for staff to see.
func lapse(sources []FactSource, now *policy.Facts, at time.Time) []FactSource {
	out := slices.Clone(sources)
	for i, s := range out {
		if (s.Source == SourceVerified || s.Source == SourceRoster) && FactValue(now, s.Fact) != s.Value {
			was := s.Check
			out[i] = FactSource{Fact: s.Fact, Check: Check{Source: SourceSelf, At: at}, Lapsed: &was}
		}
	}
	return out
}

// protect refuses a change the person made to a fact they must not set
// (ProtectedFacts, and the defined facts only a check sets) and keeps the
// stored value where they gave none: a protected fact is neither raised
// nor lowered, nor forgotten, by a save. The count of refusals is the
// history's (refusalCount).
func protect(v *core.Validation, old *Profile, now *policy.Facts, checked []CheckedFact) {
	for _, c := range checked {
		if _, builtin := Checked(c.Key); builtin || !c.Protected || slices.Contains(ProtectedFacts, c.Key) {
			continue
		}
		given, kept := now.Extra[c.Key], old.Facts.Extra[c.Key]
		if given != "" && given != kept {
			v.Add("extra."+c.Key, "error.fact.protected")
		}
		if given != kept {
			setFact(now, c.Key, kept)
			if kept == "" {
				delete(now.Extra, c.Key)
			}
		}
	}
	kept := old.Facts
	kept.TrainingRefusals = refusalCount(old)
	for _, key := range ProtectedFacts {
		given := FactValue(now, key)
		if given != "" && given != FactValue(&kept, key) {
			v.Add(key, "error.fact.protected")
		}
	}
	now.OnFarmerRoster, now.TrainingRefusals = kept.OnFarmerRoster, kept.TrainingRefusals
}

// refusalCount is the count of refused recommendations the engine reads:
// the history's, known (0) for every profile. A count kept before the
// history was (a bare counter staff raised) stands until the first
// recommendation is recorded.
func refusalCount(p *Profile) *int {
	if len(p.Recommendations) == 0 && p.Facts.TrainingRefusals != nil {
		n := *p.Facts.TrainingRefusals
		return &n
	}
	n := Refusals(p.Recommendations)
	return &n
}
