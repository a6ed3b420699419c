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

// cell is one cell of an export: a text, or a number with the format it
// is shown in (a figures kind: count, rate, ratio, upto). Text is what a
// CSV holds, and what the dashboard shows.
type cell struct {
	Text   string
	Number *float64
	Format string
}

func text(s string) cell { return cell{Text: s} }

func count(n int64) cell {
	v := float64(n)
	return cell{Text: fmt.Sprint(n), Number: &v, Format: figures.KindCount}
}

// share is n of of as a percentage cell; "—" (text) without a base.
func share(n, of int64) cell {
	if of == 0 {
		return text("—")
	}
	v := float64(n) / float64(of)
	return cell{Text: fmt.Sprintf("%.1f%%", 100*v), Number: &v, Format: figures.KindRate}
}

// table is one block of an export: a title (with what the block is of),
// a header and rows, all in the reader's language.
type table struct {
	Title  []string
	Header []string
	Rows   [][]cell
}

// exportTables lays a view out as tables: the figures, each breakdown,
// the cohorts and the trends. The export holds aggregates only. Counts and
// rates are numbers in columns of their own, a rate's parts beside it.
func (a *Handlers) exportTables(l string, v *dashboard, filter string) []table {
	q := v.Query
	t := func(key string, args ...any) string { return a.I18n.T(l, key, args...) }
	head := table{Title: []string{t("figures.title"), q.From + " – " + q.To, filter, t("figures.export.computed", v.Computed.In(core.CST).Format("2006-01-02 15:04"))},
		Header: []string{t("figures.section"), t("figures.figure"), t("figures.value"), t("figures.numerator_is"), t("figures.n"),
			t("figures.denominator_is"), t("figures.of"), t("figures.open_overdue"), t("figures.note")}}
	for _, s := range v.Sections {
		for _, f := range s.Figures {
			// The parts where the figure has them: a count's N is itself; a
			// rate's or a ratio's are N over Of; a bound, or a rate too
			// recent to have a base, has none.
			n, of, late := text(""), text(""), text("")
			if parts := f.NumKey != "" || f.Kind == figures.KindRatio; parts || f.Kind == figures.KindCount {
				n = count(f.N)
				if parts {
					of = count(f.Of)
				}
			}
			if f.OpenOverdue != nil {
				late = count(*f.OpenOverdue)
			}
			head.Rows = append(head.Rows, []cell{text(t(s.Key)), text(t(f.Key)), figureCell(f), text(f.Numerator), n, text(f.Denominator), of, late, text(f.Note)})
		}
	}
	out := []table{head}
	for _, b := range v.Breakdowns {
		bt := table{Title: []string{t(b.Key)}}
		if b.Note != "" {
			bt.Title = append(bt.Title, t(b.Note))
		}
		for _, h := range b.Header {
			bt.Header = append(bt.Header, t(h))
		}
		for _, r := range b.Rows {
			row := make([]cell, len(r))
			for i, c := range r {
				row[i] = text(c.Text)
				if c.Number != nil && i < len(b.Kinds) && b.Kinds[i] != figures.KindLabel {
					row[i] = cell{Text: c.Text, Number: c.Number, Format: b.Kinds[i]}
				}
			}
			bt.Rows = append(bt.Rows, row)
		}
		out = append(out, bt)
	}
	out = append(out, a.cohortTable(l, v.Cohorts))
	for _, ch := range v.Charts {
		ct := table{Title: []string{t(ch.Key)}, Header: []string{t("figures.month"), t("figures.value")}}
		for _, b := range ch.Bars {
			ct.Rows = append(ct.Rows, []cell{text(b.Label), count(b.Value)})
		}
		out = append(out, ct)
	}
	return out
}

// cohortTable: for each quarter, the ventures started, then for each
// check-in the count operating and its share in columns of their own —
// verified first, then the self-reported answers. A share not reached yet
// is "…", as on the page.
func (a *Handlers) cohortTable(l string, rows []figures.CohortRow) table {
	co := table{Title: []string{a.I18n.T(l, "figures.cohorts")}, Header: []string{a.I18n.T(l, "figures.quarter"), a.I18n.T(l, "figures.ventures_started")}}
	for _, suffix := range []string{"", "_self"} {
		for _, m := range figures.CohortMonths {
			co.Header = append(co.Header, a.I18n.T(l, "figures.operating_at"+suffix, m), a.I18n.T(l, "figures.operating_share_at"+suffix, m))
		}
	}
	for _, r := range rows {
		row := []cell{text(r.Quarter), count(r.Started)}
		for _, part := range []struct {
			n      [4]int64
			shares [4]string
		}{{r.Operating, r.Shares}, {r.SelfOperating, r.SelfShares}} {
			for j := range figures.CohortMonths {
				s := share(part.n[j], r.Started)
				if part.shares[j] == "…" {
					s = text("…")
				}
				row = append(row, count(part.n[j]), s)
			}
		}
		co.Rows = append(co.Rows, row)
	}
	return co
}

// figureCell is a figure's value: its number in the figure's format, or
// its text when it has none ("—").
func figureCell(f figures.Figure) cell {
	if f.Number == nil {
		return text(f.Value)
	}
	return cell{Text: f.Value, Number: f.Number, Format: f.Kind}
}

// figuresExport serves the dashboard's view as CSV or XLSX; the view is a
// few hundred cells whatever the size of the records.
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
		filter, err := a.filterLabel(ctx, l, q)
		if err != nil {
			return err
		}
		tables := a.exportTables(l, v, filter)
		name := "figures-" + q.From + "-" + q.To
		if format == "csv" {
			c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
			c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.csv"`)
			return writeCSV(c.Response().BodyWriter(), tables)
		}
		x, err := workbook(tables)
		if err != nil {
			return err
		}
		defer x.Close()
		c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.xlsx"`)
		return x.Write(c.Response().BodyWriter())
	}
}

// bom is the UTF-8 byte order mark: without it Excel on Windows reads a
// CSV in the system's code page and shows Chinese as mojibake.
const bom = "\ufeff"

// writeCSV writes the tables one after another, a blank line apart. Every
// cell passes web.CSVSafe, so no text can be taken for a formula.
func writeCSV(out interface{ Write([]byte) (int, error) }, tables []table) error {
	if _, err := out.Write([]byte(bom)); err != nil {
		return err
	}
	w := csv.NewWriter(out)
	for i, t := range tables {
		if i > 0 {
			_ = w.Write([]string{})
		}
		_ = w.Write(safeRow(t.Title))
		_ = w.Write(safeRow(t.Header))
		for _, r := range t.Rows {
			row := make([]string, len(r))
			for j, c := range r {
				row[j] = c.Text
			}
			_ = w.Write(safeRow(row))
		}
	}
	w.Flush()
	return w.Error()
}

// numFmts are the number formats of the kinds of number: counts with
// thousands separators, rates as percentages, ratios with two decimals, a
// distribution's bound after "≤", amounts in yuan with fen.
var numFmts = map[string]string{figures.KindCount: "#,##0", figures.KindRate: "0.0%", figures.KindRatio: "0.00", figures.KindUpTo: `"≤ "General`,
	figures.KindYuan: "#,##0.00"}

// workbook lays the tables out one to a sheet: the title row, the header
// (bold, frozen so it stays in view), then the rows — numbers as numbers
// in their format, texts through web.CSVSafe — in columns as wide as what
// they hold.
func workbook(tables []table) (*excelize.File, error) {
	x := excelize.NewFile()
	styles := map[string]int{}
	for kind, code := range numFmts {
		id, err := x.NewStyle(&excelize.Style{CustomNumFmt: &code})
		if err != nil {
			x.Close()
			return nil, core.Wrap(err, "xlsx style")
		}
		styles[kind] = id
	}
	bold, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		x.Close()
		return nil, core.Wrap(err, "xlsx style")
	}
	for i, t := range tables {
		if err := writeSheet(x, i, t, styles, bold); err != nil {
			x.Close()
			return nil, err
		}
	}
	return x, nil
}

func writeSheet(x *excelize.File, i int, t table, styles map[string]int, bold int) error {
	sheet := sheetName(i, t.Title[0])
	if i == 0 {
		_ = x.SetSheetName("Sheet1", sheet)
	} else if _, err := x.NewSheet(sheet); err != nil {
		return core.Wrap(err, "xlsx sheet")
	}
	rows := [][]cell{}
	for _, r := range [][]string{t.Title, t.Header} {
		row := make([]cell, len(r))
		for j, s := range r {
			row[j] = text(s)
		}
		rows = append(rows, row)
	}
	rows = append(rows, t.Rows...)
	widths := make([]int, len(t.Header))
	for r, row := range rows {
		for col, c := range row {
			ref, _ := excelize.CoordinatesToCellName(col+1, r+1)
			var err error
			if c.Number != nil {
				if err = x.SetCellFloat(sheet, ref, *c.Number, -1, 64); err == nil {
					err = x.SetCellStyle(sheet, ref, ref, styles[c.Format])
				}
			} else {
				err = x.SetCellStr(sheet, ref, web.CSVSafe(c.Text))
			}
			if err != nil {
				return core.Wrap(err, "xlsx cell")
			}
			if r > 0 && col < len(widths) { // the title may run on into empty cells
				widths[col] = max(widths[col], displayWidth(c.Text))
			}
		}
	}
	for col, w := range widths {
		name, _ := excelize.ColumnNumberToName(col + 1)
		if err := x.SetColWidth(sheet, name, name, float64(min(max(w+2, 8), 60))); err != nil {
			return core.Wrap(err, "xlsx width")
		}
	}
	last, _ := excelize.CoordinatesToCellName(max(len(t.Header), 1), 2)
	if err := x.SetCellStyle(sheet, "A1", last, bold); err != nil {
		return core.Wrap(err, "xlsx style")
	}
	return core.Wrap(x.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}), "xlsx panes")
}

// displayWidth is how many columns of a monospace grid a text takes:
// Chinese characters (and other wide ones) two, the rest one.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x1100 && (r <= 0x115f || r >= 0x2e80 && r <= 0xa4cf || r >= 0xac00 && r <= 0xd7a3 || r >= 0xf900 && r <= 0xfaff ||
			r >= 0xfe30 && r <= 0xfe4f || r >= 0xff00 && r <= 0xff60 || r >= 0xffe0 && r <= 0xffe6) {
			n += 2
		} else {
			n++
		}
	}
	return n
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
