#!/usr/bin/env bash
# pg_dump keeps the ledger; a restore brings it back with its chain intact.
set -u
# shellcheck source=test/integration/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"
fresh_db mg_it_dump_source
restored=mg_it_dump_restored
dump=$(mktemp)
trap 'rm -f "$dump" "$dump.err" "$dump.restore.err"; psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $TAP_DB" -c "DROP DATABASE IF EXISTS $restored" >/dev/null 2>&1' EXIT

q >/dev/null <<'SQL'
SELECT migration_guard.run_migration('001', 'create table candidates (id int primary key)', 'candidates');
SELECT migration_guard.run_migration('002', 'alter table candidates add column email text', 'email');
SELECT migration_guard.repair_migration('002', 'alter table candidates add column email text; -- tidied', 'comment');
CREATE TABLE drifted (x int);
SQL
before=$(q -c "SELECT string_agg(format('%s|%s|%s|%s', migration_id, version, status, chain_hash), ',' ORDER BY migration_id) FROM migration_guard.history")
events_before=$(q -c "SELECT count(*) FROM migration_guard.ddl_log")
head_before=$(q -c "SELECT chain_hash FROM migration_guard.ledger_head()")

pg_dump -d "$TAP_DB" -f "$dump" 2>"$dump.err"
is "$?" "0" "pg_dump succeeds"
is "$(grep -c 'circular foreign-key' "$dump.err")" "0" "pg_dump reports no circular foreign keys"
psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $restored" -c "CREATE DATABASE $restored" >/dev/null
PGOPTIONS='-c migration_guard.capture=off' psql -X -q -v ON_ERROR_STOP=1 -d "$restored" -f "$dump" >/dev/null 2>"$dump.restore.err"
is "$?" "0" "the dump restores without errors"

r() { psql -X -At -d "$restored" -c "$1"; }
is "$(r "SELECT string_agg(format('%s|%s|%s|%s', migration_id, version, status, chain_hash), ',' ORDER BY migration_id) FROM migration_guard.history")" "$before" "the ledger's entries come back as they were"
is "$(r "SELECT count(*) FROM migration_guard.ddl_log")" "$events_before" "every DDL event comes back, and the restore's own DDL is not recorded"
is "$(r "SELECT count(*) FROM migration_guard.verify_ledger()")" "0" "the restored chain verifies"
is "$(r "SELECT chain_hash FROM migration_guard.ledger_head()")" "$head_before" "the chain head comes back"
is "$(r "SELECT migration_guard.run_migration('002', 'alter table candidates add column email text; -- tidied')")" "already applied" "the restored ledger still knows what is applied"
is "$(r "SELECT migration_guard.run_migration('003', 'create table t3 (x int)')")" "applied" "new migrations append to the restored chain"
is "$(r "SELECT count(*) FROM migration_guard.verify_ledger()")" "0" "and the chain still verifies"
rm -f "$dump.err" "$dump.restore.err"
done_testing
