package portal_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http/httptest"
	"net/url"
	"onestop/portal/web"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"onestop/portal"
	"onestop/portal/portaltest"
	"onestop/services/accounts"
	"onestop/services/core"
)

var updateOwnership = flag.Bool("update-ownership", false, "rewrite the rows of testdata/ownership.tsv for the route table's object routes, keeping reviewed cells")

// ownershipHead is the header of testdata/ownership.tsv.
const ownershipHead = "# route\trole\towner\tother"

// ownershipKeys are the rows the table must have: every route with a
// parameter in its path × every role but the administrator that the
// route lets in ("METHOD PATH\trole").
func ownershipKeys(routes []web.Route) []string {
	var keys []string
	for _, r := range routes {
		if !strings.Contains(r.Path, ":") || strings.HasPrefix(r.Path, "/static/") {
			continue
		}
		for _, role := range accounts.Roles {
			if role != accounts.Admin && r.Access.Allows(accounts.Principal{ID: "x", Role: role}) {
				keys = append(keys, r.Method+" "+r.Path+"\t"+string(role))
			}
		}
	}
	sort.Strings(keys)
	return keys
}

// ownershipCell is one reviewed row: what the owner and what another
// account of the same role get.
//
//	owner: allow | deny | - (the role has no owner of this kind of record)
//	other: allow  — the record is not the owner's alone (public, or every
//	                account of the role works on it)
//	       deny   — the record is hidden: the answer (status and problem
//	                code) is the one a random id gets, 403 or 404
//	       refuse — the caller may read the record but not do this: 403
type ownershipCell struct{ owner, other string }

func readOwnership(t *testing.T) map[string]ownershipCell {
	t.Helper()
	raw, err := os.ReadFile("testdata/ownership.tsv")
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	out := map[string]ownershipCell{}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if len(raw) == 0 {
		return out
	}
	if lines[0] != ownershipHead {
		t.Fatalf("testdata/ownership.tsv: columns %q, want %q", lines[0], ownershipHead)
	}
	for _, line := range lines[1:] {
		cells := strings.Split(line, "\t")
		if len(cells) != 4 || !strings.HasPrefix(cells[2], "owner=") || !strings.HasPrefix(cells[3], "other=") {
			t.Fatalf("testdata/ownership.tsv: malformed row %q", line)
		}
		out[cells[0]+"\t"+cells[1]] = ownershipCell{strings.TrimPrefix(cells[2], "owner="), strings.TrimPrefix(cells[3], "other=")}
	}
	return out
}

func writeOwnership(t *testing.T, keys []string, have map[string]ownershipCell) {
	t.Helper()
	var b strings.Builder
	b.WriteString(ownershipHead + "\n")
	for _, k := range keys {
		c, ok := have[k]
		if !ok {
			c = ownershipCell{"?", "?"} // to review
		}
		fmt.Fprintf(&b, "%s\towner=%s\tother=%s\n", k, c.owner, c.other)
	}
	if err := os.WriteFile("testdata/ownership.tsv", []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestOwnershipMatrix: testdata/ownership.tsv is the reviewed table of
// every object route × every non-administrator role it lets in: what the
// record's owner (or assignee, manager, officer of the chosen bank …) gets
// and what another account of the same role gets. Each row is exercised
// against records built through the API (a fresh record for each write, so
// that a refusal is about who asks, not the record's state): the owner
// gets the table's answer; another account of the role denied a hidden
// record gets exactly what a random id gets — the same status and
// problem code — so that no answer tells a foreign record from none.
// Rows follow the route table: go test ./portal -run OwnershipMatrix
// -update-ownership adds and removes rows, keeping the reviewed cells; new
// rows hold "?" and fail until reviewed.
func TestOwnershipMatrix(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	keys := ownershipKeys(tp.App.Routes())
	table := readOwnership(t)
	if *updateOwnership {
		writeOwnership(t, keys, table)
		table = readOwnership(t)
	}
	for _, k := range keys {
		if _, ok := table[k]; !ok {
			t.Errorf("testdata/ownership.tsv has no row %q (run with -update-ownership, then review the cells)", k)
		}
	}
	for k := range table {
		if !slices.Contains(keys, k) {
			t.Errorf("testdata/ownership.tsv has %q; the route table does not", k)
		}
	}
	if t.Failed() {
		return
	}

	o := newOwnWorld(t, tp)
	start := time.Now()
	cells, requests := 0, 0
	for _, k := range keys {
		cell := table[k]
		route, role, _ := strings.Cut(k, "\t")
		method, path, _ := strings.Cut(route, " ")
		r := accounts.Role(role)
		fx := o.fixture(t, method, path, r)
		body := o.body(method, path, r, fx)

		// Another account of the role first, while the record is as made.
		other := o.send(t, method, fx.path, o.tok[r][1], body)
		random := o.send(t, method, randomIDs(path), o.tok[r][1], body)
		requests += 2
		cells++
		if other.status >= 500 || random.status >= 500 {
			t.Errorf("%s as another %s: %d %s; a random id: %d %s", route, role, other.status, other.code, random.status, random.code)
		}
		switch cell.other {
		case "allow":
			if other.denied() {
				t.Errorf("%s as another %s: %d %s, the table allows it", route, role, other.status, other.code)
			}
		case "deny":
			if !other.denied() || other.status != random.status || other.code != random.code {
				t.Errorf("%s as another %s: %d %q; a random id: %d %q — a hidden record must look like none", route, role, other.status, other.code, random.status, random.code)
			}
		case "refuse":
			if other.status != 403 {
				t.Errorf("%s as another %s: %d %s, want 403", route, role, other.status, other.code)
			}
		default:
			t.Errorf("%s as %s: other=%q to review (got %d %s; random %d %s)", route, role, cell.other, other.status, other.code, random.status, random.code)
		}

		if cell.owner == "-" {
			continue
		}
		got := o.send(t, method, fx.path, fx.owner, body)
		requests++
		cells++
		switch {
		case got.status >= 500:
			t.Errorf("%s as the owning %s: %d %s", route, role, got.status, got.code)
		case cell.owner == "allow" && got.denied():
			t.Errorf("%s as the owning %s: %d %s, the table allows it", route, role, got.status, got.code)
		case cell.owner == "deny" && !got.denied():
			t.Errorf("%s as the owning %s: %d, the table denies it", route, role, got.status)
		case cell.owner != "allow" && cell.owner != "deny":
			t.Errorf("%s as %s: owner=%q to review (got %d %s)", route, role, cell.owner, got.status, got.code)
		}
	}
	t.Logf("%d rows, %d cells exercised with %d requests (and %d to build the records) in %s",
		len(keys), cells, requests, o.setup, time.Since(start).Round(time.Millisecond))
}

// randomIDs fills every parameter of a path with a well-formed id no
// record has.
func randomIDs(path string) string {
	return portal.PathParam.ReplaceAllStringFunc(path, func(string) string { return core.NewID() })
}

// answer is what a request got: the status and, for an error, the
// problem's code.
type answer struct {
	status int
	code   string
}

func (a answer) denied() bool { return a.status == 401 || a.status == 403 || a.status == 404 }

// send makes one request as an account: the API with a bearer token and
// JSON, pages with the session cookie, a valid CSRF token and a form
// (multipart for uploads), asking for errors as problem+json.
func (o *ownWorld) send(t *testing.T, method, path, token string, body map[string]any) answer {
	t.Helper()
	api := strings.HasPrefix(path, "/api/")
	upload := method == "POST" && strings.HasSuffix(path, "/attachments")
	var r io.Reader
	ct := ""
	switch {
	case upload:
		fields := map[string]string{"kind": "lease"}
		if !api {
			fields["_csrf"] = o.tp.App.CSRFToken(o.seed)
		}
		r, ct = portaltest.Multipart(t, fields, "租約.png", []byte("\x89PNG\r\n\x1a\nrest"))
	case api && body != nil:
		fields := map[string]any{}
		for k, v := range body {
			if !strings.Contains(k, ".") { // "score.market" and the like are the form's names
				fields[k] = v
			}
		}
		raw, _ := json.Marshal(fields)
		r, ct = strings.NewReader(string(raw)), "application/json"
	case !api && method != "GET":
		form := url.Values{"_csrf": {o.tp.App.CSRFToken(o.seed)}}
		for k, v := range body {
			switch x := v.(type) {
			case []string:
				form[k] = x
			case map[string]any:
			default:
				form.Set(k, fmt.Sprint(x))
			}
		}
		r, ct = strings.NewReader(form.Encode()), "application/x-www-form-urlencoded"
	}
	hr := httptest.NewRequest(method, path, r)
	if ct != "" {
		hr.Header.Set("Content-Type", ct)
	}
	if api {
		hr.Header.Set("Authorization", "Bearer "+token)
	} else {
		hr.Header.Set("Cookie", o.tp.App.CookieName("session")+"="+token+"; "+o.tp.App.CookieName("csrf")+"="+o.seed)
		hr.Header.Set("Accept", "application/problem+json")
	}
	resp, err := o.tp.App.HTTP().Test(hr, -1)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode}
	if resp.StatusCode >= 400 {
		var p struct {
			Code string `json:"code"`
		}
		if json.Unmarshal(raw, &p) != nil {
			p.Code = "(not problem+json)"
		}
		a.code = p.Code
	}
	if resp.StatusCode == 303 && strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		a.status = 401
	}
	return a
}
