package accounts

import (
	"onestop/portal/web"
	"onestop/services/accounts"
	"onestop/services/core"
	"time"

	"github.com/gofiber/fiber/v2"
)

// APIUser is an account as the API shows it: never the password hash, the
// token version or a phone number in clear.
type APIUser struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Email     string    `json:"email,omitempty"`
	Phone     string    `json:"phone_masked,omitempty"`
	Role      string    `json:"role"`
	Disabled  bool      `json:"disabled"`
	Locale    string    `json:"locale,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

func toAPIUser(u *accounts.User) APIUser {
	return APIUser{ID: u.ID, Name: u.Name, Email: u.Email, Phone: u.PhoneMasked, Role: string(u.Role),
		Disabled: u.Disabled, Locale: u.Locale, CreatedAt: u.CreatedAt}
}

// TokenResponse is the answer of a sign-in, a refresh and a password change.
type TokenResponse struct {
	AccessToken  string  `json:"access_token"`
	RefreshToken string  `json:"refresh_token"`
	TokenType    string  `json:"token_type"`
	ExpiresIn    int     `json:"expires_in"`
	User         APIUser `json:"user"`
	// DeviceToken, after a sign-in, marks this client as a device the
	// account uses: send it with the next sign-in, and a stranger's
	// failed guesses elsewhere will not hold it up.
	DeviceToken string `json:"device_token,omitempty"`
}

// ToTokenResponse is a sign-in as the API answers it, for the areas that
// sign in through their own flows (an organisation's registration).
func ToTokenResponse(t *accounts.Tokens) TokenResponse { return toTokenResponse(t) }

func toTokenResponse(t *accounts.Tokens) TokenResponse {
	return TokenResponse{AccessToken: t.Access, RefreshToken: t.Refresh, TokenType: "Bearer", ExpiresIn: t.ExpiresIn, User: toAPIUser(t.User),
		DeviceToken: t.Device}
}

type registerRequest struct {
	Email    string `json:"email"`
	Phone    string `json:"phone"`
	Password string `json:"password"`
	Name     string `json:"name"`
	// AsMentor registers a mentor applicant (approved by an administrator).
	AsMentor bool `json:"as_mentor,omitempty"`
}

// RegisterResponse is the same whether or not the login already has an
// account: the code, or a note to sign in instead, went to the address.
type RegisterResponse struct {
	RegistrationID string `json:"registration_id"`
	SentTo         string `json:"sent_to"` // the login, masked
	ExpiresIn      int    `json:"expires_in"`
}

func (a *Handlers) apiRegister(c *fiber.Ctx) error {
	var in registerRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	acc := accounts.NewAccount{Email: in.Email, Phone: in.Phone, Password: in.Password, Name: in.Name}
	if in.AsMentor {
		acc.Role = accounts.Mentor
	}
	st, err := a.accounts.StartRegistration(c.UserContext(), acc, web.Meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(RegisterResponse{RegistrationID: st.ID, SentTo: st.SentTo, ExpiresIn: st.ExpiresIn})
}

type confirmRequest struct {
	RegistrationID string `json:"registration_id"`
	Code           string `json:"code"`
}

// apiRegisterConfirm opens the account with the code and signs it in. It
// answers 200 like a sign-in, not 201: a created resource would go through
// the idempotency store, which must never keep tokens.
func (a *Handlers) apiRegisterConfirm(c *fiber.Ctx) error {
	var in confirmRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	t, err := a.accounts.ConfirmRegistration(c.UserContext(), in.RegistrationID, in.Code, web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(toTokenResponse(t))
}

type loginRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
	// DeviceToken is the device_token of this client's last sign-in.
	DeviceToken string `json:"device_token,omitempty"`
}

func (a *Handlers) apiLogin(c *fiber.Ctx) error {
	var in loginRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	m := web.Meta(c)
	m.Device = in.DeviceToken
	t, err := a.accounts.Login(c.UserContext(), in.Login, in.Password, m)
	if err != nil {
		return err
	}
	return c.JSON(toTokenResponse(t))
}

type refreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

func (a *Handlers) apiRefresh(c *fiber.Ctx) error {
	var in refreshRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	t, err := a.accounts.Refresh(c.UserContext(), in.RefreshToken, web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(toTokenResponse(t))
}

func (a *Handlers) apiLogout(c *fiber.Ctx) error {
	var in refreshRequest
	if len(c.Body()) > 0 {
		if err := web.DecodeJSON(c, &in); err != nil {
			return err
		}
	}
	if err := a.accounts.Logout(c.UserContext(), web.Principal(c), in.RefreshToken, web.Meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (a *Handlers) apiMe(c *fiber.Ctx) error {
	u, err := a.accounts.Get(c.UserContext(), web.Principal(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(toAPIUser(u))
}

type passwordRequest struct {
	Current  string `json:"current_password"`
	Password string `json:"new_password"`
}

func (a *Handlers) apiPassword(c *fiber.Ctx) error {
	var in passwordRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	t, err := a.accounts.ChangePassword(c.UserContext(), web.Principal(c), in.Current, in.Password, web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(toTokenResponse(t))
}

type createUserRequest struct {
	Email    string `json:"email"`
	Phone    string `json:"phone"`
	Password string `json:"password"`
	Name     string `json:"name"`
	Role     string `json:"role"`
}

func (a *Handlers) apiCreateUser(c *fiber.Ctx) error {
	var in createUserRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	u, err := a.accounts.Create(c.UserContext(), web.Principal(c), accounts.NewAccount{
		Email: in.Email, Phone: in.Phone, Password: in.Password, Name: in.Name, Role: accounts.Role(in.Role)}, web.Meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(toAPIUser(u))
}

type apiUserRow struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Login     string    `json:"login_masked"`
	Role      string    `json:"role"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

func (a *Handlers) apiUsers(c *fiber.Ctx) error {
	q := accounts.ListQuery{Text: c.Query("q"), Role: accounts.Role(c.Query("role")), Status: c.Query("status"), Page: web.PageOf(c)}
	rows, total, p, err := a.accounts.List(c.UserContext(), web.Principal(c), q)
	if err != nil {
		return err
	}
	out := web.ListResponse[apiUserRow]{Items: make([]apiUserRow, 0, len(rows)), Total: total, Page: p.Number, Size: p.Size}
	for _, r := range rows {
		out.Items = append(out.Items, apiUserRow(r))
	}
	return c.JSON(out)
}

func (a *Handlers) apiUser(c *fiber.Ctx) error {
	u, err := a.accounts.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(toAPIUser(u))
}

type updateUserRequest struct {
	Role     *string `json:"role"`
	Disabled *bool   `json:"disabled"`
}

func (a *Handlers) apiUpdateUser(c *fiber.Ctx) error {
	var in updateUserRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	id, p, ctx := c.Params("id"), web.Principal(c), c.UserContext()
	if in.Role == nil && in.Disabled == nil {
		return &core.Error{Code: core.Invalid, Message: "error.invalid", Fields: map[string]string{"role": "error.nothing"}}
	}
	if _, err := a.accounts.Get(ctx, id); err != nil {
		return err
	}
	if in.Role != nil {
		if err := a.accounts.SetRole(ctx, p, id, accounts.Role(*in.Role), web.Meta(c)); err != nil {
			return err
		}
	}
	if in.Disabled != nil {
		if err := a.accounts.SetDisabled(ctx, p, id, *in.Disabled, web.Meta(c)); err != nil {
			return err
		}
	}
	return a.apiUser(c)
}

// AdminResetResponse says where an administrator's password reset went:
// never the code, the link or a password.
type AdminResetResponse struct {
	SentTo    string `json:"sent_to"` // the login, masked
	ExpiresIn int    `json:"expires_in"`
}

func (a *Handlers) apiAdminReset(c *fiber.Ctx) error {
	r, err := a.accounts.ResetByAdmin(c.UserContext(), web.Principal(c), c.Params("id"), web.Meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(AdminResetResponse{SentTo: r.SentTo, ExpiresIn: r.ExpiresIn})
}
