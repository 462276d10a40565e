package postgres

import (
	"context"
	"errors"
	"fmt"

	"astara/journal"
	"astara/ledger"

	"github.com/jackc/pgx/v5"
)

// VerifyMachine makes the checks of journal.Store.VerifyMachine
// (journal.VerifyReplay) on the journal in PostgreSQL, with the same
// report, so that `astara verify` says the same of either store; then it
// reads the stored snapshot back, which checks its bytes against its sum.
//
// When the snapshots leave the history out, the engine keeps its history
// in the tables as a node does and compares every record it would move
// with the stored one.
func (s *Store) VerifyMachine(machine ledger.Machine) (journal.Report, error) {
	external, err := s.HistoryExternal()
	if err != nil {
		return journal.Report{}, fmt.Errorf("postgres: %w", err)
	}
	if external {
		h := &History{s: s, check: true}
		defer h.close()
		if err := machine.LedgerEngine().SetHistory(h); err != nil {
			return journal.Report{}, fmt.Errorf("postgres: %w", err)
		}
	}
	var snap journal.SnapshotSum
	var sum []byte
	var seq int64
	err = s.query(func(conn *pgx.Conn) error {
		return conn.QueryRow(context.Background(),
			"SELECT seq, sha256 FROM snapshots ORDER BY seq DESC LIMIT 1").Scan(&seq, &sum)
	})
	switch {
	case err == nil:
		if len(sum) != len(snap.Sum) {
			return journal.Report{}, &journal.CorruptError{Seq: uint64(seq), Reason: fmt.Sprintf("snapshot sum of %d bytes", len(sum))}
		}
		snap = journal.SnapshotSum{Seq: uint64(seq), OK: true}
		copy(snap.Sum[:], sum)
	case !errors.Is(err, pgx.ErrNoRows):
		return journal.Report{}, fmt.Errorf("postgres: read the snapshot: %w", err)
	}
	var lastHash journal.Hash
	replay := func(fn func(ledger.Entry) error) error {
		return s.replay(0, func(e ledger.Entry, h journal.Hash) error {
			lastHash = h
			return fn(e)
		})
	}
	rep, err := journal.VerifyReplay(machine, replay, snap, s.LastSeq())
	if err != nil {
		return rep, err
	}
	if snap.OK {
		_, r, _, err := s.LoadSnapshot()
		if err != nil {
			rep.SnapshotOK = false
			return rep, err
		}
		r.Close()
	}
	rep.LastHash = lastHash
	return rep, nil
}
