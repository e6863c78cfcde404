#!/usr/bin/env bash
# migration_guard's demo (README: "demo"). On a throwaway PostgreSQL 15 cluster:
#   1. CREATE EXTENSION migration_guard
#   2. apply examples/migrations/NNN_name.sql in order with
#      SELECT migration_guard.run_migration(version => 'NNN', script => <file>, name => 'name')
#   3. show the ledger: migration_guard.history and migration_guard.ddl_log
#   4. re-run version 001 with an edited script: refused (SQLSTATE MGCHS)
#   5. re-run version 001 unchanged: 'already applied'
#   6. open a preboot window: a migration dropping a column is judged by lint() and refused by
#      the guard (rule drop-column, SQLSTATE MGBLK); close the window
# The cluster is stopped and removed on exit, failure included. Exits non-zero if any step does
# not behave as described.
#
# Usage: bash tools/demo.sh        (no stdin or tty needed)
set -euo pipefail

# shellcheck source=tools/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$MG_REPO_ROOT"

MIGRATIONS_DIR=examples/migrations

# read_file_exactly FILE VAR: store FILE's exact content in VAR, trailing newlines included
# (a command substitution, $(cat FILE), would strip them and change the script's hash).
read_file_exactly() {
    local content
    content=$(cat "$1" && printf x) || mg_die "cannot read $1"
    printf -v "$2" '%s' "${content%x}"
}

# run_migration VERSION NAME SCRIPT [psql options...]
# The script travels as a psql variable and reaches the server as a quoted literal (:'script'),
# so quotes, backslashes and dollar quotes in it arrive byte for byte. The SELECT is read from
# stdin because psql does not interpolate variables in -c commands.
run_migration() {
    local version=$1 name=$2 script=$3
    shift 3
    mg_psql -v version="$version" -v name="$name" -v script="$script" "$@" <<'SQL'
SELECT :'version' AS version, :'name' AS name,
       migration_guard.run_migration(:'version', :'script', :'name') AS result;
SQL
}

mg_heading "dependencies"
mg_ensure_deps

mg_heading "build and install the extension"
mg_build_extension

mg_heading "start a throwaway PostgreSQL ${MG_PG_MAJOR} cluster"
mg_cluster_start

mg_heading "CREATE EXTENSION migration_guard"
mg_psql -c 'CREATE EXTENSION migration_guard' -c '\dx migration_guard'

shopt -s nullglob
migration_files=("$MIGRATIONS_DIR"/*.sql)
shopt -u nullglob
[ "${#migration_files[@]}" -gt 0 ] || mg_die "no migrations in $MIGRATIONS_DIR"

first_version="" first_name="" first_script=""
for file in "${migration_files[@]}"; do
    base=$(basename "$file" .sql)
    [[ "$base" =~ ^([0-9]+)_(.+)$ ]] || mg_die "$file: expected a name like 001_create_things.sql"
    version=${BASH_REMATCH[1]}
    name=${BASH_REMATCH[2]}
    read_file_exactly "$file" script

    mg_heading "apply $file (version $version, name $name)"
    cat "$file"
    echo
    run_migration "$version" "$name" "$script"

    if [ -z "$first_version" ]; then
        first_version=$version first_name=$name first_script=$script
    fi
done

mg_heading "the ledger: migration_guard.history"
mg_psql -c 'SELECT version, name, status, ddl_count, duration
              FROM migration_guard.history ORDER BY migration_id'

mg_heading "the ledger: migration_guard.ddl_log"
mg_psql -c 'SELECT migration_id, command_tag, object_identity
              FROM migration_guard.ddl_log ORDER BY event_id'

mg_heading "an applied migration edited afterwards is refused (version $first_version)"
edited_script="${first_script}
-- edited after it was applied
ALTER TABLE public.candidates ADD COLUMN nickname text;
"
echo "The edited script appends:"
echo "    ALTER TABLE public.candidates ADD COLUMN nickname text;"
refusal_rc=0
refusal=$(run_migration "$first_version" "$first_name" "$edited_script" -v VERBOSITY=verbose 2>&1) ||
    refusal_rc=$?
printf '%s\n' "$refusal"
if [ "$refusal_rc" -eq 0 ]; then
    mg_die "the edited script of version $first_version was accepted; it should have been refused"
fi
if ! grep -q 'MGCHS' <<<"$refusal"; then
    mg_die "the edited script failed, but not with SQLSTATE MGCHS (changed script)"
fi
echo "(refused as expected: SQLSTATE MGCHS)"

mg_heading "the unchanged migration again (version $first_version)"
again=$(run_migration "$first_version" "$first_name" "$first_script")
printf '%s\n' "$again"
grep -q 'already applied' <<<"$again" ||
    mg_die "re-running version $first_version unchanged did not report 'already applied'"

mg_heading "history after the refused edit"
mg_psql -c 'SELECT version, name, status, ddl_count FROM migration_guard.history
              ORDER BY migration_id'

mg_heading "a preboot window: old and new code share the database for a few minutes"
mg_psql -c "SELECT migration_guard.open_preboot_window('3 minutes', 'release 42 preboot') AS window_id"
breaking="ALTER TABLE public.one_login_auths DROP COLUMN email_address;"
echo "The next release's migration drops a column the running release still reads:"
echo "    $breaking"
echo
echo "lint() judges it without running it:"
mg_psql -v script="$breaking" <<'SQL'
SELECT rule, severity, message FROM migration_guard.lint(:'script');
SQL
echo
echo "run_migration() is refused before the statement runs:"
blocked_rc=0
blocked=$(run_migration 005 drop_one_login_email "$breaking" 2>&1) || blocked_rc=$?
printf '%s\n' "$blocked"
if [ "$blocked_rc" -eq 0 ] || ! grep -q 'drop-column' <<<"$blocked"; then
    mg_die "dropping a column during a preboot window should have been refused (rule drop-column)"
fi
echo "(refused as expected: rule drop-column, SQLSTATE MGBLK; version 005 was not recorded)"
mg_psql -c "SELECT migration_guard.close_preboot_window() AS closed_window"

mg_heading "stop the cluster"
mg_cluster_stop
echo "demo finished"
