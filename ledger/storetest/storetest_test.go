package storetest_test

import (
	"sync"
	"testing"

	"astara/ledger"
	"astara/ledger/storetest"
)

// The suite holds for the reference store in memory, so that a backend
// that fails it has a bug of its own, not the suite.
func TestMemStore(t *testing.T) {
	var mu sync.Mutex
	stores := make(map[*testing.T]*storetest.MemStore)
	storetest.Run(t, func(t *testing.T) ledger.Store {
		mu.Lock()
		defer mu.Unlock()
		st, ok := stores[t]
		if !ok {
			st = &storetest.MemStore{}
			stores[t] = st
		}
		return st
	})
}
