package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/hotline"
	"onestop/services/mentors"
	"onestop/services/reference"
)

// hotline lays down a year of the hotline: 100 callers,
// 260 calls spread over eight weeks (so the weekly topics show a pattern),
// complaints in every state (some overdue and escalated) and 60 follow-up
// cases opened over the past year, in every state, some due today. It
// runs the service on a clock that walks through the past.
func (a *areas) hotline(ctx context.Context) error {
	if n, err := a.engine.Count(ctx, hotline.CallIndex.Name); err != nil || n > 0 {
		return err
	}
	staff, err := a.principal(ctx, "email:hotline@demo.onestop.cn")
	if err != nil {
		return err
	}
	real := a.clock.Now()
	var at time.Time
	h := a.Hotline.WithClock(func() time.Time { return at })
	m := accounts.Meta{IP: "127.0.0.1"}
	r := rand.New(rand.NewPCG(7, 2026))
	pick := func(list []string) string { return list[r.IntN(len(list))] }

	// Callers; a few have an account.
	var contacts []*hotline.Contact
	at = real.AddDate(0, -14, 0)
	districts := shipped.Codes(reference.District)
	for i := range 100 {
		in := hotline.NewContact{Name: demoName(demoSurnames, demoGiven, i),
			Phone: fmt.Sprintf("1390%07d", 1000+i), District: districts[i%len(districts)]}
		if i%3 == 0 {
			in.IDNumber = WithCheckDigit(fmt.Sprintf("4403%02d19%02d0%d%02d1%02d", 1+i%9, 60+i%40, 1+i%9, 10+i%18, i%100))
		}
		c, err := h.CreateContact(ctx, staff, in, m)
		if err != nil {
			return fmt.Errorf("demo contact: %w", err)
		}
		contacts = append(contacts, c)
	}
	for _, login := range []string{"email:wang@demo.onestop.cn", "phone:" + a.Accounts.PhoneKey("13800138001")} {
		p, err := a.principal(ctx, login)
		if err != nil {
			return err
		}
		c, err := h.ContactForAccount(ctx, staff, p.ID, m)
		if err != nil {
			return err
		}
		contacts = append(contacts, c)
	}

	// Calls over eight weeks; loan questions grow, as after a rule change.
	topics := []string{"loan", "loan", "eligibility", "training", "subsidy", "registration", "tax", "premises", "incubator", "mentoring", "restart", "portal", "other"}
	notes := map[string]string{
		"loan": "詢問創業擔保貸款的額度、期限和貼息比例。", "eligibility": "不確定自己是否屬於可享受扶持的人員。", "training": "想報名創業培訓，問開班時間和補貼。",
		"subsidy": "問一次性創業補貼何時到帳。", "registration": "問個體戶登記需要帶哪些材料。", "tax": "問稅費減免的條件和期限。",
		"premises": "想找便宜的經營場地。", "incubator": "問孵化基地怎樣申請入駐。", "mentoring": "想找懂餐飲的導師聊聊。",
		"restart": "店鋪停業了，想知道還能得到哪些幫助。", "portal": "網站登入不了，忘記密碼。", "other": "一般諮詢。",
	}
	var calls []*hotline.Call
	for i := range 260 {
		week := 7 - i*8/260
		// Each call falls on a working day of its week (China time); the
		// newest week's only so far, so that early on a Monday the weekly
		// topics do not start empty.
		from := weekStart(real).AddDate(0, 0, -7*week)
		span := min(5*24*time.Hour, real.Sub(from))
		at = from.Add(time.Duration(r.Int64N(int64(max(span, time.Minute)))))
		topic := pick(topics)
		if week < 3 && r.IntN(3) == 0 {
			topic = "loan"
		}
		typ := "policy"
		switch topic {
		case "restart":
			typ = "follow_up"
		case "mentoring", "premises":
			typ = "consultation"
		case "portal":
			typ = pick([]string{"other", "complaint"})
		}
		c, err := h.LogCall(ctx, staff, hotline.NewCall{ContactID: contacts[r.IntN(len(contacts))].ID, Type: typ, Topic: topic, Notes: notes[topic],
			Outcome: pick(hotline.CallOutcomes), DurationMinutes: float64(1+r.IntN(15)) + 0.5}, m)
		if err != nil {
			return fmt.Errorf("demo call: %w", err)
		}
		calls = append(calls, c)
	}
	// Staff returned the calls they promised to, on the day: only the
	// callbacks of the last two days are still waiting, as on a real
	// desk the morning after.
	for _, c := range calls {
		if !c.CallbackOpen() || real.Sub(c.CallbackAt) < 48*time.Hour {
			continue
		}
		at = c.CallbackAt.Add(20 * time.Minute)
		if _, err := h.CallbackDone(ctx, staff, c.ID, m); err != nil {
			return fmt.Errorf("demo callback: %w", err)
		}
	}
	// A few calls became consultations and service requests, a quarter of
	// an hour after each was logged (never later than now).
	for i, c := range calls[len(calls)-6:] {
		at = c.CreatedAt.Add(15 * time.Minute)
		if at.After(real) {
			at = real
		}
		to := hotline.Conversion{To: "consultation", Topic: mentors.Topics[i%len(mentors.Topics)]}
		if i%2 == 1 {
			to = hotline.Conversion{To: "service", Type: "financing"}
		}
		if _, err := h.Convert(ctx, staff, c.ID, to, m); err != nil {
			return fmt.Errorf("demo convert: %w", err)
		}
	}

	// Complaints in every state over the six weeks before today (the
	// newest three days old, so its steps — a day apart — are behind us
	// too); the older ones are past their limit.
	subjects := []struct{ kind, against, name, subject string }{
		{"service", "department", "東城區就業服務窗口", "窗口排隊兩小時"},
		{"conduct", "department", "創業補貼審核科", "工作人員態度生硬"},
		{"policy", "department", "創業擔保貸款經辦", "貸款材料被要求重複提交"},
		{"service", "base", "高新區創業孵化基地", "入駐後承諾的工位沒有兌現"},
		{"conduct", "mentor", "張導師", "預約導師三次都沒有回覆"},
		{"privacy", "portal", "", "收到不明推銷電話，懷疑資料外洩"},
		{"other", "portal", "", "手機上表單顯示不全"},
	}
	for i := range 42 {
		s := subjects[i%len(subjects)]
		at = real.AddDate(0, 0, -44+i)
		c, err := h.FileComplaint(ctx, staff, hotline.NewComplaint{ContactID: contacts[(i*11)%len(contacts)].ID, Kind: s.kind, Against: s.against,
			AgainstName: s.name, Subject: s.subject, Details: "來電者反映：" + s.subject + "，希望盡快處理。", Desired: "盡快答覆"}, m)
		if err != nil {
			return fmt.Errorf("demo complaint: %w", err)
		}
		at = at.Add(3 * time.Hour)
		step := func(action, text string) {
			if _, err := h.ActOnComplaint(ctx, staff, c.ID, hotline.ComplaintStep{Action: action, Text: text}, m); err == nil {
				at = at.Add(26 * time.Hour)
			}
		}
		switch i % 6 {
		case 1:
			step("start", "")
		case 2:
			step("start", "")
			step("answer", "已核實並改進，感謝您的反映。")
		case 3:
			step("answer", "已核實並改進，感謝您的反映。")
			step("close", "")
		case 4:
			step("answer", "已說明相關規定。")
			step("reopen", "來電者對答覆不滿意")
		}
	}
	at = real
	if _, err := h.Pass(ctx); err != nil { // escalates the overdue ones
		return err
	}

	// Follow-up cases opened over the past year.
	closed := 0
	situations := []string{"餐飲店因客流不足停業，仍有房租欠款。", "網店資金鏈斷裂，貨品積壓。", "合夥人退出，經營難以為繼。", "家人生病，無力繼續經營。"}
	for i := range 60 {
		at = real.AddDate(0, 0, -360+i*6)
		contact := contacts[(i*7)%len(contacts)]
		c, err := h.OpenCase(ctx, staff, hotline.NewCase{ContactID: contact.ID, Reasons: []string{hotline.FailureReasons[i%len(hotline.FailureReasons)], hotline.FailureReasons[(i+2)%len(hotline.FailureReasons)]},
			DebtsYuan: int64(r.IntN(8)) * 10000, LoanStatus: hotline.LoanStatuses[i%len(hotline.LoanStatuses)], Situation: situations[i%len(situations)],
			Needs: []string{hotline.CaseNeeds[i%len(hotline.CaseNeeds)], hotline.CaseNeeds[(i+3)%len(hotline.CaseNeeds)]}}, m)
		if err != nil {
			return fmt.Errorf("demo case: %w", err)
		}
		// Contacts made as scheduled, as far as the case has come.
		for _, k := range c.Checkins {
			due := k.DueOn.Time().Add(10 * time.Hour)
			if due.After(real) || i%5 == 4 { // every fifth case is behind
				break
			}
			at = due
			if c, err = h.RecordContact(ctx, staff, c.ID, hotline.ContactRecord{CheckinID: k.ID, On: core.DateOf(at), Channel: pick(hotline.Channels), Note: "回訪：情況穩定，正在找新方向。"}, m); err != nil {
				return fmt.Errorf("demo contact: %w", err)
			}
		}
		at = real.Add(-time.Hour)
		if i%4 == 0 {
			if ranked, err := h.MentorSuggestions(ctx, staff, c); err == nil && len(ranked) > 0 && !ranked[0].Score.Excluded {
				_, _ = h.AssignMentor(ctx, staff, c.ID, ranked[0].Mentor.ID, m)
			}
		}
		if i < 30 && i%3 != 2 {
			closed++
			if _, err := h.CloseCase(ctx, staff, c.ID, hotline.Outcomes[closed%len(hotline.Outcomes)], core.DateOf(at), "", m); err != nil {
				return fmt.Errorf("demo close: %w", err)
			}
		}
		if i == 59 {
			// Due today: one contact brought forward.
			if c, err = h.Case(ctx, staff, c.ID); err == nil {
				_, _ = h.Schedule(ctx, staff, c.ID, []core.Date{core.DateOf(real), core.DateOf(real).AddMonths(3)}, m)
			}
		}
	}
	return nil
}

// principal reads a demo account by its login key.
func (a *areas) principal(ctx context.Context, key string) (accounts.Principal, error) {
	id, err := a.store.KeyOwner(ctx, key)
	if err != nil {
		return accounts.Principal{}, err
	}
	u, err := a.Accounts.Get(ctx, id)
	if err != nil {
		return accounts.Principal{}, err
	}
	return accounts.Principal{ID: u.ID, Role: u.Role, Name: u.Name}, nil
}

// weekStart is the Monday 00:00 (China time) of t's ISO week.
func weekStart(t time.Time) time.Time {
	l := t.In(core.CST)
	return time.Date(l.Year(), l.Month(), l.Day()-(int(l.Weekday())+6)%7, 0, 0, 0, 0, core.CST)
}
