package people_test

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/people"
	"onestop/services/policy"
	"onestop/services/reference"
	"onestop/services/servicetest"
	"onestop/services/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var start = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// Valid ID numbers (check digits computed) and phones.
const (
	idA    = "440301199001011234"
	idB    = "440301198512150012"
	phoneA = "13912345670"
	phoneB = "13912345671"
)

func input(id, phone string) people.Input {
	return people.Input{RealName: "測試者", IDNumber: id, Phone: phone, ConsentVersion: people.NoticeVersion}
}

func world(t *testing.T) (*servicetest.Env, map[string]accounts.Principal) {
	e := servicetest.New(t, start)
	e.Ready(t)
	return e, e.Users(t, map[string]accounts.Role{
		"owner": accounts.Entrepreneur, "squatter": accounts.Entrepreneur, "fresh": accounts.Entrepreneur,
		"hotline": accounts.Hotline,
	})
}

// shape is what a save's answer tells its caller, with what necessarily
// differs between two people (ids, their own masked numbers, times) left out.
func shape(p *people.Profile) people.Profile {
	out := *p
	out.ID, out.IDSealed, out.IDMasked, out.IDIndex = "", "", "", ""
	out.PhoneSealed, out.PhoneMasked, out.PhoneIndex = "", "", ""
	out.CreatedAt, out.UpdatedAt, out.Pending = time.Time{}, time.Time{}, nil
	out.Facts.BirthDate, out.Facts.Gender = nil, ""
	out.Consents = nil
	return out
}

// TestSavingSomeoneElsesNumberRevealsNothing: saving a number another
// profile holds answers exactly as saving a free one (the finding: 409
// error.id.taken made profile save an oracle for people's numbers), and the
// number is kept pending, unclaimed, with a dispute for staff.
func TestSavingSomeoneElsesNumberRevealsNothing(t *testing.T) {
	e, u := world(t)
	ctx := context.Background()
	if _, err := e.People.Save(ctx, u["owner"], input(idA, phoneA), "api", servicetest.Meta); err != nil {
		t.Fatal(err)
	}
	taken, errTaken := e.People.Save(ctx, u["squatter"], input(idA, phoneA), "api", servicetest.Meta)
	free, errFree := e.People.Save(ctx, u["fresh"], input(idB, phoneB), "api", servicetest.Meta)
	if errTaken != nil || errFree != nil {
		t.Fatalf("taken: %v, free: %v: the answers differ", errTaken, errFree)
	}
	if !reflect.DeepEqual(shape(taken), shape(free)) {
		t.Fatalf("answers differ:\n taken %+v\n free  %+v", shape(taken), shape(free))
	}
	if taken.IDMasked != "4403**********1234" {
		t.Errorf("the claimant's own masked number is %q", taken.IDMasked)
	}
	// The owner keeps the numbers: staff find the owner by them.
	for _, n := range []string{idA, phoneA} {
		if id, ok := e.People.FindBySensitive(ctx, u["hotline"], n); !ok || id != u["owner"].ID {
			t.Errorf("look-up of %s found %q, want the owner", n, id)
		}
	}
	got, err := e.People.Get(ctx, u["hotline"], u["squatter"].ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{people.FieldID, people.FieldPhone}; !reflect.DeepEqual(got.Pending, want) {
		t.Errorf("pending %v, want %v", got.Pending, want)
	}
	// Nothing passes the disputed numbers on as the claimant's (a bank's
	// loan file, a roster, a caller record take Masked).
	if id, phone := got.Masked(); id != "" || phone != "" {
		t.Errorf("the claimant's numbers are passed on: %q %q", id, phone)
	}
	if id, phone := free.Masked(); id != free.IDMasked || phone != free.PhoneMasked || id == "" {
		t.Errorf("settled numbers are not passed on: %q %q", id, phone)
	}
	rows, total, _, err := e.People.Disputes(ctx, u["hotline"], people.DisputeQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if total != 2 || len(rows) != 2 {
		t.Fatalf("%d disputes listed (%d rows), want 2", total, len(rows))
	}
	for _, r := range rows {
		if r.ClaimantID != u["squatter"].ID || r.HolderID != u["owner"].ID || r.Status != people.DisputeOpen || r.ClaimantName != "測試者" {
			t.Errorf("dispute %+v", r)
		}
	}
	// Nobody but staff reads the queue or settles it.
	if _, _, _, err := e.People.Disputes(ctx, u["owner"], people.DisputeQuery{}); !core.IsCode(err, core.Forbidden) {
		t.Errorf("an entrepreneur listed disputes: %v", err)
	}
	if _, err := e.People.Resolve(ctx, u["squatter"], rows[0].ID, people.ToClaimant, "自稱", servicetest.Meta); !core.IsCode(err, core.Forbidden) {
		t.Errorf("the claimant settled their own dispute: %v", err)
	}
}

func TestResolveDispute(t *testing.T) {
	for _, tt := range []struct {
		decision      string
		winner, loser string
	}{
		{people.ToClaimant, "squatter", "owner"}, // here the "squatter" proved to be the real person
		{people.ToHolder, "owner", "squatter"},
	} {
		t.Run(tt.decision, func(t *testing.T) {
			e, u := world(t)
			ctx := context.Background()
			for _, who := range []string{"owner", "squatter"} {
				if _, err := e.People.Save(ctx, u[who], input(idA, ""), "api", servicetest.Meta); err != nil {
					t.Fatal(err)
				}
			}
			id := u["squatter"].ID + ":" + people.FieldID
			bad := []struct {
				decision, note string
			}{{"both", "checked"}, {people.ToClaimant, ""}, {people.ToClaimant, "\x00"}}
			for _, b := range bad {
				if _, err := e.People.Resolve(ctx, u["hotline"], id, b.decision, b.note, servicetest.Meta); !core.IsCode(err, core.Invalid) {
					t.Errorf("resolve %q %q: %v, want invalid", b.decision, b.note, err)
				}
			}
			d, err := e.People.Resolve(ctx, u["hotline"], id, tt.decision, "核驗身分證", servicetest.Meta)
			if err != nil {
				t.Fatal(err)
			}
			if d.Status != people.DisputeResolved || d.Decision != tt.decision || d.ResolvedBy != u["hotline"].ID {
				t.Errorf("dispute after: %+v", d)
			}
			if found, ok := e.People.FindBySensitive(ctx, u["hotline"], idA); !ok || found != u[tt.winner].ID {
				t.Errorf("the number is found on %q, want %s", found, tt.winner)
			}
			for who, has := range map[string]bool{tt.winner: true, tt.loser: false} {
				p, err := e.People.Get(ctx, u["hotline"], u[who].ID)
				if err != nil {
					t.Fatal(err)
				}
				if (p.IDSealed != "") != has || len(p.Pending) != 0 {
					t.Errorf("%s: sealed %v pending %v, want number %v and nothing pending", who, p.IDSealed != "", p.Pending, has)
				}
			}
			if _, err := e.People.Resolve(ctx, u["hotline"], id, tt.decision, "again", servicetest.Meta); !core.IsCode(err, core.Conflict) {
				t.Errorf("settled twice: %v", err)
			}
			// The loser may now save a number of their own, free of the past.
			if _, err := e.People.Save(ctx, u[tt.loser], input(idB, ""), "api", servicetest.Meta); err != nil {
				t.Fatal(err)
			}
			if found, _ := e.People.FindBySensitive(ctx, u["hotline"], idB); found != u[tt.loser].ID {
				t.Errorf("the loser's own number is not theirs: %q", found)
			}
		})
	}
}

// TestDisputeWithdrawnWhenNumberChanges: a claimant who corrects the number
// to one of their own leaves nothing for staff to settle.
func TestDisputeWithdrawnWhenNumberChanges(t *testing.T) {
	e, u := world(t)
	ctx := context.Background()
	if _, err := e.People.Save(ctx, u["owner"], input(idA, ""), "api", servicetest.Meta); err != nil {
		t.Fatal(err)
	}
	if _, err := e.People.Save(ctx, u["squatter"], input(idA, ""), "api", servicetest.Meta); err != nil {
		t.Fatal(err)
	}
	p, err := e.People.Save(ctx, u["squatter"], input(idB, ""), "api", servicetest.Meta)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Pending) != 0 {
		t.Errorf("still pending: %v", p.Pending)
	}
	_, open, _, _ := e.People.Disputes(ctx, u["hotline"], people.DisputeQuery{})
	_, withdrawn, _, _ := e.People.Disputes(ctx, u["hotline"], people.DisputeQuery{Status: people.DisputeWithdrawn})
	if open != 0 || withdrawn != 1 {
		t.Errorf("%d open and %d withdrawn, want 0 and 1", open, withdrawn)
	}
}

// TestNumberChangesThrottled: saves that bring a new number are counted
// per account before anything is claimed, so even at once no more than the
// limit run; saves that keep the numbers are not counted.
func TestNumberChangesThrottled(t *testing.T) {
	e, u := world(t)
	ctx := context.Background()
	if _, err := e.People.Save(ctx, u["fresh"], input("", ""), "api", servicetest.Meta); err != nil {
		t.Fatal(err)
	}
	var ok, limited atomic.Int32
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			_, err := e.People.Save(ctx, u["fresh"], input("", fmt.Sprintf("139000000%02d", i)), "api", accounts.Meta{IP: "198.51.100.7"})
			switch {
			case err == nil:
				ok.Add(1)
			case core.IsCode(err, core.TooManyRequests):
				limited.Add(1)
			case core.IsCode(err, core.Conflict): // a concurrent save of the same profile: stale
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if ok.Load() > 6 || limited.Load() < 14 {
		t.Errorf("%d saves with a new number ran and %d were limited, want at most 6 and at least 14", ok.Load(), limited.Load())
	}
	// Keeping the stored numbers is no attempt at anyone's.
	if _, err := e.People.Save(ctx, u["fresh"], input("", ""), "api", servicetest.Meta); err != nil {
		t.Errorf("a save without a new number was refused: %v", err)
	}
	// Another account from the same address still may.
	if _, err := e.People.Save(ctx, u["owner"], input(idA, ""), "api", accounts.Meta{IP: "198.51.100.7"}); err != nil {
		t.Errorf("another account was refused: %v", err)
	}
}

// TestSettleOnce: two staff settling the same dispute at once, with
// opposite decisions: one settles it, the other is told it is closed, and
// the number ends with exactly one of the two.
func TestSettleOnce(t *testing.T) {
	e, u := world(t)
	ctx := context.Background()
	for _, who := range []string{"owner", "squatter"} {
		if _, err := e.People.Save(ctx, u[who], input(idA, ""), "api", servicetest.Meta); err != nil {
			t.Fatal(err)
		}
	}
	id := u["squatter"].ID + ":" + people.FieldID
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, decision := range []string{people.ToClaimant, people.ToHolder} {
		wg.Go(func() { _, errs[i] = e.People.Resolve(ctx, u["hotline"], id, decision, "核驗", servicetest.Meta) })
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("both or neither settled: %v", errs)
	}
	for _, err := range errs {
		if err != nil && !core.IsCode(err, core.Conflict) {
			t.Errorf("the loser got %v, want a conflict", err)
		}
	}
	holders := 0
	for _, who := range []string{"owner", "squatter"} {
		p, _ := e.People.Get(ctx, u["hotline"], u[who].ID)
		if p.IDSealed != "" {
			holders++
		}
		if len(p.Pending) != 0 {
			t.Errorf("%s still pending", who)
		}
	}
	found, ok := e.People.FindBySensitive(ctx, u["hotline"], idA)
	if holders != 1 || !ok {
		t.Errorf("%d profiles keep the number, the look-up found %q", holders, found)
	}
}

// TestProfileTakesLabels: a profile names its district and its venture's
// industry by code or label in either script, and stores the code; once
// an entry is retired, a profile that holds it keeps it through a save,
// and another cannot take it.
func TestProfileTakesLabels(t *testing.T) {
	e, u := world(t)
	ctx := context.Background()
	in := input(idA, phoneA)
	in.District = "东城区"
	in.Facts.Venture = &policy.Venture{Stage: "preparing", Industry: "桑拿"}
	p, err := e.People.Save(ctx, u["owner"], in, "api", servicetest.Meta)
	if err != nil {
		t.Fatal(err)
	}
	if p.District != "dongcheng" || p.Facts.Venture.Industry != "sauna" {
		t.Fatalf("stored %q and %q", p.District, p.Facts.Venture.Industry)
	}
	for _, c := range []struct {
		kind reference.Kind
		code string
	}{{reference.District, "dongcheng"}, {reference.Sector, "sauna"}} {
		if err := e.Reference.Retire(ctx, e.Admin, c.kind, c.code, servicetest.Meta); err != nil {
			t.Fatal(err)
		}
	}
	in.District, in.Facts.Venture.Industry = "東城區", "sauna"
	if _, err := e.People.Save(ctx, u["owner"], in, "api", servicetest.Meta); err != nil {
		t.Errorf("a save keeping retired values: %v", err)
	}
	other := input(idB, phoneB)
	other.District = "東城區"
	other.Facts.Venture = &policy.Venture{Industry: "Sauna"}
	_, err = e.People.Save(ctx, u["fresh"], other, "api", servicetest.Meta)
	if fields := core.FieldNames(err); !reflect.DeepEqual(fields, []string{"district", "venture.industry"}) {
		t.Errorf("retired values taken by a new profile: %v", err)
	}
}
