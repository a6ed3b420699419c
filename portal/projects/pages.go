package projects

import (
	"net/url"
	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/policy"
	"onestop/services/projects"
	"onestop/services/reference"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// projectOptions are the choices of the library's filters and forms.
func (a *Handlers) projectOptions() fiber.Map {
	return fiber.Map{"Industries": a.Lists.Codes(reference.Industry), "Districts": a.Lists.Codes(reference.District), "Risks": projects.Risks,
		"Groups": policy.TargetGroups, "Sources": projects.Sources, "Sorts": projects.Sorts, "Criteria": projects.Criteria,
		"Reasons": projects.Reasons}
}

// libraryPage is the public library; with partial=1 it returns only the
// results, which the search-as-you-type script swaps in. A bad parameter
// (an unknown sort, a reversed range, letters for an amount) re-shows the
// form as it was sent, with a message at each field at fault, and a 400.
func (a *Handlers) libraryPage(c *fiber.Ctx) error {
	res, q, err := a.searchProjects(c, "")
	errs := map[string]string{}
	if err != nil {
		status, failed := web.FailStatus(err)
		if !failed {
			return err
		}
		c.Status(status)
		_, _, errs, _ = web.Classify(err)
		res = &projects.Result{Page: core.Page{}.Normalize()}
	}
	data := fiber.Map{"Title": "library.title", "Result": res, "Query": q, "Options": a.projectOptions(), "Errors": errs,
		"Raw":   fiber.Map{"min_investment": c.Query("min_investment"), "max_investment": c.Query("max_investment")},
		"Pager": web.NewPager(c, res.Page, res.Total), "Facets": facetLinks(c, res), "Back": libraryHere(c)}
	if c.Query("partial") == "1" {
		return a.RenderPartial(c, "partials/project_results", data)
	}
	return a.Render(c, "pages/projects", data)
}

// facetLink is one value of a facet with its count and the URL that
// toggles it.
type facetLink struct {
	Value    string
	Count    int
	URL      string
	Selected bool
}

func facetLinks(c *fiber.Ctx, r *projects.Result) map[string][]facetLink {
	out := map[string][]facetLink{}
	params := map[string]string{"industry": "industry", "district": "district", "risk": "risk", "target_groups": "target_group"}
	for facet, counts := range r.Facets {
		param := params[facet]
		for _, fc := range counts {
			args := c.Context().QueryArgs()
			var q []string
			selected := c.Query(param) == fc.Value
			args.VisitAll(func(k, v []byte) {
				if string(k) != param && string(k) != "page" && string(k) != "partial" {
					q = append(q, url.QueryEscape(string(k))+"="+url.QueryEscape(string(v)))
				}
			})
			if !selected {
				q = append(q, param+"="+url.QueryEscape(fc.Value))
			}
			out[facet] = append(out[facet], facetLink{Value: fc.Value, Count: fc.Count, URL: "/projects?" + strings.Join(q, "&"), Selected: selected})
		}
	}
	return out
}

func (a *Handlers) projectPage(c *fiber.Ctx) error {
	p, err := a.projects.Get(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	me := web.Principal(c)
	data := fiber.Map{"Title": "library.project", "Project": p, "View": a.toAPIProject(c, p), "Options": a.projectOptions(),
		"CanEdit": p.CanEdit(me), "CanSubmit": p.CanSubmit(me), "CanReview": p.CanReview(me), "Errors": map[string]string{},
		"CanDecide": p.CanDecide(me), "Supported": p.Supported(), "SeesEvaluation": p.SeesEvaluation(me),
		"Back": libraryBack(c), "NextSteps": p.Status == projects.Recommended}
	if p.CanDecide(me) && (p.Status == projects.Submitted || (p.Status == projects.UnderEvaluation && len(p.Reviews) == 0)) {
		mentors, _, _, err := a.accounts.List(c.UserContext(), me, accounts.ListQuery{Role: accounts.Mentor, Status: "active", Page: core.Page{Size: 100}})
		if err != nil {
			return err
		}
		admins, _, _, _ := a.accounts.List(c.UserContext(), me, accounts.ListQuery{Role: accounts.Admin, Status: "active", Page: core.Page{Size: 100}})
		var candidates []accounts.Row
		for _, r := range append(mentors, admins...) {
			if r.ID != p.OwnerID {
				candidates = append(candidates, r)
			}
		}
		data["Candidates"] = candidates
	}
	return a.Render(c, "pages/project", data)
}

// libraryBack is the search the visitor came from, so 「返回項目庫」 goes
// back to it: the back parameter the library's cards carry, or else the
// Referer when it is this site's library; only ever a library address.
func libraryBack(c *fiber.Ctx) string {
	if b := libraryPath(c.Query("back")); b != "" {
		return b
	}
	if ref, err := url.Parse(c.Get(fiber.HeaderReferer)); err == nil && ref.Host == c.Hostname() {
		if b := libraryPath(ref.RequestURI()); b != "" {
			return b
		}
	}
	return "/projects"
}

// libraryPath is p when it is the library's address (with any query), ""
// otherwise; the partial flag of the search-as-you-type script and empty
// parameters are dropped.
func libraryPath(p string) string {
	p = web.LocalBack(p, "/projects", "")
	if p != "/projects" && !strings.HasPrefix(p, "/projects?") {
		return ""
	}
	u, err := url.Parse(p)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Del("partial")
	for k, v := range q {
		if strings.Join(v, "") == "" {
			q.Del(k) // the form's untouched fields: the same search, shorter
		}
	}
	if len(q) == 0 {
		return "/projects"
	}
	return "/projects?" + q.Encode()
}

// libraryHere is the library's address as the visitor sees it now, for
// the cards to carry as their way back.
func libraryHere(c *fiber.Ctx) string {
	if b := libraryPath("/projects?" + string(c.Request().URI().QueryString())); b != "/projects" {
		return b
	}
	return "" // the plain library is where 「返回項目庫」 goes anyway
}

// projectForm reads the submit/edit form.
func projectForm(c *fiber.Ctx) (projects.Input, map[string]string) {
	errs := map[string]string{}
	num := func(name string) int64 {
		s := strings.TrimSpace(c.FormValue(name))
		if s == "" {
			return 0
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			errs[name] = "error.number"
		}
		return n
	}
	in := projects.Input{Title: c.FormValue("title"), Summary: c.FormValue("summary"), Description: c.FormValue("description"),
		Industry: c.FormValue("industry"), District: c.FormValue("district"), InvestmentYuan: num("investment_yuan"),
		Risk: c.FormValue("risk"), ExpectedJobs: int(num("expected_jobs")), Tags: web.SplitList(c.FormValue("tags")),
		Source: c.FormValue("source"), Contact: c.FormValue("contact")}
	for _, g := range c.Request().PostArgs().PeekMulti("target_groups") {
		in.TargetGroups = append(in.TargetGroups, string(g))
	}
	return in, errs
}

func (a *Handlers) renderProjectForm(c *fiber.Ctx, id string, in projects.Input, errs map[string]string) error {
	if len(errs) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return a.Render(c, "pages/project_form", fiber.Map{"Title": "library.submit", "ID": id, "Input": in, "Errors": errs,
		"Options": a.projectOptions(), "Tags": strings.Join(in.Tags, a.I18n.T(web.Lang(c), "list.sep"))})
}

func (a *Handlers) projectNewPage(c *fiber.Ctx) error {
	return a.renderProjectForm(c, "", projects.Input{Source: "individual"}, map[string]string{})
}

func (a *Handlers) projectCreate(c *fiber.Ctx) error {
	in, errs := projectForm(c)
	if len(errs) == 0 {
		p, err := a.projects.Create(c.UserContext(), web.Principal(c), in, c.FormValue("submit") == "yes", web.Meta(c))
		if err == nil {
			web.Flash(c, "library.saved")
			return c.Redirect("/projects/"+p.ID, fiber.StatusSeeOther)
		}
		if errs = web.FormErrors(err); errs == nil {
			return err
		}
	}
	return a.renderProjectForm(c, "", in, errs)
}

func (a *Handlers) projectEditPage(c *fiber.Ctx) error {
	p, err := a.projects.Get(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	if !p.CanEdit(web.Principal(c)) {
		return core.Errorf(core.Forbidden, "error.forbidden")
	}
	in := projects.Input{Title: p.Title, Summary: p.Summary, Description: p.Description, Industry: p.Industry, District: p.District,
		InvestmentYuan: p.InvestmentYuan, Risk: p.Risk, ExpectedJobs: p.ExpectedJobs, TargetGroups: p.TargetGroups, Tags: p.Tags,
		Source: p.Source, Contact: p.Contact}
	return a.renderProjectForm(c, p.ID, in, map[string]string{})
}

func (a *Handlers) projectUpdate(c *fiber.Ctx) error {
	in, errs := projectForm(c)
	if len(errs) == 0 {
		_, err := a.projects.Update(c.UserContext(), web.Principal(c), c.Params("id"), in, web.Meta(c))
		if err == nil {
			web.Flash(c, "library.saved")
			return c.Redirect("/projects/"+c.Params("id"), fiber.StatusSeeOther)
		}
		if errs = web.FormErrors(err); errs == nil {
			return err
		}
	}
	return a.renderProjectForm(c, c.Params("id"), in, errs)
}

// projectStep runs a workflow step from a form; a refused step comes back
// to the project page with its message.
func (a *Handlers) projectStep(step string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		ctx, p, id, m := c.UserContext(), web.Principal(c), c.Params("id"), web.Meta(c)
		var err error
		switch step {
		case "submit":
			_, err = a.projects.Submit(ctx, p, id, m)
		case "archive":
			_, err = a.projects.Archive(ctx, p, id, m)
		case "reviewers":
			var ids []string
			for _, v := range c.Request().PostArgs().PeekMulti("reviewer_ids") {
				ids = append(ids, string(v))
			}
			_, err = a.projects.AssignReviewers(ctx, p, id, ids, m)
		case "review":
			in := projects.ReviewInput{Scores: map[string]int{}, Opinion: c.FormValue("opinion")}
			for _, cr := range projects.Criteria {
				if n, perr := strconv.Atoi(c.FormValue("score." + cr)); perr == nil {
					in.Scores[cr] = n
				}
			}
			_, err = a.projects.Review(ctx, p, id, in, m)
		case "decision":
			_, err = a.projects.Decide(ctx, p, id, c.FormValue("outcome"), c.FormValue("reason"), c.FormValue("note"), m)
		}
		if err != nil {
			if web.FlashRefusal(c, err) {
				return c.Redirect("/projects/"+id, fiber.StatusSeeOther)
			}
			return err
		}
		web.Flash(c, "library.step."+step)
		return c.Redirect("/projects/"+id, fiber.StatusSeeOther)
	}
}

// projectListPage lists the caller's projects, their review queue or the
// evaluation board.
func (a *Handlers) projectListPage(view string) fiber.Handler {
	titles := map[string]string{"mine": "library.mine", "review": "library.reviews", "board": "library.board"}
	return func(c *fiber.Ctx) error {
		res, q, err := a.searchProjects(c, view)
		if err != nil {
			return err
		}
		return a.Render(c, "pages/project_list", fiber.Map{"Title": titles[view], "View": view, "Result": res, "Query": q,
			"Pager": web.NewPager(c, res.Page, res.Total), "Stages": []string{"needs_reviewers", "in_review", "awaiting_consensus", "recommended", "not_recommended", "archived"}})
	}
}
