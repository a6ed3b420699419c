package matching

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

func TestScoreExplains(t *testing.T) {
	p := Person{Industry: "technology", District: "hightech", Groups: []string{"college_graduate"}, Stage: "preparing", Needs: []string{"mentoring", "financing"}}
	tests := []struct {
		name     string
		base     Base
		total    int
		excluded bool
		keys     []string
	}{
		{"a good fit", Base{ID: "a", Industries: []string{"technology"}, District: "hightech", Groups: []string{"college_graduate"}, Stages: []string{"idea", "preparing"},
			FreeSeats: 4, Services: []string{"mentoring", "financing_help"}, IntakeOpen: true}, 4 + 5 + 15 + 10 + 30 + 20 + 16, false,
			[]string{"match.seats", "match.intake.open", "match.group", "match.stage", "match.industry", "match.district", "match.need", "match.need"}},
		{"no free seats excludes", Base{ID: "b", FreeSeats: 0, IntakeOpen: true}, 5 + 10, true, []string{"match.seats.none"}},
		{"group not accepted excludes", Base{ID: "c", FreeSeats: 3, IntakeOpen: true, Groups: []string{"disabled"}}, 3 + 5 + 10, true, []string{"match.group.not_accepted"}},
		{"stage not accepted excludes", Base{ID: "f", FreeSeats: 3, IntakeOpen: true, Stages: []string{"operating"}}, 3 + 5 + 10, true, []string{"match.stage.not_accepted"}},
		{"closed intake excludes", Base{ID: "d", FreeSeats: 3}, 3 + 10, true, []string{"match.intake.closed"}},
		{"other industry and district weigh nothing", Base{ID: "e", FreeSeats: 30, IntakeOpen: true, Industries: []string{"agri_processing"}, District: "beishan"}, 10 + 5, false,
			[]string{"match.industry.other", "match.district.other"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ScoreBase(p, tt.base)
			if s.Total != tt.total || s.Excluded != tt.excluded {
				t.Errorf("total %d excluded %v, want %d %v: %+v", s.Total, s.Excluded, tt.total, tt.excluded, s.Parts)
			}
			sum := 0
			var keys []string
			for _, part := range s.Parts {
				sum += part.Points
				keys = append(keys, part.Key)
			}
			if sum != s.Total {
				t.Errorf("parts add to %d, total %d", sum, s.Total)
			}
			for _, k := range tt.keys {
				if !slices.Contains(keys, k) {
					t.Errorf("no part %s in %v", k, keys)
				}
			}
		})
	}
	ranked := Rank(p, []Base{tests[1].base, tests[5].base, tests[0].base})
	if ranked[0].Base.ID != "a" || ranked[1].Base.ID != "e" || ranked[2].Base.ID != "b" {
		t.Errorf("rank order: %s %s %s", ranked[0].Base.ID, ranked[1].Base.ID, ranked[2].Base.ID)
	}
}

// instance draws a random intake: applicants with up to maxChoices ranked
// choices, bases with small capacities and priorities over their
// applicants (some applicants unacceptable).
func instance(r *rand.Rand, nA, nB, maxChoices int) ([]Applicant, []Program) {
	apps := make([]Applicant, nA)
	applied := make([][]string, nB)
	for i := range apps {
		apps[i].ID = fmt.Sprintf("a%03d", i)
		k := 1 + r.IntN(maxChoices)
		for _, b := range r.Perm(nB)[:min(k, nB)] {
			apps[i].Choices = append(apps[i].Choices, fmt.Sprintf("b%02d", b))
			applied[b] = append(applied[b], apps[i].ID)
		}
	}
	progs := make([]Program, nB)
	for b := range progs {
		progs[b] = Program{ID: fmt.Sprintf("b%02d", b), Capacity: r.IntN(3)}
		r.Shuffle(len(applied[b]), func(i, j int) { applied[b][i], applied[b][j] = applied[b][j], applied[b][i] })
		for _, a := range applied[b] {
			if r.IntN(8) > 0 { // now and then an applicant is not acceptable
				progs[b].Priority = append(progs[b].Priority, a)
			}
		}
	}
	return apps, progs
}

func position(list []string, x string) int {
	if i := slices.Index(list, x); i >= 0 {
		return i
	}
	return 1 << 30
}

// blockingPair finds an applicant and a base that both prefer each other
// to what the assignment gave them.
func blockingPair(apps []Applicant, progs []Program, as Assignment) (string, string, bool) {
	held := map[string][]string{}
	for a, b := range as {
		held[b] = append(held[b], a)
	}
	for _, a := range apps {
		got := as[a.ID]
		for _, b := range a.Choices {
			if b == got {
				break // a prefers nothing below this
			}
			p := progs[slices.IndexFunc(progs, func(p Program) bool { return p.ID == b })]
			rank := position(p.Priority, a.ID)
			if rank == 1<<30 {
				continue // not acceptable to b
			}
			if len(held[b]) < p.Capacity {
				return a.ID, b, true
			}
			for _, h := range held[b] {
				if position(p.Priority, h) > rank {
					return a.ID, b, true
				}
			}
		}
	}
	return "", "", false
}

func check(t *testing.T, apps []Applicant, progs []Program, as Assignment) {
	t.Helper()
	load := map[string]int{}
	for a, b := range as {
		load[b]++
		ai := slices.IndexFunc(apps, func(x Applicant) bool { return x.ID == a })
		if ai < 0 || !slices.Contains(apps[ai].Choices, b) {
			t.Fatalf("%s placed at %s, which it did not choose", a, b)
		}
		p := progs[slices.IndexFunc(progs, func(p Program) bool { return p.ID == b })]
		if !slices.Contains(p.Priority, a) {
			t.Fatalf("%s placed at %s, which does not accept it", a, b)
		}
	}
	for _, p := range progs {
		if load[p.ID] > p.Capacity {
			t.Fatalf("%s holds %d, capacity %d", p.ID, load[p.ID], p.Capacity)
		}
	}
	if a, b, ok := blockingPair(apps, progs, as); ok {
		t.Fatalf("%s and %s block the assignment", a, b)
	}
}

func TestAssignIsStableOnRandomInstances(t *testing.T) {
	r := rand.New(rand.NewPCG(2026, 11))
	for i := range 1500 {
		apps, progs := instance(r, 1+r.IntN(40), 1+r.IntN(8), 5)
		as := Assign(apps, progs)
		check(t, apps, progs, as)
		// The same intake in another order gives the same assignment.
		shuffled := slices.Clone(apps)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		again := Assign(shuffled, progs)
		if fmt.Sprint(again) != fmt.Sprint(as) {
			t.Fatalf("instance %d: order changed the result", i)
		}
	}
}

// TestAssignIsApplicantOptimal: on small instances, every stable
// assignment is enumerated; no applicant gets a better base in any of them.
func TestAssignIsApplicantOptimal(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for range 1000 {
		apps, progs := instance(r, 1+r.IntN(5), 1+r.IntN(3), 3)
		best := Assign(apps, progs)
		options := make([][]string, len(apps))
		for i, a := range apps {
			options[i] = append([]string{""}, a.Choices...)
		}
		var walk func(i int, cur Assignment)
		walk = func(i int, cur Assignment) {
			if i == len(apps) {
				load := map[string]int{}
				for a, b := range cur {
					load[b]++
					p := progs[slices.IndexFunc(progs, func(p Program) bool { return p.ID == b })]
					if load[b] > p.Capacity || !slices.Contains(p.Priority, a) {
						return
					}
				}
				if _, _, blocked := blockingPair(apps, progs, cur); blocked {
					return
				}
				for _, a := range apps {
					if position(a.Choices, cur[a.ID]) < position(a.Choices, best[a.ID]) {
						t.Fatalf("%s gets %q in another stable assignment, only %q from Assign", a.ID, cur[a.ID], best[a.ID])
					}
				}
				return
			}
			for _, b := range options[i] {
				next := Assignment{}
				for k, v := range cur {
					next[k] = v
				}
				if b != "" {
					next[apps[i].ID] = b
				}
				walk(i+1, next)
			}
		}
		walk(0, Assignment{})
	}
}

func BenchmarkRank2000Bases(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	inds := []string{"technology", "resource_recycling", "labour_intensive", "agri_processing", "trade_promotion", "community_service", "construction_labour", "information_service"}
	dists := []string{"dongcheng", "xicheng", "nancheng", "beicheng", "hightech", "econdev", "lingang", "beishan"}
	bases := make([]Base, 2000)
	for i := range bases {
		bases[i] = Base{ID: fmt.Sprintf("b%04d", i), Industries: []string{inds[r.IntN(8)], inds[r.IntN(8)]}, District: dists[r.IntN(8)],
			FreeSeats: r.IntN(20), IntakeOpen: r.IntN(5) > 0, Services: []string{"training", "mentoring"}, Stages: []string{"idea", "preparing", "operating"}}
	}
	p := Person{Industry: "technology", District: "hightech", Groups: []string{"college_graduate"}, Stage: "preparing", Needs: []string{"mentoring"}}
	b.ReportAllocs()
	for b.Loop() {
		Rank(p, bases)
	}
}

// BenchmarkAssignCity: 100,000 applicants with 5 choices each over 2,000
// bases; reports the heap in use after the run.
func BenchmarkAssignCity(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	const nA, nB = 100_000, 2_000
	apps := make([]Applicant, nA)
	applied := make([][]string, nB)
	for i := range apps {
		apps[i].ID = fmt.Sprintf("a%06d", i)
		for _, bi := range r.Perm(nB)[:5] {
			apps[i].Choices = append(apps[i].Choices, fmt.Sprintf("b%04d", bi))
			applied[bi] = append(applied[bi], apps[i].ID)
		}
	}
	progs := make([]Program, nB)
	for bi := range progs {
		progs[bi] = Program{ID: fmt.Sprintf("b%04d", bi), Capacity: 10 + r.IntN(40), Priority: applied[bi]}
		r.Shuffle(len(applied[bi]), func(i, j int) { applied[bi][i], applied[bi][j] = applied[bi][j], applied[bi][i] })
	}
	b.ReportAllocs()
	var as Assignment
	for b.Loop() {
		as = Assign(apps, progs)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(len(as)), "placed")
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
}

// TestScoreSaysWhatIsUnknown: a person who has not said something a rule
// needs is told so (not that they are refused for who they are), and an
// exclusion names what the base does take.
func TestScoreSaysWhatIsUnknown(t *testing.T) {
	base := Base{ID: "x", FreeSeats: 2, IntakeOpen: true, Groups: []string{"disabled", "retired_soldier"}, Stages: []string{"operating"}, Industries: []string{"technology"}}
	tests := []struct {
		name    string
		p       Person
		want    []string
		unknown []string
	}{
		{"empty profile", Person{}, []string{"match.group.unknown", "match.stage.unknown", "match.industry.unknown"}, []string{"industry", "district", "groups", "stage", "needs"}},
		{"another group and stage", Person{Groups: []string{"college_graduate"}, Stage: "idea", Industry: "trade", District: "a", Needs: []string{"training"}},
			[]string{"match.group.not_accepted", "match.stage.not_accepted", "match.industry.other"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ScoreBase(tt.p, base)
			var keys []string
			for _, part := range s.Parts {
				keys = append(keys, part.Key)
				if part.Excludes && part.Key != "match.seats.none" && len(part.Accepts) == 0 {
					t.Errorf("%s does not say what the base takes", part.Key)
				}
			}
			for _, k := range tt.want {
				if !slices.Contains(keys, k) {
					t.Errorf("no part %s in %v", k, keys)
				}
			}
			if got := tt.p.Unknown(); !slices.Equal(got, tt.unknown) {
				t.Errorf("unknown %v, want %v", got, tt.unknown)
			}
		})
	}
}
