package journal

import "astara/ledger"

// Test hooks for the history's records (records_test.go).
var (
	// RecordKey is the Pebble key of a record's version.
	RecordKey = recordKey
)

// CheckingHistory returns the store's History as Verify uses it: it
// compares what is written with what is stored instead of writing it.
func CheckingHistory(s *Store) ledger.History { return &History{s: s, check: true} }
