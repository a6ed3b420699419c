package mentors

import (
	"context"
	"time"

	"onestop/services/core"
	"onestop/services/figures"
)

// events are the figures a consultation contributes, from the record alone:
// asked; first answered (minutes to it, on time when it never had to move
// on, re-matches it took: the answering mentor's figures); rated. The
// dashboard's on-time rate is the asker's: answered within the limit the
// question came in with, counted on the day of that limit, with the
// questions still unanswered past it counted at the moment it is read
// (OpenOverdue; see figures.CountOverdue).
func consultationEvents(c *Consultation) []figures.Event {
	dims := map[string]string{"topic": c.Topic, "industry": c.Industry}
	out := []figures.Event{{ID: "consult.asked:" + c.ID, On: core.DateOf(c.CreatedAt), Dims: dims, Counts: map[string]int64{"consult_asked": 1}}}
	if !c.FirstAnswerAt.IsZero() {
		onTime := int64(0)
		if c.Rematches == 0 {
			onTime = 1
		}
		out = append(out, figures.Event{ID: "consult.answered:" + c.ID, On: core.DateOf(c.FirstAnswerAt),
			Dims:   map[string]string{"topic": c.Topic, "industry": c.Industry, "mentor": c.MentorID},
			Counts: map[string]int64{"consult_answered": 1, "consult_on_time": onTime, "consult_rematches": int64(c.Rematches)},
			Values: map[string]float64{"answer_minutes": c.FirstAnswerAt.Sub(c.CreatedAt).Minutes()}})
		inTime := int64(0)
		if !c.FirstAnswerAt.After(c.limit()) {
			inTime = 1
		}
		out = append(out, figures.Event{ID: "consult.due:" + c.ID, On: core.DateOf(c.limit()),
			Dims:   map[string]string{"topic": c.Topic, "industry": c.Industry, "mentor": c.MentorID},
			Counts: map[string]int64{"consult_due_answered": 1, "consult_due_on_time": inTime}})
	}
	if c.Rating > 0 && !c.ClosedAt.IsZero() {
		out = append(out, figures.Event{ID: "consult.rated:" + c.ID, On: core.DateOf(c.ClosedAt), Dims: map[string]string{"mentor": c.MentorID},
			Counts: map[string]int64{"consult_rated": 1, "consult_rating_sum": int64(c.Rating)}})
	}
	return out
}

// OpenOverdue counts the questions without an answer whose time limit
// fell in [from, until), by topic, industry or the mentor who has it
// (figures.OverdueCounter).
func (s *Service) OpenOverdue(ctx context.Context, dim, value string, from, until time.Time) (int64, error) {
	return figures.CountOverdue(ctx, s.outbox.Engine(), ConsultationIndex.Name, "unanswered_due_ms", nil,
		map[string]string{"topic": "topic", "industry": "industry", "mentor": "mentor_id"}, dim, value, from, until)
}

// FigureSource derives consultations' events, for rebuilds and for the
// follow-ups of their writes (see New).
func (s *Service) FigureSource() figures.Source {
	return figures.SourceOf(s.store, "consultations", consultationEvents)
}
