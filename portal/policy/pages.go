package policy

import (
	"io/fs"
	"regexp"
	"slices"
	"sync"

	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/onestop"
	"onestop/services/policy"
	"onestop/templates"
	"time"

	"github.com/gofiber/fiber/v2"
)

// ResultView is one policy outcome on a page.
type ResultView struct {
	ID, Name, Summary, Basis, BenefitText string
	Status                                policy.Status
	Reasons                               []ReasonLine
	Missing                               []string
	Benefit                               *policy.Granted
	// ApplyLink leads an eligible entrepreneur to apply: a loan file, or
	// the application of the policy's kind.
	ApplyLink string
	// ForOrganisations: an organisation claims it; shown apart from the
	// person's own supports.
	ForOrganisations bool
	// Pending names, by their evidence, the facts an eligible outcome rests
	// on that are only the person's word (policy.Result.Unverified), and
	// Bring what to bring to have them checked.
	Pending, Bring []string
}

// Results are a person's eligibility results as a page shows them.
type Results []ResultView

// Own are the supports the person claims.
func (rs Results) Own() Results {
	return slices.DeleteFunc(slices.Clone(rs), func(r ResultView) bool { return r.ForOrganisations })
}

// ForOrganisations are the supports an organisation claims, shown apart.
func (rs Results) ForOrganisations() Results {
	return slices.DeleteFunc(slices.Clone(rs), func(r ResultView) bool { return !r.ForOrganisations })
}

// ResultViews are eligibility results as the supports and person pages
// show them.
func (a *Handlers) ResultViews(c *fiber.Ctx, rs []policy.Result) Results {
	l := web.Lang(c)
	out := make(Results, 0, len(rs))
	for _, ar := range a.ToAPIResults(l, rs) {
		rv := ResultView{ID: ar.PolicyID, Name: ar.Name, Status: ar.Status, Reasons: ar.lines, Basis: ar.Basis, ForOrganisations: ar.Applicant == policy.ByOrganisation}
		var apply string // where it is applied for (the policy's Apply kind)
		for _, r := range rs {
			if r.Policy.ID == ar.PolicyID {
				rv.Summary, rv.BenefitText, rv.Benefit = r.Policy.Summary.In(l), r.Policy.BenefitText.In(l), r.Benefit
				switch {
				case r.Policy.AppliedAs(policy.ApplyLoan):
					apply = "/loans/new?policy="
				case r.Policy.Applicable() && !r.Policy.ForOrganisations():
					apply = "/grants/new?policy="
				}
			}
		}
		for _, m := range ar.Missing {
			rv.Missing = append(rv.Missing, a.I18n.T(l, "fact."+m))
		}
		for _, k := range ar.Unverified {
			rv.Pending = append(rv.Pending, a.I18n.T(l, "checked."+k))
		}
		rv.Bring = ar.Bring
		if rv.Status == policy.Eligible && web.Principal(c).Role == accounts.Entrepreneur && apply != "" {
			rv.ApplyLink = apply + rv.ID
		}
		out = append(out, rv)
	}
	// Eligible first, then what the person may still apply for, what needs
	// information, and the rest.
	rank := map[policy.Status]int{policy.Eligible: 0, policy.Voluntary: 1, policy.NeedsInfo: 2, policy.NotEligible: 3, policy.ForOrganisations: 4}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && rank[out[j].Status] < rank[out[j-1].Status]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func (a *Handlers) supportsPage(c *fiber.Ctx) error {
	me := web.Principal(c)
	ans, err := a.people.Eligibility(c.UserContext(), me, me.ID)
	if err != nil {
		return err
	}
	return a.Render(c, "pages/supports", fiber.Map{"Title": "supports.title", "Results": a.ResultViews(c, ans.Results), "AsOf": ans.AsOf.String(),
		"Types": onestop.Types, "GaveUp": ans.GaveUpPlacement})
}

// checkPage is the public self-check: a short form that grows with the
// answers — after each round it asks for the facts the undecided policies
// still need.
func (a *Handlers) checkPage(c *fiber.Ctx) error {
	return a.Render(c, "pages/check", fiber.Map{"Title": "check.title", "Facts": policy.Facts{}, "Errors": map[string]string{},
		"Options": a.FormOptions(c), "Ask": firstQuestions(), "Round": 0})
}

// firstQuestions are asked of everyone; the rest only when a policy needs
// them.
func firstQuestions() map[string]bool {
	return map[string]bool{"target_groups": true, "birth_date": true, "gender": true, "venture.stage": true, "venture.form": true, "wants_training": true}
}

// shownQuestions are the questions the submitted form showed: the first
// ones and every field it carried, answered or left blank (a select or a
// box sends its name even when empty; only unticked boxes send nothing, and
// those are first questions).
func shownQuestions(c *fiber.Ctx) map[string]bool {
	shown := firstQuestions()
	c.Request().PostArgs().VisitAll(func(k, _ []byte) { shown[string(k)] = true })
	return shown
}

// askWithContext adds the questions a question needs beside it to be
// understood: how many of the employees are land-expropriated farmers
// means nothing without how many employees there are.
func askWithContext(ask map[string]bool) {
	if ask["venture.land_farmer_employees"] {
		ask["venture.employees"] = true
	}
}

// newQuestions are the questions asked now that the person did not see
// before, and the first of them in the form's order (where focus goes, so
// the person continues where the new questions are, not under the results).
func newQuestions(ask, shown map[string]bool) (fresh map[string]bool, first string) {
	fresh = map[string]bool{}
	for k := range ask {
		if !shown[k] {
			fresh[k] = true
		}
	}
	for _, k := range formOrder() {
		if fresh[k] {
			return fresh, k
		}
	}
	return fresh, ""
}

// formOrder is the order of the facts form's fields, read from the partial
// that lays them out, so that it cannot drift from the page.
var formOrder = sync.OnceValue(func() []string {
	raw, err := fs.ReadFile(templates.FS, "partials/facts.html")
	if err != nil {
		panic("policy: the facts form: " + err.Error()) // embedded; the start-up render fails first
	}
	var order []string
	for _, m := range regexp.MustCompile(`shows \$s "([a-z_.]+)"`).FindAllStringSubmatch(string(raw), -1) {
		order = append(order, m[1])
	}
	return order
})

// checkSummary counts the person's results by outcome, for the line above
// the form; the supports organisations claim are not the person's to count.
type checkSummary struct{ Eligible, Voluntary, NeedsInfo, NotEligible int }

func summarise(rs Results) checkSummary {
	var s checkSummary
	for _, r := range rs {
		switch r.Status {
		case policy.Eligible:
			if !r.ForOrganisations {
				s.Eligible++
			}
		case policy.Voluntary:
			s.Voluntary++
		case policy.NeedsInfo:
			s.NeedsInfo++
		case policy.NotEligible:
			s.NotEligible++
		}
	}
	return s
}

func (a *Handlers) checkSubmit(c *fiber.Ctx) error {
	errs := map[string]string{}
	f := FactsForm(c, errs)
	shown := shownQuestions(c)
	// A form with errors comes back as it was sent: every question it
	// showed, answered or not.
	data := fiber.Map{"Title": "check.title", "Facts": f, "Errors": errs, "Options": a.FormOptions(c), "Round": 1, "Ask": shown}
	if len(errs) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
		return a.Render(c, "pages/check", data)
	}
	asOf := core.DateOf(a.Clock.Now())
	rs, err := a.policies.Check(c.UserContext(), &f, asOf)
	if err != nil {
		if fe := web.FormErrors(err); fe != nil {
			c.Status(fiber.StatusUnprocessableEntity)
			data["Errors"] = fe
			return a.Render(c, "pages/check", data)
		}
		return err
	}
	ask := firstQuestions()
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		if len(v) > 0 { // nothing typed disappears between rounds
			ask[string(k)] = true
		}
	})
	// Every fact the undecided supports may still need, in one round: a
	// rule's gate question and the ones after it together, so nobody
	// presses "see results" four times to see all the questions.
	for _, r := range rs {
		for _, m := range r.MayNeed(&f) {
			if !policy.Builtin(m) {
				m = "extra." + m // a defined fact's field
			}
			ask[m] = true
		}
	}
	askWithContext(ask)
	views := a.ResultViews(c, rs)
	fresh, first := newQuestions(ask, shown)
	data["Ask"], data["New"], data["Focus"] = ask, fresh, map[string]bool{first: first != ""}
	data["Results"], data["AsOf"], data["Summary"] = views, asOf.String(), summarise(views)
	if err := a.SealCookie(c, web.CheckCookie, f, checkKept); err != nil {
		return err
	}
	data["Kept"] = true
	return a.Render(c, "pages/check", data)
}

// The self-check's answers wait in the browser (sealed) for the person's
// registration, so nobody types them twice; half an hour covers signing up.
const checkKept = 30 * time.Minute

// CheckAnswers are the facts of the browser's last self-check, if any.
func (a *Handlers) CheckAnswers(c *fiber.Ctx) (policy.Facts, bool) {
	var f policy.Facts
	ok := a.OpenCookie(c, web.CheckCookie, &f)
	return f, ok
}

// ForgetCheckAnswers removes them: once they are in a profile, or when the
// person asks (a shared computer at a service centre).
func (a *Handlers) ForgetCheckAnswers(c *fiber.Ctx) { a.SetCookie(c, web.CheckCookie, "", -1) }

// HasCheckAnswers reports whether a self-check's answers are waiting.
func (a *Handlers) HasCheckAnswers(c *fiber.Ctx) bool { return a.HasCookie(c, web.CheckCookie) }

func (a *Handlers) checkForget(c *fiber.Ctx) error {
	a.ForgetCheckAnswers(c)
	web.Flash(c, "check.forgotten")
	return c.Redirect("/check", fiber.StatusSeeOther)
}

func (a *Handlers) policiesPage(c *fiber.Ctx) error {
	list, err := a.policies.All(c.UserContext())
	if err != nil {
		return err
	}
	return a.Render(c, "pages/policies", fiber.Map{"Title": "policies.title", "Policies": list})
}

func (a *Handlers) policyPage(c *fiber.Ctx) error {
	p, err := a.policies.Visible(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return a.Render(c, "pages/policy", fiber.Map{"Title": "policies.title", "Policy": p, "Conditions": a.conditionLines(web.Lang(c), p.Cond(), 0)})
}

// conditionLine is one line of a policy's conditions, indented by depth.
type conditionLine struct {
	Depth int
	Text  string
}

// conditionLines renders a condition tree as indented plain sentences.
func (a *Handlers) conditionLines(l string, c *policy.Cond, depth int) []conditionLine {
	if c == nil {
		return nil
	}
	var out []conditionLine
	if c.Voluntary {
		out = append(out, conditionLine{depth, a.I18n.T(l, "cond.voluntary")})
	}
	switch {
	case c.All != nil || (c.Any == nil && c.Not == nil && c.Fact == ""):
		if len(c.All) == 0 {
			return []conditionLine{{depth, a.I18n.T(l, "reason.open")}}
		}
		out = append(out, conditionLine{depth, a.I18n.T(l, "cond.all")})
		for _, s := range c.All {
			out = append(out, a.conditionLines(l, s, depth+1)...)
		}
	case c.Any != nil:
		out = append(out, conditionLine{depth, a.I18n.T(l, "cond.any")})
		for _, s := range c.Any {
			out = append(out, a.conditionLines(l, s, depth+1)...)
		}
	case c.Not != nil:
		out = append(out, conditionLine{depth, a.I18n.T(l, "cond.not")})
		out = append(out, a.conditionLines(l, c.Not, depth+1)...)
	default:
		var value any
		_ = jsonUnmarshal(c.Value, &value)
		if list, ok := value.([]any); ok {
			ss := make([]string, 0, len(list))
			for _, x := range list {
				ss = append(ss, web.ToString(x))
			}
			value = ss
		}
		r := policy.Reason{Fact: c.Fact, Op: c.Op, Value: value}
		if len(c.Until) > 0 {
			r.Until = c.Until[0]
		}
		out = append(out, conditionLine{depth, a.conditionText(l, r)})
	}
	return out
}
