package mentors_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"onestop/search"
	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/figures"
	"onestop/services/matching"
	"onestop/services/mentors"
	"onestop/services/servicetest"
	"onestop/services/store"
	"onestop/services/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

var meta = accounts.Meta{IP: "192.0.2.8"}

type env struct {
	svc    *mentors.Service
	store  *store.Store
	engine search.Engine
	now    *atomic.Int64
	people map[string]accounts.Principal
	admin  accounts.Principal
	// figures are the rollups the consultations count into; settle waits
	// for the counts of the writes so far.
	figures *figures.Service
	settle  func(testing.TB)
}

func (e *env) advance(d time.Duration) { e.now.Add(d.Milliseconds()) }

func setup(t testing.TB) *env {
	t.Helper()
	x := servicetest.New(t, time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC), mentors.Collections...)
	svc := servicetest.Must(mentors.New(mentors.Deps{Store: x.Store, Outbox: x.Outbox, Audit: x.Audit, Notify: x.Notify, Clock: x.Clock,
		Figures: x.Figures, AnswerWithin: 48 * time.Hour, Reference: x.Reference}))
	x.Ready(t)
	e := &env{svc: svc, store: x.Store, engine: x.Engine, now: x.Now, admin: x.Admin, figures: x.Figures, settle: x.Settle, people: x.Users(t, map[string]accounts.Role{"asker": accounts.Entrepreneur,
		"other": accounts.Entrepreneur, "hotline": accounts.Hotline, "finance": accounts.Mentor, "tax": accounts.Mentor, "tech": accounts.Mentor})}
	ctx := context.Background()
	profiles := map[string]mentors.Profile{
		"finance": {Type: "successful_founder", Topics: []string{"financing", "operations"}, Industries: []string{"community_service"}, Bio: "十年連鎖零售經營，熟悉小額擔保貸款。", Languages: []string{"zh"}, Capacity: 2},
		"tax":     {Type: "expert_scholar", Topics: []string{"tax", "financing"}, Bio: "財稅專業教授，研究小微企業稅收。", Languages: []string{"zh"}, Capacity: 1},
		"tech":    {Type: "entrepreneur", Topics: []string{"technology", "financing"}, Industries: []string{"technology"}, Bio: "軟件公司創始人，做過三次創業。", Languages: []string{"zh", "en"}, Capacity: 5},
	}
	for name, p := range profiles {
		if _, err := svc.Save(ctx, e.people[name], p, meta); err != nil {
			t.Fatal(err)
		}
		if err := svc.SetStatus(ctx, e.admin, e.people[name].ID, mentors.Active, meta); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func (e *env) ask(t *testing.T, who, topic, industry string) *mentors.Consultation {
	t.Helper()
	c, err := e.svc.Ask(context.Background(), e.people[who], mentors.Question{Topic: topic, Industry: industry, Question: "想開社區超市，怎麼申請小額擔保貸款？"}, meta)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRoutingAndThread(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	p := e.people
	c := e.ask(t, "asker", "financing", "community_service")
	if c.Status != mentors.Waiting || c.MentorID != p["finance"].ID {
		t.Fatalf("routed to %s (%s), want finance", c.MentorName, c.Status)
	}
	tests := []struct {
		who  string
		read bool
	}{{"asker", true}, {"finance", true}, {"other", false}, {"tax", false}, {"tech", false}, {"hotline", false}}
	for _, tt := range tests {
		_, err := e.svc.Get(ctx, p[tt.who], c.ID)
		if (err == nil) != tt.read {
			t.Errorf("%s reads: %v, want %v", tt.who, err == nil, tt.read)
		}
	}
	if _, err := e.svc.Get(ctx, e.admin, c.ID); err != nil {
		t.Error("admin cannot read")
	}
	for _, bad := range []string{"", "   ", strings.Repeat("問", mentors.MaxText+1), "a\x00b"} {
		if _, err := e.svc.Reply(ctx, p["finance"], c.ID, bad, meta); !core.IsCode(err, core.Invalid) {
			t.Errorf("reply %.20q: %v", bad, err)
		}
	}
	if _, err := e.svc.Close(ctx, p["asker"], c.ID, 5, "", meta); !core.IsCode(err, core.Conflict) {
		t.Fatal("closed before any answer")
	}
	c, err := e.svc.Reply(ctx, p["finance"], c.ID, "<script>alert(1)</script> 可以先到人社局申請，帶上營業執照。", meta)
	if err != nil || c.Status != mentors.Answering || c.FirstAnswerAt.IsZero() {
		t.Fatalf("answer: %v %+v", err, c)
	}
	if _, err := e.svc.Reply(ctx, p["tax"], c.ID, "插話", meta); !core.IsCode(err, core.NotFound) {
		t.Fatal("another mentor wrote in the thread")
	}
	if _, err := e.svc.MarkAnswered(ctx, p["asker"], c.ID, meta); !core.IsCode(err, core.Forbidden) {
		t.Fatal("the asker marked it answered")
	}
	c, _ = e.svc.MarkAnswered(ctx, p["finance"], c.ID, meta)
	for _, r := range []int{0, 6, -1} {
		if _, err := e.svc.Close(ctx, p["asker"], c.ID, r, "", meta); !core.IsCode(err, core.Invalid) {
			t.Errorf("rating %d accepted", r)
		}
	}
	if _, err := e.svc.Close(ctx, p["other"], c.ID, 5, "", meta); !core.IsCode(err, core.NotFound) {
		t.Fatal("a stranger rated")
	}
	if _, err := e.svc.Close(ctx, p["asker"], c.ID, 4, "很有幫助", meta); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Close(ctx, p["asker"], c.ID, 5, "", meta); !core.IsCode(err, core.Conflict) {
		t.Fatal("rated twice")
	}
	if _, err := e.svc.Reply(ctx, p["finance"], c.ID, "補充一句", meta); !core.IsCode(err, core.Conflict) {
		t.Fatal("answered a closed thread")
	}
	m, _ := e.svc.Mentor(ctx, p["finance"].ID)
	if m.Load != 0 || m.Ratings != 1 || m.Rating() != 4 || m.Answered != 1 {
		t.Fatalf("mentor after: %+v", m)
	}
}

func TestCapacityDeclineAndHotline(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	p := e.people
	// tax has capacity 1 and is the only tax expert: a second tax question
	// waits, unassigned, until tax has room again.
	c1 := e.ask(t, "asker", "tax", "")
	c2 := e.ask(t, "other", "tax", "")
	if c1.MentorID != p["tax"].ID || c2.Status != mentors.Unassigned {
		t.Fatalf("routing by capacity: %s, %s %s", c1.MentorName, c2.MentorName, c2.Status)
	}
	if _, err := e.svc.Reassign(ctx, p["other"], c2.ID, p["tax"].ID, meta); !core.IsCode(err, core.Conflict) {
		t.Fatalf("picked a full mentor: %v", err)
	}
	e.svc.Reply(ctx, p["tax"], c1.ID, "可以申請稅收減免，帶齊材料。", meta)
	e.svc.MarkAnswered(ctx, p["tax"], c1.ID, meta)
	if rep, err := e.svc.Pass(ctx); err != nil || rep.Routed != 1 {
		t.Fatalf("the waiting question was not routed: %+v %v", rep, err)
	}
	if c2, _ = e.svc.Get(ctx, p["other"], c2.ID); c2.MentorID != p["tax"].ID {
		t.Fatalf("after the pass: %s", c2.MentorName)
	}
	// finance declines a financing question: it moves to the next fitting
	// mentor with room (tech; tax is full again).
	c3 := e.ask(t, "asker", "financing", "community_service")
	if c3.MentorID != p["finance"].ID {
		t.Fatalf("financing went to %s", c3.MentorName)
	}
	if _, err := e.svc.Decline(ctx, p["finance"], c3.ID, "", meta); !core.IsCode(err, core.Invalid) {
		t.Fatal("declined without a reason")
	}
	c3, err := e.svc.Decline(ctx, p["finance"], c3.ID, "最近太忙", meta)
	if err != nil || c3.MentorID != p["tech"].ID || c3.Rematches != 1 {
		t.Fatalf("after decline: %v %+v", err, c3)
	}
	// The mentor it left still reads the thread, but cannot write.
	if _, err := e.svc.Get(ctx, p["finance"], c3.ID); err != nil {
		t.Error("the earlier mentor lost read access")
	}
	if _, err := e.svc.Reply(ctx, p["finance"], c3.ID, "還是我來吧", meta); !core.IsCode(err, core.Forbidden) {
		t.Error("the earlier mentor wrote in the thread")
	}
	// Hotline logs a question for a caller without an account.
	if _, err := e.svc.Ask(ctx, p["hotline"], mentors.Question{Topic: "technology", Question: "來電者想做小程序開發"}, meta); !core.IsCode(err, core.Invalid) {
		t.Fatal("hotline question without a caller name")
	}
	h, err := e.svc.Ask(ctx, p["hotline"], mentors.Question{Topic: "technology", Question: "來電者想做小程序開發", ContactID: core.NewID(), CallerName: "陳先生"}, meta)
	if err != nil || h.AskerName != "陳先生" || h.MentorID != p["tech"].ID {
		t.Fatalf("hotline ask: %v %+v", err, h)
	}
	if _, err := e.svc.Get(ctx, p["hotline"], h.ID); err != nil {
		t.Error("hotline cannot read what it logged")
	}
	if _, err := e.svc.Get(ctx, p["hotline"], c3.ID); !core.IsCode(err, core.NotFound) {
		t.Error("hotline reads what it did not log")
	}
	if _, err := e.svc.Ask(ctx, p["tax"], mentors.Question{Topic: "tax", Question: "自己問自己"}, meta); !core.IsCode(err, core.Forbidden) {
		t.Error("a mentor asked")
	}
	if _, err := e.svc.Ask(ctx, p["asker"], mentors.Question{Topic: "astrology", Question: "問題內容足夠長"}, meta); !core.IsCode(err, core.Invalid) {
		t.Error("unknown topic accepted")
	}
}

func TestDeadlineWorker(t *testing.T) {
	e := setup(t)
	ctx := context.Background()
	p := e.people
	c := e.ask(t, "asker", "financing", "community_service") // to finance
	e.advance(23 * time.Hour)
	if rep, _ := e.svc.Pass(ctx); rep.Reminded != 0 || rep.Rematched != 0 {
		t.Fatalf("before half time: %+v", rep)
	}
	e.advance(2 * time.Hour)
	rep, err := e.svc.Pass(ctx)
	if err != nil || rep.Reminded != 1 {
		t.Fatalf("at half time: %+v %v", rep, err)
	}
	if rep, _ := e.svc.Pass(ctx); rep.Reminded != 0 {
		t.Fatal("reminded twice")
	}
	e.advance(24 * time.Hour)
	// Two workers pass at once: the consultation moves once.
	var wg sync.WaitGroup
	var moved atomic.Int32
	for range 2 {
		wg.Go(func() {
			rep, err := e.svc.Pass(ctx)
			if err != nil {
				t.Error(err)
			}
			moved.Add(int32(rep.Rematched))
		})
	}
	wg.Wait()
	c, _ = e.svc.Get(ctx, e.admin, c.ID)
	if moved.Load() != 1 || c.Rematches != 1 || c.MentorID != p["tech"].ID {
		t.Fatalf("%d moves; now with %s, %d rematches", moved.Load(), c.MentorName, c.Rematches)
	}
	fin, _ := e.svc.Mentor(ctx, p["finance"].ID)
	if fin.Load != 0 {
		t.Fatalf("the missed mentor still holds the slot: %d", fin.Load)
	}
	// The lease lets one worker at a time run.
	now := time.UnixMilli(e.now.Load())
	if ok, _ := e.store.Acquire(ctx, mentors.WorkerLease, "a", now, time.Minute); !ok {
		t.Fatal("first holder refused")
	}
	if ok, _ := e.store.Acquire(ctx, mentors.WorkerLease, "b", now, time.Minute); ok {
		t.Fatal("second holder got a held lease")
	}
	if ok, _ := e.store.Acquire(ctx, mentors.WorkerLease, "b", now.Add(2*time.Minute), time.Minute); !ok {
		t.Fatal("an expired lease was not taken over")
	}
}

func BenchmarkRouteAmong10000Mentors(b *testing.B) {
	ms := make([]matching.Mentor, 10000)
	topics := []string{"financing", "marketing", "licensing", "tax", "law", "technology", "operations", "restart"}
	for i := range ms {
		ms[i] = matching.Mentor{ID: fmt.Sprintf("m%05d", i), Topics: []string{topics[i%8], topics[(i*3)%8]}, Industries: []string{"technology"},
			Capacity: 5, Load: i % 6, Available: i%10 != 0, Languages: []string{"zh"}}
	}
	ask := matching.Ask{Topic: "tax", Industry: "technology", Language: "zh"}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		matching.Best(ask, ms, nil, now)
	}
}

// BenchmarkWorkerPass: one deadline pass with 100,000 open consultations in
// the index (BENCH_OPEN), 30 of them past their limit on the first pass.
// The pass finds its work through the index, so its cost follows the work
// due, not the number open.
func BenchmarkWorkerPass(b *testing.B) {
	e := setup(b)
	ctx := context.Background()
	for i := range 30 {
		who := []string{"asker", "other"}[i%2]
		if _, err := e.svc.Ask(ctx, e.people[who], mentors.Question{Topic: "financing", Question: "想開社區超市，怎麼申請小額擔保貸款？"}, meta); err != nil {
			b.Fatal(err)
		}
	}
	open := 100_000
	if v := os.Getenv("BENCH_OPEN"); v != "" {
		open, _ = strconv.Atoi(v)
	}
	later := float64(time.UnixMilli(e.now.Load()).Add(96 * time.Hour).UnixMilli())
	batch := make([]search.Doc, 0, 1000)
	for i := range open {
		batch = append(batch, search.Doc{ID: fmt.Sprintf("open%07d", i), Fields: map[string]any{"status": mentors.Waiting, "topic": "tax", "due_ms": later + float64(i)}})
		if len(batch) == cap(batch) || i == open-1 {
			if err := e.engine.Upsert(ctx, mentors.ConsultationIndex.Name, batch...); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	e.advance(49 * time.Hour)
	start := time.Now()
	rep, err := e.svc.Pass(ctx)
	if err != nil {
		b.Fatal(err)
	}
	first := time.Since(start)
	for b.Loop() {
		if _, err := e.svc.Pass(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(first.Milliseconds()), "first-pass-ms")
	b.ReportMetric(float64(rep.Rematched+rep.Routed+rep.Reminded), "first-pass-moves")
}
