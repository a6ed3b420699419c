package workdays

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

// seed.json holds the years the portal ships with: 2026 as the State
// Council's notice on the year's public holidays sets it, written down from
// memory. Its source note, shown on the administrators' page, says the
// bureau must check it against the official notice.
//
//go:embed seed.json
var seedJSON []byte

type seedFile struct {
	Source string `json:"source"`
	Years  []struct {
		Year        int    `json:"year"`
		Holidays    []Span `json:"holidays"`
		WorkingDays []Span `json:"working_days"`
	} `json:"years"`
}

// seedYears returns the seed file's years, each checked as an
// administrator's edit would be.
func seedYears() ([]Year, error) {
	var sf seedFile
	if err := json.Unmarshal(seedJSON, &sf); err != nil {
		return nil, fmt.Errorf("workdays: seed file: %w", err)
	}
	out := make([]Year, 0, len(sf.Years))
	for _, y := range sf.Years {
		in := Input{Holidays: y.Holidays, WorkingDays: y.WorkingDays, Source: sf.Source}
		if err := check(y.Year, &in); err != nil {
			return nil, fmt.Errorf("workdays: seed %d: %v", y.Year, err)
		}
		out = append(out, Year{ID: yearID(y.Year), Year: y.Year, Holidays: in.Holidays, WorkingDays: in.WorkingDays, Source: in.Source, Version: 1})
	}
	return out, nil
}
