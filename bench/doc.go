// Package bench measures Astara's ledger the same way at three depths — the
// engine alone (no I/O), the engine behind the durable journal (group
// commit, fsync), and the HTTP API with concurrent clients — over the same
// generated workloads, so that the figures can be compared as ratios. The
// subpackage pgledger runs a PostgreSQL ledger with row locks beside them,
// in the same run on the same machine.
package bench
