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
		if p.Apply != nil {
			recs.Applied = append(recs.Applied, figures.Applied{ID: p.ID, Name: p.Name.In(l), Kind: p.Apply.Kind, Active: p.Active})
		}
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
				r[0].Text = a.I18n.T(l, r[0].Text)
			}
		}
	}
	return v, nil
}

// localizeFigures writes each figure's parts and note in the reader's
// language. A rate's note is its formula — what it counts over what, and
// for a time-limit rate how much of that is open past its limit — unless
// it has a note of its own (too recent to have one).
func (a *Handlers) localizeFigures(l string, fs []figures.Figure) {
	for i := range fs {
		f := &fs[i]
		if f.NumKey != "" {
			f.Numerator, f.Denominator = a.I18n.T(l, f.NumKey, f.NumArgs...), a.I18n.T(l, f.OfKey, f.OfArgs...)
		}
		switch {
		case f.NoteKey != "":
			f.Note = a.I18n.T(l, f.NoteKey, f.NoteArgs...)
		case f.NumKey != "" && f.OpenOverdue != nil:
			f.Note = a.I18n.T(l, "figures.formula.overdue", f.Numerator, f.N, f.Denominator, f.Of, a.I18n.T(l, f.OverdueKey), *f.OpenOverdue)
		case f.NumKey != "":
			f.Note = a.I18n.T(l, "figures.formula", f.Numerator, f.N, f.Denominator, f.Of)
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
