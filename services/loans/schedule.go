package loans

import "onestop/services/core"

// Installment is one month of a loan's repayment schedule, in fen (分):
// principal repaid in equal parts (等額本金), interest on what is still owed
// at the annual rate over twelve, and the interest subsidy the bureau pays
// (貼息) — the policy's share of that interest.
type Installment struct {
	No           int       `json:"no"`
	DueOn        core.Date `json:"due_on"`
	PrincipalFen int64     `json:"principal_fen"`
	InterestFen  int64     `json:"interest_fen"`
	SubsidyFen   int64     `json:"subsidy_fen"`
	OwedAfterFen int64     `json:"owed_after_fen"`
	// State is how the instalment fares against the principal repaid
	// (Loan.Standing), where a file shows it.
	State string `json:"state,omitempty"`
}

// Schedule works out the monthly schedule of a loan of amountYuan for
// months at ratePct a year, from start, with subsidyPct of each month's
// interest subsidised. Amounts are whole fen, rounded half up; the last
// month takes what rounding left of the principal. The subsidy is rounded
// on the running total (each month's is the rounded share of the interest
// so far, less what earlier months got), so the months add up to exactly
// the policy's share of the whole interest, as the file's heading says.
func Schedule(amountYuan int64, ratePct float64, months int, start core.Date, subsidyPct float64) []Installment {
	if amountYuan <= 0 || months <= 0 {
		return nil
	}
	owed := amountYuan * 100
	part := owed / int64(months)
	out := make([]Installment, 0, months)
	var interestSoFar, subsidySoFar int64
	for i := 1; i <= months; i++ {
		p := part
		if i == months {
			p = owed
		}
		interest := roundHalfUp(float64(owed) * ratePct / 100 / 12)
		interestSoFar += interest
		subsidy := roundHalfUp(float64(interestSoFar)*subsidyPct/100) - subsidySoFar
		subsidySoFar += subsidy
		in := Installment{No: i, DueOn: start.AddMonthsClamped(i), PrincipalFen: p, InterestFen: interest, SubsidyFen: subsidy}
		owed -= p
		in.OwedAfterFen = owed
		out = append(out, in)
	}
	return out
}

// roundHalfUp rounds a non-negative amount of fen to a whole fen; the tiny
// offset absorbs binary fractions (0.5 stored as 0.49999…).
func roundHalfUp(f float64) int64 { return int64(f + 0.5 + 1e-9) }

// Totals sums a schedule.
func Totals(s []Installment) (interest, subsidy int64) {
	for _, in := range s {
		interest += in.InterestFen
		subsidy += in.SubsidyFen
	}
	return interest, subsidy
}
