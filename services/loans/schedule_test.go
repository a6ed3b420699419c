package loans

import (
	"slices"
	"testing"

	"onestop/services/core"
)

// The schedule of a 20,000-yuan loan over 4 months at 4.35 % a year, half
// the interest subsidised, worked out by hand. The subsidy is half the
// interest so far, rounded, less what earlier months got, so it adds up to
// exactly half the total (rounding each month alone gave 9,064, a fen more
// than the heading's half of 18,126):
//
//	month  owed before  principal  interest = owed × 4.35 % / 12   interest so far  half, rounded  subsidy
//	1      2,000,000 fen  500,000    7,250.0 → 7,250                 7,250           3,625          3,625
//	2      1,500,000      500,000    5,437.5 → 5,438                12,688           6,344          2,719
//	3      1,000,000      500,000    3,625.0 → 3,625                16,313           8,156.5 → 8,157 1,813
//	4        500,000      500,000    1,812.5 → 1,813                18,126           9,063            906
//
// interest 18,126 fen (181.26 yuan), subsidy 9,063 fen (90.63 yuan).
func TestScheduleByHand(t *testing.T) {
	s := Schedule(20000, 4.35, 4, core.NewDate(2026, 1, 31), 50)
	want := []Installment{
		{1, core.NewDate(2026, 2, 28), 500000, 7250, 3625, 1500000, ""},
		{2, core.NewDate(2026, 3, 31), 500000, 5438, 2719, 1000000, ""},
		{3, core.NewDate(2026, 4, 30), 500000, 3625, 1813, 500000, ""},
		{4, core.NewDate(2026, 5, 31), 500000, 1813, 906, 0, ""},
	}
	if len(s) != len(want) {
		t.Fatalf("%d installments", len(s))
	}
	for i := range want {
		if s[i] != want[i] {
			t.Errorf("month %d: %+v, want %+v", i+1, s[i], want[i])
		}
	}
	if interest, subsidy := Totals(s); interest != 18126 || subsidy != 9063 {
		t.Errorf("totals %d / %d", interest, subsidy)
	}
}

func TestScheduleRemainder(t *testing.T) {
	// 10,000 yuan over 3 months: 333,333 fen twice, then 333,334.
	s := Schedule(10000, 0, 3, core.NewDate(2026, 6, 1), 50)
	if s[0].PrincipalFen != 333333 || s[2].PrincipalFen != 333334 || s[2].OwedAfterFen != 0 {
		t.Errorf("%+v", s)
	}
	if Schedule(0, 4, 12, core.NewDate(2026, 6, 1), 50) != nil {
		t.Error("a schedule for nothing")
	}
}

// TestStanding: the principal repaid is applied to the instalments in
// order; an instalment past its day and not covered is overdue.
func TestStanding(t *testing.T) {
	// 12,000 yuan over 4 months from 2026-01-31: 300,000 fen of principal
	// due on 02-28, 03-31, 04-30 and 05-31.
	loan := Loan{GrantedYuan: 12000, RatePct: 4.35, TermMonths: 4, SubsidyPct: 50, DisbursedOn: core.NewDate(2026, 1, 31)}
	tests := []struct {
		name        string
		repaid      []int64
		today       core.Date
		states      []string
		outstanding int64
	}{
		{"nothing due yet", nil, core.NewDate(2026, 2, 1), []string{"upcoming", "upcoming", "upcoming", "upcoming"}, 1200000},
		{"two months passed, nothing paid", nil, core.NewDate(2026, 4, 1), []string{"overdue", "overdue", "upcoming", "upcoming"}, 1200000},
		{"one and a half paid", []int64{300000, 150000}, core.NewDate(2026, 3, 15), []string{"paid", "partial", "upcoming", "upcoming"}, 750000},
		{"half of the second, after its day", []int64{450000}, core.NewDate(2026, 4, 1), []string{"paid", "overdue", "upcoming", "upcoming"}, 750000},
		{"paid ahead", []int64{900000}, core.NewDate(2026, 3, 1), []string{"paid", "paid", "paid", "upcoming"}, 300000},
		{"all repaid", []int64{1200000}, core.NewDate(2026, 6, 1), []string{"paid", "paid", "paid", "paid"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := loan
			for _, p := range tt.repaid {
				l.Repayments = append(l.Repayments, Repayment{PrincipalFen: p})
			}
			st := l.Standing(tt.today)
			if !slices.Equal(st.States, tt.states) || st.OutstandingFen != tt.outstanding {
				t.Errorf("states %v owed %d, want %v %d", st.States, st.OutstandingFen, tt.states, tt.outstanding)
			}
		})
	}
}
