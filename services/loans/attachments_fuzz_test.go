package loans

import (
	"testing"

	"onestop/services/core"
)

// Fuzz target for the numbers a loan is scheduled from (S14); what an
// applicant uploads is fuzzed in services/documents.

// FuzzSchedule: within the limits a loan can have, the principal repaid
// adds up to the amount, what is owed falls to zero and never goes
// negative, months follow one another, and the subsidy never exceeds the
// interest.
func FuzzSchedule(f *testing.F) {
	f.Add(int64(100000), 4.35, 24, 50.0)
	f.Add(int64(1), 0.1, 1, 100.0)
	f.Add(int64(2_000_000), 20.0, 24, 0.0)
	f.Add(int64(7), 3.3, 23, 33.3)
	start := core.NewDate(2026, 1, 31)
	f.Fuzz(func(t *testing.T, amount int64, rate float64, months int, subsidy float64) {
		if amount < 1 || amount > 2_000_000 || months < 1 || months > 24 || !(rate >= 0.1 && rate <= 20) || !(subsidy >= 0 && subsidy <= 100) {
			return // the validated range
		}
		s := Schedule(amount, rate, months, start, subsidy)
		if len(s) != months {
			t.Fatalf("%d installments for %d months", len(s), months)
		}
		var paid int64
		prev := start
		for i, in := range s {
			paid += in.PrincipalFen
			if in.No != i+1 || in.PrincipalFen < 0 || in.InterestFen < 0 || in.SubsidyFen < 0 || in.SubsidyFen > in.InterestFen ||
				in.OwedAfterFen < 0 || in.OwedAfterFen != amount*100-paid || !in.DueOn.After(prev) {
				t.Fatalf("installment %+v of Schedule(%d, %v, %d, %v)", in, amount, rate, months, subsidy)
			}
			prev = in.DueOn
		}
		if paid != amount*100 || s[len(s)-1].OwedAfterFen != 0 {
			t.Fatalf("repaid %d fen of %d", paid, amount*100)
		}
		if interest, sub := Totals(s); sub != roundHalfUp(float64(interest)*subsidy/100) {
			t.Fatalf("subsidy %d fen is not %v%% of %d", sub, subsidy, interest)
		}
	})
}
