#!/usr/bin/env bash
# DDL overhead, side by side in one run (issue #3's speed target, figure 1 of BENCHMARKS.md).
#
# One throwaway cluster, one database per configuration, the same DDL workload in each:
#   bare        PostgreSQL alone
#   mg-closed   migration_guard installed (ledger capture + guard), no preboot window open
#   mg-open     migration_guard with a preboot window open (every statement judged; the workload
#               only holds statements the rules allow)
#   plpgsql     the usual PL/pgSQL event trigger that copies pg_event_trigger_ddl_commands()
#               into a table (what teams write by hand)
# Configurations alternate inside every round (bare, mg-closed, mg-open, plpgsql, bare, ...), so
# noise from this shared machine lands on all of them alike. Reported: the median of the rounds
# per configuration, its ratio to bare, and the spread of the per-round ratios.
#
# Usage: bash bench/ddl_overhead.sh            (ITERATIONS=1000 ROUNDS=7 by default)
#        ITERATIONS=20 ROUNDS=1 bash bench/ddl_overhead.sh   (smoke run)
# Each iteration is one transaction: CREATE TABLE, ALTER TABLE ADD COLUMN, CREATE INDEX,
# DROP TABLE (4 statements; 1000 iterations = 4000 DDL statements).
set -euo pipefail
# shellcheck source=tools/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tools/lib.sh"
cd "$MG_REPO_ROOT"

ITERATIONS=${ITERATIONS:-1000}
ROUNDS=${ROUNDS:-7}
CONFIGS=(bare mg-closed mg-open plpgsql)

mg_heading "setup"
mg_ensure_deps >/dev/null
mg_build_extension >/dev/null
mg_cluster_start

mg_tmpdir work
workload=$work/workload.sql
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
} >"$workload"

for c in "${CONFIGS[@]}"; do
    db="bench_${c//-/_}"
    mg_psql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
    case $c in
    mg-closed) mg_psql -d "$db" -c "CREATE EXTENSION migration_guard" >/dev/null ;;
    mg-open)
        mg_psql -d "$db" -c "CREATE EXTENSION migration_guard" \
            -c "SELECT migration_guard.open_preboot_window('7 days', 'benchmark')" >/dev/null ;;
    plpgsql)
        mg_psql -d "$db" >/dev/null <<'SQL'
CREATE TABLE ddl_audit (id bigserial PRIMARY KEY, occurred_at timestamptz DEFAULT clock_timestamp(),
                        command_tag text, object_type text, schema_name text, object_identity text,
                        statement text, role name DEFAULT current_user, txid xid8 DEFAULT pg_current_xact_id());
CREATE FUNCTION audit_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO ddl_audit (command_tag, object_type, schema_name, object_identity, statement)
    SELECT c.command_tag, c.object_type, c.schema_name, c.object_identity, current_query()
      FROM pg_event_trigger_ddl_commands() c;
END $$;
CREATE EVENT TRIGGER audit_ddl ON ddl_command_end EXECUTE FUNCTION audit_ddl();
SQL
        ;;
    esac
    # One warm-up pass: caches, catalog, the library loaded.
    mg_psql -d "$db" -f "$workload" >/dev/null
done

mg_heading "measure: $ROUNDS rounds of $((ITERATIONS * 4)) DDL statements per configuration"
results=$work/results.txt
: >"$results"
for round in $(seq 1 "$ROUNDS"); do
    for c in "${CONFIGS[@]}"; do
        db="bench_${c//-/_}"
        start=$(date +%s%N)
        mg_psql -d "$db" -f "$workload" >/dev/null
        end=$(date +%s%N)
        echo "$round $c $(((end - start) / 1000))" >>"$results"
        printf '  round %d %-10s %8.3f s\n' "$round" "$c" "$(awk "BEGIN{print ($end - $start)/1e9}")"
    done
done

mg_heading "result"
# Median per configuration, ratio of medians to bare, and min..max of the per-round ratios.
awk -v configs="${CONFIGS[*]}" '
    { t[$2, $1] = $3; rounds[$1] = 1 }
    function median(a, n,    i, j, x) {
        for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
        return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    END {
        n = split(configs, cs, " "); r = length(rounds)
        for (k = 1; k <= r; k++) base[k] = t["bare", k]
        for (k = 1; k <= r; k++) b[k] = base[k]; mb = median(b, r)
        printf "  %-10s %12s %8s %18s\n", "config", "median (s)", "ratio", "per-round ratios"
        for (i = 1; i <= n; i++) {
            c = cs[i]; lo = 1e9; hi = 0
            for (k = 1; k <= r; k++) { v[k] = t[c, k]; q = t[c, k] / base[k]; if (q < lo) lo = q; if (q > hi) hi = q }
            m = median(v, r)
            printf "  %-10s %12.3f %8.3f %8.3f .. %.3f\n", c, m / 1e6, m / mb, lo, hi
        }
    }' "$results"
printf '\n  %d cores, %s, %d rounds, %d DDL statements per run, %s\n' "$(nproc)" \
    "$(mg_psql -d postgres -Atc 'SHOW server_version')" "$ROUNDS" "$((ITERATIONS * 4))" "$(date -u +%Y-%m-%d)"
