#!/usr/bin/env bash
# Parity: one corpus of migration scripts (test/cli/corpus: every rule, comments, dollar
# quotes, BEGIN ATOMIC, syntax errors, an unterminated quote) through `migration-guard lint`
# and through the extension's migration_guard.lint() must give identical findings: the same
# line, column, rule and severity, in the same order.
#   - offline (no --dsn) against a database where none of the corpus's objects exist;
#     *_facts.sql files are skipped there: they test what only a catalog can tell (IF EXISTS
#     of a missing table, real column types);
#   - with --dsn against the same database, every file, after creating the tables the
#     *_facts.sql files ask about, and after a DBA changed rule actions.
set -u
# shellcheck source=test/integration/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
cli=${MG_CLI:-$root/build/migration-guard}
corpus=$root/test/cli/corpus
fresh_db mg_it_cli_parity

is "$([ -x "$cli" ] && echo yes)" "yes" "the CLI is built at $cli"

from_db() { # file
    q -v content="$(base64 -w0 "$1")" <<'SQL'
SELECT line || ':' || col || ':' || rule || ':' || severity
  FROM migration_guard.lint(convert_from(decode(:'content', 'base64'), 'UTF8'));
SQL
}
from_cli() { # file [options...]
    local file=$1
    shift
    "$cli" lint --format json --no-config --assume-in-transaction --fail-on never "$@" "$file" |
        python3 -c '
import json, sys
for f in json.load(sys.stdin):
    print("%d:%d:%s:%s" % (f["line"], f["column"], f["rule"], f["severity"]))'
}
compare() { # label file [cli options...]
    local label=$1 file=$2 db cli_out
    shift 2
    db=$(from_db "$file")
    cli_out=$(from_cli "$file" "$@")
    is "$cli_out" "$db" "$label: $(basename "$file"): CLI and lint() agree ($(grep -c . <<<"$db") findings)"
    total=$((total + $(grep -c . <<<"$db")))
}

total=0
for f in "$corpus"/*.sql; do
    case $f in *_facts.sql) continue ;; esac
    compare offline "$f"
done
is "$([ "$total" -ge 60 ] && echo yes)" "yes" "the offline corpus produced many findings ($total)"

q >/dev/null <<'SQL'
CREATE TABLE parity_accounts (id int, email varchar(20), note varchar(50));
CREATE TABLE "Parity Mixed" (x int);
CREATE TABLE accounts (id bigint PRIMARY KEY, email text NOT NULL, name text, balance numeric(10,2));
SQL
total=0
for f in "$corpus"/*.sql; do
    compare "--dsn" "$f" --dsn "dbname=$TAP_DB"
done
is "$([ "$total" -ge 60 ] && echo yes)" "yes" "the --dsn corpus produced many findings ($total)"

# The DBA's rule actions apply to both.
q -c "SELECT migration_guard.set_rule_action('drop-column', 'warn'), migration_guard.set_rule_action('missing-lock-timeout', 'off')" >/dev/null
compare "--dsn with rule actions" "$corpus/001_removals.sql" --dsn "dbname=$TAP_DB"
is "$(from_cli "$corpus/001_removals.sql" --dsn "dbname=$TAP_DB" | grep -c 'drop-column:warning')" "1" \
    "--dsn reads the rule actions a DBA set"
is "$(from_cli "$corpus/001_removals.sql" | grep -c 'drop-column:error')" "1" \
    "offline, the default actions apply"
done_testing
