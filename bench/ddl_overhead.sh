#!/usr/bin/env bash
# Figure 1: DDL overhead, side by side in one run (BENCHMARKS.md).
#
# One throwaway cluster, one database per configuration, the same DDL in each:
#   bare        PostgreSQL alone
#   mg-closed   migration_guard installed (ledger capture + guard), no preboot window open
#   mg-open     migration_guard with a preboot window open (every statement described and judged;
#               the workloads only hold statements the rules allow)
#   plpgsql     the usual PL/pgSQL event trigger that copies pg_event_trigger_ddl_commands()
#               into a table (what teams write by hand)
#   pgaudit     pgaudit logging DDL (pgaudit.log = 'ddl' in that database, its event triggers
#               installed); pgaudit must be in shared_preload_libraries, so it is loaded in every
#               configuration's sessions, idle (pgaudit.log = none) outside its own database
# Two workloads, timed separately in every round:
#   ddl         ITERATIONS transactions of CREATE TABLE, ALTER TABLE ADD COLUMN, CREATE INDEX,
#               DROP TABLE (4 statements each), one statement per round trip (psql -f)
#   migration   one large multi-statement migration sent as ONE query string (one implicit
#               transaction): BIG_TABLES tables with an index, an added column, a foreign key and
#               a comment each, a view every 10 tables, a PL/pgSQL function every 25. In the
#               migration_guard databases it runs as a recorded migration, as a tool would send it:
#               begin_migration(version, script) ... finish_migration(), in the same query string.
# Configurations rotate inside every round, so noise from this shared machine lands on all of
# them alike. Reported per workload, in backend CPU time (user + system of the session's backend,
# which other load on the machine changes less than wall time) and in wall time: the median per
# configuration, the ratio to bare, and the spread of the per-round ratios.
#
# Usage: bash bench/ddl_overhead.sh          (ITERATIONS=1000 BIG_TABLES=300 ROUNDS=7)
#        BENCH_SMOKE=1 bash bench/ddl_overhead.sh   (tiny sizes; harness check only)
#        DURABLE=1 bash bench/ddl_overhead.sh       (PostgreSQL's default durability: fsync,
#            synchronous_commit and full_page_writes on, so every commit waits for its WAL to
#            reach the disk, as on a production server; the throwaway cluster turns them off)
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$MG_REPO_ROOT"

ITERATIONS=${ITERATIONS:-$(bench_size 1000 5)}
BIG_TABLES=${BIG_TABLES:-$(bench_size 300 4)}
ROUNDS=${ROUNDS:-$(bench_size 7 1)}
CONFIGS=(bare mg-closed mg-open plpgsql pgaudit)

bench_setup
if [ "${DURABLE:-0}" = 1 ]; then
    bench_cluster_set "fsync = on" "synchronous_commit = on" "full_page_writes = on"
fi
if bench_have postgresql-15-pgaudit; then
    bench_cluster_set "shared_preload_libraries = 'pgaudit'"
else # only with BENCH_NO_INSTALL=1 (the smoke test); a real run installs it
    mg_warn "pgaudit is not installed: the pgaudit configuration is skipped"
    CONFIGS=(bare mg-closed mg-open plpgsql)
fi

mg_tmpdir work

# --- the workloads ---------------------------------------------------------------------------
ddl_workload=$work/ddl.sql
{
    echo "SET client_min_messages = warning;"
    for i in $(seq 1 "$ITERATIONS"); do
        echo "BEGIN;"
        echo "CREATE TABLE bench_$i (id bigint PRIMARY KEY, payload text);"
        echo "ALTER TABLE bench_$i ADD COLUMN created_at timestamptz;"
        echo "CREATE INDEX bench_${i}_payload ON bench_$i (payload);"
        echo "DROP TABLE bench_$i;"
        echo "COMMIT;"
    done
} >"$ddl_workload"

# The migration's statements, one per line (bench/lib.sh).
big_body=$work/big_body.sql
bench_big_migration "$BIG_TABLES" >"$big_body"
big_statements=$(wc -l <"$big_body")
big_query=$work/big_query.sql
bench_one_query "$big_body" >"$big_query"
# The migration_guard form: the same query string between begin_migration and finish_migration.
big_query_mg=$work/big_query_mg.sql
bench_recorded_query "$big_body" @VERSION@ >"$big_query_mg"

# Every session ends by printing its backend's CPU time (user + system, in clock ticks, from
# /proc/self/stat read by the backend itself): CPU time grows less than wall time when
# other work on this shared machine takes the cores away.
cpu_query="SELECT 'cpu_ticks ' || ((s[14])::bigint + (s[15])::bigint) FROM (SELECT pg_catalog.string_to_array(pg_catalog.pg_read_file('/proc/self/stat'), ' ') AS s) x;"
for f in "$ddl_workload" "$big_query" "$big_query_mg"; do echo "$cpu_query" >>"$f"; done
ticks_per_second=$(getconf CLK_TCK)

# --- the databases ---------------------------------------------------------------------------
db_of() { echo "bench_${1//-/_}"; }

for c in "${CONFIGS[@]}"; do
    bench_config_db "$c" "$(db_of "$c")"
done

run_ddl() { # config
    mg_psql -d "$(db_of "$1")" -f "$ddl_workload"
}

run_migration() { # config version
    local db
    db=$(db_of "$1")
    case $1 in
    mg-*) sed "s/@VERSION@/$2/" "$big_query_mg" | mg_psql -d "$db" -f - ;;
    *) mg_psql -d "$db" -f "$big_query" ;;
    esac
}

drop_migration() { # config: untimed clean-up (the guard would refuse DROP SCHEMA in a window)
    local db
    db=$(db_of "$1")
    case $1 in
    mg-*) mg_psql -d "$db" -c "SET migration_guard.enforce = off" -c "DROP SCHEMA big_mig CASCADE" ;;
    *) mg_psql -d "$db" -c "DROP SCHEMA big_mig CASCADE" ;;
    esac >/dev/null 2>&1
}

vacuum_db() { # config: untimed
    mg_psql -d "$(db_of "$1")" -c "VACUUM" >/dev/null || mg_die "VACUUM failed in $(db_of "$1")"
}

# One warm-up pass each: caches, catalog, the libraries loaded.
for c in "${CONFIGS[@]}"; do
    run_ddl "$c" >/dev/null
    run_migration "$c" "warm-up" >/dev/null
    drop_migration "$c"
    vacuum_db "$c"
done
# The pgaudit database really logs: its DDL appears in the server log as AUDIT lines.
if [[ " ${CONFIGS[*]} " == *" pgaudit "* ]]; then
    audit_lines=$(grep -c 'AUDIT: SESSION' "$MG_CLUSTER_DIR/postgres.log" || true)
    [ "$audit_lines" -gt 0 ] || mg_die "pgaudit logged nothing: the pgaudit configuration is not measuring what it claims"
fi

results=$work/results
mkdir -p "$results"

# timed WORKLOAD CONFIG ROUND CMD...: runs CMD, records its wall time and its backend's CPU time.
timed() {
    local workload=$1 config=$2 round=$3 start end out ticks
    shift 3
    start=$(bench_now_us)
    out=$("$@")
    end=$(bench_now_us)
    ticks=$(sed -n 's/^ *cpu_ticks \([0-9]*\).*/\1/p' <<<"$out")
    [ -n "$ticks" ] || mg_die "no CPU time reported by the $config session"
    bench_record "$results/$workload-wall.txt" "$round" "$config" $((end - start))
    bench_record "$results/$workload-cpu.txt" "$round" "$config" $((ticks * 1000000 / ticks_per_second))
}

measure() { # config round
    timed ddl "$1" "$2" run_ddl "$1"
    timed migration "$1" "$2" run_migration "$1" "round-$2"
    drop_migration "$1"
    # Untimed: the catalog rows the round left dead are removed, so that every configuration's
    # next round starts from the same state (dead rows met by the next CREATE cost it time, and
    # how many there are depends on when autovacuum last came by).
    vacuum_db "$1"
    local seconds=() w k
    for w in ddl migration; do
        for k in wall cpu; do
            seconds+=("$(awk -v c="$1" -v r="$2" '$1 == r && $2 == c { print $3 / 1e6 }' "$results/$w-$k.txt")")
        done
    done
    printf '  round %d %-10s ddl %8.3f s (cpu %6.2f s), migration %8.3f s (cpu %6.2f s)\n' "$2" "$1" \
        "${seconds[@]}"
}

mg_heading "measure: $ROUNDS rounds; ddl: $((ITERATIONS * 4)) statements, migration: $big_statements statements"
bench_rounds "$ROUNDS" measure "${CONFIGS[@]}"

# What each configuration recorded of one round of the DDL workload, so "records more" is shown.
mg_heading "rows recorded over the whole run (warm-up and every round, both workloads)"
per_round=$((ROUNDS + 1))
printf '  mg-closed ddl_events: %s rows over %d runs of each workload\n' \
    "$(mg_psql -d bench_mg_closed -Atc 'SELECT count(*) FROM migration_guard.ddl_events')" "$per_round"
printf '  plpgsql   ddl_audit:  %s rows over %d runs of each workload\n' \
    "$(mg_psql -d bench_plpgsql -Atc 'SELECT count(*) FROM ddl_audit')" "$per_round"

mg_heading "result: ddl workload ($((ITERATIONS * 4)) statements, $ITERATIONS transactions): backend CPU time"
bench_report "$results/ddl-cpu.txt" bare s 1e6 "${CONFIGS[@]}"
mg_heading "result: ddl workload: wall time"
bench_report "$results/ddl-wall.txt" bare s 1e6 "${CONFIGS[@]}"
mg_heading "result: one large migration ($big_statements statements in one query string): backend CPU time"
bench_report "$results/migration-cpu.txt" bare s 1e6 "${CONFIGS[@]}"
mg_heading "result: one large migration: wall time"
bench_report "$results/migration-wall.txt" bare s 1e6 "${CONFIGS[@]}"
printf '\n%s; %s\n' "$(bench_machine)" \
    "$([ "${DURABLE:-0}" = 1 ] && echo "fsync, synchronous_commit, full_page_writes on" || echo "fsync, synchronous_commit, full_page_writes off")"
