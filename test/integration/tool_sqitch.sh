#!/usr/bin/env bash
# sqitch (Debian's package, the real tool) with the sqitch adapter: the seed 000 migrations as a
# sqitch plan. sqitch runs each change's script through a psql of its own (a second backend)
# and records it in sqitch.changes and sqitch.events from its own connection; a preboot window
# refuses a dropping change, which sqitch logs as failed.
set -u
# shellcheck source=test/integration/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"
# shellcheck source=test/integration/lib/tools.sh
. "$(dirname "$0")/lib/tools.sh"
need_tool sqitch "$(command -v sqitch || echo /usr/bin/sqitch)"
fresh_db mg_it_sqitch
work=$(mktemp -d)
trap 'rm -rf "$work"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $TAP_DB" >/dev/null 2>&1' EXIT
cd "$work" || exit 1
mkdir deploy revert
# No user or system configuration: everything sqitch needs is here.
export HOME="$work" SQITCH_USER_CONFIG="$work/none.conf" SQITCH_SYSTEM_CONFIG="$work/none.conf"
export SQITCH_FULLNAME="Migration Guard CI" SQITCH_EMAIL="ci@example.invalid"
printf '[core]\n\tengine = pg\n' >sqitch.conf
printf '%%syntax-version=1.0.0\n%%project=one_login\n\n' >sqitch.plan
add_change() { # name note body-file
    {
        printf 'BEGIN;\n'
        cat "$3"
        printf '\nCOMMIT;\n'
    } >"deploy/$1.sql"
    printf 'SELECT 1;\n' >"revert/$1.sql"
    printf '%s 2024-12-04T15:00:00Z Migration Guard CI <ci@example.invalid> # %s\n' "$1" "$2" >>sqitch.plan
}
deploy() { sqitch deploy "db:pg:$TAP_DB" 2>&1; }

for f in $(seed_files); do
    b=$(basename "$f" .sql)
    add_change "${b#*_}" "seed 000 migration ${b%%_*}" "$f"
done

is "$(q -c "SELECT migration_guard.enable_adapter('sqitch')")" "0" "enable_adapter before sqitch creates its registry"
out=$(deploy)
rc=$?
is "$rc" "0" "sqitch deploy applies the seed 000 plan"
[ "$rc" -eq 0 ] || printf '# %s\n' "$out"

is "$(q -c "SELECT string_agg(version || ':' || status, ' ' ORDER BY migration_id) FROM migration_guard.history WHERE tool = 'sqitch' AND version <> 'sqitch registry'")" \
    "create_candidates:succeeded create_one_login_auths:succeeded create_account_recovery_requests:succeeded create_account_recovery_request_codes:succeeded" \
    "history shows every change sqitch deployed, by its name"
is "$(q -c "SELECT count(*) FROM migration_guard.history h JOIN sqitch.changes c ON c.change = h.version AND c.script_hash = h.tool_checksum")" "4" \
    "the ledger keeps sqitch's own script hash of each change"
is "$(attributed public.candidates)" "create_candidates CREATE TABLE" "candidates (created by sqitch's psql) is attributed to create_candidates"
is "$(attributed public.one_login_auths)" "create_one_login_auths CREATE TABLE" "one_login_auths to create_one_login_auths"
is "$(attributed public.account_recovery_requests)" "create_account_recovery_requests CREATE TABLE" "account_recovery_requests to its change"
is "$(attributed public.index_account_recovery_request_codes_on_request_id)" "create_account_recovery_request_codes CREATE INDEX" \
    "the codes' index to its change"
is "$(q -c "SELECT string_agg(h.version || '=' || h.ddl_count, ' ' ORDER BY h.migration_id) FROM migration_guard.history h WHERE h.tool = 'sqitch' AND h.version <> 'sqitch registry'")" \
    "create_candidates=6 create_one_login_auths=8 create_account_recovery_requests=7 create_account_recovery_request_codes=6" \
    "every DDL command is counted against its change"
is "$(q -c "SELECT count(*) > 0 FROM migration_guard.ddl_log e JOIN migration_guard.history h USING (migration_id) WHERE h.version = 'sqitch registry' AND e.object_identity = 'sqitch.changes'")" \
    "t" "sqitch's own registry is attributed to a registry entry"
is "$(drift_count)" "0" "nothing lands in drift"

# Preboot window: a dropping change is refused; sqitch logs it as failed (a 'fail' event), its
# changes stay as they were, and the ledger records the failure.
q -c "SELECT migration_guard.open_preboot_window('5 minutes', 'deploy in progress')" >/dev/null
printf 'ALTER TABLE public.one_login_auths DROP COLUMN email_address;\n' >"$work/drop.sql"
add_change drop_one_login_email "drop a column" "$work/drop.sql"
out=$(deploy)
rc=$?
is "$((rc != 0))" "1" "sqitch deploy fails on the dropping change"
is "$(grep -q 'drop-column: dropping column "email_address" of table "public.one_login_auths"' <<<"$out" && echo shown)" "shown" \
    "migration_guard's error text appears in sqitch's output"
is "$(q -c "SELECT count(*) FROM sqitch.changes")" "4" "sqitch's changes are unchanged"
is "$(q -c "SELECT status || ': ' || reason FROM migration_guard.history WHERE version = 'drop_one_login_email'")" \
    "failed: sqitch logged the deploy as failed" "the ledger records the failure sqitch logged"
is "$(q -c "SELECT ddl_count FROM migration_guard.history WHERE version = 'drop_one_login_email'")" "0" "with no DDL: none ran"
q -c "SELECT migration_guard.close_preboot_window()" >/dev/null
is "$(drift_count)" "0" "still nothing in drift"

# sqitch revert: its revert script runs through psql, and sqitch logs a 'revert' event.
printf 'BEGIN;\nDROP TABLE public.account_recovery_request_codes;\nCOMMIT;\n' >revert/create_account_recovery_request_codes.sql
out=$(sqitch revert -y --to create_account_recovery_requests "db:pg:$TAP_DB" 2>&1)
rc=$?
is "$rc" "0" "sqitch revert reverts the last change"
[ "$rc" -eq 0 ] || printf '# %s\n' "$out"
is "$(q -c "SELECT version || ' ' || name || ' ' || status || ' ' || (ddl_count > 0) FROM migration_guard.history ORDER BY migration_id DESC LIMIT 1")" \
    "create_account_recovery_request_codes sqitch revert succeeded true" "the revert is a ledger entry, with the DROP its psql ran"
is "$(drift_count)" "0" "and nothing lands in drift"
is "$(q -c "SELECT count(*) FROM migration_guard.verify_ledger()")" "0" "the ledger's chain is intact"

done_testing
