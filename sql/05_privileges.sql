-- Privileges: PUBLIC cannot read or write the ledger; a DBA grants runners and readers.
SELECT reset_ledger();
CREATE ROLE regress_mg_deployer LOGIN;
CREATE ROLE regress_mg_reader LOGIN;
CREATE ROLE regress_mg_nobody LOGIN;
CREATE SCHEMA regress_app AUTHORIZATION regress_mg_deployer;
SELECT migration_guard.grant_runner('regress_mg_deployer');
SELECT migration_guard.grant_reader('regress_mg_reader');

-- No table, sequence or function of the ledger is open to PUBLIC but the pure hash functions.
SELECT c.relname, c.relacl IS NULL OR NOT EXISTS (
           SELECT 1 FROM aclexplode(c.relacl) a WHERE a.grantee = 0) AS closed_to_public
  FROM pg_class c WHERE c.relnamespace = 'migration_guard'::regnamespace AND c.relkind IN ('r', 'S', 'v')
 ORDER BY c.relname;
SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS args
  FROM pg_proc p
 WHERE p.pronamespace = 'migration_guard'::regnamespace
   AND has_function_privilege('regress_mg_nobody', p.oid, 'EXECUTE')
 ORDER BY 1, 2;
-- SECURITY DEFINER functions pin their search_path.
SELECT p.proname, p.proconfig FROM pg_proc p
 WHERE p.pronamespace = 'migration_guard'::regnamespace AND p.prosecdef ORDER BY 1;

SET ROLE regress_mg_deployer;
SET search_path = regress_app, public;
SELECT migration_guard.run_migration('301', 'create table regress_app.things (id int primary key)', 'things');
BEGIN;
SELECT migration_guard.begin_migration('302', 'alter table regress_app.things add column name text', 'name', 'psql') AS id;
ALTER TABLE regress_app.things ADD COLUMN name text;
SELECT migration_guard.finish_migration() AS finished;
COMMIT;
-- Runners go through the API only.
SELECT try($$INSERT INTO migration_guard.migrations (version, status, previous_chain_hash, chain_hash, applied_by, session_role, started_at) VALUES ('x', 'succeeded', '', '', 'x', 'x', now())$$);
SELECT try($$UPDATE migration_guard.migrations SET status = 'failed'$$);
SELECT try($$DELETE FROM migration_guard.ddl_events$$);
SELECT try($$SELECT migration_guard._begin_migration('303', NULL, NULL, NULL, NULL, 'forged', false, NULL)$$);
SELECT try($$SELECT migration_guard._append('303', NULL, NULL, 'migration', 'succeeded', NULL, NULL, 'forged', now(), now(), true, NULL, NULL)$$);
SELECT version, status, applied_by, session_role, ddl_count FROM migration_guard.history ORDER BY migration_id;
SELECT role, command_tag, object_identity FROM migration_guard.ddl_log ORDER BY event_id;
RESET search_path;
RESET ROLE;

SET ROLE regress_mg_reader;
SELECT version, status FROM migration_guard.history ORDER BY migration_id;
SELECT count(*) AS drift FROM migration_guard.drift;
SELECT count(*) AS not_succeeded FROM migration_guard.not_succeeded;
SELECT count(*) AS problems FROM migration_guard.verify_ledger();
SELECT try($$SELECT migration_guard.begin_migration('304')$$);
SELECT try($$SELECT migration_guard.run_migration('304', 'select 1')$$);
RESET ROLE;

SET ROLE regress_mg_nobody;
SELECT try($$SELECT * FROM migration_guard.history$$);
SELECT try($$SELECT * FROM migration_guard.ddl_events$$);
SELECT try($$SELECT migration_guard.begin_migration('305')$$);
SELECT try($$SELECT migration_guard.verify_ledger()$$);
SELECT migration_guard.script_hash('abc') IS NOT NULL AS can_hash;
RESET ROLE;

DROP SCHEMA regress_app CASCADE;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA migration_guard FROM regress_mg_deployer, regress_mg_reader;
REVOKE ALL ON ALL TABLES IN SCHEMA migration_guard FROM regress_mg_deployer, regress_mg_reader;
DROP ROLE regress_mg_deployer, regress_mg_reader, regress_mg_nobody;
