-- The payments out of memory as SQL users read them: the latest version
-- of every payment record (key 'p' || UETR) with the payment as jsonb,
-- and the place of every older payment in the order of creation (key
-- 'o' || index). Payments still in memory (the recent ones, and those not
-- at an end) are not here: these views trail the journal, like
-- ledger_transfers.
CREATE VIEW payments_moved AS
SELECT DISTINCT ON (key)
       encode(substr(key, 2), 'hex') AS uetr_hex,
       version                       AS as_of_entry,
       convert_from(value, 'UTF8')::jsonb AS payment
  FROM machine_records
 WHERE get_byte(key, 0) = 112 -- 'p'
 ORDER BY key, version DESC;

CREATE VIEW payments_order_moved AS
SELECT ('x' || encode(substr(key, 2), 'hex'))::bit(64)::bigint AS idx,
       encode(value, 'hex')                                   AS uetr_hex
  FROM machine_records
 WHERE get_byte(key, 0) = 111; -- 'o'
