package matching

import (
	"slices"
	"time"
)

// Mentor is what the scorer knows about a mentor (創業導師).
type Mentor struct {
	ID         string
	Industries []string
	Topics     []string
	Languages  []string
	Capacity   int // consultations open at once
	Load       int // consultations open now
	Available  bool
	OnLeaveTo  time.Time
}

// Ask is a consultation's needs.
type Ask struct {
	Industry string
	Topic    string
	Language string
}

// Points of the mentor scorer.
const (
	PointsTopic          = 30
	PointsMentorIndustry = 25
	PointsLanguage       = 5
	MaxPointsFreeSlots   = 10
)

// ScoreMentor scores a mentor for a consultation: unavailable, on leave or
// full mentors are excluded, and so are mentors who know neither the topic
// nor the industry; expertise weighs most, then language and free capacity
// (so work spreads).
func ScoreMentor(a Ask, m Mentor, now time.Time) Score {
	var s Score
	add := func(key, value string, points int) {
		s.Parts = append(s.Parts, Part{Key: key, Value: value, Points: points})
		s.Total += points
	}
	exclude := func(key, value string) {
		s.Parts = append(s.Parts, Part{Key: key, Value: value, Excludes: true})
		s.Excluded = true
	}
	switch {
	case !m.Available:
		exclude("match.mentor.unavailable", "")
	case now.Before(m.OnLeaveTo):
		exclude("match.mentor.on_leave", m.OnLeaveTo.Format(time.DateOnly))
	case m.Load >= m.Capacity:
		exclude("match.mentor.full", "")
	default:
		add("match.mentor.free", itoa(m.Capacity-m.Load), min(m.Capacity-m.Load, MaxPointsFreeSlots))
	}
	topic := a.Topic != "" && slices.Contains(m.Topics, a.Topic)
	industry := a.Industry != "" && slices.Contains(m.Industries, a.Industry)
	if topic {
		add("match.mentor.topic", a.Topic, PointsTopic)
	}
	if industry {
		add("match.mentor.industry", a.Industry, PointsMentorIndustry)
	}
	if !topic && !industry {
		exclude("match.mentor.no_expertise", a.Topic) // a fitting mentor knows the topic or the industry
	}
	if a.Language != "" && slices.Contains(m.Languages, a.Language) {
		add("match.mentor.language", a.Language, PointsLanguage)
	}
	return s
}

// RankedMentor is a mentor with its score.
type RankedMentor struct {
	Mentor *Mentor
	Score  Score
}

// RankMentors orders mentors for a consultation: fitting ones first by
// total, ties by id; skip names mentors already tried (declined or
// missed), who are left out.
func RankMentors(a Ask, mentors []Mentor, skip []string, now time.Time) []RankedMentor {
	out := make([]RankedMentor, 0, len(mentors))
	for i := range mentors {
		if slices.Contains(skip, mentors[i].ID) {
			continue
		}
		out = append(out, RankedMentor{Mentor: &mentors[i], Score: ScoreMentor(a, mentors[i], now)})
	}
	slices.SortFunc(out, func(x, y RankedMentor) int { return rankOrder(x.Score, y.Score, x.Mentor.ID, y.Mentor.ID) })
	return out
}

// Best returns the best fitting mentor, if any fits.
func Best(a Ask, mentors []Mentor, skip []string, now time.Time) (*Mentor, Score, bool) {
	var best *Mentor
	var bestScore Score
	for i := range mentors {
		m := &mentors[i]
		if slices.Contains(skip, m.ID) {
			continue
		}
		s := ScoreMentor(a, *m, now)
		if s.Excluded {
			continue
		}
		if best == nil || s.Total > bestScore.Total || (s.Total == bestScore.Total && m.ID < best.ID) {
			best, bestScore = m, s
		}
	}
	return best, bestScore, best != nil
}
