-- The sanctions and watch lists' files, by the SHA-256 of their content,
-- which the journal records with each list version: every node of one
-- database reads the same files, a standby that takes over too.
CREATE TABLE list_files (
    sha256 text PRIMARY KEY,
    data   bytea NOT NULL
);
