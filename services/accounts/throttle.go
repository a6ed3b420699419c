package accounts

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"onestop/services/core"
)

// limit is a fixed-window counter: at most max events per window and key.
// Counters live in the database, so every portal replica sees the same
// counts and a restart forgets nothing.
type limit struct {
	name   string
	max    int
	window time.Duration
}

// The limits of security-anchors.md S7 and R8.
var (
	loginPerAccount = limit{"login-account", 5, 15 * time.Minute}
	loginPerIP      = limit{"login-ip", 20, time.Minute}
	registerPerIP   = limit{"register-ip", 10, time.Hour}
)

type counter struct {
	ID      string    `bson:"_id"`
	Count   int       `bson:"count"`
	Expires time.Time `bson:"expires"`
}

func (s *Service) counterID(l limit, key string, now time.Time) (string, time.Time) {
	bucket := now.UnixNano() / int64(l.window)
	end := time.Unix(0, (bucket+1)*int64(l.window)).UTC()
	return fmt.Sprintf("%s:%s:%d", l.name, s.vault.BlindIndex("throttle-key", key), bucket), end
}

// throttle returns TooManyRequests when key has used up its window.
func (s *Service) throttle(ctx context.Context, l limit, key string) error {
	now := s.clock.Now()
	id, end := s.counterID(l, key, now)
	var c counter
	err := s.store.Get(ctx, "throttle", id, &c)
	if core.IsCode(err, core.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if c.Count >= l.max {
		return &core.Error{Code: core.TooManyRequests, Message: "error.too_many", RetryAfter: int(end.Sub(now).Seconds()) + 1}
	}
	return nil
}

// hit counts one event against key.
func (s *Service) hit(ctx context.Context, l limit, key string) error {
	now := s.clock.Now()
	id, end := s.counterID(l, key, now)
	_, err := s.store.C("throttle").UpdateOne(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "count", Value: 1}}}, {Key: "$setOnInsert", Value: bson.D{{Key: "expires", Value: end}}}},
		options.UpdateOne().SetUpsert(true))
	return core.Wrap(err, "throttle")
}

// PurgeCounters deletes expired counters; the portal runs it now and then.
// (The embedded store has no TTL indexes.)
func (s *Service) PurgeCounters(ctx context.Context) error {
	_, err := s.store.C("throttle").DeleteMany(ctx, bson.D{{Key: "expires", Value: bson.D{{Key: "$lt", Value: s.clock.Now()}}}})
	return core.Wrap(err, "purge counters")
}
