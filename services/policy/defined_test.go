package policy

import (
	"encoding/json"
	"maps"
	"testing"
)

// TestDefinedFactsEvaluate: a condition on a defined fact of each kind
// reads the profile's Extra value; an absent value is needs_info, asking
// for that fact by name.
func TestDefinedFactsEvaluate(t *testing.T) {
	vocab := vocabularyOf([]*DefinedFact{{Name: "rural_hukou", Kind: KindBool}, {Name: "plot_mu", Kind: KindNumber}, {Name: "returned_on", Kind: KindDate}})
	c, err := parseConditions([]byte(`{"all":[{"fact":"rural_hukou","op":"is","value":true},{"fact":"plot_mu","op":"lt","value":0.5},
		{"fact":"returned_on","op":"within_years","value":2}]}`), vocab)
	if err != nil {
		t.Fatal(err)
	}
	p := &Policy{ID: "rule", Active: true, cond: c}
	for _, tt := range []struct {
		extra   Extra
		want    Status
		missing string
	}{
		{Extra{"rural_hukou": "true", "plot_mu": "0.3", "returned_on": "2025-06-01"}, Eligible, ""},
		{Extra{"rural_hukou": "false", "plot_mu": "0.3", "returned_on": "2025-06-01"}, NotEligible, ""},
		{Extra{"rural_hukou": "true", "plot_mu": "0.8", "returned_on": "2025-06-01"}, NotEligible, ""},
		{Extra{"rural_hukou": "true", "plot_mu": "0.3", "returned_on": "2020-06-01"}, NotEligible, ""},
		{Extra{"rural_hukou": "true", "returned_on": "2025-06-01"}, NeedsInfo, "plot_mu"},
		{nil, NeedsInfo, "rural_hukou"},
	} {
		r := Evaluate([]*Policy{p}, &Facts{Extra: tt.extra}, day("2026-11-02"))[0]
		if r.Status != tt.want || tt.missing != "" && (len(r.Missing) == 0 || r.Missing[0] != tt.missing) {
			t.Errorf("%v: %s missing %v, want %s %s", tt.extra, r.Status, r.Missing, tt.want, tt.missing)
		}
	}
	if _, err := ParseConditions([]byte(`{"fact":"rural_hukou","op":"is","value":true}`)); err == nil {
		t.Error("the built-in vocabulary knows a defined fact")
	}
	if _, err := parseConditions([]byte(`{"fact":"plot_mu","op":"is","value":true}`), vocab); err == nil {
		t.Error("a number fact took a yes-or-no operator")
	}
}

// TestExtraJSON: the API gives a defined fact's value as a string, a
// boolean or a number; null is unknown.
func TestExtraJSON(t *testing.T) {
	var f Facts
	if err := json.Unmarshal([]byte(`{"extra":{"a":true,"b":0.25,"c":"2026-01-02","d":null}}`), &f); err != nil {
		t.Fatal(err)
	}
	if want := (Extra{"a": "true", "b": "0.25", "c": "2026-01-02"}); !maps.Equal(f.Extra, want) {
		t.Errorf("got %v, want %v", f.Extra, want)
	}
	if err := json.Unmarshal([]byte(`{"extra":["a"]}`), &f); err == nil {
		t.Error("a list for the extra facts was read")
	}
}

// TestFillDefinedFacts: a self-check's answers fill the defined facts a
// profile does not know, one by one.
func TestFillDefinedFacts(t *testing.T) {
	f := Facts{Extra: Extra{"a": "true"}}
	f.Fill(Facts{Extra: Extra{"a": "false", "b": "3"}})
	if want := (Extra{"a": "true", "b": "3"}); !maps.Equal(f.Extra, want) {
		t.Errorf("got %v, want %v", f.Extra, want)
	}
}
