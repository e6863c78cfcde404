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
SELECT public.reset_ledger();
