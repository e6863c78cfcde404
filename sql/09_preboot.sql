-- Preboot windows: DDL that breaks running old code is refused while a window is open.
SELECT reset_ledger();
CREATE TABLE accounts (id bigint PRIMARY KEY, email text, nickname varchar(20),
                       balance numeric(10,2), status text DEFAULT 'new', note text NOT NULL DEFAULT '');
CREATE TABLE payments (id bigint PRIMARY KEY, account_id bigint);
CREATE VIEW account_emails AS SELECT id, email FROM accounts;
CREATE MATERIALIZED VIEW account_count AS SELECT count(*) FROM accounts;
CREATE SCHEMA reporting;
CREATE TYPE mood AS ENUM ('sad', 'happy');
CREATE TYPE point2 AS (x int, y int);
CREATE FUNCTION greet() RETURNS text LANGUAGE sql AS $$ SELECT 'hi' $$;
CREATE INDEX accounts_email_idx ON accounts (email);

-- No window open: the guard stays out of the way.
SELECT count(*) AS open_windows FROM migration_guard.preboot_windows WHERE state = 'open';
ALTER TABLE accounts RENAME COLUMN note TO remark;
ALTER TABLE accounts RENAME COLUMN remark TO note;

-- Open a window.
SELECT migration_guard.open_preboot_window('10 minutes', 'deploy 42') AS window_id;
SELECT window_id, opened_by, reason, state, closes_at > opened_at + interval '9 minutes' AS ten_minutes
  FROM migration_guard.preboot_windows;
-- Opening again extends the open window rather than stacking a second one.
SET client_min_messages = warning; -- the NOTICE names the new end time
SELECT migration_guard.open_preboot_window('20 minutes') AS same_window;
RESET client_min_messages;
SELECT count(*) AS windows FROM migration_guard.preboot_windows;

-- Compatibility rules (block): each refused with the rule, the object, why and the recipe.
SELECT try($$DROP TABLE payments$$);
SELECT try($$DROP VIEW account_emails$$);
SELECT try($$DROP MATERIALIZED VIEW account_count$$);
SELECT try($$ALTER TABLE accounts DROP COLUMN nickname$$);
SELECT try($$DROP SCHEMA reporting$$);
SELECT try($$DROP FUNCTION greet()$$);
SELECT try($$DROP TYPE point2$$);
SELECT try($$ALTER TABLE payments RENAME TO charges$$);
SELECT try($$ALTER TABLE accounts RENAME COLUMN email TO email_address$$);
SELECT try($$ALTER SCHEMA reporting RENAME TO reports$$);
SELECT try($$ALTER VIEW account_emails RENAME TO emails$$);
SELECT try($$ALTER FUNCTION greet() RENAME TO hello$$);
SELECT try($$ALTER TYPE point2 RENAME TO pair$$);
SELECT try($$ALTER TYPE mood RENAME VALUE 'sad' TO 'blue'$$);
SELECT try($$ALTER TABLE accounts ALTER COLUMN status TYPE varchar(10)$$);
SELECT try($$ALTER TABLE accounts ALTER COLUMN balance TYPE numeric(12,3)$$);
SELECT try($$ALTER TABLE accounts ADD COLUMN plan text NOT NULL$$);
SELECT try($$ALTER TABLE accounts ALTER COLUMN email SET NOT NULL$$);
SELECT try($$ALTER TABLE accounts ADD CONSTRAINT positive CHECK (balance >= 0)$$);
SELECT try($$ALTER TABLE payments ADD CONSTRAINT payments_account FOREIGN KEY (account_id) REFERENCES accounts$$);
SELECT try($$ALTER TABLE accounts ADD CONSTRAINT unique_email UNIQUE (email)$$);
SELECT try($$TRUNCATE payments$$);
SELECT try($$ALTER TABLE accounts ADD CONSTRAINT one_row_per_id EXCLUDE USING btree (id WITH =)$$);

-- ... and the safe forms pass: changes PostgreSQL makes without a rewrite and old code cannot
-- notice, new things old code does not see.
ALTER TABLE accounts ALTER COLUMN nickname TYPE varchar(40);
ALTER TABLE accounts ALTER COLUMN nickname TYPE text;
ALTER TABLE accounts ALTER COLUMN balance TYPE numeric(14,2);
ALTER TABLE accounts ADD COLUMN plan text;
ALTER TABLE accounts ADD COLUMN tier text NOT NULL DEFAULT 'free';
CREATE TABLE invoices (id bigint PRIMARY KEY);
CREATE INDEX CONCURRENTLY accounts_status_idx ON accounts (status);
ALTER TYPE mood ADD VALUE 'calm';
CREATE VIEW account_plans AS SELECT id, plan FROM accounts;

-- Compatibility rules that warn by default: the statement runs.
ALTER TABLE accounts ALTER COLUMN status DROP DEFAULT;
ALTER TABLE accounts ALTER COLUMN note DROP NOT NULL;

-- Locking rules (warn by default).
CREATE INDEX accounts_plan_idx ON accounts (plan);
DROP INDEX accounts_plan_idx;
REINDEX INDEX accounts_email_idx;
ALTER TABLE accounts ADD COLUMN token uuid DEFAULT gen_random_uuid();
VACUUM FULL payments;
CLUSTER accounts USING accounts_pkey;

-- A table created in the same transaction is exempt: nobody else can see it yet.
BEGIN;
CREATE TABLE drafts (id int, body text, tmp text);
ALTER TABLE drafts DROP COLUMN tmp;
ALTER TABLE drafts RENAME COLUMN body TO content;
ALTER TABLE drafts ALTER COLUMN id SET NOT NULL;
COMMIT;

-- An existing table altered earlier in the same transaction is not "new": still guarded.
BEGIN;
ALTER TABLE accounts ADD COLUMN scratch int;
SELECT try($$ALTER TABLE accounts DROP COLUMN email$$);
ROLLBACK;

-- A column added in the same transaction is new: no old code knows it, so renaming, retyping
-- or dropping it breaks nothing (also after a savepoint) ...
BEGIN;
ALTER TABLE accounts ADD COLUMN scratch int;
SAVEPOINT s;
ALTER TABLE accounts RENAME COLUMN scratch TO scratch2;
ALTER TABLE accounts ALTER COLUMN scratch2 TYPE bigint;
ALTER TABLE accounts DROP COLUMN scratch2;
COMMIT;
-- Also with a DEFAULT (which updates the column's catalog row again), and next to other new
-- columns.
BEGIN;
ALTER TABLE accounts ADD COLUMN d1 int DEFAULT 0;
ALTER TABLE accounts ADD COLUMN d2 int, ADD COLUMN d3 int DEFAULT 1;
ALTER TABLE accounts DROP COLUMN d1, DROP COLUMN d2, DROP COLUMN d3;
COMMIT;
-- ... but making it NOT NULL breaks old code's inserts; and once committed, a column is
-- everyone's (the next deploy's old code may use it).
BEGIN;
ALTER TABLE accounts ADD COLUMN scratch int;
SELECT try($$ALTER TABLE accounts ALTER COLUMN scratch SET NOT NULL$$);
ROLLBACK;
ALTER TABLE payments ADD COLUMN memo text;
SELECT try($$ALTER TABLE payments DROP COLUMN memo$$) LIKE 'MGBLK: drop-column:%' AS refused;

-- Statements sent through functions, DO blocks and EXECUTE are checked the same way.
SELECT try($t$DO $do$ BEGIN EXECUTE 'ALTER TABLE accounts DROP COLUMN plan'; END $do$$t$);
CREATE FUNCTION drop_it() RETURNS void LANGUAGE plpgsql AS $$ BEGIN ALTER TABLE accounts DROP COLUMN plan; END $$;
SELECT try($$SELECT drop_it()$$);
SELECT try($$SELECT migration_guard.run_migration('p1', 'alter table accounts drop column plan')$$);
SELECT count(*) AS nothing_recorded FROM migration_guard.migrations WHERE version = 'p1';

-- Rule actions: a DBA can change them and read them back.
SELECT rule, category, action, default_action FROM migration_guard.rules
 WHERE rule IN ('drop-column', 'drop-default', 'create-index-non-concurrently', 'table-rewrite', 'syntax-error')
 ORDER BY rule;
SELECT migration_guard.set_rule_action('drop-column', 'warn');
ALTER TABLE accounts DROP COLUMN tier;
SELECT migration_guard.set_rule_action('drop-column', 'off');
ALTER TABLE accounts DROP COLUMN token;
SELECT migration_guard.set_rule_action('drop-column', 'default');
SELECT try($$ALTER TABLE accounts DROP COLUMN plan$$);
SELECT try($$SELECT migration_guard.set_rule_action('no-such-rule', 'off')$$);
SELECT try($$SELECT migration_guard.set_rule_action('drop-column', 'maybe')$$);
-- With the compatibility rule off, the locking rule for constraints still speaks: validate
-- separately (NOT VALID, then VALIDATE CONSTRAINT) so the long scan takes no heavy lock.
SELECT migration_guard.set_rule_action('add-foreign-key', 'off');
ALTER TABLE payments ADD CONSTRAINT payments_account FOREIGN KEY (account_id) REFERENCES accounts;
ALTER TABLE payments DROP CONSTRAINT payments_account;
SET lock_timeout = '10s';
ALTER TABLE payments ADD CONSTRAINT payments_account FOREIGN KEY (account_id) REFERENCES accounts NOT VALID;
ALTER TABLE payments VALIDATE CONSTRAINT payments_account;
RESET lock_timeout;
SELECT migration_guard.set_rule_action('add-foreign-key', 'default');
SELECT migration_guard.set_rule_action('create-index-non-concurrently', 'block');
SELECT try($$CREATE INDEX accounts_note_idx ON accounts (note)$$);
SELECT migration_guard.set_rule_action('create-index-non-concurrently', 'default');

-- allow_incompatible(): the rest of the transaction goes through, and the ledger says who and why.
BEGIN;
SELECT migration_guard.allow_incompatible('plan column unused since release 41') > 0 AS allowed;
DROP VIEW account_plans;
ALTER TABLE accounts DROP COLUMN plan;
COMMIT;
SELECT role, reason, window_id IS NOT NULL AS in_window FROM migration_guard.allowances;
-- Only for that transaction.
SELECT try($$ALTER TABLE accounts DROP COLUMN nickname$$);
-- ... and not when the call itself was rolled back.
BEGIN;
SAVEPOINT s;
SELECT migration_guard.allow_incompatible('changed my mind') > 0 AS allowed;
ROLLBACK TO SAVEPOINT s;
SELECT try($$ALTER TABLE accounts DROP COLUMN nickname$$);
COMMIT;
SELECT count(*) AS allowances FROM migration_guard.allowances;
SELECT try($$SELECT migration_guard.allow_incompatible(NULL)$$);
SELECT try($$SELECT migration_guard.allow_incompatible('')$$);

-- enforce: off lets everything through; always guards without a window.
SET migration_guard.enforce = off;
ALTER TABLE accounts RENAME COLUMN note TO remark;
RESET migration_guard.enforce;
SELECT migration_guard.close_preboot_window() IS NOT NULL AS closed;
SELECT state FROM migration_guard.preboot_windows;
ALTER TABLE accounts RENAME COLUMN remark TO note;
SET migration_guard.enforce = always;
SELECT try($$ALTER TABLE accounts RENAME COLUMN note TO remark$$);
RESET migration_guard.enforce;
SELECT migration_guard.close_preboot_window() IS NULL AS nothing_to_close;

-- A window ends by itself.
SELECT migration_guard.open_preboot_window('1 second') > 0 AS opened;
SELECT try($$ALTER TABLE accounts RENAME COLUMN note TO remark$$);
SELECT pg_sleep(1.2);
SELECT state FROM migration_guard.preboot_windows ORDER BY window_id DESC LIMIT 1;
ALTER TABLE accounts RENAME COLUMN note TO remark;
SELECT try($$SELECT migration_guard.open_preboot_window('-1 minute')$$);
SELECT try($$SELECT migration_guard.open_preboot_window('8 days')$$);

-- lint(): findings without running anything; a syntax error is a finding, not an abort.
SELECT * FROM migration_guard.lint($script$
-- a migration with everything in it
CREATE TABLE fresh (id int);
ALTER TABLE fresh DROP COLUMN id;        -- created above: exempt
ALTER TABLE accounts DROP COLUMN email;  /* blocked */
CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $f$ SELECT 'DROP TABLE accounts;' $f$;
ALTER TABLE accounts ADD COLUM broken text;
CREATE INDEX ON accounts (status);
SET lock_timeout = '2s';
ALTER TABLE accounts RENAME TO customers;
$script$);
SELECT count(*) AS ran_nothing FROM pg_class WHERE relname = 'fresh';
SELECT * FROM migration_guard.lint('');
SELECT * FROM migration_guard.lint('SELECT 1; SELEC 2; SELECT 3');

DROP TABLE drafts, invoices;
DROP FUNCTION drop_it();
