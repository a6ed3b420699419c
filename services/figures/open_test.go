package figures

import (
	"fmt"
	"testing"
)

// TestSmallCells: published counts under five are withheld, and so is a
// share whose count or remainder is under five.
func TestSmallCells(t *testing.T) {
	for _, tt := range []struct {
		n    int64
		want string
	}{{0, "0"}, {1, "nil"}, {4, "nil"}, {5, "5"}, {120, "120"}} {
		got := "nil"
		if c := cell(tt.n); c != nil {
			got = fmt.Sprint(*c)
		}
		if got != tt.want {
			t.Errorf("cell(%d) = %s, want %s", tt.n, got, tt.want)
		}
	}
	for _, tt := range []struct {
		n, of int64
		want  float64 // -1: withheld
	}{{0, 10, 0}, {5, 10, 50}, {9, 10, -1}, {3, 10, -1}, {0, 4, -1}, {10, 10, 100}, {7, 21, 33.3}} {
		got := -1.0
		if s := shareCell(tt.n, tt.of); s != nil {
			got = *s
		}
		if got != tt.want {
			t.Errorf("share(%d of %d) = %v, want %v", tt.n, tt.of, got, tt.want)
		}
	}
}

// TestOpenRow: a district's jobs are withheld with fewer than five
// ventures operating, however many people they employ.
func TestOpenRow(t *testing.T) {
	for _, tt := range []struct {
		name               string
		operating, workers int64
		jobs               bool
	}{{"many ventures", 6, 40, true}, {"few ventures", 3, 40, false}, {"none", 0, 0, true}} {
		r := openRow("xicheng", map[string]int64{"stability_checked_verified": 10, "stability_operating_verified": tt.operating, "stability_employees_verified": tt.workers})
		if (r.JobsAtCheckIns != nil) != tt.jobs {
			t.Errorf("%s: jobs published %v, want %v", tt.name, r.JobsAtCheckIns != nil, tt.jobs)
		}
	}
}

// TestComplementarySuppression: one withheld district in a column takes
// the smallest other one with it; two or none, nothing more.
func TestComplementarySuppression(t *testing.T) {
	n := func(v int64) OpenCell { return &v }
	for _, tt := range []struct {
		name string
		col  []OpenCell // the city, then the districts
		gone []int      // the districts withheld afterwards
	}{
		{"one withheld takes the smallest non-zero", []OpenCell{n(40), nil, n(12), n(7), n(0), n(21)}, []int{1, 3}},
		{"two withheld: nothing more", []OpenCell{n(30), nil, nil, n(9), n(21), nil}, []int{1, 2, 5}},
		{"none withheld: nothing", []OpenCell{n(30), n(9), n(21)}, nil},
		{"one withheld, the others zero: nothing to take", []OpenCell{n(3), nil, n(0), n(0)}, []int{1}},
	} {
		rows := make([]OpenRow, len(tt.col))
		for i, c := range tt.col {
			rows[i].LoansApproved = c
		}
		suppressComplements(rows)
		var gone []int
		for i, r := range rows {
			if r.LoansApproved == nil {
				gone = append(gone, i)
			}
		}
		if fmt.Sprint(gone) != fmt.Sprint(tt.gone) {
			t.Errorf("%s: withheld %v, want %v", tt.name, gone, tt.gone)
		}
	}
}
