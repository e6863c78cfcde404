-- Custom SQLSTATEs (seed 003's rules): validators, domain, registry, CREATE FUNCTION check, audit.
SELECT code, migration_guard.is_valid_custom_sqlstate(code) AS valid
  FROM unnest(ARRAY['DNIED', 'NUNIQ', 'NTFND', 'BADFK', 'MODAT', 'WEAKP', 'LOCKD', 'TAKEN', 'EMTKN',
                    'CREDS', 'LOGIN', 'VRFY1', 'VRFY2', 'CDLEA', 'FFFFF']) AS code;
-- Every rule, and answers for input that is not a code at all.
SELECT code, rule, reason
  FROM unnest(ARRAY['FFFFF', 'HELLO', 'PANIC', 'XRAYS', '1ABCD', 'A-BCD', 'AB0CD', 'ABPCD', 'ABC1D',
                    'ABCD-', 'ABCD', 'ABCDEF', '', 'abcde', 'AB000', 'ÄBCDE', '23505', 'P0001', 'XX000'])
       AS code
 CROSS JOIN LATERAL migration_guard.sqlstate_violations(code)
 ORDER BY code, rule;
SELECT * FROM migration_guard.sqlstate_violations(NULL);
SELECT migration_guard.is_valid_custom_sqlstate(NULL) AS null_is_valid;
SELECT migration_guard.builtin_sqlstate_name('23505'), migration_guard.builtin_sqlstate_name('WEAKP');
-- Every one of PostgreSQL's own codes (the server's errcodes.txt, as built into the extension;
-- test/unit/sqlstate_test.cpp walks the whole list) is rejected; a few by name here.
SELECT code, migration_guard.builtin_sqlstate_name(code) AS condition,
       migration_guard.is_valid_custom_sqlstate(code) AS valid
  FROM unnest(ARRAY['00000', '23505', '42P01', 'P0001', 'XX000', 'HV000', 'F0000']) AS code;

-- The domain.
SELECT 'WEAKP'::migration_guard.custom_sqlstate AS ok;
SELECT try($$SELECT 'FFFFF'::migration_guard.custom_sqlstate$$);
SELECT try($$SELECT '23505'::migration_guard.custom_sqlstate$$);
SELECT NULL::migration_guard.custom_sqlstate IS NULL AS null_allowed;
CREATE TABLE app_errors (code migration_guard.custom_sqlstate NOT NULL);
SELECT try($$INSERT INTO app_errors VALUES ('ab0cd')$$);
INSERT INTO app_errors VALUES ('NTFND');
DROP TABLE app_errors;

-- The registry: seed 003's list loads, FFFFF as an explained exception.
\getenv abs_srcdir PG_ABS_SRCDIR
\set seed_file :abs_srcdir '/examples/error_codes_seed_003.sql'
\i :seed_file
SELECT code, name, category, rule_exception IS NOT NULL AS excepted FROM migration_guard.error_codes ORDER BY code;
SELECT try($$INSERT INTO migration_guard.error_codes (code, name, description) VALUES ('HTTPS', 'https_only', 'no')$$);
SELECT try($$INSERT INTO migration_guard.error_codes (code, name, description, rule_exception) VALUES ('23505', 'dup', 'no', 'I insist')$$);
SELECT try($$INSERT INTO migration_guard.error_codes (code, name, description, rule_exception) VALUES ('ABCDEF', 'long', 'no', 'I insist')$$);
SELECT try($$INSERT INTO migration_guard.error_codes (code, name, description) VALUES ('OKAY1', 'Not An Identifier', 'x')$$);
SELECT try($$INSERT INTO migration_guard.error_codes (code, name, description) VALUES ('OKAY1', 'okay_one', '  ')$$);
SELECT try($$UPDATE migration_guard.error_codes SET code = 'XBAD1' WHERE code = 'WEAKP'$$);
-- A valid code needs no excuse: an exception given for one is dropped.
INSERT INTO migration_guard.error_codes (code, name, description, rule_exception) VALUES ('OKAY1', 'okay_one', 'fine', 'not needed');
SELECT code, rule_exception FROM migration_guard.error_codes WHERE code = 'OKAY1';

-- The SQLSTATEs a body raises, read with PostgreSQL's own lexer: comments, quoted text and
-- dollar quotes do not fool it; condition names are understood.
SELECT * FROM migration_guard.raised_sqlstates($body$
BEGIN
    -- RAISE SQLSTATE 'XCOMM' in a line comment
    /* RAISE EXCEPTION USING ERRCODE = 'XBLCK' in a block comment */
    PERFORM 'RAISE SQLSTATE ''XQUOT''';
    PERFORM $q$ RAISE SQLSTATE 'XDOLR' $q$;
    RAISE EXCEPTION 'weak' USING ERRCODE = 'WEAKP', HINT = 'errcode = ''XHINT''';
    RAISE SQLSTATE 'NTFND';
    RAISE EXCEPTION SQLSTATE 'AB0CD' USING MESSAGE = 'bad third character';
    RAISE unique_violation USING MESSAGE = 'dup';
    RAISE EXCEPTION 'dup' USING ERRCODE = 'unique_violation';
    RAISE EXCEPTION 'typo' USING ERRCODE = 'unique_violaton';
    RAISE NOTICE 'just a notice';
    RAISE SQLSTATE '22012';
END
$body$);

-- At CREATE FUNCTION: block (the default), warn, off.
SHOW migration_guard.sqlstate_check;
SELECT try($f$CREATE FUNCTION bad_code() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'oops' USING ERRCODE = 'HELLO';
END $$$f$);
SELECT to_regproc('bad_code') IS NULL AS refused;
SELECT try($f$CREATE PROCEDURE bad_proc() LANGUAGE plpgsql AS $$
BEGIN
    RAISE SQLSTATE 'A1P2B';
END $$$f$);
SELECT try($f$CREATE OR REPLACE FUNCTION good_code() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- RAISE SQLSTATE 'HELLO' (only a comment)
    RAISE EXCEPTION 'weak password' USING ERRCODE = 'WEAKP';
    RAISE unique_violation;
END $$$f$);
-- A function that is fine, replaced by one that is not: the replacement is refused.
SELECT try($f$CREATE OR REPLACE FUNCTION good_code() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'now bad' USING ERRCODE = 'XRAYS';
END $$$f$);
SELECT prosrc LIKE '%WEAKP%' AS original_kept FROM pg_proc WHERE proname = 'good_code';
-- A registered exception (FFFFF) is accepted in functions too.
SELECT try($f$CREATE FUNCTION unknown_error() RETURNS void LANGUAGE plpgsql AS $$
BEGIN RAISE SQLSTATE 'FFFFF'; END $$$f$);
-- SQL functions cannot RAISE; they are not looked at.
SELECT try($f$CREATE FUNCTION plain_sql() RETURNS text LANGUAGE sql AS $$ SELECT 'RAISE SQLSTATE ''HELLO''' $$$f$);

SET migration_guard.sqlstate_check = warn;
CREATE FUNCTION warned() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'oops' USING ERRCODE = 'HELLO';
END $$;
SET migration_guard.sqlstate_check = off;
CREATE FUNCTION unchecked() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE SQLSTATE 'PANIC';
END $$;
RESET migration_guard.sqlstate_check;

-- Codes missing from the registry are flagged when asked.
SET migration_guard.sqlstate_require_registered = on;
SELECT try($f$CREATE FUNCTION unregistered() RETURNS void LANGUAGE plpgsql AS $$
BEGIN RAISE SQLSTATE 'NOREG'; END $$$f$);
CREATE FUNCTION registered() RETURNS void LANGUAGE plpgsql AS $$
BEGIN RAISE SQLSTATE 'NTFND'; RAISE SQLSTATE '23505'; END $$;
RESET migration_guard.sqlstate_require_registered;
-- With the requirement off, an unregistered (but valid) code is accepted; the audit still lists it.
CREATE FUNCTION unlisted() RETURNS void LANGUAGE plpgsql AS $$
BEGIN RAISE SQLSTATE 'NOREG'; END $$;
-- Only superusers may relax the check.
CREATE ROLE regress_mg_app;
SET ROLE regress_mg_app;
SELECT try($$SET migration_guard.sqlstate_check = off$$);
RESET ROLE;
DROP ROLE regress_mg_app;

-- The audit lists every function with a bad or unregistered code, with its line.
SELECT * FROM migration_guard.audit_function_sqlstates();
DROP FUNCTION warned(), unchecked(), good_code(), unknown_error(), plain_sql(), registered(), unlisted();
DELETE FROM migration_guard.error_codes;
