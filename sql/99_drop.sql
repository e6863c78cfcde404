-- Dropping the extension removes the ledger and the event triggers; DDL goes on working.
DROP VIEW public.ledger, public.events;
DROP EXTENSION migration_guard;
SELECT count(*) AS event_triggers FROM pg_event_trigger WHERE evtname LIKE 'migration_guard%';
-- PostgreSQL keeps the schema a control file names, empty; DROP SCHEMA removes it.
SELECT count(*) AS objects_left FROM pg_class WHERE relnamespace = 'migration_guard'::regnamespace;
DROP SCHEMA migration_guard;
CREATE TABLE after_drop (x int);
DROP TABLE after_drop;
-- And it installs again into the same session.
CREATE EXTENSION migration_guard;
SELECT migration_guard.run_migration('1', 'create table after_reinstall (x int)');
SELECT version, status, ddl_count FROM migration_guard.history;
DROP TABLE after_reinstall;
