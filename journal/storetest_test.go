package journal_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2/vfs"

	"astara/ledger"
	"astara/ledger/storetest"
)

// The journal passes the acceptance suite of every ledger.Store, on the
// file system in memory and on a real directory with real fsyncs.
func TestStoreAcceptance(t *testing.T) {
	t.Run("MemFS", func(t *testing.T) {
		fs := vfs.NewMem()
		storetest.Run(t, func(t *testing.T) ledger.Store {
			return MustOpen(t, fs, strings.ReplaceAll(t.Name(), "/", "_"))
		})
	})
	t.Run("Disk", func(t *testing.T) {
		base := t.TempDir()
		storetest.Run(t, func(t *testing.T) ledger.Store {
			return MustOpen(t, nil, filepath.Join(base, strings.ReplaceAll(t.Name(), "/", "_")))
		})
	})
}
