package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"onestop/services/core"
	"onestop/services/reference"
)

// Cond is one condition of a policy, in the declarative form kept in the
// catalogue: a combination (all / any / not) or a leaf comparing one fact.
//
//	{"all": [
//	  {"fact": "venture.form", "op": "eq", "value": "individual"},
//	  {"fact": "graduation_date", "op": "within_years", "value": 2,
//	   "until": ["venture.first_registered", "as_of"]}]}
//
// Leaves by kind of fact: booleans `is`; numbers `eq lt lte gt gte`;
// enumerations `eq ne in not_in`; sets `contains contains_any lacks`;
// dates `within_years` / `beyond_years` (the span from the fact to the first
// known of `until`, default `as_of`). `age` is derived from birth_date.
// An empty condition always holds.
//
// A part of the top-level `all` may be marked `"voluntary": true`: a person
// who fails only such parts may still take the support on their own
// application (被徵地農民 (二): "在此年齡段以外的被征地農民，本著自願原則根據
// 個人申請也可報名參加培訓"), and is told so instead of "not eligible".
type Cond struct {
	All       []*Cond         `json:"all,omitempty"`
	Any       []*Cond         `json:"any,omitempty"`
	Not       *Cond           `json:"not,omitempty"`
	Fact      string          `json:"fact,omitempty"`
	Op        string          `json:"op,omitempty"`
	Value     json.RawMessage `json:"value,omitempty"`
	Until     []string        `json:"until,omitempty"`
	Voluntary bool            `json:"voluntary,omitempty"`

	// compiled value
	def  factDef
	num  float64
	str  string
	strs []string
	bl   bool
}

type kind int

const (
	kBool kind = iota
	kNumber
	kEnum
	kSet
	kDate
)

type factDef struct {
	kind kind
	enum []string
	get  func(f *Facts, asOf core.Date) (any, bool) // value, known
}

// applies says of the facts that not everyone has whether the person can
// have them: a business not registered yet has no registration date.
var applies = map[string]func(f *Facts) bool{
	"venture.first_registered": func(f *Facts) bool { return !slices.Contains([]string{"idea", "preparing"}, venture(f).Stage) },
}

func vb[T any](p *T) (any, bool) {
	if p == nil {
		return nil, false
	}
	return *p, true
}

func venture(f *Facts) *Venture {
	if f.Venture == nil {
		return &Venture{}
	}
	return f.Venture
}

func enumVal(s string) (any, bool) { return s, s != "" }

func num[T int | float64](p *T) (any, bool) {
	if p == nil {
		return nil, false
	}
	return float64(*p), true
}

// facts is every fact a condition may name.
var facts = map[string]factDef{
	"as_of": {kDate, nil, func(_ *Facts, d core.Date) (any, bool) { return d, true }},
	"age": {kNumber, nil, func(f *Facts, d core.Date) (any, bool) {
		if f.BirthDate == nil {
			return nil, false
		}
		return float64(f.BirthDate.YearsUntil(d)), true
	}},
	"birth_date": {kDate, nil, func(f *Facts, _ core.Date) (any, bool) { return vb(f.BirthDate) }},
	"gender":     {kEnum, Genders, func(f *Facts, _ core.Date) (any, bool) { return enumVal(f.Gender) }},
	"target_groups": {kSet, TargetGroups, func(f *Facts, _ core.Date) (any, bool) {
		return f.TargetGroups, f.TargetGroups != nil
	}},
	"graduation_date":          {kDate, nil, func(f *Facts, _ core.Date) (any, bool) { return vb(f.GraduationDate) }},
	"on_farmer_roster":         {kBool, nil, func(f *Facts, _ core.Date) (any, bool) { return vb(f.OnFarmerRoster) }},
	"farmland_per_capita_mu":   {kNumber, nil, func(f *Facts, _ core.Date) (any, bool) { return num(f.FarmlandPerCapitaMu) }},
	"relocated_by_law":         {kBool, nil, func(f *Facts, _ core.Date) (any, bool) { return vb(f.RelocatedByLaw) }},
	"employed":                 {kBool, nil, func(f *Facts, _ core.Date) (any, bool) { return vb(f.Employed) }},
	"has_skill_certificate":    {kBool, nil, func(f *Facts, _ core.Date) (any, bool) { return vb(f.HasSkillCertificate) }},
	"wants_training":           {kBool, nil, func(f *Facts, _ core.Date) (any, bool) { return vb(f.WantsTraining) }},
	"training_refusals":        {kNumber, nil, func(f *Facts, _ core.Date) (any, bool) { return num(f.TrainingRefusals) }},
	"venture.stage":            {kEnum, Stages, func(f *Facts, _ core.Date) (any, bool) { return enumVal(venture(f).Stage) }},
	"venture.form":             {kEnum, Forms, func(f *Facts, _ core.Date) (any, bool) { return enumVal(venture(f).Form) }},
	"venture.industry":         {kEnum, nil, func(f *Facts, _ core.Date) (any, bool) { return enumVal(venture(f).Industry) }},
	"venture.first_registered": {kDate, nil, func(f *Facts, _ core.Date) (any, bool) { return vb(venture(f).FirstRegistered) }},
	"venture.micro_profit":     {kBool, nil, func(f *Facts, _ core.Date) (any, bool) { return vb(venture(f).MicroProfit) }},
	"venture.own_funds_sufficient": {kBool, nil, func(f *Facts, _ core.Date) (any, bool) {
		return vb(venture(f).OwnFundsSufficient)
	}},
	"venture.employees": {kNumber, nil, func(f *Facts, _ core.Date) (any, bool) { return num(venture(f).Employees) }},
	"venture.land_farmer_employees": {kNumber, nil, func(f *Facts, _ core.Date) (any, bool) {
		return num(venture(f).LandFarmerEmployees)
	}},
	"venture.land_farmer_contract_years": {kNumber, nil, func(f *Facts, _ core.Date) (any, bool) {
		return num(venture(f).LandFarmerContractYears)
	}},
	"venture.land_farmer_employed_years": {kNumber, nil, func(f *Facts, _ core.Date) (any, bool) {
		return num(venture(f).LandFarmerEmployedYears)
	}},
	"venture.placement_agency": {kBool, nil, func(f *Facts, _ core.Date) (any, bool) { return vb(venture(f).PlacementAgency) }},
	"venture.land_farmers_placed": {kNumber, nil, func(f *Facts, _ core.Date) (any, bool) {
		return num(venture(f).LandFarmerPlaced)
	}},
}

// Builtin reports whether a fact is one of the engine's own (not one an
// administrator defined).
func Builtin(name string) bool {
	_, ok := facts[name]
	return ok
}

// FactNames lists the built-in facts a condition may name, sorted.
func FactNames() []string {
	names := make([]string, 0, len(facts))
	for n := range facts {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

var opsByKind = map[kind][]string{
	kBool:   {"is"},
	kNumber: {"eq", "lt", "lte", "gt", "gte"},
	kEnum:   {"eq", "ne", "in", "not_in"},
	kSet:    {"contains", "contains_any", "lacks"},
	kDate:   {"within_years", "beyond_years"},
}

// CondError is what is wrong with a condition tree: a field message
// (core.Msg) that names the bad node by its path ($.all[0].any[1]) and
// says what is wrong with it, for the administrator to read in their
// language.
type CondError struct{ Msg string }

func (e *CondError) Error() string { return "conditions: " + e.Msg }

func condErr(key, path string, args ...any) error {
	return &CondError{Msg: core.Msg(key, append([]any{path}, args...)...)}
}

// ParseConditions reads and checks a condition tree: every fact known,
// every operator fits its fact, every value has the right type and lies in
// the fact's enumeration. Errors name the path of the bad node.
func ParseConditions(raw []byte) (*Cond, error) { return parseConditions(raw, nil) }

// parseConditions reads a condition tree whose leaves may also name the
// facts an administrator defined (defined).
func parseConditions(raw []byte, defined vocabulary) (*Cond, error) {
	var c Cond
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, &CondError{Msg: core.JSONProblem(raw, err)}
	}
	if dec.More() {
		return nil, &CondError{Msg: "error.cond.trailing"}
	}
	if err := c.compile("$", 0, defined); err != nil {
		return nil, err
	}
	return &c, nil
}

func (c *Cond) compile(path string, depth int, defined vocabulary) error {
	if depth > 12 {
		return condErr("error.cond.depth", path)
	}
	parts := 0
	for _, set := range []bool{c.All != nil, c.Any != nil, c.Not != nil, c.Fact != ""} {
		if set {
			parts++
		}
	}
	if parts > 1 {
		return condErr("error.cond.one_kind", path)
	}
	// Only a part of the whole rule can be waived on application: deeper
	// down, "fails only the voluntary parts" has no one meaning (a waived
	// branch of an any, a waived part under a not).
	if c.Voluntary && (depth != 1 || !strings.HasPrefix(path, "$.all[")) {
		return condErr("error.cond.voluntary", path)
	}
	for i, sub := range c.All {
		if sub == nil {
			return condErr("error.cond.empty", fmt.Sprintf("%s.all[%d]", path, i))
		}
		if err := sub.compile(fmt.Sprintf("%s.all[%d]", path, i), depth+1, defined); err != nil {
			return err
		}
	}
	for i, sub := range c.Any {
		if sub == nil {
			return condErr("error.cond.empty", fmt.Sprintf("%s.any[%d]", path, i))
		}
		if err := sub.compile(fmt.Sprintf("%s.any[%d]", path, i), depth+1, defined); err != nil {
			return err
		}
	}
	if c.Any != nil && len(c.Any) == 0 {
		return condErr("error.cond.any_empty", path+".any")
	}
	if c.Not != nil {
		return c.Not.compile(path+".not", depth+1, defined)
	}
	if c.Fact == "" {
		if c.Op != "" || c.Value != nil || c.Until != nil {
			return condErr("error.cond.no_fact", path)
		}
		return nil
	}
	def, ok := defined.lookup(c.Fact)
	if !ok {
		return condErr("error.cond.fact", path, c.Fact)
	}
	c.def = def
	if !slices.Contains(opsByKind[def.kind], c.Op) {
		return condErr("error.cond.op", path, c.Op, c.Fact, strings.Join(opsByKind[def.kind], ", "))
	}
	bad := func(want string) error { return condErr("error.cond.value."+want, path, c.Op) }
	if bytes.Equal(c.Value, []byte("null")) {
		return bad("null") // json.Unmarshal would read null as false, 0 or nothing
	}
	switch {
	case def.kind == kBool:
		if json.Unmarshal(c.Value, &c.bl) != nil {
			return bad("bool")
		}
	case def.kind == kNumber || def.kind == kDate:
		if json.Unmarshal(c.Value, &c.num) != nil {
			return bad("number")
		}
	case c.Op == "in" || c.Op == "not_in" || c.Op == "contains_any":
		if json.Unmarshal(c.Value, &c.strs) != nil || len(c.strs) == 0 {
			return bad("list")
		}
	default:
		if json.Unmarshal(c.Value, &c.str) != nil {
			return bad("code")
		}
		c.strs = []string{c.str}
	}
	for _, s := range c.strs {
		// An enumeration kept as data (reference lists) is checked against
		// its lists when an administrator saves (Catalogue.Save); here, only
		// the shape of its codes.
		if def.kind == kEnum && def.enum == nil && !reference.ValidCode(s) || def.enum != nil && !slices.Contains(def.enum, s) {
			return condErr("error.cond.enum", path, s, c.Fact)
		}
	}
	if def.kind == kDate {
		if c.num <= 0 || c.num > 100 || c.num != math.Trunc(c.num) {
			return bad("years")
		}
		for _, u := range c.Until {
			if d, ok := facts[u]; !ok || d.kind != kDate {
				return condErr("error.cond.until", path, u)
			}
		}
	} else if c.Until != nil {
		return condErr("error.cond.until_date", path)
	}
	return nil
}

// values returns the values the tree's leaves on fact compare it with.
func (c *Cond) values(fact string) []string {
	if c == nil {
		return nil
	}
	var out []string
	if c.Fact == fact {
		out = append(out, c.strs...)
	}
	for _, s := range slices.Concat(c.All, c.Any, []*Cond{c.Not}) {
		out = append(out, s.values(fact)...)
	}
	return out
}

// Facts returns the facts a condition tree names (for "what to ask").
func (c *Cond) Facts() []string {
	var out []string
	var walk func(*Cond)
	walk = func(c *Cond) {
		if c == nil {
			return
		}
		if c.Fact != "" && !slices.Contains(out, c.Fact) {
			out = append(out, c.Fact)
		}
		for _, s := range c.All {
			walk(s)
		}
		for _, s := range c.Any {
			walk(s)
		}
		walk(c.Not)
	}
	walk(c)
	return out
}
