package training_test

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"onestop/services/core"
	"onestop/services/training"
)

// Regression (found fuzzing the portal's session parser, which reads hours
// with strconv.ParseFloat): a session of NaN hours passed `< 0.5 || > 12`
// and was stored, and the course could then not be sent as JSON.
func TestCourseRefusesNonFiniteHours(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	for _, h := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		in := training.NewCourse{Title: "SYB 創業培訓", Kind: "planning", Place: "東城區", Seats: 30,
			Sessions: []training.Session{{StartsAt: e.at().Add(24 * time.Hour), Hours: h}}}
		_, err := e.svc.CreateCourse(ctx, e.who["school"], in, meta)
		if !core.IsCode(err, core.Invalid) || !slices.Contains(fields(err), "sessions") {
			t.Errorf("hours %v: %v", h, err)
		}
	}
}
