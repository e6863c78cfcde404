# shellcheck shell=bash
# Shared helpers for the benchmarks in bench/. Source it; do not run it. It sources tools/lib.sh
# (throwaway cluster, private server copy, mg_psql) and adds:
#
#   BENCH_SMOKE             1 when the run is a smoke run (`bench/run.sh --smoke` exports it):
#                           tiny sizes, one round; the numbers mean nothing, the harness is tested
#   bench_size FULL SMOKE   prints FULL, or SMOKE in a smoke run
#   bench_setup             installs the benchmarks' extra packages (BENCH_PACKAGES, through
#                           tools/ensure-deps.sh), builds the extension (from BENCH_SOURCE if
#                           set, else this checkout) into the private server copy and starts a
#                           throwaway cluster (unless BENCH_NO_CLUSTER=1)
#   bench_have PACKAGE      true when the Debian package is installed (with BENCH_NO_INSTALL=1,
#                           the smoke test's setting, bench_setup installs nothing and figures
#                           skip what needs a missing package)
#   bench_now_us            the wall clock in microseconds (bash's EPOCHREALTIME)
#   bench_time_us CMD...    runs CMD (output discarded) and prints its wall time in microseconds
#   bench_rounds N FN CONFIG...
#                           N rounds; in each round FN CONFIG ROUND runs once per configuration,
#                           the configurations rotating (round r starts with the r-th), so drift
#                           and position effects on this shared machine land on all of them alike
#   bench_record FILE ROUND CONFIG VALUE
#                           appends one measurement to FILE
#   bench_report FILE BASE UNIT SCALE [CONFIG...]
#                           a Markdown table per configuration: median of the rounds (VALUE / SCALE,
#                           in UNIT), ratio of medians to BASE, the median of the per-round ratios
#                           and their spread (min .. max). Ratios are CONFIG / BASE as measured,
#                           whatever the unit (time: lower is better; throughput: higher).
#   bench_machine           one line: date (UTC), nproc, PostgreSQL version, commit
#
# Every figure is a ratio of configurations measured side by side in ONE run. Never compare
# numbers from two runs: these machines are shared and their speed changes from minute to minute.

# shellcheck source=tools/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tools/lib.sh"

# shellcheck disable=SC2034 # used by the scripts that source this file
BENCH_DIR=$MG_REPO_ROOT/bench
BENCH_SMOKE=${BENCH_SMOKE:-0}

# Packages only the benchmarks need; the test command never installs them.
BENCH_PACKAGES=(
    postgresql-15-pgaudit # figure 1: pgaudit logging DDL, an anchor
    valgrind              # figure 6: callgrind instruction counts
)

bench_size() {
    if [ "$BENCH_SMOKE" = 1 ]; then echo "$2"; else echo "$1"; fi
}

bench_have() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = installed ]
}

bench_setup() {
    mg_heading "setup"
    if [ "${BENCH_NO_INSTALL:-0}" = 1 ]; then
        # The smoke test inside the test command installs nothing: what is missing is skipped.
        mg_ensure_deps >/dev/null || mg_die "the build dependencies are missing (tools/ensure-deps.sh)"
    else
        bash "$MG_REPO_ROOT/tools/ensure-deps.sh" "${BENCH_PACKAGES[@]}" >/dev/null ||
            mg_die "could not install the benchmarks' packages (tools/ensure-deps.sh ${BENCH_PACKAGES[*]})"
    fi
    mg_stage_server || mg_die "could not make the private server copy"
    # BENCH_SOURCE: another source tree to build the extension from (bench/callgrind_compare.sh)
    MG_REPO_ROOT=${BENCH_SOURCE:-$MG_REPO_ROOT} mg_build_extension >/dev/null ||
        mg_die "the extension did not build${BENCH_SOURCE:+ from $BENCH_SOURCE}"
    [ "${BENCH_NO_CLUSTER:-0}" = 1 ] || mg_cluster_start || mg_die "the throwaway cluster did not start"
}

bench_now_us() {
    local t=${EPOCHREALTIME//[.,]/} # bash 5: microseconds, without forking date
    echo "$((10#$t))"
}

bench_time_us() {
    local start end
    start=$(bench_now_us)
    "$@" >/dev/null
    end=$(bench_now_us)
    echo $((end - start))
}

bench_rounds() {
    local rounds=$1 fn=$2 round i n
    shift 2
    local configs=("$@")
    n=${#configs[@]}
    for round in $(seq 1 "$rounds"); do
        for i in $(seq 0 $((n - 1))); do
            "$fn" "${configs[$(((i + round - 1) % n))]}" "$round"
        done
    done
}

bench_record() {
    echo "$2 $3 $4" >>"$1"
}

bench_report() {
    local file=$1 base=$2 unit=$3 scale=$4
    shift 4
    local names="$*"
    [ -n "$names" ] || names=$(awk '!seen[$2]++ { printf "%s ", $2 }' "$file")
    awk -v base="$base" -v configs="$names" -v unit="$unit" -v scale="$scale" '
        function median(a, n,    i, j, x) {
            for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
            return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
        }
        { v[$2, $1] = $3; if (!($1 in seen)) { seen[$1] = 1; rounds[++r] = $1 } }
        END {
            n = split(configs, cs, " ")
            for (k = 1; k <= r; k++) b[k] = v[base, rounds[k]]
            mb = median(b, r)
            printf "| configuration | median (%s) | ratio of medians | median per-round ratio | per-round ratios (min .. max) |\n", unit
            printf "|---|---|---|---|---|\n"
            for (i = 1; i <= n; i++) {
                c = cs[i]; lo = 1e300; hi = -1e300; m = 0
                for (k = 1; k <= r; k++) {
                    x[k] = v[c, rounds[k]]; q[k] = x[k] / v[base, rounds[k]]
                    if (q[k] < lo) lo = q[k]; if (q[k] > hi) hi = q[k]
                }
                mx = median(x, r); mq = median(q, r)
                if (c == base) printf "| %s | %.4g | 1 | 1 | |\n", c, mx / scale
                else printf "| %s | %.4g | %.3f | %.3f | %.3f .. %.3f |\n", c, mx / scale, mx / mb, mq, lo, hi
            }
            printf "\n%d rounds\n", r
        }' "$file"
}

# bench_big_migration TABLES: figure 1's large migration on stdout, one statement per line, each
# ending in ";": a schema, then TABLES tables with an index, an added column, a foreign key and a
# comment each, a view every 10 tables, a PL/pgSQL function every 25 (5 statements a table).
bench_big_migration() {
    local i
    echo "CREATE SCHEMA big_mig;"
    for i in $(seq 1 "$1"); do
        echo "CREATE TABLE big_mig.t_$i (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, account_id bigint NOT NULL, name text NOT NULL, amount numeric(12,2), created_at timestamptz NOT NULL DEFAULT now());"
        echo "CREATE INDEX t_${i}_account_idx ON big_mig.t_$i (account_id);"
        echo "ALTER TABLE big_mig.t_$i ADD COLUMN note text;"
        [ "$i" -eq 1 ] || echo "ALTER TABLE big_mig.t_$i ADD CONSTRAINT t_${i}_parent_fk FOREIGN KEY (account_id) REFERENCES big_mig.t_$((i - 1)) (id);"
        echo "COMMENT ON TABLE big_mig.t_$i IS 'table $i of the benchmark migration';"
        [ $((i % 10)) -ne 0 ] || echo "CREATE VIEW big_mig.v_$i AS SELECT id, name, amount FROM big_mig.t_$i WHERE amount > 0;"
        [ $((i % 25)) -ne 0 ] || echo "CREATE FUNCTION big_mig.f_$i(bigint) RETURNS bigint LANGUAGE plpgsql AS \$f\$ BEGIN RETURN \$1 + $i; END \$f\$;"
    done
}

# bench_one_query BODY: the statements of BODY (one per line, each ending in ";") as ONE query
# string for psql (joined by "\;"), so that they run in one implicit transaction.
bench_one_query() {
    sed 's/;$/ \\;/' "$1" | sed '$ s/ \\;$/;/'
}

# bench_recorded_query BODY VERSION: the same query string between begin_migration(VERSION, the
# script) and finish_migration(), as a migration tool would send it.
bench_recorded_query() {
    printf "SELECT migration_guard.begin_migration('%s', \$mgscript\$" "$2"
    cat "$1"
    printf "\$mgscript\$, 'benchmark migration', 'bench') \\\\;\n"
    sed 's/;$/ \\;/' "$1"
    echo "SELECT migration_guard.finish_migration();"
}

bench_machine() {
    local version commit
    version=$("$MG_SERVER_BINDIR/postgres" --version 2>/dev/null | awk '{print $3}')
    commit=$(git -C "$MG_REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
    if ! git -C "$MG_REPO_ROOT" diff --quiet HEAD 2>/dev/null; then commit="$commit+changes"; fi
    printf '%s, %s cores, PostgreSQL %s, commit %s%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" \
        "$(nproc)" "$version" "$commit" "$([ "$BENCH_SMOKE" = 1 ] && echo ', SMOKE RUN (sizes too small to mean anything)')"
}

# bench_db_create NAME: a fresh database on the throwaway cluster.
bench_db_create() {
    mg_psql -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1" \
        -c "CREATE DATABASE $1" >/dev/null
}

# bench_cluster_set SETTING...: appends settings ("name = value") to the throwaway cluster's
# postgresql.conf and restarts it (e.g. shared_preload_libraries).
bench_cluster_set() {
    local data="$MG_CLUSTER_DIR/data" setting
    for setting in "$@"; do echo "$setting" >>"$data/postgresql.conf"; done
    _mg_as_cluster_owner "$MG_SERVER_BINDIR/pg_ctl" -D "$data" -l "$MG_CLUSTER_DIR/postgres.log" \
        -w -t 60 restart >/dev/null || mg_die "the throwaway cluster did not restart with: $*"
}

# bench_median FILE CONFIG: the median value of CONFIG's rounds in a results file.
bench_median() {
    awk -v c="$2" '$2 == c { print $3 }' "$1" | sort -n |
        awk '{ a[NR] = $1 } END { print NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# bench_config_db CONFIG DB: a fresh database set up as one of figure 1's configurations:
#   bare (nothing), mg-idle (migration_guard installed, its event triggers disabled: the same
#   catalogs as mg-closed, none of its work), mg-closed (migration_guard), mg-open
#   (migration_guard with a preboot window open), plpgsql (the usual hand-written event trigger
#   copying pg_event_trigger_ddl_commands() into a table), pgaudit (pgaudit logging DDL; needs it in shared_preload_libraries)
bench_config_db() {
    local config=$1 db=$2
    bench_db_create "$db"
    case $config in
    bare) ;;
    mg-closed) mg_psql -d "$db" -c "CREATE EXTENSION migration_guard" >/dev/null ;;
    mg-idle)
        mg_psql -d "$db" -c "CREATE EXTENSION migration_guard" >/dev/null
        mg_psql -d "$db" -Atc "SELECT format('ALTER EVENT TRIGGER %I DISABLE;', evtname) FROM pg_event_trigger
                                WHERE evtname LIKE 'migration\_guard\_%'" | mg_psql -d "$db" >/dev/null ;;
    mg-pk-only | mg-no-index | mg-hash)
        # Experiments on ddl_events' indexes (bench/callgrind.sh --index-experiments): what
        # writing the ledger costs with fewer or other indexes. Each loses lookups the history
        # functions and views rely on; none of them is a supported configuration.
        mg_psql -d "$db" -c "CREATE EXTENSION migration_guard" >/dev/null
        local index
        for index in ddl_events_migration_idx ddl_events_object_idx ddl_events_drift_idx \
            ddl_events_identity_idx; do
            mg_psql -d "$db" -c "DROP INDEX migration_guard.$index" >/dev/null
        done
        case $config in
        mg-no-index)
            mg_psql -d "$db" -c "ALTER TABLE migration_guard.ddl_events DROP CONSTRAINT ddl_events_pkey" \
                >/dev/null ;;
        mg-hash)
            mg_psql -d "$db" >/dev/null <<'SQL'
CREATE INDEX ddl_events_object_idx ON migration_guard.ddl_events USING hash (objid);
CREATE INDEX ddl_events_identity_idx ON migration_guard.ddl_events USING hash (object_identity);
SQL
            ;;
        esac ;;
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
    pgaudit)
        mg_psql -d "$db" -c "CREATE EXTENSION pgaudit" \
            -c "ALTER DATABASE $db SET pgaudit.log = 'ddl'" >/dev/null ;;
    *) mg_die "unknown configuration: $config" ;;
    esac
}
