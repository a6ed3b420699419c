package replays_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"onestop/services/core"
	"onestop/services/privacy"
	"onestop/services/replays"
	"onestop/services/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func TestClaim(t *testing.T) {
	ctx := context.Background()
	now := new(atomic.Int64)
	now.Store(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC).UnixMilli())
	s, err := replays.New(replays.Deps{Store: storetest.New(t, replays.Collection), Clock: func() time.Time { return time.UnixMilli(now.Load()) }, Wait: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	answer := replays.Answer{Status: 201, ContentType: "application/json", Body: []byte(`{"id":"c1"}`)}
	steps := []struct {
		name    string
		do      func() (*replays.Answer, error)
		replay  bool
		code    core.Code
		advance time.Duration
	}{
		{name: "the first request runs", do: func() (*replays.Answer, error) { return s.Claim(ctx, "k1", "body", "u1") }},
		{name: "a retry while it runs waits", do: func() (*replays.Answer, error) { return s.Claim(ctx, "k1", "body", "u1") }, code: core.Conflict},
		{name: "another body under the key is refused", do: func() (*replays.Answer, error) { return s.Claim(ctx, "k1", "other", "u1") }, code: core.Invalid},
		{name: "once answered, a retry gets the answer", do: func() (*replays.Answer, error) {
			s.Done(ctx, "k1", answer)
			return s.Claim(ctx, "k1", "body", "u1")
		}, replay: true},
		{name: "a first request that died is taken over after the wait", do: func() (*replays.Answer, error) {
			if _, err := s.Claim(ctx, "k2", "body", "u1"); err != nil {
				return nil, err
			}
			now.Add(2 * time.Minute.Milliseconds())
			return s.Claim(ctx, "k2", "body", "u1")
		}},
		{name: "a released key runs again", do: func() (*replays.Answer, error) {
			s.Release(ctx, "k2")
			return s.Claim(ctx, "k2", "body", "u1")
		}},
	}
	for _, st := range steps {
		got, err := st.do()
		switch {
		case st.code != "":
			if !core.IsCode(err, st.code) {
				t.Errorf("%s: got %v, want %s", st.name, err, st.code)
			}
		case err != nil:
			t.Errorf("%s: %v", st.name, err)
		case st.replay != (got != nil):
			t.Errorf("%s: replayed %v", st.name, got)
		case st.replay && (got.Status != 201 || string(got.Body) != `{"id":"c1"}`):
			t.Errorf("%s: answer %+v", st.name, got)
		}
	}
	// Erasure takes the person's kept answers; a day later Purge takes
	// everyone's.
	if err := s.PersonalData().Erase(ctx, privacy.Subject{ID: "u1"}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Claim(ctx, "k1", "body", "u1"); err != nil || got != nil {
		t.Errorf("after erasure the key still answered: %v %v", got, err)
	}
	now.Add(replays.Keep.Milliseconds() + 1)
	if err := s.Purge(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Claim(ctx, "k1", "other body", "u1"); err != nil || got != nil {
		t.Errorf("after the purge the key still held: %v %v", got, err)
	}
}
