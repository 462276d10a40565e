package postgres

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"astara/journal"
	"astara/ledger"

	"github.com/jackc/pgx/v5"
)

// VerifyMachine reads the whole journal from its first entry, checks the
// hash chain, replays every entry into machine and checks double entry,
// and checks that the latest snapshot is exactly the state replay reaches
// at its entry — the checks of journal.Store.VerifyMachine, with the same
// report, so that `astara verify` says the same of either store.
func (s *Store) VerifyMachine(machine ledger.Machine) (journal.Report, error) {
	var rep journal.Report
	var snapSeq int64
	var snapSum []byte
	err := s.query(func(conn *pgx.Conn) error {
		return conn.QueryRow(context.Background(),
			"SELECT seq, sha256 FROM snapshots ORDER BY seq DESC LIMIT 1").Scan(&snapSeq, &snapSum)
	})
	hasSnap := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return rep, fmt.Errorf("postgres: read the snapshot: %w", err)
	}
	var lastHash journal.Hash
	engine := machine.LedgerEngine()
	err = s.replay(0, func(e ledger.Entry, hash journal.Hash) error {
		if e.Timestamp <= machine.LastTimestamp() {
			return &journal.CorruptError{Seq: e.Seq, Reason: fmt.Sprintf("timestamp %d does not follow %d", e.Timestamp, machine.LastTimestamp())}
		}
		if _, err := machine.Apply(e, nil); err != nil {
			return &journal.CorruptError{Seq: e.Seq, Reason: err.Error()}
		}
		if (e.Op == ledger.OpCreateAccounts || e.Op == ledger.OpCreateTransfers) && len(e.Payload) >= 4 {
			rep.Events += uint64(binary.BigEndian.Uint32(e.Payload))
		}
		rep.Entries++
		rep.LastSeq = e.Seq
		lastHash = hash
		if hasSnap && e.Seq == uint64(snapSeq) {
			rep.SnapshotSeq = e.Seq
			h := sha256.New()
			if err := machine.WriteSnapshot(h); err != nil {
				return err
			}
			if !bytes.Equal(h.Sum(nil), snapSum) {
				return &journal.CorruptError{Seq: e.Seq, Reason: "snapshot differs from the state replay reaches at its entry"}
			}
			rep.SnapshotOK = true
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	if hasSnap && !rep.SnapshotOK {
		return rep, &journal.CorruptError{Seq: uint64(snapSeq), Reason: "snapshot names an entry the journal does not have"}
	}
	if hasSnap {
		// The stored bytes must also be what the sum describes, since
		// recovery reads them.
		_, r, _, err := s.LoadSnapshot()
		if err != nil {
			return rep, err
		}
		r.Close()
	}
	if rep.LastSeq != s.LastSeq() {
		return rep, &journal.CorruptError{Seq: rep.LastSeq + 1, Reason: "entries end before the last one"}
	}
	rep.LastHash = lastHash
	rep.Accounts = engine.AccountsCount()
	rep.Transfers = engine.TransfersCount()
	rep.OpenPending = engine.OpenPendingCount()
	if err := engine.Verify(); err != nil {
		return rep, err
	}
	rep.TotalsBalanced = true
	return rep, nil
}
