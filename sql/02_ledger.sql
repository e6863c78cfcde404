-- The migration ledger: begin / finish / fail, run_migration, repair, history, capture.
SELECT reset_ledger();

-- Bad input: clear errors, and the ledger stays empty.
SELECT try($$SELECT migration_guard.finish_migration()$$);
SELECT try($$SELECT migration_guard.fail_migration('nothing open')$$);
SELECT try($$SELECT migration_guard.begin_migration(NULL)$$);
SELECT try($$SELECT migration_guard.begin_migration('')$$);
SELECT try($$SELECT migration_guard.begin_migration(E' \t\n')$$);
SELECT try($$SELECT migration_guard.begin_migration('1', '')$$);
SELECT try($$SELECT migration_guard.begin_migration(repeat('v', 1025))$$);
SELECT try($$SELECT migration_guard.run_migration('1', NULL)$$);
SELECT try($$SELECT migration_guard.run_migration('1', '   ')$$);
SELECT try($$SELECT migration_guard.run_migration(NULL, 'create table never(x int)')$$);
SELECT try($$SELECT migration_guard.repair_migration('1', 'select 1', NULL)$$);
SELECT try($$SELECT migration_guard.repair_migration('1', 'select 1', '')$$);
SELECT try($$SELECT migration_guard.repair_migration('404', 'select 1', 'no such version')$$);
SELECT try($$SELECT migration_guard.resolve_interrupted(NULL, 'failed', 'x')$$);
SELECT try($$SELECT migration_guard.resolve_interrupted(1, 'failed', 'x')$$);
-- Invalid UTF-8 never reaches the ledger: the server refuses it as text.
SELECT try($$SELECT migration_guard.run_migration('1', convert_from('\x63726561746520ff'::bytea, 'UTF8'))$$);
-- A 100 MB script is refused before anything is recorded or run.
SELECT try($$SELECT migration_guard.run_migration('big', 'select 1;' || repeat(' ', 100 * 1024 * 1024))$$);
SET migration_guard.max_script_size = '1kB';
SELECT try($$SELECT migration_guard.begin_migration('big', repeat('x', 2048))$$);
RESET migration_guard.max_script_size;
SELECT count(*) AS entries FROM migration_guard.migrations;
SELECT to_regclass('never') IS NULL AS nothing_ran;

-- run_migration: applied, then already applied, then a changed script refused.
SELECT migration_guard.run_migration('001',
    E'create table candidates (id bigserial primary key, email_address text not null);\r\n'
    'create index candidates_email_idx on candidates (email_address);', 'create candidates');
SELECT migration_guard.run_migration('001',
    E'create table candidates (id bigserial primary key, email_address text not null);\n'
    'create index candidates_email_idx on candidates (email_address);', 'create candidates');
SELECT try($$SELECT migration_guard.run_migration('001',
    'create table candidates (id bigserial primary key, email_address text);', 'create candidates')$$);
SELECT * FROM ledger;
SELECT migration_id, command_tag, object_type, object_identity, statement FROM events;
SELECT script_hash = migration_guard.script_hash(E'create table candidates (id bigserial primary key, email_address text not null);\n'
                                                 'create index candidates_email_idx on candidates (email_address);') AS hash_recorded,
       chain_hash = migration_guard.chain_hash('', '001', script_hash) AS first_link,
       duration >= interval '0' AS has_duration, started_at <= finished_at AS times_ordered
  FROM migration_guard.history WHERE version = '001';

-- begin / finish in one transaction, with DDL from a DO block, a function and EXECUTE.
BEGIN;
SELECT migration_guard.begin_migration('002', 'create table one_login_auths ...', 'one login auths', 'psql') AS id;
CREATE TABLE one_login_auths (id bigserial PRIMARY KEY, token text NOT NULL UNIQUE,
                              candidate_id bigint REFERENCES candidates);
DO $$ BEGIN EXECUTE 'CREATE INDEX one_login_auths_candidate_idx ON one_login_auths (candidate_id)'; END $$;
CREATE FUNCTION pg_temp.add_column() RETURNS void LANGUAGE plpgsql
    AS $$ BEGIN ALTER TABLE one_login_auths ADD COLUMN email_address text; END $$;
SELECT pg_temp.add_column();
SELECT try($$SELECT migration_guard.begin_migration('003')$$);
SELECT migration_guard.finish_migration() AS finished;
COMMIT;
SELECT * FROM ledger WHERE version = '002';
SELECT command_tag, object_type, object_identity, statement FROM events WHERE migration_id = 2;

-- A migration begun outside a transaction block stays open across transactions (the way
-- CREATE INDEX CONCURRENTLY needs), and its DDL is still attributed to it.
SELECT migration_guard.begin_migration('003', 'create index concurrently ...', 'concurrent index') AS id;
CREATE INDEX CONCURRENTLY one_login_auths_email_idx ON one_login_auths (email_address);
SELECT migration_guard.finish_migration() AS finished;
SELECT * FROM ledger WHERE version = '003';
SELECT command_tag, object_identity FROM events WHERE migration_id = 3;

-- A migration whose transaction rolls back: its row is gone, the session remembers it, and
-- fail_migration() records it as failed with the error that aborted it.
BEGIN;
SELECT migration_guard.begin_migration('004', 'create table account_recovery_requests (...)', 'recovery requests') AS id;
CREATE TABLE account_recovery_requests (id bigserial PRIMARY KEY);
SELECT 1 / 0;
ROLLBACK;
SELECT try($$SELECT migration_guard.finish_migration()$$);
SELECT migration_guard.fail_migration() AS recorded;
SELECT try($$SELECT migration_guard.fail_migration()$$);
SELECT * FROM ledger WHERE version = '004';
SELECT to_regclass('account_recovery_requests') IS NULL AS rolled_back;

-- The same through a savepoint: rolling back to it loses the migration begun after it.
BEGIN;
SAVEPOINT before_migration;
SELECT migration_guard.begin_migration('005', 'select 1', 'savepoint') AS id;
ROLLBACK TO SAVEPOINT before_migration;
SELECT try($$SELECT migration_guard.finish_migration()$$);
COMMIT;
-- The next begin records the lost one as failed before it opens its own.
SELECT migration_guard.begin_migration('005', 'select 1', 'savepoint') AS id;
SELECT migration_guard.finish_migration() AS finished;
SELECT version, name, status, reason FROM ledger WHERE version = '005';

-- A savepoint released keeps the migration.
BEGIN;
SAVEPOINT s;
SELECT migration_guard.begin_migration('006', 'create table kept (x int)', 'released') AS id;
RELEASE SAVEPOINT s;
CREATE TABLE kept (x int);
SELECT migration_guard.finish_migration() AS finished;
COMMIT;
SELECT version, status, ddl_count, in_transaction FROM ledger WHERE version = '006';

-- fail_migration() on an open migration.
SELECT migration_guard.begin_migration('007', 'drop table nothing', 'will fail') AS id;
SELECT migration_guard.fail_migration('the deploy was cancelled') AS failed;
SELECT version, status, reason FROM ledger WHERE version = '007';
-- A failed version may be run again.
SELECT migration_guard.run_migration('007', 'create table seven (x int)', 'will fail');
SELECT version, status FROM ledger WHERE version = '007';

-- An open migration cannot be prepared.
BEGIN;
SELECT migration_guard.begin_migration('008', 'select 1') AS id;
PREPARE TRANSACTION 'mg_test';
SELECT try($$SELECT migration_guard.finish_migration()$$);

-- Two migrations may not be open at once; a version applied by begin is refused by begin.
SELECT migration_guard.begin_migration('009') AS id;
SELECT try($$SELECT migration_guard.begin_migration('010')$$);
SELECT migration_guard.finish_migration() AS finished;
SELECT try($$SELECT migration_guard.begin_migration('009')$$);
SELECT try($$SELECT migration_guard.begin_migration('001', 'anything')$$);

-- repair_migration: accepts a changed script as a new entry; the old one stays as it was.
SELECT migration_guard.repair_migration('001',
    'create table candidates (id bigserial primary key, email_address text not null); create index candidates_email_idx on candidates (email_address); -- reformatted',
    'reformatted the file') AS repair_id;
SELECT migration_id, version, kind, status, repairs_migration_id, reason FROM ledger WHERE version = '001';
SELECT migration_guard.run_migration('001',
    'create table candidates (id bigserial primary key, email_address text not null); create index candidates_email_idx on candidates (email_address); -- reformatted',
    'create candidates');
SELECT try($$SELECT migration_guard.run_migration('001', 'create table candidates (id bigserial primary key, email_address text not null);')$$);
-- Repairing with the hash the ledger already has changes nothing.
SELECT migration_guard.repair_migration('001',
    'create table candidates (id bigserial primary key, email_address text not null); create index candidates_email_idx on candidates (email_address); -- reformatted',
    'again') = (SELECT max(migration_id) FROM migration_guard.migrations WHERE version = '001') AS unchanged;

-- DDL outside any migration is drift.
CREATE TABLE drifted (x int);
ALTER TABLE drifted ADD COLUMN y int;
DROP TABLE drifted;
SELECT event, command_tag, object_type, object_identity, statement FROM migration_guard.drift
 WHERE object_identity LIKE 'public.drifted%' ORDER BY event_id;
-- Temporary objects are not recorded.
CREATE TEMP TABLE scratch (x int);
DROP TABLE scratch;
SELECT count(*) AS temp_events FROM migration_guard.ddl_log WHERE object_identity LIKE '%scratch%';

-- Capture can be turned off by a superuser (e.g. while restoring a dump).
SET migration_guard.capture = off;
CREATE TABLE uncaptured (x int);
RESET migration_guard.capture;
SELECT count(*) AS uncaptured_events FROM migration_guard.ddl_log WHERE object_identity LIKE '%uncaptured%';
DROP TABLE uncaptured;

-- Every entry chains to the one before it.
SELECT * FROM migration_guard.verify_ledger();
SELECT entries, migration_id = (SELECT max(migration_id) FROM migration_guard.migrations) AS head_is_last
  FROM migration_guard.ledger_head();
