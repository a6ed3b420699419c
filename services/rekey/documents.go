package rekey

import (
	"context"
	"errors"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"onestop/services/core"
	"onestop/services/documents"
	"onestop/services/store"
)

// files re-seals the uploaded files (services/documents) under the current
// key: a file sealed under a previous key, or kept in clear before files
// were sealed, is opened and sealed again by one update guarded on the key
// it was read under, so a second run, or two at once, change nothing more.
func (r *Rotator) files(ctx context.Context, opt Options, rep *Report) error {
	colls := make([]string, 0, len(documents.Collections))
	for c := range documents.Collections {
		colls = append(colls, c)
	}
	slices.Sort(colls)
	for _, coll := range colls {
		c := Count{Collection: coll}
		last := ""
		for {
			cur, err := r.store.C(coll).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: last}}}},
				options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(opt.PageSize)))
			if err != nil {
				return core.Wrap(err, "scan "+coll)
			}
			var page []fileDoc
			if err := cur.All(ctx, &page); err != nil {
				return core.Wrap(err, "scan "+coll)
			}
			for _, d := range page {
				last = d.ID
				c.Records++
				did, err := r.rekeyFile(ctx, coll, d)
				var f Failure
				switch {
				case errors.As(err, &f):
					rep.Failures = append(rep.Failures, f)
				case err != nil:
					return err
				}
				if did {
					c.Rekeyed++
				}
			}
			if opt.Progress != nil {
				opt.Progress(coll, c.Records, c.Records)
			}
			if len(page) < opt.PageSize {
				break
			}
		}
		rep.Counts = append(rep.Counts, c)
	}
	return nil
}

// fileDoc is a kept file as services/documents writes it.
type fileDoc struct {
	ID     string `bson:"_id"`
	Key    string `bson:"key,omitempty"`
	Sealed []byte `bson:"sealed,omitempty"`
	Data   []byte `bson:"data,omitempty"`
}

func (r *Rotator) rekeyFile(ctx context.Context, coll string, d fileDoc) (bool, error) {
	if d.Key == r.vault.KeyID() {
		return false, nil
	}
	bound := documents.Context(coll, d.ID)
	plain := d.Data
	if d.Key != "" {
		var err error
		if plain, err = r.vault.OpenBytes(bound, d.Key, d.Sealed); err != nil {
			return false, Failure{Collection: coll, ID: d.ID, Field: "sealed", Err: err}
		}
	}
	key, sealed := r.vault.SealBytes(bound, plain)
	var was any = d.Key
	if d.Key == "" {
		was = nil // kept in clear: no key field
	}
	err := r.store.UpdateIf(ctx, coll, d.ID, []store.Cond{store.Eq("key", was)},
		bson.D{{Key: "$set", Value: bson.D{{Key: "key", Value: key}, {Key: "sealed", Value: sealed}}}, {Key: "$unset", Value: bson.D{{Key: "data", Value: ""}}}})
	switch {
	case core.IsCode(err, core.NotFound), core.IsCode(err, core.Conflict):
		return false, nil // deleted meanwhile, or re-sealed by another run
	case err != nil:
		return false, err
	}
	return true, nil
}
