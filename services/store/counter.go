package store

import (
	"context"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"onestop/services/core"
)

// Bump adds one to the counter document id of coll, creating it to expire
// at expires when missing, and returns the count after the addition.
//
// Counting and reading the count are one step (findAndModify by `_id`,
// which the embedded store's write gate also runs one at a time), so of n
// concurrent callers each sees a different count: a limit checked on the
// returned value admits exactly as many as it allows, where reading first
// and counting afterwards lets every racer through.
func (s *Store) Bump(ctx context.Context, coll, id string, expires time.Time) (int, error) {
	var c struct {
		Count int `bson:"count"`
	}
	err := s.C(coll).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: id}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "count", Value: 1}}}, {Key: "$setOnInsert", Value: bson.D{{Key: "expires", Value: expires}}}},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&c)
	if err != nil {
		return 0, core.Wrap(err, "count "+coll)
	}
	return c.Count, nil
}

// Limit is a fixed-window limit: at most Max events per Window and key.
// Its counters live in the database, so every replica sees the same counts
// and a restart forgets nothing.
type Limit struct {
	Name   string
	Max    int
	Window time.Duration
}

// Counter is the id of key's counter in the window of now, and when that
// window ends. key must already be a keyed hash: counters hold nothing in
// clear (no e-mail, phone number or address).
func (l Limit) Counter(key string, now time.Time) (id string, end time.Time) {
	bucket := now.UnixNano() / int64(l.Window)
	return fmt.Sprintf("%s:%s:%d", l.Name, key, bucket), time.Unix(0, (bucket+1)*int64(l.Window)).UTC()
}

// Take counts one event against key before the event runs, and refuses it
// with TooManyRequests (saying how long to wait) once the count passes the
// limit: the count and the check are one step (Bump), so of any number of
// events at once no more than Max run. It returns the counter's id, for a
// caller that gives the count back.
func (s *Store) Take(ctx context.Context, coll string, l Limit, key string, now time.Time) (string, error) {
	id, end := l.Counter(key, now)
	n, err := s.Bump(ctx, coll, id, end)
	if err != nil {
		return "", err
	}
	if n > l.Max {
		return "", &core.Error{Code: core.TooManyRequests, Message: "error.too_many", RetryAfter: int(end.Sub(now).Seconds()) + 1}
	}
	return id, nil
}

// Sequences holds the counters of numbered series (a year's complaint
// reference numbers): one document per series, `{_id: series, n: last}`.
var Sequences = Collection{Name: "sequences"}

// Next is the next number of series, from 1: counting and reading are one
// findAndModify by `_id`, so of any number of callers at once each gets a
// different number, on MongoDB and on the embedded store alike. A number
// taken by a write that then fails is not given again: a series may have
// gaps, never a duplicate.
func (s *Store) Next(ctx context.Context, series string) (int64, error) {
	var c struct {
		N int64 `bson:"n"`
	}
	err := s.C(Sequences.Name).FindOneAndUpdate(ctx, bson.D{{Key: "_id", Value: series}},
		bson.D{{Key: "$inc", Value: bson.D{{Key: "n", Value: int64(1)}}}},
		options.FindOneAndUpdate().SetUpsert(true).SetReturnDocument(options.After)).Decode(&c)
	if err != nil {
		return 0, core.Wrap(err, "next of "+series)
	}
	return c.N, nil
}
