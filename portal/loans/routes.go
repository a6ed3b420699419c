// Package loans holds the HTTP handlers of guaranteed loans: pages, API and
// the area's entries of the route list.
package loans

import (
	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/bureau"
	"onestop/services/loans"
	"onestop/services/people"
	"onestop/services/policy"
)

// Handlers are the area's pages and API, on the shared kernel.
type Handlers struct {
	*web.Kit
	accounts *accounts.Service
	loans    *loans.Service
	people   *people.Service
	policies *policy.Catalogue
}

// New builds the area's handlers from the bureau's services.
func New(k *web.Kit, b *bureau.Bureau) *Handlers {
	return &Handlers{Kit: k, accounts: b.Accounts, loans: b.Loans, people: b.People, policies: b.Policies}
}

// loanRoles may see loan files: applicants, the bureau, banks.
var loanRoles = web.Roles(accounts.Entrepreneur, accounts.Hotline, accounts.Admin, accounts.BankOfficer)

// Routes are the area's entries of the route list, with their access rules.
func (a *Handlers) Routes() []web.Route {
	return []web.Route{
		web.Get("/loans", loanRoles, a.loansPage),
		web.Get("/loans/new", web.Entrepreneur, a.loanNewPage),
		web.Post("/loans", web.Entrepreneur, a.loanCreate),
		web.Get("/loans/:id", loanRoles, a.loanPage),
		web.Post("/loans/:id/steps", loanRoles, a.loanStepWeb),
		web.Post("/loans/:id/attachments", web.Entrepreneur, a.loanAttachWeb),
		web.Post("/loans/:id/attachments/:att/delete", web.Entrepreneur, a.loanDetachWeb),
		web.Get("/loans/:id/attachments/:att", loanRoles, a.loanDownload),
		web.Get("/admin/banks", web.Admin, a.adminBanksPage),
		web.Post("/admin/banks", web.Admin, a.adminBankCreate),
		web.Post("/admin/banks/:id/officers", web.Admin, a.adminBankOfficers),
		web.Get("/api/v1/banks", web.SignedIn, a.apiBanks, docBanks),
		web.Post("/api/v1/admin/banks", web.Admin, a.apiCreateBank, docCreateBank),
		web.Post("/api/v1/admin/banks/:id/officers", web.Admin, a.apiBankOfficers, docBankOfficers),
		web.Post("/api/v1/loans", web.Entrepreneur, a.apiApplyLoan, docApplyLoan),
		web.Get("/api/v1/loans", loanRoles, a.apiLoans, docLoans),
		web.Get("/api/v1/loans/:id", loanRoles, a.apiLoan, docLoan),
		web.Post("/api/v1/loans/:id/steps", loanRoles, a.apiLoanStep, docLoanStep),
		web.Post("/api/v1/loans/:id/attachments", web.Entrepreneur, a.apiLoanAttach, docLoanAttach),
		web.Delete("/api/v1/loans/:id/attachments/:att", web.Entrepreneur, a.apiLoanDetach, docLoanDetach),
		web.Get("/api/v1/loans/:id/attachments/:att", loanRoles, a.loanDownload, docLoanDownload),
	}
}

var (
	docBanks        = web.Doc("The partner banks", "loans", nil, web.ListResponse[*loans.Bank]{}, 200)
	docCreateBank   = web.Doc("Add a partner bank", "admin", bankRequest{}, loans.Bank{}, 201)
	docBankOfficers = web.Doc("Name a bank's officers (bank-officer accounts, one bank each)", "admin", officersRequest{}, loans.Bank{}, 200)
	docApplyLoan    = web.Doc("Apply for a guaranteed loan under a policy one is eligible for", "loans", loans.Application{}, APILoan{}, 201)
	docLoans        = web.Doc("Loan files: one's own; the bureau's queue (status to filter); a bank's", "loans", nil, web.ListResponse[apiLoanRow]{}, 200)
	docLoan         = web.Doc("One file: timeline, whom it waits on, schedule with the interest subsidy", "loans", nil, APILoan{}, 200)
	docLoanStep     = web.Doc("Act on a file: forward, return, resubmit, withdraw, approve, decline, disburse, repay", "loans", loans.StepInput{}, APILoan{}, 200)
	docLoanAttach   = web.Doc("Upload a document to one's own file before it is forwarded (multipart: kind, file; PDF, JPEG or PNG by content, at most 4 MiB, 12 files)", "loans", web.Upload{}, loans.Attachment{}, 201)
	docLoanDetach   = web.Doc("Remove a document from one's own file before it is forwarded", "loans", nil, nil, 204)
	docLoanDownload = web.Doc("Download a document of a file one may read (audited for bureau and bank)", "loans", nil, web.FileBytes{}, 200)
)
