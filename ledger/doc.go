// Package ledger is Astara's double-entry engine and the durable pipeline
// in front of it.
//
// # The engine
//
// Engine is a deterministic state machine in the spirit of TigerBeetle. It
// holds every account and transfer in memory and applies batches of
// commands in order, in one goroutine, with no I/O and no clock of its own:
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
// # Limits
//
// A batch holds at most BatchEventsMax events; a pending transfer's timeout
// is at most TimeoutSecondsMax; at most Options.OpenPendingTransfersMax
// transfers may be pending at once. The whole state is in memory: about 150
// bytes a transfer, so a machine with 16 GiB to spare holds some 100
// million transfers. History beyond that belongs in an archive store, which
// is future work.
package ledger
