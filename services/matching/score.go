// Package matching owns the two halves of fitting people to incubation
// bases (創業孵化基地, source (十)): an explainable scorer that ranks bases
// for a person (and applicants for a base), and a capacity-aware
// deferred-acceptance assignment of a whole intake. Both are pure: they
// read no database and take microseconds, so they can be tested on
// thousands of random instances and benchmarked at city scale.
package matching

import (
	"cmp"
	"slices"
)

// Person is what the scorer knows about an entrepreneur.
type Person struct {
	Industry string
	District string
	Groups   []string // target groups
	Stage    string   // venture stage
	Needs    []string // training, financing, premises, mentoring, licensing
}

// Base is what the scorer knows about a base.
type Base struct {
	ID         string
	Industries []string // focus industries; empty: any
	District   string
	Groups     []string // target groups accepted; empty: everyone
	Stages     []string // venture stages accepted; empty: any
	FreeSeats  int
	Services   []string // training, mentoring, financing_help, registration_help, shared_facilities, …
	IntakeOpen bool
}

// Part is one term of a score: a catalog key saying what it is, its
// value shown to the user, and its points. An exclusion is a hard rule
// that no points can outweigh.
type Part struct {
	Key      string `json:"key"`
	Value    string `json:"value,omitempty"`
	Points   int    `json:"points"`
	Excludes bool   `json:"excludes,omitempty"`
	// Accepts is what the base does take when a hard rule excludes the
	// person (the groups or stages it admits), so they see what would fit.
	Accepts []string `json:"accepts,omitempty"`
}

// Score is a base's fit for a person, with its parts.
type Score struct {
	Total    int    `json:"total"`
	Excluded bool   `json:"excluded"`
	Parts    []Part `json:"parts"`
}

// Points of the soft rules; the hard rules exclude.
const (
	PointsIndustry     = 30
	PointsAnyIndustry  = 10
	PointsDistrict     = 20
	PointsGroup        = 15
	PointsStage        = 10
	PointsPerNeed      = 8
	PointsIntakeOpen   = 5
	MaxPointsFreeSeats = 10
)

// needServices says which service of a base meets which need.
var needServices = map[string]string{
	"training": "training", "mentoring": "mentoring", "financing": "financing_help",
	"licensing": "registration_help", "premises": "shared_facilities",
}

// Unknown names what a person has not told that the scores weigh, in the
// order a profile asks for it: with all of it missing, every base scores
// on its free seats alone, and the page says so.
func (p Person) Unknown() []string {
	var out []string
	for _, f := range []struct {
		name    string
		missing bool
	}{{"industry", p.Industry == ""}, {"district", p.District == ""}, {"groups", len(p.Groups) == 0}, {"stage", p.Stage == ""}, {"needs", len(p.Needs) == 0}} {
		if f.missing {
			out = append(out, f.name)
		}
	}
	return out
}

// ScoreBase scores one base for one person.
func ScoreBase(p Person, b Base) Score { return scoreInto(p, &b, nil) }

// maxParts bounds the parts of one score (seats, intake, group, stage,
// industry, district and the needs).
const maxParts = 6 + 5

// scoreInto scores into parts, a buffer with room for maxParts, so ranking
// thousands of bases allocates once.
func scoreInto(p Person, b *Base, parts []Part) Score {
	s := Score{Parts: parts[:0]}
	add := func(key, value string, points int) {
		s.Parts = append(s.Parts, Part{Key: key, Value: value, Points: points})
		s.Total += points
	}
	exclude := func(key, value string, accepts []string) {
		s.Parts = append(s.Parts, Part{Key: key, Value: value, Excludes: true, Accepts: accepts})
		s.Excluded = true
	}
	switch {
	case b.FreeSeats <= 0:
		exclude("match.seats.none", "", nil)
	default:
		add("match.seats", seatText(b.FreeSeats), min(b.FreeSeats, MaxPointsFreeSeats))
	}
	if !b.IntakeOpen {
		exclude("match.intake.closed", "", nil)
	} else {
		add("match.intake.open", "", PointsIntakeOpen)
	}
	if len(b.Groups) > 0 {
		switch g := firstShared(p.Groups, b.Groups); {
		case g != "":
			add("match.group", g, PointsGroup)
		case len(p.Groups) == 0:
			exclude("match.group.unknown", "", b.Groups)
		default:
			exclude("match.group.not_accepted", "", b.Groups)
		}
	}
	if len(b.Stages) > 0 {
		switch {
		case slices.Contains(b.Stages, p.Stage):
			add("match.stage", p.Stage, PointsStage)
		case p.Stage == "":
			exclude("match.stage.unknown", "", b.Stages)
		default:
			exclude("match.stage.not_accepted", p.Stage, b.Stages)
		}
	}
	switch {
	case len(b.Industries) == 0:
		add("match.industry.any", "", PointsAnyIndustry)
	case p.Industry == "":
		add("match.industry.unknown", "", 0)
	case slices.Contains(b.Industries, p.Industry):
		add("match.industry", p.Industry, PointsIndustry)
	default:
		add("match.industry.other", p.Industry, 0)
	}
	if p.District != "" && p.District == b.District {
		add("match.district", p.District, PointsDistrict)
	} else {
		add("match.district.other", b.District, 0)
	}
	for _, n := range p.Needs {
		if svc, ok := needServices[n]; ok && slices.Contains(b.Services, svc) {
			add("match.need", n, PointsPerNeed)
		}
	}
	return s
}

func firstShared(a, b []string) string {
	for _, x := range a {
		if slices.Contains(b, x) {
			return x
		}
	}
	return ""
}

var smallNumbers = func() []string {
	out := make([]string, 1000)
	for i := range out {
		out[i] = itoa(i)
	}
	return out
}()

func seatText(n int) string {
	if n >= 0 && n < len(smallNumbers) {
		return smallNumbers[n]
	}
	return itoa(n)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// Ranked is a base with its score.
type Ranked struct {
	Base  *Base
	Score Score
}

// Rank scores every base for a person and orders them: bases that fit
// first, by total, ties by id (so the order is the same every time);
// excluded bases last, with the rule that excluded them.
func Rank(p Person, bases []Base) []Ranked {
	out := make([]Ranked, len(bases))
	buf := make([]Part, len(bases)*maxParts)
	for i := range bases {
		out[i] = Ranked{Base: &bases[i], Score: scoreInto(p, &bases[i], buf[i*maxParts:i*maxParts:(i+1)*maxParts])}
	}
	slices.SortFunc(out, func(a, b Ranked) int { return rankOrder(a.Score, b.Score, a.Base.ID, b.Base.ID) })
	return out
}

// rankOrder orders candidates for a ranking: the admissible before the
// excluded, then by total score, highest first, then by id so that equal
// scores always come out the same way.
func rankOrder(a, b Score, aID, bID string) int {
	if a.Excluded != b.Excluded {
		if a.Excluded {
			return 1
		}
		return -1
	}
	if c := cmp.Compare(b.Total, a.Total); c != 0 {
		return c
	}
	return cmp.Compare(aID, bID)
}
