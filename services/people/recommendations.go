package people

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
)

// PlacementRefusals is how many refused recommendations count as giving up
// placement: 「凡經過推薦3次不愿參加培訓或就業的被征地農民,視同放棄安置處理」
// (the land-expropriated farmers' text, 三(二)).
const PlacementRefusals = 3

// placementGroup is the target group the rule of PlacementRefusals is
// about.
const placementGroup = "land_expropriated_farmer"

// MaxRecommendations bounds a record's history.
const MaxRecommendations = 200

// What the bureau recommends, and the person's answers.
var (
	RecommendationKinds = []string{"training", "job"}
	Answers             = []string{"accepted", "refused"}
)

// Recommendation is a training or a job the bureau recommended to a person
// (推薦), and their answer, as staff recorded it. The count of refused
// recommendations the eligibility engine reads (training_refusals) is
// derived from this history, never typed.
type Recommendation struct {
	ID       string    `bson:"id" json:"id"`
	Kind     string    `bson:"kind" json:"kind"`
	CourseID string    `bson:"course_id,omitempty" json:"course_id,omitempty"`
	What     string    `bson:"what" json:"what"` // the course's title or the job, as recommended
	On       core.Date `bson:"on" json:"on"`     // the day it was recommended
	Answer   string    `bson:"answer" json:"answer"`
	Note     string    `bson:"note,omitempty" json:"note,omitempty"`
	ByID     string    `bson:"by_id" json:"by_id"`
	ByName   string    `bson:"by_name" json:"by_name"`
	At       time.Time `bson:"at" json:"at"` // when it was recorded
}

// RecommendationInput is a recommendation as staff record it. A course of
// the catalogue is named by its id, and its title (What) filled by the
// caller who reads the catalogue.
type RecommendationInput struct {
	Kind     string    `json:"kind"`
	CourseID string    `json:"course_id,omitempty"`
	What     string    `json:"what"`
	On       core.Date `json:"on"`
	Answer   string    `json:"answer"`
	Note     string    `json:"note,omitempty"`
}

// Refusals counts the refused recommendations of a history.
func Refusals(rs []Recommendation) int {
	n := 0
	for _, r := range rs {
		if r.Answer == "refused" {
			n++
		}
	}
	return n
}

// GaveUpPlacement reports whether the person, a land-expropriated farmer,
// refused PlacementRefusals recommendations or more: the source treats it
// as giving up placement (視同放棄安置).
func (p *Profile) GaveUpPlacement() bool {
	return p.Facts.HasGroup(placementGroup) && Refusals(p.Recommendations) >= PlacementRefusals
}

// Recommend records a recommendation and the person's answer (a case
// officer or an administrator, never on their own record): the count of
// refusals the engine reads follows from the history, the act is audited,
// and the person told — with what it means when the refusals reach
// PlacementRefusals.
func (s *Service) Recommend(ctx context.Context, actor accounts.Principal, personID string, in RecommendationInput, m accounts.Meta) (*Recommendation, error) {
	p, err := s.caseWork(ctx, actor, personID, "profile.recommendation", m)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	today := core.DateOf(now)
	var v core.Validation
	v.Check(slices.Contains(RecommendationKinds, in.Kind), "kind", "error.enum")
	v.Check(in.CourseID == "" || core.ValidID(in.CourseID), "course_id", "error.not_found")
	what := v.Line("what", in.What, 2, 100)
	if !v.Has("what") && holdsNumber(what) {
		v.Add("what", "error.note.number")
	}
	switch {
	case in.On.IsZero():
		v.Add("on", "error.required")
	case in.On.After(today) || in.On.Before(today.AddYears(-10)):
		v.Add("on", "error.date.recommended")
	}
	v.Check(slices.Contains(Answers, in.Answer), "answer", "error.enum")
	var note string
	if in.Note != "" {
		note = noteText(&v, "note", in.Note)
	}
	v.Check(len(p.Recommendations) < MaxRecommendations, "kind", "error.recommendations.count")
	if err := v.Err(); err != nil {
		return nil, err
	}
	r := Recommendation{ID: core.IDFor(ctx, "recommendation"), Kind: in.Kind, CourseID: in.CourseID, What: what, On: in.On,
		Answer: in.Answer, Note: note, ByID: actor.ID, ByName: actor.Name, At: now}
	if i := slices.IndexFunc(p.Recommendations, func(x Recommendation) bool { return x.ID == r.ID }); i >= 0 {
		return &p.Recommendations[i], nil // a retry (Idempotency-Key) of one recorded
	}
	history := append(slices.Clone(p.Recommendations), r)
	refusals := *refusalCount(&Profile{Facts: p.Facts, Recommendations: history})
	err = s.updateProfile(ctx, p, bson.D{{Key: "$push", Value: bson.D{{Key: "recommendations", Value: r}}},
		{Key: "$set", Value: bson.D{{Key: "facts.training_refusals", Value: refusals}, {Key: "updated_at", Value: now}}}})
	if err != nil {
		return nil, err
	}
	p.Recommendations, p.Facts.TrainingRefusals = history, &refusals
	s.audit.Record(ctx, actor.Actor(m), "profile.recommendation", audit.Success, p.ID, fmt.Sprintf("%s %s refusals=%d", r.Kind, r.Answer, refusals))
	key := "notify.recommendation." + r.Answer
	if r.Answer == "refused" && p.GaveUpPlacement() {
		key = "notify.recommendation.gave_up"
	}
	s.notify.Send(ctx, p.ID, key, r.What, "/profile#recommendations")
	for _, fn := range s.saved {
		fn(context.WithoutCancel(ctx), p.ID)
	}
	return &r, nil
}
