package rights

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"html/template"
	"io"
	"time"

	"onestop/services/privacy"
)

// Translate gives the text of a catalog key in the person's language.
type Translate func(key string, args ...any) string

// SummaryName is the readable summary's file in the archive.
const SummaryName = "summary.html"

// cst is China Standard Time, in which the summary shows dates.
var cst = time.FixedZone("CST", 8*3600)

// WriteZIP writes the export as a ZIP archive: the summary in the person's
// language (lang, with t for its texts), one JSON file per area, and the
// documents the person gave. Entries are stored, not deflated: the
// documents are compressed already and the rest is small.
func (ex *Export) WriteZIP(w io.Writer, lang string, t Translate) error {
	z := zip.NewWriter(w)
	put := func(name string, data []byte) error {
		f, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: ex.ExportedAt})
		if err != nil {
			return err
		}
		_, err = f.Write(data)
		return err
	}
	summary, err := ex.Summary(lang, t)
	if err != nil {
		return err
	}
	if err := put(SummaryName, summary); err != nil {
		return err
	}
	for _, ap := range ex.Parts {
		raw, err := json.Marshal(ap.Part)
		if err != nil {
			return err
		}
		if err := put(ap.Area+".json", raw); err != nil {
			return err
		}
		for _, f := range ap.Part.Files {
			if err := put(f.Path, f.Data); err != nil {
				return err
			}
		}
	}
	return z.Close()
}

// summaryView is the summary with every text already in the person's
// language.
type summaryView struct {
	Lang, Title, Lead, Files, Documents string
	Head                                [4]string
	Areas                               []summaryArea
	Docs                                []privacy.File
}

type summaryArea struct {
	Title, Count string
	Rows         [][4]string
}

var summaryPage = template.Must(template.New("summary").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3rem;text-align:left}</style>
</head><body>
<h1>{{.Title}}</h1>
<p>{{.Lead}}</p>
<p>{{.Files}}</p>
{{range .Areas}}<section>
<h2>{{.Title}}</h2>
<p>{{.Count}}</p>
{{if .Rows}}<table><thead><tr>{{range $.Head}}<th>{{.}}</th>{{end}}</tr></thead><tbody>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</tbody></table>{{end}}
</section>
{{end}}{{if .Docs}}<h2>{{.Documents}}</h2>
<ul>{{range .Docs}}<li>{{.Path}} ({{.Type}}, {{.Size}} B)</li>{{end}}</ul>{{end}}
</body></html>
`))

// Summary renders the readable summary: per area, how many records and
// which, each with its kind, date and status.
func (ex *Export) Summary(lang string, t Translate) ([]byte, error) {
	v := summaryView{Lang: lang, Title: t("privacy.export.title"),
		Lead:      t("privacy.export.lead", ex.ExportedAt.In(cst).Format("2006-01-02 15:04"), ex.PersonID),
		Files:     t("privacy.export.files"),
		Documents: t("privacy.export.documents"),
		Head:      [4]string{t("privacy.export.kind"), t("privacy.export.date"), t("privacy.export.status"), t("privacy.export.id")}}
	for _, ap := range ex.Parts {
		a := summaryArea{Title: t("privacy.area." + ap.Area), Count: t("privacy.export.count", len(ap.Part.Records), ap.Area+".json")}
		for _, r := range ap.Part.Records {
			day := ""
			if !r.At.IsZero() {
				day = r.At.In(cst).Format(time.DateOnly)
			}
			a.Rows = append(a.Rows, [4]string{t("privacy.kind." + r.Kind), day, r.Status, r.ID})
		}
		v.Areas = append(v.Areas, a)
		v.Docs = append(v.Docs, ap.Part.Files...)
	}
	var b bytes.Buffer
	if err := summaryPage.Execute(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
