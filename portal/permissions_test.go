package portal_test

import (
	"flag"
	"net/http/httptest"
	"onestop/portal/web"
	"os"
	"slices"
	"strings"
	"testing"

	"onestop/portal"
	"onestop/portal/portaltest"
	"onestop/services/accounts"
	"onestop/services/core"
)

var updatePermissions = flag.Bool("update-permissions", false, "rewrite testdata/permissions.tsv from the route table")

// permissionSubjects are the columns of the matrix: a guest and each role.
var permissionSubjects = append([]string{"guest"}, func() []string {
	var out []string
	for _, r := range accounts.Roles {
		out = append(out, string(r))
	}
	return out
}()...)

// permissionMatrix is the route table as rows of the reviewed file:
// "METHOD PATH" then allow or deny per subject.
func permissionMatrix(routes []web.Route) []string {
	var rows []string
	for _, r := range routes {
		cells := []string{r.Method + " " + r.Path}
		for _, s := range permissionSubjects {
			p := accounts.Principal{}
			if s != "guest" {
				p = accounts.Principal{ID: "x", Role: accounts.Role(s)}
			}
			cells = append(cells, map[bool]string{true: "allow", false: "deny"}[r.Access.Allows(p)])
		}
		rows = append(rows, strings.Join(cells, "\t"))
	}
	slices.Sort(rows)
	return rows
}

// TestPermissionMatrix: testdata/permissions.tsv is the reviewed table of
// every route × subject. The route table must match it row for row (a new
// route, or a changed rule, fails until the file is updated and reviewed:
// go test ./portal -run PermissionMatrix -update-permissions), and every
// cell of the API and of the pages one reads is exercised against the
// running portal: a denied guest gets 401 (pages: the sign-in page), a
// denied account 403, an allowed one neither — and nobody a 5xx.
func TestPermissionMatrix(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	want := permissionMatrix(tp.App.Routes())
	head := "# route\t" + strings.Join(permissionSubjects, "\t")
	if *updatePermissions {
		if err := os.WriteFile("testdata/permissions.tsv", []byte(head+"\n"+strings.Join(want, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile("testdata/permissions.tsv")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
	if lines[0] != head {
		t.Fatalf("the file's columns are %q, the subjects %q", lines[0], head)
	}
	have := lines[1:]
	for _, row := range want {
		if !slices.Contains(have, row) {
			t.Errorf("the route table has %q; the reviewed file does not", row)
		}
	}
	for _, row := range have {
		if !slices.Contains(want, row) {
			t.Errorf("the reviewed file has %q; the route table does not", row)
		}
	}

	tokens := map[string]string{}
	for _, r := range accounts.Roles {
		_, tokens[string(r)], _ = tp.Account(r, string(r)+"@perm.test.cn")
	}
	cookie := tp.App.CookieName("session")
	n := 0
	for _, row := range want {
		cells := strings.Split(row, "\t")
		method, path, _ := strings.Cut(cells[0], " ")
		api := strings.HasPrefix(path, "/api/")
		if (!api && method != "GET") || strings.HasPrefix(path, "/api/v1/auth/") || path == "/logout" {
			continue // page forms stop at the CSRF check first; sign-out would end the sessions used here
		}
		target := portal.PathParam.ReplaceAllStringFunc(path, func(string) string { return core.NewID() })
		for i, subject := range permissionSubjects {
			allowed := cells[i+1] == "allow"
			req := httptest.NewRequest(method, target, nil)
			if method != "GET" && method != "DELETE" {
				req = httptest.NewRequest(method, target, strings.NewReader("{}"))
				req.Header.Set("Content-Type", "application/json")
			}
			if tok := tokens[subject]; tok != "" {
				if api {
					req.Header.Set("Authorization", "Bearer "+tok)
				} else {
					req.Header.Set("Cookie", cookie+"="+tok)
				}
			}
			resp, err := tp.App.HTTP().Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			n++
			code := resp.StatusCode
			toLogin := code == 303 && strings.HasPrefix(resp.Header.Get("Location"), "/login")
			denied := code == 401 || code == 403 || toLogin
			switch {
			case code >= 500:
				t.Errorf("%s %s as %s: %d", method, path, subject, code)
			case !allowed && subject == "guest" && code != 401 && !toLogin:
				t.Errorf("%s %s as a guest: %d, want 401 or the sign-in page", method, path, code)
			case !allowed && subject != "guest" && code != 403:
				t.Errorf("%s %s as %s: %d, want 403", method, path, subject, code)
			case allowed && denied && !businessForbidden(path, subject):
				t.Errorf("%s %s as %s: %d, but the table allows it", method, path, subject, code)
			}
		}
	}
	t.Logf("%d routes, %d cells exercised", len(want), n)
}

// businessForbidden are allowed routes that still say 403 for a reason of
// the account, not its role: an officer not yet at any bank, a provider
// not yet on the bureau's list.
func businessForbidden(path, subject string) bool {
	return (subject == string(accounts.BankOfficer) && strings.Contains(path, "/loans")) ||
		(subject == string(accounts.Provider) && path == "/api/v1/courses")
}
