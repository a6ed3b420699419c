package projects_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/audit"
	"onestop/services/core"
	"onestop/services/notify"
	"onestop/services/outbox"
	"onestop/services/pii"
	"onestop/services/projects"
	"onestop/services/reference"
	"onestop/services/servicetest"
	"onestop/services/store"
	"onestop/services/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// downable is a real Bleve engine whose searches can be made to fail.
type downable struct {
	search.Engine
	down atomic.Bool
}

func (d *downable) Search(ctx context.Context, index string, q search.Query) (*search.Result, error) {
	if d.down.Load() {
		return nil, errors.New("engine down")
	}
	return d.Engine.Search(ctx, index, q)
}

type env struct {
	svc    *projects.Service
	ref    *reference.Lists
	acc    *accounts.Service
	engine *downable
	people map[string]accounts.Principal
}

var meta = accounts.Meta{IP: "192.0.2.9"}

func setup(t *testing.T) *env {
	t.Helper()
	colls := slices.Concat([]store.Collection{outbox.Collection, audit.Collection, projects.Collection, reference.Collection}, accounts.Collections, notify.Collections)
	s := storetest.New(t, colls...)
	b, err := search.OpenBleve(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	e := &downable{Engine: b}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	o := outbox.New(s, e, log)
	a := servicetest.Must(audit.New(audit.Deps{Store: s, Outbox: o, Log: log}))
	n := servicetest.Must(notify.New(notify.Deps{Store: s, Outbox: o, Log: log}))
	vault := servicetest.Must(pii.NewVault(bytes.Repeat([]byte{3}, 32)))
	acc := servicetest.Must(accounts.New(accounts.Deps{Store: s, Outbox: o, Audit: a, Vault: vault, Argon2: accounts.Argon2{MemoryKiB: 64, Time: 1, Threads: 1}, Log: log, Notify: n}))
	ref := servicetest.Must(reference.New(reference.Deps{Store: s, Audit: a, Log: log}))
	if err := ref.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	svc := servicetest.Must(projects.New(projects.Deps{Store: s, Outbox: o, Audit: a, Accounts: acc, Reference: ref}))
	if err := o.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	ev := &env{svc: svc, ref: ref, acc: acc, engine: e, people: map[string]accounts.Principal{}}
	admin := accounts.Principal{ID: "bootstrap", Role: accounts.Admin}
	for name, role := range map[string]accounts.Role{"owner": accounts.Entrepreneur, "other": accounts.Entrepreneur,
		"rev1": accounts.Mentor, "rev2": accounts.Mentor, "rev3": accounts.Mentor, "admin": accounts.Admin, "hotline": accounts.Hotline} {
		u, err := acc.Create(context.Background(), admin, accounts.NewAccount{Email: name + "@test.cn", Password: "Long-enough-9", Name: name, Role: role}, meta)
		if err != nil {
			t.Fatal(err)
		}
		ev.people[name] = accounts.Principal{ID: u.ID, Role: role, Name: name}
	}
	return ev
}

func input(title string) projects.Input {
	return projects.Input{Title: title, Summary: "社區服務創業項目", Description: "為社區居民提供家政與養老服務。", Industry: "community_service",
		District: "dongcheng", InvestmentYuan: 50000, Risk: "low", ExpectedJobs: 3, TargetGroups: []string{"college_graduate"}, Tags: []string{"養老"}, Source: "individual"}
}

func score(n int) projects.ReviewInput {
	return projects.ReviewInput{Scores: map[string]int{"market": n, "investment": n, "risk": n, "employment": n, "feasibility": n}, Opinion: "市場需求穩定，投入可控，建議推介。"}
}

func TestWorkflow(t *testing.T) {
	ev := setup(t)
	ctx := context.Background()
	p := ev.people
	pr, err := ev.svc.Create(ctx, p["owner"], input("社區家政服務站"), false, meta)
	if err != nil || pr.Status != projects.Draft {
		t.Fatalf("create: %v %v", pr, err)
	}
	// A draft is not public.
	if _, err := ev.svc.Get(ctx, p["other"], pr.ID); !core.IsCode(err, core.NotFound) {
		t.Fatalf("draft visible to others: %v", err)
	}
	if _, err := ev.svc.Submit(ctx, p["other"], pr.ID, meta); !core.IsCode(err, core.NotFound) {
		t.Fatalf("stranger submitted: %v", err)
	}
	if pr, err = ev.svc.Submit(ctx, p["owner"], pr.ID, meta); err != nil || pr.Status != projects.Submitted {
		t.Fatal(err)
	}
	// Reviewers: two at least, never the submitter, mentors or admins only.
	for _, bad := range [][]string{{p["rev1"].ID}, {p["rev1"].ID, p["owner"].ID}, {p["rev1"].ID, p["hotline"].ID}, {p["rev1"].ID, p["rev1"].ID}} {
		if _, err := ev.svc.AssignReviewers(ctx, p["admin"], pr.ID, bad, meta); !core.IsCode(err, core.Invalid) {
			t.Errorf("reviewers %v: %v", bad, err)
		}
	}
	if _, err := ev.svc.AssignReviewers(ctx, p["rev1"], pr.ID, []string{p["rev1"].ID, p["rev2"].ID}, meta); !core.IsCode(err, core.Forbidden) {
		t.Fatal("a mentor assigned reviewers")
	}
	if pr, err = ev.svc.AssignReviewers(ctx, p["admin"], pr.ID, []string{p["rev1"].ID, p["rev2"].ID}, meta); err != nil || pr.Status != projects.UnderEvaluation {
		t.Fatal(err)
	}
	if _, err := ev.svc.Decide(ctx, p["admin"], pr.ID, projects.Recommended, "strong_market", "", meta); !core.IsCode(err, core.Conflict) {
		t.Fatal("decided before the reviews were in")
	}
	if _, err := ev.svc.Review(ctx, p["rev3"], pr.ID, score(4), meta); !core.IsCode(err, core.NotFound) {
		t.Fatalf("an unassigned reviewer reviewed: %v", err)
	}
	if _, err := ev.svc.Review(ctx, p["rev1"], pr.ID, projects.ReviewInput{Scores: map[string]int{"market": 9}, Opinion: "短"}, meta); !core.IsCode(err, core.Invalid) {
		t.Fatal("a bad review was accepted")
	}
	// Both reviewers at once, each twice: two reviews in, none lost, no doubles.
	var wg sync.WaitGroup
	var ok atomic.Int32
	for _, r := range []string{"rev1", "rev2", "rev1", "rev2"} {
		wg.Go(func() {
			if _, err := ev.svc.Review(ctx, p[r], pr.ID, score(4), meta); err == nil {
				ok.Add(1)
			} else if !core.IsCode(err, core.Conflict) {
				t.Errorf("review by %s: %v", r, err)
			}
		})
	}
	wg.Wait()
	pr, _ = ev.svc.Get(ctx, p["admin"], pr.ID)
	if ok.Load() != 2 || len(pr.Reviews) != 2 || pr.Stage() != "awaiting_consensus" || pr.Score() != 20 {
		t.Fatalf("%d reviews accepted, %d stored, stage %s", ok.Load(), len(pr.Reviews), pr.Stage())
	}
	// Two administrators decide at once: one outcome wins.
	var decided atomic.Int32
	for _, outcome := range []string{projects.NotRecommended, projects.NotRecommended} {
		wg.Go(func() {
			if _, err := ev.svc.Decide(ctx, p["admin"], pr.ID, outcome, "weak_market", "市場已飽和", meta); err == nil {
				decided.Add(1)
			}
		})
	}
	wg.Wait()
	pr, _ = ev.svc.Get(ctx, p["owner"], pr.ID)
	if decided.Load() != 1 || pr.Status != projects.NotRecommended || pr.Outcome.Reason != "weak_market" {
		t.Fatalf("%d decisions; %s %+v", decided.Load(), pr.Status, pr.Outcome)
	}
	// The submitter revises and resubmits once.
	in := input("社區家政與養老服務站")
	if pr, err = ev.svc.Update(ctx, p["owner"], pr.ID, in, meta); err != nil || pr.Title != "社區家政與養老服務站" {
		t.Fatalf("revise: %v", err)
	}
	if pr, err = ev.svc.Submit(ctx, p["owner"], pr.ID, meta); err != nil || pr.Status != projects.Submitted || len(pr.Reviews) != 0 {
		t.Fatalf("resubmit: %v %+v", err, pr)
	}
	pr, _ = ev.svc.AssignReviewers(ctx, p["admin"], pr.ID, []string{p["rev2"].ID, p["rev3"].ID}, meta)
	ev.svc.Review(ctx, p["rev2"], pr.ID, score(5), meta)
	ev.svc.Review(ctx, p["rev3"], pr.ID, score(4), meta)
	if pr, err = ev.svc.Decide(ctx, p["admin"], pr.ID, projects.NotRecommended, "risk_too_high", "", meta); err != nil {
		t.Fatal(err)
	}
	if _, err := ev.svc.Submit(ctx, p["owner"], pr.ID, meta); !core.IsCode(err, core.Conflict) {
		t.Fatal("resubmitted twice")
	}
	if _, err := ev.svc.Update(ctx, p["owner"], pr.ID, in, meta); !core.IsCode(err, core.Conflict) {
		t.Fatal("edited after the one revision")
	}
	actions := []string{}
	for _, h := range pr.History {
		actions = append(actions, h.Action)
	}
	if got := strings.Join(actions, ","); got != "create,submit,assign,decide,edit,resubmit,assign,decide" {
		t.Errorf("history %s", got)
	}
}

func TestLibraryShowsRecommendedOnly(t *testing.T) {
	ev := setup(t)
	ctx := context.Background()
	rep, err := ev.svc.Import(ctx, strings.NewReader(strings.Join([]string{
		`{"external_id":"a1","title":"社區養老服務中心","summary":"居家養老上門服務","description":"","industry":"community_service","district":"dongcheng","investment_yuan":80000,"risk":"low","expected_jobs":6,"target_groups":["registered_unemployed"],"tags":["养老"],"source":"bureau","status":"recommended"}`,
		`{"external_id":"a2","title":"农产品电商直播","summary":"帮助农户线上销售","description":"","industry":"agri_processing","district":"beishan","investment_yuan":30000,"risk":"medium","expected_jobs":2,"target_groups":[],"tags":[],"source":"enterprise","status":"recommended"}`,
		`{"external_id":"a3","title":"未評估項目","summary":"尚未評估的項目","description":"","industry":"technology","district":"hightech","investment_yuan":500000,"risk":"high","expected_jobs":1,"target_groups":[],"tags":[],"source":"individual","status":"submitted"}`,
	}, "\n")), "jsonl", nil)
	if err != nil || rep.Created != 3 {
		t.Fatalf("import: %+v %v", rep, err)
	}
	guest := accounts.Principal{}
	tests := []struct {
		name string
		q    projects.Query
		want int
	}{
		{"all public", projects.Query{}, 2},
		{"simplified query, traditional text", projects.Query{Text: "养老"}, 1},
		{"traditional query, simplified text", projects.Query{Text: "農產品"}, 1},
		{"filter", projects.Query{Industry: "agri_processing"}, 1},
		{"target group", projects.Query{TargetGroup: "registered_unemployed"}, 1},
		{"investment range", projects.Query{MinInvestment: ptr(50000)}, 1},
		{"unevaluated not public", projects.Query{Text: "未評估"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := ev.svc.Search(ctx, guest, tt.q)
			if err != nil || r.Total != tt.want || r.Degraded {
				t.Fatalf("got %v (%v)", r, err)
			}
		})
	}
	r, _ := ev.svc.Search(ctx, guest, projects.Query{Sort: "investment_desc"})
	if r.Cards[0].InvestmentYuan != 80000 || r.Facets["industry"] == nil {
		t.Errorf("sort or facets: %+v", r)
	}
	// Search down: the library still answers, from the database, and says so.
	ev.engine.down.Store(true)
	r, err = ev.svc.Search(ctx, guest, projects.Query{Text: "農產品"})
	if err != nil || !r.Degraded {
		t.Fatalf("degraded: %+v %v", r, err)
	}
	r, err = ev.svc.Search(ctx, guest, projects.Query{Text: ".*", Industry: "community_service"})
	if err != nil || r.Total != 0 {
		t.Fatalf("a pattern in the text was not escaped: %+v %v", r, err)
	}
	r, err = ev.svc.Search(ctx, guest, projects.Query{Industry: "community_service"})
	if err != nil || r.Total != 1 || !r.Degraded {
		t.Fatalf("degraded filter: %+v %v", r, err)
	}
	// Bad queries are refused, not run.
	for _, q := range []projects.Query{{Sort: "price"}, {Industry: "x"}, {Text: strings.Repeat("長", 101)}, {MinInvestment: ptr(9), MaxInvestment: ptr(1)}} {
		if _, err := ev.svc.Search(ctx, guest, q); !core.IsCode(err, core.Invalid) {
			t.Errorf("%+v: %v", q, err)
		}
	}
}

func ptr(n int64) *int64 { return &n }

// TestImportTakesLabels: a file names districts and industries as people
// write them — a label in Traditional or Simplified characters, or in
// English — and the import stores the codes; a district nobody listed,
// or one retired, is refused on its line.
func TestImportTakesLabels(t *testing.T) {
	ev := setup(t)
	ctx := context.Background()
	admin := accounts.Principal{ID: "bootstrap", Role: accounts.Admin}
	if err := ev.ref.Retire(ctx, admin, reference.District, "beishan", meta); err != nil {
		t.Fatal(err)
	}
	csv := "external_id,title,summary,industry,district,investment_yuan,risk,expected_jobs,source,status\n" +
		"l-1,社區洗衣店,洗衣服務,社區服務型,東城區,20000,low,2,bureau,recommended\n" +
		"l-2,社区洗衣店,洗衣服务,社区服务型,东城区,20000,low,2,bureau,recommended\n" +
		"l-3,Laundry,Laundry service,Community service, Dongcheng ,20000,low,2,bureau,recommended\n" +
		"l-4,火星洗衣店,洗衣服務,社區服務型,火星區,20000,low,2,bureau,recommended\n" +
		"l-5,山區洗衣店,洗衣服務,社區服務型,北山縣,20000,low,2,bureau,recommended\n"
	rep, err := ev.svc.Import(ctx, strings.NewReader(csv), "csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created != 3 || len(rep.Rejected) != 2 {
		t.Fatalf("report %+v", rep)
	}
	for i, line := range []int{5, 6} {
		if r := rep.Rejected[i]; r.Line != line || !slices.Equal(r.Faults, []core.Fault{{Field: "district", Msg: "error.enum"}}) {
			t.Errorf("rejection %+v, want line %d for its district", r, line)
		}
	}
	jsonl := `{"external_id":"l-6","title":"東城早餐店","summary":"早餐","industry":"农副产品加工型","district":"东城区","risk":"low","source":"bureau","status":"recommended"}` + "\n"
	if rep, err := ev.svc.Import(ctx, strings.NewReader(jsonl), "jsonl", nil); err != nil || rep.Created != 1 {
		t.Fatalf("jsonl: %+v %v", rep, err)
	}
	// A query may name the district by its label too.
	r, err := ev.svc.Search(ctx, accounts.Principal{}, projects.Query{District: "東城區"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Total != 4 {
		t.Fatalf("%d projects in 東城區, want 4", r.Total)
	}
	for _, c := range r.Cards {
		if c.District != "dongcheng" || (c.Industry != "community_service" && c.Industry != "agri_processing") {
			t.Errorf("%s stored as %s / %s", c.ExternalID, c.District, c.Industry)
		}
	}
}

func TestImportIsIdempotentAndReportsBadRows(t *testing.T) {
	ev := setup(t)
	ctx := context.Background()
	var b strings.Builder
	for i := range 1200 {
		fmt.Fprintf(&b, `{"external_id":"p-%04d","title":"項目 %d","summary":"摘要","description":"","industry":"technology","district":"hightech","investment_yuan":%d,"risk":"low","expected_jobs":1,"target_groups":[],"tags":[],"source":"bureau","status":"recommended"}`+"\n", i, i, i*100)
	}
	b.WriteString(`{"external_id":"bad-1","title":"x","industry":"magic"}` + "\n")
	b.WriteString("not json\n")
	b.WriteString(`{"external_id":"p-0001","title":"項目一改","summary":"新摘要","description":"","industry":"technology","district":"hightech","investment_yuan":1,"risk":"low","expected_jobs":1,"target_groups":[],"tags":[],"source":"bureau","status":"recommended","extra":1}` + "\n")
	var seen int
	rep, err := ev.svc.Import(ctx, strings.NewReader(b.String()), "jsonl", func(n int) { seen = n })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created != 1200 || len(rep.Rejected) != 3 || rep.Lines != 1203 || seen != 1203 {
		t.Fatalf("report %+v, progress %d", rep, seen)
	}
	if rep.Rejected[0].Line != 1201 || !slices.Contains(rep.Rejected[0].Faults, core.Fault{Field: "industry", Msg: "error.enum"}) {
		t.Errorf("rejection %+v", rep.Rejected[0])
	}
	// The words of a line that does not parse are the reader's, not the decoder's.
	if f := rep.Rejected[1].Faults; len(f) != 1 || f[0] != (core.Fault{Msg: "error.json.syntax|1|2"}) {
		t.Errorf("a line that is not JSON: %+v", f)
	}
	if f := rep.Rejected[2].Faults; len(f) != 1 || f[0] != (core.Fault{Msg: "error.json.key_unknown|extra"}) {
		t.Errorf("a line with an unknown key: %+v", f)
	}
	again, err := ev.svc.Import(ctx, strings.NewReader(b.String()), "jsonl", nil)
	if err != nil || again.Created != 0 || again.Updated != 1200 {
		t.Fatalf("second import: %+v %v", again, err)
	}
	if n, _ := ev.engine.Count(ctx, projects.Index.Name); n != 1200 {
		t.Fatalf("index holds %d", n)
	}
	// CSV too.
	csv := "external_id,title,summary,industry,district,investment_yuan,risk,expected_jobs,target_groups,tags,source,status\n" +
		"c-1,社區洗衣店,洗衣服務,community_service,xicheng,20000,low,2,college_graduate|registered_unemployed,洗衣|便民,individual,recommended\n" +
		"c-2,壞的行,x,community_service,xicheng,lots,low,2,,,individual,recommended\n" +
		"c-3,\"引號沒有關上,x,community_service,xicheng,1,low,2,,,individual,recommended\n"
	rep, err = ev.svc.Import(ctx, strings.NewReader(csv), "csv", nil)
	if err != nil || rep.Created != 1 || len(rep.Rejected) != 2 || rep.Rejected[0].Line != 3 {
		t.Fatalf("csv: %+v %v", rep, err)
	}
	if f := rep.Rejected[0].Faults; !slices.Equal(f, []core.Fault{{Field: "investment_yuan", Msg: "error.number"}}) {
		t.Errorf("a number that is not one: %+v", f)
	}
	if f := rep.Rejected[1].Faults; !slices.Equal(f, []core.Fault{{Msg: "error.csv.syntax"}}) {
		t.Errorf("a quotation mark left open: %+v", f)
	}
	r, _ := ev.svc.Search(ctx, accounts.Principal{}, projects.Query{TargetGroup: "registered_unemployed"})
	if r.Total != 1 || r.Cards[0].ExternalID != "c-1" {
		t.Errorf("csv lists: %+v", r)
	}
}
