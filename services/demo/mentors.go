package demo

import (
	"context"
	"fmt"
	"time"

	"onestop/services/accounts"
	"onestop/services/mentors"
)

var demoSurnames = []string{"王", "李", "張", "劉", "陳", "楊", "黃", "趙", "吳", "周", "徐", "孫", "馬", "朱", "胡"}
var demoGiven = []string{"建華", "秀蘭", "志強", "麗娟", "國慶", "海燕", "文博", "靜怡"}

// mentorGiven are the mentors' given names: none of the callers' (demoGiven)
// nor of a demo account's, so no mentor shares a name with anyone else of
// the demo.
var mentorGiven = []string{"振華", "慧君", "永康", "淑芬", "承志", "佩玲", "冠廷", "雅文"}

// demoName is the i-th of len(surnames)×len(given) distinct names: the
// given name moves on by one with each round of the surnames, so none of
// the first len(surnames)×len(given) repeats.
func demoName(surnames, given []string, i int) string {
	n := len(surnames)
	return surnames[i%n] + given[(i/n+i%n)%len(given)]
}

// mentorTitles are positions and organisations by mentor type, what the
// directory shows beside a name.
var mentorTitles = map[string][]string{
	"entrepreneur": {"北山食品有限公司董事長", "東城物流集團總經理", "高新區軟件企業協會會長", "臨港外貿有限公司創辦人",
		"經開區服裝製造廠廠長", "西城建築工程公司總經理", "南城連鎖超市董事長", "北城環保科技公司創辦人"},
	"successful_founder": {"連鎖烘焙店創辦人", "直播電商工作室創辦人", "社區養老服務中心創辦人", "北山縣豆製品合作社理事長",
		"家電維修連鎖店創辦人", "數據標註工作室創辦人", "民宿品牌創辦人", "少兒編程培訓機構創辦人"},
	"expert_scholar": {"城市大學經濟管理學院副教授", "職業技術學院電子商務專業講師", "會計師事務所合夥人", "律師事務所執業律師",
		"城市大學法學院教授", "農業科學院研究員", "稅務師事務所所長", "市場營銷諮詢公司首席顧問"},
	"official": {"人社局就業促進科科長", "市場監管局登記註冊科副科長", "稅務局納稅服務科科員", "北山縣農業農村局農經站站長",
		"人社局創業擔保貸款經辦", "高新區管委會企業服務中心主任", "東城區就業服務中心主任", "財政局社會保障科科長"},
}

// mentorBios end a mentor's introduction, in turn.
var mentorBios = []string{"願意幫助創業者少走彎路。", "每月固定留出時間答覆諮詢。", "樂於分享踩過的坑。", "擅長把政策講清楚、講具體。"}

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
		name := demoName(demoSurnames, mentorGiven, i)
		u, err := a.Accounts.Create(ctx, admin, accounts.NewAccount{Email: fmt.Sprintf("mentor%02d@demo.onestop.cn", i+3), Password: Password, Name: name, Role: accounts.Mentor}, accounts.Meta{})
		if err != nil {
			return fmt.Errorf("demo mentor: %w", err)
		}
		ids = append(ids, accounts.Principal{ID: u.ID, Role: u.Role, Name: u.Name})
	}
	for i, p := range ids {
		typ := mentors.Types[i%len(mentors.Types)]
		titles := mentorTitles[typ]
		title := titles[(i/len(mentors.Types))%len(titles)]
		switch p.Name { // the two demo sign-ins, as their names say
		case "張導師":
			title = "餐飲連鎖企業董事長、創業導師"
		case "黃教授":
			title = "城市大學創業學院客座教授、電商公司創辦人"
		}
		topics := []string{mentors.Topics[i%len(mentors.Topics)], mentors.Topics[(i+3)%len(mentors.Topics)]}
		prof := mentors.Profile{Title: title, Type: typ, Capacity: 2 + i%5, Languages: []string{"zh"}, Topics: topics,
			Industries: []string{demoIndustries()[i%len(demoIndustries())]},
			Bio:        fmt.Sprintf("%s，熟悉%s和%s，%s", title, a.label("topic."+topics[0]), a.label("topic."+topics[1]), mentorBios[i%len(mentorBios)])}
		if i%7 == 3 {
			prof.Languages = append(prof.Languages, "yue")
		}
		if i < 2 {
			prof.Capacity = 4 // the demo sign-ins answer the demo's questions below
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
	// The questions go to the two demo sign-ins (張導師: financing and tax;
	// 黃教授: marketing and technology), so that each has a day's work to
	// show, but one, which the best fitting mentor gets.
	zhang, huang := ids[0].ID, ids[1].ID
	// Each question is asked some days ago and answered hours later, on a
	// clock that walks through those days (never past now).
	real := a.clock.Now()
	var at time.Time
	ms := a.Mentors.WithClock(func() time.Time { return at })
	when := func(daysAgo, hoursLater int) {
		at = earlier(real.AddDate(0, 0, -daysAgo).Add(time.Duration(hoursLater)*time.Hour), real)
	}
	ask := func(who accounts.Principal, mentor, topic, q string) (*mentors.Consultation, error) {
		return ms.Ask(ctx, who, mentors.Question{Topic: topic, Industry: "community_service", Question: q, MentorID: mentor}, accounts.Meta{})
	}
	mentorOf := func(c *mentors.Consultation) accounts.Principal {
		return accounts.Principal{ID: c.MentorID, Role: accounts.Mentor, Name: c.MentorName}
	}
	when(20, 0)
	c1, err := ask(wang, zhang, "financing", "網店需要 5 萬元週轉資金，可以申請哪些貸款？")
	if err != nil {
		return err
	}
	when(20, 3)
	ms.Reply(ctx, mentorOf(c1), c1.ID, "可以先看小額擔保貸款，帶上營業執照和經營流水到人社局窗口。", accounts.Meta{})
	ms.MarkAnswered(ctx, mentorOf(c1), c1.ID, accounts.Meta{})
	when(19, 0)
	ms.Close(ctx, wang, c1.ID, 5, "回答很具體，謝謝！", accounts.Meta{})
	when(9, 0)
	c2, err := ask(wang, huang, "marketing", "直播帶貨怎麼找到第一批客戶？")
	if err != nil {
		return err
	}
	when(9, 6)
	ms.Reply(ctx, mentorOf(c2), c2.ID, "先從熟人社群和本地社區團購做起，積累評價。", accounts.Meta{})
	// The first mentor passes this one on (it is not their field); the next
	// answers it: a consultation re-matched once.
	when(7, 0)
	c3, err := ask(zhao, "", "licensing", "家政服務店要辦哪些證照？")
	if err != nil {
		return err
	}
	if c3.MentorID != "" {
		when(7, 2)
		if c3, err = ms.Decline(ctx, mentorOf(c3), c3.ID, "我主要做融資輔導，證照問題請更熟悉登記的導師解答。", accounts.Meta{}); err != nil {
			return fmt.Errorf("demo decline: %w", err)
		}
		if c3.MentorID != "" {
			when(7, 7)
			ms.Reply(ctx, mentorOf(c3), c3.ID, "家政服務店辦營業執照即可，從業人員需持健康證；可到市場監管局窗口一次辦好。", accounts.Meta{})
			ms.MarkAnswered(ctx, mentorOf(c3), c3.ID, accounts.Meta{})
		}
	}
	when(5, 0)
	c4, err := ask(zhao, zhang, "tax", "個體戶怎麼報稅？")
	if err != nil {
		return err
	}
	when(5, 1)
	ms.Reply(ctx, mentorOf(c4), c4.ID, "個體戶按季度申報，月銷售額 10 萬以下可免增值稅。", accounts.Meta{})
	ms.MarkAnswered(ctx, mentorOf(c4), c4.ID, accounts.Meta{})
	// And one waits for 張導師's answer.
	at = real
	if _, err := ask(zhao, zhang, "financing", "家政服務店想添置兩台清洗設備，約 3 萬元，適合申請創業擔保貸款嗎？"); err != nil {
		return err
	}
	return nil
}
