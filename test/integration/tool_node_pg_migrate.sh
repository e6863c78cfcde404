#!/usr/bin/env bash
# node-pg-migrate (npm, the real tool) with the node-pg-migrate adapter: the seed 000
# migrations as SQL migration files in its default single transaction, a pgm.noTransaction()
# migration, and a preboot window refusing a dropping migration in node-pg-migrate's output.
set -u
# shellcheck source=test/integration/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"
# shellcheck source=test/integration/lib/tools.sh
. "$(dirname "$0")/lib/tools.sh"
NPM_MIGRATE="$TOOLS_DIR/node_modules/.bin/node-pg-migrate"
need_tool node-pg-migrate "$NPM_MIGRATE"
fresh_db mg_it_node_pg_migrate
work=$(mktemp -d)
trap 'rm -rf "$work"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $TAP_DB" >/dev/null 2>&1' EXIT
mkdir -p "$work/migrations"
cd "$work" || exit 1
export DATABASE_URL
DATABASE_URL=$(db_url "$TAP_DB")
migrate() { "$NPM_MIGRATE" up -m migrations --no-check-order 2>&1; }

for f in $(seed_files); do
    cp "$f" "migrations/$(basename "$f")"
done
# A migration that must run outside a transaction (CREATE INDEX CONCURRENTLY).
cat >migrations/005_index_one_login_emails.js <<'JS'
exports.up = (pgm) => {
  pgm.noTransaction();
  pgm.sql('CREATE INDEX CONCURRENTLY index_one_login_auths_on_email_address ON public.one_login_auths (email_address)');
};
JS

# The table node-pg-migrate creates on its first run exists only later: enable first.
is "$(q -c "SELECT migration_guard.enable_adapter('node-pg-migrate')")" "0" "enable_adapter before the first run"
out=$(migrate)
rc=$?
is "$rc" "0" "node-pg-migrate up applies the seed 000 migrations and a noTransaction one"
[ "$rc" -eq 0 ] || printf '# %s\n' "$out"

is "$(q -c "SELECT string_agg(version || ':' || status || ':' || in_transaction, ' ' ORDER BY migration_id) FROM migration_guard.history WHERE version ~ '^0'")" \
    "001_create_candidates:succeeded:true 002_create_one_login_auths:succeeded:true 003_create_account_recovery_requests:succeeded:true 004_create_account_recovery_request_codes:succeeded:true 005_index_one_login_emails:succeeded:false" \
    "history shows every migration by node-pg-migrate's name for it; 005 outside a transaction"
is "$(q -c "SELECT count(DISTINCT txid) FROM migration_guard.history WHERE version ~ '^00[1-4]'")" "1" \
    "001-004 ran in node-pg-migrate's single transaction, and are still told apart"
is "$(attributed public.candidates)" "001_create_candidates CREATE TABLE" "candidates is attributed to 001"
is "$(attributed public.one_login_auths)" "002_create_one_login_auths CREATE TABLE" "one_login_auths to 002"
is "$(attributed public.index_one_login_auths_on_candidate_id)" "002_create_one_login_auths CREATE INDEX" "its index to 002"
is "$(attributed public.account_recovery_requests)" "003_create_account_recovery_requests CREATE TABLE" "account_recovery_requests to 003"
is "$(attributed public.account_recovery_request_codes)" "004_create_account_recovery_request_codes CREATE TABLE" "account_recovery_request_codes to 004"
is "$(attributed public.index_one_login_auths_on_email_address)" "005_index_one_login_emails CREATE INDEX" \
    "the noTransaction migration's CREATE INDEX CONCURRENTLY is attributed to 005"
is "$(q -c "SELECT string_agg(h.version || '=' || h.ddl_count, ' ' ORDER BY h.migration_id) FROM migration_guard.history h WHERE h.tool = 'node-pg-migrate'")" \
    "node-pg-migrate registry=4 001_create_candidates=6 002_create_one_login_auths=8 003_create_account_recovery_requests=7 004_create_account_recovery_request_codes=6 005_index_one_login_emails=1" \
    "every DDL command is counted against its migration, node-pg-migrate's own table against its registry"
is "$(drift_count)" "0" "nothing lands in drift"
is "$(q -c "SELECT count(*) FROM migration_guard.history WHERE tool = 'node-pg-migrate' AND applied_by = current_user")" "6" \
    "the ledger names the role node-pg-migrate connected as"

# A migration that fails rolls back with everything else in its transaction: nothing recorded.
printf 'CREATE TABLE public.audit_events (id bigserial PRIMARY KEY);\nCREATE INDEX ON public.no_such_table (id);\n' >migrations/006_broken.sql
out=$(migrate)
rc=$?
is "$((rc != 0))" "1" "a failing migration makes node-pg-migrate fail"
is "$(q -c "SELECT count(*) FROM pgmigrations WHERE name = '006_broken'")|$(q -c "SELECT count(*) FROM migration_guard.history WHERE version = '006_broken'")|$(q -c "SELECT count(*) FROM migration_guard.ddl_log WHERE object_identity = 'public.audit_events'")" \
    "0|0|0" "neither node-pg-migrate's history nor the ledger records it, and its DDL is gone"
rm migrations/006_broken.sql

# A preboot window: a dropping migration is refused, node-pg-migrate shows why, and its history
# stays as it was.
q -c "SELECT migration_guard.open_preboot_window('5 minutes', 'deploy in progress')" >/dev/null
printf 'ALTER TABLE public.one_login_auths DROP COLUMN email_address;\n' >migrations/006_drop_one_login_email.sql
out=$(migrate)
rc=$?
is "$((rc != 0))" "1" "node-pg-migrate up fails on the dropping migration"
is "$(grep -q 'drop-column: dropping column "email_address" of table "public.one_login_auths"' <<<"$out" && echo shown)" "shown" \
    "migration_guard's error text appears in node-pg-migrate's output"
is "$(q -c "SELECT count(*) FROM pgmigrations")" "5" "node-pg-migrate's history is unchanged"
is "$(q -c "SELECT count(*) FROM migration_guard.history WHERE version = '006_drop_one_login_email'")" "0" "and so is the ledger"
q -c "SELECT migration_guard.close_preboot_window()" >/dev/null
is "$(q -c "SELECT count(*) FROM migration_guard.verify_ledger()")" "0" "the ledger's chain is intact"

done_testing
