-- The ledger's internal functions find entries through their indexes, however large the ledger:
-- the role that calls them is passed as text, so their text comparisons keep the columns'
-- collation (a name argument would give them collation "C", which no index of the ledger has).
SELECT public.reset_ledger();
SET migration_guard.capture = off;
INSERT INTO migration_guard.migrations (version, status, previous_chain_hash, chain_hash,
                                        applied_by, session_role, started_at)
SELECT lpad(g::text, 8, '0'), 'succeeded', '', '', 'seed', 'seed', now()
  FROM generate_series(1, 20000) g;
ANALYZE migration_guard.migrations;
RESET migration_guard.capture;
BEGIN;
SELECT pg_stat_get_xact_numscans('migration_guard.migrations_version_idx'::regclass) AS scans_before \gset
SELECT migration_guard.begin_migration('v-new', 'CREATE TABLE indexed_lookup (x int)') > 0 AS begun;
SELECT pg_stat_get_xact_numscans('migration_guard.migrations_version_idx'::regclass) > :scans_before
       AS version_index_used;
ROLLBACK;

-- not_succeeded reads the entries that did not succeed through an index of their own, newest
-- first, and has exactly the rows of history WHERE status <> 'succeeded' (a 'running' entry
-- whose backend is gone reads 'interrupted' in both).
SET migration_guard.capture = off;
INSERT INTO migration_guard.migrations (version, status, previous_chain_hash, chain_hash,
                                        applied_by, session_role, started_at, backend_pid, reason)
VALUES ('f1', 'failed', '', '', 'seed', 'seed', now(), NULL, 'boom'),
       ('r1', 'running', '', '', 'seed', 'seed', now(), 0, NULL);
INSERT INTO migration_guard.migrations (version, status, previous_chain_hash, chain_hash,
                                        applied_by, session_role, started_at)
SELECT lpad(g::text, 8, '0'), 'succeeded', '', '', 'seed', 'seed', now()
  FROM generate_series(20001, 20100) g;
ANALYZE migration_guard.migrations;
RESET migration_guard.capture;
EXPLAIN (COSTS OFF) SELECT version FROM migration_guard.not_succeeded
 ORDER BY migration_id DESC LIMIT 20;
SELECT version, status, reason FROM migration_guard.not_succeeded ORDER BY migration_id DESC;
SELECT (SELECT count(*) FROM (SELECT * FROM migration_guard.not_succeeded
                              EXCEPT ALL
                              SELECT * FROM migration_guard.history WHERE status <> 'succeeded') d)
       + (SELECT count(*) FROM (SELECT * FROM migration_guard.history WHERE status <> 'succeeded'
                                EXCEPT ALL
                                SELECT * FROM migration_guard.not_succeeded) d) AS differences;
SELECT public.reset_ledger();

-- A migration's events are found through ddl_events_migration_idx, which holds only events of
-- a migration (drift goes to ddl_events_drift_idx): each captured row pays one of the two.
SELECT indexrelid::regclass AS index, pg_get_expr(indpred, indrelid) AS predicate
  FROM pg_index
 WHERE indrelid = 'migration_guard.ddl_events'::regclass AND indpred IS NOT NULL
 ORDER BY 1::text;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM migration_guard.ddl_events WHERE migration_id = 42;
EXPLAIN (COSTS OFF) SELECT ddl_count FROM migration_guard.history WHERE migration_id = 42;
RESET enable_seqscan;
RESET enable_bitmapscan;
