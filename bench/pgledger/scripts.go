package pgledger

// The pgbench scripts Run writes to a temporary directory. Both take their
// parameters from pgbench -D: naccounts, hotaccounts, hotpercent (0 for the
// uniform workload), batchsize and amountmax. Accounts are numbered
// 1..naccounts (pgledger.account_id turns a number into an id); the hot
// ones are 1..hotaccounts.
//
// A transfer picks its accounts so:
//   - with probability hotpercent/100 it touches a hot account: one side
//     (debit or credit, half and half) is a hot account, the other any
//     other account;
//   - otherwise both accounts are uniform among all, and different.
//
// Every transfer has a fresh random id (gen_random_uuid, PostgreSQL 13 and
// later) and an amount uniform in 1..amountmax.

// scriptSingle makes one transfer per transaction, with the accounts drawn
// by pgbench.
const scriptSingle = `\set ua random(1, :naccounts)
\set ub 1 + (:ua + random(0, :naccounts - 2)) % :naccounts
\set hot random(1, :hotaccounts)
\set other random(:hotaccounts + 1, :naccounts)
\set side random(0, 1)
\set touch random(1, 100) <= :hotpercent
\set a case when :touch then (case when :side = 0 then :hot else :other end) else :ua end
\set b case when :touch then (case when :side = 0 then :other else :hot end) else :ub end
\set amount random(1, :amountmax)
SELECT pgledger.create_transfer(gen_random_uuid(), pgledger.account_id(:a), pgledger.account_id(:b), :amount);
`

// scriptBatch makes batchsize transfers per transaction in one
// create_transfers call, with the accounts drawn by the server (pgbench
// variables are scalars) under the same rules as scriptSingle.
const scriptBatch = `WITH p AS (
	SELECT :naccounts::bigint AS n, :hotaccounts::bigint AS h, :hotpercent::float8 AS pct,
		:amountmax::bigint AS amount_max
), draw AS (
	SELECT 1 + floor(random() * p.n)::bigint AS ua,
		floor(random() * (p.n - 1))::bigint AS r,
		1 + floor(random() * p.h)::bigint AS hot,
		p.h + 1 + floor(random() * (p.n - p.h))::bigint AS other,
		random() < 0.5 AS side,
		random() * 100 < p.pct AS touch,
		(1 + floor(random() * p.amount_max))::numeric AS amount,
		p.n
	FROM p, generate_series(1, :batchsize::int)
), pairs AS (
	SELECT CASE WHEN touch THEN (CASE WHEN side THEN hot ELSE other END) ELSE ua END AS a,
		CASE WHEN touch THEN (CASE WHEN side THEN other ELSE hot END) ELSE 1 + (ua + r) % n END AS b,
		amount
	FROM draw
)
SELECT pgledger.create_transfers(
	array_agg(gen_random_uuid()),
	array_agg(pgledger.account_id(a)),
	array_agg(pgledger.account_id(b)),
	array_agg(amount))
FROM pairs;
`
