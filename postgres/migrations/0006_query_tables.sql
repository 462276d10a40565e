-- Query tables: the current state for SQL users, written in the journal's
-- own transactions (ledger.QueryStore). A group is written before it is
-- applied, so the rows a group changed ride in a later group's
-- transaction (or one of their own when the node is idle): the tables
-- hold, at every moment, the state after entry query_position.seq, a
-- consistent prefix of the journal. Every row carries the entry it is as
-- of (as_of); a write never replaces a row with an older one.
CREATE TABLE query_position (
    id  int PRIMARY KEY CHECK (id = 1),
    seq bigint NOT NULL
);
INSERT INTO query_position (id, seq) VALUES (1, 0);

CREATE TABLE query_accounts (
    id              bytea PRIMARY KEY,
    currency        text NOT NULL,
    code            int NOT NULL,
    flags           int NOT NULL,
    debits_pending  numeric(39, 0) NOT NULL,
    debits_posted   numeric(39, 0) NOT NULL,
    credits_pending numeric(39, 0) NOT NULL,
    credits_posted  numeric(39, 0) NOT NULL,
    ts              bigint NOT NULL,
    as_of           bigint NOT NULL
);

-- Every transfer, with its state: pending ones change to posted, voided
-- or expired. By id only: an account's transfers are its balance
-- history (query_balances, every participant's account keeps one)
-- joined by transfer_id. An index by account costs about a third of the
-- store's batch throughput (docs/BENCHMARKS.md); add one where it is
-- worth it.
CREATE TABLE query_transfers (
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
    as_of             bigint NOT NULL
);

-- The balance history of the accounts that keep one.
CREATE TABLE query_balances (
    account_id      bytea NOT NULL,
    ts              bigint NOT NULL,
    idx             int NOT NULL,
    transfer_id     bytea NOT NULL,
    debits_pending  numeric(39, 0) NOT NULL,
    debits_posted   numeric(39, 0) NOT NULL,
    credits_pending numeric(39, 0) NOT NULL,
    credits_posted  numeric(39, 0) NOT NULL,
    as_of           bigint NOT NULL,
    PRIMARY KEY (account_id, ts, idx)
);

-- The machine's own rows by key; the payments layer's payments are key
-- 'p' || UETR, value the payment with its events as JSON.
CREATE TABLE query_records (
    key   bytea PRIMARY KEY,
    value bytea NOT NULL,
    as_of bigint NOT NULL
);

CREATE VIEW query_payments AS
SELECT encode(substr(key, 2), 'hex')               AS uetr_hex,
       convert_from(value, 'UTF8')::jsonb ->> 'Status' AS status,
       as_of                                        AS as_of_entry,
       convert_from(value, 'UTF8')::jsonb           AS payment
  FROM query_records
 WHERE get_byte(key, 0) = 112; -- 'p'

-- SQL users read transfers by account here now: the history table is the
-- engine's, read by id only.
DROP INDEX ledger_transfers_debit;
DROP INDEX ledger_transfers_credit;
