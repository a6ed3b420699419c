// Package demo lays down the demo world and the seed-load data through the
// services of one bureau, as people would through the portal: accounts,
// profiles, projects, bases, mentors, a year of the hotline, three years of
// ventures and their check-ins, training, loans, organisations and the
// applications for supports, so the search indexes and figures follow.
// Running it again adds nothing.
package demo

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/bureau"
	"onestop/services/core"
	"onestop/services/onestop"
	"onestop/services/people"
	"onestop/services/policy"
	"onestop/services/store"
)

// Password is shared by every demo account; the demo is for a first look
// on a laptop, and Load prints it.
const Password = "Demo-2026-onestop"

// Accounts are the demo's sign-ins, one or more per role.
var Accounts = []accounts.NewAccount{
	{Email: "admin@demo.onestop.cn", Name: "陳局長", Role: accounts.Admin},
	{Email: "hotline@demo.onestop.cn", Name: "林坐席", Role: accounts.Hotline},
	{Email: "officer@demo.onestop.cn", Name: "吳經辦", Role: accounts.CaseOfficer},
	{Email: "mentor@demo.onestop.cn", Name: "張導師", Role: accounts.Mentor},
	{Email: "mentor2@demo.onestop.cn", Name: "黃教授", Role: accounts.Mentor},
	{Email: "base@demo.onestop.cn", Name: "周主任", Role: accounts.IncubatorManager},
	{Email: "school@demo.onestop.cn", Name: "東城職業培訓學校", Role: accounts.Provider},
	{Email: "academy@demo.onestop.cn", Name: "北山創業學院", Role: accounts.Provider},
	{Email: "bank@demo.onestop.cn", Name: "城商行信貸部 何經理", Role: accounts.BankOfficer},
	{Email: "hr@demo.onestop.cn", Name: "鄭人事", Role: accounts.Organisation},
	{Email: "hr2@demo.onestop.cn", Name: "吳專員", Role: accounts.Organisation},
	{Email: "agency@demo.onestop.cn", Name: "馮經理", Role: accounts.Organisation},
	{Email: "coop@demo.onestop.cn", Name: "何大山", Role: accounts.Organisation},
	{Email: "wang@demo.onestop.cn", Name: "王小明", Role: accounts.Entrepreneur},
	{Phone: "13800138001", Name: "李秀英", Role: accounts.Entrepreneur},
	{Phone: "13800138002", Name: "劉建國", Role: accounts.Entrepreneur},
	{Email: "zhao@demo.onestop.cn", Name: "趙麗華", Role: accounts.Entrepreneur},
	{Email: "sun@demo.onestop.cn", Name: "孫志強", Role: accounts.Entrepreneur},
	{Email: "zhou@demo.onestop.cn", Name: "周家豪", Role: accounts.Entrepreneur},
}

// Loader lays the demo down through one bureau's services.
type Loader struct {
	a areas
}

// Deps wires a loader.
type Deps struct {
	Bureau *bureau.Bureau
	Clock  core.Clock
	// Label reads a catalog key in Traditional Chinese (district.dongcheng
	// → 東城區): the demo names its bases and writes its mentors' profiles
	// with the labels the portal shows.
	Label func(key string) string
}

// New returns a loader.
func New(d Deps) (*Loader, error) {
	if err := core.CheckDeps("demo", d); err != nil {
		return nil, err
	}
	return &Loader{a: areas{Bureau: d.Bureau, store: d.Bureau.Store(), engine: d.Bureau.Engine(), clock: d.Clock, label: d.Label}}, nil
}

// areas are the services the demo writes through, and what it reads
// directly: login keys in the store, whether the hotline's index holds
// calls already.
type areas struct {
	*bureau.Bureau
	store  *store.Store
	engine search.Engine
	clock  core.Clock
	label  func(key string) string
}

// Load creates the demo accounts that do not exist yet, then each area's
// records, and prints how to sign in. Errors wrap the service's own
// (*core.Error) for the caller to put in words.
func (l *Loader) Load(ctx context.Context, w io.Writer) error {
	a := &l.a
	admin := accounts.Principal{Role: accounts.Admin, Name: "demo"}
	created := 0
	// The bureau's people and the first entrepreneurs signed up when the
	// portal opened, fifteen months ago: before the year of the hotline's
	// records that name them.
	opened := a.clock.Now().AddDate(0, -15, 0)
	acc := a.Accounts.WithClock(func() time.Time { return opened })
	for _, in := range Accounts {
		in.Password = Password
		_, err := acc.Create(ctx, admin, in, accounts.Meta{IP: "127.0.0.1"})
		if core.IsCode(err, core.Conflict) {
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", in.Name, err)
		}
		created++
	}
	// Each area says when it starts: the hotline's year of records takes
	// half a minute on the embedded engines.
	for _, part := range []struct {
		name string
		load func(context.Context) error
	}{{"facts the bureau defined", func(ctx context.Context) error { return a.definedFacts(ctx, admin) }}, {"profiles", a.profiles}, {"projects", a.projects}, {"incubation bases", a.bases},
		{"mentors and consultations", a.mentors}, {"hotline calls, complaints and cases", a.hotline},
		{"ventures and their stability check-ins", a.ventures}, {"training courses and claims", a.training}, {"guaranteed loans", a.loans},
		{"organisations (employers, labour agencies, farmer-founded entities)", a.orgs},
		{"applications for supports (certificates, registrations, reward claims) and automatic grants", a.grants}} {
		fmt.Fprintf(w, "demo: %s…\n", part.name)
		if err := part.load(ctx); err != nil {
			return err
		}
	}
	// The figures count the records a moment after their writes: the demo
	// is loaded once they have.
	if err := a.Outbox.Settle(ctx); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nDemo data: %d accounts created. Sign in with any of these, password %s:\n", created, Password)
	for _, in := range Accounts {
		fmt.Fprintf(w, "  %-26s %-18s %s\n", Login(in), in.Role, in.Name)
	}
	fmt.Fprintln(w)
	return nil
}

// Login is what an account signs in with: its e-mail, else its phone.
func Login(in accounts.NewAccount) string {
	if in.Email != "" {
		return in.Email
	}
	return in.Phone
}

// WithCheckDigit completes 17 digits into a valid ID number (GB 11643).
func WithCheckDigit(d17 string) string {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(d17[i]-'0') * w
	}
	return d17 + string("10X98765432"[sum%11])
}

// DemoRoster is the roster the demo's land-expropriated farmers are on,
// as a roster import would find them.
const DemoRoster = "北山鎮被徵地農民花名冊（示範）"

// casework lays down what the bureau established about a demo person: the
// farmers found on the roster; 劉建國's farmland per head checked by the
// case officer on the land bureau's certificate; a course recommended to
// 李秀英, which she took up. 李秀英's farmland stays her own word, so the
// demo shows a support "eligible once checked".
func (a *areas) casework(ctx context.Context, login string, p *people.Profile) error {
	m := accounts.Meta{IP: "127.0.0.1"}
	if p.Facts.HasGroup("land_expropriated_farmer") {
		if _, err := a.People.FromRoster(ctx, p.ID, people.RosterEntry{Roster: DemoRoster, Fact: "on_farmer_roster", Value: "true"}); err != nil {
			return err
		}
	}
	var err error
	switch login {
	case "13800138002":
		var officer accounts.Principal
		if officer, err = a.principal(ctx, "email:officer@demo.onestop.cn"); err == nil {
			_, err = a.People.Verify(ctx, officer, p.ID, people.VerifyInput{Fact: "farmland_per_capita_mu", Value: "0.08",
				Note: "已核對國土局征地後人均耕地清單（北山鎮第 3 頁）"}, m)
		}
	case "13800138001":
		var officer accounts.Principal
		if officer, err = a.principal(ctx, "email:officer@demo.onestop.cn"); err == nil {
			_, err = a.People.Recommend(ctx, officer, p.ID, people.RecommendationInput{Kind: "training", What: "中式面點師職業技能培訓",
				On: core.DateOf(a.clock.Now()).AddDays(-3), Answer: "accepted", Note: "願意參加，時間在週末"}, m)
		}
	}
	return err
}

func yes() *bool               { t := true; return &t }
func no() *bool                { f := false; return &f }
func count(n int) *int         { return &n }
func years(y float64) *float64 { return &y }
func day(s string) *core.Date {
	d, _ := core.ParseDate(s)
	return &d
}

// profiles gives the demo entrepreneurs realistic situations — a
// graduate, a land-expropriated farmer with a micro-profit project, a
// returning migrant worker, a farmers' firm — and a few service requests,
// so the first look shows supports with reasons and a staff queue.
// definedFacts are facts the bureau added as data, beside the built-in
// ones: a returning worker's household registration, which the person
// declares, and the poverty-relief card, which only a case officer checks.
// No policy reads them yet; an administrator's new rule may.
func (a *areas) definedFacts(ctx context.Context, admin accounts.Principal) error {
	for _, d := range []*policy.DefinedFact{
		{Name: "rural_hukou", Kind: policy.KindBool, SetBy: policy.SetByPerson,
			Label: policy.Text{"zh-Hant": "農村戶籍", "zh-Hans": "农村户籍", "en": "Rural household registration"}},
		{Name: "poverty_relief_card", Kind: policy.KindBool, SetBy: policy.SetByCheck,
			Label: policy.Text{"zh-Hant": "持有脫貧戶證明", "zh-Hans": "持有脱贫户证明", "en": "Holds a poverty-relief household card"}},
	} {
		if err := a.Policies.SaveFact(ctx, admin, d, accounts.Meta{IP: "127.0.0.1"}); err != nil && !core.IsCode(err, core.Conflict) {
			return fmt.Errorf("fact %s: %w", d.Name, err)
		}
	}
	return nil
}

func (a *areas) profiles(ctx context.Context) error {
	type demo struct {
		login   string
		in      people.Input
		request *onestop.NewRequest
	}
	// Registration dates as an age: a fixed date would pass the three years
	// a venture's check-ins are followed (hotline.followFloor), and the
	// demo would lose its ventures.
	monthsAgo := func(n int) *core.Date { d := core.DateOf(a.clock.Now()).AddMonths(-n); return &d }
	demos := []demo{
		{"wang@demo.onestop.cn", people.Input{RealName: "王小明", IDNumber: WithCheckDigit("44030119990315003"), Phone: "13700137001", District: "dongcheng", Education: "bachelor",
			Skills: []string{"網店運營", "攝影"}, Needs: []string{"training", "premises"}, Facts: policy.Facts{
				TargetGroups: []string{"college_graduate"}, GraduationDate: day("2025-06-30"), WantsTraining: yes(), Employed: no(),
				Venture: &policy.Venture{Stage: "preparing", Form: "individual", Industry: "information_service"}}},
			&onestop.NewRequest{Type: "plan_design", Details: "想開一家做農產品直播帶貨的網店，需要幫忙寫創業計劃書。"}},
		{"13800138001", people.Input{RealName: "李秀英", IDNumber: WithCheckDigit("44030519860721002"), Phone: "13800138001", District: "beishan", Education: "junior_secondary",
			Needs: []string{"financing"}, Facts: policy.Facts{
				TargetGroups: []string{"land_expropriated_farmer"}, FarmlandPerCapitaMu: years(0.05), Employed: no(), HasSkillCertificate: no(), TrainingRefusals: count(0), WantsTraining: yes(),
				Venture: &policy.Venture{Stage: "preparing", Form: "individual", Industry: "agri_processing", MicroProfit: yes(), OwnFundsSufficient: no()}}},
			&onestop.NewRequest{Type: "financing", Details: "做豆腐坊，自有資金 8000 元，還差約 2 萬元購買設備。"}},
		{"13800138002", people.Input{RealName: "劉建國", IDNumber: WithCheckDigit("44030419780102001"), Phone: "13800138002", District: "beishan", Education: "senior_secondary",
			Facts: policy.Facts{TargetGroups: []string{"land_expropriated_farmer"}, FarmlandPerCapitaMu: years(0.08), Employed: yes(),
				Venture: &policy.Venture{Stage: "operating", Form: "company", Industry: "agri_processing", FirstRegistered: monthsAgo(32),
					Employees: count(16), LandFarmerEmployees: count(12), LandFarmerContractYears: years(3), LandFarmerEmployedYears: years(3)}}},
			&onestop.NewRequest{Type: "follow_up", Details: "合作社擴大生產，想了解吸納被征地農民就業的獎勵怎麼申請。"}},
		{"zhao@demo.onestop.cn", people.Input{RealName: "趙麗華", IDNumber: WithCheckDigit("44030619920910004"), Phone: "13700137004", District: "hightech", Education: "college",
			Facts: policy.Facts{TargetGroups: []string{"returning_migrant_worker", "registered_unemployed"}, WantsTraining: yes(), Employed: no(),
				Extra:   policy.Extra{"rural_hukou": "true"},
				Venture: &policy.Venture{Stage: "idea", Form: "individual", Industry: "community_service"}}},
			&onestop.NewRequest{Type: "opening_guidance", Details: "打算在社區開家政服務店，不清楚要辦哪些證照。"}},
		{"sun@demo.onestop.cn", people.Input{RealName: "孫志強", IDNumber: WithCheckDigit("44030719880505005"), Phone: "13700137005", District: "econdev", Education: "vocational",
			Facts: policy.Facts{TargetGroups: []string{"retired_soldier", "unemployment_insurance_recipient"}, WantsTraining: yes(),
				Venture: &policy.Venture{Stage: "operating", Form: "company", Industry: "labour_intensive", FirstRegistered: monthsAgo(14), Employees: count(23)}}}, nil},
		// He gave the mobile number of 王小明, who holds it: the save went
		// through as any would, and the number waits in the staff's number
		// disputes (people/disputes.go).
		{"zhou@demo.onestop.cn", people.Input{RealName: "周家豪", Phone: "13700137001", District: "xicheng", Education: "senior_secondary",
			Facts: policy.Facts{Venture: &policy.Venture{Stage: "idea", Form: "individual", Industry: "community_service"}}}, nil},
	}
	for _, d := range demos {
		key := "email:" + d.login
		if !strings.Contains(d.login, "@") {
			key = "phone:" + a.Accounts.PhoneKey(d.login)
		}
		id, err := a.store.KeyOwner(ctx, key)
		if err != nil {
			return err
		}
		u, err := a.Accounts.Get(ctx, id)
		if err != nil {
			return err
		}
		me := accounts.Principal{ID: u.ID, Role: u.Role, Name: u.Name}
		if p, err := a.People.Get(ctx, me, me.ID); err == nil && p.RealName != "" {
			continue // already seeded
		}
		d.in.ConsentVersion = people.NoticeVersion
		p, err := a.People.Save(ctx, me, d.in, "demo", accounts.Meta{IP: "127.0.0.1"})
		if err != nil {
			return fmt.Errorf("%s: %w", d.in.RealName, err)
		}
		if err := a.casework(ctx, d.login, p); err != nil {
			return fmt.Errorf("%s: %w", d.in.RealName, err)
		}
		// Each looked at their supports once, as they would on signing up.
		today := core.DateOf(a.clock.Now())
		if rs, err := a.Policies.Check(ctx, &p.Facts, today); err == nil {
			a.Policies.Logged(ctx, p.ID, p.District, &p.Facts, today, rs)
		}
		if d.request != nil {
			if _, err := a.Onestop.Create(ctx, me, *d.request, accounts.Meta{IP: "127.0.0.1"}); err != nil {
				return err
			}
		}
	}
	return nil
}
