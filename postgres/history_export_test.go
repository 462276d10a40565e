package postgres

import "astara/ledger"

// CheckingHistory returns the store's History as VerifyMachine uses it: it
// compares what is written with what is stored instead of writing it.
// Call close when done with it.
func CheckingHistory(s *Store) (h ledger.History, close func()) {
	ch := &History{s: s, check: true}
	return ch, ch.close
}
