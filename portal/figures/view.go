package figures

import (
	"context"

	"onestop/services/figures"
	"onestop/services/reference"
)

// figureView is the dashboard's view of q in the reader's language.
func (a *Handlers) figureView(ctx context.Context, l string, q figures.Query) (*figures.View, error) {
	pols, err := a.policies.All(ctx)
	if err != nil {
		return nil, err
	}
	all, err := a.bases.Bases(ctx)
	if err != nil {
		return nil, err
	}
	var recs figures.Records
	for _, p := range pols {
		recs.Policies = append(recs.Policies, figures.Named{ID: p.ID, Name: p.Name.In(l)})
	}
	for _, b := range all {
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
func (a *Handlers) localizeFigures(l string, fs []figures.Figure) {
	for i := range fs {
		if fs[i].NoteKey != "" {
			fs[i].Note = a.I18n.T(l, fs[i].NoteKey, fs[i].NoteArgs...)
		}
	}
}

// openFigures is open data with the areas named in the reader's language.
func (a *Handlers) openFigures(ctx context.Context, l string) (*figures.OpenData, error) {
	d, err := a.views.Open(ctx)
	if err != nil {
		return nil, err
	}
	for i, r := range d.Rows {
		if r.Area == "all" {
			d.Rows[i].Name = a.I18n.T(l, "figdim.all")
		} else {
			d.Rows[i].Name = a.Lists.Label(reference.District, r.Area, l)
		}
	}
	return d, nil
}
