package policy_test

import (
	"context"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/policy"
	"onestop/services/servicetest"
)

// TestSeedMovesApplyKindIntoData (#17): how a loan policy is applied for
// was code; an administrator's edit of such a policy, stored before it was
// data, keeps being applied for as a loan after the upgrade, in a version
// of its own, once.
func TestSeedMovesApplyKindIntoData(t *testing.T) {
	e := servicetest.New(t, time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	ctx := context.Background()
	p, err := e.Policies.Get(ctx, "guaranteed-loan")
	if err != nil || !p.AppliedAs("loan") {
		t.Fatalf("the seed's loan policy: %v %v", p, err)
	}
	// As stored by an administrator's edit before the upgrade.
	if _, err := e.Store.C("policies").UpdateOne(ctx, bson.D{{Key: "_id", Value: "guaranteed-loan"}},
		bson.D{{Key: "$unset", Value: bson.D{{Key: "apply", Value: ""}}}, {Key: "$set", Value: bson.D{{Key: "updated_by", Value: "admin1"}}}}); err != nil {
		t.Fatal(err)
	}
	for run := 1; run <= 2; run++ {
		if err := e.Policies.Seed(ctx); err != nil {
			t.Fatal(err)
		}
		p, err = e.Policies.Get(ctx, "guaranteed-loan")
		if err != nil || !p.AppliedAs("loan") || p.Version != 2 || p.UpdatedBy != policy.Upgrade {
			t.Fatalf("after seeding %d times: applied as loan %v, version %d by %q (%v)", run, p.AppliedAs("loan"), p.Version, p.UpdatedBy, err)
		}
	}
	versions, err := e.Policies.Versions(ctx, "guaranteed-loan")
	if err != nil || len(versions) != 2 {
		t.Fatalf("versions: %d %v", len(versions), err)
	}
	// An explained-only policy is not touched.
	if q, err := e.Policies.Get(ctx, "startup-training-subsidy"); err != nil || q.Apply != nil || q.Version != 1 {
		t.Errorf("a policy not applied for: %+v %v", q.Apply, err)
	}
}
