package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/store"
)

// DefinedFacts is the collection of the facts administrators added (a
// small, bounded collection, read whole with the policies).
var DefinedFacts = store.Collection{Name: "fact_defs"}

// DefinedFact is a fact an administrator added as data, so that a new rule
// needs no release: conditions name it like a built-in fact, profiles keep
// its value among their Extra facts, and its label is data too.
type DefinedFact struct {
	Name string `json:"name" bson:"_id"`
	// Kind is one of FactKinds. It cannot change once saved: values and
	// conditions already written read it.
	Kind  string `json:"kind" bson:"kind"`
	Label Text   `json:"label" bson:"label"`
	// SetBy says who may set it: SetByPerson (the person's word, which a
	// case officer may check) or SetByCheck (only a case officer's check;
	// the profile form shows it read-only).
	SetBy     string    `json:"set_by" bson:"set_by"`
	Version   int       `json:"version" bson:"version"`
	UpdatedAt time.Time `json:"updated_at" bson:"updated_at"`
	UpdatedBy string    `json:"-" bson:"updated_by,omitempty"` // the audit says who, to those who may read it
}

// Kinds of defined facts: the kinds a value can be checked as
// (ParseValue).
const (
	KindBool   = "bool"
	KindNumber = "number"
	KindDate   = "date"
)

// FactKinds are the kinds a defined fact may have.
var FactKinds = []string{KindBool, KindNumber, KindDate}

// Who may set a defined fact.
const (
	SetByPerson = "person"
	SetByCheck  = "check"
)

// SetBys are the values of SetBy.
var SetBys = []string{SetByPerson, SetByCheck}

var definedName = regexp.MustCompile(`^[a-z][a-z0-9_]{2,39}$`)

// reservedNames are prefixes of built-in facts, of the API's fields and of
// catalog keys (checked.defined.bring): a defined fact named like them
// could never be told apart.
var reservedNames = []string{"venture", "target_groups", "extra", "as_of", "age", "defined"}

// Protected reports whether only a check may set the fact.
func (d *DefinedFact) Protected() bool { return d.SetBy == SetByCheck }

// Validate checks a defined fact; field names are the API's.
func (d *DefinedFact) Validate() error {
	var v core.Validation
	_, builtin := facts[d.Name]
	reserved := slices.ContainsFunc(reservedNames, func(r string) bool { return d.Name == r || strings.HasPrefix(d.Name, r+"_") })
	v.Check(definedName.MatchString(d.Name) && !builtin && !reserved, "name", "error.fact.name")
	v.Check(slices.Contains(FactKinds, d.Kind), "kind", "error.enum")
	v.Check(slices.Contains(SetBys, d.SetBy), "set_by", "error.enum")
	for _, l := range Languages {
		s := strings.TrimSpace(d.Label[l])
		d.Label[l] = s
		v.Check(s != "" && utf8.ValidString(s) && utf8.RuneCountInString(s) <= 60 && !strings.ContainsAny(s, "{}<>"), "label."+l, "error.fact.label")
	}
	for l := range d.Label {
		v.Check(slices.Contains(Languages, l), "label", "error.policy.language")
	}
	return v.Err()
}

// def is how the engine reads the fact: its value among a profile's Extra
// facts, in canonical text.
func (d *DefinedFact) def() factDef {
	name := d.Name
	var k kind
	switch d.Kind {
	case KindBool:
		k = kBool
	case KindNumber:
		k = kNumber
	default:
		k = kDate
	}
	return factDef{kind: k, get: func(f *Facts, _ core.Date) (any, bool) {
		s, ok := f.Extra[name]
		if !ok {
			return nil, false
		}
		switch k {
		case kBool:
			return s == "true", s == "true" || s == "false"
		case kNumber:
			n, err := strconv.ParseFloat(s, 64)
			return n, err == nil
		default:
			day, err := core.ParseDate(s)
			return day, err == nil
		}
	}}
}

// vocabulary is the defined facts a condition may name beside the built-in
// ones; nil has none.
type vocabulary map[string]factDef

// lookup finds a fact: a built-in one first.
func (v vocabulary) lookup(name string) (factDef, bool) {
	if d, ok := facts[name]; ok {
		return d, true
	}
	d, ok := v[name]
	return d, ok
}

func vocabularyOf(defs []*DefinedFact) vocabulary {
	v := vocabulary{}
	for _, d := range defs {
		v[d.Name] = d.def()
	}
	return v
}

// ParseValue reads a value given for a fact of kind into canonical text:
// "true"/"false", a number as Go prints it (0 to a billion), a date as
// YYYY-MM-DD. ok is false when it is not a value of the kind.
func ParseValue(kind, s string) (string, bool) {
	s = strings.TrimSpace(s)
	switch kind {
	case KindBool:
		switch strings.ToLower(s) {
		case "true", "yes":
			return "true", true
		case "false", "no":
			return "false", true
		}
	case KindNumber:
		n, err := strconv.ParseFloat(s, 64)
		if err == nil && !math.IsNaN(n) && n >= 0 && n < 1e9 {
			return strconv.FormatFloat(n, 'f', -1, 64), true
		}
	case KindDate:
		if d, err := core.ParseDate(s); err == nil {
			return d.String(), true
		}
	}
	return "", false
}

// Extra holds the values of defined facts by name, in canonical text
// (ParseValue). The API also takes a JSON true, false or number for one.
type Extra map[string]string

// UnmarshalJSON reads {"name": value}, a value being a string, a boolean or
// a number; null leaves the fact unknown.
func (e *Extra) UnmarshalJSON(raw []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	out := Extra{}
	for k, v := range m {
		v = bytes.TrimSpace(v)
		switch {
		case bytes.Equal(v, []byte("null")):
			continue
		case len(v) > 0 && v[0] == '"':
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return err
			}
			out[k] = s
		default:
			out[k] = string(v) // true, false or a number, checked as the fact's kind
		}
	}
	*e = out
	return nil
}

// CheckExtra checks the defined facts' values of f: each named fact must
// be defined, and its value one of its kind (made canonical). Field names
// are extra.<name>.
func (c *Catalogue) CheckExtra(ctx context.Context, v *core.Validation, f *Facts) error {
	if len(f.Extra) == 0 {
		f.Extra = nil
		return nil
	}
	defs, err := c.Defined(ctx)
	if err != nil {
		return err
	}
	v.Check(len(f.Extra) <= 100, "extra", "error.number.range")
	for name, value := range f.Extra {
		i := slices.IndexFunc(defs, func(d *DefinedFact) bool { return d.Name == name })
		if i < 0 {
			v.Add("extra."+name, "error.fact.unknown")
			continue
		}
		if value == "" {
			delete(f.Extra, name) // an empty answer is "unknown"
			continue
		}
		canonical, ok := ParseValue(defs[i].Kind, value)
		v.Check(ok, "extra."+name, "error.fact.value."+defs[i].Kind)
		f.Extra[name] = canonical
	}
	return nil
}

// Defined returns the facts administrators defined, sorted by name.
func (c *Catalogue) Defined(ctx context.Context) ([]*DefinedFact, error) {
	if _, err := c.All(ctx); err != nil {
		return nil, err
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.defined, nil
}

// DefinedLabel is a defined fact's label in lang, from what was last
// loaded (the catalogs' fallback for fact.<name>; no database read).
func (c *Catalogue) DefinedLabel(name, lang string) (string, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, d := range c.defined {
		if d.Name == name {
			return d.Label.In(lang), true
		}
	}
	return "", false
}

// SaveFact defines a fact, or changes an existing one's label or who may
// set it (its kind stays). The input names the version it was based on (0
// for a new fact); a concurrent edit makes it stale.
func (c *Catalogue) SaveFact(ctx context.Context, actor accounts.Principal, d *DefinedFact, m accounts.Meta) error {
	if actor.Role != accounts.Admin {
		c.audit.Record(ctx, actor.Actor(m), "fact.define", audit.Denied, d.Name, "")
		return core.Errorf(core.Forbidden, "error.forbidden")
	}
	if d.Label == nil {
		d.Label = Text{}
	}
	if err := d.Validate(); err != nil {
		return err
	}
	var old DefinedFact
	err := c.store.Get(ctx, DefinedFacts.Name, d.Name, &old)
	switch {
	case core.IsCode(err, core.NotFound):
		if d.Version != 0 {
			return store.ErrStale
		}
	case err != nil:
		return err
	case d.Version == 0:
		return core.Errorf(core.Conflict, "error.fact.exists")
	case d.Version != old.Version:
		return store.ErrStale
	case d.Kind != old.Kind:
		e := core.Errorf(core.Invalid, "error.invalid")
		e.Fields = map[string]string{"kind": "error.fact.kind_fixed"}
		return e
	}
	base := d.Version
	d.Version, d.UpdatedAt, d.UpdatedBy = base+1, c.clock.Now(), actor.ID
	if base == 0 {
		if _, err := c.store.C(DefinedFacts.Name).InsertOne(ctx, d); err != nil {
			if isDuplicate(err) {
				return core.Errorf(core.Conflict, "error.fact.exists")
			}
			return core.Wrap(err, "define fact")
		}
	} else {
		set := bson.D{{Key: "label", Value: d.Label}, {Key: "set_by", Value: d.SetBy}, {Key: "version", Value: d.Version},
			{Key: "updated_at", Value: d.UpdatedAt}, {Key: "updated_by", Value: d.UpdatedBy}}
		if err := c.store.UpdateIf(ctx, DefinedFacts.Name, d.Name, []store.Cond{store.Eq("version", base)}, bson.D{{Key: "$set", Value: set}}); err != nil {
			return err
		}
	}
	c.audit.Record(ctx, actor.Actor(m), "fact.define", audit.Success, d.Name, "version "+strconv.Itoa(d.Version))
	return c.reload(ctx)
}
