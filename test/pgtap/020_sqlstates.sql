-- Custom SQLSTATEs: the contract, and migration_guard's own codes checked with its own tools.
BEGIN;
SELECT plan(16);

SELECT has_domain('migration_guard'::name, 'custom_sqlstate'::name, 'domain custom_sqlstate exists');
SELECT has_table('migration_guard'::name, 'error_codes'::name, 'table error_codes exists');
SELECT col_is_pk('migration_guard'::name, 'error_codes'::name, 'code'::name, 'error_codes.code is the primary key');
SELECT col_is_unique('migration_guard'::name, 'error_codes'::name, 'name'::name, 'error_codes.name is unique');
SELECT has_trigger('migration_guard'::name, 'error_codes'::name, 'error_codes_validate'::name, 'the registry validates what is written to it');
SELECT function_returns('migration_guard', 'is_valid_custom_sqlstate', ARRAY['text'], 'boolean');
SELECT function_returns('migration_guard', 'sqlstate_violations', ARRAY['text'], 'setof record');
SELECT function_returns('migration_guard', 'audit_function_sqlstates', ARRAY[]::text[], 'setof record');
SELECT is((SELECT evtevent || ' ' || array_to_string(evttags, ',') FROM pg_event_trigger
            WHERE evtname = 'migration_guard_check_sqlstates'),
          'ddl_command_end CREATE FUNCTION,CREATE PROCEDURE',
          'the SQLSTATE check fires only after CREATE FUNCTION and CREATE PROCEDURE');

-- Dogfood: every SQLSTATE raised by migration_guard's own PL/pgSQL, found by its own scanner,
-- passes its own validator and is one of the documented MG codes.
-- (MGNOP, MGOPN and MGBIG are raised only from C++; test/unit/own_sqlstates_test.cpp checks those.)
SELECT set_eq($$
    SELECT DISTINCT r.code
      FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang AND l.lanname = 'plpgsql'
     CROSS JOIN LATERAL migration_guard.raised_sqlstates(p.prosrc) r
     WHERE p.pronamespace = 'migration_guard'::regnamespace$$,
    ARRAY['MGAAP', 'MGARG', 'MGCHS', 'MGIER', 'MGINT', 'MGLCK', 'MGRUN', 'MGSQS', 'MGUNK'],
    'the scanner finds the codes migration_guard''s PL/pgSQL raises');
SELECT is_empty($$
    SELECT p.proname, r.code
      FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang AND l.lanname = 'plpgsql'
     CROSS JOIN LATERAL migration_guard.raised_sqlstates(p.prosrc) r
     WHERE p.pronamespace = 'migration_guard'::regnamespace
       AND (NOT migration_guard.is_valid_custom_sqlstate(r.code) OR r.code NOT LIKE 'MG___')$$,
    'every SQLSTATE migration_guard raises is a valid custom code of its own');
SELECT is_empty($$SELECT * FROM migration_guard.audit_function_sqlstates() WHERE function::text LIKE 'migration_guard.%'$$,
                'the audit leaves migration_guard''s own functions out');

-- The audit skips other extensions' functions (pgtap is installed here).
SELECT is_empty($$
    SELECT a.* FROM migration_guard.audit_function_sqlstates() a
      JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = a.function AND d.deptype = 'e'$$,
    'functions that belong to an extension are not audited');

-- The domain rejects with our own code; the registry too.
SELECT throws_ok($$SELECT 'HELLO'::migration_guard.custom_sqlstate$$, 'MGSQS');
SELECT throws_ok($$INSERT INTO migration_guard.error_codes (code, name, description) VALUES ('PANIC', 'panic', 'x')$$, 'MGSQS');
SELECT lives_ok($$INSERT INTO migration_guard.error_codes (code, name, description) VALUES ('TAGOK', 'tag_ok', 'from pgTAP')$$,
                'a valid code registers');

SELECT * FROM finish();
ROLLBACK;
