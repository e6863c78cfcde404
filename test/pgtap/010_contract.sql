-- The public contract other issues, tools and users rely on: names, columns, signatures.
BEGIN;
SELECT plan(53);

SELECT has_schema('migration_guard');
SELECT has_extension('migration_guard', 'migration_guard');

-- Views and their columns (issue #2: "at least" these).
SELECT has_view('migration_guard', 'history', 'view history exists');
SELECT columns_are('migration_guard', 'history', ARRAY[
    'migration_id', 'version', 'name', 'tool', 'kind', 'status', 'script_hash', 'tool_checksum',
    'chain_hash', 'applied_by', 'session_role', 'started_at', 'finished_at', 'duration',
    'ddl_count', 'in_transaction', 'txid', 'backend_pid', 'reason', 'repairs_migration_id',
    'resolved_at', 'resolved_by']);
SELECT col_type_is('migration_guard'::name, 'history'::name, 'migration_id'::name, 'bigint', 'migration_guard.history.migration_id is bigint');
SELECT col_type_is('migration_guard'::name, 'history'::name, 'duration'::name, 'interval', 'migration_guard.history.duration is interval');
SELECT col_type_is('migration_guard'::name, 'history'::name, 'ddl_count'::name, 'bigint', 'migration_guard.history.ddl_count is bigint');
SELECT col_type_is('migration_guard'::name, 'history'::name, 'in_transaction'::name, 'boolean', 'migration_guard.history.in_transaction is boolean');
SELECT has_view('migration_guard', 'ddl_log', 'view ddl_log exists');
SELECT columns_are('migration_guard', 'ddl_log', ARRAY[
    'event_id', 'migration_id', 'occurred_at', 'event', 'command_tag', 'object_type',
    'schema_name', 'object_identity', 'classid', 'objid', 'objsubid', 'statement', 'role',
    'session_role', 'backend_pid', 'txid']);
SELECT col_type_is('migration_guard'::name, 'ddl_log'::name, 'txid'::name, 'xid8', 'migration_guard.ddl_log.txid is xid8');
SELECT has_view('migration_guard', 'drift', 'view drift exists');
SELECT columns_are('migration_guard', 'drift', ARRAY[
    'event_id', 'migration_id', 'occurred_at', 'event', 'command_tag', 'object_type',
    'schema_name', 'object_identity', 'classid', 'objid', 'objsubid', 'statement', 'role',
    'session_role', 'backend_pid', 'txid']);

-- Functions: signatures, return types, volatility.
SELECT function_returns('migration_guard', 'begin_migration', ARRAY['text', 'text', 'text', 'text'], 'bigint');
SELECT function_returns('migration_guard', 'finish_migration', ARRAY[]::text[], 'bigint');
SELECT function_returns('migration_guard', 'fail_migration', ARRAY['text'], 'bigint');
SELECT function_returns('migration_guard', 'run_migration', ARRAY['text', 'text', 'text'], 'text');
SELECT function_returns('migration_guard', 'repair_migration', ARRAY['text', 'text', 'text'], 'bigint');
SELECT function_returns('migration_guard', 'resolve_interrupted', ARRAY['bigint', 'text', 'text'], 'bigint');
SELECT function_returns('migration_guard', 'script_hash', ARRAY['text'], 'text');
SELECT function_returns('migration_guard', 'script_hash', ARRAY['bytea'], 'text');
SELECT function_returns('migration_guard', 'chain_hash', ARRAY['text', 'text', 'text'], 'text');
SELECT function_returns('migration_guard', 'verify_graphile_migration', ARRAY['text'], 'boolean');
SELECT function_returns('migration_guard', 'graphile_migration_hash', ARRAY['text'], 'text');
SELECT function_returns('migration_guard', 'verify_ledger', ARRAY[]::text[], 'setof record');
SELECT function_returns('migration_guard', 'object_history', ARRAY['regclass'], 'setof migration_guard.ddl_log');
SELECT function_returns('migration_guard', 'object_history', ARRAY['text'], 'setof migration_guard.ddl_log');
SELECT volatility_is('migration_guard', 'script_hash', ARRAY['text'], 'immutable');
SELECT volatility_is('migration_guard', 'chain_hash', ARRAY['text', 'text', 'text'], 'immutable');
SELECT volatility_is('migration_guard', 'begin_migration', ARRAY['text', 'text', 'text', 'text'], 'volatile');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = 'migration_guard.script_hash(text)'::regprocedure),
          's', 'script_hash is PARALLEL SAFE');
SELECT is((SELECT proisstrict FROM pg_proc WHERE oid = 'migration_guard.script_hash(text)'::regprocedure),
          true, 'script_hash is STRICT');
-- run_migration must run the script as its caller: never SECURITY DEFINER.
SELECT isnt_definer('migration_guard', 'run_migration', ARRAY['text', 'text', 'text']);
SELECT isnt_definer('migration_guard', 'begin_migration', ARRAY['text', 'text', 'text', 'text']);

-- Defaults callers may omit.
SELECT is(migration_guard.script_hash('abc'),
          'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
          'script_hash(''abc'') is the SHA-256 test vector');
SELECT lives_ok($$SELECT migration_guard.begin_migration('tap-1')$$, 'begin_migration needs only a version');
SELECT lives_ok($$SELECT migration_guard.fail_migration()$$, 'fail_migration needs no reason');

-- Capture is installed and enabled.
SELECT is((SELECT count(*)::int FROM pg_event_trigger
            WHERE evtname IN ('migration_guard_capture_ddl', 'migration_guard_capture_drop')
              AND evtenabled = 'O'), 2, 'both capture event triggers are enabled');
SELECT is((SELECT evtevent FROM pg_event_trigger WHERE evtname = 'migration_guard_capture_ddl'),
          'ddl_command_end', 'DDL is captured at ddl_command_end');
SELECT is((SELECT evtevent FROM pg_event_trigger WHERE evtname = 'migration_guard_capture_drop'),
          'sql_drop', 'drops are captured at sql_drop');

-- pg_dump keeps the ledger.
SELECT set_eq($$SELECT unnest(extconfig)::regclass::text FROM pg_extension WHERE extname = 'migration_guard'$$,
              ARRAY['migration_guard.migrations', 'migration_guard.migrations_migration_id_seq',
                    'migration_guard.ddl_events', 'migration_guard.ddl_events_event_id_seq',
                    'migration_guard.chain_head', 'migration_guard.error_codes',
                    'migration_guard.preboot_window_log', 'migration_guard.preboot_window_log_window_id_seq',
                    'migration_guard.rule_settings', 'migration_guard.allowances',
                    'migration_guard.allowances_allowance_id_seq', 'migration_guard.adapter_settings'],
              'every ledger table and sequence is dumped by pg_dump');

-- Settings exist with safe defaults and only superusers may change them.
SELECT is(current_setting('migration_guard.capture'), 'on', 'capture is on by default');
SELECT is(current_setting('migration_guard.max_script_size'), '64MB', 'max_script_size defaults to 64MB');
SELECT is((SELECT context FROM pg_settings WHERE name = 'migration_guard.capture'), 'superuser',
          'only a superuser can turn capture off');
SELECT is((SELECT extrelocatable FROM pg_extension WHERE extname = 'migration_guard'), false,
          'the extension is not relocatable');

-- Preboot windows (issue #3).
SELECT function_returns('migration_guard', 'open_preboot_window', ARRAY['interval', 'text'], 'bigint');
SELECT function_returns('migration_guard', 'close_preboot_window', ARRAY[]::text[], 'bigint');
SELECT function_returns('migration_guard', 'allow_incompatible', ARRAY['text'], 'bigint');
SELECT function_returns('migration_guard', 'lint', ARRAY['text'], 'setof record');
SELECT columns_are('migration_guard', 'preboot_windows', ARRAY[
    'window_id', 'opened_at', 'closes_at', 'closed_at', 'opened_by', 'closed_by', 'reason', 'state']);
SELECT columns_are('migration_guard', 'rules', ARRAY[
    'rule', 'category', 'action', 'default_action', 'summary', 'why', 'recipe', 'changed_by', 'changed_at']);
SELECT is(current_setting('migration_guard.enforce'), 'window', 'the guard applies during windows by default');
SELECT is((SELECT count(*)::int FROM migration_guard.rules WHERE rule !~ '^[a-z]+(-[a-z]+)*$'), 0,
          'every rule id is kebab-case');

SELECT * FROM finish();
ROLLBACK;
