package store

// Waiting reports whether at least n items wait for the next commit.
func (g *Group[T]) Waiting(n int) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.open != nil && len(g.open.items) >= n
}
