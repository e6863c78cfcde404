#!/usr/bin/env bash
# Figure 2: DML untouched. pgbench's built-in TPC-B-like script, several clients, in two
# databases of one throwaway cluster:
#   bare   PostgreSQL alone
#   mg     migration_guard installed, its library loaded into every session
#          (ALTER DATABASE ... SET session_preload_libraries = 'migration_guard', as the docs
#          recommend), so its hooks (ProcessUtility, emit_log, transaction callbacks) are active
# Runs alternate (bare, mg, mg, bare, ...: the rotation of bench_rounds), DURATION seconds each.
# Reported: transactions per second, ratio mg / bare (target: at least 0.99).
#
# Usage: bash bench/dml_pgbench.sh   (SCALE=10 CLIENTS=4 DURATION=20 ROUNDS=7;
#                                     BENCH_SMOKE=1: scale 1, 2 s, 1 round)
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$MG_REPO_ROOT"

SCALE=${SCALE:-$(bench_size 10 1)}
CLIENTS=${CLIENTS:-4}
DURATION=${DURATION:-$(bench_size 20 2)}
ROUNDS=${ROUNDS:-$(bench_size 7 1)}
PGBENCH=$MG_SERVER_BINDIR/pgbench

bench_setup
for db in bench_dml_bare bench_dml_mg; do
    bench_db_create "$db"
done
mg_psql -d bench_dml_mg -c "CREATE EXTENSION migration_guard" \
    -c "ALTER DATABASE bench_dml_mg SET session_preload_libraries = 'migration_guard'" >/dev/null
# The library really is loaded in a pgbench session there (and not in bare).
loaded() {
    mg_psql -d "$1" -Atc "SELECT count(*) FROM pg_settings WHERE name = 'migration_guard.capture'"
}
[ "$(loaded bench_dml_mg)" = 1 ] || mg_die "migration_guard is not loaded in bench_dml_mg sessions"
[ "$(loaded bench_dml_bare)" = 0 ] || mg_die "migration_guard is loaded in bench_dml_bare sessions"

mg_heading "pgbench -i -s $SCALE (both databases)"
for db in bench_dml_bare bench_dml_mg; do
    "$PGBENCH" -i -q -s "$SCALE" "$db" >/dev/null 2>&1 || mg_die "pgbench -i failed in $db"
done

mg_tmpdir work
results=$work/results.txt
: >"$results"
db_of() { echo "bench_dml_$1"; }

measure() { # config round
    local out tps
    out=$("$PGBENCH" -n -c "$CLIENTS" -j 2 -T "$DURATION" "$(db_of "$1")" 2>&1) ||
        mg_die "pgbench failed: $out"
    tps=$(sed -nE 's/^tps = ([0-9.]+) .*/\1/p' <<<"$out" | head -n 1)
    [ -n "$tps" ] || mg_die "no tps in pgbench's output: $out"
    bench_record "$results" "$2" "$1" "$tps"
    printf '  round %d %-5s %10.1f tps\n' "$2" "$1" "$tps"
}

# Warm-up: a short run each (shared buffers, the library loaded).
for c in bare mg; do
    "$PGBENCH" -n -c "$CLIENTS" -j 2 -T 2 "$(db_of "$c")" >/dev/null 2>&1
done
mg_heading "measure: $ROUNDS rounds, $CLIENTS clients, ${DURATION} s each, scale $SCALE"
bench_rounds "$ROUNDS" measure bare mg

mg_heading "result: pgbench TPC-B-like (ratio = tps / tps of bare; higher is better)"
bench_report "$results" bare tps 1 bare mg
printf '\n%s\n' "$(bench_machine)"
