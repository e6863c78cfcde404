#!/usr/bin/env bash
# postgrator (npm, the real postgrator-cli) with the postgrator adapter: the seed 000
# migrations, which postgrator runs one query each with no transaction around the query and
# its history row, and a preboot window refusing a renaming migration in postgrator's output.
set -u
# shellcheck source=test/integration/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"
# shellcheck source=test/integration/lib/tools.sh
. "$(dirname "$0")/lib/tools.sh"
POSTGRATOR="$TOOLS_DIR/node_modules/.bin/postgrator"
need_tool postgrator "$POSTGRATOR"
fresh_db mg_it_postgrator
work=$(mktemp -d)
trap 'rm -rf "$work"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $TAP_DB" >/dev/null 2>&1' EXIT
mkdir -p "$work/migrations"
cd "$work" || exit 1
migrate() {
    "$POSTGRATOR" --no-config --driver pg --host "$PGHOST" --port "$PGPORT" --database "$TAP_DB" \
        --username "$PGUSER" --migration-pattern 'migrations/*' 2>&1
}

# postgrator names files VERSION.do.NAME.sql.
for f in $(seed_files); do
    b=$(basename "$f" .sql)
    cp "$f" "migrations/${b%%_*}.do.${b#*_}.sql"
done

is "$(q -c "SELECT migration_guard.enable_adapter('postgrator')")" "0" "enable_adapter before postgrator's first run"
out=$(migrate)
rc=$?
is "$rc" "0" "postgrator applies the seed 000 migrations"
[ "$rc" -eq 0 ] || printf '# %s\n' "$out"

is "$(q -c "SELECT string_agg(version || ':' || coalesce(name, '') || ':' || status || ':' || in_transaction, ' ' ORDER BY migration_id) FROM migration_guard.history WHERE version ~ '^[0-9]'")" \
    "1:create_candidates:succeeded:false 2:create_one_login_auths:succeeded:false 3:create_account_recovery_requests:succeeded:false 4:create_account_recovery_request_codes:succeeded:false" \
    "history shows every migration by postgrator's version and name (postgrator records them outside a transaction)"
md5s=$(for f in migrations/*.sql; do md5sum "$f" | cut -d' ' -f1; done | paste -sd' ')
is "$(q -c "SELECT string_agg(tool_checksum, ' ' ORDER BY migration_id) FROM migration_guard.history WHERE version ~ '^[0-9]'")" \
    "$md5s" "the ledger keeps postgrator's md5 of each file"
is "$(attributed public.candidates)" "1 CREATE TABLE" "candidates is attributed to 1"
is "$(attributed public.one_login_auths)" "2 CREATE TABLE" "one_login_auths to 2"
is "$(attributed public.account_recovery_requests)" "3 CREATE TABLE" "account_recovery_requests to 3"
is "$(attributed public.index_account_recovery_request_codes_on_request_id)" "4 CREATE INDEX" "the codes' index to 4"
is "$(q -c "SELECT string_agg(h.version || '=' || h.ddl_count, ' ' ORDER BY h.migration_id) FROM migration_guard.history h WHERE h.tool = 'postgrator'")" \
    "postgrator registry=5 1=6 2=8 3=7 4=6" \
    "every DDL command is counted against its migration, postgrator's own table (created, then altered) against its registry"
is "$(drift_count)" "0" "nothing lands in drift"

# Preboot window: a renaming migration is refused; postgrator's history stays as it was.
q -c "SELECT migration_guard.open_preboot_window('5 minutes', 'deploy in progress')" >/dev/null
printf 'ALTER TABLE public.account_recovery_requests RENAME TO recovery_requests;\n' >migrations/005.do.rename_requests.sql
out=$(migrate)
rc=$?
is "$((rc != 0))" "1" "postgrator fails on the renaming migration"
is "$(grep -q 'rename-table: renaming table "public.account_recovery_requests" to "recovery_requests"' <<<"$out" && echo shown)" "shown" \
    "migration_guard's error text appears in postgrator's output"
is "$(q -c "SELECT max(version) FROM schemaversion")" "4" "postgrator's history is unchanged"
is "$(q -c "SELECT count(*) FROM migration_guard.history WHERE version = '5'")" "0" "and so is the ledger"
q -c "SELECT migration_guard.close_preboot_window()" >/dev/null
is "$(q -c "SELECT count(*) FROM migration_guard.verify_ledger()")" "0" "the ledger's chain is intact"

done_testing
