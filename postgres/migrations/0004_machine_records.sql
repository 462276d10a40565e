-- Records that the machine built on the ledger (the payments layer) keeps
-- out of memory beside the ledger's history (ledger.Record): value is the
-- record under key as it stood after journal entry version. Record reads
-- the latest version below an entry, which the primary key's index serves.
CREATE TABLE machine_records (
    key     bytea NOT NULL,
    version bigint NOT NULL,
    value   bytea NOT NULL,
    PRIMARY KEY (key, version)
);
