package figures

import (
	"context"
	"time"

	"onestop/services/core"
)

// SmallCell is the fewest people a published figure may count: smaller
// counts (and shares over them) are withheld, so nobody can be picked out
// of an open table.
const SmallCell = 5

// OpenCell is a published number, or null when withheld.
type OpenCell = *int64

// OpenRow is one district's (or the city's) open figures: those whose
// records say where they happened (a venture's district, a loan
// applicant's). Name is the area's name in the reader's language, set by
// whoever renders it (the city's row has Area "all").
type OpenRow struct {
	Area                string   `json:"area"`
	Name                string   `json:"name"`
	VenturesStarted     OpenCell `json:"ventures_started"`
	StabilityChecked    OpenCell `json:"stability_checked"`
	StillOperatingShare *float64 `json:"still_operating_share"`
	JobsAtCheckIns      OpenCell `json:"jobs_at_check_ins"`
	LoansApproved       OpenCell `json:"loans_approved"`
}

// OpenCity are the city's figures whose records hold no district: a call,
// a consultation, a training enrolment. By district they would read 0 in
// every district beside a city total, so they are published for the city
// only (a district is not guessed from a person's profile: the figures
// count the record as it was, and profiles move).
type OpenCity struct {
	TrainingPassed OpenCell `json:"training_passed"`
	Consultations  OpenCell `json:"consultations"`
	Calls          OpenCell `json:"calls"`
}

// OpenData is the public, aggregate-only view of the figures. The
// check-in figures are the verified ones only (CheckIns says so): an
// official table is read as the city's, and an answer nobody checked
// (one account once reported 100,000 jobs) is not that; staff see the
// self-reported ones apart on the dashboard.
type OpenData struct {
	From            string    `json:"from"`
	To              string    `json:"to"`
	SuppressedBelow int       `json:"suppressed_below"`
	CheckIns        string    `json:"check_ins"` // "verified": recorded or verified by hotline staff
	Rows            []OpenRow `json:"rows"`
	CityOnly        OpenCity  `json:"city_only"`
	Computed        time.Time `json:"computed_at"`
}

// cell publishes a count, or withholds one of 1 to SmallCell-1.
func cell(n int64) OpenCell {
	if n > 0 && n < SmallCell {
		return nil
	}
	return &n
}

// shareCell publishes a share when both its parts may be published.
func shareCell(n, of int64) *float64 {
	if of < SmallCell || (n > 0 && n < SmallCell) || (of-n > 0 && of-n < SmallCell) {
		return nil // a small remainder would reveal the few on the other side
	}
	s := float64(int64(1000*float64(n)/float64(of)+0.5)) / 10
	return &s
}

// Open are the last twelve months by district (the Lists' districts) and
// for the city, from the rollups, with small cells withheld.
func (v *Views) Open(ctx context.Context) (*OpenData, error) {
	now := core.DateOf(v.clock.Now())
	out := &OpenData{From: now.AddMonths(-11).String()[:7], To: now.String()[:7], SuppressedBelow: SmallCell, CheckIns: "verified", Computed: v.clock.Now()}
	areas := append([]string{"all"}, v.lists.Values("district")...)
	for _, d := range areas {
		q := Query{out.From, out.To, "district", d}
		if d == "all" {
			q.Dim = "all"
		}
		f, err := v.Read(ctx, q)
		if err != nil {
			return nil, err
		}
		out.Rows = append(out.Rows, openRow(d, f.Counts))
		if d == "all" {
			out.CityOnly = OpenCity{TrainingPassed: cell(f.Counts["training_passed"]), Consultations: cell(f.Counts["consult_asked"]), Calls: cell(f.Counts["calls"])}
		}
	}
	suppressComplements(out.Rows)
	return out, nil
}

// openRow publishes one area's counts, withholding the small ones.
func openRow(area string, n map[string]int64) OpenRow {
	checked, operating, employed := n["stability_checked_verified"], n["stability_operating_verified"], n["stability_employees_verified"]
	jobs := cell(employed)
	if operating > 0 && operating < SmallCell {
		jobs = nil // a few ventures' head-counts would show one business's
	}
	return OpenRow{Area: area, VenturesStarted: cell(n["ventures_started"]), StabilityChecked: cell(checked),
		StillOperatingShare: shareCell(operating, checked), JobsAtCheckIns: jobs, LoansApproved: cell(n["loans_approved"])}
}

// suppressComplements withholds a second district's cell wherever only one
// is withheld in a column: otherwise the city's total less the published
// districts gives the withheld one back. rows[0] is the city's.
func suppressComplements(rows []OpenRow) {
	columns := []func(r *OpenRow) *OpenCell{
		func(r *OpenRow) *OpenCell { return &r.VenturesStarted }, func(r *OpenRow) *OpenCell { return &r.StabilityChecked },
		func(r *OpenRow) *OpenCell { return &r.JobsAtCheckIns }, func(r *OpenRow) *OpenCell { return &r.LoansApproved },
	}
	districts := rows[1:]
	for _, col := range columns {
		withheld, smallest := 0, -1
		for i := range districts {
			c := *col(&districts[i])
			switch {
			case c == nil:
				withheld++
			case *c > 0 && (smallest < 0 || *c < **col(&districts[smallest])):
				smallest = i
			}
		}
		if withheld == 1 && smallest >= 0 {
			*col(&districts[smallest]) = nil
		}
	}
}
