package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"onestop/services/accounts"
	"onestop/services/bases"
	"onestop/services/core"
	"onestop/services/reference"
)

var demoBaseNames = []string{"創業孵化園", "青年創業園", "科技企業孵化器", "返鄉創業園", "大學生創業基地", "電商產業園", "文創產業園", "眾創空間"}

// bases lists about forty bases across districts and levels, opens an
// intake, and gives one base a manager, a tenant and a pending applicant.
func (a *areas) bases(ctx context.Context) error {
	admin := accounts.Principal{ID: "demo", Role: accounts.Admin, Name: "demo"}
	var lines []string
	districts, industries := demoDistricts(), demoIndustries()
	for i := range 40 {
		d := districts[i%len(districts)]
		name := fmt.Sprintf("%s%s", shipped.Label(reference.District, d, "zh-Hant"), demoBaseNames[(i/len(districts)+i)%len(demoBaseNames)])
		if i >= 8 {
			name += fmt.Sprintf("%d號園區", i/8+1)
		}
		in := bases.ImportRow{Status: bases.Approved, BaseInput: bases.BaseInput{
			ExternalID: fmt.Sprintf("demo-base-%02d", i+1), Name: name, Level: bases.Levels[i%4], District: d,
			Address:    fmt.Sprintf("%s創業大道 %d 號", shipped.Label(reference.District, d, "zh-Hant"), 10+i*7),
			Industries: []string{industries[i%8], industries[(i+3)%8]}, Seats: 10 + (i*7)%40,
			RentFreeMonths: []int{0, 6, 12, 24}[i%4], IntakeOpen: i%9 != 0, Contact: fmt.Sprintf("0755-8%07d", 1000000+i*137),
			Services: bases.Services[:1+i%len(bases.Services)]}}
		if i%5 == 0 {
			in.Groups = []string{"college_graduate", "returned_overseas_student"}
		}
		if i%6 == 0 {
			in.Stages = []string{"idea", "preparing"}
		}
		lines = append(lines, jsonLine(in))
	}
	rep, err := a.Bases.Import(ctx, admin, strings.NewReader(strings.Join(lines, "\n")), nil)
	if err != nil {
		return err
	}
	if len(rep.Rejected) > 0 {
		return fmt.Errorf("demo bases: line %d: %v", rep.Rejected[0].Line, rep.Rejected[0].Faults)
	}
	if rep.Created == 0 {
		return nil // seeded before
	}
	first := bases.ImportID("demo-base-02")
	second := bases.ImportID("demo-base-03")
	mgrID, err := a.store.KeyOwner(ctx, "email:base@demo.onestop.cn")
	if err != nil {
		return err
	}
	if err := a.Bases.SetManagers(ctx, admin, first, []string{mgrID}, accounts.Meta{}); err != nil {
		return err
	}
	if _, err := a.Bases.OpenIntake(ctx, admin, intakeName(a.clock.Now()), accounts.Meta{}); err != nil {
		return err
	}
	person := func(login string) (accounts.Principal, error) {
		id, err := a.store.KeyOwner(ctx, login)
		if err != nil {
			return accounts.Principal{}, err
		}
		u, err := a.Accounts.Get(ctx, id)
		if err != nil {
			return accounts.Principal{}, err
		}
		return accounts.Principal{ID: u.ID, Role: u.Role, Name: u.Name}, nil
	}
	wang, err := person("email:wang@demo.onestop.cn")
	if err != nil {
		return err
	}
	apps, err := a.Bases.Apply(ctx, wang, []string{first, second}, "農產品直播帶貨網店，需要工位和導師輔導", accounts.Meta{})
	if err != nil {
		return fmt.Errorf("demo application: %w", err)
	}
	mgr := accounts.Principal{ID: mgrID, Role: accounts.IncubatorManager, Name: "周主任"}
	if _, err := a.Bases.Act(ctx, mgr, apps[0].ID, "accept", "", accounts.Meta{}); err != nil {
		return err
	}
	if _, err := a.Bases.Act(ctx, wang, apps[0].ID, "accept_offer", "", accounts.Meta{}); err != nil {
		return err
	}
	zhao, err := person("email:zhao@demo.onestop.cn")
	if err != nil {
		return err
	}
	_, err = a.Bases.Apply(ctx, zhao, []string{first}, "社區家政服務店，想先在孵化基地起步", accounts.Meta{})
	return err
}

// intakeName names the intake opened today by its year and season (「2026
// 年冬季批次」), so a demo loaded in another year does not open last
// year's.
func intakeName(now time.Time) string {
	l := now.In(core.CST)
	season := [12]string{"冬", "冬", "春", "春", "春", "夏", "夏", "夏", "秋", "秋", "秋", "冬"}[l.Month()-1]
	return fmt.Sprintf("%d 年%s季批次", l.Year(), season)
}
