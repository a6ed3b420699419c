package policy

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzParseConditions (S14): a condition tree that parses marshals back to
// JSON that parses again to the same tree (marshalling is a fixed point
// after one round), and no value of a leaf is JSON null — a null is no
// more a number or a boolean than a missing value is.
func FuzzParseConditions(f *testing.F) {
	for _, s := range []string{
		`{}`,
		`{"all":[{"fact":"venture.form","op":"eq","value":"individual"},{"fact":"graduation_date","op":"within_years","value":2,"until":["venture.first_registered","as_of"]}]}`,
		`{"any":[{"fact":"age","op":"gte","value":16},{"not":{"fact":"employed","op":"is","value":true}}]}`,
		`{"fact":"target_groups","op":"contains_any","value":["college_graduate","land_farmer"]}`,
		`{"fact":"gender","op":"in","value":["female"]}`,
		`{"fact":"employed","op":"is","value":null}`,
		`{"fact":"age","op":"lt","value":null}`,
		`{"fact":"age","op":"lt","value":1e400}`,
		`{"all":[]}`, `{"any":[]}`, `{"all":[null]}`, `{"not":{}}`,
		`{"fact":"$where","op":"eq","value":"1"}`, `{"fact":"age","op":"$gt","value":1}`, `{"fact":"age","op":"eq","value":{"$ne":null}}`,
		`{"all":[{"all":[{"all":[{"all":[{"all":[{"all":[{"all":[{"all":[{"all":[{"all":[{"all":[{"all":[{"all":[{}]}]}]}]}]}]}]}]}]}]}]}]}]}`,
		`{"fact":"age","op":"eq","value":1} {}`, `{"fact":"age","op":"eq","value":1,"extra":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := ParseConditions(raw)
		if err != nil {
			return
		}
		var nullLeaf func(c *Cond) bool
		nullLeaf = func(c *Cond) bool {
			if c == nil {
				return false
			}
			if c.Fact != "" && bytes.Equal(bytes.TrimSpace(c.Value), []byte("null")) {
				return true
			}
			for _, s := range append(append([]*Cond{}, c.All...), c.Any...) {
				if nullLeaf(s) {
					return true
				}
			}
			return nullLeaf(c.Not)
		}
		if nullLeaf(c) {
			t.Fatalf("ParseConditions(%s) accepted a null value", raw)
		}
		once, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("marshal %s: %v", raw, err)
		}
		c2, err := ParseConditions(once)
		if err != nil {
			t.Fatalf("%s parsed, but its marshalled form %s does not: %v", raw, once, err)
		}
		twice, err := json.Marshal(c2)
		if err != nil || !bytes.Equal(once, twice) {
			t.Fatalf("not a fixed point: %s → %s → %s", raw, once, twice)
		}
	})
}

// Regression (found by FuzzParseConditions): "value": null was read as
// false, 0 or an empty list, so {"fact":"employed","op":"is","value":null}
// checked "not employed" although nobody wrote false.
func TestParseConditionsRefusesNull(t *testing.T) {
	for _, s := range []string{`{"fact":"employed","op":"is","value":null}`, `{"fact":"age","op":"lt","value":null}`,
		`{"fact":"gender","op":"in","value":null}`, `{"not":{"fact":"birth_date","op":"within_years","value":null}}`} {
		if _, err := ParseConditions([]byte(s)); err == nil {
			t.Errorf("ParseConditions(%s) accepted a null value", s)
		}
	}
}
