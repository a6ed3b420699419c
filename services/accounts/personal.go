package accounts

import (
	"context"

	"onestop/services/core"
	"onestop/services/privacy"
)

// OnChange registers fn to run after an administrator disables, enables or
// changes the role of an account, with the account as it now is: a mentor
// whose account is disabled leaves the public directory and the routing.
// It runs after the write, so a failure there never undoes it; its owner
// must catch up by itself.
func (s *Service) OnChange(fn func(ctx context.Context, u *User)) { s.changed = append(s.changed, fn) }

func (s *Service) tellChanged(ctx context.Context, id string) {
	if len(s.changed) == 0 {
		return
	}
	u, err := s.Get(ctx, id)
	if err != nil {
		s.log.Warn("account change not told", "user", id, "err", err)
		return
	}
	for _, fn := range s.changed {
		fn(context.WithoutCancel(ctx), u)
	}
}

// PersonalData is the accounts' part of the personal-data contract
// (services/privacy): the account itself, its sessions, its pending
// password resets and its throttle counters (keyed hashes only, which
// expire).
func (s *Service) PersonalData() PersonalData { return PersonalData{s} }

// PersonalData implements privacy.Area and privacy.Namer.
type PersonalData struct{ s *Service }

// Name implements privacy.Area.
func (PersonalData) Name() string { return "account" }

// Holds implements privacy.Area.
func (PersonalData) Holds() []string {
	return []string{"users", "sessions", "throttle", PasswordResets.Name}
}

// Known implements privacy.Namer: the account's name, e-mail and phone.
func (p PersonalData) Known(ctx context.Context, id string) (names, numbers []string, err error) {
	u, err := p.s.Get(ctx, id)
	if core.IsCode(err, core.NotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	phone, _ := p.s.vault.Open("phone", u.PhoneSealed)
	return []string{u.Name}, []string{u.Email, phone}, nil
}

// exportedAccount is the account as its owner gets it: their own login in
// clear, no password hash or token state.
type exportedAccount struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Email       string `json:"email,omitempty"`
	Phone       string `json:"phone,omitempty"`
	Role        Role   `json:"role"`
	Status      string `json:"status"`
	Locale      string `json:"locale,omitempty"`
	CreatedAt   string `json:"created_at"`
	LastLoginAt string `json:"last_login_at,omitempty"`
}

// Export implements privacy.Area.
func (p PersonalData) Export(ctx context.Context, id string) (*privacy.Part, error) {
	u, err := p.s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	phone, _ := p.s.vault.Open("phone", u.PhoneSealed)
	ex := exportedAccount{ID: u.ID, Name: u.Name, Email: u.Email, Phone: phone, Role: u.Role, Status: u.Status(), Locale: u.Locale,
		CreatedAt: u.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")}
	if !u.LastLoginAt.IsZero() {
		ex.LastLoginAt = u.LastLoginAt.UTC().Format("2006-01-02T15:04:05Z")
	}
	var part privacy.Part
	part.Add("account", u.ID, u.CreatedAt, u.Status(), ex)
	return &part, nil
}

// Erase implements privacy.Area: the account is anonymised (Anonymise),
// acting under the pseudonym so that its own audit record carries no name.
func (p PersonalData) Erase(ctx context.Context, subj privacy.Subject) error {
	u, err := p.s.Get(ctx, subj.ID)
	if core.IsCode(err, core.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return p.s.Anonymise(ctx, Principal{ID: u.ID, Role: u.Role, Name: subj.Pseudonym}, Meta{})
}
