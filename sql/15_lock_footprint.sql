-- What migration_guard leaves locked in a transaction that runs DDL: what an INSERT through
-- the executor would keep (the ledger table, its indexes and its sequence) and the two row types
-- its reads of PostgreSQL's reports are checked against. The guard's state and the adapters'
-- settings are read in a subtransaction rolled back at once, so their tables' locks are not
-- kept: a PostgreSQL 15 backend has sixteen fast-path lock slots, and once a long migration
-- holds them all, every catalog lock of PostgreSQL's own DDL goes through the shared lock table.
\c
BEGIN;
CREATE TABLE lock_footprint (id int PRIMARY KEY, note text) \; ALTER TABLE lock_footprint ADD COLUMN extra int \;   CREATE INDEX lock_footprint_note ON lock_footprint (note)
;
DROP TABLE lock_footprint;
SELECT c.relname, l.mode
  FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_class c ON c.oid = l.relation
 WHERE l.pid = pg_catalog.pg_backend_pid() AND c.relnamespace = 'migration_guard'::regnamespace
 ORDER BY 1, 2;
-- Everything was recorded all the same, each statement of the multi-statement query string
-- with its own text (the last one, which has no semicolon of its own, too).
SELECT event, command_tag, object_identity, statement
  FROM migration_guard.ddl_log
 WHERE object_identity LIKE 'public.lock_footprint%'
 ORDER BY event_id;
COMMIT;

-- An error while the guard's state is read (its reading function is gone here) is the DDL's
-- error, and the session goes on as after any other.
SET migration_guard.enforce = off;
ALTER FUNCTION migration_guard._guard_state() RENAME TO _guard_state_away;
RESET migration_guard.enforce;
\c
CREATE TABLE lock_footprint_refused (id int);
SELECT pg_catalog.to_regclass('lock_footprint_refused') IS NULL AS not_created;
SET migration_guard.enforce = off;
ALTER FUNCTION migration_guard._guard_state_away() RENAME TO _guard_state;
RESET migration_guard.enforce;
\c
CREATE TABLE lock_footprint_created (id int);
DROP TABLE lock_footprint_created;
