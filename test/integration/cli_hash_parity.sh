#!/usr/bin/env bash
# `migration-guard hash` and migration_guard.script_hash() agree on real files, byte for byte.
set -u
# shellcheck source=test/integration/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
cli=${MG_CLI:-$root/build/migration-guard}
fresh_db mg_it_cli_hash
work=$(mktemp -d)
trap 'rm -rf "$work"; psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $TAP_DB" >/dev/null 2>&1' EXIT

is "$([ -x "$cli" ] && echo yes)" "yes" "the CLI is built at $cli"
# Real migration files, and variants with CRLF line ends and a byte order mark.
cp "$root"/examples/migrations/*.sql "$work"/
sed 's/$/\r/' "$root/examples/migrations/001_create_candidates.sql" >"$work/crlf.sql"
printf '\357\273\277' | cat - "$root/examples/migrations/002_create_one_login_auths.sql" >"$work/bom.sql"
printf 'select 1;\rselect 2;' >"$work/cr-only.sql"
for f in "$work"/*.sql; do
    from_cli=$("$cli" hash "$f" | cut -d' ' -f1)
    from_db=$(q -v content="$(base64 -w0 "$f")" <<<"SELECT migration_guard.script_hash(decode(:'content', 'base64'));")
    is "$from_cli" "$from_db" "$(basename "$f"): CLI and database agree"
done
is "$("$cli" hash "$work/crlf.sql" | cut -d' ' -f1)" "$("$cli" hash "$work/001_create_candidates.sql" | cut -d' ' -f1)" "CRLF endings do not change the hash"
done_testing
