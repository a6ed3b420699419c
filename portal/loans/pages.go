package loans

import (
	"onestop/portal/i18n"
	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/loans"
	"onestop/services/policy"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

func (a *Handlers) loansPage(c *fiber.Ctx) error {
	q := loans.Query{Status: c.Query("status"), Page: web.PageOf(c)}
	rows, total, p, err := a.loans.List(c.UserContext(), web.Principal(c), q)
	if err != nil {
		if fe := web.FormErrors(err); fe != nil {
			return c.Redirect("/loans", fiber.StatusSeeOther)
		}
		return err
	}
	statuses := loans.Statuses
	if web.Principal(c).Role == accounts.BankOfficer {
		statuses = loans.BankStatuses // no chip for a status the bank never sees
	}
	return a.Render(c, "pages/loans", fiber.Map{"Title": "loans.title", "Rows": rows, "Total": total, "Query": q, "Statuses": statuses,
		"Pager": web.NewPager(c, p, total)})
}

func (a *Handlers) loanNewPage(c *fiber.Ctx) error {
	in := loans.Application{PolicyID: c.Query("policy"), TermMonths: 24, Guarantee: "guarantor", Documents: []string{"id_card", "business_plan"}}
	return a.renderLoanForm(c, in, map[string]string{})
}

// eligibleLoans are the loan policies the caller qualifies for today, so
// the form says at once when there is none, before anything is typed.
func (a *Handlers) eligibleLoans(c *fiber.Ctx) ([]string, error) {
	rs, _, err := a.people.MyEligibility(c.UserContext(), web.Principal(c))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range rs {
		if r.Status == policy.Eligible && r.Policy.AppliedAs("loan") {
			out = append(out, r.Policy.ID)
		}
	}
	return out, nil
}

func (a *Handlers) renderLoanForm(c *fiber.Ctx, in loans.Application, errs map[string]string) error {
	banks, err := a.loans.Banks(c.UserContext())
	if err != nil {
		return err
	}
	eligible, err := a.eligibleLoans(c)
	if err != nil {
		return err
	}
	if in.PolicyID == "" && len(eligible) > 0 {
		in.PolicyID = eligible[0]
	}
	// The loan policies are the catalogue's, named in the reader's language.
	pols, err := a.loans.Policies(c.UserContext())
	if err != nil {
		return err
	}
	ids, names := make([]string, 0, len(pols)), map[string]string{}
	for _, p := range pols {
		ids, names[p.ID] = append(ids, p.ID), i18n.Content(web.Lang(c), p.Name.In(web.Lang(c)))
	}
	data := fiber.Map{"Title": "loans.apply", "Input": in, "Errors": errs, "Banks": banks, "Policies": ids, "PolicyNames": names,
		"Guarantees": loans.Guarantees, "Documents": loans.Documents, "Eligible": eligible}
	if lim, err := a.loans.LimitsFor(c.UserContext(), in.PolicyID); err == nil {
		data["Limits"] = lim
	}
	if len(errs) > 0 {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return a.Render(c, "pages/loan_new", data)
}

func (a *Handlers) loanCreate(c *fiber.Ctx) error {
	errs := map[string]string{}
	amount, err := strconv.ParseInt(strings.TrimSpace(c.FormValue("amount_yuan")), 10, 64)
	if err != nil {
		errs["amount_yuan"] = "error.number"
	}
	term, err := strconv.Atoi(strings.TrimSpace(c.FormValue("term_months")))
	if err != nil {
		errs["term_months"] = "error.number"
	}
	in := loans.Application{PolicyID: c.FormValue("policy_id"), AmountYuan: amount, TermMonths: term, Purpose: c.FormValue("purpose"), Plan: c.FormValue("plan"),
		Guarantee: c.FormValue("guarantee"), GuaranteeDetails: c.FormValue("guarantee_details"), Documents: web.FormList(c, "documents"), BankID: c.FormValue("bank_id")}
	if len(errs) == 0 {
		l, err := a.loans.Apply(c.UserContext(), web.Principal(c), in, web.Meta(c))
		if err == nil {
			web.Flash(c, "loans.applied")
			return c.Redirect("/loans/"+l.ID, fiber.StatusSeeOther)
		}
		if errs = web.FormErrors(err); errs == nil {
			return err
		}
	}
	return a.renderLoanForm(c, in, errs)
}

func (a *Handlers) loanPage(c *fiber.Ctx) error {
	return a.renderLoan(c, "", nil)
}

// renderLoan shows a file; a step refused on its fields (action) comes back
// with the messages at its form and what was typed in it.
func (a *Handlers) renderLoan(c *fiber.Ctx, action string, errs map[string]string) error {
	l, err := a.loans.Loan(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	me := web.Principal(c)
	side := ""
	switch {
	case me.ID == l.PersonID:
		side = "applicant"
	case me.Role.Staff():
		side = "bureau"
	case me.Role == accounts.BankOfficer:
		side = "bank"
	}
	data := fiber.Map{"Title": "loans.file", "L": a.toAPILoan(l), "Side": side, "PolicyName": a.policyName(c, l.PolicyID), "Today": core.DateOf(a.Clock.Now()).String(), "Documents": loans.Documents,
		"Action": action, "Errors": errs, "Typed": map[string]string{}}
	if errs != nil {
		typed := map[string]string{}
		for _, k := range []string{"note", "on", "granted_yuan", "rate_pct", "principal_yuan", "interest_yuan"} {
			typed[k] = c.FormValue(k)
		}
		data["Typed"] = typed
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return a.Render(c, "pages/loan", data)
}

func (a *Handlers) loanStepWeb(c *fiber.Ctx) error {
	if !core.ValidID(c.Params("id")) {
		return core.Errorf(core.NotFound, "error.not_found") // never into a Location header
	}
	if c.FormValue("action") == "withdraw" && c.FormValue("confirm") != "yes" {
		// Withdrawing ends the file (at the bank too): the person ticks
		// that they mean it; the API takes the action as meant. A file the
		// caller may not see is not found, as for any other step.
		if _, err := a.loans.Loan(c.UserContext(), web.Principal(c), c.Params("id")); err != nil {
			return err
		}
		web.Flash(c, "error.loan.withdraw_unconfirmed")
		return c.Redirect("/loans/"+c.Params("id"), fiber.StatusSeeOther)
	}
	errs := map[string]string{}
	in := loans.StepInput{Action: c.FormValue("action"), Note: c.FormValue("note"), On: web.FormDate(c, "on", errs)}
	if s := strings.TrimSpace(c.FormValue("granted_yuan")); s != "" {
		in.GrantedYuan, _ = strconv.ParseInt(s, 10, 64)
	}
	if s := strings.TrimSpace(c.FormValue("rate_pct")); s != "" {
		in.RatePct, _ = strconv.ParseFloat(s, 64)
	}
	yuanToFen := func(k string) int64 {
		s := strings.TrimSpace(c.FormValue(k))
		if s == "" {
			return 0
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 0 {
			errs[k] = "error.number"
		}
		return int64(f*100 + 0.5)
	}
	in.PrincipalFen, in.InterestFen = yuanToFen("principal_yuan"), yuanToFen("interest_yuan")
	var err error
	if len(errs) > 0 {
		err = &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: errs}
	} else {
		_, err = a.loans.Act(c.UserContext(), web.Principal(c), c.Params("id"), in, web.Meta(c))
	}
	if fe := web.FormErrors(err); fe != nil {
		// The form again, its messages at their fields, what was typed kept.
		return a.renderLoan(c, in.Action, fe)
	}
	if err != nil {
		if !web.FlashRefusal(c, err) {
			return err
		}
	} else {
		web.Flash(c, "loans.step."+in.Action)
	}
	return c.Redirect("/loans/"+c.Params("id"), fiber.StatusSeeOther)
}

func (a *Handlers) adminBanksPage(c *fiber.Ctx) error {
	banks, err := a.loans.Banks(c.UserContext())
	if err != nil {
		return err
	}
	officers, err := a.accounts.Active(c.UserContext(), accounts.BankOfficer)
	if err != nil {
		return err
	}
	return a.Render(c, "pages/admin_banks", fiber.Map{"Title": "admin.banks.title", "Banks": banks, "Officers": officers})
}

func (a *Handlers) adminBankCreate(c *fiber.Ctx) error {
	if _, err := a.loans.CreateBank(c.UserContext(), web.Principal(c), c.FormValue("name"), web.Meta(c)); err != nil {
		if !web.FlashRefusal(c, err) {
			return err
		}
	} else {
		web.Flash(c, "admin.banks.saved")
	}
	return c.Redirect("/admin/banks", fiber.StatusSeeOther)
}

func (a *Handlers) adminBankOfficers(c *fiber.Ctx) error {
	if _, err := a.loans.SetOfficers(c.UserContext(), web.Principal(c), c.Params("id"), web.FormList(c, "officers"), web.Meta(c)); err != nil {
		if !web.FlashRefusal(c, err) {
			return err
		}
	} else {
		web.Flash(c, "admin.banks.saved")
	}
	return c.Redirect("/admin/banks", fiber.StatusSeeOther)
}

// policyName is a loan policy's name in the reader's language: a file
// keeps its policy's name when the policy is later retired.
func (a *Handlers) policyName(c *fiber.Ctx, id string) string {
	p, err := a.policies.Get(c.UserContext(), id)
	if err != nil {
		return id
	}
	return i18n.Content(web.Lang(c), p.Name.In(web.Lang(c)))
}
