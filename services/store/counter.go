package store

import (
	"context"
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
