package portal

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"onestop/services/core"
	"onestop/services/figures"
)

// tile is one figure on the dashboard: a catalog key, the value shown and
// a note on what it is of (already in the reader's language).
type tile struct {
	Key, Value, Note string
}

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

// figuresPage is the bureau's dashboard: the figures of a span of months,
// for the city or one district (or industry …), read from the rollups
// alone, and a year of monthly trends drawn as SVG.
func (a *App) figuresPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	now := core.DateOf(a.clock.Now())
	to := c.Query("to", now.String()[:7])
	from := c.Query("from", now.AddMonths(-11).String()[:7])
	dim, value := c.Query("dim", "all"), c.Query("value", "")
	if dim == "all" || value == "" {
		dim, value = "all", "all"
	}
	f, err := a.figures.Read(ctx, from, to, dim, value)
	if err != nil {
		if fe := formErrors(err); fe != nil {
			c.Status(fiber.StatusUnprocessableEntity)
			return a.render(c, "pages/figures", fiber.Map{"Title": "figures.title", "From": from, "To": to, "Dim": dim, "Value": value, "Errors": fe, "Dims": figureDims})
		}
		return err
	}
	n := f.Counts
	l := lang(c)
	note := func(key string, n int64) string { return a.i18n.T(l, key+".of", n) }
	p90Note := ""
	if p90 := quant(f, "answer_minutes", 0.9); p90 != "—" {
		p90Note = a.i18n.T(l, "figures.answer_minutes.of", p90)
	}
	tiles := []tile{
		{"figures.loans_applied", fmt.Sprint(n["loans_applied"]), ""},
		{"figures.loans_approved", fmt.Sprint(n["loans_approved"]), note("figures.loans_approved", n["loans_decided"])},
		{"figures.decision_days", quant(f, "decision_days", 0.5), ""},
		{"figures.training_completion", percent(n["training_passed"], n["training_passed"]+n["training_not_passed"]), note("figures.training_completion", n["training_enrolled"])},
		{"figures.consult_on_time", percent(n["consult_on_time"], n["consult_answered"]), note("figures.consult_on_time", n["consult_asked"])},
		{"figures.answer_minutes", quant(f, "answer_minutes", 0.5), p90Note},
		{"figures.rating", ratio(n["consult_rating_sum"], n["consult_rated"]), note("figures.rating", n["consult_rated"])},
		{"figures.calls", fmt.Sprint(n["calls"]), ""},
		{"figures.complaints_on_time", percent(n["complaints_on_time"], n["complaints_answered"]), note("figures.complaints_on_time", n["complaints_received"])},
		{"figures.started_again", percent(n["case_outcome_started_again"], n["cases_closed"]), note("figures.started_again", n["cases_closed"])},
		{"figures.stability", percent(n["stability_operating"], n["stability_checked"]), note("figures.stability", n["stability_checked"])},
		{"figures.jobs", fmt.Sprint(n["stability_employees"]), note("figures.jobs", n["stability_operating"])},
	}
	var charts []chart
	for _, series := range []string{"calls", "consult_asked", "loans_applied", "training_enrolled"} {
		ch, err := a.trend(c, series, dim, value, now)
		if err != nil {
			return err
		}
		charts = append(charts, ch)
	}
	return a.render(c, "pages/figures", fiber.Map{"Title": "figures.title", "From": from, "To": to, "Dim": dim, "Value": value, "Tiles": tiles,
		"Charts": charts, "Dims": figureDims, "Errors": map[string]string{}})
}

// figureDims are the dimensions the dashboard filters on.
var figureDims = []string{"all", "district", "industry", "topic", "bank", "provider", "call_topic", "complaint_kind", "case_outcome"}

func quant(f figures.Figures, name string, q float64) string {
	v := f.Quantile(name, q)
	if v == 0 {
		return "—"
	}
	return fmt.Sprintf("≤ %g", v)
}

// trend draws twelve months of one counter as bars.
func (a *App) trend(c *fiber.Ctx, series, dim, value string, now core.Date) (chart, error) {
	const w, h, gap = 600.0, 160.0, 4.0
	ch := chart{Key: "figures.series." + series, Width: w, Height: h + 20}
	var vals []int64
	var labels []string
	var peak int64 = 1
	for i := 11; i >= 0; i-- {
		m := now.AddMonths(-i).String()[:7]
		f, err := a.figures.Read(c.UserContext(), m, m, dim, value)
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
