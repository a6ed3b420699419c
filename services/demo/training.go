package demo

import (
	"context"
	"fmt"
	"time"

	"onestop/services/accounts"
	"onestop/services/hotline"
	"onestop/services/training"
)

// training lists two providers and lays down courses in every state:
// two finished last season (attendance recorded, certificates awarded, one
// claim paid, one waiting for review), one running, three open for
// enrolment.
func (a *areas) training(ctx context.Context) error {
	if provs, err := a.Training.Providers(ctx); err != nil || len(provs) > 0 {
		return err
	}
	admin, err := a.principal(ctx, "email:admin@demo.onestop.cn")
	if err != nil {
		return err
	}
	var provs []accounts.Principal
	for _, login := range []string{"email:school@demo.onestop.cn", "email:academy@demo.onestop.cn"} {
		p, err := a.principal(ctx, login)
		if err != nil {
			return err
		}
		if _, err := a.Training.SetListed(ctx, admin, p.ID, true, accounts.Meta{}); err != nil {
			return err
		}
		provs = append(provs, p)
	}
	var learners []accounts.Principal
	for _, login := range []string{"email:wang@demo.onestop.cn", "phone:" + a.Accounts.PhoneKey("13800138001"), "phone:" + a.Accounts.PhoneKey("13800138002"),
		"email:zhao@demo.onestop.cn", "email:sun@demo.onestop.cn", "email:" + ventureOwner("許家銘"), "email:" + ventureOwner("梁美華")} {
		p, err := a.principal(ctx, login)
		if err != nil {
			return err
		}
		learners = append(learners, p)
	}
	real := a.clock.Now()
	var at time.Time
	t := a.Training.WithClock(func() time.Time { return at })
	m := accounts.Meta{IP: "127.0.0.1"}
	type plan struct {
		provider        int
		title, kind     string
		subsidy         int64
		skill           bool
		daysAgo         int // start relative to now (negative: in the future)
		finish, claim   bool
		pay             bool
		enrol, attendOf []int
	}
	plans := []plan{
		{0, "SYB 創辦你的企業（第 12 期）", "planning", 1200, false, 60, true, true, true, []int{0, 3, 4, 5, 6}, []int{0, 3, 4, 5, 6}},
		{1, "被征地農民烹飪技能培訓", "skills", 1500, true, 45, true, true, false, []int{1, 2}, []int{1}},
		// Running: its last session is tomorrow, whatever the hour of the load.
		{0, "網店運營實務", "management", 600, false, 2, false, false, false, []int{0, 4}, []int{0, 4}},
		{0, "創業意識培訓（GYB）", "awareness", 400, false, -7, false, false, false, []int{3}, nil},
		{1, "SYB 創辦你的企業（第 13 期）", "planning", 1200, false, -14, false, false, false, nil, nil},
		{1, "小微企業財稅管理", "management", 500, false, -21, false, false, false, nil, nil},
	}
	for _, p := range plans {
		start := real.AddDate(0, 0, -p.daysAgo).Truncate(24 * time.Hour).Add(time.Hour) // 09:00 in China
		// Listed three weeks ahead; a course further off was listed today.
		at = earlier(start.Add(-20*24*time.Hour), real.Add(-time.Hour))
		in := training.NewCourse{Title: p.title, Kind: p.kind, Place: "東城區就業服務中心三樓", District: "dongcheng", Seats: 30, SubsidyYuan: p.subsidy, FeeYuan: p.subsidy,
			SkillCert: p.skill, Description: "實名參訓，按出勤結業。"}
		if p.skill {
			in.Certificate = "中式烹調師（五級）"
		}
		for i := range 4 {
			in.Sessions = append(in.Sessions, training.Session{StartsAt: start.AddDate(0, 0, i), Hours: 3})
		}
		c, err := t.CreateCourse(ctx, provs[p.provider], in, m)
		if err != nil {
			return fmt.Errorf("demo course: %w", err)
		}
		for _, i := range p.enrol {
			if _, err := t.Enrol(ctx, learners[i], c.ID, "", m); err != nil {
				return fmt.Errorf("demo enrol: %w", err)
			}
		}
		for day, s := range c.Sessions {
			// Attendance is taken after a session, so only of those over.
			if at = s.StartsAt.Add(4 * time.Hour); at.After(real) {
				break
			}
			var present []string
			for k, i := range p.attendOf {
				if day < 3 || k == 0 || !p.skill {
					present = append(present, learners[i].ID)
				}
			}
			if err := t.RecordAttendance(ctx, provs[p.provider], c.ID, s.ID, present, m); err != nil {
				return fmt.Errorf("demo attendance: %w", err)
			}
		}
		if !p.finish {
			continue
		}
		at = c.Sessions[len(c.Sessions)-1].StartsAt.Add(6 * time.Hour)
		if _, err := t.Complete(ctx, provs[p.provider], c.ID, m); err != nil {
			return fmt.Errorf("demo complete: %w", err)
		}
		if !p.claim {
			continue
		}
		at = at.Add(48 * time.Hour)
		cl, err := t.CreateClaim(ctx, provs[p.provider], c.ID, m)
		if err != nil {
			return fmt.Errorf("demo claim: %w", err)
		}
		if p.pay {
			for _, step := range []string{"approve", "pay"} {
				at = at.Add(72 * time.Hour)
				if _, err := t.ReviewClaim(ctx, admin, cl.ID, step, "", m); err != nil {
					return err
				}
			}
		}
	}
	// Complaints about the academy, whose cooking course had one in two
	// pass: the bureau's list shows both against it.
	h := a.Hotline.WithClock(func() time.Time { return at })
	for i, subject := range []string{"上課時間一再更改", "實操課材料不足", "承諾的證書遲遲未發"} {
		at = real.AddDate(0, 0, -20+5*i)
		in := hotline.NewComplaint{Kind: "service", Subject: subject, Against: "provider", AgainstID: provs[1].ID, Details: "學員反映：" + subject + "。"}
		if _, err := h.FileComplaint(ctx, learners[1+i%2], in, m); err != nil {
			return fmt.Errorf("demo provider complaint: %w", err)
		}
	}
	return nil
}
