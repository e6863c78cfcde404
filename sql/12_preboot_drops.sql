-- The guard judges what PostgreSQL really drops, not only what the statement names: objects
-- taken by CASCADE, statements no rule reads by name, and tables hidden behind a temporary one.
-- Objects only this transaction (or this session) can see stay exempt.
SELECT reset_ledger();
CREATE TABLE orders_t (id int);
CREATE SEQUENCE order_numbers;
CREATE TABLE numbered (id int DEFAULT nextval('order_numbers'), note text);
CREATE TYPE address AS (street text, zip text);
CREATE TABLE old_part (a int, b int);
CREATE TABLE shown (x int);
CREATE DOMAIN email_address AS text;
CREATE SCHEMA drops_archive;
CREATE VIEW shown_v AS SELECT x FROM shown;
CREATE ROLE regress_mg_leaver;
GRANT CREATE ON SCHEMA public TO regress_mg_leaver;
SET ROLE regress_mg_leaver;
CREATE TABLE leaver_table (x int);
RESET ROLE;
SELECT migration_guard.open_preboot_window('10 minutes', 'drops') > 0 AS opened;

-- A temporary table of the same name exempts only itself.
CREATE TEMP TABLE orders_t (id int);
SELECT try($$DROP TABLE orders_t, public.orders_t$$);
DROP TABLE orders_t; -- the temporary one: nobody else sees it
SELECT to_regclass('public.orders_t') IS NOT NULL AS permanent_still_there;
-- A temporary table created in an earlier transaction is exempt too.
CREATE TEMP TABLE scratch (x int);
ALTER TABLE scratch DROP COLUMN x;
DROP TABLE scratch;

-- DROP SEQUENCE is a removal of its own; with CASCADE the column defaults that call it go too.
SELECT try($$DROP SEQUENCE order_numbers CASCADE$$);
SELECT migration_guard.set_rule_action('drop-sequence', 'off');
SELECT migration_guard.set_rule_action('drop-default', 'block');
SELECT try($$DROP SEQUENCE order_numbers CASCADE$$);
SELECT migration_guard.set_rule_action('drop-default', 'default');
BEGIN;
SET LOCAL client_min_messages = warning;
DROP SEQUENCE order_numbers CASCADE; -- drop-default warns
ROLLBACK;
SELECT migration_guard.set_rule_action('drop-sequence', 'default');

-- Composite type attributes: renamed (judged from the statement) and dropped (judged as dropped).
SELECT try($$ALTER TYPE address RENAME ATTRIBUTE zip TO postcode$$);
SELECT try($$ALTER TYPE address DROP ATTRIBUTE zip$$);

-- A view dropped by CASCADE of a table created in this transaction is an old view all the same.
BEGIN;
CREATE TABLE shown_new (x int);
CREATE OR REPLACE VIEW shown_v AS SELECT x FROM shown_new;
SELECT try($$DROP TABLE shown_new CASCADE$$);
ROLLBACK;

-- DROP OWNED names no object; what it drops is judged.
SELECT try($$DROP OWNED BY regress_mg_leaver$$);

-- A new partitioned table with an old table attached: its changes reach the old table.
BEGIN;
CREATE TABLE new_parent (a int, b int) PARTITION BY RANGE (a);
ALTER TABLE new_parent ATTACH PARTITION old_part FOR VALUES FROM (0) TO (100);
SELECT try($$ALTER TABLE new_parent DROP COLUMN b$$);
SELECT try($$ALTER TABLE new_parent RENAME COLUMN b TO c$$);
ROLLBACK;

-- Everything created in this transaction stays exempt, whatever drops it.
BEGIN;
CREATE SEQUENCE fresh_numbers;
CREATE TABLE fresh (id int DEFAULT nextval('fresh_numbers'));
CREATE VIEW fresh_v AS SELECT id FROM fresh;
CREATE TYPE fresh_address AS (street text, zip text);
CREATE TABLE fresh_parent (a int, b int) PARTITION BY RANGE (a);
CREATE TABLE fresh_child PARTITION OF fresh_parent FOR VALUES FROM (0) TO (10);
DROP SEQUENCE fresh_numbers CASCADE;
DROP TABLE fresh CASCADE;
ALTER TYPE fresh_address DROP ATTRIBUTE zip;
ALTER TABLE fresh_parent DROP COLUMN b;
COMMIT;

-- ... also while DDL capture is off (restores).
BEGIN;
SET LOCAL migration_guard.capture = off;
CREATE SEQUENCE quiet_numbers;
CREATE TABLE quiet (id int DEFAULT nextval('quiet_numbers'));
DROP SEQUENCE quiet_numbers CASCADE;
DROP TABLE quiet;
COMMIT;

-- allow_incompatible() lets cascaded drops through, noted like any other.
BEGIN;
SELECT migration_guard.allow_incompatible('ticket 7: the default is unused') IS NOT NULL AS allowed;
DROP SEQUENCE order_numbers CASCADE;
ROLLBACK;

-- An allowance asked for again inside a savepoint outlives that savepoint's rollback.
BEGIN;
SELECT migration_guard.allow_incompatible('outer reason') IS NOT NULL AS outer_allowed;
SAVEPOINT inner_step;
SELECT migration_guard.allow_incompatible('inner reason') IS NOT NULL AS inner_allowed;
ROLLBACK TO SAVEPOINT inner_step;
SET LOCAL client_min_messages = warning;
ALTER TABLE numbered DROP COLUMN note; -- still allowed
SELECT reason FROM migration_guard.allowances ORDER BY allowance_id;
ROLLBACK;
-- ... while one asked for only inside a rolled-back savepoint ends with it.
BEGIN;
SAVEPOINT inner_step;
SELECT migration_guard.allow_incompatible('inner only') IS NOT NULL AS inner_allowed;
ROLLBACK TO SAVEPOINT inner_step;
SELECT split_part(try($$ALTER TABLE numbered DROP COLUMN note$$), ':', 1) AS refused_with;
ROLLBACK;

-- Unique indexes and json columns warn by default and block when a DBA asks; jsonb passes.
SET client_min_messages = warning;
CREATE UNIQUE INDEX CONCURRENTLY shown_x ON shown (x);
DROP INDEX CONCURRENTLY shown_x;
RESET client_min_messages;
SELECT migration_guard.set_rule_action('add-unique-index', 'block');
SELECT split_part(try($$CREATE UNIQUE INDEX shown_x ON shown (x)$$), E'\n', 1) AS refused;
SELECT migration_guard.set_rule_action('add-unique-index', 'default');
SELECT migration_guard.set_rule_action('add-json-column', 'block');
SELECT split_part(try($$ALTER TABLE shown ADD COLUMN doc json$$), E'\n', 1) AS refused;
SELECT try($$ALTER TABLE shown ADD COLUMN doc jsonb$$) AS jsonb_passes;
SELECT migration_guard.set_rule_action('add-json-column', 'default');

-- A domain's new constraint reaches every column of that type; a new domain is exempt.
SELECT split_part(try($$ALTER DOMAIN email_address ADD CONSTRAINT has_at CHECK (VALUE LIKE '%@%')$$),
                  E'\n', 1) AS refused;
SELECT split_part(try($$ALTER DOMAIN email_address SET NOT NULL$$), E'\n', 1) AS refused;
BEGIN;
CREATE DOMAIN fresh_code AS text;
ALTER DOMAIN fresh_code ADD CONSTRAINT short CHECK (length(VALUE) < 10);
ALTER DOMAIN fresh_code SET NOT NULL;
ROLLBACK;

-- REVOKE warns (old code's role may need the privilege); DROP IDENTITY is a dropped default.
CREATE TABLE ided (id int GENERATED BY DEFAULT AS IDENTITY, x int);
SET client_min_messages = warning;
BEGIN;
REVOKE SELECT ON shown FROM PUBLIC;
ROLLBACK;
RESET client_min_messages;
-- New objects pass both: nobody else uses them yet.
BEGIN;
CREATE TABLE fresh_users (email text);
CREATE UNIQUE INDEX fresh_users_email ON fresh_users (email);
REVOKE ALL ON fresh_users FROM PUBLIC;
ROLLBACK;
SELECT migration_guard.set_rule_action('drop-default', 'block');
SELECT split_part(try($$ALTER TABLE ided ALTER COLUMN id DROP IDENTITY$$), E'\n', 1) AS refused;
SELECT migration_guard.set_rule_action('drop-default', 'default');

-- What goes with a new object but is old itself is judged: a sequence it owns, a partition.
CREATE SEQUENCE owned_old_seq;
CREATE TABLE old_part2 (k int);
CREATE ROLE regress_mg_r3;
BEGIN;
CREATE TABLE new_owner (id int);
ALTER SEQUENCE owned_old_seq OWNED BY new_owner.id;
SELECT split_part(try($$DROP TABLE new_owner$$), E'\n', 1) AS refused;
ROLLBACK;
BEGIN;
CREATE TABLE new_parent2 (k int) PARTITION BY RANGE (k);
ALTER TABLE new_parent2 OWNER TO regress_mg_r3;
SET LOCAL client_min_messages = error;
ALTER TABLE new_parent2 ATTACH PARTITION old_part2 FOR VALUES FROM (0) TO (10);
SELECT split_part(try($$DROP OWNED BY regress_mg_r3$$), E'\n', 1) AS refused;
ROLLBACK;
-- Not what goes with an old table the statement names (judged already), nor with a new one.
CREATE TABLE serial_old_marker (id serial);
BEGIN;
SET LOCAL client_min_messages = warning;
SELECT migration_guard.allow_incompatible('serial table retired') IS NOT NULL AS allowed;
DROP TABLE serial_old_marker; -- no drop-sequence, no drop-default for what goes with it
ROLLBACK;
BEGIN;
CREATE TABLE serial_new (id serial);
DROP TABLE serial_new;
COMMIT;
-- ALTER INDEX / SEQUENCE / VIEW ... RENAME renames whatever relation it names: judged as that.
SELECT split_part(try($$ALTER INDEX orders_t RENAME TO orders_t2$$), E'\n', 1) AS refused;
SELECT split_part(try($$ALTER SEQUENCE order_numbers RENAME TO order_nos$$), E'\n', 1) AS refused;
SELECT split_part(try($$ALTER TABLE order_numbers SET SCHEMA drops_archive$$), E'\n', 1) AS refused;
-- Routines dropped by CASCADE are named with their arguments; a CREATE OR REPLACE of a routine
-- that did not exist is new.
CREATE TABLE holder (x int);
CREATE FUNCTION holder_total(holder) RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE PROCEDURE holder_touch(holder) LANGUAGE sql AS 'SELECT 1';
SELECT try($$DROP TABLE holder CASCADE$$) ~ 'drop-table' AS table_refused_first;
BEGIN;
CREATE TABLE holder_new (x int);
CREATE OR REPLACE FUNCTION holder_new_total(holder_new) RETURNS int LANGUAGE sql AS 'SELECT 1';
DROP TABLE holder_new CASCADE;
ROLLBACK;
BEGIN;
SELECT migration_guard.set_rule_action('drop-table', 'off');
SELECT split_part(try($$DROP TABLE holder CASCADE$$), E'\n', 1) AS refused;
ROLLBACK;

-- Helpers a migration creates and drops again are new: functions, types, domains, schemas,
-- sequences (a data migration's temporary function, say).
BEGIN;
CREATE FUNCTION tmp_backfill() RETURNS int LANGUAGE sql AS 'SELECT 1';
SELECT tmp_backfill();
DROP FUNCTION tmp_backfill();
CREATE TYPE tmp_mood AS ENUM ('calm');
DROP TYPE tmp_mood;
CREATE DOMAIN tmp_code AS text;
DROP DOMAIN tmp_code;
CREATE SCHEMA tmp_work;
DROP SCHEMA tmp_work;
CREATE SEQUENCE tmp_numbers;
DROP SEQUENCE tmp_numbers;
COMMIT;
-- An old one of the same name is still protected.
CREATE FUNCTION kept_helper() RETURNS int LANGUAGE sql AS 'SELECT 1';
SELECT split_part(try($$DROP FUNCTION kept_helper()$$), E'\n', 1) AS refused;

-- With the window closed nothing is judged.
SELECT migration_guard.close_preboot_window() > 0 AS closed;
BEGIN;
DROP OWNED BY regress_mg_leaver;
ROLLBACK;

-- Opening a window says when TRUNCATE & co. may go unchecked; not once the library preloads.
BEGIN;
SET LOCAL session_preload_libraries = 'migration_guard';
SELECT migration_guard.open_preboot_window('1 minute') > 0 AS opened_quietly;
ROLLBACK;

DROP TABLE orders_t, numbered, old_part, shown, ided, old_part2, serial_old_marker, holder CASCADE;
DROP SEQUENCE owned_old_seq;
DROP ROLE regress_mg_r3;
DROP SCHEMA drops_archive;
DROP FUNCTION kept_helper();
DROP TABLE fresh_parent;
DROP TYPE address, fresh_address;
DROP DOMAIN email_address;
DROP SEQUENCE order_numbers;
DROP TABLE leaver_table;
REVOKE CREATE ON SCHEMA public FROM regress_mg_leaver;
DROP ROLE regress_mg_leaver;
