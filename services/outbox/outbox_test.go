package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"

	"onestop/search"
	"onestop/services/outbox"
	"onestop/services/store"
	"onestop/services/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// flaky is a real Bleve engine that can be switched off.
type flaky struct {
	search.Engine
	down atomic.Bool
}

func (f *flaky) Upsert(ctx context.Context, index string, docs ...search.Doc) error {
	if f.down.Load() {
		return errors.New("engine down")
	}
	return f.Engine.Upsert(ctx, index, docs...)
}

var notes = search.Index{Name: "notes", Text: []string{"text"}}

// setup gives an outbox over a store and a real Bleve engine, with one
// source of notes and its follow-up when one is given.
func setup(t *testing.T, after ...func(context.Context, []string) error) (*store.Store, *flaky, *outbox.Outbox) {
	s := storetest.New(t, outbox.Collection, store.Collection{Name: "notes"})
	b, err := search.OpenBleve(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	e := &flaky{Engine: b}
	o := outbox.New(s, e, slog.New(slog.NewTextHandler(io.Discard, nil)))
	load := func(ctx context.Context, id string) (*search.Doc, error) {
		var d struct {
			Text string `bson:"text"`
		}
		if err := s.Get(ctx, "notes", id, &d); err != nil {
			return nil, err
		}
		return &search.Doc{ID: id, Fields: map[string]any{"text": d.Text}}, nil
	}
	each := func(ctx context.Context, fn func(search.Doc) error) error {
		cur, err := s.C("notes").Find(ctx, bson.D{})
		if err != nil {
			return err
		}
		for cur.Next(ctx) {
			var d struct {
				ID   string `bson:"_id"`
				Text string `bson:"text"`
			}
			cur.Decode(&d)
			fn(search.Doc{ID: d.ID, Fields: map[string]any{"text": d.Text}})
		}
		return cur.Err()
	}
	src := outbox.Source{Index: notes, Load: load, Each: each}
	if len(after) > 0 {
		src.After = after[0]
	}
	o.Register(src)
	if err := o.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s, e, o
}

func write(t *testing.T, s *store.Store, o *outbox.Outbox, id, text string) {
	ctx := context.Background()
	if err := o.Begin(ctx, "notes", id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.C("notes").InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "text", Value: text}}); err != nil {
		t.Fatal(err)
	}
	o.Apply(ctx, "notes", id)
}

func hits(t *testing.T, e search.Engine, q string) int {
	r, err := e.Search(context.Background(), "notes", search.Query{Text: q})
	if err != nil {
		t.Fatal(err)
	}
	return r.Total
}

func TestWritesAreSearchableAtOnce(t *testing.T) {
	s, e, o := setup(t)
	write(t, s, o, "n1", "孵化基地")
	if hits(t, e, "孵化") != 1 {
		t.Fatal("write not searchable when it returned")
	}
	if n, _ := o.Pending(context.Background()); n != 0 {
		t.Fatalf("%d notes left", n)
	}
}

// TestFollowUps: a write answers once indexed, before its follow-up runs;
// follow-ups of writes made together run together; one that fails keeps
// its note, and Drain runs it again.
func TestFollowUps(t *testing.T) {
	var mu sync.Mutex
	ran := map[string]int{}
	var calls int
	var failing atomic.Bool
	gate := make(chan struct{})
	close(gate)
	var gated atomic.Pointer[chan struct{}]
	gated.Store(&gate)
	s, e, o := setup(t, func(ctx context.Context, ids []string) error {
		<-*gated.Load()
		if failing.Load() {
			return errors.New("figures down")
		}
		mu.Lock()
		defer mu.Unlock()
		calls++
		for _, id := range ids {
			ran[id]++
		}
		return nil
	})
	ctx := context.Background()
	settle := func() {
		if err := o.Settle(ctx); err != nil {
			t.Fatal(err)
		}
	}
	pending := func() int64 {
		n, err := o.Pending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	held := make(chan struct{})
	gated.Store(&held)
	write(t, s, o, "n1", "孵化基地") // answers while its follow-up waits
	if hits(t, e, "孵化") != 1 || pending() != 1 || len(ran) != 0 {
		t.Fatalf("answered: %d hits, %d pending, follow-ups %v", hits(t, e, "孵化"), pending(), ran)
	}
	var wg sync.WaitGroup
	for i := 2; i <= 9; i++ {
		wg.Go(func() { write(t, s, o, fmt.Sprintf("n%d", i), "創業") })
	}
	wg.Wait()
	close(held)
	settle()
	mu.Lock()
	if len(ran) != 9 || calls >= 9 {
		t.Errorf("follow-ups %v in %d calls; want all nine, fewer calls", ran, calls)
	}
	mu.Unlock()
	if n := pending(); n != 0 {
		t.Fatalf("%d notes left after the follow-ups", n)
	}

	failing.Store(true)
	write(t, s, o, "n10", "貸款")
	settle()
	if n := pending(); n != 1 {
		t.Fatalf("a failed follow-up left %d notes, want its own", n)
	}
	failing.Store(false)
	if err := o.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if n := pending(); n != 0 || ran["n10"] != 1 {
		t.Fatalf("after Drain: %d pending, n10 followed %d times", n, ran["n10"])
	}
}

func TestEngineDownThenDrain(t *testing.T) {
	s, e, o := setup(t)
	e.down.Store(true)
	write(t, s, o, "n1", "創業導師")
	if n, _ := o.Pending(context.Background()); n != 1 {
		t.Fatalf("pending = %d, want the note kept", n)
	}
	if err := o.Drain(context.Background()); err == nil {
		t.Fatal("drain reported success while the engine is down")
	}
	e.down.Store(false)
	if err := o.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	if hits(t, e, "導師") != 1 {
		t.Fatal("drained change not searchable")
	}
	if n, _ := o.Pending(context.Background()); n != 0 {
		t.Fatalf("%d notes left after drain", n)
	}
}

func TestDeletedRecordLeavesIndex(t *testing.T) {
	s, e, o := setup(t)
	write(t, s, o, "n1", "項目庫")
	ctx := context.Background()
	o.Begin(ctx, "notes", "n1")
	s.C("notes").DeleteOne(ctx, bson.D{{Key: "_id", Value: "n1"}})
	o.Apply(ctx, "notes", "n1")
	if hits(t, e, "項目") != 0 {
		t.Fatal("deleted record still found")
	}
}

func TestRebuild(t *testing.T) {
	s, e, o := setup(t)
	ctx := context.Background()
	for _, id := range []string{"a", "b", "c"} {
		s.C("notes").InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "text", Value: "熱線 " + id}})
	}
	n, err := o.Rebuild(ctx, "notes")
	if err != nil || n != 3 {
		t.Fatalf("rebuild: %d %v", n, err)
	}
	if hits(t, e, "熱線") != 3 {
		t.Fatal("rebuilt index incomplete")
	}
}

// counting counts index writes; the first waits until release is closed.
type counting struct {
	search.Engine
	upserts atomic.Int32
	release chan struct{}
}

func (c *counting) Upsert(ctx context.Context, index string, docs ...search.Doc) error {
	if c.upserts.Add(1) == 1 {
		<-c.release
	}
	return c.Engine.Upsert(ctx, index, docs...)
}

// TestConcurrentAppliesGoInTogether: writes applied while an index write is
// under way go in as one more write, and each is searchable when its Apply
// returns.
func TestConcurrentAppliesGoInTogether(t *testing.T) {
	s, e, _ := setup(t)
	c := &counting{Engine: e.Engine, release: make(chan struct{})}
	o := outbox.New(s, c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	o.Register(outbox.Source{Index: notes, Load: func(ctx context.Context, id string) (*search.Doc, error) {
		var d struct {
			Text string `bson:"text"`
		}
		if err := s.Get(ctx, "notes", id, &d); err != nil {
			return nil, err
		}
		return &search.Doc{ID: id, Fields: map[string]any{"text": d.Text}}, nil
	}})
	const n = 20
	var wg sync.WaitGroup
	var started atomic.Int32
	wg.Go(func() { write(t, s, o, "first", "創業 first") })
	for i := range n - 1 {
		wg.Go(func() {
			started.Add(1)
			write(t, s, o, fmt.Sprintf("n%02d", i), "創業")
		})
	}
	for started.Load() < n-1 {
		runtime.Gosched()
	}
	// Every record written (its Apply comes right after, to join the batch
	// waiting behind the first).
	for {
		if k, _ := s.C("notes").CountDocuments(context.Background(), bson.D{}); k >= n {
			break
		}
		runtime.Gosched()
	}
	for range 100 {
		runtime.Gosched()
	}
	close(c.release)
	wg.Wait()
	if got := hits(t, c, "創業"); got != n {
		t.Errorf("%d of %d writes searchable", got, n)
	}
	if p, _ := o.Pending(context.Background()); p != 0 {
		t.Errorf("%d notes left", p)
	}
	t.Logf("%d index writes for %d applies", c.upserts.Load(), n)
	if u := c.upserts.Load(); u >= n/2 {
		t.Errorf("%d index writes for %d applies, want them grouped", u, n)
	}
}

// TestAppliedNotesGoTogether (#22): applied notes leave the store a
// moment later, many in one write; a note written again after its record
// was read for the index stays for the apply that follows it.
func TestAppliedNotesGoTogether(t *testing.T) {
	s, _, o := setup(t)
	ctx := context.Background()
	before := s.Writes()
	for i := range 10 {
		write(t, s, o, fmt.Sprintf("n%d", i), "社區服務")
	}
	stored := func() int64 {
		n, err := s.C(outbox.Collection.Name).CountDocuments(ctx, bson.D{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Drain removes the applied notes first (a note dated in the very
	// millisecond its record was read stays, is applied again and goes
	// at the end of the drain).
	if err := o.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if n := stored(); n != 0 {
		t.Fatalf("%d applied notes still stored", n)
	}
	// Ten records: a note and a record each, and their removals together —
	// the timer's every 200 ms and the drains' — rather than one each.
	if w := s.Writes() - before; w >= 30 {
		t.Errorf("%d writes for 10 records", w)
	}

	// The record is read and indexed; then, before the applied note is
	// removed, it is written again, whose Begin finds the note there.
	write(t, s, o, "x", "第一版")
	if err := o.Begin(ctx, "notes", "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.C("notes").UpdateOne(ctx, bson.D{{Key: "_id", Value: "x"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "text", Value: "第二版"}}}}); err != nil {
		t.Fatal(err)
	}
	if err := o.Drain(ctx); err != nil { // removes what was applied, applies what was not
		t.Fatal(err)
	}
	if err := o.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := o.Engine().Search(ctx, "notes", search.Query{Text: "第二版"})
	if err != nil || r.Total != 1 {
		t.Fatalf("the second write is not in the index: %+v %v", r, err)
	}
	if n := stored(); n != 0 {
		t.Fatalf("%d notes stored after the drains", n)
	}
}
