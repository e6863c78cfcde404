#!/usr/bin/env bash
# graphile-migrate (npm, the real tool) with the graphile-migrate adapter: the seed 000
# migrations as committed files, one "--! no-transaction" migration, committed files checked in
# the database, and a preboot window refusing a renaming migration in graphile-migrate's output.
set -u
# shellcheck source=test/integration/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"
# shellcheck source=test/integration/lib/tools.sh
. "$(dirname "$0")/lib/tools.sh"
GM="$TOOLS_DIR/node_modules/.bin/graphile-migrate"
need_tool graphile-migrate "$GM"
fresh_db mg_it_graphile
work=$(mktemp -d)
trap 'rm -rf "$work"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $TAP_DB" >/dev/null 2>&1' EXIT
mkdir -p "$work/migrations/committed"
cd "$work" || exit 1
export DATABASE_URL ROOT_DATABASE_URL
DATABASE_URL=$(db_url "$TAP_DB")
ROOT_DATABASE_URL=$(db_url postgres)
echo '{}' >.gmrc

# commit BODY_FILE NUMBER: writes migrations/committed/NUMBER.sql as graphile-migrate commit does
# (headers, blank line, body), hashed with graphile-migrate's own calculateHash.
previous=""
commit() {
    local body number=$2 hash
    body=$(cat "$1")
    hash=$(cd "$TOOLS_DIR" && BODY="$body" PREV="$previous" node -e \
        'console.log(require("graphile-migrate/dist/hash").calculateHash(process.env.BODY, process.env.PREV || null))')
    printf -- '--! Previous: %s\n--! Hash: %s\n\n%s\n' "${previous:--}" "$hash" "$body" \
        >"migrations/committed/$number.sql"
    previous=$hash
}

is "$(q -c "SELECT migration_guard.enable_adapter('graphile-migrate')")" "0" \
    "enable_adapter before graphile-migrate's first run attaches to nothing yet"

n=0
for f in $(seed_files); do
    n=$((n + 1))
    commit "$f" "$(printf '%06d' "$n")"
done
printf -- '--! no-transaction\nCREATE INDEX CONCURRENTLY index_one_login_auths_on_email_address ON public.one_login_auths (email_address);\n' >"$work/nt.sql"
commit "$work/nt.sql" 000005

out=$("$GM" migrate 2>&1)
rc=$?
is "$rc" "0" "graphile-migrate migrate applies the seed 000 migrations and a no-transaction one"
[ "$rc" -eq 0 ] || printf '# %s\n' "$out"

is "$(q -c "SELECT string_agg(version || ':' || status || ':' || in_transaction, ' ' ORDER BY migration_id) FROM migration_guard.history WHERE version LIKE '0%'")" \
    "000001.sql:succeeded:true 000002.sql:succeeded:true 000003.sql:succeeded:true 000004.sql:succeeded:true 000005.sql:succeeded:false" \
    "history shows every migration graphile-migrate applied, by its filename; 000005 outside a transaction"
is "$(q -c "SELECT count(*) FROM migration_guard.history h JOIN graphile_migrate.migrations g ON g.filename = h.version AND g.hash = h.tool_checksum WHERE h.tool = 'graphile-migrate'")" \
    "5" "the ledger keeps graphile-migrate's own hash of each migration"
is "$(attributed public.candidates)" "000001.sql CREATE TABLE" "candidates is attributed to 000001"
is "$(attributed public.index_candidates_on_lower_email_address)" "000001.sql CREATE INDEX" "its unique index too"
is "$(attributed public.one_login_auths)" "000002.sql CREATE TABLE" "one_login_auths is attributed to 000002"
is "$(attributed public.account_recovery_requests)" "000003.sql CREATE TABLE" "account_recovery_requests to 000003"
is "$(attributed public.account_recovery_request_codes)" "000004.sql CREATE TABLE" "account_recovery_request_codes to 000004"
is "$(attributed public.index_one_login_auths_on_email_address)" "000005.sql CREATE INDEX" \
    "the no-transaction migration's CREATE INDEX CONCURRENTLY is attributed to 000005"
is "$(q -c "SELECT string_agg(h.version || '=' || h.ddl_count, ' ' ORDER BY h.migration_id) FROM migration_guard.history h WHERE h.tool = 'graphile-migrate'")" \
    "graphile-migrate registry=6 000001.sql=6 000002.sql=8 000003.sql=7 000004.sql=6 000005.sql=1" \
    "every DDL command is counted against its migration, graphile-migrate's own tables against its registry"
is "$(drift_count)" "0" "nothing lands in drift"

# Committed files checked in the database, as graphile-migrate checks them.
verify() { q -v file="$(cat "$1")" <<<"SELECT migration_guard.verify_graphile_migration(:'file')"; }
ok=$(for f in migrations/committed/*.sql; do verify "$f"; done | sort -u)
is "$ok" "t" "verify_graphile_migration accepts every committed file"
sed -i 's/email_address text        NOT NULL,/email_address text        NOT NULL, nickname text,/' migrations/committed/000001.sql
is "$(verify migrations/committed/000001.sql)" "f" \
    "a committed file edited after commit is caught in the database"
# graphile-migrate checks a file's hash only when it runs it: an applied file edited later
# passes its migrate unnoticed, which is why the check in the database matters.
"$GM" migrate >/dev/null 2>&1
is "$?" "0" "graphile-migrate migrate itself does not notice the edit of an applied file"
sed -i 's/ nickname text,//' migrations/committed/000001.sql
is "$(verify migrations/committed/000001.sql)" "t" \
    "the file restored verifies again"

# A preboot window: a renaming migration is refused, graphile-migrate shows why, and its
# history stays as it was.
q -c "SELECT migration_guard.open_preboot_window('5 minutes', 'deploy in progress')" >/dev/null
printf 'ALTER TABLE public.candidates RENAME COLUMN email_address TO email;\n' >"$work/rename.sql"
commit "$work/rename.sql" 000006
out=$("$GM" migrate 2>&1)
rc=$?
is "$((rc != 0))" "1" "graphile-migrate migrate fails on the renaming migration"
is "$(grep -q 'rename-column: renaming column "email_address" of table "public.candidates" to "email" breaks the running application' <<<"$out" && echo shown)" "shown" \
    "migration_guard's error text appears in graphile-migrate's output"
is "$(q -c "SELECT count(*) FROM graphile_migrate.migrations")" "5" "graphile-migrate's history is unchanged"
is "$(q -c "SELECT count(*) FROM migration_guard.history WHERE version = '000006.sql'")" "0" "and so is the ledger"
is "$(q -c "SELECT count(*) FROM information_schema.columns WHERE table_name = 'candidates' AND column_name = 'email_address'")" "1" \
    "the column keeps its name"
q -c "SELECT migration_guard.close_preboot_window()" >/dev/null
is "$(q -c "SELECT count(*) FROM migration_guard.verify_ledger()")" "0" "the ledger's chain is intact"

done_testing
