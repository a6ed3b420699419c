// Package accounts holds the HTTP handlers of accounts and administration of
// accounts: pages, API and the area's entries of the route list.
package accounts

import (
	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/bureau"
)

// Handlers are the area's pages and API, on the shared kernel.
type Handlers struct {
	*web.Kit
	accounts *accounts.Service
}

// New builds the area's handlers from the bureau's services.
func New(k *web.Kit, b *bureau.Bureau) *Handlers {
	return &Handlers{Kit: k, accounts: b.Accounts}
}

// Routes are the area's entries of the route list, with their access rules.
func (a *Handlers) Routes() []web.Route {
	return []web.Route{
		web.Get("/register", web.Public, a.registerPage),
		web.Post("/register", web.Public, a.registerSubmit),
		web.Get("/register/confirm", web.Public, a.registerConfirmPage),
		web.Post("/register/confirm", web.Public, a.registerConfirmSubmit),
		web.Get("/login", web.Public, a.loginPage),
		web.Post("/login", web.Public, a.loginSubmit),
		web.Post("/logout", web.SignedIn, a.logoutSubmit),
		web.Get("/password/forgot", web.Public, a.forgotPage),
		web.Post("/password/forgot", web.Public, a.forgotSubmit),
		web.Get("/password/reset", web.Public, a.resetPage),
		web.Post("/password/reset", web.Public, a.resetSubmit),
		web.Get("/account", web.SignedIn, a.accountPage),
		web.Post("/account/password", web.SignedIn, a.passwordSubmit),
		web.Get("/admin/users", web.Admin, a.adminUsersPage),
		web.Post("/admin/users", web.Admin, a.adminUserCreate),
		web.Get("/admin/users/:id", web.Admin, a.adminUserPage),
		web.Post("/admin/users/:id/role", web.Admin, a.adminUserRole),
		web.Post("/admin/users/:id/status", web.Admin, a.adminUserStatus),
		web.Post("/admin/users/:id/password-reset", web.Admin, a.adminUserReset),
		web.Post("/api/v1/auth/register", web.Public, a.apiRegister, docRegister),
		web.Post("/api/v1/auth/register/confirm", web.Public, a.apiRegisterConfirm, docConfirm),
		web.Post("/api/v1/auth/login", web.Public, a.apiLogin, docLogin),
		web.Post("/api/v1/auth/refresh", web.Public, a.apiRefresh, docRefresh),
		web.Post("/api/v1/auth/logout", web.SignedIn, a.apiLogout, docLogout),
		web.Post("/api/v1/auth/password/forgot", web.Public, a.apiForgot, docForgot),
		web.Post("/api/v1/auth/password/reset", web.Public, a.apiReset, docReset),
		web.Get("/api/v1/me", web.SignedIn, a.apiMe, docMe),
		web.Post("/api/v1/me/password", web.SignedIn, a.apiPassword, docPassword),
		web.Get("/api/v1/admin/users", web.Admin, a.apiUsers, docUsers),
		web.Post("/api/v1/admin/users", web.Admin, a.apiCreateUser, docCreateUser),
		web.Get("/api/v1/admin/users/:id", web.Admin, a.apiUser, docUser),
		web.Patch("/api/v1/admin/users/:id", web.Admin, a.apiUpdateUser, docUpdateUser),
		web.Post("/api/v1/admin/users/:id/password-reset", web.Admin, a.apiAdminReset, docAdminReset),
	}
}

var (
	docRegister   = web.Doc("Register as an entrepreneur (or mentor applicant): 202 whether or not the login has an account; the address gets a 6-digit code (valid 15 minutes, 5 tries), or a note to sign in instead", "auth", registerRequest{}, RegisterResponse{}, 202)
	docConfirm    = web.Doc("Confirm a registration with the code sent to the login: opens the account and signs in", "auth", confirmRequest{}, TokenResponse{}, 200)
	docLogin      = web.Doc("Sign in; send the device_token of the last sign-in so failed guesses elsewhere do not hold this client up", "auth", loginRequest{}, TokenResponse{}, 200)
	docRefresh    = web.Doc("Trade a refresh token for new tokens", "auth", refreshRequest{}, TokenResponse{}, 200)
	docLogout     = web.Doc("Sign out everywhere", "auth", refreshRequest{}, nil, 204)
	docForgot     = web.Doc("Ask for a password reset: 202 whether or not an account uses the login; if one does, its address gets a 6-digit code (valid 15 minutes, 5 tries)", "auth", forgotRequest{}, ResetStartResponse{}, 202)
	docReset      = web.Doc("Set a new password with the code of a reset: every session of the account ends, and this client is signed in", "auth", resetRequest{}, TokenResponse{}, 200)
	docMe         = web.Doc("The signed-in account", "auth", nil, APIUser{}, 200)
	docPassword   = web.Doc("Change the password", "auth", passwordRequest{}, TokenResponse{}, 200)
	docUsers      = web.Doc("List accounts", "admin", nil, web.ListResponse[apiUserRow]{}, 200)
	docCreateUser = web.Doc("Create an account of any role", "admin", createUserRequest{}, APIUser{}, 201)
	docUser       = web.Doc("Read an account", "admin", nil, APIUser{}, 200)
	docUpdateUser = web.Doc("Change an account's role or disable it", "admin", updateUserRequest{}, APIUser{}, 200)
	docAdminReset = web.Doc("Reset an account's password (never the caller's own, never a disabled account's: 409): its password stops working, every session and device of it ends, and the address it signs in with gets a one-time link and code to set a new one (valid 15 minutes). The answer holds only where it went, masked", "admin", nil, AdminResetResponse{}, 202)
)
