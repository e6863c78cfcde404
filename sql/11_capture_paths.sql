-- DDL capture writes ddl_events directly (no SQL) while the table is exactly as installed, and
-- through SQL as the extension owner when a DBA has added a trigger, a column, a CHECK
-- constraint, an expression index, or row security: both must record the same rows,
-- and the second must honour what the DBA added.
SELECT public.reset_ledger();
SET client_min_messages = warning;

CREATE FUNCTION public.last_events(n integer) RETURNS TABLE (event text, command_tag text,
        object_type text, object_identity text, statement text, own_backend boolean,
        own_xact boolean, role name, session_role name)
    LANGUAGE sql AS $$
    SELECT event, command_tag, object_type, object_identity, statement,
           backend_pid = pg_backend_pid(), txid IS NOT NULL, role, session_role
      FROM (SELECT * FROM migration_guard.ddl_events ORDER BY event_id DESC LIMIT n) e
     ORDER BY event_id
$$;

-- The direct path: every column filled, one row per command and per dropped object.
CREATE TABLE cap_direct (id int PRIMARY KEY);
SELECT * FROM public.last_events(2);
ALTER TABLE cap_direct ADD COLUMN note text;
DROP TABLE cap_direct;
SELECT * FROM public.last_events(3);
SELECT count(*) = count(DISTINCT event_id) AS ids_unique,
       bool_and(occurred_at <= clock_timestamp()) AS times_set
  FROM migration_guard.ddl_events;

-- Within the transaction the rows are there at once; a rolled-back transaction or savepoint
-- leaves none behind.
BEGIN;
CREATE TABLE cap_in_xact ();
SELECT count(*) AS seen_in_xact, bool_and(txid = pg_current_xact_id()) AS this_xact
  FROM migration_guard.ddl_events WHERE object_identity = 'public.cap_in_xact';
SAVEPOINT s;
CREATE TABLE cap_in_savepoint ();
ROLLBACK TO SAVEPOINT s;
COMMIT;
BEGIN;
CREATE TABLE cap_rolled_back ();
ROLLBACK;
SELECT object_identity, count(*) FROM migration_guard.ddl_events
 WHERE object_identity LIKE 'public.cap\_%' AND event = 'ddl_command_end'
 GROUP BY 1 ORDER BY 1;

-- A DBA's trigger on ddl_events (say, a replication tool's) fires for every captured row.
CREATE TABLE public.cap_trigger_log (event_id bigint, object_identity text);
CREATE FUNCTION public.cap_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.cap_trigger_log VALUES (NEW.event_id, NEW.object_identity);
    RETURN NEW;
END $$;
CREATE TRIGGER cap_trigger AFTER INSERT ON migration_guard.ddl_events
    FOR EACH ROW EXECUTE FUNCTION public.cap_trigger();
CREATE TABLE cap_with_trigger ();
DROP TABLE cap_with_trigger;
SELECT l.object_identity, e.event
  FROM public.cap_trigger_log l JOIN migration_guard.ddl_events e USING (event_id)
 ORDER BY l.event_id;
DROP TRIGGER cap_trigger ON migration_guard.ddl_events;
CREATE TABLE cap_after_trigger ();
SELECT count(*) AS trigger_rows FROM public.cap_trigger_log;
SELECT * FROM public.last_events(2);

-- A column added by the DBA gets its default; once dropped, the direct path skips it.
ALTER TABLE migration_guard.ddl_events ADD COLUMN site text NOT NULL DEFAULT 'eu-1';
CREATE TABLE cap_with_column ();
SELECT object_identity, site FROM migration_guard.ddl_events ORDER BY event_id DESC LIMIT 1;
ALTER TABLE migration_guard.ddl_events DROP COLUMN site;
CREATE TABLE cap_after_column ();
SELECT * FROM public.last_events(2);

-- So is a NOT NULL the DBA adds: drift DDL (no migration) then fails with it.
BEGIN;
SET LOCAL migration_guard.capture = off;
UPDATE migration_guard.ddl_events SET migration_id = 0 WHERE migration_id IS NULL;
ALTER TABLE migration_guard.ddl_events ALTER COLUMN migration_id SET NOT NULL;
COMMIT;
SELECT split_part(public.try('CREATE TABLE cap_not_null ()'), E'\n', 1) AS outcome;
BEGIN;
SET LOCAL migration_guard.capture = off;
ALTER TABLE migration_guard.ddl_events ALTER COLUMN migration_id DROP NOT NULL;
UPDATE migration_guard.ddl_events SET migration_id = NULL WHERE migration_id = 0;
COMMIT;

-- A CHECK constraint is enforced, and DDL that breaks it fails with it.
ALTER TABLE migration_guard.ddl_events ADD CONSTRAINT no_cap_checked
    CHECK (object_identity IS DISTINCT FROM 'public.cap_checked');
SELECT split_part(public.try('CREATE TABLE cap_checked ()'), E'\n', 1) AS outcome;
ALTER TABLE migration_guard.ddl_events DROP CONSTRAINT no_cap_checked;

-- An expression index sends capture through SQL, and gets its entries.
CREATE INDEX ddl_events_lower_identity ON migration_guard.ddl_events (lower(object_identity));
CREATE TABLE "Cap_Indexed" ();
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT object_identity FROM migration_guard.ddl_events
 WHERE lower(object_identity) = 'public."cap_indexed"';
SELECT object_identity FROM migration_guard.ddl_events
 WHERE lower(object_identity) = 'public."cap_indexed"';
RESET enable_seqscan;
RESET enable_bitmapscan;
DROP INDEX migration_guard.ddl_events_lower_identity;

-- Partial indexes (the installed one on drift, and one a DBA adds) are written directly: a row
-- goes into one exactly when it matches the predicate. Expected counts come from the heap.
CREATE INDEX ddl_events_drops ON migration_guard.ddl_events (event_id) WHERE event = 'sql_drop';
CREATE TABLE cap_partial ();
DROP TABLE cap_partial;
SELECT count(*) FROM migration_guard.begin_migration('cap-partial');
CREATE TABLE cap_partial_in_migration ();
SELECT count(*) FROM migration_guard.finish_migration();
SET enable_indexscan = off;
SET enable_indexonlyscan = off;
SET enable_bitmapscan = off;
CREATE TEMP TABLE partial_expected AS
SELECT count(*) FILTER (WHERE event = 'sql_drop') AS drops,
       count(*) FILTER (WHERE migration_id IS NULL) AS drift
  FROM migration_guard.ddl_events;
RESET enable_indexscan;
RESET enable_indexonlyscan;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM migration_guard.ddl_events
 WHERE event = 'sql_drop' AND event_id > 0;
EXPLAIN (COSTS OFF) SELECT event_id FROM migration_guard.drift ORDER BY event_id DESC LIMIT 20;
SELECT (SELECT count(*) FROM migration_guard.ddl_events
         WHERE event = 'sql_drop' AND event_id > 0) = drops AS drops_index_complete,
       (SELECT count(*) FROM migration_guard.ddl_events
         WHERE migration_id IS NULL AND event_id > 0) = drift AS drift_index_complete,
       drops > 0 AND drift > 0 AS both_have_rows
  FROM partial_expected;
RESET enable_seqscan;
RESET enable_bitmapscan;
DROP INDEX migration_guard.ddl_events_drops;

-- A partial index whose predicate calls a function PUBLIC may not execute: the predicate is
-- evaluated as the extension owner (as the SQL path would), so a role without that right runs
-- DDL as before, and every statement gets its entry.
CREATE FUNCTION public.cap_is_drop(event text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN RETURN event = 'sql_drop'; END $$;
REVOKE EXECUTE ON FUNCTION public.cap_is_drop(text) FROM PUBLIC;
CREATE ROLE regress_mg_capture_user;
GRANT CREATE ON SCHEMA public TO regress_mg_capture_user;
CREATE INDEX ddl_events_private_predicate ON migration_guard.ddl_events (event_id)
    WHERE public.cap_is_drop(event);
SET ROLE regress_mg_capture_user; -- the first DDL since the index was made
CREATE TABLE cap_private_1 ();
DROP TABLE cap_private_1;
CREATE TABLE cap_private_2 ();
DROP TABLE cap_private_2;
RESET ROLE;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM migration_guard.ddl_events
 WHERE public.cap_is_drop(event) AND event_id > 0;
SELECT count(*) AS drops_through_the_private_predicate FROM migration_guard.ddl_events
 WHERE public.cap_is_drop(event) AND event_id > 0
   AND object_identity LIKE 'public.cap\_private\_%';
RESET enable_seqscan;
RESET enable_bitmapscan;
DROP INDEX migration_guard.ddl_events_private_predicate;
DROP FUNCTION public.cap_is_drop(text);

-- An index that is not a B-tree sends capture through SQL, which fills it.
CREATE INDEX ddl_events_hashed ON migration_guard.ddl_events USING hash (object_identity);
SET ROLE regress_mg_capture_user;
CREATE TABLE cap_hashed ();
DROP TABLE cap_hashed;
RESET ROLE;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM migration_guard.ddl_events
 WHERE object_identity = 'public.cap_hashed';
SELECT count(*) AS found_through_the_hash_index FROM migration_guard.ddl_events
 WHERE object_identity = 'public.cap_hashed';
RESET enable_seqscan;
RESET enable_bitmapscan;
DROP INDEX migration_guard.ddl_events_hashed;
REVOKE CREATE ON SCHEMA public FROM regress_mg_capture_user;
DROP ROLE regress_mg_capture_user;
CREATE TABLE cap_after_index ();
SELECT * FROM public.last_events(1);

-- Every row so far has a unique id and nothing recorded was lost.
SELECT count(*) = count(DISTINCT event_id) AS ids_unique FROM migration_guard.ddl_events;
-- Each index has an entry for every row: counts through each index equal the table's.
CREATE TEMP TABLE counts AS
SELECT count(*) AS all_rows, count(*) FILTER (WHERE migration_id IS NULL) AS drift_rows,
       count(*) FILTER (WHERE objid > 0) AS object_rows,
       count(*) FILTER (WHERE object_identity >= '') AS identity_rows
  FROM migration_guard.ddl_events;
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM migration_guard.ddl_events WHERE event_id > 0;
SELECT (SELECT count(*) FROM migration_guard.ddl_events WHERE event_id > 0) = all_rows AS pk,
       (SELECT count(*) FROM migration_guard.ddl_events WHERE migration_id IS NULL) = drift_rows
           AS by_migration,
       (SELECT count(*) FROM migration_guard.ddl_events WHERE objid > 0) = object_rows AS by_object,
       (SELECT count(*) FROM migration_guard.ddl_events WHERE object_identity >= '')
           = identity_rows AS by_identity
  FROM counts;
RESET enable_seqscan;
RESET enable_bitmapscan;

-- Capture reads PostgreSQL's reports through migration_guard._event_ddl_commands() and
-- _event_dropped_objects() (the same internal functions, with row types the type cache keeps).
-- They are internal, and only callable in an event trigger.
SELECT p.proname, EXISTS (SELECT FROM aclexplode(p.proacl) a WHERE a.grantee = 0) AS public_may_call
  FROM pg_proc p WHERE p.pronamespace = 'migration_guard'::regnamespace
   AND p.proname LIKE '\_event\_%' ORDER BY 1;
SELECT split_part(public.try('SELECT * FROM migration_guard._event_ddl_commands()'), E'\n', 1)
    AS outside_an_event_trigger;
-- A row type changed by hand no longer matches PostgreSQL's columns: capture notices before
-- the next call and reads PostgreSQL's own functions, recording the same rows; once the row
-- type matches again, it goes back.
ALTER TYPE migration_guard._event_ddl_command ALTER ATTRIBUTE objsubid TYPE text;
ALTER TYPE migration_guard._event_dropped_object ADD ATTRIBUTE extra text;
CREATE TABLE cap_type_changed (id int);
ALTER TABLE cap_type_changed ADD COLUMN note text;
DROP TABLE cap_type_changed;
SELECT * FROM public.last_events(3);
SELECT object_identity, objsubid FROM migration_guard.ddl_events ORDER BY event_id DESC LIMIT 3;
ALTER TYPE migration_guard._event_ddl_command ALTER ATTRIBUTE objsubid TYPE integer;
ALTER TYPE migration_guard._event_dropped_object DROP ATTRIBUTE extra;
ALTER TYPE migration_guard._event_dropped_object RENAME ATTRIBUTE object_name TO name;
CREATE TABLE cap_type_restored (id int);
DROP TABLE cap_type_restored;
ALTER TYPE migration_guard._event_dropped_object RENAME ATTRIBUTE name TO object_name;
CREATE TABLE cap_type_renamed_back (id int);
DROP TABLE cap_type_renamed_back;
SELECT * FROM public.last_events(4);

DROP TABLE cap_in_xact, cap_after_trigger, cap_with_column, cap_after_column, "Cap_Indexed",
           cap_partial_in_migration,
           cap_after_index, public.cap_trigger_log;
DROP FUNCTION public.cap_trigger(), public.last_events(integer);
RESET client_min_messages;

