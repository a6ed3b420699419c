package matching

import (
	"cmp"
	"container/heap"
	"slices"
)

// Applicant is a person's ranked choices of bases (most wanted first).
type Applicant struct {
	ID      string
	Choices []string
}

// Program is a base in an intake: its seats and its priority order over
// the applicants it would take (best first). An applicant missing from
// Priority is not acceptable to the base.
type Program struct {
	ID       string
	Capacity int
	Priority []string
}

// Assignment maps applicant ids to base ids; applicants without a place
// are absent.
type Assignment map[string]string

// Assign runs applicant-proposing deferred acceptance with capacities
// (Gale–Shapley): each unplaced applicant proposes to their next choice;
// each base keeps its best proposals up to its capacity by its priority and
// turns the rest away. The result is stable (no applicant and base prefer
// each other to what they got), never exceeds a capacity, is the best
// stable result for every applicant, and depends only on the input's
// contents: applicants are processed in id order and priorities are strict
// orders, so there are no ties to break.
func Assign(applicants []Applicant, programs []Program) Assignment {
	bIndex := make(map[string]int, len(programs))
	for i, p := range programs {
		bIndex[p.ID] = i
	}
	order := slices.Clone(applicants)
	slices.SortFunc(order, func(a, b Applicant) int { return cmp.Compare(a.ID, b.ID) })
	aIndex := make(map[string]int, len(order))
	for i, a := range order {
		aIndex[a.ID] = i
	}
	// rank[b][a] is a's place in b's priority; absent means unacceptable.
	rank := make([]map[int32]int32, len(programs))
	for i, p := range programs {
		rank[i] = make(map[int32]int32, len(p.Priority))
		for r, id := range p.Priority {
			if ai, ok := aIndex[id]; ok {
				if _, dup := rank[i][int32(ai)]; !dup {
					rank[i][int32(ai)] = int32(r)
				}
			}
		}
	}
	choices := make([][]int32, len(order))
	for i, a := range order {
		seen := map[int32]bool{}
		for _, c := range a.Choices {
			if bi, ok := bIndex[c]; ok && !seen[int32(bi)] {
				seen[int32(bi)] = true
				choices[i] = append(choices[i], int32(bi))
			}
		}
	}
	held := make([]heldHeap, len(programs))
	next := make([]int, len(order)) // next choice to propose to
	free := make([]int32, 0, len(order))
	for i := len(order) - 1; i >= 0; i-- {
		free = append(free, int32(i))
	}
	for len(free) > 0 {
		a := free[len(free)-1]
		free = free[:len(free)-1]
		for next[a] < len(choices[a]) {
			b := choices[a][next[a]]
			next[a]++
			r, acceptable := rank[b][a]
			if !acceptable || programs[b].Capacity <= 0 {
				continue
			}
			h := &held[b]
			if h.Len() < programs[b].Capacity {
				heap.Push(h, heldEntry{a, r})
				a = -1
				break
			}
			if worst := (*h)[0]; r < worst.rank {
				(*h)[0] = heldEntry{a, r}
				heap.Fix(h, 0)
				a = worst.applicant // the displaced applicant proposes on
				continue
			}
		}
		_ = a // an applicant left here has run out of choices
	}
	out := Assignment{}
	for b := range held {
		for _, e := range held[b] {
			out[order[e.applicant].ID] = programs[b].ID
		}
	}
	return out
}

type heldEntry struct {
	applicant int32
	rank      int32
}

// heldHeap keeps a base's held applicants with the worst on top.
type heldHeap []heldEntry

func (h heldHeap) Len() int           { return len(h) }
func (h heldHeap) Less(i, j int) bool { return h[i].rank > h[j].rank }
func (h heldHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *heldHeap) Push(x any)        { *h = append(*h, x.(heldEntry)) }
func (h *heldHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
