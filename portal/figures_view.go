package portal

import (
	"context"

	"onestop/services/core"
	"onestop/services/figures"
	"onestop/services/hotline"
	"onestop/services/mentors"
	"onestop/services/onestop"
	"onestop/services/policy"
)

// enumDims are the values of the figures' fixed-list dimensions. The
// figures package cannot import the areas that count into it, so the
// lists come from here.
var enumDims = figures.Enums{
	"district": core.Districts, "industry": policy.Industries, "group": policy.TargetGroups, "topic": mentors.Topics,
	"call_topic": hotline.CallTopics, "call_type": hotline.CallTypes, "complaint_kind": hotline.ComplaintKinds, "case_outcome": hotline.Outcomes, "service_type": onestop.Types,
}

// parseFigureQuery checks a view's query against the lists above.
func parseFigureQuery(get func(key string, def ...string) string, now core.Date) (figures.Query, error) {
	return figures.ParseQuery(get, now, enumDims)
}

// figureView is the dashboard's view of q in the reader's language.
func (a *App) figureView(ctx context.Context, l string, q figures.Query) (*figures.View, error) {
	pols, err := a.policies.All(ctx)
	if err != nil {
		return nil, err
	}
	bases, err := a.bases.Bases(ctx)
	if err != nil {
		return nil, err
	}
	var recs figures.Records
	for _, p := range pols {
		recs.Policies = append(recs.Policies, figures.Named{ID: p.ID, Name: p.Name.In(l)})
	}
	for _, b := range bases {
		recs.Bases = append(recs.Bases, figures.Base{ID: b.ID, Name: b.Name, Seats: b.Seats, FreeSeats: b.FreeSeats})
	}
	v, err := a.views.View(ctx, q, recs)
	if err != nil {
		return nil, err
	}
	for _, s := range v.Sections {
		a.localizeFigures(l, s.Figures)
	}
	for _, b := range v.Breakdowns {
		if b.LabelKeys {
			for _, r := range b.Rows {
				r[0] = a.I18n.T(l, r[0])
			}
		}
	}
	return v, nil
}

// localizeFigures writes each figure's note in the reader's language.
func (a *App) localizeFigures(l string, fs []figures.Figure) {
	for i := range fs {
		if fs[i].NoteKey != "" {
			fs[i].Note = a.I18n.T(l, fs[i].NoteKey, fs[i].NoteArgs...)
		}
	}
}

// openFigures is open data with the areas named in the reader's language.
func (a *App) openFigures(ctx context.Context, l string) (*figures.OpenData, error) {
	d, err := a.views.Open(ctx)
	if err != nil {
		return nil, err
	}
	for i, r := range d.Rows {
		if r.Area == "all" {
			d.Rows[i].Name = a.I18n.T(l, "figdim.all")
		} else {
			d.Rows[i].Name = a.I18n.T(l, "district."+r.Area)
		}
	}
	return d, nil
}
