package demo

import (
	"context"
	"fmt"
	"time"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/orgs"
)

// demoOrg is an organisation of the demo: its details, its manager's and
// colleagues' logins, and whether staff verified it.
type demoOrg struct {
	in       orgs.Input
	manager  string
	members  []string
	verified bool
}

// demoOrgs are one of each kind the seed's hiring rewards name: an
// employer staff verified (two users), a labour agency waiting for them,
// and a farmer-founded entity verified.
var demoOrgs = []demoOrg{
	{in: orgs.Input{Name: "東城恒達製衣有限公司", CreditCode: orgs.WithCheckChar("91440101MA5D7Q1R2"), Kind: orgs.Employer, District: "dongcheng",
		Address: "東城區工業大道 88 號", ContactName: "鄭人事", ContactPhone: "0755-86013388"},
		manager: "hr@demo.onestop.cn", members: []string{"hr2@demo.onestop.cn"}, verified: true},
	{in: orgs.Input{Name: "南城順通勞務派遣有限公司", CreditCode: orgs.WithCheckChar("91440101MA5D7Q2K3"), Kind: orgs.LabourAgency, District: "nancheng",
		Address: "南城區解放路 8 號 3 樓", ContactName: "馮經理", ContactPhone: "13800138021"},
		manager: "agency@demo.onestop.cn"},
	{in: orgs.Input{Name: "北城新村綠源農業合作社", CreditCode: orgs.WithCheckChar("93440101MA5D7Q3L4"), Kind: orgs.FarmerEntity, District: "beicheng",
		Address: "北城區新村路 2 號", ContactName: "何大山", ContactPhone: "13800138022"},
		manager: "coop@demo.onestop.cn", verified: true},
}

// orgs opens the demo's organisations through the service, as their
// managers and the bureau would: each founded by its manager's account
// eight months ago (before the reward claims they file, grants.go), its
// colleagues invited and accepting the next day, the verified ones
// verified by the demo's administrator two days after. An organisation
// already there is left as it is.
func (a *areas) orgs(ctx context.Context) error {
	admin, err := a.principal(ctx, "email:admin@demo.onestop.cn")
	if err != nil {
		return err
	}
	m := accounts.Meta{IP: "127.0.0.1"}
	founded := a.clock.Now().AddDate(0, -8, 0)
	at := founded
	svc := a.Orgs.WithClock(func() time.Time { return at })
	for i, d := range demoOrgs {
		at = founded.Add(time.Duration(i) * time.Hour)
		mgr, err := a.principal(ctx, "email:"+d.manager)
		if err != nil {
			return fmt.Errorf("%s: %w", d.in.Name, err)
		}
		if _, _, err := a.Orgs.Of(ctx, mgr.ID); err == nil {
			continue // an earlier run's
		}
		o, err := svc.Found(ctx, mgr, d.in, m)
		if err != nil {
			return fmt.Errorf("%s: %w", d.in.Name, err)
		}
		for _, login := range d.members {
			who, err := a.principal(ctx, "email:"+login)
			if err != nil {
				return err
			}
			at = at.Add(24 * time.Hour)
			inv, err := svc.Invite(ctx, mgr, orgs.InviteInput{Email: login, Name: who.Name}, m)
			if err != nil {
				return fmt.Errorf("%s invites %s: %w", d.in.Name, login, err)
			}
			if _, err := svc.Accept(ctx, who, inv.Token, m); err != nil && !core.IsCode(err, core.Conflict) {
				return fmt.Errorf("%s joins %s: %w", login, d.in.Name, err)
			}
		}
		if d.verified {
			at = founded.Add(time.Duration(i)*time.Hour + 72*time.Hour)
			if _, err := svc.Verify(ctx, admin, o.ID, m); err != nil {
				return fmt.Errorf("verify %s: %w", d.in.Name, err)
			}
		}
	}
	return nil
}
