#!/usr/bin/env bash
# Figure 2: DML untouched. pgbench's built-in TPC-B-like script, several clients, in two
# databases of one throwaway cluster:
#   bare   PostgreSQL alone
#   mg     migration_guard installed, its library loaded into every session
#          (ALTER DATABASE ... SET session_preload_libraries = 'migration_guard', as the docs
#          recommend), so its hooks (ProcessUtility, emit_log, transaction callbacks) are active
# Runs alternate (bare, mg, mg, bare, ...: the rotation of bench_rounds), DURATION seconds each.
# Reported: transactions per second, ratio mg / bare (target: at least 0.99), and the backends'
# CPU time per transaction (user + system, which other load on this shared machine changes less
# than throughput; target: at most 1 / 0.99 = 1.01).
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
cpu_results=$work/cpu.txt
: >"$results"
: >"$cpu_results"
db_of() { echo "bench_dml_$1"; }

# CPU time of the run's backends: the postmaster collects the user + system time of the children
# it reaped (fields 16 and 17 of /proc/PID/stat), and pgbench's backends exit when it does.
postmaster_pid=$(head -n 1 "$MG_CLUSTER_DIR/data/postmaster.pid")
reaped_ticks() {
    awk '{ print $16 + $17 }' "/proc/$postmaster_pid/stat"
}
wait_for_backends_gone() { # db
    local _
    for _ in $(seq 1 100); do
        [ "$(mg_psql -d postgres -Atc "SELECT count(*) FROM pg_stat_activity WHERE datname = '$1'")" = 0 ] && return
        sleep 0.1
    done
    mg_die "pgbench's backends in $1 did not exit"
}
ticks_per_second=$(getconf CLK_TCK)

measure() { # config round
    local out tps before after transactions
    before=$(reaped_ticks)
    out=$("$PGBENCH" -n -c "$CLIENTS" -j 2 -T "$DURATION" "$(db_of "$1")" 2>&1) ||
        mg_die "pgbench failed: $out"
    wait_for_backends_gone "$(db_of "$1")"
    after=$(reaped_ticks)
    tps=$(sed -nE 's/^tps = ([0-9.]+) .*/\1/p' <<<"$out" | head -n 1)
    transactions=$(sed -nE 's/^number of transactions actually processed: ([0-9]+).*/\1/p' <<<"$out")
    if [ -z "$tps" ] || [ -z "$transactions" ]; then mg_die "no tps in pgbench's output: $out"; fi
    bench_record "$results" "$2" "$1" "$tps"
    # Backend CPU microseconds per transaction.
    bench_record "$cpu_results" "$2" "$1" \
        "$(awk -v t=$((after - before)) -v n="$transactions" -v hz="$ticks_per_second" 'BEGIN { printf "%.2f", t * 1e6 / hz / n }')"
    printf '  round %d %-5s %10.1f tps, %8.1f us backend CPU per transaction\n' "$2" "$1" "$tps" \
        "$(tail -n 1 "$cpu_results" | cut -d' ' -f3)"
}

# Warm-up: a short run each (shared buffers, the library loaded).
for c in bare mg; do
    "$PGBENCH" -n -c "$CLIENTS" -j 2 -T 2 "$(db_of "$c")" >/dev/null 2>&1
done
mg_heading "measure: $ROUNDS rounds, $CLIENTS clients, ${DURATION} s each, scale $SCALE"
bench_rounds "$ROUNDS" measure bare mg

mg_heading "result: pgbench TPC-B-like, throughput (ratio = tps / tps of bare; higher is better)"
bench_report "$results" bare tps 1 bare mg
mg_heading "result: pgbench TPC-B-like, backend CPU time per transaction (ratio: lower is better)"
bench_report "$cpu_results" bare "us" 1 bare mg
printf '\n%s\n' "$(bench_machine)"
