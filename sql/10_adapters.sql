-- Adapters: a migration tool's own history table, read as the tool writes it. Each tool's
-- statements below reproduce what the real tool sends (columns, types, statement order and
-- transaction use), from the tool's source at the version named; sqitch's psql, a backend of
-- its own, is played by dblink. The real graphile-migrate, node-pg-migrate, postgrator and
-- sqitch are tested end to end in test/integration/tool_*.sh.
SELECT reset_ledger();

-- A second session, kept open: it runs DDL before any adapter is enabled (so it has read, and
-- keeps, "no adapter enabled"), and later creates a tool's table (Rails, below).
CREATE EXTENSION dblink;
SELECT format('dbname=%s port=%s host=%s', current_database(), current_setting('port'),
              split_part(current_setting('unix_socket_directories'), ',', 1)) AS conninfo \gset
SELECT dblink_connect('second', :'conninfo');
SELECT dblink_exec('second', 'CREATE TABLE regress_warm_up (id int)');

-- Every tool an adapter knows; none enabled yet.
SELECT tool, enabled, history_tables, attached_to FROM migration_guard.adapters ORDER BY tool;

-- Bad input.
SELECT try($$SELECT migration_guard.enable_adapter('mybatis')$$);
SELECT try($$SELECT migration_guard.enable_adapter(NULL)$$);
SELECT try($$SELECT migration_guard.disable_adapter('Flyway')$$);

-- Only the extension's owner, a superuser, or a role granted grant_adapter_admin may enable.
CREATE ROLE regress_mg_tool;
CREATE ROLE regress_mg_admin;
SET ROLE regress_mg_admin;
SELECT try($$SELECT migration_guard.enable_adapter('flyway')$$);
RESET ROLE;
SELECT migration_guard.grant_adapter_admin('regress_mg_admin');

------------------------------------------------------------------------------------------
-- graphile-migrate 1.4.1 (dist/migration.js: _migrateMigrationSchema, runStringMigration).
-- Enabled before the tool's table exists: the adapter attaches when the tool creates it.
------------------------------------------------------------------------------------------
SET ROLE regress_mg_admin;
SELECT migration_guard.enable_adapter('graphile-migrate') AS tables_attached;
SELECT tool, enabled, enabled_by FROM migration_guard.adapters WHERE enabled;
RESET ROLE;
-- Enabling twice is harmless, and keeps the first record of who enabled it.
SELECT migration_guard.enable_adapter('graphile-migrate') AS tables_attached;
SELECT tool, enabled, enabled_by, attached_to FROM migration_guard.adapters WHERE enabled;

-- The tool's first run: one query creates its schema and tables.
create schema if not exists graphile_migrate\;
create table if not exists graphile_migrate.migrations (
  hash text primary key,
  previous_hash text references graphile_migrate.migrations,
  filename text not null,
  date timestamptz not null default now()
)\;
create table if not exists graphile_migrate.current (
  filename text primary key default 'current.sql',
  content text not null,
  date timestamptz not null default now()
);
SELECT tool, attached_to FROM migration_guard.adapters WHERE tool = 'graphile-migrate';

-- A committed migration: begin; the body; the history row; commit.
begin;
CREATE TABLE gm_candidates (id bigserial PRIMARY KEY, email_address text NOT NULL);
CREATE INDEX gm_candidates_email_idx ON gm_candidates (email_address);
insert into graphile_migrate.migrations(hash, previous_hash, filename) values ('sha1:0c1e8d38c8f18c44d3b1a4c0bb3bd1b07a6c5f91', NULL, '000001.sql');
commit;
-- A migration whose transaction fails records nothing, and its DDL is gone with it.
begin;
CREATE TABLE gm_doomed (id int);
SELECT 1/0;
rollback;

-- "--! no-transaction": the body runs on its own, then the row is inserted outside a
-- transaction. The DDL this session ran since its previous ledger entry is attributed to it.
CREATE INDEX CONCURRENTLY gm_candidates_lower_email_idx ON gm_candidates (lower(email_address));
insert into graphile_migrate.migrations(hash, previous_hash, filename) values ('sha1:5b1f0a3e8b0d0f2c1c3d8f8c2a4e5b6c7d8e9f00', 'sha1:0c1e8d38c8f18c44d3b1a4c0bb3bd1b07a6c5f91', '000002.sql');

SELECT * FROM ledger;
SELECT migration_id, command_tag, object_identity FROM migration_guard.ddl_log ORDER BY event_id;
SELECT command_tag, count(*) FROM migration_guard.drift GROUP BY command_tag ORDER BY 1;
SELECT version, tool_checksum FROM migration_guard.history WHERE tool = 'graphile-migrate' ORDER BY migration_id;

------------------------------------------------------------------------------------------
-- node-pg-migrate 9.0.0 (dist/legacy/runner.js ensureMigrationsTable, migration.js _apply).
-- The table exists before the adapter is enabled: enable_adapter attaches at once. Owned by
-- the tool's role, which writes it: the ledger names that role.
------------------------------------------------------------------------------------------
GRANT CREATE ON SCHEMA public TO regress_mg_tool;
SET ROLE regress_mg_tool;
CREATE TABLE "public"."pgmigrations" (id SERIAL PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL);
RESET ROLE;
SELECT migration_guard.enable_adapter('node-pg-migrate') AS tables_attached;
-- A role that may not run migrations cannot record one through an adapter either (anyone may
-- create a table called pgmigrations): the tool's statement fails, nothing is recorded.
SET ROLE regress_mg_tool;
SELECT try($$INSERT INTO "public"."pgmigrations" (name, run_on) VALUES ('1733324400000_forged', NOW())$$);
RESET ROLE;
SELECT migration_guard.grant_runner('regress_mg_tool');
SET ROLE regress_mg_tool;
-- Default --single-transaction: every pending migration in one transaction, each followed by
-- its row.
BEGIN;
CREATE TABLE npm_one_login_auths (id bigserial PRIMARY KEY, token text NOT NULL);
INSERT INTO "public"."pgmigrations" (name, run_on) VALUES ('1733324400000_create-one-login-auths', NOW());
CREATE TABLE npm_recovery_requests (id bigserial PRIMARY KEY);
ALTER TABLE npm_recovery_requests ADD COLUMN previous_account_email_address text;
INSERT INTO "public"."pgmigrations" (name, run_on) VALUES ('1733324400001_create-recovery-requests', NOW());
COMMIT;
-- pgm.noTransaction() inside --single-transaction: COMMIT; the steps; the row; BEGIN.
BEGIN;
COMMIT;
CREATE INDEX CONCURRENTLY npm_one_login_auths_token_idx ON npm_one_login_auths (token);
INSERT INTO "public"."pgmigrations" (name, run_on) VALUES ('1733324400002_index-token', NOW());
BEGIN;
COMMIT;
-- The tool's role cannot use the adapter's trigger function or the ledger's internals itself.
SELECT try($$CREATE TRIGGER mine AFTER INSERT ON pgmigrations FOR EACH ROW EXECUTE FUNCTION migration_guard._adapter_trigger('rails')$$);
SELECT try($$SELECT migration_guard._adapter_record('rails', 'pgmigrations', 'INSERT', '{version}', '{1}', NULL, 'x', true)$$);
SELECT try($$SELECT migration_guard._claim_events(1, 'session', '-infinity')$$);
SELECT try($$UPDATE migration_guard.ddl_events SET migration_id = 1$$);
RESET ROLE;
SELECT version, name, tool, status, ddl_count, in_transaction, applied_by FROM ledger WHERE tool = 'node-pg-migrate';
SELECT h.version, e.command_tag, e.object_identity
  FROM migration_guard.ddl_log e JOIN migration_guard.history h USING (migration_id)
 WHERE h.tool = 'node-pg-migrate' ORDER BY e.event_id;
SELECT command_tag, count(*) FROM migration_guard.drift GROUP BY command_tag ORDER BY 1;

------------------------------------------------------------------------------------------
-- postgrator 8.0.0 (lib/Client.js ensureTable, persistActionSql; postgrator.js runMigrations):
-- no transactions at all. Each migration file is one query, then the row on its own.
------------------------------------------------------------------------------------------
SELECT migration_guard.enable_adapter('postgrator') AS tables_attached;
CREATE TABLE "schemaversion" (
            version BIGINT PRIMARY KEY
          );
INSERT INTO "schemaversion" (version)
            VALUES (0);
ALTER TABLE "schemaversion"
        ADD COLUMN name TEXT;
ALTER TABLE "schemaversion"
        ADD COLUMN md5 TEXT;
ALTER TABLE "schemaversion"
        ADD COLUMN run_at TIMESTAMP WITH TIME ZONE;
CREATE TABLE pgr_codes (id bigserial PRIMARY KEY, hashed_code text NOT NULL)\;
CREATE INDEX pgr_codes_hashed_code_idx ON pgr_codes (hashed_code);
INSERT INTO "schemaversion" (version, name, md5, run_at)
          VALUES (
            1,
            'create-codes',
            '6a1c0e4d5b2f3a7e8c9d0f1e2a3b4c5d',
            '2024-12-04 15:00:00.000'
          );
SELECT version, name, tool, status, ddl_count, in_transaction FROM ledger WHERE tool = 'postgrator';
SELECT version, tool_checksum FROM migration_guard.history WHERE tool = 'postgrator' AND tool_checksum IS NOT NULL
 ORDER BY migration_id;
SELECT command_tag, count(*) FROM migration_guard.drift GROUP BY command_tag ORDER BY 1;

------------------------------------------------------------------------------------------
-- Flyway 10 (postgresql/createMetaDataTable.sql; JdbcTableSchemaHistory.doAddAppliedMigration;
-- DbMigrate.doMigrateGroup). pgjdbc with autocommit off: each statement group in a
-- transaction. A migration with executeInTransaction=false that fails is recorded with
-- success = false.
------------------------------------------------------------------------------------------
SELECT migration_guard.enable_adapter('flyway') AS tables_attached;
BEGIN;
CREATE TABLE "public"."flyway_schema_history" (
    "installed_rank" INT NOT NULL,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INTEGER,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
    "execution_time" INTEGER NOT NULL,
    "success" BOOLEAN NOT NULL
);
ALTER TABLE "public"."flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank");
CREATE INDEX "flyway_schema_history_s_idx" ON "public"."flyway_schema_history" ("success");
COMMIT;
BEGIN;
CREATE TABLE fw_candidates (id bigserial PRIMARY KEY, email_address text NOT NULL);
INSERT INTO "public"."flyway_schema_history" ("installed_rank", "version", "description", "type", "script", "checksum", "installed_by", "execution_time", "success") VALUES (1, '1', 'create candidates', 'SQL', 'V1__create_candidates.sql', -1318720436, 'postgres', 14, true);
COMMIT;
-- V2 with executeInTransaction=false: the first statement runs, the second fails.
CREATE INDEX CONCURRENTLY fw_candidates_email_idx ON fw_candidates (email_address);
SELECT try($$ALTER TABLE fw_missing ADD COLUMN x int$$);
INSERT INTO "public"."flyway_schema_history" ("installed_rank", "version", "description", "type", "script", "checksum", "installed_by", "execution_time", "success") VALUES (2, '2', 'index email', 'SQL', 'V2__index_email.sql', 915371811, 'postgres', 9, false);
-- V3 with executeInTransaction=false that succeeds: its statements in autocommit, then its row.
CREATE INDEX CONCURRENTLY fw_candidates_id_email_idx ON fw_candidates (id, email_address);
COMMENT ON INDEX fw_candidates_id_email_idx IS 'covering lookups by id';
INSERT INTO "public"."flyway_schema_history" ("installed_rank", "version", "description", "type", "script", "checksum", "installed_by", "execution_time", "success") VALUES (3, '3', 'index id email', 'SQL', 'V3__index_id_email.sql', 410279372, 'postgres', 11, true);
SELECT version, name, tool, status, ddl_count, in_transaction, reason FROM ledger WHERE tool = 'flyway';
SELECT e.command_tag, e.object_identity FROM migration_guard.ddl_log e
  JOIN migration_guard.history h USING (migration_id)
 WHERE h.tool = 'flyway' AND h.version = '3' ORDER BY e.event_id;
SELECT version, tool_checksum FROM migration_guard.history WHERE tool = 'flyway' AND kind = 'migration' AND tool_checksum IS NOT NULL
 ORDER BY migration_id;

------------------------------------------------------------------------------------------
-- Liquibase 4.29 (CreateDatabaseChangeLogTableGenerator, CreateDatabaseChangeLogLockTable-
-- Generator, MarkChangeSetRanGenerator): a changeset and its row in one transaction; a
-- runOnChange changeset run again UPDATEs its row (EXECTYPE RERAN).
------------------------------------------------------------------------------------------
SELECT migration_guard.enable_adapter('liquibase') AS tables_attached;
BEGIN;
CREATE TABLE public.databasechangeloglock (ID INTEGER NOT NULL, LOCKED BOOLEAN NOT NULL, LOCKGRANTED TIMESTAMP WITHOUT TIME ZONE, LOCKEDBY VARCHAR(255), CONSTRAINT databasechangeloglock_pkey PRIMARY KEY (ID));
DELETE FROM public.databasechangeloglock;
INSERT INTO public.databasechangeloglock (ID, LOCKED) VALUES (1, FALSE);
COMMIT;
BEGIN;
UPDATE public.databasechangeloglock SET LOCKED = TRUE, LOCKEDBY = 'ci (10.0.0.7)', LOCKGRANTED = NOW() WHERE ID = 1 AND LOCKED = FALSE;
COMMIT;
BEGIN;
CREATE TABLE public.databasechangelog (ID VARCHAR(255) NOT NULL, AUTHOR VARCHAR(255) NOT NULL, FILENAME VARCHAR(255) NOT NULL, DATEEXECUTED TIMESTAMP WITHOUT TIME ZONE NOT NULL, ORDEREXECUTED INTEGER NOT NULL, EXECTYPE VARCHAR(10) NOT NULL, MD5SUM VARCHAR(35), DESCRIPTION VARCHAR(255), COMMENTS VARCHAR(255), TAG VARCHAR(255), LIQUIBASE VARCHAR(20), CONTEXTS VARCHAR(255), LABELS VARCHAR(255), DEPLOYMENT_ID VARCHAR(10));
COMMIT;
BEGIN;
CREATE TABLE lb_recovery_codes (id bigserial PRIMARY KEY, hashed_code text NOT NULL);
INSERT INTO public.databasechangelog (ID, AUTHOR, FILENAME, DATEEXECUTED, ORDEREXECUTED, MD5SUM, DESCRIPTION, COMMENTS, EXECTYPE, CONTEXTS, LABELS, LIQUIBASE, DEPLOYMENT_ID) VALUES ('1', 'catalin', 'db/changelog.sql', NOW(), 1, '9:1f8b6a8f4d5f5f2a9f7a5e1c6e0b2d31', 'sql', '', 'EXECUTED', NULL, NULL, '4.29.2', '3324400000');
COMMIT;
BEGIN;
CREATE OR REPLACE VIEW lb_recent_codes AS SELECT id FROM lb_recovery_codes;
INSERT INTO public.databasechangelog (ID, AUTHOR, FILENAME, DATEEXECUTED, ORDEREXECUTED, MD5SUM, DESCRIPTION, COMMENTS, EXECTYPE, CONTEXTS, LABELS, LIQUIBASE, DEPLOYMENT_ID) VALUES ('2', 'catalin', 'db/changelog.sql', NOW(), 2, '9:0d3c5a1e2b4f6a8c9e0f1a2b3c4d5e6f', 'createView viewName=lb_recent_codes', '', 'EXECUTED', NULL, NULL, '4.29.2', '3324400000');
COMMIT;
BEGIN;
CREATE OR REPLACE VIEW lb_recent_codes AS SELECT id, hashed_code FROM lb_recovery_codes;
UPDATE public.databasechangelog SET DATEEXECUTED = NOW() + interval '1 second', DEPLOYMENT_ID = '3324400100', EXECTYPE = 'RERAN', MD5SUM = '9:7e6d5c4b3a2918f7e6d5c4b3a2918f7e', ORDEREXECUTED = 3 WHERE ID = '2' AND AUTHOR = 'catalin' AND FILENAME = 'db/changelog.sql';
COMMIT;
-- changelog-sync / precondition onFail=MARK_RAN: a row that records no migration.
INSERT INTO public.databasechangelog (ID, AUTHOR, FILENAME, DATEEXECUTED, ORDEREXECUTED, MD5SUM, DESCRIPTION, COMMENTS, EXECTYPE, CONTEXTS, LABELS, LIQUIBASE, DEPLOYMENT_ID) VALUES ('3', 'catalin', 'db/changelog.sql', NOW(), 4, '9:5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d', 'sql', '', 'MARK_RAN', NULL, NULL, '4.29.2', '3324400100');
SELECT version, name, tool, status, ddl_count, in_transaction FROM ledger WHERE tool = 'liquibase';
SELECT version, tool_checksum FROM migration_guard.history WHERE tool = 'liquibase' AND kind = 'migration' AND tool_checksum IS NOT NULL ORDER BY migration_id;

------------------------------------------------------------------------------------------
-- Rails 7.1 (ActiveRecord::SchemaMigration#create_table, #create_version;
-- InternalMetadata#create_table; Migrator#ddl_transaction): the migration and its version
-- in one transaction, or none with disable_ddl_transaction!.
------------------------------------------------------------------------------------------
SELECT migration_guard.enable_adapter('rails') AS tables_attached;
-- Created by the second session, which learns that an adapter is now enabled.
SELECT dblink_exec('second', 'CREATE TABLE "schema_migrations" ("version" character varying NOT NULL PRIMARY KEY)');
SELECT tool, attached_to FROM migration_guard.adapters WHERE tool = 'rails';
CREATE TABLE "ar_internal_metadata" ("key" character varying NOT NULL PRIMARY KEY, "value" character varying, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL);
INSERT INTO "ar_internal_metadata" ("key", "value", "created_at", "updated_at") VALUES ('environment', 'production', now(), now()) RETURNING "key";
BEGIN;
CREATE TABLE "rails_one_login_auths" ("id" bigserial primary key, "token" character varying NOT NULL, "candidate_id" bigint NOT NULL, "created_at" timestamp(6) NOT NULL, "updated_at" timestamp(6) NOT NULL);
CREATE INDEX "index_rails_one_login_auths_on_candidate_id" ON "rails_one_login_auths" ("candidate_id");
INSERT INTO "schema_migrations" ("version") VALUES ('20241204150000') RETURNING "version";
COMMIT;
CREATE INDEX CONCURRENTLY "index_rails_one_login_auths_on_token" ON "rails_one_login_auths" ("token");
INSERT INTO "schema_migrations" ("version") VALUES ('20241204150001') RETURNING "version";
SELECT version, name, tool, status, ddl_count, in_transaction FROM ledger WHERE tool = 'rails';

------------------------------------------------------------------------------------------
-- Django 4.2 (MigrationRecorder.ensure_schema / record_applied; MigrationExecutor
-- .apply_migration), DEFAULT_AUTO_FIELD = BigAutoField: the migration and its row in one
-- atomic block.
------------------------------------------------------------------------------------------
SELECT migration_guard.enable_adapter('django') AS tables_attached;
BEGIN;
CREATE TABLE "django_migrations" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "app" varchar(255) NOT NULL, "name" varchar(255) NOT NULL, "applied" timestamp with time zone NOT NULL);
COMMIT;
BEGIN;
CREATE TABLE "accounts_accountrecoveryrequest" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "previous_account_email_address" varchar(254) NOT NULL);
INSERT INTO "django_migrations" ("app", "name", "applied") VALUES ('accounts', '0001_initial', '2024-12-04T15:00:00+00:00'::timestamptz) RETURNING "django_migrations"."id";
COMMIT;
-- With deferred SQL (a foreign key and its index), Django records the migration after the
-- atomic block has committed: outside a transaction.
BEGIN;
CREATE TABLE "accounts_accountrecoverycode" ("id" bigint NOT NULL PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "hashed_code" varchar(255) NOT NULL, "request_id" bigint NOT NULL);
ALTER TABLE "accounts_accountrecoverycode" ADD CONSTRAINT "accounts_accountreco_request_id_0e5c3a1b_fk_accounts_" FOREIGN KEY ("request_id") REFERENCES "accounts_accountrecoveryrequest" ("id") DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX "accounts_accountrecoverycode_request_id_0e5c3a1b" ON "accounts_accountrecoverycode" ("request_id");
COMMIT;
INSERT INTO "django_migrations" ("app", "name", "applied") VALUES ('accounts', '0002_accountrecoverycode', '2024-12-04T15:00:01+00:00'::timestamptz) RETURNING "django_migrations"."id";
SELECT version, name, tool, status, ddl_count, in_transaction FROM ledger WHERE tool = 'django';

------------------------------------------------------------------------------------------
-- sqitch 1.3.1 (App/Sqitch/Engine/pg.sql, pg.pm begin_work, Role/DBIEngine.pm
-- log_deploy_change, _log_event; Engine.pm deploy_change): sqitch's own connection begins a
-- transaction and locks sqitch.changes, a psql of its own (here: dblink, another backend of the
-- same login role) runs the change's script, then sqitch inserts into changes and events and
-- commits. DDL that another login role runs meanwhile is not the change's.
------------------------------------------------------------------------------------------
CREATE ROLE regress_mg_other LOGIN;
GRANT CREATE ON SCHEMA public TO regress_mg_other;
SELECT migration_guard.enable_adapter('sqitch') AS tables_attached;
CREATE SCHEMA sqitch;
CREATE TABLE sqitch.projects (
    project         TEXT        PRIMARY KEY,
    uri             TEXT            NULL UNIQUE,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    creator_name    TEXT        NOT NULL,
    creator_email   TEXT        NOT NULL
);
CREATE TABLE sqitch.changes (
    change_id       TEXT        PRIMARY KEY,
    script_hash     TEXT            NULL,
    change          TEXT        NOT NULL,
    project         TEXT        NOT NULL REFERENCES sqitch.projects(project) ON UPDATE CASCADE,
    note            TEXT        NOT NULL DEFAULT '',
    committed_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    committer_name  TEXT        NOT NULL,
    committer_email TEXT        NOT NULL,
    planned_at      TIMESTAMPTZ NOT NULL,
    planner_name    TEXT        NOT NULL,
    planner_email   TEXT        NOT NULL,
    UNIQUE(project, script_hash)
);
CREATE TABLE sqitch.events (
    event           TEXT        NOT NULL CONSTRAINT events_event_check CHECK (
        event IN ('deploy', 'revert', 'fail', 'merge')
    ),
    change_id       TEXT        NOT NULL,
    change          TEXT        NOT NULL,
    project         TEXT        NOT NULL REFERENCES sqitch.projects(project) ON UPDATE CASCADE,
    note            TEXT        NOT NULL DEFAULT '',
    requires        TEXT[]      NOT NULL DEFAULT '{}',
    conflicts       TEXT[]      NOT NULL DEFAULT '{}',
    tags            TEXT[]      NOT NULL DEFAULT '{}',
    committed_at    TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    committer_name  TEXT        NOT NULL,
    committer_email TEXT        NOT NULL,
    planned_at      TIMESTAMPTZ NOT NULL,
    planner_name    TEXT        NOT NULL,
    planner_email   TEXT        NOT NULL,
    PRIMARY KEY (change_id, committed_at)
);
INSERT INTO sqitch.projects (project, uri, creator_name, creator_email) VALUES ('one_login', NULL, 'CI', 'ci@example.invalid');
SELECT tool, attached_to FROM migration_guard.adapters WHERE tool = 'sqitch';
BEGIN;
LOCK TABLE sqitch.changes IN EXCLUSIVE MODE;
SELECT dblink_exec(:'conninfo', 'BEGIN; CREATE TABLE public.sq_candidates (id bigserial PRIMARY KEY, email_address text NOT NULL); COMMIT;');
SELECT dblink_exec(:'conninfo' || ' user=regress_mg_other', 'CREATE TABLE public.sq_unrelated (id int)');
INSERT INTO sqitch.changes (change_id, script_hash, change, project, note, committer_name, committer_email, planned_at, planner_name, planner_email, committed_at)
VALUES ('a3c1f0e1b2d3c4b5a6978877665544332211ffee', '0f4a1bd2c3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8', 'create_candidates', 'one_login', 'the people who apply', 'CI', 'ci@example.invalid', '2024-12-04 15:00:00+00', 'CI', 'ci@example.invalid', clock_timestamp());
INSERT INTO sqitch.events (event, change_id, change, project, note, tags, requires, conflicts, committer_name, committer_email, planned_at, planner_name, planner_email, committed_at)
VALUES ('deploy', 'a3c1f0e1b2d3c4b5a6978877665544332211ffee', 'create_candidates', 'one_login', 'the people who apply', '{}', '{}', '{}', 'CI', 'ci@example.invalid', '2024-12-04 15:00:00+00', 'CI', 'ci@example.invalid', clock_timestamp());
COMMIT;
-- A change whose script fails: sqitch commits its (empty) transaction, then logs 'fail'.
BEGIN;
LOCK TABLE sqitch.changes IN EXCLUSIVE MODE;
SELECT try($$SELECT dblink_exec('$$ || :'conninfo' || $$', 'BEGIN; CREATE TABLE public.sq_codes (id int); ALTER TABLE public.nothing ADD COLUMN x int; COMMIT;')$$) LIKE '42P01:%' AS script_failed;
COMMIT;
INSERT INTO sqitch.events (event, change_id, change, project, note, tags, requires, conflicts, committer_name, committer_email, planned_at, planner_name, planner_email, committed_at)
VALUES ('fail', 'b4d2e1f2c3e4d5c6b7a8998877665544332211aa', 'create_codes', 'one_login', 'recovery codes', '{}', '{}', '{}', 'CI', 'ci@example.invalid', '2024-12-04 15:00:01+00', 'CI', 'ci@example.invalid', clock_timestamp());
SELECT version, name, tool, status, ddl_count, in_transaction, reason FROM ledger WHERE tool = 'sqitch';
SELECT version, tool_checksum FROM migration_guard.history WHERE tool = 'sqitch' AND tool_checksum IS NOT NULL
 ORDER BY migration_id;
SELECT coalesce(h.version, '<drift>') AS version, e.role, e.command_tag, e.object_identity
  FROM migration_guard.ddl_log e LEFT JOIN migration_guard.history h USING (migration_id)
 WHERE e.object_identity IN ('public.sq_candidates', 'public.sq_unrelated') ORDER BY e.event_id;

-- Every DDL command of every tool is attributed; the tools' own tables have entries of their
-- own ("<tool> registry"). Drift holds only this test's own setup (GRANTs, CREATE EXTENSION
-- dblink, the second session's warm-up table) and the table another login role created while
-- sqitch deployed.
SELECT version, count(*) AS events FROM migration_guard.ddl_log JOIN migration_guard.history USING (migration_id)
 WHERE version LIKE '% registry' GROUP BY version ORDER BY version;
SELECT command_tag, count(*) FROM migration_guard.drift GROUP BY command_tag ORDER BY 1;
SELECT count(*) AS problems FROM migration_guard.verify_ledger();

-- An adapter that is off records nothing, and leaves no trigger behind.
SELECT migration_guard.disable_adapter('rails') AS tables_detached;
SELECT tool, enabled, disabled_by IS NOT NULL AS disabled_recorded, attached_to FROM migration_guard.adapters WHERE tool = 'rails';
BEGIN;
CREATE TABLE rails_after_disable (id int);
INSERT INTO "schema_migrations" ("version") VALUES ('20241204150002') RETURNING "version";
COMMIT;
SELECT count(*) AS rails_entries FROM migration_guard.history WHERE tool = 'rails';
SELECT command_tag, object_identity FROM migration_guard.drift WHERE command_tag <> 'GRANT' ORDER BY event_id;
-- Enabled again, it attaches again.
SELECT migration_guard.enable_adapter('rails') AS tables_attached;

-- Clean up: the adapters off, the tools' tables gone.
SELECT tool, migration_guard.disable_adapter(tool) AS tables_detached FROM migration_guard.adapters WHERE enabled ORDER BY tool;
SELECT count(*) AS adapter_triggers FROM pg_trigger WHERE tgname = 'migration_guard_adapter';
DROP SCHEMA graphile_migrate, sqitch CASCADE;
DROP TABLE sq_candidates, sq_unrelated, regress_warm_up;
SELECT dblink_disconnect('second');
DROP EXTENSION dblink;
REVOKE CREATE ON SCHEMA public FROM regress_mg_other;
DROP ROLE regress_mg_other;
DROP TABLE gm_candidates, npm_one_login_auths, npm_recovery_requests, pgmigrations, schemaversion, pgr_codes,
           flyway_schema_history, fw_candidates, databasechangelog, databasechangeloglock,
           lb_recovery_codes, schema_migrations, ar_internal_metadata, rails_one_login_auths,
           rails_after_disable, django_migrations, accounts_accountrecoveryrequest, accounts_accountrecoverycode CASCADE;
REVOKE CREATE ON SCHEMA public FROM regress_mg_tool;
DROP OWNED BY regress_mg_tool;
DROP ROLE regress_mg_tool;
REVOKE ALL ON FUNCTION migration_guard.enable_adapter(text), migration_guard.disable_adapter(text) FROM regress_mg_admin;
REVOKE ALL ON migration_guard.adapters FROM regress_mg_admin;
REVOKE ALL ON FUNCTION migration_guard._adapter_catalogue(), migration_guard._attached_tables(text) FROM regress_mg_admin;
DROP ROLE regress_mg_admin;
