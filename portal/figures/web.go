package figures

import (
	"context"
	"html/template"
	"net/url"
	"onestop/portal/web"

	"github.com/gofiber/fiber/v2"

	"onestop/services/core"
	"onestop/services/figures"
	"onestop/services/reference"
)

// bar is one bar of a server-drawn SVG chart.
type bar struct {
	X, Y, W, H float64
	Label      string
	Value      int64
}

// chart is a bar chart with its data, drawn without JavaScript; the same
// numbers are in a table for screen readers. An empty one (every month
// zero) would draw as blank space: the page says so in words instead.
type chart struct {
	Key    string
	Bars   []bar
	Width  float64
	Height float64
	Empty  bool
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
func (a *Handlers) filterGroups(ctx context.Context, l string) ([]filterGroup, error) {
	var out []filterGroup
	labels := map[string]string{"group": "group.", "topic": "topic.", "service_type": "service.",
		"call_topic": "calltopic.", "call_type": "calltype.", "complaint_kind": "ckind.", "case_outcome": "outcome."}
	for _, dim := range figures.Dimensions[1:] {
		g := filterGroup{Dim: dim}
		for _, v := range a.views.Lists().Values(dim) {
			label := a.I18n.T(l, labels[dim]+v)
			switch dim {
			case "district":
				label = a.Lists.Label(reference.District, v, l)
			case "industry":
				label = a.Lists.Label(reference.Industry, v, l)
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
			all, err := a.bases.Bases(ctx)
			if err != nil {
				return nil, err
			}
			for _, b := range all {
				g.Options = append(g.Options, filterOption{"base:" + b.ID, b.Name})
			}
		}
		if len(g.Options) > 0 {
			out = append(out, g)
		}
	}
	return out, nil
}

// filterLabel says a query's filter in the reader's language, as the
// form offers it ("district:beishan" → 「地區：北山區」); a value the form does
// not list (a mentor's id) is said as it is.
func (a *Handlers) filterLabel(ctx context.Context, l string, q figures.Query) (string, error) {
	if q.Dim == "all" {
		return a.I18n.T(l, "figdim.all"), nil
	}
	groups, err := a.filterGroups(ctx, l)
	if err != nil {
		return "", err
	}
	value := q.Value
	for _, g := range groups {
		for _, o := range g.Options {
			if o.Value == q.Dim+":"+q.Value {
				value = o.Label
			}
		}
	}
	return a.I18n.T(l, "figures.export.filter", a.I18n.T(l, "figdim."+q.Dim), value), nil
}

// figuresPage is the bureau's dashboard: every figure of a span of months,
// for the city or under one filter, read from the rollups alone, with a
// year of monthly trends drawn as SVG and the cohorts of ventures.
func (a *Handlers) figuresPage(c *fiber.Ctx) error {
	ctx, l := c.UserContext(), web.Lang(c)
	now := core.DateOf(a.Clock.Now())
	groups, err := a.filterGroups(ctx, l)
	if err != nil {
		return err
	}
	data := fiber.Map{"Title": "figures.title", "Groups": groups, "Errors": map[string]string{}, "Months": figures.CohortMonths}
	q, err := a.views.Parse(c.Query, now)
	data["Query"], data["Filter"] = q, q.Dim+":"+q.Value
	if err != nil {
		if fe := web.FormErrors(err); fe != nil {
			c.Status(fiber.StatusUnprocessableEntity)
			data["Errors"] = fe
			return a.Render(c, "pages/figures", data)
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
	return a.Render(c, "pages/figures", data)
}

// trendSeries are the counters drawn as a year of monthly bars.
var trendSeries = []string{"ventures_started", "calls", "consult_asked", "service_requests", "loans_applied", "training_enrolled"}

// dashboard is a view with its trends drawn: what the page shows and an
// export holds.
type dashboard struct {
	*figures.View
	Charts []chart
}

// fullView is the dashboard of q.
func (a *Handlers) fullView(ctx context.Context, l string, q figures.Query, now core.Date) (*dashboard, error) {
	v, err := a.figureView(ctx, l, q)
	if err != nil {
		return nil, err
	}
	trends, err := a.views.Trends(ctx, q, trendSeries, now)
	if err != nil {
		return nil, err
	}
	d := &dashboard{View: v}
	for _, t := range trends {
		d.Charts = append(d.Charts, drawTrend(t))
	}
	return d, nil
}

// drawTrend draws twelve months of one counter as bars.
func drawTrend(t figures.Trend) chart {
	const w, h, gap = 600.0, 160.0, 4.0
	ch := chart{Key: "figures.series." + t.Series, Width: w, Height: h + 20, Empty: true}
	var peak int64 = 1
	for _, v := range t.Values {
		peak = max(peak, v)
		ch.Empty = ch.Empty && v == 0
	}
	bw := w/float64(len(t.Values)) - gap
	for i, v := range t.Values {
		bh := h * float64(v) / float64(peak)
		ch.Bars = append(ch.Bars, bar{X: float64(i) * (bw + gap), Y: h - bh, W: bw, H: bh, Label: t.Months[i], Value: v})
	}
	return ch
}
