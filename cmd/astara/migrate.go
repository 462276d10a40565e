package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"astara/journal"
	"astara/ledger"
	"astara/payments"
	"astara/postgres"
)

// migrateGroupEntries is how many entries migrate-store writes per
// transaction.
const migrateGroupEntries = 1000

// runMigrateStore copies the embedded journal of --data into the empty
// PostgreSQL database of --store, entry by entry with its sequence number
// and timestamp, then the latest snapshot, and checks on arrival that the
// chain head PostgreSQL computed is the embedded journal's and that the
// copy verifies as `astara verify` would. The node must be stopped.
func runMigrateStore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate-store", stderr)
	data := fs.String("data", "", "data directory whose journal is copied (the node stopped)")
	store := fs.String("store", "", "the empty PostgreSQL database to copy it into (postgres://...)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *data == "":
		return usageError{"--data is required"}
	case *store == "":
		return usageError{"--store is required"}
	case fs.NArg() != 0:
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	if err := checkStoreURL(*store); err != nil {
		return err
	}
	dir := filepath.Join(*data, "journal")
	if _, err := os.Stat(dir); err != nil {
		return fmt.Errorf("no journal at %s: %w", dir, err)
	}
	src, err := journal.Open(dir, journal.Options{})
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, *store)
	if err != nil {
		return err
	}
	defer dst.Close()
	if n := dst.LastSeq(); n != 0 {
		return fmt.Errorf("%s already holds a journal (%d entries): migrate-store copies into an empty database only", redactURL(*store), n)
	}
	start := time.Now()
	if err := copyStore(ctx, src, dst); err != nil {
		// Leave the database as it was found: empty.
		if derr := dst.Discard(); derr != nil {
			return fmt.Errorf("%w; and emptying %s again failed (%v): empty it before another try", err, redactURL(*store), derr)
		}
		return err
	}
	rep, err := dst.VerifyMachine(payments.NewMachine(ledger.Options{}))
	if err != nil {
		return fmt.Errorf("FAULT in the copy: %w", err)
	}
	if rep.LastSeq != src.LastSeq() || rep.LastHash != src.LastHash() {
		head := src.LastHash()
		return fmt.Errorf("FAULT in the copy: it ends at entry %d, chain head %x; the embedded journal at %d, %x",
			rep.LastSeq, rep.LastHash[:8], src.LastSeq(), head[:8])
	}
	fmt.Fprintf(stdout, "copied %d entries into %s in %s; chain head %x, the same as the embedded journal's\n",
		rep.Entries, redactURL(*store), time.Since(start).Round(time.Millisecond), rep.LastHash[:8])
	if rep.SnapshotSeq != 0 {
		fmt.Fprintf(stdout, "snapshot ok: at entry %d, identical to the replayed state\n", rep.SnapshotSeq)
	}
	fmt.Fprintf(stdout, "double entry ok: %d accounts, %d transfers, %d open pending; every currency balances\n", rep.Accounts, rep.Transfers, rep.OpenPending)
	fmt.Fprintf(stdout, "serve with: astara serve --data %s --store %s\n", *data, redactURL(*store))
	return nil
}

// copyStore copies every entry of src and its latest snapshot into dst.
func copyStore(ctx context.Context, src *journal.Store, dst *postgres.Store) error {
	group := make([]ledger.Entry, 0, migrateGroupEntries)
	flush := func() error {
		if len(group) == 0 {
			return nil
		}
		if err := dst.Append(group); err != nil {
			return err
		}
		group = group[:0]
		return nil
	}
	err := src.Replay(0, func(e ledger.Entry) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		e.Payload = append([]byte(nil), e.Payload...)
		group = append(group, e)
		if len(group) == cap(group) {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return fmt.Errorf("copy the journal: %w", err)
	}
	if err := copySnapshot(src, dst); err != nil {
		return fmt.Errorf("copy the snapshot: %w", err)
	}
	return nil
}

// copySnapshot copies the latest snapshot of src, if any, into dst. A
// snapshot that leaves the history out, in the embedded store beside it,
// is of no use to PostgreSQL without that history: the state is then
// replayed from the journal into PostgreSQL's own history tables, as a
// node on PostgreSQL would have written them, and its snapshot saved.
func copySnapshot(src *journal.Store, dst *postgres.Store) error {
	seq, r, ok, err := src.LoadSnapshot()
	if err != nil || !ok {
		return err
	}
	defer r.Close()
	external, err := src.HistoryExternal()
	if err != nil {
		return err
	}
	if external {
		machine := payments.NewMachine(ledger.Options{})
		engine := machine.LedgerEngine()
		// The database is new: its filters start with the current scheme.
		if err := ledger.StartIDFilterScheme(dst.History()); err != nil {
			return err
		}
		if err := engine.SetHistory(dst.History()); err != nil {
			return err
		}
		records := ledger.NewReplayRecords(machine)
		err := src.Replay(0, func(e ledger.Entry) error {
			if _, err := machine.Apply(e, nil); err != nil {
				return err
			}
			if engine.HistoryDue() {
				if _, err := engine.MoveHistory(false); err != nil {
					return fmt.Errorf("entry %d: move history: %w", e.Seq, err)
				}
			}
			return records.Step()
		})
		if err == nil {
			err = records.Flush()
		}
		if err != nil {
			return fmt.Errorf("replay: %w", err)
		}
		if _, err := engine.MoveHistory(true); err != nil {
			return fmt.Errorf("move history: %w", err)
		}
		if err := engine.History().Sync(); err != nil {
			return fmt.Errorf("sync history: %w", err)
		}
		return dst.SaveSnapshot(src.LastSeq(), machine.WriteSnapshot)
	}
	return dst.SaveSnapshot(seq, func(w io.Writer) error {
		_, err := io.Copy(w, r)
		return err
	})
}
