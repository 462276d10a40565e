-- Whether the lease's holder keeps the query tables (serve
-- --query-tables), written with the lease each time a node takes it: a
-- standby started with the other setting reads it and stops, instead of
-- following a leader that writes what it does not, or writes none.
-- query_tables_token is the token of the holding that wrote it: a node
-- from before these columns takes the lease without writing them, and
-- what an earlier holder said is then not taken for what it says.
ALTER TABLE leader_lease ADD COLUMN query_tables_off boolean;
ALTER TABLE leader_lease ADD COLUMN query_tables_token bigint;
