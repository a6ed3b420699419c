package figures

import "onestop/services/store"

// Killed is a service over st whose counts stop before their write n after
// the journal (1: the claims, 2: the first rollup's sums, …), as a process
// killed there would: it leaves its journal for Recover. 0 kills none.
func Killed(st *store.Store, n int) (*Service, error) {
	s, err := New(Deps{Store: st})
	if err != nil {
		return nil, err
	}
	s.kill = n
	return s, nil
}
