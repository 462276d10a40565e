-- A double-entry ledger in PostgreSQL, written the way published Postgres
-- ledgers are (pgledger and its kind): balances are columns of the account
-- rows, and each transfer locks both rows, checks them, inserts itself and
-- updates both balances, all in one transaction.
--
-- Everything lives in the schema pgledger, which this script drops and
-- recreates. Names, flag bits and result codes follow Astara's ledger
-- package, so the two answer the same questions the same way.
--
-- Result codes, in the order they are checked:
--   ok
--   amount_must_not_be_zero
--   accounts_must_be_different
--   exists                                   same id, same fields: a retry
--   exists_with_different_debit_account_id
--   exists_with_different_credit_account_id
--   exists_with_different_amount
--   debit_account_not_found
--   credit_account_not_found
--   accounts_must_have_the_same_currency
--   overflows_debits_posted                  beyond an unsigned 128-bit amount
--   overflows_credits_posted
--   exceeds_credits                          debit account has flag 1
--   exceeds_debits                           credit account has flag 2

DROP SCHEMA IF EXISTS pgledger CASCADE;
CREATE SCHEMA pgledger;

CREATE TABLE pgledger.accounts (
	id             uuid PRIMARY KEY,
	currency       char(3) NOT NULL,
	debits_posted  numeric(39, 0) NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
	credits_posted numeric(39, 0) NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
	-- Bit 1: debits_must_not_exceed_credits. Bit 2:
	-- credits_must_not_exceed_debits. As in Astara's ledger.AccountFlags.
	flags          smallint NOT NULL DEFAULT 0,
	created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE pgledger.transfers (
	id                uuid PRIMARY KEY,
	debit_account_id  uuid NOT NULL REFERENCES pgledger.accounts (id),
	credit_account_id uuid NOT NULL REFERENCES pgledger.accounts (id),
	amount            numeric(39, 0) NOT NULL CHECK (amount > 0),
	currency          char(3) NOT NULL,
	created_at        timestamptz NOT NULL DEFAULT now()
);

-- An account's history is a query every ledger must answer; these indexes
-- are part of the price of each transfer, as they are in pgledger.
CREATE INDEX transfers_debit_account_id ON pgledger.transfers (debit_account_id);
CREATE INDEX transfers_credit_account_id ON pgledger.transfers (credit_account_id);

-- account_id maps an integer to an account id, so that pgbench, which only
-- draws integers, can pick accounts: 1 is 00000000-0000-0000-0000-000000000001.
CREATE FUNCTION pgledger.account_id(n bigint) RETURNS uuid
	LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
	RETURN lpad(to_hex(n), 32, '0')::uuid;

-- create_accounts creates accounts account_id(p_first) .. account_id(p_first
-- + p_count - 1) in one currency with the given flags.
CREATE FUNCTION pgledger.create_accounts(p_first bigint, p_count bigint, p_currency char(3), p_flags int DEFAULT 0)
	RETURNS void LANGUAGE sql
BEGIN ATOMIC
	INSERT INTO pgledger.accounts (id, currency, flags)
	SELECT pgledger.account_id(n), p_currency, p_flags::smallint
	FROM generate_series(p_first, p_first + p_count - 1) AS n;
END;

-- create_transfer moves amount from the debit account to the credit account
-- and returns a result code (see the top of this file). It never raises for
-- a rejected transfer: like a batch item in Astara, a rejection is an answer.
CREATE FUNCTION pgledger.create_transfer(p_id uuid, p_debit uuid, p_credit uuid, p_amount numeric)
	RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	amount_max constant numeric := 340282366920938463463374607431768211455; -- 2^128 - 1
	d pgledger.accounts%ROWTYPE;
	c pgledger.accounts%ROWTYPE;
	t pgledger.transfers%ROWTYPE;
BEGIN
	IF p_amount IS NULL OR p_amount <= 0 THEN
		RETURN 'amount_must_not_be_zero';
	END IF;
	IF p_debit = p_credit THEN
		RETURN 'accounts_must_be_different';
	END IF;

	-- A retry of a transfer already made answers without touching the
	-- accounts. A concurrent first attempt is caught by the insert below.
	SELECT * INTO t FROM pgledger.transfers WHERE id = p_id;
	IF FOUND THEN
		RETURN pgledger.compare_transfer(t, p_debit, p_credit, p_amount);
	END IF;

	-- Lock both rows, the lower id first: two transfers between the same
	-- accounts in opposite directions then queue instead of deadlocking.
	IF p_debit < p_credit THEN
		SELECT * INTO d FROM pgledger.accounts WHERE id = p_debit FOR UPDATE;
		SELECT * INTO c FROM pgledger.accounts WHERE id = p_credit FOR UPDATE;
	ELSE
		SELECT * INTO c FROM pgledger.accounts WHERE id = p_credit FOR UPDATE;
		SELECT * INTO d FROM pgledger.accounts WHERE id = p_debit FOR UPDATE;
	END IF;
	IF d.id IS NULL THEN
		RETURN 'debit_account_not_found';
	END IF;
	IF c.id IS NULL THEN
		RETURN 'credit_account_not_found';
	END IF;
	IF d.currency <> c.currency THEN
		RETURN 'accounts_must_have_the_same_currency';
	END IF;
	IF d.debits_posted + p_amount > amount_max THEN
		RETURN 'overflows_debits_posted';
	END IF;
	IF c.credits_posted + p_amount > amount_max THEN
		RETURN 'overflows_credits_posted';
	END IF;
	IF d.flags & 1 <> 0 AND d.debits_posted + p_amount > d.credits_posted THEN
		RETURN 'exceeds_credits';
	END IF;
	IF c.flags & 2 <> 0 AND c.credits_posted + p_amount > c.debits_posted THEN
		RETURN 'exceeds_debits';
	END IF;

	-- ON CONFLICT waits for a concurrent insert of the same id to commit
	-- and then skips, without the cost of an exception block.
	INSERT INTO pgledger.transfers (id, debit_account_id, credit_account_id, amount, currency)
	VALUES (p_id, p_debit, p_credit, p_amount, d.currency)
	ON CONFLICT (id) DO NOTHING;
	IF NOT FOUND THEN
		SELECT * INTO t FROM pgledger.transfers WHERE id = p_id;
		RETURN pgledger.compare_transfer(t, p_debit, p_credit, p_amount);
	END IF;

	UPDATE pgledger.accounts SET debits_posted = debits_posted + p_amount WHERE id = p_debit;
	UPDATE pgledger.accounts SET credits_posted = credits_posted + p_amount WHERE id = p_credit;
	RETURN 'ok';
END;
$$;

-- compare_transfer answers a retry: 'exists' when the stored transfer has
-- the fields asked for, else which field differs.
CREATE FUNCTION pgledger.compare_transfer(t pgledger.transfers, p_debit uuid, p_credit uuid, p_amount numeric)
	RETURNS text LANGUAGE sql IMMUTABLE
RETURN CASE
	WHEN t.debit_account_id <> p_debit THEN 'exists_with_different_debit_account_id'
	WHEN t.credit_account_id <> p_credit THEN 'exists_with_different_credit_account_id'
	WHEN t.amount <> p_amount THEN 'exists_with_different_amount'
	ELSE 'exists'
END;

-- create_transfers applies a batch of transfers in one transaction and
-- returns one result code per transfer, in order. Items are independent: a
-- rejected one does not stop the others.
--
-- Locking each transfer's pair in order is not enough for a batch, whose
-- locks are held until it commits: batch 1 holding A and then wanting B
-- while batch 2 holds B and wants A is a deadlock. So the batch first locks
-- every account it touches, in id order, in one statement.
CREATE FUNCTION pgledger.create_transfers(p_ids uuid[], p_debits uuid[], p_credits uuid[], p_amounts numeric[])
	RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
	n int := coalesce(cardinality(p_ids), 0);
	results text[] := '{}';
BEGIN
	IF coalesce(cardinality(p_debits), 0) <> n
		OR coalesce(cardinality(p_credits), 0) <> n
		OR coalesce(cardinality(p_amounts), 0) <> n THEN
		RAISE EXCEPTION 'create_transfers: arrays of % ids, % debits, % credits, % amounts',
			n, cardinality(p_debits), cardinality(p_credits), cardinality(p_amounts);
	END IF;
	PERFORM 1 FROM pgledger.accounts
	WHERE id = ANY (p_debits || p_credits)
	ORDER BY id
	FOR UPDATE;
	FOR i IN 1 .. n LOOP
		results := results || pgledger.create_transfer(p_ids[i], p_debits[i], p_credits[i], p_amounts[i]);
	END LOOP;
	RETURN results;
END;
$$;
