#!/usr/bin/env bash
# `migration-guard errcodes` and the extension's SQLSTATE check find the same bad codes in the
# same functions: the corpus's functions are created in the database (with the check off) and
# audited there with migration_guard.audit_function_sqlstates().
set -u
# shellcheck source=test/integration/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
cli=${MG_CLI:-$root/build/migration-guard}
file=$root/test/cli/errcodes/functions.sql
fresh_db mg_it_cli_errcodes

# check_function_bodies off: PL/pgSQL itself would refuse the unknown condition name.
q -c "CREATE SCHEMA app" -c "SET migration_guard.sqlstate_check = off" \
    -c "SET check_function_bodies = off" -f "$file" >/dev/null
from_db=$(q <<'SQL'
SELECT regexp_replace(function::text, '\(.*', '') || ':' || code || ':' || rule
  FROM migration_guard.audit_function_sqlstates()
 WHERE rule <> 'unregistered'
 ORDER BY function::text, line, code, rule;
SQL
)
from_cli=$("$cli" errcodes --format json "$file" | python3 -c '
import json, sys
rows = json.load(sys.stdin)
rows.sort(key=lambda p: (p["function"], p["line"], p["code"], p["rule"]))
for p in rows:
    print("%s:%s:%s" % (p["function"], p["code"], p["rule"]))')
is "$from_cli" "$from_db" "errcodes and audit_function_sqlstates() report the same codes and rules"
is "$(grep -c . <<<"$from_db")" "6" "six problems in the corpus"
# Lines: the CLI counts from the file's first line, the database from the body's; the body of
# app.check_weak starts on line 2 of the file, so each differs by one.
db_lines=$(q -c "SELECT string_agg(line::text, ',' ORDER BY line, code, rule) FROM migration_guard.audit_function_sqlstates() WHERE rule <> 'unregistered' AND function::text LIKE 'app.%'")
cli_lines=$("$cli" errcodes --format json "$file" | python3 -c '
import json, sys
print(",".join(str(p["line"] - 1) for p in json.load(sys.stdin) if p["function"] == "app.check_weak"))')
is "$cli_lines" "$db_lines" "the lines agree (file line = body line + 1 here)"
done_testing
