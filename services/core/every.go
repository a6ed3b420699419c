package core

import (
	"context"
	"time"
)

// Every calls fn every interval, the first time one interval from now,
// until ctx ends: the loop of the background work that is not leased.
func Every(ctx context.Context, every time.Duration, fn func()) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn()
		}
	}
}
