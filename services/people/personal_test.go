package people_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/people"
	"onestop/services/privacy"
	"onestop/services/servicetest"
)

// TestErasureDeletesDisputes: the disputes a person raised as claimant are
// in their export (their masked number and how it stands, not whose it
// was claimed to be), and their erasure deletes them, from the store and
// from the staff queue; the holder's profile stays.
func TestErasureDeletesDisputes(t *testing.T) {
	e, u := world(t)
	ctx := context.Background()
	if _, err := e.People.Save(ctx, u["owner"], input(idA, phoneA), "api", servicetest.Meta); err != nil {
		t.Fatal(err)
	}
	if _, err := e.People.Save(ctx, u["squatter"], input(idA, phoneA), "api", servicetest.Meta); err != nil {
		t.Fatal(err)
	}
	pd := e.People.PersonalData()
	squatter := u["squatter"].ID
	part, err := pd.Export(ctx, squatter)
	if err != nil {
		t.Fatal(err)
	}
	var disputes int
	for _, r := range part.Records {
		if r.Kind == "number_dispute" {
			disputes++
			raw, _ := json.Marshal(r)
			if s := string(raw); !strings.Contains(s, `"masked":"`) || strings.Contains(s, u["owner"].ID) {
				t.Errorf("exported dispute %s", s)
			}
		}
	}
	if disputes != 2 {
		t.Fatalf("%d disputes exported, want 2: %+v", disputes, part.Records)
	}
	subj := privacy.Subject{ID: squatter, Pseudonym: accounts.Pseudonym(squatter), Names: []string{"測試者"}}
	for range 2 { // run again, as a resumed erasure does
		if err := pd.Erase(ctx, subj); err != nil {
			t.Fatal(err)
		}
	}
	if _, total, _, err := e.People.Disputes(ctx, u["hotline"], people.DisputeQuery{Status: "all"}); err != nil || total != 0 {
		t.Errorf("%d disputes listed after the erasure (%v)", total, err)
	}
	for _, field := range []string{people.FieldID, people.FieldPhone} {
		var d people.Dispute
		if err := e.Store.Get(ctx, people.DisputeCollection.Name, squatter+":"+field, &d); !core.IsCode(err, core.NotFound) {
			t.Errorf("dispute %s kept: %+v (%v)", field, d, err)
		}
	}
	if _, err := e.People.Get(ctx, u["hotline"], u["owner"].ID); err != nil {
		t.Errorf("the holder's profile: %v", err)
	}
}
