package orgs

import (
	"time"

	"github.com/gofiber/fiber/v2"

	accountsweb "onestop/portal/accounts"
	"onestop/portal/web"
	"onestop/services/orgs"
)

// APIOrg is an organisation as its users and the staff who review it see
// it.
type APIOrg struct {
	ID           string          `json:"id"`
	Name         string          `json:"name"`
	CreditCode   string          `json:"credit_code"`
	Kind         string          `json:"kind"`
	District     string          `json:"district"`
	Address      string          `json:"address"`
	ContactName  string          `json:"contact_name"`
	ContactPhone string          `json:"contact_phone"`
	Status       string          `json:"status"`
	Verified     bool            `json:"verified"`
	Reason       string          `json:"reason,omitempty"`
	ReviewedAt   time.Time       `json:"reviewed_at,omitzero"`
	Version      int             `json:"version"`
	Users        []APIUser       `json:"users"`
	Invitations  []APIInvitation `json:"invitations"`
	CreatedAt    time.Time       `json:"created_at"`
	// YourPart is the caller's part in it (manager, member): its own
	// users' answers only.
	YourPart string `json:"your_part,omitempty"`
}

// APIUser is one of an organisation's users: never a login in clear.
type APIUser struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Login    string    `json:"login_masked"`
	Part     string    `json:"part"`
	Since    time.Time `json:"since"`
	Disabled bool      `json:"disabled"`
}

// APIInvitation is an open invitation: where it went, masked.
type APIInvitation struct {
	ID      string    `json:"id"`
	SentTo  string    `json:"sent_to"`
	Name    string    `json:"name"`
	At      time.Time `json:"at"`
	Expires time.Time `json:"expires"`
}

func (a *Handlers) toAPIOrg(c *fiber.Ctx, o *orgs.Org, part string) (APIOrg, error) {
	people, err := a.orgs.People(c.UserContext(), o)
	if err != nil {
		return APIOrg{}, err
	}
	out := APIOrg{ID: o.ID, Name: o.Name, CreditCode: o.CreditCode, Kind: string(o.Kind), District: o.District, Address: o.Address,
		ContactName: o.ContactName, ContactPhone: o.ContactPhone, Status: string(o.Status), Verified: o.Verified(), Reason: o.Reason,
		ReviewedAt: o.ReviewedAt, Version: o.Version, Users: make([]APIUser, 0, len(people)), Invitations: []APIInvitation{},
		CreatedAt: o.CreatedAt, YourPart: part}
	for _, p := range people {
		out.Users = append(out.Users, APIUser{ID: p.ID, Name: p.Name, Login: p.Login, Part: p.Part, Since: p.Since, Disabled: p.Disabled})
	}
	for _, in := range o.LiveInvites(a.Clock.Now()) {
		out.Invitations = append(out.Invitations, APIInvitation{ID: in.ID, SentTo: in.LoginMasked, Name: in.Name, At: in.At, Expires: in.Expires})
	}
	return out, nil
}

type registerRequest struct {
	orgs.Input
	// The first user, its manager: one of email and phone, their name and
	// password.
	Email    string `json:"email"`
	Phone    string `json:"phone"`
	UserName string `json:"user_name"`
	Password string `json:"password"`
}

func (a *Handlers) apiRegister(c *fiber.Ctx) error {
	var in registerRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	st, err := a.orgs.Register(c.UserContext(), in.Input, orgs.NewUser{Email: in.Email, Phone: in.Phone, Name: in.UserName, Password: in.Password}, web.Meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(accountsweb.RegisterResponse{RegistrationID: st.ID, SentTo: st.SentTo, ExpiresIn: st.ExpiresIn})
}

type confirmRequest struct {
	RegistrationID string `json:"registration_id"`
	Code           string `json:"code"`
}

// apiConfirm answers 200 like a sign-in (no created resource goes through
// the idempotency store, which must never keep tokens).
func (a *Handlers) apiConfirm(c *fiber.Ctx) error {
	var in confirmRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	done, err := a.orgs.Confirm(c.UserContext(), in.RegistrationID, in.Code, web.Meta(c))
	if err != nil {
		return err
	}
	return c.JSON(accountsweb.ToTokenResponse(done.Tokens))
}

type joinRequest struct {
	// Invitation is the secret of the invitation's link (its i=).
	Invitation string `json:"invitation"`
	Name       string `json:"name"`
	Password   string `json:"password"`
}

func (a *Handlers) apiJoin(c *fiber.Ctx) error {
	var in joinRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	st, err := a.orgs.StartJoin(c.UserContext(), in.Invitation, in.Name, in.Password, web.Meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(accountsweb.RegisterResponse{RegistrationID: st.ID, SentTo: st.SentTo, ExpiresIn: st.ExpiresIn})
}

type acceptRequest struct {
	Invitation string `json:"invitation"`
}

func (a *Handlers) apiAccept(c *fiber.Ctx) error {
	var in acceptRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	o, err := a.orgs.Accept(c.UserContext(), web.Principal(c), in.Invitation, web.Meta(c))
	if err != nil {
		return err
	}
	return a.answerMine(c, o)
}

func (a *Handlers) apiMine(c *fiber.Ctx) error {
	o, _, err := a.orgs.Mine(c.UserContext(), web.Principal(c))
	if err != nil {
		return err
	}
	return a.answerMine(c, o)
}

// answerMine is the caller's organisation, with the caller's part in it.
func (a *Handlers) answerMine(c *fiber.Ctx, o *orgs.Org) error {
	u, _ := o.UserOf(web.Principal(c).ID)
	out, err := a.toAPIOrg(c, o, u.Part)
	if err != nil {
		return err
	}
	return c.JSON(out)
}

type updateRequest struct {
	orgs.Input
	// Version is the version the edit started from (0: the one stored).
	Version int `json:"version"`
}

func (a *Handlers) apiUpdate(c *fiber.Ctx) error {
	var in updateRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	o, err := a.orgs.Update(c.UserContext(), web.Principal(c), in.Input, in.Version, web.Meta(c))
	if err != nil {
		return err
	}
	return a.answerMine(c, o)
}

// InvitedResponse says where an invitation went.
type InvitedResponse struct {
	ID      string    `json:"id"`
	SentTo  string    `json:"sent_to"`
	Expires time.Time `json:"expires"`
}

func (a *Handlers) apiInvite(c *fiber.Ctx) error {
	var in orgs.InviteInput
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	inv, err := a.orgs.Invite(c.UserContext(), web.Principal(c), in, web.Meta(c))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(InvitedResponse{ID: inv.ID, SentTo: inv.SentTo, Expires: inv.Expires})
}

func (a *Handlers) apiCancelInvite(c *fiber.Ctx) error {
	if err := a.orgs.CancelInvite(c.UserContext(), web.Principal(c), c.Params("id"), web.Meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (a *Handlers) apiRemove(c *fiber.Ctx) error {
	if err := a.orgs.RemoveUser(c.UserContext(), web.Principal(c), c.Params("id"), web.Meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (a *Handlers) apiLeave(c *fiber.Ctx) error {
	if err := a.orgs.Leave(c.UserContext(), web.Principal(c), web.Meta(c)); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// APIOrgRow is one line of the staff's list.
type APIOrgRow struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	CreditCode string    `json:"credit_code"`
	Kind       string    `json:"kind"`
	District   string    `json:"district"`
	Status     string    `json:"status"`
	Users      int       `json:"users"`
	CreatedAt  time.Time `json:"created_at"`
}

func (a *Handlers) apiList(c *fiber.Ctx) error {
	rows, total, p, err := a.orgs.List(c.UserContext(), web.Principal(c), listQuery(c))
	if err != nil {
		return err
	}
	out := web.ListResponse[APIOrgRow]{Items: make([]APIOrgRow, 0, len(rows)), Total: total, Page: p.Number, Size: p.Size}
	for _, r := range rows {
		out.Items = append(out.Items, APIOrgRow{ID: r.ID, Name: r.Name, CreditCode: r.Code, Kind: r.Kind, District: r.District, Status: r.Status,
			Users: r.Users, CreatedAt: r.CreatedAt})
	}
	return c.JSON(out)
}

// listQuery is the staff's list as a request asks for it.
func listQuery(c *fiber.Ctx) orgs.ListQuery {
	return orgs.ListQuery{Text: c.Query("q"), Status: orgs.Status(c.Query("status")), Kind: orgs.Kind(c.Query("kind")), Page: web.PageOf(c)}
}

func (a *Handlers) apiStaffOrg(c *fiber.Ctx) error {
	o, err := a.orgs.Get(c.UserContext(), web.Principal(c), c.Params("id"))
	if err != nil {
		return err
	}
	return a.answerStaff(c, o)
}

func (a *Handlers) answerStaff(c *fiber.Ctx, o *orgs.Org) error {
	out, err := a.toAPIOrg(c, o, "")
	if err != nil {
		return err
	}
	return c.JSON(out)
}

func (a *Handlers) apiVerify(c *fiber.Ctx) error {
	if len(c.Body()) > 0 {
		var in struct{}
		if err := web.DecodeJSON(c, &in); err != nil {
			return err
		}
	}
	o, err := a.orgs.Verify(c.UserContext(), web.Principal(c), c.Params("id"), web.Meta(c))
	if err != nil {
		return err
	}
	return a.answerStaff(c, o)
}

type rejectRequest struct {
	Reason string `json:"reason"`
}

func (a *Handlers) apiReject(c *fiber.Ctx) error {
	var in rejectRequest
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	o, err := a.orgs.Reject(c.UserContext(), web.Principal(c), c.Params("id"), in.Reason, web.Meta(c))
	if err != nil {
		return err
	}
	return a.answerStaff(c, o)
}

var (
	docRegister = web.Doc("Register an organisation (an employer, a labour agency or training institution placing farmers, or an economic entity founded by land-expropriated farmers) with its unified social credit code (GB 32100-2015: 18 characters, check character last), and its first user, who will manage it: 202 whether or not the user's login has an account; the address gets a 6-digit code (valid 15 minutes), or a note to sign in instead. A credit code another organisation holds is 409. Nothing of the organisation exists until the code confirms it",
		"organisations", registerRequest{}, accountsweb.RegisterResponse{}, 202)
	docConfirm = web.Doc("Confirm an organisation's registration, or a colleague's joining, with the code sent to the user's login: opens the account (role organisation) and the organisation together, or takes the newcomer into the inviting organisation, and signs in. A credit code taken meanwhile is 409 and nothing is opened",
		"organisations", confirmRequest{}, accountsweb.TokenResponse{}, 200)
	docJoin = web.Doc("Take up an invitation to an organisation as a newcomer: the invitation's secret (from the link sent to the invited login), a name and a password; the login gets a registration code, confirmed with POST /api/v1/orgs/register/confirm. An invitation withdrawn, replaced or past its 7 days is 404",
		"organisations", joinRequest{}, accountsweb.RegisterResponse{}, 202)
	docAccept = web.Doc("Accept an invitation as an organisation's account that belongs to no organisation and signs in with the invited login (403 otherwise; 409 for one in an organisation already)",
		"organisations", acceptRequest{}, APIOrg{}, 200)
	docMine = web.Doc("The caller's organisation: its details, verification status (only a verified one may claim the organisations' rewards), users and open invitations, and the caller's part in it; 404 for an account in no organisation",
		"organisations", nil, APIOrg{}, 200)
	docUpdate = web.Doc("Correct the caller's organisation's details (its manager only), while it waits for staff or was rejected; a rejected one waits for staff again. version, when given, must be the version the edit started from (409 otherwise); a verified organisation's details change only through staff (409)",
		"organisations", updateRequest{}, APIOrg{}, 200)
	docInvite = web.Doc("Invite a colleague to the caller's organisation by login (its manager only): one of email and phone, and the name to greet them by. The address gets a link valid 7 days; a second invitation of a login replaces the first. Users and open invitations together are at most 50",
		"organisations", orgs.InviteInput{}, InvitedResponse{}, 202)
	docCancelInvite = web.Doc("Withdraw an open invitation of the caller's organisation (its manager only): its link stops working",
		"organisations", nil, nil, 204)
	docRemove = web.Doc("Remove a user from the caller's organisation (its manager only; the manager stays, 409): the account stays its owner's, in no organisation, and they are told",
		"organisations", nil, nil, 204)
	docLeave = web.Doc("Leave the caller's organisation (anyone but its manager, 409)", "organisations", nil, nil, 204)
	docList  = web.Doc("List organisations for the staff who verify them, newest first: filter by status (pending, verified, rejected) and kind; q is words of a name, or a whole credit code",
		"organisations", nil, web.ListResponse[APIOrgRow]{}, 200)
	docStaffOrg = web.Doc("Read an organisation, with its users and open invitations (staff who verify)", "organisations", nil, APIOrg{}, 200)
	docVerify   = web.Doc("Verify a pending organisation (staff who verify; 409 unless pending, or when its details changed since it was read): from then on it may claim what organisations claim. Its users are told; audited",
		"organisations", nil, APIOrg{}, 200)
	docReject = web.Doc("Reject a pending organisation with a reason (5–500 characters) its users are told and read; its manager corrects the details and it waits again. Audited",
		"organisations", rejectRequest{}, APIOrg{}, 200)
)
