package portal

import (
	"context"
	"fmt"
	"html/template"
	"net/url"

	"github.com/gofiber/fiber/v2"

	"onestop/services/core"
	"onestop/services/figures"
)

// bar is one bar of a server-drawn SVG chart.
type bar struct {
	X, Y, W, H float64
	Label      string
	Value      int64
}

// chart is a bar chart with its data, drawn without JavaScript; the same
// numbers are in a table for screen readers.
type chart struct {
	Key    string
	Bars   []bar
	Width  float64
	Height float64
}

func percent(n, of int64) string {
	if of == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(n)/float64(of))
}

func ratio(n, of int64) string {
	if of == 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", float64(n)/float64(of))
}

func quant(f figures.Figures, name string, q float64) string {
	v := f.Quantile(name, q)
	if v == 0 {
		return "—"
	}
	return fmt.Sprintf("≤ %g", v)
}

// filterOption is one choice of the dashboard's filter ("district:xicheng").
type filterOption struct {
	Value, Label string
}

// filterGroup is the choices of one dimension.
type filterGroup struct {
	Dim     string
	Options []filterOption
}

// filterGroups lists every filter the form offers: the fixed lists, and
// the banks, providers and bases by name.
func (a *App) filterGroups(ctx context.Context, l string) ([]filterGroup, error) {
	var out []filterGroup
	labels := map[string]string{"group": "group.", "topic": "topic.", "service_type": "service.",
		"call_topic": "calltopic.", "call_type": "calltype.", "complaint_kind": "ckind.", "case_outcome": "outcome."}
	for _, dim := range figureDims[1:] {
		g := filterGroup{Dim: dim}
		for _, v := range dimValues(a.reference, dim) {
			label := a.i18n.T(l, labels[dim]+v)
			if kinds := refDims[dim]; kinds != nil {
				label = a.reference.Label(kinds[0], v, l)
			}
			g.Options = append(g.Options, filterOption{dim + ":" + v, label})
		}
		switch dim {
		case "bank":
			banks, err := a.loans.Banks(ctx)
			if err != nil {
				return nil, err
			}
			for _, b := range banks {
				g.Options = append(g.Options, filterOption{"bank:" + b.ID, b.Name})
			}
		case "provider":
			provs, err := a.training.Providers(ctx)
			if err != nil {
				return nil, err
			}
			for _, p := range provs {
				g.Options = append(g.Options, filterOption{"provider:" + p.ID, p.Name})
			}
		case "base":
			bases, err := a.bases.Bases(ctx)
			if err != nil {
				return nil, err
			}
			for _, b := range bases {
				g.Options = append(g.Options, filterOption{"base:" + b.ID, b.Name})
			}
		}
		if len(g.Options) > 0 {
			out = append(out, g)
		}
	}
	return out, nil
}

// figuresPage is the bureau's dashboard: every figure of a span of months,
// for the city or under one filter, read from the rollups alone, with a
// year of monthly trends drawn as SVG and the cohorts of ventures.
func (a *App) figuresPage(c *fiber.Ctx) error {
	ctx, l := c.UserContext(), lang(c)
	now := core.DateOf(a.clock.Now())
	groups, err := a.filterGroups(ctx, l)
	if err != nil {
		return err
	}
	data := fiber.Map{"Title": "figures.title", "Groups": groups, "Errors": map[string]string{}, "Months": cohortMonths}
	q, err := parseFigureQuery(c.Query, now, a.reference)
	data["Query"], data["Filter"] = q, q.Dim+":"+q.Value
	if err != nil {
		if fe := formErrors(err); fe != nil {
			c.Status(fiber.StatusUnprocessableEntity)
			data["Errors"] = fe
			return a.render(c, "pages/figures", data)
		}
		return err
	}
	v, err := a.fullView(ctx, l, q, now)
	if err != nil {
		return err
	}
	data["V"] = v
	// The exports get the same span and filter, re-encoded from the checked
	// query (so marked safe for the template).
	data["Export"] = template.URL(url.Values{"from": {q.From}, "to": {q.To}, "filter": {q.Dim + ":" + q.Value}}.Encode())
	return a.render(c, "pages/figures", data)
}

// trendSeries are the counters drawn as a year of monthly bars.
var trendSeries = []string{"ventures_started", "calls", "consult_asked", "service_requests", "loans_applied", "training_enrolled"}

// fullView is a view with its trends: what the page shows and an export
// holds.
func (a *App) fullView(ctx context.Context, l string, q figureQuery, now core.Date) (*figureView, error) {
	v, err := a.figureView(ctx, l, q)
	if err == nil {
		v.Charts, err = a.trends(ctx, q, now)
	}
	return v, err
}

// trends draws every trend series under the view's filter.
func (a *App) trends(ctx context.Context, q figureQuery, now core.Date) ([]chart, error) {
	var out []chart
	for _, series := range trendSeries {
		ch, err := a.trend(ctx, series, q, now)
		if err != nil {
			return nil, err
		}
		out = append(out, ch)
	}
	return out, nil
}

// trend draws twelve months of one counter, up to this month, as bars.
func (a *App) trend(ctx context.Context, series string, q figureQuery, now core.Date) (chart, error) {
	const w, h, gap = 600.0, 160.0, 4.0
	ch := chart{Key: "figures.series." + series, Width: w, Height: h + 20}
	var vals []int64
	var labels []string
	var peak int64 = 1
	for i := 11; i >= 0; i-- {
		m := now.AddMonths(-i).String()[:7]
		f, err := a.readFigures(ctx, figureQuery{m, m, q.Dim, q.Value})
		if err != nil {
			return ch, err
		}
		vals, labels = append(vals, f.Counts[series]), append(labels, m)
		peak = max(peak, f.Counts[series])
	}
	bw := w/float64(len(vals)) - gap
	for i, v := range vals {
		bh := h * float64(v) / float64(peak)
		ch.Bars = append(ch.Bars, bar{X: float64(i) * (bw + gap), Y: h - bh, W: bw, H: bh, Label: labels[i], Value: v})
	}
	return ch, nil
}
