-- Whether the lease's holder keeps the query tables (serve
-- --query-tables), written with the lease each time a node takes it: a
-- standby started with the other setting reads it and stops, instead of
-- following a leader that writes what it does not, or writes none. NULL:
-- the holder did not say (a node from before this column).
ALTER TABLE leader_lease ADD COLUMN query_tables_off boolean;
