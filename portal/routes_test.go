package portal_test

import (
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"onestop/portal"
	"onestop/portal/i18n"
	"onestop/portal/portaltest"
	"onestop/services/accounts"
	"onestop/services/bases"
	"onestop/services/figures"
	"onestop/services/hotline"
	"onestop/services/loans"
	"onestop/services/mentors"
	"onestop/services/onestop"
	"onestop/services/orgs"
	"onestop/services/people"
	"onestop/services/policy"
	"onestop/services/projects"
	"onestop/services/reference"
	"onestop/services/training"
	"onestop/templates"
)

// TestEveryRouteDeclaresAccess: every route the server answers was
// registered from the route table with an access rule; nothing else.
func TestEveryRouteDeclaresAccess(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	declared := map[string]bool{}
	for _, r := range tp.App.Routes() {
		declared[r.Method+" "+r.Path] = true
	}
	for _, r := range tp.App.HTTP().GetRoutes(true) {
		method := r.Method
		if method == "HEAD" {
			method = "GET" // Fiber adds HEAD for every GET
		}
		if !declared[method+" "+r.Path] {
			t.Errorf("route %s %s has no declared access rule", r.Method, r.Path)
		}
	}
}

// TestOpenAPIMatchesRoutes: every API route is in the document with its
// method, and the document names no route that does not exist.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	_, body := tp.Do("GET", "/api/v1/openapi.json", nil, "")
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(body, &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("not an OpenAPI 3 document: %v %s", err, body[:min(200, len(body))])
	}
	seen := map[string]bool{}
	for _, r := range tp.App.HTTP().GetRoutes(true) {
		if !strings.HasPrefix(r.Path, "/api/v1/") || r.Method == "HEAD" || r.Path == "/api/v1/openapi.json" {
			continue
		}
		p := portal.PathParam.ReplaceAllString(r.Path, "{$1}")
		if _, ok := doc.Paths[p][strings.ToLower(r.Method)]; !ok {
			t.Errorf("%s %s missing from openapi.json", r.Method, p)
		}
		seen[strings.ToLower(r.Method)+" "+p] = true
	}
	ids := map[string]string{}
	for p, ops := range doc.Paths {
		for m, raw := range ops {
			if !seen[m+" "+p] {
				t.Errorf("openapi.json documents %s %s, which is not a route", m, p)
			}
			// Operation ids name a generated client's functions: unique, and
			// letters, digits and underscores only.
			var op struct {
				ID string `json:"operationId"`
			}
			json.Unmarshal(raw, &op)
			if !operationIDShape.MatchString(op.ID) || ids[op.ID] != "" {
				t.Errorf("%s %s: operation id %q (also %s)", m, p, op.ID, ids[op.ID])
			}
			ids[op.ID] = m + " " + p
		}
	}
}

var operationIDShape = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// TestCatalogsComplete: the three catalogs have the same keys, and every
// key used by a template or by the Go code exists.
func TestCatalogsComplete(t *testing.T) {
	t.Parallel()
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	base := b.Keys(i18n.Default)
	for _, l := range i18n.Languages {
		for _, k := range base {
			if !b.Has(l, k) {
				t.Errorf("%s lacks %q", l, k)
			}
		}
		if n := len(b.Keys(l)); n != len(base) {
			t.Errorf("%s has %d keys, %s has %d", l, n, i18n.Default, len(base))
		}
	}
	used := map[string]string{}
	tmplKey := regexp.MustCompile(`(?:\bt (?:\$\.Lang|\.Lang|\$l|\.)|"Label") "([a-z0-9_.]+)"`)
	_ = fs.WalkDir(templates.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, _ := fs.ReadFile(templates.FS, p)
		for _, m := range tmplKey.FindAllStringSubmatch(string(raw), -1) {
			used[m[1]] = p
		}
		return nil
	})
	goKey := regexp.MustCompile(`"((?:error|home|login|register|logout|account|admin|field|nav|search|status|role|audit|pager)\.[a-z0-9_.]+[a-z0-9])"`)
	for _, dir := range []string{".", "../services"} {
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			raw, _ := os.ReadFile(p)
			for _, m := range goKey.FindAllStringSubmatch(string(raw), -1) {
				used[m[1]] = p
			}
			return nil
		})
	}
	// Keys built from enumerations at render time.
	enums := map[string][]string{
		"group.": policy.TargetGroups, "stage.": policy.Stages, "form.": policy.Forms,
		"gender.": policy.Genders, "fact.": policy.FactNames(), "education.": people.Educations,
		"need.": people.Needs, "service.": onestop.Types, "services.desc.": onestop.Types, "action.": {"submit", "assign", "start", "complete", "cancel"},
		"req.":    {onestop.Submitted, onestop.Accepted, onestop.InProgress, onestop.Completed, onestop.Cancelled},
		"status.": {"eligible", "not_eligible", "needs_info", "voluntary", "for_organisations", "active", "disabled"}, "applicant.": policy.Applicants, "audit.result.": {"success", "failure", "denied"},
		"risk.": projects.Risks, "source.": projects.Sources, "pstatus.": projects.Statuses, "criterion.": projects.Criteria,
		"reason.": projects.Reasons, "sort.": projects.Sorts, "facet.": {"industry", "district", "risk"},
		"mtype.": mentors.Types, "topic.": mentors.Topics, "mlang.": mentors.Languages, "contact.": mentors.Contacts,
		"mstatus.":      {mentors.Applied, mentors.Active, mentors.Paused, mentors.Retired, mentors.Rejected},
		"cstatus.":      {mentors.Waiting, mentors.Answering, mentors.Answered, mentors.Closed, mentors.Unassigned, "overdue", "rematched", "mine"},
		"consult.step.": {"reply", "answered", "decline", "close", "reassign"}, "consult.event.": mentors.Events,
		"match.mentor.": {"unavailable", "on_leave", "full", "free", "topic", "industry", "language", "no_expertise"},
		"level.":        bases.Levels, "service.base.": bases.Services, "moveout.": bases.MoveOutReasons,
		"bstatus.": {bases.Pending, bases.Approved, bases.Suspended},
		"app.": {bases.AppPending, bases.AppWaitlisted, bases.AppDeclined, bases.AppOffered, bases.AppTenant,
			bases.AppOfferDeclined, bases.AppWithdrawn, bases.AppMovedOut},
		"applications.step.":  {"withdraw", "accept_offer", "decline_offer", "accept", "decline", "waitlist", "move_out"},
		"notify.application.": {"offered", "declined", "waitlisted", "moved_out", "tenant", "withdrawn", "offer_declined"},
		"match.": {"seats", "seats.none", "intake.open", "intake.closed", "group", "group.not_accepted", "stage", "stage.not_accepted",
			"industry", "industry.any", "industry.other", "district", "district.other", "need", "points", "excluded"},
		"library.step.": {"submit", "reviewers", "review", "decision", "archive"},
		"paction.":      {"create", "import", "edit", "submit", "resubmit", "assign", "decide", "archive"},
		"stage.p.":      append([]string{"needs_reviewers", "in_review", "awaiting_consensus"}, projects.Statuses...),
		"calltype.":     hotline.CallTypes, "calltopic.": hotline.CallTopics, "calloutcome.": hotline.CallOutcomes,
		"ckind.": hotline.ComplaintKinds, "against.": hotline.Against, "cpstatus.": hotline.ComplaintStatuses,
		"cpqueue.": append([]string{"open", "overdue", "escalated", "mine"}, hotline.ComplaintStatuses...),
		"cpaction.": {"receive.complainant", "receive.bureau", "assign.bureau", "start.bureau", "answer.bureau", "close.complainant", "close.bureau",
			"reopen.complainant", "reopen.bureau", "escalate.system"},
		"complaints.by.":   {"complainant", "bureau", "system"},
		"complaints.step.": {"assign", "start", "answer", "close", "reopen", "note"},
		"freason.":         hotline.FailureReasons, "loan.": hotline.LoanStatuses, "caseneed.": hotline.CaseNeeds, "outcome.": hotline.Outcomes,
		"channel.": hotline.Channels, "csource.": hotline.CaseSources, "casequeue.": hotline.CaseQueues, "casestatus.": {hotline.CaseOpen, hotline.CaseClosed},
		"caseaction.":      {"contact", "schedule", "update", "mentor", "assign"},
		"caseaction.open.": hotline.CaseSources, "caseaction.close.": hotline.Outcomes, "caseaction.link.": hotline.LinkKinds,
		"cases.step.": {"contact", "schedule", "details", "mentor", "staff", "help", "eligibility", "close"},
		"link.":       hotline.LinkKinds, "vstatus.": {hotline.Tracking, hotline.VentureClosed, hotline.Completed},
		"verify.basis.":           {hotline.Verified, hotline.SelfReported, hotline.ToVerify},
		"hotline.call.converted.": {"consultation", "service"},
		"tkind.":                  training.Kinds, "cstate.": {training.Open, training.Running, training.Completed},
		"estatus.":       {training.Enrolled, training.Passed, training.NotPassed, training.Withdrawn},
		"claim.":         {training.Submitted, training.Approved, training.Rejected, training.Paid},
		"provider.step.": {"attendance", "complete", "claim"},
		"lstatus.":       loans.Statuses, "waiting.": {"bureau", "applicant", "bank"}, "side.": {"applicant", "bureau", "bank"},
		"laction.":          {"apply", "forward", "return", "resubmit", "withdraw", "approve", "decline", "disburse", "repay"},
		"loans.step.":       {"forward", "return", "resubmit", "withdraw", "approve", "decline", "disburse", "repay"},
		"notify.loan.step.": {"forward", "return", "approve", "decline", "disburse"},
		"figdim.":           {"all", "district", "industry", "topic", "bank", "provider", "call_topic", "complaint_kind", "case_outcome"},
		"figures.series.":   {"calls", "consult_asked", "loans_applied", "training_enrolled"},
		"org.kind.":         orgKeys(orgs.Kinds, "", ".hint"), "org.status.": orgKeys(orgs.Statuses, "", ".what"),
		"org.part.": {orgs.Manager, orgs.Member}, "org.details.lead.": orgKeys(orgs.Statuses, ""), "org.details.submit.": orgKeys(orgs.Statuses, ""),
		"guarantee.": loans.Guarantees, "document.": loans.Documents,
		"reference.kind.": {string(reference.District), string(reference.Industry), string(reference.Sector)},
		"op.":             {"eq", "ne", "in", "not_in", "contains", "contains_any", "lacks", "lt", "lte", "gt", "gte", "within_years", "beyond_years", "is.true", "is.false", "not"},
	}
	enums["error.cond.value."] = []string{"null", "bool", "number", "list", "code", "years"} // policy.Cond's compile
	for prefix, values := range enums {
		for _, v := range values {
			used[prefix+v] = "enumeration"
		}
	}
	for _, r := range accounts.Roles {
		used["role."+string(r)] = "enumeration"
	}
	if len(used) < 50 {
		t.Fatalf("found only %d keys in use; the scan is broken", len(used))
	}
	for k, where := range used {
		if !b.Has(i18n.Default, k) {
			t.Errorf("%s uses %q, which no catalog has", where, k)
		}
	}
}

// orgKeys are the values of an organisation's enumeration, each with
// every suffix of its keys.
func orgKeys[T ~string](values []T, suffixes ...string) []string {
	var out []string
	for _, v := range values {
		for _, s := range suffixes {
			out = append(out, string(v)+s)
		}
	}
	return out
}

func TestLanguageChoice(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	for _, tt := range []struct{ accept, cookie, want string }{
		{"", "", "創業一站式服務平台"},
		{"zh-CN,zh;q=0.9", "", "创业一站式服务平台"},
		{"en-US,en;q=0.8", "", "Entrepreneurship One-Stop Service Portal"},
		{"fr-FR, en;q=0.5", "", "Entrepreneurship One-Stop Service Portal"},
		{"zh-TW", "", "創業一站式服務平台"},
		{"en", "lang=zh-Hans", "创业一站式服务平台"},
	} {
		hdr := []string{"Accept-Language", tt.accept}
		if tt.cookie != "" {
			hdr = append(hdr, "Cookie", tt.cookie)
		}
		_, body := tp.Do("GET", "/", nil, "", hdr...)
		if !strings.Contains(string(body), "<title>") || !strings.Contains(string(body), tt.want) {
			t.Errorf("Accept-Language %q cookie %q: want %q", tt.accept, tt.cookie, tt.want)
		}
	}
}

// TestOpenAPILint lints the document the portal serves with Redocly CLI, a
// real OpenAPI linter, under its strict recommended rules (warnings fail
// too). .ci/test installs it from the npm registry and names it in
// $REDOCLY; without it the test is skipped.
func TestOpenAPILint(t *testing.T) {
	t.Parallel()
	redocly := os.Getenv("REDOCLY")
	if redocly == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("REDOCLY is not set: .ci/test installs Redocly CLI and sets it")
		}
		t.Skip("REDOCLY is not set (.ci/test installs Redocly CLI and sets it)")
	}
	tp := portaltest.New(t)
	resp, body := tp.Do("GET", "/api/v1/openapi.json", nil, "")
	if resp.StatusCode != 200 {
		t.Fatalf("openapi.json: %d", resp.StatusCode)
	}
	dir := t.TempDir()
	doc, cfg := filepath.Join(dir, "openapi.json"), filepath.Join(dir, "redocly.yaml")
	if err := os.WriteFile(doc, body, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte("extends: [recommended-strict]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(redocly, "lint", doc, "--config", cfg, "--format", "stylish", "--max-problems", "50").CombinedOutput()
	if err != nil {
		t.Fatalf("redocly lint: %v\n%s", err, out)
	}
}

// TestOpenAPIQueryParameters: a generated client can search the library
// and read the figures — their query parameters are documented, with the
// values the validators take — and the figures document no parameter of
// the administrators' lists.
func TestOpenAPIQueryParameters(t *testing.T) {
	t.Parallel()
	tp := portaltest.New(t)
	_, body := tp.Do("GET", "/api/v1/openapi.json", nil, "")
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name   string `json:"name"`
				In     string `json:"in"`
				Schema struct {
					Enum []string `json:"enum"`
				} `json:"schema"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path  string
		enums map[string][]string // parameter → its values ("" for none)
		not   []string
	}{
		{"/api/v1/projects", map[string][]string{"q": nil, "industry": nil, "district": nil, "risk": projects.Risks, "target_group": policy.TargetGroups,
			"stage": projects.Stages(), "min_investment": nil, "max_investment": nil, "sort": projects.Sorts, "page": nil, "per_page": nil}, nil},
		{"/api/v1/admin/figures", map[string][]string{"from": nil, "to": nil, "dim": figures.Dimensions, "value": nil, "filter": nil}, []string{"role", "action", "q"}},
	} {
		got := map[string][]string{}
		for _, p := range doc.Paths[tt.path]["get"].Parameters {
			if p.In == "query" {
				got[p.Name] = p.Schema.Enum
			}
		}
		for name, enum := range tt.enums {
			values, ok := got[name]
			if !ok || !slices.Equal(values, enum) {
				t.Errorf("%s: %s documented %v (%v), want %v", tt.path, name, ok, values, enum)
			}
		}
		for _, name := range tt.not {
			if _, ok := got[name]; ok {
				t.Errorf("%s documents %s, which it does not read", tt.path, name)
			}
		}
	}
}
