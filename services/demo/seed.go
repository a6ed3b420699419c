package demo

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/people"
	"onestop/services/policy"
	"onestop/services/projects"
)

// Progress starts showing how far a long step is: label and the total (0
// when unknown); set is called with the count done, done once at the end.
type Progress func(label string, total int64) (set func(int), done func())

var seedAdmin = accounts.Principal{ID: "seed-load", Role: accounts.Admin, Name: "seed-load"}

// SeedProjects imports n library projects (external ids load-000001…),
// skipped when the last of them is already there.
func (l *Loader) SeedProjects(ctx context.Context, n int, stdout io.Writer, progress Progress) error {
	a := &l.a
	if n <= 0 {
		return nil
	}
	var p struct{}
	if err := a.store.Get(ctx, projects.Collection.Name, projects.ImportID(seedProjectID(n-1)), &p); err == nil {
		fmt.Fprintf(stdout, "projects: %d already there\n", n)
		return nil
	}
	rows := ProjectRows(n)
	var b strings.Builder
	for i, r := range rows {
		r.ExternalID = seedProjectID(i)
		b.WriteString(jsonLine(r))
		b.WriteByte('\n')
	}
	start := time.Now()
	set, done := progress("projects", int64(n))
	rep, err := a.Projects.Import(ctx, strings.NewReader(b.String()), "jsonl", set)
	done()
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Fprintf(stdout, "projects: %d created, %d updated, %d rejected in %s (%.0f/s)\n",
		rep.Created, rep.Updated, len(rep.Rejected), took.Round(time.Millisecond), float64(n)/took.Seconds())
	return nil
}

func seedProjectID(i int) string { return fmt.Sprintf("load-%06d", i+1) }

// SeedLogin is the i-th seeded person's login.
func SeedLogin(i int) string { return fmt.Sprintf("p%06d@load.onestop.cn", i+1) }

// staffLogin is the i-th seeded hotline account's login.
func staffLogin(i int) string { return fmt.Sprintf("hotline%02d@load.onestop.cn", i+1) }

// SeedStaff creates n hotline accounts (hotline01@load.onestop.cn …) with
// password; those that exist are kept.
func (l *Loader) SeedStaff(ctx context.Context, n int, password string) error {
	for i := range n {
		in := accounts.NewAccount{Email: staffLogin(i), Name: seedName(i + 7), Role: accounts.Hotline, Password: password}
		if _, err := l.a.Accounts.Create(ctx, seedAdmin, in, accounts.Meta{IP: "127.0.0.1"}); err != nil && !core.IsCode(err, core.Conflict) {
			return fmt.Errorf("staff: %w", err)
		}
	}
	return nil
}

// SeedPeople creates people [from, to) through the services, workers at
// once: an entrepreneur account with password(i), a profile as the person
// would fill it in, and one eligibility check, as on signing up. A person
// whose profile exists is skipped.
func (l *Loader) SeedPeople(ctx context.Context, from, to int, password func(int) string, workers int, stdout io.Writer, progress Progress) error {
	a := &l.a
	if from >= to {
		return nil
	}
	start := time.Now()
	if id, err := a.store.KeyOwner(ctx, "email:"+SeedLogin(to-1)); err == nil {
		if p, err := a.People.Get(ctx, accounts.Principal{ID: id, Role: accounts.Entrepreneur}, id); err == nil && p.RealName != "" {
			fmt.Fprintf(stdout, "people %d–%d: already there\n", from+1, to)
			return nil
		}
	}
	set, finish := progress(fmt.Sprintf("people %d–%d", from+1, to), int64(to-from))
	var mu sync.Mutex
	var next, done, created atomic.Int64
	next.Store(int64(from))
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= to {
					return
				}
				made, err := a.seedPerson(ctx, i, password(i))
				if err != nil {
					errs <- fmt.Errorf("person %d: %w", i+1, err)
					return
				}
				if made {
					created.Add(1)
				}
				n := done.Add(1)
				mu.Lock()
				set(int(n))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	finish()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	took := time.Since(start)
	fmt.Fprintf(stdout, "people %d–%d: %d created in %s (%.0f/s)\n", from+1, to, created.Load(),
		took.Round(time.Millisecond), float64(to-from)/took.Seconds())
	return nil
}

func (a *areas) seedPerson(ctx context.Context, i int, password string) (bool, error) {
	login := SeedLogin(i)
	name := seedName(i)
	u, err := a.Accounts.Create(ctx, seedAdmin, accounts.NewAccount{Email: login, Name: name, Role: accounts.Entrepreneur, Password: password}, accounts.Meta{IP: "127.0.0.1"})
	var id string
	switch {
	case err == nil:
		id = u.ID
	case core.IsCode(err, core.Conflict):
		if id, err = a.store.KeyOwner(ctx, "email:"+login); err != nil {
			return false, err
		}
	default:
		return false, err
	}
	me := accounts.Principal{ID: id, Role: accounts.Entrepreneur, Name: name}
	if p, err := a.People.Get(ctx, me, id); err == nil && p.RealName != "" {
		return false, nil
	}
	in := seedProfile(i, name)
	p, err := a.People.Save(ctx, me, in, "seed", accounts.Meta{IP: "127.0.0.1"})
	if err != nil {
		return false, err
	}
	today := core.DateOf(a.clock.Now())
	if rs, err := a.Policies.Check(ctx, &p.Facts, today); err == nil {
		a.Policies.Logged(ctx, p.ID, p.District, &p.Facts, today, rs)
	}
	return true, nil
}

var (
	seedSurnames = []rune("王李張劉陳楊黃趙吳周徐孫馬朱胡郭何高林羅鄭梁謝宋唐許韓馮鄧曹彭曾蕭田董潘袁蔡蔣余于杜葉程魏蘇呂丁任沈姚盧")
	seedGiven    = []string{"偉", "芳", "娜", "秀英", "敏", "靜", "麗", "強", "磊", "軍", "洋", "勇", "艷", "傑", "娟", "濤", "明", "超", "秀蘭", "霞",
		"平", "剛", "桂英", "建華", "志強", "海燕", "曉東", "麗華", "春梅", "國慶", "文博", "子涵", "雨萱", "浩然", "欣怡", "俊傑", "思遠", "佳琪", "宇航", "夢琪"}
	seedSkills = [][]string{{"網店運營"}, {"烹飪", "食品安全"}, {"電工"}, {"財務記賬"}, {"縫紉"}, {"駕駛"}, {"攝影", "短視頻"}, {"軟件開發"}, {"養老護理"}, {}}
)

// seedName is a Chinese name, distinct enough across a city.
func seedName(i int) string {
	s := seedSurnames[i%len(seedSurnames)]
	g := seedGiven[(i/len(seedSurnames))%len(seedGiven)]
	return string(s) + g
}

// seedProfile is the i-th person's profile: ID and phone numbers unique to
// i (region 440303, a birth day per 900 people, sequence 100–999; phones
// 1590xxxxxxx), and a spread of groups, districts, needs and ventures.
func seedProfile(i int, name string) people.Input {
	birth := core.NewDate(1966, 1, 1).AddDays((i / 900) * 113)
	id := WithCheckDigit(fmt.Sprintf("440303%s%03d", strings.ReplaceAll(birth.String(), "-", ""), 100+i%900))
	districts, industries := demoDistricts(), demoIndustries()
	in := people.Input{RealName: name, IDNumber: id, Phone: fmt.Sprintf("1590%07d", i), District: districts[(i*7)%len(districts)],
		Education: people.Educations[(i*3)%len(people.Educations)], Skills: seedSkills[i%len(seedSkills)],
		Needs: []string{people.Needs[i%len(people.Needs)]}, ConsentVersion: people.NoticeVersion}
	in.Facts.TargetGroups = demoGroups[i%len(demoGroups)]
	in.Facts.WantsTraining = []*bool{yes(), no()}[i%2]
	ind := industries[i%len(industries)]
	switch i % 10 {
	case 0, 1, 2:
		in.Facts.Venture = &policy.Venture{Stage: "idea", Form: "individual", Industry: ind}
		in.Facts.Employed = no()
	case 3, 4, 5:
		in.Facts.Venture = &policy.Venture{Stage: "preparing", Form: policy.Forms[i%len(policy.Forms)], Industry: ind}
		in.Facts.Employed = no()
	case 6, 7, 8:
		reg := core.NewDate(2022, 1, 1).AddDays(i % 1400)
		in.Facts.Venture = &policy.Venture{Stage: "operating", Form: policy.Forms[i%len(policy.Forms)], Industry: ind,
			FirstRegistered: &reg, Employees: count(1 + i%25)}
		in.Facts.Employed = yes()
	default:
		in.Facts.Employed = []*bool{yes(), no()}[(i/10)%2]
	}
	return in
}

// WriteLoadAccounts writes the demo accounts, the hotline staff and the
// people who can sign in, with their passwords (mode 0600: a load-test data
// directory, never a real one).
func WriteLoadAccounts(path, password string, nLogin, nStaff int) error {
	var b strings.Builder
	b.WriteString("# login\tpassword\trole — accounts of seed-load for `portal load -accounts`\n")
	for _, in := range Accounts {
		fmt.Fprintf(&b, "%s\t%s\t%s\n", Login(in), Password, in.Role)
	}
	for i := range nStaff {
		fmt.Fprintf(&b, "%s\t%s\t%s\n", staffLogin(i), password, accounts.Hotline)
	}
	for i := range nLogin {
		fmt.Fprintf(&b, "%s\t%s\t%s\n", SeedLogin(i), password, accounts.Entrepreneur)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}
