package demo

import (
	"context"
	"fmt"
	"time"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/hotline"
	"onestop/services/onestop"
	"onestop/services/people"
	"onestop/services/policy"
)

// ventureDemo is one venture under stability follow-up (創業穩定性回訪): who
// runs it, how long ago it was registered, and how each check-in that has
// come due was answered, one letter per check-in (6, 12, 24, 36 months):
//
//	S  staff recorded it operating (verified)
//	s  the person said it was operating (self-reported)
//	v  the person said so and staff verified it later
//	o  the person reported a head-count far above the last: it waits for staff
//	X  staff recorded it closed
//	x  the person said it closed
//	-  not answered yet: it waits in the stability queue
//
// heads are the people employed at each answered check-in.
type ventureDemo struct {
	name           string
	months, days   int // registered this long before today
	district, ind  string
	form           string
	groups         []string
	answers        string
	heads          []int
	requestType    string // a service request made after signing up, handled in time ("" none)
	lateOrPending  bool   // the request was handled late (or, for the newest, is still open)
	employeesToday int
}

// demoVentures are registered over the three years a venture is followed:
// the oldest on the first day the follow-up takes on (followFloor), so the
// dashboard's stability at three years has a cohort; some closed along the
// way, some answer themselves, one self-report waits for staff and a few
// check-ins are due. Their names use none of the surnames or given names
// the mentors and callers are made of.
var demoVentures = []ventureDemo{
	{"蔡文傑", 36, 0, "dongcheng", "information_service", "company", []string{"college_graduate"}, "SSSS", []int{3, 5, 8, 11}, "plan_design", false, 11},
	{"曾雅婷", 36, 0, "xicheng", "community_service", "individual", []string{"registered_unemployed"}, "ssss", []int{2, 3, 3, 4}, "", false, 4},
	{"蕭玉梅", 34, 3, "nancheng", "trade_promotion", "individual", []string{"returning_migrant_worker"}, "SSS", []int{2, 4, 6}, "", false, 6},
	{"潘俊宏", 31, 10, "hightech", "technology", "company", []string{"college_graduate", "returned_overseas_student"}, "SSs", []int{4, 7, 12}, "", false, 12},
	{"蔣志豪", 27, 12, "econdev", "labour_intensive", "company", []string{"retired_soldier"}, "sSv", []int{8, 12, 18}, "", false, 18},
	{"杜曉雯", 25, 8, "lingang", "trade_promotion", "individual", []string{"college_graduate"}, "SSx", []int{2, 2, 0}, "", false, 0},
	{"葉振興", 24, 9, "beishan", "agri_processing", "company", []string{"land_expropriated_farmer"}, "SS-", []int{5, 7}, "", false, 7},
	{"蘇慧敏", 20, 2, "xicheng", "community_service", "individual", []string{"registered_unemployed"}, "SX", []int{2, 0}, "", false, 0},
	{"任嘉偉", 16, 10, "beicheng", "resource_recycling", "company", []string{"retired_soldier"}, "X", []int{0}, "", false, 0},
	{"沈詩涵", 16, 1, "lingang", "community_service", "individual", []string{"college_graduate"}, "Ss", []int{2, 3}, "", false, 3},
	{"姚明輝", 15, 3, "dongcheng", "agri_processing", "company", []string{"land_expropriated_farmer"}, "SX", []int{4, 0}, "", false, 0},
	{"盧彩霞", 14, 7, "beishan", "agri_processing", "individual", []string{"land_expropriated_farmer"}, "SX", []int{2, 0}, "", false, 0},
	{"韓立新", 13, 18, "econdev", "labour_intensive", "company", []string{"registered_unemployed"}, "So", []int{8, 45}, "", false, 45},
	{"馮曉燕", 13, 10, "xicheng", "trade_promotion", "individual", []string{"returning_migrant_worker"}, "SS", []int{2, 3}, "", false, 3},
	{"田永福", 10, 12, "beicheng", "construction_labour", "company", []string{"returning_migrant_worker"}, "X", []int{0}, "", false, 0},
	{"董佳穎", 9, 3, "lingang", "trade_promotion", "individual", []string{"college_graduate"}, "s", []int{1}, "opening_guidance", false, 1},
	{"宋承恩", 8, 15, "dongcheng", "technology", "company", []string{"returned_overseas_student"}, "S", []int{4}, "plan_design", true, 4},
	{"唐欣妤", 7, 20, "xicheng", "community_service", "individual", []string{"registered_unemployed"}, "X", []int{0}, "", false, 0},
	{"許家銘", 6, 12, "econdev", "resource_recycling", "company", []string{"retired_soldier"}, "-", nil, "financing", false, 2},
	{"梁美華", 4, 0, "beishan", "agri_processing", "individual", []string{"land_expropriated_farmer"}, "", nil, "", false, 1},
	{"方淑貞", 1, 10, "dongcheng", "trade_promotion", "individual", []string{"registered_unemployed"}, "", nil, "financing", true, 1},
}

// ventureLogin is the i-th venture owner's login.
func ventureLogin(i int) string { return fmt.Sprintf("venture%02d@demo.onestop.cn", i+1) }

// ventureOwner is the login of the venture owner of that name.
func ventureOwner(name string) string {
	for i, d := range demoVentures {
		if d.name == name {
			return ventureLogin(i)
		}
	}
	panic("demo: no venture owner " + name)
}

// ventures lays down the demo's ventures: each owner signs up the week the
// business is registered, and each check-in is answered around its day as
// the plan says, on a clock that walks through those three years.
func (a *areas) ventures(ctx context.Context) error {
	if _, err := a.store.KeyOwner(ctx, "email:"+ventureLogin(0)); err == nil {
		return nil // laid down before
	}
	staff, err := a.principal(ctx, "email:hotline@demo.onestop.cn")
	if err != nil {
		return err
	}
	real := a.clock.Now()
	today := core.DateOf(real)
	var at time.Time
	past := func() time.Time { return at }
	acc, ppl, h, svc := a.Accounts.WithClock(past), a.People.WithClock(past), a.Hotline.WithClock(past), a.Onestop.WithClock(past)
	m := accounts.Meta{IP: "127.0.0.1"}
	admin := accounts.Principal{Role: accounts.Admin, Name: "demo"}
	for i, d := range demoVentures {
		reg := today.AddMonths(-d.months).AddDays(-d.days)
		at = earlier(dayAt(reg.AddDays(5), 9+i%8), real)
		u, err := acc.Create(ctx, admin, accounts.NewAccount{Email: ventureLogin(i), Password: Password, Name: d.name, Role: accounts.Entrepreneur}, m)
		if err != nil {
			return fmt.Errorf("demo venture owner: %w", err)
		}
		me := accounts.Principal{ID: u.ID, Role: u.Role, Name: u.Name}
		in := people.Input{RealName: d.name, District: d.district, ConsentVersion: people.NoticeVersion, Needs: []string{people.Needs[i%len(people.Needs)]},
			Facts: policy.Facts{TargetGroups: d.groups, Employed: yes(), Venture: &policy.Venture{Stage: "operating", Form: d.form, Industry: d.ind,
				FirstRegistered: &reg, Employees: count(max(d.employeesToday, 1))}}}
		if _, err := ppl.Save(ctx, me, in, "demo", m); err != nil {
			return fmt.Errorf("demo venture %s: %w", d.name, err)
		}
		if d.requestType != "" {
			at = earlier(at.Add(48*time.Hour), real)
			if err := a.ventureRequest(ctx, svc, staff, me, d, i, real, func(t time.Time) { at = t }); err != nil {
				return err
			}
		}
		// A venture first followed across midnight of the load may have
		// slipped past the follow-up window: it is simply not followed.
		if _, err := a.Hotline.Venture(ctx, staff, me.ID); core.IsCode(err, core.NotFound) {
			continue
		}
		if err := a.answerCheckins(ctx, h, staff, me, d, i, reg, real, func(t time.Time) { at = t }); err != nil {
			return fmt.Errorf("demo venture %s: %w", d.name, err)
		}
	}
	return nil
}

// answerCheckins answers a venture's check-ins as its plan says, each
// around its day: staff on the day or within a week and a half after, the
// person up to four days before (a check-in opens a month ahead); none
// after today.
func (a *areas) answerCheckins(ctx context.Context, h *hotline.Service, staff, me accounts.Principal, d ventureDemo, i int, reg core.Date, now time.Time, setAt func(time.Time)) error {
	today, m := core.DateOf(now), accounts.Meta{IP: "127.0.0.1"}
	for k, letter := range d.answers {
		if letter == '-' {
			return nil // due, and waiting for an answer
		}
		month := hotline.StabilityMonths[k]
		check := hotline.StabilityCheck{DueOn: reg.AddMonths(month)}
		who, on := staff, check.DueOn.AddDays((i*3+k*5)%9)
		if letter == 's' || letter == 'v' || letter == 'o' || letter == 'x' {
			who, on = me, check.DueOn.AddDays(-((i + k) % 5))
		}
		if on.After(today) {
			on = today
		}
		if on.Before(check.OpensOn()) {
			return fmt.Errorf("check-in at %d months (due %s) planned before it opens", month, check.DueOn)
		}
		setAt(earlier(dayAt(on, 10+i%6), now))
		operating := letter != 'X' && letter != 'x'
		ans := hotline.StabilityAnswer{Month: month, On: on, Operating: &operating, Employees: d.heads[k]}
		if _, err := h.RecordStability(ctx, who, me.ID, ans, m); err != nil {
			return fmt.Errorf("check-in at %d months: %w", month, err)
		}
		if letter == 'v' {
			// Staff called to check it a few days later.
			setAt(earlier(dayAt(on.AddDays(3), 15), now))
			if _, err := h.ReviewStability(ctx, staff, me.ID, hotline.StabilityReview{Month: month, Decision: "verify"}, m); err != nil {
				return fmt.Errorf("verify the check-in at %d months: %w", month, err)
			}
		}
		if !operating {
			return nil // closed: the follow-up ends, and a case opens
		}
	}
	return nil
}

// ventureRequest makes the owner's service request two days after they
// signed up, and has staff handle it: within its time limit, or, when
// lateOrPending, past it — except the newest venture's, which waits past
// its limit still open.
func (a *areas) ventureRequest(ctx context.Context, svc *onestop.Service, staff, me accounts.Principal, d ventureDemo, i int, now time.Time, setAt func(time.Time)) error {
	m := accounts.Meta{IP: "127.0.0.1"}
	details := map[string]string{
		"project_development": "想把社區服務做成連鎖，請幫忙評估項目。", "plan_design": "需要一份給銀行看的經營計劃書。",
		"risk_assessment": "擴大生產前想評估市場和資金風險。", "opening_guidance": "剛領了營業執照，想知道稅務登記和社保怎麼辦。",
		"financing": "想申請創業擔保貸款，擴充設備。", "follow_up": "經營遇到困難，希望有人上門了解情況。",
	}
	r, err := svc.Create(ctx, me, onestop.NewRequest{Type: d.requestType, Details: details[d.requestType]}, m)
	if err != nil {
		return fmt.Errorf("demo request: %w", err)
	}
	if d.lateOrPending && i == len(demoVentures)-1 {
		return nil // still open past its limit: the overdue queue's
	}
	done := r.DueAt.Add(-20 * time.Hour)
	if d.lateOrPending {
		done = r.DueAt.Add(52 * time.Hour)
	}
	steps := []struct {
		action string
		at     time.Time
		note   string
	}{
		{"assign", r.CreatedAt.Add(2 * time.Hour), ""},
		{"start", r.CreatedAt.Add(3 * time.Hour), ""},
		{"complete", done, "已電話聯繫並約談，提供了書面指引。"},
	}
	for _, st := range steps {
		setAt(earlier(st.at, now))
		if _, err := svc.Act(ctx, staff, r.ID, st.action, st.note, &staff, m); err != nil {
			return fmt.Errorf("demo request %s: %w", st.action, err)
		}
	}
	return nil
}

// dayAt is hour o'clock (China time) of a day.
func dayAt(d core.Date, hour int) time.Time {
	t, _ := time.ParseInLocation(time.DateOnly, d.String(), core.CST)
	return t.Add(time.Duration(hour) * time.Hour)
}
