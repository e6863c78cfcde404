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
--   and last, PUBLIC's privileges: none but the pure functions

\echo Use "CREATE EXTENSION migration_guard" to load this file. \quit

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
CREATE INDEX ddl_events_migration_idx ON migration_guard.ddl_events (migration_id);
CREATE INDEX ddl_events_object_idx ON migration_guard.ddl_events (objid, classid);

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

-- Internal: whether the backend that began a migration is still alive.
CREATE FUNCTION migration_guard._backend_alive(pid integer, backend_start timestamptz)
    RETURNS boolean
    LANGUAGE sql STABLE STRICT SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
        SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_stat_get_activity($1) AS a
                        WHERE a.backend_start = $2)
    $$;

------------------------------------------------------------------------------------------
-- 3. Internal ledger procedures. The C functions of section 4 call them as the extension
--    owner after recording who called; nobody else may execute them.
------------------------------------------------------------------------------------------

-- Serialises every append to the chain (and so every migration) in this database.
-- Tools can see it in pg_locks as an advisory lock with objid 1836541796 (0x6D77_6764, 'mwgd').
CREATE FUNCTION migration_guard._lock_ledger() RETURNS void
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
    AS $$ SELECT pg_catalog.pg_advisory_xact_lock(1836541796) $$;

-- Appends one entry to the chain and returns it. Caller holds the ledger lock.
CREATE FUNCTION migration_guard._append(
    p_version text, p_name text, p_tool text, p_kind text, p_status text, p_script text,
    p_script_hash text, p_caller name, p_started_at timestamptz, p_finished_at timestamptz,
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
               'reason', m.reason)
      INTO STRICT payload
      FROM migration_guard.migrations m
     WHERE m.migration_id = p_migration_id;

    SELECT coalesce(jsonb_agg(jsonb_build_object('command_tag', e.command_tag,
                                                 'object_type', e.object_type,
                                                 'object_identity', e.object_identity)
                              ORDER BY e.event_id), '[]')
      INTO objects
      FROM migration_guard.ddl_events e
     WHERE e.migration_id = p_migration_id;

    -- NOTIFY payloads must stay below 8000 bytes: list the objects only when they fit.
    IF octet_length((payload || jsonb_build_object('objects', objects))::text) < 7900 THEN
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
CREATE FUNCTION migration_guard._applied_entry(p_version text)
    RETURNS migration_guard.migrations
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
        SELECT * FROM migration_guard.migrations
         WHERE version = p_version AND status IN ('succeeded', 'repaired')
         ORDER BY migration_id DESC LIMIT 1
    $$;

CREATE FUNCTION migration_guard._begin_migration(
    p_version text, p_script text, p_script_hash text, p_name text, p_tool text, p_caller name,
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
    p_version text, p_name text, p_tool text, p_script_hash text, p_caller name,
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
    p_version text, p_script text, p_script_hash text, p_reason text, p_caller name)
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
    p_migration_id bigint, p_outcome text, p_reason text, p_caller name)
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
        WITH named AS (
            SELECT e.* FROM migration_guard.ddl_log e
             WHERE e.object_identity OPERATOR(pg_catalog.=) identity
                OR (pg_catalog.strpos(identity, '.') OPERATOR(pg_catalog.=) 0
                    AND e.object_identity OPERATOR(pg_catalog.=)
                        pg_catalog.concat(e.schema_name, '.', identity))
        ), targets AS (
            SELECT DISTINCT n.classid, n.objid FROM named n WHERE n.objid IS NOT NULL
            UNION
            SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid,
                   pg_catalog.to_regclass(identity)::pg_catalog.oid
             WHERE pg_catalog.to_regclass(identity) IS NOT NULL
        )
        SELECT e.* FROM migration_guard.ddl_log e
         WHERE (e.classid, e.objid) IN (SELECT t.classid, t.objid FROM targets t)
            OR e.event_id IN (SELECT n.event_id FROM named n)
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
    EXECUTE format('GRANT SELECT ON migration_guard.history, migration_guard.ddl_log, migration_guard.drift TO %s', role_name);
    EXECUTE format('GRANT EXECUTE ON FUNCTION migration_guard.object_history(regclass), '
                   'migration_guard.object_history(text), migration_guard.verify_ledger(), '
                   'migration_guard.ledger_head() TO %s', role_name);
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
END
$$;
COMMENT ON FUNCTION migration_guard.grant_runner(regrole) IS
    'Grants a role the right to run, repair and resolve migrations through the API';

------------------------------------------------------------------------------------------
-- 7. DDL capture
------------------------------------------------------------------------------------------

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
                          migration_guard.verify_graphile_migration(text)
    TO PUBLIC;
-- The history view calls it for the reader; it tells no more than pg_stat_activity does.
GRANT EXECUTE ON FUNCTION migration_guard._backend_alive(integer, timestamptz) TO PUBLIC;
