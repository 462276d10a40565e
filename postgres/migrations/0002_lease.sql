-- The writer's lease: at most one row. token grows by one with every new
-- holder and fences the old one: every journal write checks it.
CREATE TABLE leader_lease (
    id         int PRIMARY KEY CHECK (id = 1),
    holder     text NOT NULL,
    address    text NOT NULL,
    token      bigint NOT NULL,
    expires_at timestamptz NOT NULL
);
