#!/bin/sh
# migration-guard verify without a database: its manual and its usage errors (the live-cluster
# cases are in test/integration/cli_verify.sh).
# Usage: sh verify_usage.sh path/to/migration-guard
set -u
MG=${1:?usage: $0 path/to/migration-guard}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/checks.sh"

run verify --help
check "verify --help exits 0" [ "$status" -eq 0 ]
for word in NAME SYNOPSIS applied changed missing pending out-of-order Flyway graphile-migrate \
    --fail-on-pending "EXIT STATUS"; do
    check "verify --help documents $word" grep -q -- "$word" "$work/out"
done
run verify "$work"
check "verify without --dsn exits 2" [ "$status" -eq 2 ]
check "and says --dsn is required" grep -q -- '--dsn DSN is required' "$work/err"
run verify --dsn x
check "verify without a directory exits 2" [ "$status" -eq 2 ]
run verify --dsn x --format xml "$work"
check "an unknown format exits 2" [ "$status" -eq 2 ]
run verify --dsn x "$work/missing"
check "a missing directory exits 2" [ "$status" -eq 2 ]
run verify --dsn "host=/nonexistent-socket-dir dbname=x" "$work"
check "an unreachable database exits 2" [ "$status" -eq 2 ]
check "and says it cannot connect" grep -q 'cannot connect' "$work/err"
run lint --dsn "host=/nonexistent-socket-dir dbname=x" "$work"
check "lint --dsn with an unreachable database exits 2" [ "$status" -eq 2 ]

finish
