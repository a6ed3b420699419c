package portal_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"go.mongodb.org/mongo-driver/v2/bson"

	figuresweb "onestop/portal/figures"
	"onestop/portal/portaltest"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/demo"
	"onestop/services/figures"
	"onestop/services/grants"
	"onestop/services/loans"
	"onestop/services/policy"
)

// plannedDates are the fields whose day is still ahead by nature — a time
// limit, a scheduled contact or check-in, a session to come — not the day
// something happened. Every other date or time the demo writes is a
// record's, and none may be after the demo's now.
var plannedDates = map[string]string{
	"cases.checkins[].due_on":      "a follow-up contact scheduled",
	"cases.next_due":               "the next scheduled contact",
	"complaints.due_at":            "the time limit",
	"complaints.first_due_at":      "the time limit it came in with",
	"consultations.due_at":         "the time to answer",
	"consultations.first_due_at":   "the time to answer it came in with",
	"service_requests.due_at":      "the time limit",
	"loans.due_at":                 "the time limit of its step",
	"ventures.checks[].due_on":     "a stability check-in scheduled",
	"ventures.next_due":            "the next check-in",
	"courses.sessions[].starts_at": "a session to come",
	"calls.callback_at":            "the time to call back",
	"grants.due_at":                "the time limit of its step",
	"grants.grant.valid_until":     "a certificate's last day of validity",
	"grants.grant.half_until":      "a relief's last day at half rate",
}

var dayText = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// datedFields calls visit for every date (YYYY-MM-DD text, as core.Date is
// stored) and time in a document, with its path (coll.field[].field).
func datedFields(path string, v any, visit func(path, shown string, day string, at time.Time)) {
	switch x := v.(type) {
	case bson.D:
		for _, e := range x {
			datedFields(path+"."+e.Key, e.Value, visit)
		}
	case bson.A:
		for _, e := range x {
			datedFields(path+"[]", e, visit)
		}
	case bson.DateTime:
		visit(path, x.Time().UTC().Format(time.RFC3339), "", x.Time())
	case string:
		if dayText.MatchString(x) {
			visit(path, x, x, time.Time{})
		}
	}
}

// TestDemoDataConsistent: the demo reads as a bureau's records would on the
// day it was loaded — nothing happened after that day, a repayment follows
// the money paid out, people are told apart by name (mentors by title too),
// and the headline figures of the dashboard and open data are numbers,
// none 「—」 or 0 for want of records.
func TestDemoDataConsistent(t *testing.T) {
	t.Parallel()
	tp := portaltest.DemoWorld(t)
	now := portaltest.DemoNow()
	today := core.DateOf(now)
	ctx := context.Background()
	st := tp.App.Store()
	// The administrator who reads the figures signs up after the records
	// are looked at: their account is the test's, not the demo's.
	signIn := sync.OnceValue(func() string { _, token, _ := tp.Account(accounts.Admin, "consistency@test.cn"); return token })

	for _, c := range []struct {
		name  string
		check func(t *testing.T)
	}{
		{"nothing is dated after the demo's now", func(t *testing.T) {
			colls, err := st.Collections(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, coll := range colls {
				var docs []bson.D
				cur, err := st.C(coll).Find(ctx, bson.D{})
				if err == nil {
					err = cur.All(ctx, &docs)
				}
				if err != nil {
					t.Fatalf("%s: %v", coll, err)
				}
				late := map[string][]string{}
				for _, d := range docs {
					datedFields(coll, d, func(path, shown, day string, at time.Time) {
						if _, planned := plannedDates[path]; planned {
							return
						}
						if (day != "" && day > today.String()) || (day == "" && at.After(now)) {
							late[path] = append(late[path], fmt.Sprintf("%v: %s", d[0].Value, shown))
						}
					})
				}
				for path, found := range late {
					t.Errorf("%s: %d dated after %s, e.g. %s", path, len(found), now.Format(time.RFC3339), found[0])
				}
			}
		}},
		{"a repayment follows the payment out, in date order", func(t *testing.T) {
			var files []loans.Loan
			cur, err := st.C("loans").Find(ctx, bson.D{})
			if err == nil {
				err = cur.All(ctx, &files)
			}
			if err != nil {
				t.Fatal(err)
			}
			repaid := 0
			for _, l := range files {
				prev := l.DisbursedOn
				for _, r := range l.Repayments {
					if l.DisbursedOn.IsZero() || r.On.Before(prev) || r.On.After(today) {
						t.Errorf("%s: repayment on %s, paid out %s, the one before %s", l.PersonName, r.On, l.DisbursedOn, prev)
					}
					prev = r.On
				}
				repaid += len(l.Repayments)
			}
			if repaid < 12 {
				t.Errorf("%d repayments: a bank officer sees too few months of a loan", repaid)
			}
		}},
		{"people are told apart by name", func(t *testing.T) {
			for _, w := range []struct{ coll, field, who string }{
				{"mentors", "name", "mentors"}, {"contacts", "name", "hotline callers"}, {"profiles", "real_name", "entrepreneurs"},
			} {
				var docs []bson.M
				cur, err := st.C(w.coll).Find(ctx, bson.D{})
				if err == nil {
					err = cur.All(ctx, &docs)
				}
				if err != nil || len(docs) < 10 {
					t.Fatalf("%s: %d (%v)", w.coll, len(docs), err)
				}
				seen := map[string]int{}
				for _, d := range docs {
					seen[fmt.Sprint(d[w.field])]++
				}
				for name, n := range seen {
					if n > 1 {
						t.Errorf("%d %s named %s", n, w.who, name)
					}
				}
			}
		}},
		{"every mentor listed shows a title beside the name", func(t *testing.T) {
			ov, err := tp.App.Bureau().Mentors.Overview(ctx, accounts.Principal{ID: "check", Role: accounts.Admin, Name: "check"})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ov.Mentors {
				if m.Title == "" {
					t.Errorf("mentor %s has no title", m.Name)
				}
			}
			_, doc := tp.Browser().Get("/mentors")
			cards := doc.Find("#mentor-cards li")
			if cards.Length() == 0 || cards.Length() != cards.Find(".mentor-title").Length() {
				t.Errorf("%d mentor cards, %d with a title", cards.Length(), cards.Find(".mentor-title").Length())
			}
		}},
		{"every headline figure of the dashboard is a number", func(t *testing.T) {
			admin := signIn()
			browser, _ := tp.SignedIn(t, "consistency@test.cn")
			// The aged rates count the ventures whose check-in fell in the
			// span, so the default view (the last twelve months) has all.
			for _, span := range []struct{ name, query string }{
				{"the last twelve months (the dashboard's default)", ""},
				{"the three years a venture is followed", "?from=" + today.AddMonths(-36).String()[:7]},
			} {
				resp, body := tp.Do("GET", "/api/v1/admin/figures"+span.query, nil, admin)
				figs := portaltest.Decode[figuresweb.APIFigures](t, body)
				if resp.StatusCode != 200 || figs.View == nil {
					t.Fatalf("%s: %d %s", span.name, resp.StatusCode, body)
				}
				var shown []string
				for _, sec := range figs.View.Sections {
					for _, f := range sec.Figures {
						shown = append(shown, f.Value)
						if f.Number == nil || *f.Number <= 0 {
							t.Errorf("%s: %s reads %q (%s %s)", span.name, f.Key, f.Value, f.Numerator, f.Denominator)
						}
					}
				}
				_, doc := browser.Get("/admin/figures" + span.query)
				var tiles []string
				doc.Find("#figure-tiles li strong").Each(func(_ int, s *goquery.Selection) { tiles = append(tiles, s.Text()) })
				if !slices.Equal(tiles, shown) {
					t.Errorf("%s: the page shows %q, the figures are %q", span.name, tiles, shown)
				}
			}
		}},
		{"every figure open data publishes for the city is a number", func(t *testing.T) {
			resp, body := tp.Do("GET", "/api/v1/open-data", nil, "")
			d := portaltest.Decode[figures.OpenData](t, body)
			if resp.StatusCode != 200 || len(d.Rows) == 0 || d.Rows[0].Area != "all" {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
			city := d.Rows[0]
			for _, cell := range []struct {
				name string
				n    *int64
			}{
				{"ventures started", city.VenturesStarted}, {"check-ins", city.StabilityChecked}, {"jobs at check-ins", city.JobsAtCheckIns},
				{"loans approved", city.LoansApproved}, {"training passed", d.CityOnly.TrainingPassed},
				{"consultations", d.CityOnly.Consultations}, {"calls", d.CityOnly.Calls},
			} {
				switch {
				case cell.n == nil:
					t.Errorf("the city's %s: withheld (fewer than %d)", cell.name, figures.SmallCell)
				case *cell.n <= 0:
					t.Errorf("the city's %s: %d", cell.name, *cell.n)
				}
			}
			switch s := city.StillOperatingShare; {
			case s == nil:
				t.Error("the city's share still operating: withheld")
			case *s <= 0 || *s >= 100:
				t.Errorf("the city's share still operating: %.1f%%", *s)
			}
			_, doc := tp.Browser().Get("/open-data")
			row := doc.Find("#open-data tbody tr").First().Find("td").Text() + doc.Find("#open-data-city tbody td").Text()
			if strings.Contains(row, "<5") || strings.Contains(row, "—") {
				t.Errorf("the city's row on the page: %q", row)
			}
		}},
		{"applications of every kind granted, waiting and refused, and the policy delivery they make", func(t *testing.T) {
			staff := accounts.Principal{ID: "check", Role: accounts.Admin, Name: "check"}
			for _, kind := range []string{policy.ApplyCertificate, policy.ApplyRegistration, policy.ApplyReward} {
				for _, status := range []string{grants.Granted, grants.Submitted, grants.Refused} {
					_, n, _, err := tp.App.Bureau().Grants.List(ctx, staff, grants.Query{Kind: kind, Status: status, Page: core.Page{Size: 1}})
					if err != nil || n == 0 {
						t.Errorf("no %s %s (%v)", status, kind, err)
					}
				}
			}
			// Training vouchers are issued without asking.
			if _, n, _, err := tp.App.Bureau().Grants.List(ctx, staff, grants.Query{Kind: policy.ApplyVoucher, Status: grants.Granted, Page: core.Page{Size: 1}}); err != nil || n == 0 {
				t.Errorf("no training voucher issued (%v)", err)
			}
			resp, body := tp.Do("GET", "/api/v1/admin/figures", nil, signIn())
			figs := portaltest.Decode[figuresweb.APIFigures](t, body)
			if resp.StatusCode != 200 || figs.View == nil {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
			i := slices.IndexFunc(figs.View.Breakdowns, func(b figures.Breakdown) bool { return b.Key == "figures.delivery.title" })
			if i < 0 || len(figs.View.Breakdowns[i].Rows) == 0 {
				t.Fatalf("no policy-delivery table: %s", body)
			}
			// Every column has something to say: people eligible, applied,
			// granted, refused, money granted.
			var sums [5]float64
			for _, r := range figs.View.Breakdowns[i].Rows {
				for j := range sums {
					if c := r[j+1]; c.Number != nil {
						sums[j] += *c.Number
					}
				}
			}
			for j, sum := range sums {
				if sum <= 0 {
					t.Errorf("the policy-delivery table's column %s sums to %v", figs.View.Breakdowns[i].Header[j+1], sum)
				}
			}
		}},
		{"each demo sign-in of staff has a day's work, not a backlog", func(t *testing.T) {
			token := func(login string) string {
				tk, err := tp.App.Accounts().Login(ctx, login, demo.Password, accounts.Meta{IP: "192.0.2.9"})
				if err != nil {
					t.Fatal(err)
				}
				return tk.Access
			}
			// The desk returned the calls it promised to: only the last
			// two days' callbacks wait (the walk found 64, from October on).
			_, body := tp.Do("GET", "/api/v1/hotline/today", nil, token("hotline@demo.onestop.cn"))
			today := portaltest.Decode[struct {
				Callbacks []struct{ At time.Time } `json:"callbacks"`
			}](t, body)
			if len(today.Callbacks) == 0 {
				t.Errorf("no callback waits: %s", body)
			}
			for _, cb := range today.Callbacks {
				if now.Sub(cb.At) > 48*time.Hour {
					t.Errorf("a callback due %s still waits", cb.At)
				}
			}
			// Each demo mentor has a question waiting or answered: their
			// list is not empty on first sign-in.
			for _, login := range []string{"mentor@demo.onestop.cn", "mentor2@demo.onestop.cn"} {
				_, body := tp.Do("GET", "/api/v1/me/consultations", nil, token(login))
				if list := portaltest.Decode[struct{ Total int }](t, body); list.Total == 0 {
					t.Errorf("%s has no consultations", login)
				}
			}
			// Answered hours after they were asked, not in the same
			// instant (the walk found a median of 0.0 minutes).
			ov, err := tp.App.Bureau().Mentors.Overview(ctx, accounts.Principal{ID: "check", Role: accounts.Admin, Name: "check"})
			if err != nil {
				t.Fatal(err)
			}
			if ov.Answered == 0 || ov.AnswerMedianMin < 60 {
				t.Errorf("answer times: %d answered, median %.1f minutes", ov.Answered, ov.AnswerMedianMin)
			}
			_, body = tp.Do("GET", "/api/v1/me/consultations?status=waiting", nil, token("mentor@demo.onestop.cn"))
			if list := portaltest.Decode[struct{ Total int }](t, body); list.Total == 0 {
				t.Errorf("nothing waits for 張導師's answer: %s", body)
			}
		}},
	} {
		t.Run(c.name, c.check)
	}
}
