-- Non-transactional migrations whose backend dies: interrupted, blocking, then resolved.
SELECT reset_ledger();
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT format('dbname=%s user=%s host=%s port=%s', current_database(), current_user,
              split_part(current_setting('unix_socket_directories'), ',', 1),
              current_setting('port')) AS worker_conninfo \gset

-- A worker session begins a migration outside a transaction and runs part of it.
SELECT dblink_connect('worker', :'worker_conninfo');
SELECT * FROM dblink('worker', $$SELECT migration_guard.begin_migration('401',
    'create table half_done (x int); create index concurrently half_done_x on half_done (x);',
    'half done', 'worker')$$) AS t (migration_id bigint);
SELECT dblink_exec('worker', 'create table half_done (x int)');
SELECT pid AS worker_pid FROM dblink('worker', 'SELECT pg_backend_pid()') AS t (pid int) \gset

-- While the worker lives, its migration is running and nobody else may apply that version.
SELECT version, status, ddl_count, in_transaction FROM migration_guard.history ORDER BY migration_id;
SELECT try($$SELECT migration_guard.begin_migration('401', 'create table half_done (x int); create index concurrently half_done_x on half_done (x);')$$);

-- The worker dies mid-migration.
SELECT pg_terminate_backend(:worker_pid, 10000);
SELECT dblink_disconnect('worker');
SELECT version, status FROM migration_guard.history ORDER BY migration_id;
SELECT try($$SELECT migration_guard.begin_migration('402', 'select 1')$$);
SELECT try($$SELECT migration_guard.run_migration('402', 'select 1')$$);
SELECT try($$SELECT migration_guard.resolve_interrupted(1, 'perhaps', 'not sure')$$);

-- The DBA looks at what it did, then decides it failed; new migrations may begin again.
SELECT migration_id, command_tag, object_identity FROM migration_guard.ddl_log WHERE migration_id = 1;
SELECT migration_guard.resolve_interrupted(1, 'failed', 'index was never built; half_done dropped by hand');
DROP TABLE half_done;
SELECT try($$SELECT migration_guard.resolve_interrupted(1, 'failed', 'twice')$$);
SELECT migration_guard.run_migration('402', 'select 1', 'after the interruption');

-- A second interruption, this time resolved by repairing the version with the script that
-- really ran.
SELECT dblink_connect('worker', :'worker_conninfo');
SELECT * FROM dblink('worker', $$SELECT migration_guard.begin_migration('403', 'create table t403 (x int)', 'repaired later')$$) AS t (migration_id bigint);
SELECT dblink_exec('worker', 'create table t403 (x int)');
SELECT pid AS worker_pid FROM dblink('worker', 'SELECT pg_backend_pid()') AS t (pid int) \gset
SELECT pg_terminate_backend(:worker_pid, 10000);
SELECT dblink_disconnect('worker');
SELECT migration_guard.repair_migration('403', 'create table t403 (x int)', 'it completed before the backend died') AS repair_id;
SELECT migration_id, version, kind, status, repairs_migration_id, reason, resolved_by IS NOT NULL AS resolved
  FROM migration_guard.history ORDER BY migration_id;
SELECT migration_guard.run_migration('403', 'create table t403 (x int)');
SELECT * FROM migration_guard.verify_ledger();
DROP TABLE t403;
DROP EXTENSION dblink;
