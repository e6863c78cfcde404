-- migration_guard 0.1.0: the migration ledger, DDL capture and script hashes.
--
-- Layout of this script:
--   1. ledger tables (kept by pg_dump, writable only through the API)
--   2. pure functions in C: script and chain hashes, graphile-migrate hashes
--   3. internal ledger procedures (PL/pgSQL, called as the extension owner by the C API)
--   4. the public API in C (records the calling role, then runs the internals as owner)
--   5. history views and object_history
--   6. grant_runner / grant_reader
--   7. event triggers that capture every DDL command
--   8. custom SQLSTATEs: validators, domain, registry, CREATE FUNCTION check, audit
--   9. preboot windows: windows, rule actions, allow_incompatible, lint(), the guard
--  10. adapters: the migration tools' own history tables read as they are written
--   and last, PUBLIC's privileges: none but the pure functions

\echo Use "CREATE EXTENSION migration_guard" to load this file. \quit

-- The ledger's code runs as the extension's owner; a schema someone else prepared under this
-- name could hold objects, or be renamed, behind the owner's back. Install only into a schema
-- the installing role owns (CREATE EXTENSION creates it so when it does not exist).
DO $$
DECLARE
    schema_owner oid := (SELECT n.nspowner FROM pg_catalog.pg_namespace n
                          WHERE n.nspname OPERATOR(pg_catalog.=) 'migration_guard');
    extension_owner oid := (SELECT e.extowner FROM pg_catalog.pg_extension e
                             WHERE e.extname OPERATOR(pg_catalog.=) 'migration_guard');
BEGIN
    IF schema_owner IS DISTINCT FROM extension_owner THEN
        RAISE EXCEPTION 'schema migration_guard belongs to role %, not to %, who is installing the extension',
                        schema_owner::pg_catalog.regrole, extension_owner::pg_catalog.regrole
              USING ERRCODE = 'MGSCH',
                    HINT = 'Drop or rename that schema (after checking what is in it), then CREATE EXTENSION migration_guard again.';
    END IF;
END
$$;

------------------------------------------------------------------------------------------
-- 1. Ledger tables
------------------------------------------------------------------------------------------

-- One row per ledger entry: a migration, a repair, or a migration whose transaction rolled
-- back and was recorded as failed afterwards. Rows form a hash chain in migration_id order.
CREATE TABLE migration_guard.migrations (
    migration_id         bigserial PRIMARY KEY,
    version              text NOT NULL,
    name                 text,
    tool                 text,
    kind                 text NOT NULL DEFAULT 'migration'
                         CHECK (kind IN ('migration', 'repair')),
    status               text NOT NULL
                         CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted',
                                           'repaired')),
    script               text,
    script_hash          text,
    tool_checksum        text,
    previous_chain_hash  text NOT NULL,
    chain_hash           text NOT NULL,
    applied_by           name NOT NULL,
    session_role         name NOT NULL,
    started_at           timestamptz NOT NULL,
    finished_at          timestamptz,
    in_transaction       boolean,
    txid                 xid8,
    backend_pid          integer,
    backend_start        timestamptz,
    reason               text,
    repairs_migration_id bigint, -- the entry a repair replaces (no FK: restores stay order-free)
    resolved_at          timestamptz,
    resolved_by          name
);
CREATE INDEX migrations_version_idx ON migration_guard.migrations (version, migration_id);
CREATE INDEX migrations_open_idx ON migration_guard.migrations (migration_id)
    WHERE status IN ('running', 'interrupted');
-- The not_succeeded view (see there).
CREATE INDEX migrations_not_succeeded_idx ON migration_guard.migrations (migration_id)
    WHERE status <> 'succeeded';

COMMENT ON TABLE migration_guard.migrations IS
    'The migration ledger: one row per migration or repair, hash-chained. Read it through migration_guard.history.';

-- One row per captured DDL command (ddl_command_end) or dropped object (sql_drop).
-- No foreign key to migrations: capture must stay cheap on every DDL statement.
CREATE TABLE migration_guard.ddl_events (
    event_id        bigserial PRIMARY KEY,
    migration_id    bigint,
    occurred_at     timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    event           text NOT NULL,
    command_tag     text NOT NULL,
    object_type     text,
    schema_name     text,
    object_identity text,
    classid         oid,
    objid           oid,
    objsubid        integer,
    statement       text,
    role            name NOT NULL,
    session_role    name NOT NULL,
    backend_pid     integer NOT NULL,
    txid            xid8
);
-- A migration's events; drift has an index of its own below, so each captured row pays for
-- exactly one of the two.
CREATE INDEX ddl_events_migration_idx ON migration_guard.ddl_events (migration_id)
    WHERE migration_id IS NOT NULL;
CREATE INDEX ddl_events_object_idx ON migration_guard.ddl_events (objid, classid);
-- The drift view, newest first: DDL outside any migration should be rare, so this index is small
-- and costs capture nothing for a migration's own DDL; without it, `drift ORDER BY event_id DESC`
-- walks the whole ledger backwards past every migration's events.
CREATE INDEX ddl_events_drift_idx ON migration_guard.ddl_events (event_id)
    WHERE migration_id IS NULL;
-- object_history(text): dropped objects are found by the identity they had.
CREATE INDEX ddl_events_identity_idx ON migration_guard.ddl_events (object_identity);

COMMENT ON TABLE migration_guard.ddl_events IS
    'Every captured DDL command and dropped object. Read it through migration_guard.ddl_log and migration_guard.drift.';

-- The chain head: the last entry's chain hash, so that deleting the newest entries shows too.
-- No row means an empty ledger (the install script adds none, so a restored row never clashes).
CREATE TABLE migration_guard.chain_head (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    migration_id bigint NOT NULL,
    chain_hash   text NOT NULL,
    entries      bigint NOT NULL
);

-- The ledger is data: pg_dump keeps it.
SELECT pg_catalog.pg_extension_config_dump('migration_guard.migrations', '');
SELECT pg_catalog.pg_extension_config_dump('migration_guard.migrations_migration_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('migration_guard.ddl_events', '');
SELECT pg_catalog.pg_extension_config_dump('migration_guard.ddl_events_event_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('migration_guard.chain_head', '');

------------------------------------------------------------------------------------------
-- 2. Pure functions (C)
------------------------------------------------------------------------------------------

CREATE FUNCTION migration_guard.script_hash(script text) RETURNS text
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'mg_script_hash_text';
COMMENT ON FUNCTION migration_guard.script_hash(text) IS
    'sha256:<hex> of the script''s canonical form (leading BOM dropped, CRLF and CR turned into LF)';

CREATE FUNCTION migration_guard.script_hash(script bytea) RETURNS text
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'mg_script_hash_bytea';
COMMENT ON FUNCTION migration_guard.script_hash(bytea) IS
    'sha256:<hex> of a script given as raw bytes, e.g. from pg_read_binary_file()';

CREATE FUNCTION migration_guard.chain_hash(previous_chain_hash text, version text,
                                           script_hash text) RETURNS text
    LANGUAGE c IMMUTABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'mg_chain_hash';
COMMENT ON FUNCTION migration_guard.chain_hash(text, text, text) IS
    'The ledger''s chain hash of one entry (docs/hashing.md)';

CREATE FUNCTION migration_guard.graphile_migration_hash(file text) RETURNS text
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'mg_graphile_migration_hash';
COMMENT ON FUNCTION migration_guard.graphile_migration_hash(text) IS
    'The hash graphile-migrate computes for a committed migration file';

CREATE FUNCTION migration_guard.verify_graphile_migration(file text) RETURNS boolean
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'mg_verify_graphile_migration';
COMMENT ON FUNCTION migration_guard.verify_graphile_migration(text) IS
    'true when a graphile-migrate committed file''s --! Hash header matches its contents';

-- Internal: whether the backend that began a migration is still alive. The backend status
-- table is read afresh: a transaction otherwise keeps the copy it took first, in which a
-- backend that connected since then would look dead.
-- STABLE although it clears the statistics snapshot: it reads only shared memory, and a
-- VOLATILE function in the history view's target list would keep the planner from merging the
-- view into a query (ORDER BY migration_id DESC LIMIT 20 would sort the whole ledger).
CREATE FUNCTION migration_guard._backend_alive(pid integer, backend_start timestamptz)
    RETURNS boolean
    LANGUAGE sql STABLE STRICT SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
        SELECT pg_catalog.pg_stat_clear_snapshot();
        SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_get_activity($1) AS a
                        WHERE a.backend_start = $2)
    $$;

------------------------------------------------------------------------------------------
-- 3. Internal ledger procedures. The C functions of section 4 call them as the extension
--    owner after recording who called; nobody else may execute them.
------------------------------------------------------------------------------------------

-- Serialises every append to the chain (and so every migration) in this database, until the
-- transaction ends. A table lock only the owner can take (an advisory lock anyone could take
-- and hold); readers' ACCESS SHARE, pg_dump included, does not conflict with it.
CREATE FUNCTION migration_guard._lock_ledger() RETURNS void
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
    AS $$ LOCK TABLE migration_guard.chain_head IN SHARE ROW EXCLUSIVE MODE $$;

-- Appends one entry to the chain and returns it. Caller holds the ledger lock.
CREATE FUNCTION migration_guard._append(
    p_version text, p_name text, p_tool text, p_kind text, p_status text, p_script text,
    p_script_hash text, p_caller text, p_started_at timestamptz, p_finished_at timestamptz,
    p_in_transaction boolean, p_reason text, p_repairs bigint, p_tool_checksum text DEFAULT NULL)
    RETURNS migration_guard.migrations
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    previous text;
    entry migration_guard.migrations;
BEGIN
    SELECT h.chain_hash INTO previous FROM migration_guard.chain_head h FOR UPDATE;
    previous := coalesce(previous, '');
    INSERT INTO migration_guard.migrations AS m
        (version, name, tool, kind, status, script, script_hash, previous_chain_hash,
         chain_hash, applied_by, session_role, started_at, finished_at, in_transaction, txid,
         backend_pid, backend_start, reason, repairs_migration_id, tool_checksum)
    VALUES
        (p_version, p_name, p_tool, p_kind, p_status, p_script, p_script_hash, previous,
         migration_guard.chain_hash(previous, p_version, p_script_hash),
         p_caller, session_user, p_started_at, p_finished_at, p_in_transaction,
         pg_catalog.pg_current_xact_id(), pg_catalog.pg_backend_pid(),
         (SELECT a.backend_start FROM pg_catalog.pg_stat_get_activity(pg_catalog.pg_backend_pid()) a),
         p_reason, p_repairs, p_tool_checksum)
    RETURNING * INTO entry;
    INSERT INTO migration_guard.chain_head AS h (migration_id, chain_hash, entries)
    VALUES (entry.migration_id, entry.chain_hash, 1)
    ON CONFLICT (singleton) DO UPDATE
       SET migration_id = excluded.migration_id, chain_hash = excluded.chain_hash,
           entries = h.entries + 1;
    RETURN entry;
END
$$;

-- Tells the data team (and anyone listening) that a migration finished.
-- Channel 'migration_guard'; the JSON payload is documented in docs/notifications.md.
CREATE FUNCTION migration_guard._notify(p_migration_id bigint) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    payload jsonb;
    objects jsonb;
BEGIN
    SELECT jsonb_build_object(
               'migration_id', m.migration_id, 'version', m.version, 'name', m.name,
               'tool', m.tool, 'kind', m.kind, 'status', m.status,
               'script_hash', m.script_hash, 'applied_by', m.applied_by,
               'started_at', m.started_at, 'finished_at', m.finished_at,
               'duration_ms', round(extract(epoch FROM m.finished_at - m.started_at) * 1000, 3),
               'ddl_count', (SELECT count(*) FROM migration_guard.ddl_events e
                              WHERE e.migration_id = m.migration_id),
               'reason', m.reason, 'truncated', false)
      INTO STRICT payload
      FROM migration_guard.migrations m
     WHERE m.migration_id = p_migration_id;
    -- NOTIFY payloads must stay below 8000 bytes; shorten the free-text fields when they
    -- would not fit (100 characters, even escaped, leave ample room).
    IF octet_length(payload::text) >= 7000 THEN
        SELECT payload || jsonb_build_object('version', left(m.version, 100), 'name', left(m.name, 100),
                                             'tool', left(m.tool, 100), 'reason', left(m.reason, 100),
                                             'truncated', true)
          INTO payload
          FROM migration_guard.migrations m
         WHERE m.migration_id = p_migration_id;
    END IF;

    -- NOTIFY payloads must stay below 8000 bytes: list the objects only when they fit. Each
    -- takes at least 67 bytes ({"command_tag": "", "object_type": null, "object_identity": null}
    -- and a separator), so a migration with more than 7900 / 67 of them is not listed at all:
    -- building a list of thousands only to find it too long cost a large migration more than
    -- recording its DDL did.
    IF (payload ->> 'ddl_count')::bigint <= 7900 / 67 THEN
        SELECT coalesce(jsonb_agg(jsonb_build_object('command_tag', e.command_tag,
                                                     'object_type', e.object_type,
                                                     'object_identity', e.object_identity)
                                  ORDER BY e.event_id), '[]')
          INTO objects
          FROM migration_guard.ddl_events e
         WHERE e.migration_id = p_migration_id;
    END IF;
    IF objects IS NOT NULL
       AND octet_length((payload || jsonb_build_object('objects', objects))::text) < 7900 THEN
        payload := payload || jsonb_build_object('objects', objects, 'objects_truncated', false);
    ELSE
        payload := payload || jsonb_build_object('objects', '[]'::jsonb, 'objects_truncated', true);
    END IF;
    PERFORM pg_notify('migration_guard', payload::text);
END
$$;

-- Marks migrations whose backend ended while they ran as interrupted. Caller holds the lock.
CREATE FUNCTION migration_guard._mark_interrupted() RETURNS void
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
    AS $$
        UPDATE migration_guard.migrations
           SET status = 'interrupted'
         WHERE status = 'running'
           AND NOT coalesce(migration_guard._backend_alive(backend_pid, backend_start), false)
    $$;

-- Raises MGINT when an interrupted migration waits for a decision. Marks migrations whose
-- backend died while they ran as interrupted first. Caller holds the ledger lock.
CREATE FUNCTION migration_guard._check_interrupted() RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    m migration_guard.migrations;
BEGIN
    PERFORM migration_guard._mark_interrupted();
    SELECT * INTO m FROM migration_guard.migrations
     WHERE status = 'interrupted' AND resolved_at IS NULL
     ORDER BY migration_id LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'migration "%" (migration_id %) was interrupted and needs a decision',
                        m.version, m.migration_id
              USING ERRCODE = 'MGINT',
                    DETAIL = format('It began at %s in backend %s, which ended before the migration finished; '
                                    'its statements may have run in part. No new migration can begin until it is resolved.',
                                    m.started_at, m.backend_pid),
                    HINT = format('See what it did with: SELECT * FROM migration_guard.ddl_log WHERE migration_id = %s; '
                                  'then call migration_guard.resolve_interrupted(%s, ''succeeded'' or ''failed'', reason), '
                                  'or migration_guard.repair_migration(%L, script, reason) to accept a script for it.',
                                  m.migration_id, m.migration_id, m.version);
    END IF;
END
$$;

-- The newest entry that counts as applied for a version (succeeded or repaired), if any.
-- PL/pgSQL, not SQL: a SQL function with a SET clause runs its query with a generic plan,
-- which on a large ledger can prefer a (parallel) sequential scan over migrations_version_idx;
-- PL/pgSQL plans with the version it is given (bench/ledger_scale.sh).
CREATE FUNCTION migration_guard._applied_entry(p_version text)
    RETURNS migration_guard.migrations
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    entry migration_guard.migrations;
BEGIN
    SELECT * INTO entry FROM migration_guard.migrations
     WHERE version = p_version AND status IN ('succeeded', 'repaired')
     ORDER BY migration_id DESC LIMIT 1;
    RETURN entry;
END
$$;

CREATE FUNCTION migration_guard._begin_migration(
    p_version text, p_script text, p_script_hash text, p_name text, p_tool text, p_caller text,
    p_in_transaction boolean, p_tool_checksum text)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    new_hash text := p_script_hash;
    applied migration_guard.migrations;
    other migration_guard.migrations;
    entry migration_guard.migrations;
BEGIN
    PERFORM migration_guard._lock_ledger();
    PERFORM migration_guard._check_interrupted();

    applied := migration_guard._applied_entry(p_version);
    IF applied.migration_id IS NOT NULL THEN
        IF new_hash IS NOT NULL AND applied.script_hash IS DISTINCT FROM new_hash THEN
            RAISE EXCEPTION 'migration "%" has changed since it was applied', p_version
                  USING ERRCODE = 'MGCHS',
                        DETAIL = format('Applied as migration_id %s on %s with hash %s; this script hashes to %s.',
                                        applied.migration_id, applied.finished_at,
                                        coalesce(applied.script_hash, '(none recorded)'), new_hash),
                        HINT = 'Applied migrations must not be edited: put the change in a new migration. '
                               'If the edit is deliberate and harmless, accept it with '
                               'migration_guard.repair_migration(version, script, reason).';
        END IF;
        RAISE EXCEPTION 'migration "%" is already applied', p_version
              USING ERRCODE = 'MGAAP',
                    DETAIL = format('Applied as migration_id %s on %s with hash %s.',
                                    applied.migration_id, applied.finished_at,
                                    coalesce(applied.script_hash, '(none recorded)')),
                    HINT = 'Skip this version, or use migration_guard.run_migration(), which returns ''already applied'' instead of failing.';
    END IF;

    SELECT * INTO other FROM migration_guard.migrations
     WHERE version = p_version AND status = 'running'
     ORDER BY migration_id DESC LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'migration "%" is being applied by another session', p_version
              USING ERRCODE = 'MGLCK',
                    DETAIL = format('migration_id %s began at %s in backend %s and has not finished.',
                                    other.migration_id, other.started_at, other.backend_pid),
                    HINT = 'Wait for it to finish, then try again.';
    END IF;

    entry := migration_guard._append(p_version, p_name, p_tool, 'migration', 'running',
                                     p_script, new_hash, p_caller, clock_timestamp(), NULL,
                                     p_in_transaction, NULL, NULL, p_tool_checksum);
    RETURN entry.migration_id;
END
$$;

CREATE FUNCTION migration_guard._finish_migration(
    p_migration_id bigint, p_status text, p_reason text, p_in_transaction boolean)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    UPDATE migration_guard.migrations
       SET status = p_status, reason = p_reason, finished_at = clock_timestamp(),
           in_transaction = p_in_transaction
     WHERE migration_id = p_migration_id AND status = 'running';
    IF NOT FOUND THEN
        RETURN NULL; -- another session marked it interrupted or resolved it; the caller says so
    END IF;
    PERFORM migration_guard._notify(p_migration_id);
    RETURN p_migration_id;
END
$$;

-- Records a migration whose transaction rolled back (so its running row is gone) as failed.
CREATE FUNCTION migration_guard._record_rolled_back(
    p_version text, p_name text, p_tool text, p_script_hash text, p_caller text,
    p_started_at timestamptz, p_reason text)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    entry migration_guard.migrations;
BEGIN
    PERFORM migration_guard._lock_ledger();
    entry := migration_guard._append(p_version, p_name, p_tool, 'migration', 'failed',
                                     NULL, p_script_hash, p_caller, p_started_at, clock_timestamp(), true,
                                     coalesce(p_reason, 'its transaction was rolled back'), NULL);
    PERFORM migration_guard._notify(entry.migration_id);
    RETURN entry.migration_id;
END
$$;

CREATE FUNCTION migration_guard._repair_migration(
    p_version text, p_script text, p_script_hash text, p_reason text, p_caller text)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    new_hash text := p_script_hash;
    target migration_guard.migrations;
    entry migration_guard.migrations;
BEGIN
    PERFORM migration_guard._lock_ledger();
    PERFORM migration_guard._mark_interrupted();

    -- An interrupted migration of this version takes precedence: the repair resolves it.
    SELECT * INTO target FROM migration_guard.migrations
     WHERE version = p_version AND status = 'interrupted' AND resolved_at IS NULL
     ORDER BY migration_id DESC LIMIT 1;
    IF NOT FOUND THEN
        target := migration_guard._applied_entry(p_version);
        IF target.migration_id IS NULL THEN
            RAISE EXCEPTION 'no applied migration has version "%"', p_version
                  USING ERRCODE = 'MGUNK',
                        HINT = 'repair_migration() accepts a changed script for a version that was applied or interrupted; '
                               'run a new version with run_migration() or begin_migration().';
        END IF;
        IF target.script_hash IS NOT DISTINCT FROM new_hash THEN
            RAISE NOTICE 'migration "%" already has hash %; nothing to repair', p_version, new_hash;
            RETURN target.migration_id;
        END IF;
    END IF;

    entry := migration_guard._append(p_version, target.name, target.tool, 'repair', 'repaired',
                                     p_script, new_hash, p_caller, clock_timestamp(),
                                     clock_timestamp(), true, p_reason, target.migration_id);
    IF target.status = 'interrupted' THEN
        UPDATE migration_guard.migrations
           SET status = 'repaired', resolved_at = clock_timestamp(), resolved_by = p_caller,
               reason = format('interrupted; repaired by migration_id %s: %s', entry.migration_id, p_reason)
         WHERE migration_id = target.migration_id;
    END IF;
    PERFORM migration_guard._notify(entry.migration_id);
    RETURN entry.migration_id;
END
$$;

CREATE FUNCTION migration_guard._resolve_interrupted(
    p_migration_id bigint, p_outcome text, p_reason text, p_caller text)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    target migration_guard.migrations;
BEGIN
    IF p_outcome IS NULL OR p_outcome NOT IN ('succeeded', 'failed') THEN
        RAISE EXCEPTION 'outcome must be ''succeeded'' or ''failed'', not %', coalesce(quote_literal(p_outcome), 'NULL')
              USING ERRCODE = 'MGARG',
                    HINT = 'Say ''succeeded'' when every statement of the migration took effect, ''failed'' when it must be run again.';
    END IF;
    PERFORM migration_guard._lock_ledger();
    PERFORM migration_guard._mark_interrupted();

    SELECT * INTO target FROM migration_guard.migrations WHERE migration_id = p_migration_id;
    IF NOT FOUND OR target.status <> 'interrupted' OR target.resolved_at IS NOT NULL THEN
        RAISE EXCEPTION 'migration_id % is not an interrupted migration awaiting a decision', p_migration_id
              USING ERRCODE = 'MGUNK',
                    DETAIL = CASE WHEN target.migration_id IS NULL THEN 'There is no such migration_id.'
                                  ELSE format('Its status is %s.', target.status) END,
                    HINT = 'SELECT * FROM migration_guard.history WHERE status = ''interrupted'' lists the ones that are.';
    END IF;
    UPDATE migration_guard.migrations
       SET status = p_outcome, resolved_at = clock_timestamp(), resolved_by = p_caller,
           finished_at = coalesce(finished_at, clock_timestamp()),
           in_transaction = false,
           reason = format('interrupted; resolved as %s: %s', p_outcome, p_reason)
     WHERE migration_id = p_migration_id;
    PERFORM migration_guard._notify(p_migration_id);
    RETURN p_migration_id;
END
$$;

------------------------------------------------------------------------------------------
-- 4. Public API (C). Each records the calling role, keeps the session's open migration and
--    runs the matching internal procedure as the extension owner.
------------------------------------------------------------------------------------------

CREATE FUNCTION migration_guard.begin_migration(version text, script text DEFAULT NULL,
                                                name text DEFAULT NULL, tool text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'mg_begin_migration';
COMMENT ON FUNCTION migration_guard.begin_migration(text, text, text, text) IS
    'Opens a migration in this session; the DDL that follows is attributed to it until finish_migration() or fail_migration()';

CREATE FUNCTION migration_guard.finish_migration() RETURNS bigint
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'mg_finish_migration';
COMMENT ON FUNCTION migration_guard.finish_migration() IS
    'Marks the session''s open migration succeeded and returns its migration_id';

CREATE FUNCTION migration_guard.fail_migration(reason text DEFAULT NULL) RETURNS bigint
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'mg_fail_migration';
COMMENT ON FUNCTION migration_guard.fail_migration(text) IS
    'Marks the session''s open migration (or the one its rolled-back transaction lost) failed';

CREATE FUNCTION migration_guard.repair_migration(version text, script text, reason text)
    RETURNS bigint
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'mg_repair_migration';
COMMENT ON FUNCTION migration_guard.repair_migration(text, text, text) IS
    'Accepts a changed script for an applied (or interrupted) version; the repair is a ledger entry of its own';

CREATE FUNCTION migration_guard.resolve_interrupted(migration_id bigint, outcome text, reason text)
    RETURNS bigint
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'mg_resolve_interrupted';
COMMENT ON FUNCTION migration_guard.resolve_interrupted(bigint, text, text) IS
    'Decides an interrupted migration''s outcome (''succeeded'' or ''failed'') so that new migrations may begin';

-- Verifies, executes and records a migration in the caller's transaction, as the caller.
-- Not SECURITY DEFINER on purpose: the script runs with the caller's own privileges.
CREATE FUNCTION migration_guard.run_migration(version text, script text, name text DEFAULT NULL)
    RETURNS text
    LANGUAGE plpgsql VOLATILE
    AS $$
BEGIN
    IF script IS NULL OR btrim(script, E' \t\r\n') = '' THEN
        RAISE EXCEPTION 'script must not be NULL or empty'
              USING ERRCODE = 'MGARG',
                    HINT = 'Pass the migration''s SQL text as the second argument.';
    END IF;
    BEGIN
        PERFORM migration_guard.begin_migration(version, script, name, 'run_migration');
    EXCEPTION WHEN SQLSTATE 'MGAAP' THEN
        RETURN 'already applied';
    END;
    EXECUTE script;
    PERFORM migration_guard.finish_migration();
    RETURN 'applied';
END
$$;
COMMENT ON FUNCTION migration_guard.run_migration(text, text, text) IS
    'Verifies, executes and records a migration in one transaction; returns ''applied'' or ''already applied''';

------------------------------------------------------------------------------------------
-- 5. Views
------------------------------------------------------------------------------------------

CREATE VIEW migration_guard.history AS
SELECT m.migration_id,
       m.version,
       m.name,
       m.tool,
       m.kind,
       CASE WHEN m.status = 'running'
                 AND NOT coalesce(migration_guard._backend_alive(m.backend_pid, m.backend_start), false)
            THEN 'interrupted' ELSE m.status END AS status,
       m.script_hash,
       m.tool_checksum,
       m.chain_hash,
       m.applied_by,
       m.session_role,
       m.started_at,
       m.finished_at,
       m.finished_at - m.started_at AS duration,
       (SELECT count(*) FROM migration_guard.ddl_events e
         WHERE e.migration_id = m.migration_id) AS ddl_count,
       m.in_transaction,
       m.txid,
       m.backend_pid,
       m.reason,
       m.repairs_migration_id,
       m.resolved_at,
       m.resolved_by
  FROM migration_guard.migrations m;
COMMENT ON VIEW migration_guard.history IS 'One row per migration or repair, oldest first by migration_id';

CREATE VIEW migration_guard.ddl_log AS
SELECT e.event_id, e.migration_id, e.occurred_at, e.event, e.command_tag, e.object_type,
       e.schema_name, e.object_identity, e.classid, e.objid, e.objsubid,
       e.statement, e.role, e.session_role, e.backend_pid, e.txid
  FROM migration_guard.ddl_events e;
COMMENT ON VIEW migration_guard.ddl_log IS 'One row per captured DDL command or dropped object';

CREATE VIEW migration_guard.drift AS
SELECT * FROM migration_guard.ddl_log WHERE migration_id IS NULL;
COMMENT ON VIEW migration_guard.drift IS 'DDL that ran outside any declared migration';

-- The entries that did not succeed (running, interrupted, failed, repaired), newest first
-- through migrations_not_succeeded_idx: the question "what went wrong lately" costs the same in
-- a ledger of a thousand migrations or a million, however rare failures are. (The same rows as
-- `history WHERE status <> 'succeeded'`, which the planner can only answer by walking the
-- history, as history.status is worked out per row.)
CREATE VIEW migration_guard.not_succeeded AS
SELECT h.*
  FROM migration_guard.migrations m
  JOIN migration_guard.history h ON h.migration_id = m.migration_id
 WHERE m.status <> 'succeeded';
COMMENT ON VIEW migration_guard.not_succeeded IS
    'The history entries that did not succeed: running, interrupted, failed or repaired';

-- Every change to one relation, following renames: matched by OID, not by name.
CREATE FUNCTION migration_guard.object_history(obj regclass)
    RETURNS SETOF migration_guard.ddl_log
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
        SELECT * FROM migration_guard.ddl_log
         WHERE classid = 'pg_catalog.pg_class'::regclass AND objid = obj
         ORDER BY event_id
    $$;
COMMENT ON FUNCTION migration_guard.object_history(regclass) IS
    'Every captured change to a relation and its columns, following renames';

-- The text form also finds dropped objects and objects other than relations: every OID that
-- was ever recorded under this identity (or that the name resolves to now, with the caller's
-- search_path) is followed. An unqualified name matches that name in any schema.
CREATE FUNCTION migration_guard.object_history(identity text)
    RETURNS SETOF migration_guard.ddl_log
    LANGUAGE sql STABLE
    AS $$
        -- Each lookup on an index (ddl_events_identity_idx, ddl_events_object_idx), so the cost
        -- does not grow with the ledger. An unqualified name matches it in every schema there is.
        WITH named AS (
            SELECT e.event_id, e.classid, e.objid FROM migration_guard.ddl_events e
             WHERE e.object_identity OPERATOR(pg_catalog.=) identity
            UNION
            SELECT e.event_id, e.classid, e.objid FROM migration_guard.ddl_events e
             WHERE pg_catalog.strpos(identity, '.') OPERATOR(pg_catalog.=) 0
               AND e.object_identity OPERATOR(pg_catalog.=) ANY (
                   SELECT pg_catalog.concat(pg_catalog.quote_ident(n.nspname), '.', identity)
                     FROM pg_catalog.pg_namespace n)
        ), targets AS (
            SELECT DISTINCT n.classid, n.objid FROM named n WHERE n.objid IS NOT NULL
            UNION
            SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid,
                   pg_catalog.to_regclass(identity)::pg_catalog.oid
             WHERE pg_catalog.to_regclass(identity) IS NOT NULL
        ), found AS (
            SELECT n.event_id FROM named n
            UNION
            SELECT e.event_id FROM migration_guard.ddl_events e
              JOIN targets t ON e.objid OPERATOR(pg_catalog.=) t.objid
                            AND e.classid OPERATOR(pg_catalog.=) t.classid
        )
        SELECT e.* FROM migration_guard.ddl_log e
         WHERE e.event_id IN (SELECT f.event_id FROM found f)
         ORDER BY e.event_id
    $$;
COMMENT ON FUNCTION migration_guard.object_history(text) IS
    'Every captured change to an object named by its identity (as in ddl_log.object_identity), dropped or not';

-- Recomputes the chain; one row per problem, none when the ledger is intact.
CREATE FUNCTION migration_guard.verify_ledger()
    RETURNS TABLE (migration_id bigint, problem text, detail text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    m migration_guard.migrations;
    expected_previous text := '';
    last_id bigint;
    count_entries bigint := 0;
    head migration_guard.chain_head;
BEGIN
    FOR m IN SELECT * FROM migration_guard.migrations ORDER BY migration_guard.migrations.migration_id LOOP
        count_entries := count_entries + 1;
        IF m.previous_chain_hash IS DISTINCT FROM expected_previous THEN
            migration_id := m.migration_id;
            problem := 'chain broken before this entry';
            detail := format('The entry says the previous chain hash was %s but the entry before it has %s: '
                             'an entry was deleted, reordered or inserted out of band.',
                             coalesce(nullif(m.previous_chain_hash, ''), '(empty)'),
                             coalesce(nullif(expected_previous, ''), '(empty)'));
            RETURN NEXT;
        END IF;
        IF m.chain_hash IS DISTINCT FROM
           migration_guard.chain_hash(m.previous_chain_hash, m.version, m.script_hash) THEN
            migration_id := m.migration_id;
            problem := 'entry edited';
            detail := 'Its chain hash does not match its previous chain hash, version and script hash.';
            RETURN NEXT;
        END IF;
        IF m.script IS NOT NULL AND m.script_hash IS DISTINCT FROM migration_guard.script_hash(m.script) THEN
            migration_id := m.migration_id;
            problem := 'script edited';
            detail := format('The stored script hashes to %s, not to the recorded %s.',
                             migration_guard.script_hash(m.script), m.script_hash);
            RETURN NEXT;
        END IF;
        expected_previous := m.chain_hash;
        last_id := m.migration_id;
    END LOOP;

    SELECT * INTO head FROM migration_guard.chain_head;
    IF NOT FOUND THEN
        head := ROW(true, NULL, '', 0)::migration_guard.chain_head;
    END IF;
    IF head.chain_hash IS DISTINCT FROM expected_previous
       OR head.migration_id IS DISTINCT FROM last_id OR head.entries <> count_entries THEN
        migration_id := last_id;
        problem := 'chain head mismatch';
        detail := format('The chain head records %s entries ending in migration_id %s with %s; '
                         'the ledger holds %s entries ending in migration_id %s with %s: '
                         'entries were deleted or added out of band.',
                         head.entries, coalesce(head.migration_id::text, 'none'),
                         coalesce(nullif(head.chain_hash, ''), '(empty)'),
                         count_entries, coalesce(last_id::text, 'none'),
                         coalesce(nullif(expected_previous, ''), '(empty)'));
        RETURN NEXT;
    END IF;
END
$$;
COMMENT ON FUNCTION migration_guard.verify_ledger() IS
    'Recomputes the ledger''s hash chain: one row per problem, no rows when intact';

-- The newest chain hash: store it outside the database to make the ledger tamper-evident
-- even against someone who rewrites the whole chain.
CREATE FUNCTION migration_guard.ledger_head()
    RETURNS TABLE (migration_id bigint, chain_hash text, entries bigint)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
        SELECT h.migration_id, coalesce(h.chain_hash, ''), coalesce(h.entries, 0)
          FROM (VALUES (1)) AS one (x)
          LEFT JOIN migration_guard.chain_head h ON true
    $$;

------------------------------------------------------------------------------------------
-- 6. Privileges: grant_reader and grant_runner (PUBLIC's privileges are revoked at the end)
------------------------------------------------------------------------------------------

-- Lets a role read the history (views, object_history, verify_ledger, ledger_head).
CREATE FUNCTION migration_guard.grant_reader(role_name regrole) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    EXECUTE format('GRANT SELECT ON migration_guard.history, migration_guard.ddl_log, migration_guard.drift, '
                   'migration_guard.not_succeeded, migration_guard.error_codes, migration_guard.preboot_windows, migration_guard.rules, '
                   'migration_guard.allowances TO %s', role_name);
    EXECUTE format('GRANT EXECUTE ON FUNCTION migration_guard.object_history(regclass), '
                   'migration_guard.object_history(text), migration_guard.verify_ledger(), '
                   'migration_guard.ledger_head(), migration_guard.audit_function_sqlstates() TO %s', role_name);
END
$$;
COMMENT ON FUNCTION migration_guard.grant_reader(regrole) IS
    'Grants a role read access to the migration history';

-- Lets a role run migrations through the API (and read the history). The role still needs
-- the privileges its migrations' own statements need.
CREATE FUNCTION migration_guard.grant_runner(role_name regrole) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM migration_guard.grant_reader(role_name);
    EXECUTE format('GRANT EXECUTE ON FUNCTION migration_guard.begin_migration(text, text, text, text), '
                   'migration_guard.finish_migration(), migration_guard.fail_migration(text), '
                   'migration_guard.run_migration(text, text, text), '
                   'migration_guard.repair_migration(text, text, text), '
                   'migration_guard.resolve_interrupted(bigint, text, text) TO %s', role_name);
    EXECUTE format('GRANT INSERT, UPDATE, DELETE ON migration_guard.error_codes TO %s', role_name);
    EXECUTE format('GRANT EXECUTE ON FUNCTION migration_guard.open_preboot_window(interval, text), '
                   'migration_guard.close_preboot_window() TO %s', role_name);
END
$$;
COMMENT ON FUNCTION migration_guard.grant_runner(regrole) IS
    'Grants a role the right to run, repair and resolve migrations through the API';

------------------------------------------------------------------------------------------
-- 7. DDL capture
------------------------------------------------------------------------------------------

-- PostgreSQL's pg_event_trigger_ddl_commands() and pg_event_trigger_dropped_objects(), declared
-- once more with a row type instead of OUT parameters: the capture calls these, so that the
-- result's tuple descriptor comes from the type cache instead of being built anew from pg_proc
-- on every DDL statement. The row types hold PostgreSQL's first columns under the same names and
-- types (the capture checks that, and calls PostgreSQL's own functions if not); the commands'
-- last column, of the pseudo-type pg_ddl_command, is left out. Internal: not for PUBLIC.
CREATE TYPE migration_guard._event_ddl_command AS (
    classid oid,
    objid oid,
    objsubid integer,
    command_tag text,
    object_type text,
    schema_name text,
    object_identity text,
    in_extension boolean
);
CREATE FUNCTION migration_guard._event_ddl_commands()
    RETURNS SETOF migration_guard._event_ddl_command
    LANGUAGE internal STRICT VOLATILE PARALLEL RESTRICTED
    AS 'pg_event_trigger_ddl_commands';

CREATE TYPE migration_guard._event_dropped_object AS (
    classid oid,
    objid oid,
    objsubid integer,
    original boolean,
    normal boolean,
    is_temporary boolean,
    object_type text,
    schema_name text,
    object_name text,
    object_identity text,
    address_names text[],
    address_args text[]
);
CREATE FUNCTION migration_guard._event_dropped_objects()
    RETURNS SETOF migration_guard._event_dropped_object
    LANGUAGE internal STRICT VOLATILE PARALLEL RESTRICTED
    AS 'pg_event_trigger_dropped_objects';

CREATE FUNCTION migration_guard._capture_ddl() RETURNS event_trigger
    LANGUAGE c
    AS 'MODULE_PATHNAME', 'mg_capture_ddl';

CREATE FUNCTION migration_guard._capture_drop() RETURNS event_trigger
    LANGUAGE c
    AS 'MODULE_PATHNAME', 'mg_capture_drop';

CREATE EVENT TRIGGER migration_guard_capture_ddl ON ddl_command_end
    EXECUTE FUNCTION migration_guard._capture_ddl();
CREATE EVENT TRIGGER migration_guard_capture_drop ON sql_drop
    EXECUTE FUNCTION migration_guard._capture_drop();

------------------------------------------------------------------------------------------
-- 8. Custom SQLSTATEs (seed 003's rules): validators, a domain, the application's registry,
--    the check at CREATE FUNCTION / CREATE PROCEDURE, and an audit of existing functions.
------------------------------------------------------------------------------------------

CREATE FUNCTION migration_guard.is_valid_custom_sqlstate(code text) RETURNS boolean
    LANGUAGE c IMMUTABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'mg_is_valid_custom_sqlstate';
COMMENT ON FUNCTION migration_guard.is_valid_custom_sqlstate(text) IS
    'true when a code obeys the custom SQLSTATE rules and is not one of PostgreSQL''s own; false for NULL';

CREATE FUNCTION migration_guard.sqlstate_violations(code text)
    RETURNS TABLE (rule text, reason text)
    LANGUAGE c IMMUTABLE PARALLEL SAFE ROWS 2
    AS 'MODULE_PATHNAME', 'mg_sqlstate_violations';
COMMENT ON FUNCTION migration_guard.sqlstate_violations(text) IS
    'One row per custom SQLSTATE rule the code breaks (none when valid)';

CREATE FUNCTION migration_guard.raised_sqlstates(body text)
    RETURNS TABLE (line integer, code text, form text, rule text, reason text)
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE ROWS 5
    AS 'MODULE_PATHNAME', 'mg_raised_sqlstates';
COMMENT ON FUNCTION migration_guard.raised_sqlstates(text) IS
    'The SQLSTATEs and condition names a PL/pgSQL body raises (read with PostgreSQL''s lexer), with any rule each breaks';

CREATE FUNCTION migration_guard.builtin_sqlstate_name(code text) RETURNS text
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'mg_builtin_sqlstate_name';
COMMENT ON FUNCTION migration_guard.builtin_sqlstate_name(text) IS
    'PostgreSQL''s condition name for one of its own SQLSTATEs, e.g. 23505 -> unique_violation; NULL otherwise';

-- The domain's check: true for a valid code or NULL, otherwise an error that says why.
CREATE FUNCTION migration_guard._check_custom_sqlstate(code text) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF code IS NULL OR migration_guard.is_valid_custom_sqlstate(code) THEN
        RETURN true;
    END IF;
    RAISE EXCEPTION 'invalid custom SQLSTATE %', quote_literal(code)
          USING ERRCODE = 'MGSQS',
                DETAIL = (SELECT string_agg(v.reason, '; ') FROM migration_guard.sqlstate_violations(code) v) || '.',
                HINT = 'A custom SQLSTATE is five characters: A-Z other than F, H, P, X; then A-Z or 0-9; '
                       'then A-Z or 0-9 other than 0 and P; then A-Z; then A-Z or 0-9; not ending in 000.';
END
$$;

CREATE DOMAIN migration_guard.custom_sqlstate AS text
    CHECK (migration_guard._check_custom_sqlstate(VALUE));
COMMENT ON DOMAIN migration_guard.custom_sqlstate IS
    'A SQLSTATE an application may raise: obeys seed 003''s rules and is none of PostgreSQL''s codes';

-- The application's own error codes.
CREATE TABLE migration_guard.error_codes (
    code           text PRIMARY KEY,
    name           text NOT NULL UNIQUE,
    description    text NOT NULL,
    category       text,
    rule_exception text,
    created_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    created_by     name NOT NULL DEFAULT CURRENT_USER
);
COMMENT ON TABLE migration_guard.error_codes IS
    'The application''s custom SQLSTATEs; each obeys seed 003''s rules unless rule_exception says why not';
COMMENT ON COLUMN migration_guard.error_codes.rule_exception IS
    'Why a code that breaks a character rule is accepted anyway (e.g. FFFFF, listed by seed 003 itself); never excuses a wrong length, characters outside A-Z 0-9, or a PostgreSQL code';
SELECT pg_catalog.pg_extension_config_dump('migration_guard.error_codes', '');

CREATE FUNCTION migration_guard._validate_error_code() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    broken text[];
    excusable boolean;
BEGIN
    SELECT array_agg(v.reason ORDER BY v.rule), bool_and(v.rule IN ('char1', 'char2', 'char3', 'char4', 'char5', 'ends-000'))
      INTO broken, excusable
      FROM migration_guard.sqlstate_violations(NEW.code) v;
    -- Only a code PL/pgSQL reads as a SQLSTATE (five of 0-9 A-Z) can be excused.
    excusable := excusable AND NEW.code ~ '^[0-9A-Z]{5}$';
    IF broken IS NOT NULL AND NOT (excusable AND nullif(btrim(NEW.rule_exception), '') IS NOT NULL) THEN
        RAISE EXCEPTION 'invalid custom SQLSTATE % for error code "%"', quote_literal(NEW.code), NEW.name
              USING ERRCODE = 'MGSQS',
                    DETAIL = array_to_string(broken, '; ') || '.',
                    HINT = CASE WHEN excusable
                                THEN 'If this code predates the rules and must stay, say why in rule_exception.'
                                ELSE 'Choose another code: five characters, A-Z other than F, H, P, X first; '
                                     'the third neither 0 nor P; the fourth a letter; not ending in 000.' END;
    END IF;
    IF broken IS NULL AND NEW.rule_exception IS NOT NULL THEN
        NEW.rule_exception := NULL; -- a valid code needs no excuse
    END IF;
    IF NEW.name !~ '^[a-z][a-z0-9_]*$' THEN
        RAISE EXCEPTION 'error code name "%" is not a lower-case identifier', NEW.name
              USING ERRCODE = 'MGARG',
                    HINT = 'Name codes like PostgreSQL''s conditions: weak_password, not_found.';
    END IF;
    IF btrim(NEW.description) = '' THEN
        RAISE EXCEPTION 'error code % needs a description', NEW.code USING ERRCODE = 'MGARG';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER error_codes_validate BEFORE INSERT OR UPDATE ON migration_guard.error_codes
    FOR EACH ROW EXECUTE FUNCTION migration_guard._validate_error_code();

-- The problems with one function's SQLSTATEs: broken rules (unless the registry excuses the
-- code) and, when asked, custom codes the registry does not list.
CREATE FUNCTION migration_guard._function_sqlstate_problems(fn oid, include_unregistered boolean)
    RETURNS TABLE (line integer, code text, form text, rule text, reason text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
        SELECT r.line, r.code, r.form,
               coalesce(r.rule, 'unregistered'),
               coalesce(r.reason, 'it is not listed in migration_guard.error_codes')
          FROM pg_catalog.pg_proc p
          JOIN pg_catalog.pg_language l ON l.oid = p.prolang AND l.lanname = 'plpgsql'
         CROSS JOIN LATERAL migration_guard.raised_sqlstates(p.prosrc) r
          LEFT JOIN migration_guard.error_codes e ON e.code = r.code
         WHERE p.oid = fn
           AND CASE WHEN r.rule IS NOT NULL
                    THEN e.rule_exception IS NULL OR r.rule NOT IN ('char1', 'char2', 'char3', 'char4', 'char5', 'ends-000')
                    ELSE include_unregistered AND e.code IS NULL
                         AND r.form <> 'RAISE condition' AND r.code ~ '^[0-9A-Z]{5}$'
                         AND migration_guard.builtin_sqlstate_name(r.code) IS NULL END
         ORDER BY 1, 2, 4
    $$;

-- Every PL/pgSQL function and procedure of the database (not PostgreSQL's, not an extension's)
-- with a SQLSTATE that breaks the rules or that the registry does not list.
CREATE FUNCTION migration_guard.audit_function_sqlstates()
    RETURNS TABLE (function regprocedure, kind text, line integer, code text, rule text, reason text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
        SELECT p.oid::regprocedure, CASE p.prokind WHEN 'p' THEN 'procedure' ELSE 'function' END,
               x.line, x.code, x.rule, x.reason
          FROM pg_catalog.pg_proc p
          JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
         CROSS JOIN LATERAL migration_guard._function_sqlstate_problems(p.oid, true) x
         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'migration_guard')
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                            WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
                              AND d.deptype = 'e')
         ORDER BY p.oid::regprocedure::text, x.line
    $$;
COMMENT ON FUNCTION migration_guard.audit_function_sqlstates() IS
    'Existing functions and procedures whose RAISE uses a SQLSTATE that breaks the rules or is not registered';

-- CREATE FUNCTION / CREATE PROCEDURE: refuse (or warn about) bodies that raise bad SQLSTATEs.
CREATE FUNCTION migration_guard._check_function_sqlstates() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    mode text := coalesce(current_setting('migration_guard.sqlstate_check', true), 'block');
    registered boolean := coalesce(current_setting('migration_guard.sqlstate_require_registered', true), 'off')::boolean;
    command record;
    problem record;
    first_message text;
    details text[] := '{}';
BEGIN
    IF mode = 'off' THEN
        RETURN;
    END IF;
    FOR command IN SELECT c.objid, c.object_identity, c.command_tag
                     FROM pg_catalog.pg_event_trigger_ddl_commands() c
                    WHERE c.classid = 'pg_catalog.pg_proc'::regclass AND NOT c.in_extension LOOP
        FOR problem IN SELECT * FROM migration_guard._function_sqlstate_problems(command.objid, registered) LOOP
            first_message := coalesce(first_message,
                format('%s %s raises SQLSTATE "%s" at line %s, which %s',
                       CASE command.command_tag WHEN 'CREATE PROCEDURE' THEN 'procedure' ELSE 'function' END,
                       command.object_identity, problem.code, problem.line,
                       CASE problem.rule WHEN 'unregistered' THEN 'is not in migration_guard.error_codes'
                                         WHEN 'unknown-condition' THEN 'is no known condition name'
                                         ELSE 'breaks rule ' || problem.rule END));
            details := details || format('line %s: %s %s: %s (%s)', problem.line, problem.form,
                                         problem.code, problem.reason, problem.rule);
        END LOOP;
    END LOOP;
    IF first_message IS NULL THEN
        RETURN;
    END IF;
    IF mode = 'block' THEN
        RAISE EXCEPTION '%', first_message
              USING ERRCODE = 'MGSQS',
                    DETAIL = array_to_string(details, E'\n'),
                    HINT = 'Use a code that obeys the custom SQLSTATE rules (migration_guard.sqlstate_violations(code) explains them) '
                           'and register it in migration_guard.error_codes. A superuser can SET migration_guard.sqlstate_check = warn.';
    ELSE
        RAISE WARNING '%', first_message USING DETAIL = array_to_string(details, E'\n');
    END IF;
END
$$;

CREATE EVENT TRIGGER migration_guard_check_sqlstates ON ddl_command_end
    WHEN TAG IN ('CREATE FUNCTION', 'CREATE PROCEDURE')
    EXECUTE FUNCTION migration_guard._check_function_sqlstates();

------------------------------------------------------------------------------------------
-- 9. Preboot windows: while old and new application code share the database, DDL that breaks
--    the old code is refused before it runs (ddl_command_start), by one rule engine shared with
--    lint() and the CLI.
------------------------------------------------------------------------------------------

CREATE TABLE migration_guard.preboot_window_log (
    window_id  bigserial PRIMARY KEY,
    opened_at  timestamptz NOT NULL,
    closes_at  timestamptz NOT NULL,
    closed_at  timestamptz,
    opened_by  name NOT NULL,
    closed_by  name,
    reason     text,
    CHECK (closes_at > opened_at)
);
SELECT pg_catalog.pg_extension_config_dump('migration_guard.preboot_window_log', '');
SELECT pg_catalog.pg_extension_config_dump('migration_guard.preboot_window_log_window_id_seq', '');

CREATE VIEW migration_guard.preboot_windows AS
SELECT w.window_id, w.opened_at, w.closes_at, w.closed_at, w.opened_by, w.closed_by, w.reason,
       CASE WHEN w.closed_at IS NOT NULL AND w.closed_at < w.closes_at THEN 'closed'
            WHEN pg_catalog.clock_timestamp() >= w.closes_at THEN 'expired'
            ELSE 'open' END AS state
  FROM migration_guard.preboot_window_log w;
COMMENT ON VIEW migration_guard.preboot_windows IS
    'Every preboot window: open while old and new code share the database, then closed or expired';

-- Per-rule actions a DBA chose; rules not listed use their default (migration_guard.rules).
CREATE TABLE migration_guard.rule_settings (
    rule       text PRIMARY KEY,
    action     text NOT NULL CHECK (action IN ('block', 'warn', 'off')),
    changed_by name NOT NULL DEFAULT CURRENT_USER,
    changed_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
SELECT pg_catalog.pg_extension_config_dump('migration_guard.rule_settings', '');

-- Every allow_incompatible() call: who let incompatible DDL through, and why.
CREATE TABLE migration_guard.allowances (
    allowance_id bigserial PRIMARY KEY,
    occurred_at  timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    role         name NOT NULL,
    session_role name NOT NULL,
    reason       text NOT NULL,
    migration_id bigint,
    window_id    bigint,
    txid         xid8 NOT NULL,
    backend_pid  integer NOT NULL
);
SELECT pg_catalog.pg_extension_config_dump('migration_guard.allowances', '');
SELECT pg_catalog.pg_extension_config_dump('migration_guard.allowances_allowance_id_seq', '');

CREATE FUNCTION migration_guard._rule_catalogue()
    RETURNS TABLE (rule text, category text, default_action text, summary text, why text, recipe text)
    LANGUAGE c IMMUTABLE PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'mg_rule_catalogue';

CREATE VIEW migration_guard.rules AS
SELECT c.rule, c.category, coalesce(s.action, c.default_action) AS action, c.default_action,
       c.summary, c.why, c.recipe, s.changed_by, s.changed_at
  FROM migration_guard._rule_catalogue() c
  LEFT JOIN migration_guard.rule_settings s ON s.rule = c.rule;
COMMENT ON VIEW migration_guard.rules IS
    'Every rule: its category, the action in force (block, warn or off), its default and summary; docs/rules/<rule>.md';

-- Tells every session that windows or rule actions changed (a relcache invalidation of the
-- window table, delivered when this transaction commits).
CREATE FUNCTION migration_guard._guard_config_changed() RETURNS void
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'mg_guard_config_changed';

CREATE FUNCTION migration_guard.set_rule_action(rule text, action text) RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    known migration_guard.rules;
BEGIN
    SELECT * INTO known FROM migration_guard.rules r WHERE r.rule = set_rule_action.rule;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no rule is called %', coalesce(quote_literal(set_rule_action.rule), 'NULL')
              USING ERRCODE = 'MGARG',
                    HINT = 'SELECT rule, summary FROM migration_guard.rules lists them.';
    END IF;
    IF action IS NULL OR action NOT IN ('block', 'warn', 'off', 'default') THEN
        RAISE EXCEPTION 'action must be block, warn, off or default, not %', coalesce(quote_literal(action), 'NULL')
              USING ERRCODE = 'MGARG';
    END IF;
    IF action = 'default' THEN
        DELETE FROM migration_guard.rule_settings s WHERE s.rule = set_rule_action.rule;
    ELSE
        INSERT INTO migration_guard.rule_settings AS s (rule, action) VALUES (set_rule_action.rule, action)
        ON CONFLICT ON CONSTRAINT rule_settings_pkey
        DO UPDATE SET action = excluded.action, changed_by = CURRENT_USER, changed_at = now();
    END IF;
    PERFORM migration_guard._guard_config_changed();
    RETURN (SELECT r.action FROM migration_guard.rules r WHERE r.rule = set_rule_action.rule);
END
$$;
COMMENT ON FUNCTION migration_guard.set_rule_action(text, text) IS
    'Sets a rule''s action (block, warn, off) or returns it to its default; returns the action now in force';

CREATE FUNCTION migration_guard._open_preboot_window(p_duration interval, p_reason text, p_caller text)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    current_window migration_guard.preboot_window_log;
BEGIN
    IF p_duration IS NULL OR p_duration <= interval '0' THEN
        RAISE EXCEPTION 'a preboot window must last a positive time, not %', coalesce(p_duration::text, 'NULL')
              USING ERRCODE = 'MGARG', HINT = 'For example: open_preboot_window(''3 minutes'').';
    END IF;
    IF p_duration > interval '7 days' THEN
        RAISE EXCEPTION 'a preboot window of % is longer than 7 days', p_duration
              USING ERRCODE = 'MGARG',
                    HINT = 'Windows cover a deploy; for longer protection SET migration_guard.enforce = ''always''.';
    END IF;
    -- Serialised with other window changes and with migrations.
    LOCK TABLE migration_guard.preboot_window_log IN SHARE ROW EXCLUSIVE MODE;
    SELECT * INTO current_window FROM migration_guard.preboot_window_log
     WHERE closed_at IS NULL AND closes_at > clock_timestamp()
     ORDER BY window_id DESC LIMIT 1;
    IF FOUND THEN
        -- One window at a time: opening again extends the open one.
        UPDATE migration_guard.preboot_window_log
           SET closes_at = greatest(closes_at, clock_timestamp() + p_duration),
               reason = coalesce(p_reason, reason)
         WHERE window_id = current_window.window_id;
        RAISE NOTICE 'preboot window % was already open; it now closes at %', current_window.window_id,
              (SELECT closes_at FROM migration_guard.preboot_window_log WHERE window_id = current_window.window_id);
        PERFORM migration_guard._guard_config_changed();
        RETURN current_window.window_id;
    END IF;
    INSERT INTO migration_guard.preboot_window_log (opened_at, closes_at, opened_by, reason)
    VALUES (clock_timestamp(), clock_timestamp() + p_duration, p_caller, p_reason)
    RETURNING window_id INTO current_window.window_id;
    PERFORM migration_guard._guard_config_changed();
    RETURN current_window.window_id;
END
$$;

CREATE FUNCTION migration_guard._close_preboot_window(p_caller text) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    closed bigint;
BEGIN
    LOCK TABLE migration_guard.preboot_window_log IN SHARE ROW EXCLUSIVE MODE;
    UPDATE migration_guard.preboot_window_log
       SET closed_at = clock_timestamp(), closed_by = p_caller
     WHERE closed_at IS NULL AND closes_at > clock_timestamp()
    RETURNING window_id INTO closed;
    IF closed IS NULL THEN
        RAISE NOTICE 'no preboot window is open';
    END IF;
    PERFORM migration_guard._guard_config_changed();
    RETURN closed;
END
$$;

CREATE FUNCTION migration_guard._record_allowance(p_reason text, p_caller text, p_migration_id bigint)
    RETURNS bigint
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
    AS $$
        INSERT INTO migration_guard.allowances (role, session_role, reason, migration_id, window_id, txid, backend_pid)
        VALUES (p_caller, session_user, p_reason, nullif(p_migration_id, 0),
                (SELECT max(w.window_id) FROM migration_guard.preboot_window_log w
                  WHERE w.closed_at IS NULL AND w.closes_at > clock_timestamp()),
                pg_current_xact_id(), pg_backend_pid())
        RETURNING allowance_id
    $$;

-- The window and rule settings the guard applies, read by each session when they change.
CREATE FUNCTION migration_guard._guard_state(OUT window_closes_at timestamptz, OUT settings text[])
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
        SELECT (SELECT max(w.closes_at) FROM migration_guard.preboot_window_log w
                 WHERE w.closed_at IS NULL),
               (SELECT array_agg(s.rule || '=' || s.action ORDER BY s.rule)
                  FROM migration_guard.rule_settings s)
    $$;

CREATE FUNCTION migration_guard.open_preboot_window(duration interval DEFAULT '3 minutes',
                                                    reason text DEFAULT NULL) RETURNS bigint
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'mg_open_preboot_window';
COMMENT ON FUNCTION migration_guard.open_preboot_window(interval, text) IS
    'Opens a preboot window (or extends the open one): until it closes, DDL that breaks running old code is refused';

CREATE FUNCTION migration_guard.close_preboot_window() RETURNS bigint
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'mg_close_preboot_window';
COMMENT ON FUNCTION migration_guard.close_preboot_window() IS
    'Closes the open preboot window now; returns its window_id, or NULL when none was open';

CREATE FUNCTION migration_guard.allow_incompatible(reason text) RETURNS bigint
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'mg_allow_incompatible';
COMMENT ON FUNCTION migration_guard.allow_incompatible(text) IS
    'Lets the rest of the current transaction run DDL the guard would refuse; recorded in migration_guard.allowances';

CREATE FUNCTION migration_guard.lint(script text)
    RETURNS TABLE (statement integer, line integer, col integer, rule text, severity text,
                   message text, hint text)
    LANGUAGE c STABLE
    AS 'MODULE_PATHNAME', 'mg_lint';
COMMENT ON FUNCTION migration_guard.lint(text) IS
    'The guard''s findings for a script, without running it: one row per finding (syntax errors included)';

CREATE FUNCTION migration_guard.grant_override(role_name regrole) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    EXECUTE format('GRANT EXECUTE ON FUNCTION migration_guard.allow_incompatible(text) TO %s', role_name);
    EXECUTE format('GRANT SELECT ON migration_guard.allowances TO %s', role_name);
END
$$;
COMMENT ON FUNCTION migration_guard.grant_override(regrole) IS
    'Grants a role the right to call allow_incompatible()';

CREATE FUNCTION migration_guard._guard_ddl() RETURNS event_trigger
    LANGUAGE c
    AS 'MODULE_PATHNAME', 'mg_guard_ddl';
CREATE FUNCTION migration_guard._guard_rewrite() RETURNS event_trigger
    LANGUAGE c
    AS 'MODULE_PATHNAME', 'mg_guard_rewrite';
CREATE EVENT TRIGGER migration_guard_guard_ddl ON ddl_command_start
    EXECUTE FUNCTION migration_guard._guard_ddl();
CREATE EVENT TRIGGER migration_guard_guard_rewrite ON table_rewrite
    EXECUTE FUNCTION migration_guard._guard_rewrite();

------------------------------------------------------------------------------------------
-- 10. Adapters: the migration tools' own history tables, read as they are written. Once
--     enable_adapter(tool) has run, a row a tool records in its history table becomes a
--     ledger entry, and the DDL the tool ran for it is attributed to that entry. The tools
--     need no change. docs/adapters/<tool>.md
------------------------------------------------------------------------------------------

-- Which tables each tool keeps its history in, and which of its writes record a migration.
-- history_schema NULL: the tool's table may live in any schema (the tools put it in the
-- schema they are configured for, public by default). registry: every table the tool creates
-- for itself; the DDL that creates or changes them is the tool's own bookkeeping and becomes
-- a ledger entry of its own ("<tool> registry"), not drift.
CREATE FUNCTION migration_guard._adapter_catalogue()
    RETURNS TABLE (tool text, history_schema name, history_table name, operations text,
                   registry_schema name, registry_tables name[])
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
        VALUES ('django',           NULL::name,         'django_migrations'::name,     'INSERT',
                NULL::name,         '{django_migrations}'::name[]),
               ('flyway',           NULL,               'flyway_schema_history',       'INSERT',
                NULL,               '{flyway_schema_history}'),
               ('graphile-migrate', 'graphile_migrate', 'migrations',                  'INSERT',
                'graphile_migrate', '{migrations,current}'),
               ('liquibase',        NULL,               'databasechangelog',           'INSERT OR UPDATE',
                NULL,               '{databasechangelog,databasechangeloglock}'),
               ('node-pg-migrate',  NULL,               'pgmigrations',                'INSERT',
                NULL,               '{pgmigrations}'),
               ('postgrator',       NULL,               'schemaversion',               'INSERT',
                NULL,               '{schemaversion}'),
               ('rails',            NULL,               'schema_migrations',           'INSERT',
                NULL,               '{schema_migrations,ar_internal_metadata}'),
               ('sqitch',           'sqitch',           'changes',                     'INSERT',
                'sqitch',           '{}'),
               ('sqitch',           'sqitch',           'events',                      'INSERT',
                'sqitch',           '{}')
    $$;

-- Who enabled (or disabled) which adapter, and when. Kept by pg_dump.
CREATE TABLE migration_guard.adapter_settings (
    tool        text PRIMARY KEY,
    enabled     boolean NOT NULL,
    enabled_by  name NOT NULL,
    enabled_at  timestamptz NOT NULL,
    disabled_by name,
    disabled_at timestamptz
);
SELECT pg_catalog.pg_extension_config_dump('migration_guard.adapter_settings', '');

-- The trigger every adapter puts on a tool's history table (AFTER ... FOR EACH ROW). In C so
-- that it can note the role that wrote the row before it switches to the ledger owner, and
-- read the row's columns as text as that role: nothing the table's owner defined (a cast, a
-- function) runs with the ledger owner's rights.
CREATE FUNCTION migration_guard._adapter_trigger() RETURNS trigger
    LANGUAGE c
    AS 'MODULE_PATHNAME', 'mg_adapter_trigger';

-- The tables an adapter's trigger is on now (every adapter's when p_tool is NULL).
CREATE FUNCTION migration_guard._attached_tables(p_tool text) RETURNS SETOF regclass
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
        SELECT t.tgrelid::regclass FROM pg_trigger t
         WHERE t.tgname = 'migration_guard_adapter'
           AND t.tgfoid = 'migration_guard._adapter_trigger()'::regprocedure
           AND (p_tool IS NULL OR t.tgargs = convert_to(p_tool, 'UTF8') || '\x00'::bytea)
         ORDER BY t.tgrelid::regclass::text
    $$;

-- Every tool an adapter knows, whether it is enabled, and the tables it is attached to now.
CREATE VIEW migration_guard.adapters AS
SELECT k.tool, coalesce(s.enabled, false) AS enabled,
       string_agg(coalesce(k.history_schema::text || '.', '') || k.history_table, ', '
                  ORDER BY k.history_table) AS history_tables,
       ARRAY(SELECT migration_guard._attached_tables(k.tool)) AS attached_to,
       s.enabled_by, s.enabled_at, s.disabled_by, s.disabled_at
  FROM migration_guard._adapter_catalogue() k
  LEFT JOIN migration_guard.adapter_settings s ON s.tool = k.tool
 GROUP BY k.tool, s.tool;
COMMENT ON VIEW migration_guard.adapters IS
    'Every migration tool an adapter knows: its history tables (schema-less ones in any schema), whether the adapter is enabled, the tables it is attached to';

-- Runs DDL of the adapters' own (attaching and detaching triggers) unrecorded: it is
-- bookkeeping of migration_guard, not a change to the application's schema.
CREATE FUNCTION migration_guard._adapter_ddl(p_statement text) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    capture text := current_setting('migration_guard.capture', true);
BEGIN
    PERFORM set_config('migration_guard.capture', 'off', true);
    EXECUTE p_statement;
    PERFORM set_config('migration_guard.capture', coalesce(capture, 'on'), true);
END
$$;

-- Attaches the adapter's trigger to one table (no-op when it is there already).
CREATE FUNCTION migration_guard._adapter_attach(p_tool text, p_table regclass, p_operations text)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_trigger t
                WHERE t.tgrelid = p_table AND t.tgname = 'migration_guard_adapter') THEN
        RETURN;
    END IF;
    PERFORM migration_guard._adapter_ddl(
        format('CREATE TRIGGER migration_guard_adapter AFTER %s ON %s FOR EACH ROW '
               'EXECUTE FUNCTION migration_guard._adapter_trigger(%L)',
               p_operations, p_table, p_tool));
END
$$;

-- The tool's history tables that exist now (in their schema, or in any schema).
CREATE FUNCTION migration_guard._adapter_tables(p_tool text)
    RETURNS TABLE (relid regclass, operations text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
        SELECT c.oid::regclass, k.operations
          FROM migration_guard._adapter_catalogue() k
          JOIN pg_class c ON c.relname = k.history_table AND c.relkind IN ('r', 'p')
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE k.tool = p_tool
           AND (n.nspname = k.history_schema
                OR (k.history_schema IS NULL
                    AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'migration_guard')
                    AND n.nspname NOT LIKE 'pg\_temp\_%' AND n.nspname NOT LIKE 'pg\_toast%'))
    $$;

-- Tells every session that adapters were enabled or disabled (a relcache invalidation of
-- adapter_settings, delivered when this transaction commits).
CREATE FUNCTION migration_guard._adapters_changed() RETURNS void
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'mg_adapters_changed';

CREATE FUNCTION migration_guard._known_tool(p_tool text) RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM migration_guard._adapter_catalogue() k WHERE k.tool = p_tool) THEN
        RAISE EXCEPTION 'no adapter for migration tool %', coalesce(quote_literal(p_tool), 'NULL')
              USING ERRCODE = 'MGARG',
                    DETAIL = 'Known tools: ' || (SELECT string_agg(DISTINCT k.tool, ', ' ORDER BY k.tool)
                                                   FROM migration_guard._adapter_catalogue() k) || '.',
                    HINT = 'Any other tool can call migration_guard.begin_migration() and finish_migration() itself.';
    END IF;
END
$$;

CREATE FUNCTION migration_guard._enable_adapter(p_tool text, p_caller text) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    history record;
    attached bigint := 0;
BEGIN
    PERFORM migration_guard._known_tool(p_tool);
    INSERT INTO migration_guard.adapter_settings AS s (tool, enabled, enabled_by, enabled_at)
    VALUES (p_tool, true, p_caller, clock_timestamp())
    ON CONFLICT (tool) DO UPDATE
       SET enabled = true, enabled_by = excluded.enabled_by, enabled_at = excluded.enabled_at,
           disabled_by = NULL, disabled_at = NULL
     WHERE NOT s.enabled; -- enabling twice keeps the first record
    PERFORM migration_guard._adapters_changed();
    FOR history IN SELECT * FROM migration_guard._adapter_tables(p_tool) LOOP
        PERFORM migration_guard._adapter_attach(p_tool, history.relid, history.operations);
        attached := attached + 1;
    END LOOP;
    RETURN attached;
END
$$;

-- Removes an adapter's triggers (every adapter's when p_tool is NULL); returns how many.
CREATE FUNCTION migration_guard._detach_adapters(p_tool text) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    relid regclass;
    detached bigint := 0;
BEGIN
    FOR relid IN SELECT * FROM migration_guard._attached_tables(p_tool) LOOP
        PERFORM migration_guard._adapter_ddl(format('DROP TRIGGER migration_guard_adapter ON %s', relid));
        detached := detached + 1;
    END LOOP;
    RETURN detached;
END
$$;

CREATE FUNCTION migration_guard._disable_adapter(p_tool text, p_caller text) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM migration_guard._known_tool(p_tool);
    UPDATE migration_guard.adapter_settings
       SET enabled = false, disabled_by = p_caller, disabled_at = clock_timestamp()
     WHERE tool = p_tool AND enabled;
    PERFORM migration_guard._adapters_changed();
    RETURN migration_guard._detach_adapters(p_tool);
END
$$;
-- DROP EXTENSION migration_guard calls _detach_adapters(NULL) first (the event trigger below):
-- the triggers on the tools' tables depend on _adapter_trigger and would stop the drop.

CREATE FUNCTION migration_guard.enable_adapter(tool text) RETURNS bigint
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'mg_enable_adapter';
COMMENT ON FUNCTION migration_guard.enable_adapter(text) IS
    'Reads a migration tool''s history table from now on: its migrations and their DDL enter the ledger; returns the number of tables attached now';

CREATE FUNCTION migration_guard.disable_adapter(tool text) RETURNS bigint
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'mg_disable_adapter';
COMMENT ON FUNCTION migration_guard.disable_adapter(text) IS
    'Stops reading a migration tool''s history table; returns the number of tables detached';

CREATE FUNCTION migration_guard.grant_adapter_admin(role_name regrole) RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    EXECUTE format('GRANT EXECUTE ON FUNCTION migration_guard.enable_adapter(text), '
                   'migration_guard.disable_adapter(text) TO %s', role_name);
    EXECUTE format('GRANT SELECT ON migration_guard.adapters TO %s', role_name);
    -- The view calls these for its reader: they tell only what pg_trigger and this file say.
    EXECUTE format('GRANT EXECUTE ON FUNCTION migration_guard._adapter_catalogue(), '
                   'migration_guard._attached_tables(text) TO %s', role_name);
END
$$;
COMMENT ON FUNCTION migration_guard.grant_adapter_admin(regrole) IS
    'Grants a role the right to enable and disable adapters';

-- THE one place that reads or changes "the DDL events captured in this transaction / by this
-- session / for a tool's registry" (capture may buffer events: flush before calling this).
-- p_migration_id NULL counts the events in scope; otherwise attributes them to it and returns
-- how many. Only events no migration claimed yet are in scope.
--   'transaction'  this backend's events of the current transaction
--   'session'      this backend's events since p_since (non-transactional migrations)
--   'other-backends'  other backends' events since p_since, run by this session's login role
--                  (sqitch runs each change's script through a psql of its own)
--   'registry'     any backend's events on the tool's own tables (p_registry_schema: every
--                  object in it; p_registry_tables: those tables, their columns, indexes,
--                  sequences and constraints, in any schema)
CREATE FUNCTION migration_guard._claim_events(
    p_migration_id bigint, p_scope text, p_since timestamptz DEFAULT NULL,
    p_registry_schema name DEFAULT NULL, p_registry_tables name[] DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    claimed bigint;
BEGIN
    IF p_scope NOT IN ('transaction', 'session', 'other-backends', 'registry') THEN
        RAISE EXCEPTION 'unknown event scope %', p_scope USING ERRCODE = 'MGIER';
    END IF;
    WITH in_scope AS (
        SELECT e.event_id FROM migration_guard.ddl_events e
         WHERE e.migration_id IS NULL
           AND CASE p_scope
               WHEN 'transaction' THEN
                    e.backend_pid = pg_backend_pid() AND e.txid = pg_current_xact_id()
               WHEN 'session' THEN
                    e.backend_pid = pg_backend_pid() AND e.occurred_at >= p_since
               WHEN 'other-backends' THEN
                    e.backend_pid <> pg_backend_pid() AND e.occurred_at >= p_since
                    AND e.session_role = session_user
               ELSE (p_registry_schema IS NOT NULL
                     AND (e.schema_name = p_registry_schema
                          OR (e.object_type = 'schema' AND e.object_identity = quote_ident(p_registry_schema))))
                 OR EXISTS (SELECT 1 FROM unnest(p_registry_tables) t (name)
                             CROSS JOIN LATERAL (SELECT quote_ident(e.schema_name) || '.' || quote_ident(t.name) AS qualified) q
                             WHERE e.object_identity = q.qualified
                                OR starts_with(e.object_identity, q.qualified || '_')
                                OR starts_with(e.object_identity, q.qualified || '.')
                                OR right(e.object_identity, length(q.qualified) + 4) = ' on ' || q.qualified)
               END
    ), updated AS (
        UPDATE migration_guard.ddl_events e SET migration_id = p_migration_id
          FROM in_scope s
         WHERE p_migration_id IS NOT NULL AND e.event_id = s.event_id
        RETURNING 1
    )
    SELECT CASE WHEN p_migration_id IS NULL THEN (SELECT count(*) FROM in_scope)
                ELSE (SELECT count(*) FROM updated) END
      INTO claimed;
    RETURN claimed;
END
$$;

-- What a row of a tool's history table says: the migration's version (NULL: the row records
-- no migration), name, the tool's own checksum, and whether it succeeded. Each tool's columns
-- and statements are described in docs/adapters/<tool>.md.
CREATE FUNCTION migration_guard._adapter_row(p_tool text, p_table name, p_operation text,
                                             r jsonb, old jsonb,
                                             OUT version text, OUT name text, OUT checksum text,
                                             OUT status text, OUT reason text)
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    status := 'succeeded';
    CASE p_tool
    WHEN 'graphile-migrate' THEN
        version := r->>'filename'; checksum := r->>'hash';
    WHEN 'node-pg-migrate' THEN
        version := r->>'name';
    WHEN 'postgrator' THEN
        -- postgrator's first row (version 0, no name) marks the table's creation.
        IF r->>'name' IS NOT NULL THEN
            version := r->>'version'; name := r->>'name'; checksum := r->>'md5';
        END IF;
    WHEN 'sqitch' THEN
        IF p_table = 'changes' THEN
            version := r->>'change'; name := nullif(r->>'note', ''); checksum := r->>'script_hash';
        ELSIF r->>'event' = 'fail' THEN
            version := r->>'change'; name := nullif(r->>'note', ''); status := 'failed';
            reason := 'sqitch logged the deploy as failed';
        ELSIF r->>'event' = 'revert' THEN
            version := r->>'change'; name := 'sqitch revert';
        END IF;
    WHEN 'flyway' THEN
        -- Rows of Flyway's own (schema creation, baseline) record no migration.
        IF r->>'type' NOT IN ('SCHEMA', 'BASELINE', 'DELETE') THEN
            version := coalesce(r->>'version', r->>'script'); name := r->>'description';
            checksum := r->>'checksum';
            IF r->>'success' = 'f' THEN
                status := 'failed';
                reason := 'Flyway recorded the migration as failed (success = false)';
            END IF;
        END IF;
    WHEN 'liquibase' THEN
        -- An UPDATE records a re-run (runOnChange, runAlways) only when DATEEXECUTED moves.
        IF r->>'exectype' IN ('EXECUTED', 'RERAN', 'FAILED')
           AND (p_operation = 'INSERT' OR r->>'dateexecuted' IS DISTINCT FROM old->>'dateexecuted') THEN
            version := format('%s::%s::%s', r->>'filename', r->>'id', r->>'author');
            name := r->>'description'; checksum := r->>'md5sum';
            IF r->>'exectype' = 'FAILED' THEN
                status := 'failed'; reason := 'Liquibase recorded the changeset as FAILED';
            END IF;
        END IF;
    WHEN 'rails' THEN
        version := r->>'version';
    WHEN 'django' THEN
        version := format('%s.%s', r->>'app', r->>'name');
    END CASE;
END
$$;

-- A row written to a tool's history table (called by _adapter_trigger as the ledger owner).
-- Appends the ledger entry and attributes the tool's DDL to it:
--   - the tool's registry DDL not yet claimed, to an entry "<tool> registry" of its own;
--   - a migration recorded inside a transaction block: the DDL of that transaction;
--   - a migration recorded outside one (the tool ran it outside a transaction): the DDL this
--     backend ran since its previous ledger entry (or since it connected), at most;
--   - sqitch, whose psql runs each change in a backend of its own: also the DDL that other
--     backends of the same login role ran since sqitch's transaction began.
CREATE FUNCTION migration_guard._adapter_record(
    p_tool text, p_table regclass, p_operation text, p_columns text[], p_values text[],
    p_old_values text[], p_caller text, p_in_transaction boolean)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    row_says record;
    registry record;
    entry migration_guard.migrations;
    since timestamptz;
    backend_started timestamptz;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM migration_guard.adapter_settings s WHERE s.tool = p_tool AND s.enabled) THEN
        RETURN NULL; -- a trigger left behind by hand; the adapter is off
    END IF;
    row_says := migration_guard._adapter_row(p_tool, (SELECT c.relname FROM pg_class c WHERE c.oid = p_table),
                                             p_operation, jsonb_object(p_columns, p_values),
                                             CASE WHEN p_old_values IS NOT NULL THEN jsonb_object(p_columns, p_old_values) END);
    IF row_says.version IS NULL THEN
        RETURN NULL;
    END IF;
    -- The ledger's rule: only a role that may run migrations records one. Creating a table
    -- with a tool's table name must not let any role forge ledger entries.
    IF NOT has_function_privilege(p_caller, 'migration_guard.begin_migration(text, text, text, text)', 'EXECUTE') THEN
        RAISE EXCEPTION 'role % may not record migrations', quote_ident(p_caller)
              USING ERRCODE = 'MGRUN',
                    DETAIL = format('It wrote migration "%s" to %s, which the %s adapter records in the migration ledger.',
                                    row_says.version, p_table, p_tool),
                    HINT = format('A DBA lets it run migrations with: SELECT migration_guard.grant_runner(%L);', p_caller);
    END IF;
    PERFORM migration_guard._lock_ledger();

    SELECT k.registry_schema, k.registry_tables INTO registry
      FROM migration_guard._adapter_catalogue() k
     WHERE k.tool = p_tool LIMIT 1;
    IF migration_guard._claim_events(NULL, 'registry', NULL, registry.registry_schema, registry.registry_tables) > 0 THEN
        entry := migration_guard._append(p_tool || ' registry', p_tool || ' created or changed its history tables',
                                         p_tool, 'migration', 'succeeded', NULL, NULL, p_caller,
                                         clock_timestamp(), clock_timestamp(), p_in_transaction, NULL, NULL);
        PERFORM migration_guard._claim_events(entry.migration_id, 'registry', NULL,
                                              registry.registry_schema, registry.registry_tables);
        PERFORM migration_guard._notify(entry.migration_id);
    END IF;

    SELECT a.backend_start INTO backend_started
      FROM pg_stat_get_activity(pg_backend_pid()) a;
    since := CASE WHEN p_in_transaction THEN now()
                  ELSE greatest(backend_started,
                                (SELECT max(m.finished_at) FROM migration_guard.migrations m
                                  WHERE m.backend_pid = pg_backend_pid()
                                    AND m.backend_start = backend_started
                                    AND m.version IS DISTINCT FROM m.tool || ' registry')) END;
    entry := migration_guard._append(row_says.version, row_says.name, p_tool, 'migration',
                                     row_says.status, NULL, NULL, p_caller, since,
                                     clock_timestamp(), p_in_transaction, row_says.reason, NULL,
                                     row_says.checksum);
    PERFORM migration_guard._claim_events(entry.migration_id,
                                          CASE WHEN p_in_transaction THEN 'transaction' ELSE 'session' END,
                                          since);
    IF p_tool = 'sqitch' AND row_says.status = 'succeeded' THEN
        PERFORM migration_guard._claim_events(entry.migration_id, 'other-backends', now());
    END IF;
    PERFORM migration_guard._notify(entry.migration_id);
    RETURN entry.migration_id;
END
$$;

-- A tool creates its history table on its first run: attach the adapter there and then. Only
-- CREATE TABLE: a restore (pg_dump) adds constraints with ALTER TABLE after the ledger's rows
-- are back, and then creates the adapter's trigger itself. The event trigger is in C
-- (_adapter_watch_tables): while no adapter is enabled it costs a cached flag; otherwise it
-- calls this as the ledger owner. Returns how many tables it attached to.
CREATE FUNCTION migration_guard._adapter_attach_created() RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    created record;
    attached bigint := 0;
BEGIN
    FOR created IN
        SELECT DISTINCT s.tool, c.objid::regclass AS relid, k.operations
          FROM pg_event_trigger_ddl_commands() c
          JOIN pg_class r ON r.oid = c.objid AND r.relkind IN ('r', 'p')
          JOIN pg_namespace n ON n.oid = r.relnamespace
          JOIN migration_guard._adapter_catalogue() k
            ON k.history_table = r.relname
           AND (k.history_schema = n.nspname OR (k.history_schema IS NULL AND n.nspname NOT LIKE 'pg\_%'))
          JOIN migration_guard.adapter_settings s ON s.tool = k.tool AND s.enabled
         WHERE c.classid = 'pg_catalog.pg_class'::regclass AND c.objsubid = 0 AND NOT c.in_extension
    LOOP
        PERFORM migration_guard._adapter_attach(created.tool, created.relid, created.operations);
        attached := attached + 1;
    END LOOP;
    RETURN attached;
END
$$;

CREATE FUNCTION migration_guard._adapter_watch_tables() RETURNS event_trigger
    LANGUAGE c
    AS 'MODULE_PATHNAME', 'mg_adapter_watch_tables';

CREATE FUNCTION migration_guard._adapter_drop_extension() RETURNS event_trigger
    LANGUAGE c
    AS 'MODULE_PATHNAME', 'mg_adapter_drop_extension';

CREATE EVENT TRIGGER migration_guard_adapter_watch ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO')
    EXECUTE FUNCTION migration_guard._adapter_watch_tables();
CREATE EVENT TRIGGER migration_guard_adapter_drop_extension ON ddl_command_start
    WHEN TAG IN ('DROP EXTENSION')
    EXECUTE FUNCTION migration_guard._adapter_drop_extension();

------------------------------------------------------------------------------------------
-- Last: nothing in the schema is open to PUBLIC but the pure hash functions (and the
-- liveness check the history view makes on the reader's behalf).
------------------------------------------------------------------------------------------

REVOKE ALL ON ALL TABLES IN SCHEMA migration_guard FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA migration_guard FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA migration_guard FROM PUBLIC;
GRANT USAGE ON SCHEMA migration_guard TO PUBLIC;
GRANT EXECUTE ON FUNCTION migration_guard.script_hash(text), migration_guard.script_hash(bytea),
                          migration_guard.chain_hash(text, text, text),
                          migration_guard.graphile_migration_hash(text),
                          migration_guard.verify_graphile_migration(text),
                          migration_guard.is_valid_custom_sqlstate(text),
                          migration_guard.sqlstate_violations(text),
                          migration_guard.raised_sqlstates(text),
                          migration_guard.builtin_sqlstate_name(text),
                          migration_guard._check_custom_sqlstate(text),
                          migration_guard.lint(text),
                          migration_guard._rule_catalogue()
    TO PUBLIC;
-- The history view calls it for the reader; it tells no more than pg_stat_activity does.
GRANT EXECUTE ON FUNCTION migration_guard._backend_alive(integer, timestamptz) TO PUBLIC;
