package figures

import (
	"encoding/csv"
	"fmt"
	"onestop/portal/web"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"onestop/services/core"
	"onestop/services/figures"
)

// table is one block of an export: a title, a header and rows, all in the
// reader's language.
type table struct {
	Name   string
	Header []string
	Rows   [][]string
}

// exportTables lays a view out as tables: the figures, each breakdown,
// the cohorts and the trends. The export holds aggregates only.
func (a *Handlers) exportTables(l string, v *dashboard) []table {
	q := v.Query
	head := table{Name: a.I18n.T(l, "figures.title"), Header: []string{a.I18n.T(l, "figures.section"), a.I18n.T(l, "figures.figure"), a.I18n.T(l, "figures.value"),
		a.I18n.T(l, "figures.n"), a.I18n.T(l, "figures.of"), a.I18n.T(l, "figures.note")}}
	head.Rows = append(head.Rows, []string{a.I18n.T(l, "figures.span"), q.From + " – " + q.To, q.Dim, q.Value, "", v.Computed.Format("2006-01-02 15:04 MST")})
	for _, s := range v.Sections {
		for _, f := range s.Figures {
			of := ""
			if f.Of != 0 {
				of = fmt.Sprint(f.Of)
			}
			head.Rows = append(head.Rows, []string{a.I18n.T(l, s.Key), a.I18n.T(l, f.Key), f.Value, fmt.Sprint(f.N), of, f.Note})
		}
	}
	out := []table{head}
	for _, b := range v.Breakdowns {
		t := table{Name: a.I18n.T(l, b.Key)}
		for _, r := range b.Rows {
			var row []string
			for _, c := range r {
				row = append(row, c.Text)
			}
			t.Rows = append(t.Rows, row)
		}
		for _, h := range b.Header {
			t.Header = append(t.Header, a.I18n.T(l, h))
		}
		out = append(out, t)
	}
	co := table{Name: a.I18n.T(l, "figures.cohorts"), Header: []string{a.I18n.T(l, "figures.quarter"), a.I18n.T(l, "figures.ventures_started")}}
	// Verified first, then the self-reported answers in columns of their own.
	for _, key := range []string{"figures.operating_at", "figures.operating_at_self"} {
		for _, m := range figures.CohortMonths {
			co.Header = append(co.Header, a.I18n.T(l, key, m))
		}
	}
	for _, r := range v.Cohorts {
		row := []string{r.Quarter, fmt.Sprint(r.Started)}
		for j := range figures.CohortMonths {
			row = append(row, fmt.Sprintf("%d (%s)", r.Operating[j], r.Shares[j]))
		}
		for j := range figures.CohortMonths {
			row = append(row, fmt.Sprintf("%d (%s)", r.SelfOperating[j], r.SelfShares[j]))
		}
		co.Rows = append(co.Rows, row)
	}
	out = append(out, co)
	for _, ch := range v.Charts {
		t := table{Name: a.I18n.T(l, ch.Key), Header: []string{a.I18n.T(l, "figures.month"), a.I18n.T(l, "figures.value")}}
		for _, b := range ch.Bars {
			t.Rows = append(t.Rows, []string{b.Label, fmt.Sprint(b.Value)})
		}
		out = append(out, t)
	}
	return out
}

// figuresExport serves the dashboard's view as CSV or XLSX. Every cell
// passes csvSafe, so no text can be taken for a spreadsheet formula; the
// view is a few hundred cells whatever the size of the records.
func (a *Handlers) figuresExport(format string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, l := c.UserContext(), web.Lang(c)
		now := core.DateOf(a.Clock.Now())
		q, err := a.views.Parse(c.Query, now)
		if err != nil {
			return err
		}
		v, err := a.fullView(ctx, l, q, now)
		if err != nil {
			return err
		}
		tables := a.exportTables(l, v)
		name := "figures-" + q.From + "-" + q.To
		if format == "csv" {
			c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
			c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.csv"`)
			w := csv.NewWriter(c.Response().BodyWriter())
			for i, t := range tables {
				if i > 0 {
					_ = w.Write([]string{})
				}
				_ = w.Write([]string{web.CSVSafe(t.Name)})
				_ = w.Write(safeRow(t.Header))
				for _, r := range t.Rows {
					_ = w.Write(safeRow(r))
				}
			}
			w.Flush()
			return w.Error()
		}
		x := excelize.NewFile()
		defer x.Close()
		for i, t := range tables {
			sheet := sheetName(i, t.Name)
			if i == 0 {
				_ = x.SetSheetName("Sheet1", sheet)
			} else if _, err := x.NewSheet(sheet); err != nil {
				return core.Wrap(err, "xlsx sheet")
			}
			rows := append([][]string{{t.Name}, t.Header}, t.Rows...)
			for r, row := range rows {
				for col, cell := range row {
					ref, _ := excelize.CoordinatesToCellName(col+1, r+1)
					if err := x.SetCellStr(sheet, ref, web.CSVSafe(cell)); err != nil {
						return core.Wrap(err, "xlsx cell")
					}
				}
			}
		}
		c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.xlsx"`)
		return x.Write(c.Response().BodyWriter())
	}
}

func safeRow(r []string) []string {
	out := make([]string, len(r))
	for i, s := range r {
		out[i] = web.CSVSafe(s)
	}
	return out
}

// sheetName is a table's title as a sheet's name: numbered (names must be
// unique), without the characters a sheet name cannot hold, and short.
func sheetName(i int, title string) string {
	r := []rune(strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\'`, r) {
			return ' '
		}
		return r
	}, title))
	if len(r) > 26 {
		r = r[:26]
	}
	return fmt.Sprintf("%d %s", i+1, string(r))
}
