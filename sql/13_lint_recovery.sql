-- lint() keeps reading after a statement the lexer cannot read, and never fails for lack of
-- privileges on what a script names: it reports findings, it does not raise.
-- (Called through a SQL function on purpose: positions must survive its error context.)
CREATE FUNCTION public.lint_rules(script text) RETURNS TABLE (statement int, line int, col int,
                                                             rule text, severity text, message text)
    LANGUAGE sql AS $$
    SELECT statement, line, col, rule, severity, message FROM migration_guard.lint(script)
     WHERE rule <> 'missing-lock-timeout'
$$;

-- An invalid escape hides nothing after it.
SELECT * FROM public.lint_rules($s$ALTER TABLE a DROP COLUMN b;
SELECT U&'\zzzz';
DROP TABLE x;
$s$);
-- Nor does an unterminated quote, as far as a later semicolon lets lint() find its way back.
SELECT statement, line, col, rule FROM public.lint_rules($s$SELECT 'unterminated;
DROP TABLE y;
$s$);
-- Without a semicolon after it, the rest of the script is the broken statement.
SELECT statement, line, col, rule FROM public.lint_rules($s$DROP TABLE z;
SELECT 'unterminated
$s$);
-- An unclosed parenthesis ends at its statement's semicolon: only a rule's actions may have
-- semicolons between parentheses, and the statements after it are still judged.
SELECT statement, line, col, rule FROM public.lint_rules($s$CREATE TABLE a (x int;
ALTER TABLE t DROP COLUMN c;
CREATE RULE r AS ON INSERT TO t DO ALSO (SELECT 1; SELECT 2);
DROP TABLE u;
$s$);

-- A role that may not use a schema gets findings for what it names there, judged as written.
CREATE SCHEMA lint_secret;
CREATE TABLE lint_secret.accounts (id int, email text);
CREATE ROLE regress_mg_outsider;
SET ROLE regress_mg_outsider;
SELECT * FROM public.lint_rules($s$ALTER TABLE lint_secret.accounts DROP COLUMN email;
ALTER TABLE lint_secret.accounts ALTER COLUMN id TYPE bigint;
$s$);
RESET ROLE;
DROP SCHEMA lint_secret CASCADE;
DROP ROLE regress_mg_outsider;
DROP FUNCTION public.lint_rules(text);

-- Where the database knows better: a default calling a volatile function of the application's
-- own (not only the well-known ones like random() or clock_timestamp()) rewrites the table.
CREATE TABLE lint_codes (a int);
CREATE FUNCTION public.next_code() RETURNS int LANGUAGE sql VOLATILE AS 'SELECT 1';
CREATE FUNCTION public.fixed_code() RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 1';
SELECT statement, rule FROM migration_guard.lint($s$
ALTER TABLE lint_codes ADD COLUMN c int DEFAULT next_code();
ALTER TABLE lint_codes ADD COLUMN d int DEFAULT fixed_code();
$s$) WHERE rule <> 'missing-lock-timeout';
DROP TABLE lint_codes;
DROP FUNCTION public.next_code(), public.fixed_code();

-- CONCURRENTLY inside a transaction block fails: lint() assumes the tool runs the script in a
-- transaction, unless its header says otherwise (graphile-migrate, dbmate) or it says so itself
-- with BEGIN ... COMMIT.
SELECT statement, line, rule, severity, message FROM migration_guard.lint($s$
CREATE INDEX CONCURRENTLY lint_idx ON lint_t (a);
$s$);
SELECT count(*) AS graphile_no_transaction FROM migration_guard.lint($s$--! no-transaction
CREATE INDEX CONCURRENTLY lint_idx ON lint_t (a);
$s$);
SELECT count(*) AS dbmate_no_transaction FROM migration_guard.lint($s$-- migrate:up transaction:false
DROP INDEX CONCURRENTLY lint_idx;
$s$);
SELECT statement, rule FROM migration_guard.lint($s$--! no-transaction
BEGIN;
REINDEX INDEX CONCURRENTLY lint_idx;
COMMIT;
REINDEX INDEX CONCURRENTLY lint_idx;
$s$);
