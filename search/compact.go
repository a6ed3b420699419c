package search

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
)

// Compactor is an engine that can rewrite an index so that documents
// deleted or replaced leave no trace in its files. The erasure of a person
// (services/privacy) needs it: Bleve keeps a replaced document's text in
// the segment it was first written to until that segment is merged away,
// so a name pseudonymised in the database would otherwise stay readable in
// the index directory for as long as the merger leaves that segment alone.
type Compactor interface {
	Compact(ctx context.Context, index string) error
}

// compactSentinel is the id of the empty document Compact adds for the
// length of a merge. Search hides it (see hideSentinel).
const compactSentinel = "\x00compact"

// Compact implements Compactor. It forces every segment of the index to be
// merged into one, which writes only the live documents, and waits until
// the files of the old segments are gone from the directory.
//
// A merge needs at least two segments: scorch will not rewrite a lone
// segment, however many of its documents were deleted. So an empty
// sentinel document is indexed first (a batch of its own makes a segment of
// its own), the merge runs, and the sentinel is deleted again; it holds no
// field, so no filter, text query or facet matches it, and Search leaves it
// out of match-all lists while it exists.
func (b *Bleve) Compact(ctx context.Context, index string) error {
	bi, err := b.get(index)
	if err != nil {
		return err
	}
	adv, err := bi.idx.Advanced()
	if err != nil {
		return err
	}
	sc, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil // Ensure makes scorch indexes only; nothing to do for another kind
	}
	// Scorch refuses a second forced merge of an index while one runs; one
	// at a time is plenty for a rare job.
	b.compacting.Lock()
	defer b.compacting.Unlock()
	dir := filepath.Join(b.dir, index+".bleve")
	old, err := segmentFiles(dir)
	if err != nil {
		return err
	}
	add := bi.idx.NewBatch()
	if err := add.Index(compactSentinel, map[string]any{}); err != nil {
		return err
	}
	if err := bi.idx.Batch(add); err != nil {
		return fmt.Errorf("search: compact %s: %w", index, err)
	}
	opts := mergeplan.SingleSegmentMergePlanOptions
	mergeErr := sc.ForceMerge(ctx, &opts)
	del := bi.idx.NewBatch()
	del.Delete(compactSentinel)
	// The sentinel goes even when the merge failed; its deletion is also
	// the write after the merge that makes the persister clean up.
	if err := bi.idx.Batch(del); err != nil {
		return fmt.Errorf("search: compact %s: %w", index, err)
	}
	if mergeErr != nil {
		return fmt.Errorf("search: compact %s: %w", index, mergeErr)
	}
	// A write after the merge makes the persister clean up; when the
	// sentinel's deletion was persisted before the merge was introduced,
	// no cleanup follows it, so the wait writes again now and then.
	nudge := func() error {
		again := bi.idx.NewBatch()
		again.Delete(compactSentinel)
		return bi.idx.Batch(again)
	}
	return waitRemoved(ctx, dir, old, nudge)
}

// segmentFiles names the segment files under an index directory (scorch
// keeps them in its store subdirectory).
func segmentFiles(dir string) (map[string]bool, error) {
	out := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed while walking
			}
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".zap") {
			out[p] = true
		}
		return nil
	})
	return out, err
}

// waitRemoved waits until none of files is left in dir: scorch's persister
// deletes a merged-away segment's file in the background once no snapshot
// refers to it, shortly after the merge; nudge, a write, runs once a
// second while any is left. The wait is bounded by ctx.
func waitRemoved(ctx context.Context, dir string, files map[string]bool, nudge func() error) error {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	lastNudge := time.Now()
	for {
		now, err := segmentFiles(dir)
		if err != nil {
			return err
		}
		left := 0
		for f := range files {
			if now[f] {
				left++
			}
		}
		if left == 0 {
			return nil
		}
		if time.Since(lastNudge) >= time.Second {
			if err := nudge(); err != nil {
				return fmt.Errorf("search: compact: %w", err)
			}
			lastNudge = time.Now()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("search: compact: %d old segment files still in %s: %w", left, dir, ctx.Err())
		case <-tick.C:
		}
	}
}

// hideSentinel drops Compact's sentinel from a page of hits: only a query
// matching every document (no text, no filter) can find it. While a merge
// runs, such a list's total on a page without it is one too many.
func hideSentinel(r *Result) {
	for i, h := range r.Hits {
		if h.ID == compactSentinel {
			r.Hits = append(r.Hits[:i:i], r.Hits[i+1:]...)
			r.Total--
			return
		}
	}
}

// Compact implements Compactor for the engine it opens; an engine that is
// not a Compactor (Meilisearch) has nothing to do.
func (l *Lazy) Compact(ctx context.Context, index string) error {
	e, err := l.Get()
	if err != nil {
		return err
	}
	if c, ok := e.(Compactor); ok {
		return c.Compact(ctx, index)
	}
	return nil
}
