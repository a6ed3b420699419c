package portal

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
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

// loadAccountsFile, in the data directory, lists the accounts a load run
// may sign in with: login, password and role, tab-separated.
const loadAccountsFile = "load-accounts.tsv"

// seedLoad runs `seed-load [-people N] [-projects N] [-login-users N]
// [-staff N] [settings]`: the demo data, then that many projects and
// people on top, through the services (so the search indexes and figures
// follow), for the load program. Running it again adds nothing.
//
// Only -login-users people (and -staff hotline accounts) can sign in: their
// password is hashed at the production cost and written to
// DATA/load-accounts.tsv. Every other seeded person's account gets a random
// 128-bit password that is never stored or shown, hashed with cheap
// argon2id parameters — hashing 100,000 passwords at the production cost
// would take most of an hour, and the cost of a hash guards only guessable
// passwords. Those accounts hold realistic profiles but cannot sign in.
func seedLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("seed-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	nPeople := fs.Int("people", 100_000, "people (entrepreneur accounts with profiles) to add")
	nProjects := fs.Int("projects", 50_000, "projects to add to the library")
	nLogin := fs.Int("login-users", 300, "how many of the people can sign in (the load program's entrepreneurs)")
	nStaff := fs.Int("staff", 10, "hotline staff accounts to add")
	workers := fs.Int("workers", 4, "people written at once")
	own, rest := splitFlags(args, "people", "projects", "login-users", "staff", "workers")
	if err := fs.Parse(own); err != nil {
		return err
	}
	if *nLogin > *nPeople {
		*nLogin = *nPeople
	}
	start := time.Now()
	app, err := open(ctx, rest, stderr)
	if err != nil {
		return err
	}
	password, err := loadPassword(app.cfg.DataDir)
	if err != nil {
		app.Close(context.Background())
		return err
	}
	err = func() error {
		defer app.Close(context.Background())
		if err := app.LoadDemo(ctx, io.Discard); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		fmt.Fprintf(stdout, "demo data ready (%s)\n", time.Since(start).Round(time.Millisecond))
		if err := app.seedProjects(ctx, *nProjects, stdout, stderr); err != nil {
			return err
		}
		for i := range *nStaff {
			in := accounts.NewAccount{Email: fmt.Sprintf("hotline%02d@load.onestop.cn", i+1), Name: seedName(i + 7), Role: accounts.Hotline, Password: password}
			if _, err := app.accounts.Create(ctx, seedAdmin, in, accounts.Meta{IP: "127.0.0.1"}); err != nil && !core.IsCode(err, core.Conflict) {
				return fmt.Errorf("staff: %s", app.describe(err))
			}
		}
		return app.seedPeople(ctx, 0, *nLogin, func(int) string { return password }, *workers, stdout, stderr)
	}()
	if err != nil {
		return err
	}
	if *nPeople > *nLogin {
		app, err := open(ctx, rest, stderr)
		if err != nil {
			return err
		}
		err = app.seedPeopleBulk(ctx, *nLogin, *nPeople, stdout, stderr)
		app.Close(context.Background())
		if err != nil {
			return err
		}
	}
	if err := writeLoadAccounts(filepath.Join(app.cfg.DataDir, loadAccountsFile), password, *nLogin, *nStaff); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seed-load done in %s; accounts for the load program: %s\n",
		time.Since(start).Round(time.Second), filepath.Join(app.cfg.DataDir, loadAccountsFile))
	return nil
}

var seedAdmin = accounts.Principal{ID: "seed-load", Role: accounts.Admin, Name: "seed-load"}

// seedProjects imports n library projects (external ids load-000001…),
// skipped when the last of them is already there.
func (a *App) seedProjects(ctx context.Context, n int, stdout, stderr io.Writer) error {
	if n <= 0 {
		return nil
	}
	var p struct{}
	if err := a.store.Get(ctx, projects.Collection.Name, projects.ImportID(seedProjectID(n-1)), &p); err == nil {
		fmt.Fprintf(stdout, "projects: %d already there\n", n)
		return nil
	}
	rows := demoProjectRows(n)
	var b strings.Builder
	for i, r := range rows {
		r.ExternalID = seedProjectID(i)
		b.WriteString(jsonLine(r))
		b.WriteByte('\n')
	}
	start := time.Now()
	bar := newProgress(stderr, "projects", int64(n))
	rep, err := a.projects.Import(ctx, strings.NewReader(b.String()), "jsonl", bar.set)
	bar.done()
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Fprintf(stdout, "projects: %d created, %d updated, %d rejected in %s (%.0f/s)\n",
		rep.Created, rep.Updated, len(rep.Rejected), took.Round(time.Millisecond), float64(n)/took.Seconds())
	return nil
}

func seedProjectID(i int) string { return fmt.Sprintf("load-%06d", i+1) }

// seedLogin is the i-th seeded person's login.
func seedLogin(i int) string { return fmt.Sprintf("p%06d@load.onestop.cn", i+1) }

// seedPeople creates people [from, to): an entrepreneur account, a
// profile as the person would fill it in, and one eligibility check, as on
// signing up. A person whose profile exists is skipped.
func (a *App) seedPeople(ctx context.Context, from, to int, password func(int) string, workers int, stdout, stderr io.Writer) error {
	if from >= to {
		return nil
	}
	start := time.Now()
	if id, err := a.store.KeyOwner(ctx, "email:"+seedLogin(to-1)); err == nil {
		if p, err := a.people.Get(ctx, accounts.Principal{ID: id, Role: accounts.Entrepreneur}, id); err == nil && p.RealName != "" {
			fmt.Fprintf(stdout, "people %d–%d: already there\n", from+1, to)
			return nil
		}
	}
	bar := newProgress(stderr, fmt.Sprintf("people %d–%d", from+1, to), int64(to-from))
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
				bar.set(int(n))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	bar.done()
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

func (a *App) seedPerson(ctx context.Context, i int, password string) (bool, error) {
	login := seedLogin(i)
	name := seedName(i)
	u, err := a.accounts.Create(ctx, seedAdmin, accounts.NewAccount{Email: login, Name: name, Role: accounts.Entrepreneur, Password: password}, accounts.Meta{IP: "127.0.0.1"})
	var id string
	switch {
	case err == nil:
		id = u.ID
	case core.IsCode(err, core.Conflict):
		if id, err = a.store.KeyOwner(ctx, "email:"+login); err != nil {
			return false, err
		}
	default:
		return false, errors.New(a.describe(err))
	}
	me := accounts.Principal{ID: id, Role: accounts.Entrepreneur, Name: name}
	if p, err := a.people.Get(ctx, me, id); err == nil && p.RealName != "" {
		return false, nil
	}
	in := seedProfile(i, name)
	p, err := a.people.Save(ctx, me, in, "seed", accounts.Meta{IP: "127.0.0.1"})
	if err != nil {
		return false, errors.New(a.describe(err))
	}
	today := core.DateOf(a.clock.Now())
	if rs, err := a.policies.Check(ctx, &p.Facts, today); err == nil {
		a.policies.Logged(ctx, p.ID, p.District, &p.Facts, today, rs)
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
	id := withCheckDigit(fmt.Sprintf("440303%s%03d", strings.ReplaceAll(birth.String(), "-", ""), 100+i%900))
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

// loadPassword is the password of the accounts the load program signs in
// with: the one kept in the data directory, or a fresh random one kept
// there at once, so an interrupted run keeps the password it started with.
func loadPassword(dir string) (string, error) {
	path := filepath.Join(dir, "load-password")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) > 0 {
		return strings.TrimSpace(string(b)), nil
	}
	pw := "Load-" + randomPassword()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", err
	}
	return pw, os.WriteFile(path, []byte(pw+"\n"), 0o600)
}

func randomPassword() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// writeLoadAccounts writes the demo accounts, the hotline staff and the
// people who can sign in, with their passwords (mode 0600: a load-test data
// directory, never a real one).
func writeLoadAccounts(path, password string, nLogin, nStaff int) error {
	var b strings.Builder
	b.WriteString("# login\tpassword\trole — accounts of seed-load for `portal load -accounts`\n")
	for _, in := range demoAccounts {
		login := in.Email
		if login == "" {
			login = in.Phone
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\n", login, demoPassword, in.Role)
	}
	for i := range nStaff {
		fmt.Fprintf(&b, "hotline%02d@load.onestop.cn\t%s\t%s\n", i+1, password, accounts.Hotline)
	}
	for i := range nLogin {
		fmt.Fprintf(&b, "%s\t%s\t%s\n", seedLogin(i), password, accounts.Entrepreneur)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}
