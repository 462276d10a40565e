// Package ledger is Astara's double-entry engine and the durable pipeline
// in front of it.
//
// # The engine
//
// Engine is a deterministic state machine in the spirit of TigerBeetle. It
// holds its hot state in memory and applies batches of commands in order,
// in one goroutine, with no clock of its own:
// each batch carries its timestamp (event i of a batch gets timestamp
// ts+i), so the same batches always yield the same state and the same
// results. That is what makes it fast — no locks, no per-row transactions
// on hot accounts — and testable: replay, simulation against a model,
// byte-identical snapshots.
//
// Accounts keep four balances apart: DebitsPending, DebitsPosted,
// CreditsPending, CreditsPosted. A transfer moves an Amount from its debit
// account to its credit account in one currency; both accounts must be in
// that currency. Transfers are immutable and identified by a 128-bit ID the
// client chooses, so a retry is safe: the same ID with the same fields
// answers ResultExists, with other fields an exists_with_different_* error.
// A pending transfer reserves its amount (two-phase); a later transfer
// posts it (in full, or in part, releasing the rest) or voids it, and a
// timeout expires it at the first batch whose timestamp reaches it (or at a
// Pulse when the ledger is idle). Linked transfers form a chain that
// succeeds or fails as one. Every item of a batch gets its own Result with
// a stable name. Double entry — for every currency, the debits equal the
// credits, pending and posted alike — is checked after every batch against
// totals kept from the changes to each account; Verify recomputes it from
// scratch.
//
// # History out of memory
//
// With a History attached (SetHistory; the embedded journal is one), the
// engine keeps in memory only what it needs to decide: the accounts, the
// open pending transfers, the last Options.HotTransfers transfers, and a
// Bloom filter of every transfer id (about 2 bytes an id; see
// StartIDFilterScheme). Transfers
// that can no longer change, and the balance history, move to the History
// between batches (PrepareHistory, HistoryMove.Write, DropHistory; the
// Service writes on a goroutine of its own while batches go on), and are
// read back from it with the same answers: LookupTransfer,
// AccountBalances, and a retried id that the filter may have seen. The
// only reads of History while a batch is applied are those retries; a
// record stamped at or after the event being applied is not yet there
// (replay after a restart meets records written before the crash), which
// keeps every node's answers those of the journal alone. A snapshot leaves
// the History out (format version 3): the Service moves everything and
// syncs the History first. Without a History the engine keeps everything
// in memory and writes the snapshots it always wrote.
//
// The machine built on the engine keeps its own old records in the same
// History as versioned Records (the payments layer's payments): it writes
// them at points the journal alone decides and reads the latest version
// before the entry it applies. A RecordMachine on a Service keeps them in
// memory until the Service writes them, with the engine's history, off
// the applier.
//
// # The pipeline
//
// Service runs an Engine behind a Store (the journal). A batch is written
// to the journal before it is applied: one goroutine gathers the batches
// waiting, gives each a sequence number and a timestamp, and writes them
// with one fsync (group commit); a second applies the durable entries in
// order and answers. An answer therefore always describes durable state,
// and a restart — the latest snapshot, then the entries after it —
// reproduces exactly what was answered. A journal that fails to make a
// group durable stops the Service (fail-stop): nothing it has not answered
// is assumed written or lost, and a restart recovers from what is on disk.
//
// # Query tables
//
// A QueryStore (PostgreSQL) keeps the current state as rows for SQL users
// (query.go). The engine and a QueryMachine note what each entry changes;
// the applier takes a group's rows after applying it and the committer
// writes them in the next group's transaction (or alone, QueryFlushDelay
// after an idle node's last group), so the tables always hold the state
// after one entry. Rows carry the entry they are as of and never go back,
// so recovery and a standby's catch-up may write theirs again; a snapshot
// waits for its rows, and tables behind the snapshot are filled by
// replaying the whole journal.
//
// # Limits
//
// A batch holds at most BatchEventsMax events; a pending transfer's timeout
// is at most TimeoutSecondsMax; at most Options.OpenPendingTransfersMax
// transfers may be pending at once. Without a History the whole state is
// in memory, about 170 to 190 bytes of heap a transfer; with one, memory is the
// accounts, the open pending transfers, the hot window and the id filter
// (docs/BENCHMARKS.md, `astara bench history`). The ids of client
// transfers that failed transiently (ResultIDAlreadyFailed) move to the
// History with the transfers, behind a filter of their own; the open
// pending transfers stay in memory.
package ledger
