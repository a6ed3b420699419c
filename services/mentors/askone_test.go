package mentors_test

import (
	"context"
	"errors"
	"testing"

	"onestop/services/core"
	"onestop/services/mentors"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// TestAskOneMentor: a question asked from a mentor's page goes to that
// mentor, even when another fits better; one they cannot take is refused
// with the reason, before anything is written.
func TestAskOneMentor(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	p := e.people
	q := mentors.Question{Topic: "financing", Industry: "community_service", Question: "想開社區超市，怎麼申請小額擔保貸款？"}

	// "finance" fits best (topic and industry); the asker chose "tech".
	q.MentorID = p["tech"].ID
	c, err := e.svc.Ask(ctx, p["asker"], q, meta)
	if err != nil || c.MentorID != p["tech"].ID || c.Status != mentors.Waiting {
		t.Fatalf("asked tech: %+v %v", c, err)
	}

	for _, tt := range []struct {
		name, mentor, topic, key string
	}{
		{"a topic the mentor does not cover", p["tax"].ID, "technology", "error.consult.mentor.no_expertise"},
		{"not a mentor", p["other"].ID, "financing", "error.consult.mentor"},
		{"no such account", core.NewID(), "financing", "error.consult.mentor"},
	} {
		before := count(t, e)
		q := mentors.Question{Topic: tt.topic, Question: "想了解稅務登記的步驟和時間。", MentorID: tt.mentor}
		_, err := e.svc.Ask(ctx, p["asker"], q, meta)
		var ce *core.Error
		if !core.IsCode(err, core.Invalid) || !errors.As(err, &ce) || ce.Fields["mentor_id"] != tt.key {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.key)
		}
		if after := count(t, e); after != before {
			t.Errorf("%s: a consultation was written (%d → %d)", tt.name, before, after)
		}
	}

	// "tax" takes one question at a time: the second is refused as full.
	q = mentors.Question{Topic: "tax", Question: "個體戶的稅怎麼報？", MentorID: p["tax"].ID}
	if _, err := e.svc.Ask(ctx, p["asker"], q, meta); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.Ask(ctx, p["other"], q, meta)
	var ce *core.Error
	if !errors.As(err, &ce) || ce.Fields["mentor_id"] != "error.consult.mentor.full" {
		t.Errorf("a full mentor: %v", err)
	}
}

// count is how many consultations are stored.
func count(t *testing.T, e *env) int64 {
	t.Helper()
	n, err := e.store.C("consultations").CountDocuments(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
