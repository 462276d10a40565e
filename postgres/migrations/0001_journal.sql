-- The journal: one row per applied batch, chained by SHA-256.
CREATE TABLE journal (
    seq     bigint PRIMARY KEY,
    ts      bigint NOT NULL,
    op      smallint NOT NULL,
    payload bytea NOT NULL,
    hash    bytea NOT NULL
);

-- Snapshots of the state after entry seq, stored whole. Only the latest is
-- kept after a successful save.
CREATE TABLE snapshots (
    seq        bigint PRIMARY KEY,
    data       bytea NOT NULL,
    sha256     bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
