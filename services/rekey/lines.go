package rekey

import (
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"onestop/services/core"
	"onestop/services/store"
)

// The people an organisation's reward claim lists (services/grants): each
// line seals an ID number and keeps its blind index, and a line that
// counts holds a key `reward:<policy>:<index>` so a person is rewarded
// once. The names are repeated here, as for the other targets.
const (
	linesColl   = "grants"
	linesPrefix = "reward:"
)

// open statuses and a granted claim hold their counting lines' keys; a
// refused or withdrawn claim holds none.
var linesHeld = []string{"submitted", "returned", "granted"}

type claimLine struct {
	Name            string    `bson:"name"`
	IDSealed        string    `bson:"id_sealed"`
	IDMasked        string    `bson:"id_masked"`
	Index           string    `bson:"index"`
	ContractStart   core.Date `bson:"contract_start"`
	ContractYears   int       `bson:"contract_years"`
	SocialInsurance bool      `bson:"social_insurance"`
	Short           string    `bson:"short,omitempty"`
}

type claimDoc struct {
	ID       string      `bson:"_id"`
	PolicyID string      `bson:"policy_id"`
	Status   string      `bson:"status"`
	Version  int         `bson:"version"`
	Lines    []claimLine `bson:"lines"`
}

// lines re-keys every reward claim's lines: each number re-sealed and
// re-indexed under the current key, each counting line's key claimed
// under the new index before the claim is rewritten (guarded on its
// version) and released under the old one after, so a person stays
// claimed throughout.
func (r *Rotator) lines(ctx context.Context, opt Options, rep *Report) error {
	c := Count{Collection: linesColl}
	last := ""
	for {
		cur, err := r.store.C(linesColl).Find(ctx, bson.D{{Key: "_id", Value: bson.D{{Key: "$gt", Value: last}}}},
			options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(opt.PageSize)).
				SetProjection(bson.D{{Key: "policy_id", Value: 1}, {Key: "status", Value: 1}, {Key: "version", Value: 1}, {Key: "lines", Value: 1}}))
		if err != nil {
			return core.Wrap(err, "scan "+linesColl)
		}
		var page []claimDoc
		err = cur.All(ctx, &page)
		if err != nil {
			return core.Wrap(err, "scan "+linesColl)
		}
		for i := range page {
			d := &page[i]
			last = d.ID
			c.Records++
			did, err := r.rekeyLines(ctx, d)
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
			opt.Progress(linesColl, c.Records, c.Records)
		}
		if len(page) < opt.PageSize {
			break
		}
	}
	rep.Counts = append(rep.Counts, c)
	return nil
}

func (r *Rotator) rekeyLines(ctx context.Context, d *claimDoc) (bool, error) {
	if len(d.Lines) == 0 {
		return false, nil
	}
	held := false
	for _, s := range linesHeld {
		held = held || d.Status == s
	}
	lines := make([]claimLine, len(d.Lines))
	var take, drop []string
	changed := false
	for i, l := range d.Lines {
		lines[i] = l
		number, err := r.vault.Open("id_number", l.IDSealed)
		if err != nil {
			return false, Failure{Collection: linesColl, ID: d.ID, Field: "id_number", Err: err}
		}
		index := r.vault.BlindIndex("id_number", number)
		if r.vault.Current(l.IDSealed) && index == l.Index {
			continue
		}
		changed = true
		lines[i].IDSealed, lines[i].Index = r.vault.Seal("id_number", number), index
		if held && l.Short == "" && index != l.Index {
			take = append(take, linesPrefix+d.PolicyID+":"+index)
			drop = append(drop, linesPrefix+d.PolicyID+":"+l.Index)
		}
	}
	if !changed {
		return false, nil
	}
	for i, k := range take {
		if err := r.store.ClaimKey(ctx, k, d.ID, "error.stale"); err != nil {
			for _, got := range take[:i] {
				_ = r.store.ReleaseKey(context.WithoutCancel(ctx), got, d.ID)
			}
			return false, Failure{Collection: linesColl, ID: d.ID, Field: "lines", Err: fmt.Errorf("a person's key is another claim's: %w", err)}
		}
	}
	err := r.store.UpdateIf(ctx, linesColl, d.ID, []store.Cond{store.Eq("version", d.Version)},
		bson.D{{Key: "$set", Value: bson.D{{Key: "lines", Value: lines}}}, {Key: "$inc", Value: bson.D{{Key: "version", Value: 1}}}})
	if err != nil {
		for _, k := range take {
			_ = r.store.ReleaseKey(context.WithoutCancel(ctx), k, d.ID)
		}
		if core.IsCode(err, core.Conflict) {
			return false, Failure{Collection: linesColl, ID: d.ID, Err: errors.New("written meanwhile; run again")}
		}
		return false, err
	}
	for _, k := range drop {
		_ = r.store.ReleaseKey(ctx, k, d.ID)
	}
	return true, nil
}
