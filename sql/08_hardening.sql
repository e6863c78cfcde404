-- Regressions found in review: each case failed before its fix.
SELECT reset_ledger();

-- 1. The ledger's own SQL runs as the extension owner with a pinned search_path: a role's
--    operator in its own schema must never run with the owner's privileges.
CREATE ROLE regress_mg_attacker;
CREATE SCHEMA evil AUTHORIZATION regress_mg_attacker;
SET ROLE regress_mg_attacker;
CREATE FUNCTION evil.texteq_hijack(text, text) RETURNS boolean LANGUAGE plpgsql
    SET search_path = pg_catalog AS $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        EXECUTE 'ALTER ROLE regress_mg_attacker SUPERUSER';
    END IF;
    RETURN $1 = $2;
END $$;
CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.texteq_hijack);
SET search_path = evil, pg_catalog;
CREATE TABLE evil.t ();
DROP TABLE evil.t;
RESET search_path;
RESET ROLE;
SELECT rolsuper AS attacker_became_superuser FROM pg_roles WHERE rolname = 'regress_mg_attacker';
DROP SCHEMA evil CASCADE;

-- 6. The ledger lock is not an advisory lock any role can take.
SET ROLE regress_mg_attacker;
SELECT try($$LOCK TABLE migration_guard.chain_head IN SHARE ROW EXCLUSIVE MODE$$);
RESET ROLE;
DROP ROLE regress_mg_attacker;

-- 2. finish_migration() undone by a rollback leaves the migration open, as the ledger says.
SELECT migration_guard.begin_migration('h1', 'create table h1 ()') AS id;
CREATE TABLE h1 ();
BEGIN;
SAVEPOINT s;
SELECT migration_guard.finish_migration() AS finished;
ROLLBACK TO SAVEPOINT s;
COMMIT;
SELECT version, status FROM migration_guard.history WHERE version = 'h1';
SELECT migration_guard.finish_migration() AS finished_for_real;
SELECT version, status FROM migration_guard.history WHERE version = 'h1';
-- ... also when an exception block swallows the error after finish.
SELECT migration_guard.begin_migration('h2', 'create table h2 ()') AS id;
DO $$ BEGIN PERFORM migration_guard.finish_migration(); PERFORM 1 / 0;
      EXCEPTION WHEN division_by_zero THEN NULL; END $$;
SELECT version, status FROM migration_guard.history WHERE version = 'h2';
SELECT migration_guard.fail_migration('gave up') AS failed;
SELECT version, status, reason FROM migration_guard.history WHERE version = 'h2';
-- ... and a transaction that began, finished and then rolled back loses the migration, which
-- fail_migration() can still record.
BEGIN;
SELECT migration_guard.begin_migration('h3', 'create table h3 ()') AS id;
CREATE TABLE h3 ();
SELECT migration_guard.finish_migration() AS finished;
SELECT 1 / 0;
ROLLBACK;
SELECT migration_guard.fail_migration() AS recorded;
SELECT version, status, reason FROM migration_guard.history WHERE version = 'h3';

-- 3. A rolled-back migration whose recording is itself rolled back is still recorded later.
BEGIN;
SELECT migration_guard.begin_migration('h4', 'create table h4 ()') AS id;
SELECT 1 / 0;
ROLLBACK;
-- run_migration of an applied version records the lost h4 inside its exception block, then
-- gets 'already applied' and rolls that block back.
SELECT migration_guard.run_migration('h1', 'create table h1 ()');
SELECT migration_guard.fail_migration() AS recorded;
SELECT version, status, reason FROM migration_guard.history WHERE version = 'h4';

-- 4. Names, tools and reasons of any length never make a notification too large, and the API
--    bounds what it stores.
SELECT try($$SELECT migration_guard.begin_migration('h5', 'select 1', repeat('n', 1001))$$);
SELECT try($$SELECT migration_guard.begin_migration('h5', 'select 1', 'ok', repeat('t', 201))$$);
SELECT migration_guard.begin_migration('h5', 'select 1', repeat('é', 500), repeat('"', 200)) AS id;
SELECT migration_guard.fail_migration(repeat(E'\u0001', 100000)) AS failed;
SELECT version, status, length(reason) FROM migration_guard.history WHERE version = 'h5';
SELECT migration_guard.run_migration('h6', 'select 1', repeat('x', 1000));

-- 8. Role names are stored as PostgreSQL stores names: zero-padded to 64 bytes, with no stray
--    bytes after the terminating zero. Every "postgres" in the heap tuples must be followed by
--    56 zero bytes (counted in the hex dump).
CREATE EXTENSION pageinspect;
CREATE FUNCTION pg_temp.unpadded_names(rel regclass) RETURNS bigint LANGUAGE sql AS $$
    SELECT sum((length(h) - length(replace(h, n, ''))) / length(n)
             - (length(h) - length(replace(h, n || z, ''))) / length(n || z))
      FROM (SELECT encode(t_data, 'hex') AS h, '706f737467726573' AS n, repeat('00', 56) AS z
              FROM heap_page_items(get_raw_page(rel::text, 0)) WHERE t_data IS NOT NULL) t
$$;
SELECT pg_temp.unpadded_names('migration_guard.migrations') AS unpadded_in_migrations,
       pg_temp.unpadded_names('migration_guard.ddl_events') AS unpadded_in_ddl_events;
DROP EXTENSION pageinspect;

-- 10. Drops inside an extension's own scripts are not recorded; the DROP EXTENSION is.
SELECT reset_ledger();
CREATE EXTENSION IF NOT EXISTS pageinspect;
DROP EXTENSION pageinspect;
SELECT event, command_tag, object_type, object_identity FROM migration_guard.ddl_log ORDER BY event_id;

-- 5. A backend that connected after this transaction first read the backend status table is
--    still seen as alive (its migration is not called interrupted).
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT format('dbname=%s user=%s host=%s port=%s', current_database(), current_user,
              split_part(current_setting('unix_socket_directories'), ',', 1),
              current_setting('port')) AS worker_conninfo \gset
BEGIN;
SELECT count(*) > 0 AS status_read FROM pg_stat_activity;
SELECT dblink_connect('late', :'worker_conninfo');
SELECT * FROM dblink('late', $$SELECT migration_guard.begin_migration('late', 'select 1')$$) AS t (id bigint);
SELECT migration_guard.run_migration('h7', 'select 1');
COMMIT;
SELECT * FROM dblink('late', $$SELECT migration_guard.finish_migration()$$) AS t (id bigint);
SELECT dblink_disconnect('late');
SELECT version, status FROM migration_guard.history WHERE version IN ('late', 'h7') ORDER BY migration_id;

-- F5. A window opened by another session is seen even inside a REPEATABLE READ transaction
--     that began before it (the guard reads the newest state, not the transaction's snapshot).
CREATE TABLE rr_target (id int);
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) >= 0 AS snapshot_taken FROM migration_guard.preboot_windows;
SELECT dblink_connect('other', :'worker_conninfo');
SELECT * FROM dblink('other', $$SELECT migration_guard.open_preboot_window('1 hour') > 0$$) AS t (opened boolean);
SELECT try($$ALTER TABLE rr_target RENAME TO rr_renamed$$);
COMMIT;
SELECT * FROM dblink('other', $$SELECT migration_guard.close_preboot_window() > 0$$) AS t (closed boolean);
SELECT dblink_disconnect('other');
DROP TABLE rr_target;
DROP EXTENSION dblink;

-- F7. lint() applies the rule actions a DBA set, even as the first thing a session does.
SELECT migration_guard.set_rule_action('drop-column', 'off');
\c
SELECT rule FROM migration_guard.lint('ALTER TABLE h1 DROP COLUMN nothing');
SELECT migration_guard.set_rule_action('drop-column', 'default');

-- 9. The first DDL of a session (before the library is loaded) still records just its own
--    statement of a multi-statement query string.
\c
CREATE TABLE first_a () \; CREATE TABLE first_b ();
SELECT object_identity, statement FROM migration_guard.ddl_log
 WHERE object_identity IN ('public.first_a', 'public.first_b') ORDER BY event_id;
DROP TABLE first_a, first_b;

SELECT * FROM migration_guard.verify_ledger();
DROP TABLE h1;
