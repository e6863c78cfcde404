#!/usr/bin/env bash
# `migration-guard verify --dsn DSN DIR` against a live ledger: applied, changed, missing,
# pending and out-of-order versions; exit codes; JSON; Flyway names; a reader role.
set -u
# shellcheck source=test/integration/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
cli=${MG_CLI:-$root/build/migration-guard}
fresh_db mg_it_cli_verify
work=$(mktemp -d)
trap 'rm -rf "$work"; psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $TAP_DB" -c "DROP DATABASE IF EXISTS ${TAP_DB}_bare" -c "DROP ROLE IF EXISTS mg_verify_reader" -c "DROP ROLE IF EXISTS mg_verify_nobody" >/dev/null 2>&1' EXIT
dsn="dbname=$TAP_DB"

apply() { # version file
    q -v v="$1" -v content="$(base64 -w0 "$2")" >/dev/null <<'SQL'
SELECT migration_guard.run_migration(:'v', convert_from(decode(:'content', 'base64'), 'UTF8'));
SQL
}
status_of() { # json-file version
    python3 -c '
import json, sys
rows = [m for m in json.load(open(sys.argv[1]))["migrations"] if m["version"] == sys.argv[2]]
print(",".join(m["status"] for m in rows) or "(none)")' "$1" "$2"
}

d=$work/migrations
mkdir -p "$d/sub"
printf 'CREATE TABLE v_a (id int);\n' >"$d/000_base.sql"
printf 'CREATE TABLE v_b (id int);\n' >"$d/001_create_b.sql"
printf 'CREATE TABLE v_c (id int);\n' >"$d/002_create_c.sql"
printf 'CREATE TABLE v_d (id int);\n' >"$d/sub/003-create-d.sql"
printf 'CREATE TABLE v_e (id int);\n' >"$d/004_create_e.sql"
printf 'CREATE TABLE v_f (id int);\n' >"$d/005_create_f.sql"
printf 'select 1;\n' >"$d/notes.sql"
printf 'readme\n' >"$d/README.md"

apply 000 "$d/000_base.sql"
apply 001 "$d/001_create_b.sql"
apply 002 "$d/002_create_c.sql"
apply 004 "$d/004_create_e.sql"
printf 'CREATE TABLE gone (id int);\n' >"$work/gone.sql"
apply 0003.5 "$work/gone.sql" # applied, no file
printf -- '-- edited after it was applied\nCREATE TABLE v_c (id int);\n' >"$d/002_create_c.sql"

"$cli" verify --dsn "$dsn" --format json "$d" >"$work/out.json" 2>"$work/err"
rc=$?
is "$rc" "1" "verify exits 1 when the directory and the ledger are out of step"
is "$(python3 -m json.tool "$work/out.json" >/dev/null && echo valid)" "valid" "verify --format json is valid JSON"
is "$(status_of "$work/out.json" 000)" "applied" "000: applied (same hash)"
is "$(status_of "$work/out.json" 001)" "applied" "001: applied"
is "$(status_of "$work/out.json" 002)" "changed" "002: changed since applied"
is "$(status_of "$work/out.json" 003)" "out-of-order" "003: not applied while 004 is: out of order"
is "$(status_of "$work/out.json" 004)" "applied" "004: applied"
is "$(status_of "$work/out.json" 0003.5)" "missing" "0003.5: applied but missing on disk"
is "$(status_of "$work/out.json" 005)" "pending" "005: pending (numeric order: 0003.5 < 004 < 005)"
is "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d["ok"], sorted(p.rsplit("/", 1)[1] for p in d["ignored_files"]))' "$work/out.json")" \
    "False ['notes.sql']" "ok is false; a .sql file without a version is listed as ignored"
is "$(python3 -c '
import json, sys
m = [m for m in json.load(open(sys.argv[1]))["migrations"] if m["version"] == "002"][0]
print(m["file_hash"] != m["ledger_hash"], m["file_hash"].startswith("sha256:"), m["migration_id"] > 0)' "$work/out.json")" \
    "True True True" "a changed version shows both hashes and its migration_id"
is "$("$cli" hash "$d/000_base.sql" | cut -d' ' -f1)" \
    "$(python3 -c 'import json,sys; print([m for m in json.load(open(sys.argv[1]))["migrations"] if m["version"] == "000"][0]["ledger_hash"])' "$work/out.json")" \
    "the ledger hash of an applied version is the file's hash"

"$cli" verify --dsn "$dsn" "$d" >"$work/out.txt" 2>&1
is "$(grep -cE '^(000|001|004) +applied' "$work/out.txt")" "3" "human output: one line per version with its status"
is "$(grep -c 'out of step' "$work/out.txt")" "1" "human output: the verdict"
is "$(grep -c '^ *file sha256:.*, ledger sha256:' "$work/out.txt")" "1" "human output: both hashes of a changed version"

# A directory that is only behind the database: all is well, unless pending counts.
ok=$work/ok
mkdir -p "$ok"
cp "$d/000_base.sql" "$d/001_create_b.sql" "$d/004_create_e.sql" "$ok"/
printf 'CREATE TABLE v_g (id int);\n' >"$ok/006_create_g.sql"
cp "$work/gone.sql" "$ok/0003.5_gone.sql"
"$cli" verify --dsn "$dsn" "$ok" >"$work/ok.txt" 2>&1
is "$?" "1" "a directory without 002 (applied) is out of step"
rm "$ok/004_create_e.sql"
cp "$d/004_create_e.sql" "$ok/004_create_e.sql"
printf 'CREATE TABLE v_c (id int);\n' >"$ok/002_create_c.sql"
"$cli" verify --dsn "$dsn" "$ok" >"$work/ok.txt" 2>&1
is "$?" "0" "applied and pending versions only: exit 0"
is "$(tail -n 1 "$work/ok.txt")" "all is well" "and says all is well"
"$cli" verify --dsn "$dsn" --fail-on-pending "$ok" >/dev/null 2>&1
is "$?" "1" "--fail-on-pending: a pending version fails"

# A non-superuser reader can verify; a role without the grant gets a clear error (exit 2).
psql -X -q -d postgres -c "CREATE ROLE mg_verify_reader LOGIN" -c "CREATE ROLE mg_verify_nobody LOGIN" >/dev/null
q -c "SELECT migration_guard.grant_reader('mg_verify_reader')" >/dev/null
"$cli" verify --dsn "$dsn user=mg_verify_reader" "$ok" >/dev/null 2>"$work/err"
is "$?" "0" "a role granted grant_reader() can verify"
"$cli" verify --dsn "$dsn user=mg_verify_nobody" "$ok" >/dev/null 2>"$work/err"
is "$?" "2" "a role without access exits 2"
is "$(grep -c 'cannot read migration_guard.history: .*permission denied' "$work/err")" "1" "and says why"

# Flyway file names.
fw=$work/flyway
mkdir -p "$fw"
printf 'CREATE TABLE fw_a (id int);\n' >"$fw/V1__init.sql"
printf 'CREATE TABLE fw_b (id int);\n' >"$fw/V1_1__more.sql"
printf 'CREATE VIEW fw_v AS SELECT 1;\n' >"$fw/R__views.sql"
apply 1 "$fw/V1__init.sql"
apply 1.1 "$fw/V1_1__more.sql"
"$cli" verify --dsn "$dsn" --format json "$fw" >"$work/fw.json" 2>&1
is "$(status_of "$work/fw.json" 1),$(status_of "$work/fw.json" 1.1)" "applied,applied" \
    "Flyway V1__ and V1_1__ are versions 1 and 1.1"
is "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["ignored_files"]))' "$work/fw.json")" "1" \
    "a repeatable R__ migration is ignored"

# No extension, no server, no --dsn.
psql -X -q -d postgres -c "CREATE DATABASE ${TAP_DB}_bare" >/dev/null
"$cli" verify --dsn "dbname=${TAP_DB}_bare" "$ok" >/dev/null 2>"$work/err"
is "$?" "2" "a database without migration_guard exits 2"
is "$(grep -c 'no migration_guard ledger' "$work/err")" "1" "and says so"
"$cli" verify --dsn "host=/nonexistent dbname=x" "$ok" >/dev/null 2>"$work/err"
is "$?" "2" "an unreachable server exits 2"
"$cli" verify "$ok" >/dev/null 2>&1
is "$?" "2" "verify without --dsn is a usage error"
done_testing
