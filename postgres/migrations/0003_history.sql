-- The ledger's history out of memory (ledger.History): transfers that can
-- no longer change, and the balance history of accounts that keep one.
-- The columns are for SQL users; record is the exact encoding the engine
-- reads back.
CREATE TABLE ledger_transfers (
    id                bytea PRIMARY KEY,
    debit_account_id  bytea NOT NULL,
    credit_account_id bytea NOT NULL,
    amount            numeric(39, 0) NOT NULL,
    pending_id        bytea,
    currency          text NOT NULL,
    timeout_seconds   bigint NOT NULL,
    code              int NOT NULL,
    flags             int NOT NULL,
    ts                bigint NOT NULL,
    state             text NOT NULL,
    record            bytea NOT NULL
);
CREATE INDEX ledger_transfers_debit ON ledger_transfers (debit_account_id, ts);
CREATE INDEX ledger_transfers_credit ON ledger_transfers (credit_account_id, ts);

CREATE TABLE ledger_balances (
    account_id      bytea NOT NULL,
    ts              bigint NOT NULL,
    idx             int NOT NULL,
    transfer_id     bytea NOT NULL,
    debits_pending  numeric(39, 0) NOT NULL,
    debits_posted   numeric(39, 0) NOT NULL,
    credits_pending numeric(39, 0) NOT NULL,
    credits_posted  numeric(39, 0) NOT NULL,
    record          bytea NOT NULL,
    PRIMARY KEY (account_id, ts, idx)
);

-- One row once the snapshots leave the history out (ledger snapshot
-- version 3): verification then replays with the history read from here.
CREATE TABLE history_external (
    id int PRIMARY KEY CHECK (id = 1)
);
