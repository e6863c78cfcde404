-- Shared helpers for the regression tests (the database persists across sql/*.sql files).
-- The extension is created by pg_regress (--load-extension=migration_guard).
SELECT extname, extversion, extrelocatable, nspname
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE extname = 'migration_guard';

-- Runs a statement and shows its outcome: 'ok' or the error's SQLSTATE, message, DETAIL and
-- HINT, with timestamps and process ids masked so the output is stable.
CREATE FUNCTION public.try(statement text) RETURNS text
    LANGUAGE plpgsql AS $$
DECLARE
    state text; message text; detail text; hint text;
BEGIN
    EXECUTE statement;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RETURN public.mask(format('%s: %s', state, message)
           || CASE WHEN detail <> '' THEN E'\nDETAIL: ' || public.mask(detail) ELSE '' END
           || CASE WHEN hint <> '' THEN E'\nHINT: ' || hint ELSE '' END);
END
$$;

CREATE FUNCTION public.mask(s text) RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    -- ISO and Postgres DateStyle timestamps (pg_regress runs with the latter).
    SELECT regexp_replace(regexp_replace(regexp_replace(s,
        '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?([+-]\d\d(:\d\d)?)?', '<time>', 'g'),
        '[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d(\.\d+)? \d{4}( [A-Z]{3,4})?', '<time>', 'g'),
        'backend \d+', 'backend <pid>', 'g')
$$;

-- What each test looks at in the ledger, without times and ids that vary.
CREATE VIEW public.ledger AS
SELECT migration_id, version, name, tool, kind, status, ddl_count, in_transaction, applied_by,
       repairs_migration_id, reason
  FROM migration_guard.history ORDER BY migration_id;

CREATE VIEW public.events AS
SELECT event_id, migration_id, event, command_tag, object_type, object_identity, statement, role
  FROM migration_guard.ddl_log ORDER BY event_id;

-- Empties the ledger so that each test file sees ids from 1.
CREATE FUNCTION public.reset_ledger() RETURNS void
    LANGUAGE sql AS $$
    TRUNCATE migration_guard.migrations, migration_guard.ddl_events, migration_guard.chain_head,
             migration_guard.preboot_window_log, migration_guard.allowances
        RESTART IDENTITY
$$;
