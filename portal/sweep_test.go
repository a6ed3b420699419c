package portal_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"onestop/portal/web"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/portal"
	"onestop/portal/portaltest"
	"onestop/services/accounts"
	"onestop/services/reference"
)

// The sweeps (field allow-list, stored XSS, PII canaries) read every GET
// route of the route table, as every subject the table lets in, with real
// ids from the database in place of the path parameters.

// sweepSubject is a guest or one signed-in demo account.
type sweepSubject struct {
	name  string // "guest" or the role
	login string
	role  accounts.Role
	token string
}

func (s sweepSubject) principal() accounts.Principal {
	if s.name == "guest" {
		return accounts.Principal{}
	}
	return accounts.Principal{ID: "x", Role: s.role}
}

// sweepWorld is a portal with the demo data loaded and every demo account
// signed in (several of some roles: two mentors, two providers, five
// entrepreneurs in different situations).
type sweepWorld struct {
	tp       *portaltest.Portal
	subjects []sweepSubject
	seen     map[string]map[string]bool // login → ids its own (non-public) API answers named
	cache    map[string][]string        // collection → ids, for one crawl
}

// newSmallWorld is a portal with one account of each role, set up to act:
// the provider listed, the officer at a bank, the mentor approved. (The
// demo's year of records takes minutes to load; sweeps that bring their
// own records start from this.)
func newSmallWorld(t *testing.T, tp *portaltest.Portal) (w *sweepWorld, bank string) {
	t.Helper()
	w = &sweepWorld{tp: tp, seen: map[string]map[string]bool{}, cache: map[string][]string{}}
	w.subjects = []sweepSubject{{name: "guest"}}
	ids := map[accounts.Role]string{}
	for _, r := range accounts.Roles {
		login := string(r) + "@sweep.test.cn"
		id, tok, _ := tp.Account(r, login)
		ids[r] = id
		w.subjects = append(w.subjects, sweepSubject{name: string(r), login: login, role: r, token: tok})
	}
	admin := w.token(t, "admin@sweep.test.cn")
	tp.MustDo(t, "POST", "/api/v1/admin/providers/"+ids[accounts.Provider], map[string]any{"listed": true}, admin)
	b := portaltest.Decode[map[string]any](t, tp.MustDo(t, "POST", "/api/v1/admin/banks", map[string]any{"name": "城商行"}, admin))
	bank = b["id"].(string)
	tp.MustDo(t, "POST", "/api/v1/admin/banks/"+bank+"/officers", map[string]any{"officers": []string{ids[accounts.BankOfficer]}}, admin)
	tp.MustDo(t, "PUT", "/api/v1/me/mentor", map[string]any{"type": "successful_founder", "industries": []string{"technology"},
		"topics": []string{"financing", "tax", "law"}, "bio": "連續創業者，十年軟件公司經營經驗。", "languages": []string{"zh"}, "capacity": 20, "contact": []string{"sms"}}, w.token(t, "mentor@sweep.test.cn"))
	tp.MustDo(t, "POST", "/api/v1/admin/mentors/"+ids[accounts.Mentor]+"/status", map[string]string{"status": "active"}, admin)
	return w, bank
}

// token is the access token of a subject by login.
func (w *sweepWorld) token(t *testing.T, login string) string {
	t.Helper()
	for _, s := range w.subjects {
		if s.login == login {
			return s.token
		}
	}
	t.Fatalf("no subject %s", login)
	return ""
}

func newSweepWorld(t *testing.T, tp *portaltest.Portal) *sweepWorld {
	t.Helper()
	w := &sweepWorld{tp: tp, seen: map[string]map[string]bool{}, cache: map[string][]string{}}
	w.subjects = []sweepSubject{{name: "guest"}}
	for _, r := range accounts.Roles {
		if !slices.ContainsFunc(portal.DemoAccounts, func(a accounts.NewAccount) bool { return a.Role == r }) {
			t.Fatalf("no demo account of role %s", r)
		}
	}
	// The demo's pool mentors and its farmers hold consultations, cases and
	// loan files (which mentor gets which question varies from run to run):
	// every account that holds one reads too.
	var extra []accounts.NewAccount
	for _, h := range []struct{ coll, field string }{{"consultations", "mentor_id"}, {"cases", "mentor_id"}, {"loans", "person_id"}, {"cases", "person_id"}} {
		cur, err := tp.App.Store().C(h.coll).Find(context.Background(), bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		var docs []bson.M
		if err := cur.All(context.Background(), &docs); err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			id, _ := d[h.field].(string)
			var u struct {
				Email string        `bson:"email"`
				Role  accounts.Role `bson:"role"`
			}
			if id == "" || tp.App.Store().Get(context.Background(), "users", id, &u) != nil || u.Email == "" ||
				slices.ContainsFunc(append(slices.Clone(portal.DemoAccounts), extra...), func(a accounts.NewAccount) bool { return a.Email == u.Email }) {
				continue
			}
			extra = append(extra, accounts.NewAccount{Email: u.Email, Role: u.Role})
		}
	}
	slices.SortFunc(extra, func(a, b accounts.NewAccount) int { return strings.Compare(a.Email, b.Email) })
	for i, a := range append(slices.Clone(portal.DemoAccounts), extra...) {
		login := a.Email
		if login == "" {
			login = a.Phone
		}
		tok, err := tp.App.Accounts().Login(context.Background(), login, portal.DemoPassword, accounts.Meta{IP: "192.0.2.1"})
		if err != nil {
			if i >= len(portal.DemoAccounts) {
				t.Logf("no demo account %s (%v)", login, err)
				continue
			}
			t.Fatalf("sign in %s: %v", login, err)
		}
		w.subjects = append(w.subjects, sweepSubject{name: string(a.Role), login: login, role: a.Role, token: tok.Access})
	}
	return w
}

// paramCollection names the collection whose ids fill the parameter that
// follows a path segment.
var paramCollection = map[string]string{
	"policies": "policies", "users": "users", "applications": "applications", "bases": "bases",
	"cases": "cases", "complaints": "complaints", "consultations": "consultations", "courses": "courses",
	"training": "courses", "contacts": "contacts", "loans": "loans", "mentors": "mentors",
	"projects": "projects", "services": "service_requests", "people": "profiles", "ventures": "ventures", "orgs": "orgs",
	"grants": "grants",
}

// sweepQueries are extra query strings read on list routes besides the bare
// route: searches, filters and queues.
var sweepQueries = map[string][]string{
	"/api/v1/staff/people":   {"q=王小明", "q=李"},
	"/staff/people":          {"q=王小明"},
	"/api/v1/hotline/find":   {"q=王小明", "q=陳"},
	"/hotline":               {"q=王小明"},
	"/api/v1/projects":       {"q=社區", "q=alert"},
	"/projects":              {"q=社區", "q=alert", "q=script"},
	"/api/v1/complaints":     {"queue=overdue", "queue=escalated"},
	"/complaints":            {"queue=overdue"},
	"/api/v1/cases":          {"queue=overdue", "queue=closed"},
	"/cases":                 {"queue=closed"},
	"/api/v1/admin/audit":    {"action=pii.reveal"},
	"/api/v1/courses":        {"q=培訓"},
	"/api/v1/admin/users":    {"q=王"},
	"/api/v1/staff/services": {"status=open"},
	"/api/v1/staff/orgs":     {"status=pending", "q=製衣"},
	"/staff/orgs":            {"status=verified", "q=恒達"},
}

// ids returns the ids of a collection, sorted.
func (w *sweepWorld) ids(t *testing.T, coll string) []string {
	t.Helper()
	if ids, ok := w.cache[coll]; ok {
		return ids
	}
	cur, err := w.tp.App.Store().C(coll).Find(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var docs []bson.M
	if err := cur.All(context.Background(), &docs); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range docs {
		if s, ok := d["_id"].(string); ok {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	w.cache[coll] = out
	return out
}

// certificateCodes are the codes of passed enrolments.
func (w *sweepWorld) certificateCodes(t *testing.T) []string {
	t.Helper()
	cur, err := w.tp.App.Store().C("enrolments").Find(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var docs []struct {
		Code string `bson:"code"`
	}
	if err := cur.All(context.Background(), &docs); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range docs {
		if d.Code != "" {
			out = append(out, d.Code)
		}
	}
	return out
}

// loanAttachments are "loan/attachment" pairs.
func (w *sweepWorld) loanAttachments(t *testing.T) []string {
	t.Helper()
	cur, err := w.tp.App.Store().C("loans").Find(context.Background(), bson.D{})
	if err != nil {
		t.Fatal(err)
	}
	var docs []struct {
		ID          string `bson:"_id"`
		Attachments []struct {
			ID string `bson:"_id"`
		} `bson:"attachments"`
	}
	if err := cur.All(context.Background(), &docs); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range docs {
		for _, a := range d.Attachments {
			out = append(out, d.ID+"/"+a.ID)
		}
	}
	return out
}

// targets are the concrete paths of a route for a subject: the bare path
// (with its extra queries), or the path with real ids — up to perRoute ids
// the subject's own answers named (its records), then up to perRoute
// first ids of the collection (others' records); every id when perRoute
// is 0.
func (w *sweepWorld) targets(t *testing.T, r web.Route, s sweepSubject, perRoute int) []string {
	t.Helper()
	if !strings.Contains(r.Path, ":") {
		out := []string{r.Path}
		for _, q := range sweepQueries[r.Path] {
			out = append(out, r.Path+"?"+q)
		}
		return out
	}
	segs := strings.Split(r.Path, "/")
	var candidates []string
	switch {
	case strings.Contains(r.Path, ":att"):
		for _, pair := range w.loanAttachments(t) {
			loan, att, _ := strings.Cut(pair, "/")
			candidates = append(candidates, strings.NewReplacer(":id", loan, ":att", att).Replace(r.Path))
		}
	case strings.Contains(r.Path, ":kind"):
		for _, k := range reference.Kinds {
			candidates = append(candidates, strings.Replace(r.Path, ":kind", string(k), 1))
		}
	case strings.Contains(r.Path, ":year"):
		// The working-day calendar: the seeded year and one nobody set.
		for _, y := range []string{"2026", "2027"} {
			candidates = append(candidates, strings.Replace(r.Path, ":year", y, 1))
		}
	case strings.Contains(r.Path, ":name"):
		// The facts the demo's bureau defined (services/demo).
		for _, n := range []string{"rural_hukou", "poverty_relief_card"} {
			candidates = append(candidates, strings.Replace(r.Path, ":name", n, 1))
		}
	case strings.Contains(r.Path, ":code"):
		for _, c := range w.certificateCodes(t) {
			candidates = append(candidates, strings.Replace(r.Path, ":code", c, 1))
		}
	default:
		i := slices.Index(segs, ":id")
		coll := paramCollection[segs[i-1]]
		if coll == "" {
			t.Fatalf("%s: no collection for the parameter after %q; add it to paramCollection", r.Path, segs[i-1])
		}
		all := w.ids(t, coll)
		var own, rest []string
		for _, id := range all {
			if w.seen[s.login][id] {
				own = append(own, id)
			} else {
				rest = append(rest, id)
			}
		}
		n := perRoute
		if n <= 0 {
			n = len(all)
		}
		for _, id := range append(own[:min(len(own), n)], rest[:min(len(rest), n)]...) {
			candidates = append(candidates, strings.Replace(r.Path, ":id", id, 1))
		}
	}
	if perRoute > 0 && len(candidates) > 2*perRoute {
		candidates = candidates[:2*perRoute]
	}
	return candidates
}

// get reads a path as a subject: the API with a bearer token, pages with
// the session cookie.
func (w *sweepWorld) get(t *testing.T, path string, s sweepSubject) (*http.Response, []byte) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if s.token != "" {
		if strings.HasPrefix(path, "/api/") {
			req.Header.Set("Authorization", "Bearer "+s.token)
		} else {
			req.Header.Set("Cookie", w.tp.App.CookieName("session")+"="+s.token)
		}
	}
	resp, err := w.tp.App.HTTP().Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	return resp, body
}

// sweepSkip are GET routes no sweep reads: embedded assets and probes.
func sweepSkip(path string) bool {
	return strings.HasPrefix(path, "/static/") || path == "/healthz" || path == "/readyz"
}

// crawl reads every GET route (API routes when api, pages otherwise) as
// every subject allowed to call it, routes without parameters first so
// that the ids each subject's answers name are known when the parameters
// are filled; visit sees each answer.
func (w *sweepWorld) crawl(t *testing.T, api bool, perRoute int, visit func(r web.Route, target string, s sweepSubject, resp *http.Response, body []byte)) int {
	t.Helper()
	w.cache = map[string][]string{}
	var routes []web.Route
	for _, r := range w.tp.App.Routes() {
		if r.Method == "GET" && strings.HasPrefix(r.Path, "/api/") == api && !sweepSkip(r.Path) {
			routes = append(routes, r)
		}
	}
	sort.SliceStable(routes, func(i, j int) bool {
		return !strings.Contains(routes[i].Path, ":") && strings.Contains(routes[j].Path, ":")
	})
	n := 0
	for _, r := range routes {
		for _, s := range w.subjects {
			if !r.Access.Allows(s.principal()) {
				continue
			}
			for _, target := range w.targets(t, r, s, perRoute) {
				resp, body := w.get(t, target, s)
				n++
				if resp.StatusCode >= 500 {
					t.Errorf("GET %s as %s: %d %.200s", target, s.name, resp.StatusCode, body)
				}
				if api && !r.Access.Public && strings.Contains(resp.Header.Get("Content-Type"), "json") {
					w.harvest(s.login, body)
				}
				visit(r, target, s, resp, body)
			}
		}
	}
	return n
}

// harvest remembers the ids an answer names, as the account's own.
func (w *sweepWorld) harvest(subject string, body []byte) {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return
	}
	if w.seen[subject] == nil {
		w.seen[subject] = map[string]bool{}
	}
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, vv := range x {
				walk(k, vv)
			}
		case []any:
			for _, vv := range x {
				walk(key, vv)
			}
		case string:
			if key == "id" || strings.HasSuffix(key, "_id") {
				w.seen[subject][x] = true
			}
		}
	}
	walk("", v)
}

// MustDo sends a request that must succeed and returns the body.
