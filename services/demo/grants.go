package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/grants"
	"onestop/services/people"
	"onestop/services/pii"
	"onestop/services/policy"
)

// grantLogin is the i-th applicant's login of the demo's applications.
func grantLogin(i int) string { return fmt.Sprintf("grant%02d@demo.onestop.cn", i+1) }

// applicant is a person of the demo who applies for a support (申領): who
// they are, what they apply for and when, the evidence they attach, the
// checked facts the case officer verifies before deciding (roster: found
// on the farmers' roster), and the bureau's step ("" while it waits).
type applicant struct {
	name, district string
	facts          policy.Facts
	policy         string
	daysAgo        int
	docs           []string
	hardship       bool
	roster         bool
	verify         [][2]string // fact, value
	step, note     string
}

// demoApplicants apply for the fee exemption's certificate and the
// farmers' unemployment registration, one of each outcome: granted on
// checked facts (a registration with the hardship card, one without),
// waiting on the bureau (one registration overdue: her farmland is her own
// word until the land bureau's list is checked), sent back, refused with
// the reason. Each signs up a week before applying; none is a demo sign-in
// whose profile the load writes today, so no application predates its
// applicant. Their names are none of the other demo people's.
func demoApplicants(today core.Date) []applicant {
	monthsAgo := func(n int) *core.Date { d := today.AddMonths(-n); return &d }
	grad := monthsAgo(12)
	farmer := func(mu float64) policy.Facts {
		return policy.Facts{TargetGroups: []string{"land_expropriated_farmer"}, FarmlandPerCapitaMu: years(mu), Employed: no()}
	}
	individual := func(stage string, groups ...string) policy.Facts {
		return policy.Facts{TargetGroups: groups, Employed: no(), Venture: &policy.Venture{Stage: stage, Form: "individual", Industry: "community_service"}}
	}
	opened := individual("operating", "registered_unemployed")
	opened.Employed, opened.Venture.FirstRegistered = yes(), monthsAgo(5) // working for herself
	graduate := individual("preparing", "college_graduate")
	graduate.GraduationDate = grad
	const fee, reg = "fee-exemption-3y", "farmer-unemployment-registration"
	both := []string{"id_card", "business_licence"}
	return []applicant{
		{"邱美珍", "xicheng", opened, fee, 60, both, false, false,
			[][2]string{{"target_groups.registered_unemployed", "true"}, {"venture.first_registered", opened.Venture.FirstRegistered.String()}},
			"grant", "已核對失業登記證及營業執照"},
		{"賴志偉", "econdev", individual("preparing", "retired_soldier"), fee, 40, both, false, false,
			[][2]string{{"target_groups.retired_soldier", "true"}}, "grant", "已核對退役證"},
		{"袁志明", "dongcheng", individual("preparing", "disabled"), fee, 1, both, false, false, nil, "", ""},
		{"錢淑芳", "nancheng", individual("idea", "registered_unemployed"), fee, 5, []string{"id_card"}, false, false, nil,
			"return", "尚未辦理營業執照：取得個體工商戶營業執照後，請補交其影本"},
		{"江雅琪", "hightech", graduate, fee, 30, both, false, false, nil,
			"refuse", "畢業證書與學歷查詢記錄不符，無法認定為畢業兩年內的高校畢業生"},
		{"彭秋月", "beishan", farmer(0.03), reg, 45, []string{"id_card"}, true, true,
			[][2]string{{"farmland_per_capita_mu", "0.03"}}, "grant", "家庭人均收入低於當地最低生活保障標準，同時核發再就業優惠證"},
		{"龔德明", "beishan", farmer(0.06), reg, 20, []string{"id_card"}, false, true,
			[][2]string{{"farmland_per_capita_mu", "0.06"}}, "grant", "已核對國土局征地後人均耕地清單"},
		{"鄧桂英", "beishan", farmer(0.04), reg, 12, []string{"id_card"}, false, true, nil, "", ""},
		{"范國強", "beicheng", farmer(0.07), reg, 25, []string{"id_card"}, false, true, nil,
			"refuse", "經社保記錄核查，申請人目前在本地企業參保就業，不符合失業登記條件"},
	}
}

// evidence is a demo file of each kind an application attaches.
var evidence = map[string]string{"id_card": "身分證.pdf", "business_licence": "營業執照.pdf", "labour_contracts": "勞動合同.pdf",
	"social_insurance_record": "社保繳費記錄.pdf"}

func uploads(kinds ...string) []grants.Upload {
	var out []grants.Upload
	for _, k := range kinds {
		out = append(out, grants.Upload{Kind: k, Name: evidence[k], Data: []byte("%PDF-1.4\n% " + evidence[k] + "（示範）\n%%EOF\n")})
	}
	return out
}

// grants lays down the applications: the people's above, the
// organisations' reward claims, and the tax relief granted without
// application to farmers whose facts are checked. They are dated over the
// past months on a clock that walks (the service's WithClock); nothing
// after the load's now.
func (a *areas) grants(ctx context.Context) error {
	if _, err := a.store.KeyOwner(ctx, "email:"+grantLogin(0)); err == nil {
		return nil // laid down before
	}
	officer, err := a.principal(ctx, "email:officer@demo.onestop.cn")
	if err != nil {
		return err
	}
	real := a.clock.Now()
	var at time.Time
	past := func() time.Time { return earlier(at, real) }
	g, acc, ppl := a.Grants.WithClock(past), a.Accounts.WithClock(past), a.People.WithClock(past)
	m := accounts.Meta{IP: "127.0.0.1"}
	admin := accounts.Principal{Role: accounts.Admin, Name: "demo"}
	applicants := demoApplicants(core.DateOf(real))
	for i, d := range applicants {
		applied := real.AddDate(0, 0, -d.daysAgo).Add(-time.Duration(2+i) * time.Hour)
		at = applied.AddDate(0, 0, -7)
		u, err := acc.Create(ctx, admin, accounts.NewAccount{Email: grantLogin(i), Password: Password, Name: d.name, Role: accounts.Entrepreneur}, m)
		if err != nil {
			return fmt.Errorf("demo applicant: %w", err)
		}
		me := accounts.Principal{ID: u.ID, Role: u.Role, Name: u.Name}
		in := people.Input{RealName: d.name, District: d.district, ConsentVersion: people.NoticeVersion, Facts: d.facts}
		if _, err := ppl.Save(ctx, me, in, "demo", m); err != nil {
			return fmt.Errorf("demo applicant %s: %w", d.name, err)
		}
		if d.roster {
			at = applied.AddDate(0, 0, -6)
			if _, err := ppl.FromRoster(ctx, me.ID, people.RosterEntry{Roster: DemoRoster, Fact: "on_farmer_roster", Value: "true"}); err != nil {
				return fmt.Errorf("demo applicant %s: %w", d.name, err)
			}
		}
		at = applied
		app, err := g.Apply(ctx, me, grants.Input{PolicyID: d.policy, Hardship: d.hardship}, uploads(d.docs...), m)
		if err != nil {
			return fmt.Errorf("demo application of %s: %w", d.name, err)
		}
		for j, v := range d.verify {
			at = applied.Add(time.Duration(20+j) * time.Hour)
			if _, err := ppl.Verify(ctx, officer, me.ID, people.VerifyInput{Fact: v[0], Value: v[1], Note: "已核對原件"}, m); err != nil {
				return fmt.Errorf("demo check of %s: %w", d.name, err)
			}
		}
		if d.step != "" {
			at = applied.Add(26 * time.Hour)
			if _, err := g.Act(ctx, officer, app.ID, grants.StepInput{Action: d.step, Note: d.note, Hardship: d.hardship}, m); err != nil {
				return fmt.Errorf("demo %s of %s: %w", d.step, d.name, err)
			}
		}
	}
	if err := a.rewardClaims(ctx, g, officer, real, func(t time.Time) { at = t }); err != nil {
		return err
	}
	return a.autoGrants(ctx, officer, real, len(applicants))
}

// lineFarmer is the i-th land-expropriated farmer the organisations' claims
// list: a name and a valid ID number (region 440305, a birthday per farmer).
func lineFarmer(i int) (string, string) {
	birth := core.NewDate(1968, 3, 1).AddDays(i * 211)
	return demoName(lineSurnames, lineGiven, i), pii.WithCheckDigit(fmt.Sprintf("440305%s%03d", strings.ReplaceAll(birth.String(), "-", ""), 301+i))
}

// The claims' farmers are named apart from every other demo person.
var (
	lineSurnames = []string{"賀", "鄒", "熊", "金", "陸", "郝", "孟", "白", "秦", "尹", "毛", "聶"}
	lineGiven    = []string{"桂蘭", "德華", "玉珍", "明亮", "秀梅", "建軍", "春燕"}
)

// notOnRoster is the farmer the employer's open claim lists whom the
// roster does not have: the bureau sees the line marked.
const notOnRoster = 9

// claim is an organisation's reward claim of the demo.
type claim struct {
	manager, policy string
	daysAgo         int
	farmers         []int
	step, note      string
}

// demoClaims: the verified employer's hiring reward granted, a second
// claim refused, a third waiting (one line on a one-year contract, one not
// on the roster); the farmers' cooperative's reward for twelve farmers on
// three-year contracts granted.
var demoClaims = []claim{
	{"hr@demo.onestop.cn", "farmer-hiring-reward", 75, []int{0, 1, 2, 3}, "grant", "已核對勞動合同及社保繳費記錄"},
	{"hr@demo.onestop.cn", "farmer-hiring-reward", 40, []int{4, 5}, "refuse", "勞動合同所列用人單位與社保繳費單位不一致"},
	{"hr@demo.onestop.cn", "farmer-hiring-reward", 3, []int{6, 7, 8, notOnRoster}, "", ""},
	{"coop@demo.onestop.cn", "farmer-entity-reward", 50, []int{10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21}, "grant", "已核對十二名社員的勞動合同及社保繳費記錄"},
}

// rewardClaims imports the village's roster of the farmers the claims
// list (three months ago), then files and decides the claims.
func (a *areas) rewardClaims(ctx context.Context, g *grants.Service, officer accounts.Principal, real time.Time, setAt func(time.Time)) error {
	today := core.DateOf(real)
	var roster strings.Builder
	for i := range 22 {
		if i == notOnRoster {
			continue
		}
		_, id := lineFarmer(i)
		roster.WriteString(`{"id_number":"` + id + `"}` + "\n")
	}
	if _, err := a.People.WithClock(func() time.Time { return real.AddDate(0, 0, -90) }).ImportRoster(ctx, "farmers", DemoRoster,
		strings.NewReader(roster.String()), "jsonl", nil); err != nil {
		return fmt.Errorf("demo roster: %w", err)
	}
	m := accounts.Meta{IP: "127.0.0.1"}
	for i, c := range demoClaims {
		mgr, err := a.principal(ctx, "email:"+c.manager)
		if err != nil {
			return err
		}
		var lines []grants.LineInput
		for _, f := range c.farmers {
			name, id := lineFarmer(f)
			// Hired three to four years ago on contracts that run on, with
			// social insurance paid; one on a contract of a year only.
			l := grants.LineInput{Name: name, IDNumber: id, ContractStart: today.AddYears(-4).AddMonths(f % 10), ContractYears: 5, SocialInsurance: true}
			if f == 8 {
				l.ContractYears = 1
			}
			lines = append(lines, l)
		}
		applied := real.AddDate(0, 0, -c.daysAgo).Add(-time.Duration(3+i) * time.Hour)
		setAt(applied)
		app, err := g.Apply(ctx, mgr, grants.Input{PolicyID: c.policy, Lines: lines}, uploads("labour_contracts", "social_insurance_record"), m)
		if err != nil {
			return fmt.Errorf("demo claim of %s: %w", c.manager, err)
		}
		if c.step != "" {
			setAt(applied.AddDate(0, 0, 4))
			if _, err := g.Act(ctx, officer, app.ID, grants.StepInput{Action: c.step, Note: c.note}, m); err != nil {
				return fmt.Errorf("demo %s of %s's claim: %w", c.step, c.manager, err)
			}
		}
	}
	return nil
}

// autoGrants: two land-expropriated farmers founding firms signed up a
// month ago; the roster import of today confirms them (and the case
// officer the registration date of the one already trading), and the tax
// relief is granted without application at once (免申即享) — the checks
// and the grant are the load's, dated now.
// The founders sign in as the applicants' logins after theirs (from
// grantLogin(first)).
func (a *areas) autoGrants(ctx context.Context, officer accounts.Principal, real time.Time, first int) error {
	reg := core.DateOf(real).AddMonths(-10)
	founders := []struct {
		name  string
		v     policy.Venture
		check [][2]string
	}{
		{"石永坤", policy.Venture{Stage: "preparing", Form: "company", Industry: "agri_processing"}, nil},
		{"崔桂香", policy.Venture{Stage: "operating", Form: "cooperative", Industry: "agri_processing", FirstRegistered: &reg, Employees: count(6)},
			[][2]string{{"venture.first_registered", reg.String()}}},
	}
	m := accounts.Meta{IP: "127.0.0.1"}
	admin := accounts.Principal{Role: accounts.Admin, Name: "demo"}
	past := func() time.Time { return real.AddDate(0, 0, -30) }
	for i, f := range founders {
		u, err := a.Accounts.WithClock(past).Create(ctx, admin, accounts.NewAccount{Email: grantLogin(first + i), Password: Password,
			Name: f.name, Role: accounts.Entrepreneur}, m)
		if err != nil {
			return fmt.Errorf("demo founder: %w", err)
		}
		me := accounts.Principal{ID: u.ID, Role: u.Role, Name: u.Name}
		v := f.v
		in := people.Input{RealName: f.name, District: "beishan", ConsentVersion: people.NoticeVersion,
			Facts: policy.Facts{TargetGroups: []string{"land_expropriated_farmer"}, Employed: yes(), Venture: &v}}
		if _, err := a.People.WithClock(past).Save(ctx, me, in, "demo", m); err != nil {
			return fmt.Errorf("demo founder %s: %w", f.name, err)
		}
		for _, c := range f.check {
			if _, err := a.People.Verify(ctx, officer, me.ID, people.VerifyInput{Fact: c[0], Value: c[1], Note: "已核對營業執照"}, m); err != nil {
				return fmt.Errorf("demo check of %s: %w", f.name, err)
			}
		}
		if _, err := a.People.FromRoster(ctx, me.ID, people.RosterEntry{Roster: DemoRoster, Fact: "on_farmer_roster", Value: "true"}); err != nil {
			return fmt.Errorf("demo roster of %s: %w", f.name, err)
		}
		// The roster's check grants it through the bureau's wiring; asked
		// again here, it grants nothing twice.
		if _, err := a.Grants.AutoGrants(ctx, me.ID); err != nil {
			return fmt.Errorf("demo tax relief of %s: %w", f.name, err)
		}
	}
	// A young farmer on the roster, out of work and without a skill
	// certificate: the skills-training voucher (培訓券) is issued to her
	// without asking, once the roster checks her.
	u, err := a.Accounts.WithClock(past).Create(ctx, admin, accounts.NewAccount{Email: grantLogin(first + len(founders)), Password: Password,
		Name: "龐小燕", Role: accounts.Entrepreneur}, m)
	if err != nil {
		return fmt.Errorf("demo voucher holder: %w", err)
	}
	me := accounts.Principal{ID: u.ID, Role: u.Role, Name: u.Name}
	in := people.Input{RealName: "龐小燕", District: "beishan", IDNumber: WithCheckDigit("44030820000312002"), ConsentVersion: people.NoticeVersion,
		Facts: policy.Facts{TargetGroups: []string{"land_expropriated_farmer"}, Employed: no(), HasSkillCertificate: no(), WantsTraining: yes()}}
	if _, err := a.People.WithClock(past).Save(ctx, me, in, "demo", m); err != nil {
		return fmt.Errorf("demo voucher holder: %w", err)
	}
	if _, err := a.People.FromRoster(ctx, me.ID, people.RosterEntry{Roster: DemoRoster, Fact: "on_farmer_roster", Value: "true"}); err != nil {
		return fmt.Errorf("demo roster of the voucher holder: %w", err)
	}
	if _, err := a.Grants.AutoGrants(ctx, me.ID); err != nil {
		return fmt.Errorf("demo voucher: %w", err)
	}
	return nil
}
