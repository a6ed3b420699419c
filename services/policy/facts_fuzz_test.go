package policy

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"

	"onestop/services/core"
	"onestop/services/reference"
)

// FuzzEvaluate (S14): self-check answers as a client sends them. Facts that
// decode and validate are judged by every active policy of the catalogue:
// one outcome each of the three, "needs information" names known facts to
// ask for, a benefit only when eligible and never negative, and the
// results encode as JSON (no NaN slips into an amount).
func FuzzEvaluate(f *testing.F) {
	for _, s := range []string{`{}`, `{"birth_date":"1999-05-01","gender":"female","target_groups":["college_graduate"],"graduation_date":"2025-07-01"}`,
		`{"target_groups":[],"employed":false,"venture":{"form":"individual","first_registered":"2026-03-01","employees":3,"land_farmer_employees":1}}`,
		`{"on_farmer_roster":true,"farmland_per_capita_mu":0.2,"training_refusals":1,"wants_training":true}`,
		`{"venture":{"employees":1000000,"land_farmer_employees":1000000,"land_farmer_contract_years":60,"land_farmer_employed_years":60}}`,
		`{"farmland_per_capita_mu":-0}`, `{"birth_date":"1906-12-06"}`, `{"venture":{"placement_agency":true,"land_farmers_placed":999999}}`,
		`{"target_groups":["$ne"]}`, `{"venture":null}`, `{"birth_date":{"$gt":""}}`} {
		f.Add([]byte(s))
	}
	policies, err := SeedPolicies()
	if err != nil {
		f.Fatal(err)
	}
	lists, err := reference.Seeded()
	if err != nil {
		f.Fatal(err)
	}
	industry := lists.Current(VentureIndustries...)
	asOf := core.NewDate(2026, 12, 5)
	names := FactNames()
	f.Fuzz(func(t *testing.T, raw []byte) {
		var facts Facts
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if dec.Decode(&facts) != nil {
			return
		}
		var v core.Validation
		facts.Validate(&v, asOf, industry)
		if v.Err() != nil {
			return
		}
		results := Evaluate(policies, &facts, asOf)
		for _, r := range results {
			switch r.Status {
			case Eligible:
			case NotEligible, NeedsInfo:
				if r.Benefit != nil {
					t.Fatalf("%s: %s with a benefit %+v", r.Policy.ID, r.Status, r.Benefit)
				}
			default:
				t.Fatalf("%s: status %q", r.Policy.ID, r.Status)
			}
			if r.Status == NeedsInfo && len(r.Missing) == 0 {
				t.Fatalf("%s: needs information but asks for nothing (%s)", r.Policy.ID, raw)
			}
			for _, m := range r.Missing {
				if !slices.Contains(names, m) && m != "venture" {
					t.Fatalf("%s: asks for unknown fact %q", r.Policy.ID, m)
				}
			}
			if b := r.Benefit; b != nil {
				if b.AmountYuan < 0 || b.PerPersonYuan < 0 || b.TotalYuan < 0 || b.Persons < 0 || b.RatePct < 0 {
					t.Fatalf("%s: benefit %+v", r.Policy.ID, b)
				}
				if _, err := json.Marshal(b); err != nil {
					t.Fatalf("%s: benefit %+v does not encode: %v", r.Policy.ID, b, err)
				}
			}
		}
	})
}
