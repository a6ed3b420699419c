package portal_test

import (
	"encoding/json"
	"flag"
	"net/http"
	"onestop/portal/web"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"onestop/portal/portaltest"
)

var updateFields = flag.Bool("update-fields", false, "rewrite testdata/fields.tsv from the answers of a portal with the demo data")

// forbiddenField matches JSON names no answer may carry, whoever asks:
// sealed values, blind indexes, password material, token versions,
// secrets.
var forbiddenField = regexp.MustCompile(`(?i)(_sealed$|^sealed|_index$|^blind|^password|token_version|secret|_hmac$)`)

// dynamicKey is a map key that is data, not a field name: an id, a date,
// a number.
var dynamicKey = regexp.MustCompile(`^([0-9].*|[0-9a-z]{26})$`)

// jsonPaths adds the field paths of a JSON value to out: objects as
// a.b, array elements as a[], map keys that are data as *.
func jsonPaths(prefix string, v any, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 && prefix != "" {
			out[prefix] = true
		}
		for k, vv := range x {
			if dynamicKey.MatchString(k) {
				k = "*"
			}
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			jsonPaths(p, vv, out)
		}
	case []any:
		if len(x) == 0 {
			out[prefix+"[]"] = true
		}
		for _, vv := range x {
			jsonPaths(prefix+"[]", vv, out)
		}
	default:
		if prefix == "" {
			prefix = "."
		}
		out[prefix] = true
	}
}

// fieldRows turns what was seen (route → path → subjects) into the rows
// of the reviewed file.
func fieldRows(seen map[string]map[string]map[string]bool) []string {
	var rows []string
	for r, paths := range seen {
		for p, subjects := range paths {
			cells := []string{r, p}
			for _, s := range permissionSubjects {
				cells = append(cells, map[bool]string{true: "x", false: "."}[subjects[s]])
			}
			rows = append(rows, strings.Join(cells, "\t"))
		}
	}
	sort.Strings(rows)
	return rows
}

// TestFieldAllowList (S3, field level): testdata/fields.tsv is the
// reviewed table of the JSON fields each API GET route may answer to each
// subject ("x" allowed, "." not). A portal with the demo data is read on
// every GET API route, as every demo account the route table lets in, with
// real ids (the account's own records and others'); every field path of every
// 2xx JSON answer must be allowed for that subject. Regenerate with
// go test ./portal -run FieldAllowList -args -update-fields and review the
// diff: a new column of "x" on a sensitive field is a leak. No answer of
// any status may carry a field named like a sealed value, a blind index,
// a password, a token version or a secret.
func TestFieldAllowList(t *testing.T) {
	t.Parallel()
	tp := portaltest.DemoWorld(t)
	w := newSweepWorld(t, tp)
	seen := map[string]map[string]map[string]bool{} // route → path → subject
	pairs := map[string]bool{}
	checked := 0
	// A check reads a few records per route and subject; the table is
	// written from all of them, so that it holds every field the data can
	// show, whichever records a check happens to read.
	perRoute := 2
	if *updateFields {
		perRoute = 0
	}
	requests := w.crawl(t, true, perRoute, func(r web.Route, target string, s sweepSubject, resp *http.Response, body []byte) {
		if !strings.Contains(resp.Header.Get("Content-Type"), "json") || r.Path == "/api/v1/openapi.json" {
			return // a download (attachments, CSV); the API description names every field by design
		}
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Errorf("GET %s as %s: not JSON: %v", target, s.name, err)
			return
		}
		paths := map[string]bool{}
		jsonPaths("", v, paths)
		for p := range paths {
			for _, name := range strings.Split(strings.ReplaceAll(p, "[]", ""), ".") {
				if forbiddenField.MatchString(name) {
					t.Errorf("GET %s as %s (%d): the answer has a field %q (%s)", target, s.name, resp.StatusCode, name, p)
				}
			}
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			return
		}
		checked++
		pairs[r.Path+" "+s.name] = true
		key := r.Method + " " + r.Path
		if seen[key] == nil {
			seen[key] = map[string]map[string]bool{}
		}
		for p := range paths {
			if seen[key][p] == nil {
				seen[key][p] = map[string]bool{}
			}
			seen[key][p][s.name] = true
		}
	})
	got := fieldRows(seen)
	head := "# route\tfield\t" + strings.Join(permissionSubjects, "\t")
	if *updateFields {
		if err := os.WriteFile("testdata/fields.tsv", []byte(head+"\n"+strings.Join(got, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile("testdata/fields.tsv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if lines[0] != head {
		t.Fatalf("the file's columns are %q, want %q", lines[0], head)
	}
	allowed := map[string]bool{} // "route\tpath\tsubject"
	for _, line := range lines[1:] {
		cells := strings.Split(line, "\t")
		if len(cells) != 2+len(permissionSubjects) {
			t.Fatalf("malformed row %q", line)
		}
		for i, s := range permissionSubjects {
			if cells[2+i] == "x" {
				allowed[cells[0]+"\t"+cells[1]+"\t"+s] = true
			}
		}
	}
	leaks := 0
	for route, paths := range seen {
		for p, subjects := range paths {
			for _, s := range permissionSubjects {
				if subjects[s] && !allowed[route+"\t"+p+"\t"+s] {
					leaks++
					t.Errorf("%s answers %s the field %q, which testdata/fields.tsv does not allow", route, s, p)
				}
			}
		}
	}
	cells := 0
	for k := range allowed {
		if !slices.Contains(permissionSubjects, k[strings.LastIndexByte(k, '\t')+1:]) {
			t.Fatalf("bad cell %q", k)
		}
		cells++
	}
	t.Logf("%d GET requests, %d JSON answers checked over %d route × subject pairs; %d field paths allowed in %d rows",
		requests, checked, len(pairs), cells, len(lines)-1)
}
