package people

import (
	"onestop/portal/i18n"
	policyweb "onestop/portal/policy"
	trainingweb "onestop/portal/training"
	"onestop/portal/web"
	"onestop/services/core"
	"onestop/services/people"
	"onestop/services/pii"
	"onestop/services/reference"
	"onestop/services/training"

	"github.com/gofiber/fiber/v2"
)

func (a *Handlers) peoplePage(c *fiber.Ctx) error {
	q := peopleQuery(c)
	if web.SensitiveQuery(q.Text, a.Clock.Now()) {
		// A number in the link: no look-up, and the number is not echoed.
		q.Text = ""
		c.Status(fiber.StatusUnprocessableEntity)
		return a.Render(c, "pages/people", fiber.Map{"Title": "people.title", "Rows": []people.Row{}, "Total": 0, "Query": q,
			"Pager": web.Pager{Number: 1, Pages: 1}, "Districts": a.Lists.AllCodes(reference.District), "Errors": map[string]string{"q": "search.number_in_link"}})
	}
	return a.renderPeople(c, q, func(p core.Page, total int) web.Pager { return web.NewPager(c, p, total) })
}

// renderPeople lists people for q; paging says where its links go (the
// GET list's own query, or a posted search's non-sensitive fields).
func (a *Handlers) renderPeople(c *fiber.Ctx, q people.ListQuery, paging func(core.Page, int) web.Pager) error {
	rows, total, p, err := a.people.List(c.UserContext(), web.Principal(c), q)
	if err != nil {
		return err
	}
	pg := paging(p, total)
	if _, problem := pii.ParseID(q.Text, a.Clock.Now()); problem == "" {
		q.Text = "" // an ID number is never echoed back into the page
	}
	return a.Render(c, "pages/people", fiber.Map{"Title": "people.title", "Rows": rows, "Total": total, "Query": q,
		"Pager": pg, "Districts": a.Lists.AllCodes(reference.District)})
}

func (a *Handlers) personPage(c *fiber.Ctx) error {
	return a.renderPerson(c, nil, personForm{})
}

// personForm is a form of the person's page shown again with what was
// typed and what is wrong: name says which (verify:<fact>, recommend).
type personForm struct {
	name   string
	errs   map[string]string
	values map[string]string
}

func (a *Handlers) renderPerson(c *fiber.Ctx, revealed *people.Revealed, form personForm) error {
	me := web.Principal(c)
	p, err := a.people.Get(c.UserContext(), me, c.Params("id"))
	if err != nil {
		return err
	}
	var results policyweb.Results
	if ans, err := a.people.Eligibility(c.UserContext(), me, p.ID); err == nil {
		results = a.eligibility.ResultViews(c, ans.Results)
	} // a stored profile always validates; an old one may not, and the page still shows
	var courses []trainingweb.APICourseRow
	if r, _, err := a.training.Catalogue(c.UserContext(), training.CatalogueQuery{Page: core.Page{Size: 100}}); err == nil {
		for _, h := range r.Hits {
			courses = append(courses, trainingweb.CourseRow(h))
		}
	}
	var timeline []TimelineRow
	var disputed bool
	if me.Role.Staff() {
		// The desk's records are the desk's (accounts.Role.Staff): a case
		// officer checks facts without reading the calls and complaints.
		// A failing search only hides the warning's detail: the profile's
		// own pending mark still shows it.
		disputes, _ := a.people.DisputesOf(c.UserContext(), me, p.ID)
		disputed = len(disputes) > 0 || len(p.Pending) > 0
		entries, err := a.timeline.For(c.UserContext(), me, p.ID)
		if err != nil {
			return err
		}
		timeline = a.timelineRows(c, entries)
	}
	// What the person was granted, and under which policy version: the
	// ledger the bureau reads before deciding anything new.
	ledger, _, _, err := a.grants.Ledger(c.UserContext(), me, p.ID, core.Page{Number: 1, Size: 50})
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, g := range ledger {
		if pol, err := a.policies.Get(c.UserContext(), g.PolicyID); err == nil {
			names[g.PolicyID] = i18n.Content(web.Lang(c), pol.Name.In(web.Lang(c)))
		}
	}
	if form.errs == nil {
		form.errs = map[string]string{}
	}
	return a.Render(c, "pages/person", fiber.Map{"Ledger": ledger, "PolicyNames": names, "Title": "people.person", "Profile": p, "Revealed": revealed, "Results": results,
		"Courses": courses, "Disputed": disputed, "Timeline": timeline, "Desk": me.Role.Staff(),
		"Facts": a.factRows(c, p, true), "CaseWork": me.Role.Verifier() && me.ID != p.ID, "GaveUp": p.GaveUpPlacement(),
		"Refusals": refusals(p), "PlacementRefusals": people.PlacementRefusals,
		"Kinds": people.RecommendationKinds, "Answers": people.Answers, "Today": core.DateOf(a.Clock.Now()).String(),
		"Form": form.name, "Errors": form.errs, "Values": form.values})
}

func (a *Handlers) personReveal(c *fiber.Ctx) error {
	r, err := a.people.Reveal(c.UserContext(), web.Principal(c), c.Params("id"), web.Meta(c))
	if err != nil {
		return err
	}
	return a.renderPerson(c, r, personForm{})
}

// refusals is the count of refused recommendations the engine reads.
func refusals(p *people.Profile) int {
	if n := p.Facts.TrainingRefusals; n != nil {
		return *n
	}
	return 0
}
