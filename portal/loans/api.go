package loans

import (
	"cmp"
	"onestop/portal/web"
	"onestop/services/core"
	"onestop/services/loans"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"
)

// APILoan is a file with whom it waits on and its schedule.
type APILoan struct {
	*loans.Loan
	Waiting string `json:"waiting_on,omitempty"`
	// DueOn is the day in China the step waited on is due (due_at is its
	// close); limit_workdays its limit in working days.
	DueOn    core.Date           `json:"due_on,omitzero"`
	Overdue  bool                `json:"overdue"`
	Schedule []loans.Installment `json:"schedule,omitempty"`
	// InterestFen and SubsidyFen total the schedule: what the borrower pays
	// and the bureau's half.
	InterestFen int64 `json:"interest_fen,omitempty"`
	SubsidyFen  int64 `json:"subsidy_fen,omitempty"`
	// Once disbursed: the principal still owed, and the instalments paid
	// and overdue (each schedule entry says its own state).
	OutstandingFen     int64 `json:"outstanding_fen,omitempty"`
	InstalmentsPaid    int   `json:"instalments_paid,omitempty"`
	InstalmentsOverdue int   `json:"instalments_overdue,omitempty"`
}

func (a *Handlers) toAPILoan(l *loans.Loan) APILoan {
	if l.Attachments == nil {
		l.Attachments = []loans.Attachment{}
	}
	out := APILoan{Loan: l, Waiting: l.Waiting(), Overdue: l.Overdue(a.Clock.Now()), Schedule: l.Schedule()}
	if !l.DueAt.IsZero() {
		out.DueOn = core.DateOf(l.DueAt)
	}
	out.InterestFen, out.SubsidyFen = loans.Totals(out.Schedule)
	if l.Status == loans.Disbursed || l.Status == loans.Repaid {
		st := l.Standing(core.DateOf(a.Clock.Now()))
		out.OutstandingFen, out.InstalmentsPaid, out.InstalmentsOverdue = st.OutstandingFen, st.Paid, st.Overdue
		for i := range out.Schedule {
			out.Schedule[i].State = st.States[i]
		}
	}
	// Repayments in the order they were made, whatever order they were
	// recorded in (the file read is this answer's own).
	slices.SortStableFunc(l.Repayments, func(x, y loans.Repayment) int { return cmp.Compare(x.On.Day(), y.On.Day()) })
	return out
}

type apiLoanRow struct {
	ID         string    `json:"id"`
	PersonName string    `json:"person_name"`
	PolicyID   string    `json:"policy_id"`
	Status     string    `json:"status"`
	Waiting    string    `json:"waiting_on,omitempty"`
	AmountYuan int64     `json:"amount_yuan"`
	DueAt      time.Time `json:"due_at,omitzero"`
	DueOn      core.Date `json:"due_on,omitzero"`
	// LimitWorkdays is the step's limit in working days (absent on steps
	// begun before limits were working days).
	LimitWorkdays int       `json:"limit_workdays,omitempty"`
	Overdue       bool      `json:"overdue"`
	CreatedAt     time.Time `json:"created_at"`
}

type bankRequest struct {
	Name string `json:"name"`
}

type officersRequest struct {
	Officers []string `json:"officers"`
}

func (a *Handlers) apiBanks(c *fiber.Ctx) error {
	list, err := a.loans.Banks(c.UserContext())
	if err != nil {
		return err
	}
	if list == nil {
		list = []*loans.Bank{}
	}
	return c.JSON(web.ListResponse[*loans.Bank]{Items: list, Total: len(list), Page: 1, Size: len(list)})
}

func (a *Handlers) apiCreateBank(c *fiber.Ctx) error {
	var in bankRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	b, err := a.loans.CreateBank(c.UserContext(), web.Principal(c), in.Name, web.Meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(b)
}

func (a *Handlers) apiBankOfficers(c *fiber.Ctx) error {
	var in officersRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	b, err := a.loans.SetOfficers(c.UserContext(), web.Principal(c), c.Params("id"), in.Officers, web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(b)
}

func (a *Handlers) apiApplyLoan(c *fiber.Ctx) error {
	var in loans.Application
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	l, err := a.loans.Apply(c.UserContext(), web.Principal(c), in, web.Meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(a.toAPILoan(l))
}

func (a *Handlers) apiLoans(c *fiber.Ctx) error {
	rows, total, p, err := a.loans.List(c.UserContext(), web.Principal(c), loans.Query{Status: c.Query("status"), Page: web.PageOf(c)})
	if err != nil {
		return err
	}
	out := web.ListResponse[apiLoanRow]{Items: []apiLoanRow{}, Total: total, Page: p.Number, Size: p.Size}
	for _, r := range rows {
		row := apiLoanRow{ID: r.ID, PersonName: r.PersonName, PolicyID: r.PolicyID, Status: r.Status, Waiting: r.Waiting,
			AmountYuan: r.AmountYuan, DueAt: r.DueAt, LimitWorkdays: r.DueDays, Overdue: r.Overdue, CreatedAt: r.CreatedAt}
		if !r.DueAt.IsZero() {
			row.DueOn = core.DateOf(r.DueAt)
		}
		out.Items = append(out.Items, row)
	}
	return c.JSON(out)
}

func (a *Handlers) apiLoan(c *fiber.Ctx) error {
	l, err := a.loans.Loan(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(a.toAPILoan(l))
}

func (a *Handlers) apiLoanStep(c *fiber.Ctx) error {
	var in loans.StepInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	l, err := a.loans.Act(c.UserContext(), web.Principal(c), c.Params("id"), in, web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(a.toAPILoan(l))
}
