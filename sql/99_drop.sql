-- Dropping the extension removes the ledger and the event triggers; DDL goes on working.
DROP VIEW public.ledger, public.events;
DROP EXTENSION migration_guard;
SELECT count(*) AS event_triggers FROM pg_event_trigger WHERE evtname LIKE 'migration_guard%';
-- PostgreSQL keeps the schema a control file names, empty; DROP SCHEMA removes it.
SELECT count(*) AS objects_left FROM pg_class WHERE relnamespace = 'migration_guard'::regnamespace;
DROP SCHEMA migration_guard;
CREATE TABLE after_drop (x int);
DROP TABLE after_drop;
-- A schema someone else prepared under the extension's name is refused: the ledger's code
-- runs as the extension's owner and must not live in a schema another role controls.
CREATE ROLE regress_mg_squatter;
SELECT format('GRANT CREATE ON DATABASE %I TO regress_mg_squatter', current_database()) \gexec
SET ROLE regress_mg_squatter;
CREATE SCHEMA migration_guard;
RESET ROLE;
SELECT try($$CREATE EXTENSION migration_guard$$);
DROP SCHEMA migration_guard;
SELECT format('REVOKE CREATE ON DATABASE %I FROM regress_mg_squatter', current_database()) \gexec
DROP ROLE regress_mg_squatter;
-- And it installs again into the same session.
CREATE EXTENSION migration_guard;
SELECT migration_guard.run_migration('1', 'create table after_reinstall (x int)');
SELECT version, status, ddl_count FROM migration_guard.history ORDER BY migration_id;
-- F6. Windows work in the session that dropped and created the extension again.
SELECT migration_guard.open_preboot_window('1 minute') > 0 AS opened;
SELECT try($$ALTER TABLE after_reinstall RENAME TO renamed$$);
SELECT migration_guard.close_preboot_window() > 0 AS closed;
DROP TABLE after_reinstall;
-- The extension's owner is remembered across transactions until it may have changed: after
-- DROP and CREATE EXTENSION by another role, and after REASSIGN OWNED gives the extension to
-- another role, the ledger's SQL runs as the new owner (a trigger on the ledger sees who).
CREATE ROLE regress_mg_owner_a SUPERUSER;
CREATE ROLE regress_mg_owner_b SUPERUSER;
SELECT migration_guard.run_migration('owner-0', 'create table owned_zero (x int)');
DROP EXTENSION migration_guard;
DROP SCHEMA migration_guard;
SET ROLE regress_mg_owner_a;
CREATE EXTENSION migration_guard;
RESET ROLE;
CREATE TABLE public.ledger_writers (version text, writer name);
GRANT INSERT ON public.ledger_writers TO PUBLIC;
CREATE FUNCTION public.note_writer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.ledger_writers VALUES (NEW.version, current_user);
    RETURN NEW;
END $$;
CREATE TRIGGER note_writer AFTER INSERT ON migration_guard.migrations
    FOR EACH ROW EXECUTE FUNCTION public.note_writer();
SELECT migration_guard.run_migration('owner-1', 'create table owned_first (x int)');
REASSIGN OWNED BY regress_mg_owner_a TO regress_mg_owner_b;
ALTER ROLE regress_mg_owner_a NOSUPERUSER;
SELECT extowner::regrole AS owner FROM pg_extension WHERE extname = 'migration_guard';
SELECT migration_guard.run_migration('owner-2', 'create table owned_second (x int)');
SELECT version, status, ddl_count FROM migration_guard.history ORDER BY migration_id;
SELECT * FROM public.ledger_writers ORDER BY version;
DROP TABLE owned_zero, owned_first, owned_second, public.ledger_writers;
DROP EXTENSION migration_guard;
DROP SCHEMA migration_guard;
DROP FUNCTION public.note_writer();
DROP ROLE regress_mg_owner_a, regress_mg_owner_b;
