package demo

import (
	"context"
	"fmt"
	"io"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"onestop/services/accounts"
	"onestop/services/core"
	"onestop/services/people"
	"onestop/services/store"
)

// bulkBatch is how many people are written per InsertMany.
const bulkBatch = 1000

// SeedPeopleBulk writes people [from, to) in batches — the login key, the
// account and the profile of each — and then rebuilds the accounts' and
// people's search indexes from the database, as `reindex` does. Through
// the services one person costs some 20 single-document writes and two
// index updates (about 5 people a second on two busy cores); in batches
// 100,000 take minutes.
//
// What differs from a person who signed up: the account has no usable
// password (the hash field holds no argon2id hash, so every sign-in
// fails: these people exist to make the collections and indexes city-sized,
// not to sign in), and the profile has no ID or phone number (the sealed
// values and their blind-index keys are the people service's to write) —
// birth date and gender are given directly. Ventures are at the idea or
// preparing stage, so no stability follow-up or figure depends on them,
// and no eligibility check is logged: the figures stay those of the
// records. Ids are derived from the login, so a second run finds every
// record and adds nothing.
func (l *Loader) SeedPeopleBulk(ctx context.Context, from, to int, stdout io.Writer, progress Progress) error {
	a := &l.a
	start := time.Now()
	set, done := progress(fmt.Sprintf("people %d–%d", from+1, to), int64(to-from))
	created := 0
	for lo := from; lo < to; lo += bulkBatch {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		hi := min(lo+bulkBatch, to)
		if _, err := a.store.KeyOwner(ctx, "email:"+SeedLogin(hi-1)); err == nil {
			var p people.Profile
			if a.store.Get(ctx, people.Collection.Name, seedPersonID(hi-1), &p) == nil {
				set(hi - from)
				continue // written by an earlier run
			}
		}
		n, err := a.bulkBatch(ctx, lo, hi)
		if err != nil {
			return fmt.Errorf("people %d–%d: %w", lo+1, hi, err)
		}
		created += n
		set(hi - from)
	}
	done()
	fmt.Fprintf(stdout, "people %d–%d: %d created in %s\n", from+1, to, created, time.Since(start).Round(time.Millisecond))
	if created == 0 {
		return nil // the indexes were rebuilt when they were written
	}
	for _, ix := range []string{accounts.Index.Name, people.Index.Name} {
		t := time.Now()
		set, done := progress("reindex "+ix, 0)
		n, err := a.Outbox.Rebuild(ctx, ix, set)
		done()
		if err != nil {
			return fmt.Errorf("reindex %s: %w", ix, err)
		}
		fmt.Fprintf(stdout, "reindex %s: %d documents in %s\n", ix, n, time.Since(t).Round(time.Millisecond))
	}
	return nil
}

// seedPersonID is the account and profile id of the i-th bulk person.
func seedPersonID(i int) string {
	return core.IDFor(core.WithIDSeed(context.Background(), "seed-load/"+SeedLogin(i)), "user")
}

func (a *areas) bulkBatch(ctx context.Context, lo, hi int) (int, error) {
	now := a.clock.Now().UTC().Truncate(time.Millisecond)
	var keys, users, profiles []any
	for i := lo; i < hi; i++ {
		id, login, name := seedPersonID(i), SeedLogin(i), seedName(i)
		// The key document as store.ClaimKey writes it.
		keys = append(keys, bson.D{{Key: "_id", Value: "email:" + login}, {Key: "owner", Value: id}, {Key: "at", Value: now}})
		users = append(users, &accounts.User{ID: id, Name: name, Email: login, Role: accounts.Entrepreneur,
			PasswordHash: "!seed-load: no password", CreatedAt: now, UpdatedAt: now})
		in := seedProfile(i, name)
		f := in.Facts
		if f.Venture != nil && f.Venture.Stage == "operating" {
			f.Venture.Stage, f.Venture.FirstRegistered, f.Venture.Employees = "preparing", nil, nil
			f.Employed = no()
		}
		birth := core.NewDate(1966, 1, 1).AddDays((i / 900) * 113)
		f.BirthDate, f.Gender = &birth, []string{"male", "female"}[i%2]
		profiles = append(profiles, &people.Profile{ID: id, RealName: name, District: in.District, Education: in.Education,
			Skills: in.Skills, Needs: in.Needs, Facts: f,
			Consents:  []people.Consent{{Version: people.NoticeVersion, At: now, Channel: "seed"}},
			CreatedAt: now, UpdatedAt: now})
	}
	created := 0
	for _, w := range []struct {
		coll string
		docs []any
	}{{store.Keys.Name, keys}, {"users", users}, {people.Collection.Name, profiles}} {
		res, err := a.store.C(w.coll).InsertMany(ctx, w.docs, options.InsertMany().SetOrdered(false))
		if err != nil && !mongo.IsDuplicateKeyError(err) {
			return 0, fmt.Errorf("insert %s: %w", w.coll, err)
		}
		if w.coll == people.Collection.Name && res != nil {
			created = len(res.InsertedIDs)
		}
	}
	return created, nil
}
