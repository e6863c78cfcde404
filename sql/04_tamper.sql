-- verify_ledger finds entries edited, deleted or inserted behind the API's back.
SELECT reset_ledger();
SELECT migration_guard.run_migration('201', 'create table t201 (x int)');
SELECT migration_guard.run_migration('202', 'create table t202 (x int)');
SELECT migration_guard.run_migration('203', 'create table t203 (x int)');
SELECT migration_guard.run_migration('204', 'create table t204 (x int)');
SELECT * FROM migration_guard.verify_ledger();

-- A version renamed.
BEGIN;
UPDATE migration_guard.migrations SET version = '202b' WHERE version = '202';
SELECT * FROM migration_guard.verify_ledger();
ROLLBACK;

-- A script edited, with and without its hash.
BEGIN;
UPDATE migration_guard.migrations SET script = 'create table t202 (x bigint)' WHERE version = '202';
SELECT migration_id, problem FROM migration_guard.verify_ledger();
UPDATE migration_guard.migrations SET script_hash = migration_guard.script_hash(script) WHERE version = '202';
SELECT migration_id, problem FROM migration_guard.verify_ledger();
ROLLBACK;

-- An entry deleted from the middle, and the newest one deleted.
BEGIN;
DELETE FROM migration_guard.migrations WHERE version = '202';
SELECT migration_id, problem FROM migration_guard.verify_ledger();
ROLLBACK;
BEGIN;
DELETE FROM migration_guard.migrations WHERE version = '204';
SELECT migration_id, problem FROM migration_guard.verify_ledger();
ROLLBACK;

-- An entry inserted out of band, even one with a correct-looking chain hash.
BEGIN;
INSERT INTO migration_guard.migrations (version, status, previous_chain_hash, chain_hash,
                                        applied_by, session_role, started_at)
SELECT '205', 'succeeded', h.chain_hash, migration_guard.chain_hash(h.chain_hash, '205', NULL),
       'intruder', 'intruder', now()
  FROM migration_guard.ledger_head() h;
SELECT migration_id, problem FROM migration_guard.verify_ledger();
ROLLBACK;

-- Emptying the whole ledger shows too.
BEGIN;
DELETE FROM migration_guard.migrations;
SELECT migration_id, problem FROM migration_guard.verify_ledger();
ROLLBACK;
SELECT * FROM migration_guard.verify_ledger();
DROP TABLE t201, t202, t203, t204;
