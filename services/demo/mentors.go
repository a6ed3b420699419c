package demo

import (
	"context"
	"fmt"

	"onestop/services/accounts"
	"onestop/services/mentors"
)

var demoSurnames = []string{"王", "李", "張", "劉", "陳", "楊", "黃", "趙", "吳", "周", "徐", "孫", "馬", "朱", "胡"}
var demoGiven = []string{"建華", "秀蘭", "志強", "麗娟", "國慶", "海燕", "文博", "靜怡"}

// mentors creates about sixty mentors of every type (the two demo
// mentor accounts among them) and consultations in every state.
func (a *areas) mentors(ctx context.Context) error {
	admin := accounts.Principal{ID: "demo", Role: accounts.Admin, Name: "demo"}
	if list, err := a.Mentors.Pending(ctx, admin); err == nil && len(list) > 0 {
		return nil
	}
	if ov, err := a.Mentors.Overview(ctx, admin); err == nil && len(ov.Mentors) > 0 {
		return nil // seeded before
	}
	var ids []accounts.Principal
	for _, login := range []string{"email:mentor@demo.onestop.cn", "email:mentor2@demo.onestop.cn"} {
		id, err := a.store.KeyOwner(ctx, login)
		if err != nil {
			return err
		}
		u, err := a.Accounts.Get(ctx, id)
		if err != nil {
			return err
		}
		ids = append(ids, accounts.Principal{ID: u.ID, Role: u.Role, Name: u.Name})
	}
	for i := range 58 {
		name := demoSurnames[i%len(demoSurnames)] + demoGiven[(i/len(demoSurnames)+i)%len(demoGiven)]
		u, err := a.Accounts.Create(ctx, admin, accounts.NewAccount{Email: fmt.Sprintf("mentor%02d@demo.onestop.cn", i+3), Password: Password, Name: name, Role: accounts.Mentor}, accounts.Meta{})
		if err != nil {
			return fmt.Errorf("demo mentor: %w", err)
		}
		ids = append(ids, accounts.Principal{ID: u.ID, Role: u.Role, Name: u.Name})
	}
	for i, p := range ids {
		prof := mentors.Profile{Type: mentors.Types[i%len(mentors.Types)], Capacity: 2 + i%5, Languages: []string{"zh"},
			Topics:     []string{mentors.Topics[i%len(mentors.Topics)], mentors.Topics[(i+3)%len(mentors.Topics)]},
			Industries: []string{demoIndustries()[i%len(demoIndustries())]},
			Bio: fmt.Sprintf("%s，從事%s相關工作多年，願意幫助創業者少走彎路。", a.label("mtype."+mentors.Types[i%len(mentors.Types)]),
				a.label("topic."+mentors.Topics[i%len(mentors.Topics)]))}
		if i%7 == 3 {
			prof.Languages = append(prof.Languages, "yue")
		}
		if _, err := a.Mentors.Save(ctx, p, prof, accounts.Meta{}); err != nil {
			return fmt.Errorf("demo mentor profile: %w", err)
		}
		if i != 59 { // one application is left for the administrator to approve
			if err := a.Mentors.SetStatus(ctx, admin, p.ID, mentors.Active, accounts.Meta{}); err != nil {
				return err
			}
		}
	}
	// Consultations in every state.
	asker := func(login string) (accounts.Principal, error) {
		id, err := a.store.KeyOwner(ctx, login)
		if err != nil {
			return accounts.Principal{}, err
		}
		u, err := a.Accounts.Get(ctx, id)
		return accounts.Principal{ID: id, Role: accounts.Entrepreneur, Name: u.Name}, err
	}
	wang, err := asker("email:wang@demo.onestop.cn")
	if err != nil {
		return err
	}
	zhao, err := asker("email:zhao@demo.onestop.cn")
	if err != nil {
		return err
	}
	ask := func(who accounts.Principal, topic, q string) (*mentors.Consultation, error) {
		return a.Mentors.Ask(ctx, who, mentors.Question{Topic: topic, Industry: "community_service", Question: q}, accounts.Meta{})
	}
	mentorOf := func(c *mentors.Consultation) accounts.Principal {
		return accounts.Principal{ID: c.MentorID, Role: accounts.Mentor, Name: c.MentorName}
	}
	c1, err := ask(wang, "financing", "網店需要 5 萬元週轉資金，可以申請哪些貸款？")
	if err != nil {
		return err
	}
	a.Mentors.Reply(ctx, mentorOf(c1), c1.ID, "可以先看小額擔保貸款，帶上營業執照和經營流水到人社局窗口。", accounts.Meta{})
	a.Mentors.MarkAnswered(ctx, mentorOf(c1), c1.ID, accounts.Meta{})
	a.Mentors.Close(ctx, wang, c1.ID, 5, "回答很具體，謝謝！", accounts.Meta{})
	c2, err := ask(wang, "marketing", "直播帶貨怎麼找到第一批客戶？")
	if err != nil {
		return err
	}
	a.Mentors.Reply(ctx, mentorOf(c2), c2.ID, "先從熟人社群和本地社區團購做起，積累評價。", accounts.Meta{})
	if _, err := ask(zhao, "licensing", "家政服務店要辦哪些證照？"); err != nil {
		return err
	}
	c4, err := ask(zhao, "tax", "個體戶怎麼報稅？")
	if err != nil {
		return err
	}
	a.Mentors.Reply(ctx, mentorOf(c4), c4.ID, "個體戶按季度申報，月銷售額 10 萬以下可免增值稅。", accounts.Meta{})
	a.Mentors.MarkAnswered(ctx, mentorOf(c4), c4.ID, accounts.Meta{})
	return nil
}
