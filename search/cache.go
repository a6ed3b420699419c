package search

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"time"
)

// Cached answers a search asked before, as long as nothing was written
// to its index since. With the embedded engine one process owns the index
// and every write to it passes here (the outbox, imports, rebuilds), so a
// cached answer is exactly what the engine would give. Measured under the
// load program: the library's landing page — every recommended project,
// sorted, with facet counts over all of them — made Bleve visit every
// matching document (about 100 ms of CPU at 50,000 projects) and took
// 44 % of the portal's CPU; asked again it is a map look-up. Not used with
// Meilisearch, which other replicas write to.
type Cached struct {
	Engine
	mu      sync.Mutex
	gen     map[string]uint64 // writes per index
	entries map[string]cachedSearch
}

type cachedSearch struct {
	gen uint64
	at  time.Time
	res *Result
}

const (
	searchCacheSize = 2000
	// searchCacheAge bounds an answer's life even without writes.
	searchCacheAge = time.Minute
)

// Cache wraps an engine that this process alone writes to (the embedded
// Bleve) with the cache.
func Cache(e Engine) *Cached {
	return &Cached{Engine: e, gen: map[string]uint64{}, entries: map[string]cachedSearch{}}
}

func (c *Cached) Search(ctx context.Context, index string, q Query) (*Result, error) {
	b, err := json.Marshal(q)
	if err != nil {
		return c.Engine.Search(ctx, index, q)
	}
	key := index + "\x00" + string(b)
	c.mu.Lock()
	gen := c.gen[index]
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && e.gen == gen && time.Since(e.at) < searchCacheAge {
		return copyResult(e.res), nil
	}
	res, err := c.Engine.Search(ctx, index, q)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.gen[index] == gen { // no write meanwhile: what was read is current
		if len(c.entries) >= searchCacheSize {
			clear(c.entries)
		}
		c.entries[key] = cachedSearch{gen: gen, at: time.Now(), res: copyResult(res)}
	}
	c.mu.Unlock()
	return res, nil
}

// wrote marks index changed; answers read before it are no longer used.
func (c *Cached) wrote(index string) {
	c.mu.Lock()
	c.gen[index]++
	c.mu.Unlock()
}

func (c *Cached) Upsert(ctx context.Context, index string, docs ...Doc) error {
	defer c.wrote(index)
	return c.Engine.Upsert(ctx, index, docs...)
}

func (c *Cached) Delete(ctx context.Context, index string, ids ...string) error {
	defer c.wrote(index)
	return c.Engine.Delete(ctx, index, ids...)
}

func (c *Cached) Ensure(ctx context.Context, ix Index) (bool, error) {
	defer c.wrote(ix.Name)
	return c.Engine.Ensure(ctx, ix)
}

// copyResult gives each caller its own result and hit list, so no caller
// changes another's.
func copyResult(r *Result) *Result {
	out := *r
	out.Hits = slices.Clone(r.Hits)
	return &out
}
