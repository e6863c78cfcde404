#!/usr/bin/env bash
# Figure 6: instruction counts (valgrind callgrind) of a server backend, so that regressions show
# without timing noise.
#
#   ddl   one iteration of figure 1's DDL: BEGIN; CREATE TABLE; ALTER TABLE ADD COLUMN;
#         CREATE INDEX; DROP TABLE; COMMIT — through the event-trigger path, in databases
#         bare / mg-closed / mg-open / plpgsql (as in figure 1), and mg-idle: migration_guard
#         installed with its event triggers disabled. mg-idle has mg-closed's catalogs and does
#         none of its work: what it costs more than bare is the catalogs' B-tree indexes having
#         another shape (page splits at other moments), not code that runs. Ratios are given to
#         both.
#   migration
#         figure 1's large migration (MIG_TABLES=300 tables: 1,542 statements in ONE query
#         string, one implicit transaction) in bare, in mg-closed, and in mg-recorded: the same
#         query string between begin_migration() and finish_migration(), as a tool sends it
#   dml   figure 2's pgbench TPC-B transaction (fixed ids), without and with migration_guard's
#         library loaded in the session (LOAD), in one database, so DML's untouchedness is
#         measured without timing noise
#   lint  migration_guard.lint() of a fixed script (bench/data/lint_fixed.sql)
#
# Method: the whole server runs under callgrind (a backend is a fork of the postmaster, so it
# is measured too), one output file per process. Counted: inside PortalRun (the execution of
# every statement, event triggers and hooks included) and CommitTransactionCommand (commit and
# its callbacks). Not counted: connection start (whose cost depends on the state of the relcache
# init file, so it differs between two sessions) and the parse analysis and planning of the
# client's statements, which no part of the extension hooks. Each measurement is two sessions that differ
# only in the work measured: session A runs a warm-up (WARMUP=6 iterations: library loaded, plans
# prepared and past the plan cache's five custom plans, caches filled), session B the same
# warm-up and then N more iterations. B - A, divided
# by N, is the cost of one iteration: connection start, warm-up and exit cancel out. The same
# difference per function (callgrind_annotate, inclusive and self) says where the instructions go;
# per-function differences of a migration_guard database minus those of bare are the extension's.
#
# Output (--out DIR, default bench/results/callgrind): totals.txt ("name instructions" per
# iteration), breakdown-*.txt (per-function differences), and the callgrind_annotate summaries
# of every session (annotate-*.txt, small text files), and the full per-function differences
# (full/*.tsv) for a closer look. bench/callgrind_compare.sh runs this for
# two git revisions and prints the ratios.
#
# Usage: bash bench/callgrind.sh [--out DIR] [--source DIR] [--iterations N] [--ddl-only]
#                                [--index-experiments]
#   --source DIR   build the extension from this source tree instead of this checkout
#                  (the workload and lint script still come from this checkout)
#   --ddl-only     only the ddl and migration measurements (quicker, while working on the
#                  capture path)
#   --index-experiments
#                  also measure ddl in three experimental databases: migration_guard with only
#                  ddl_events' primary key (mg-pk-only), with no index on it at all
#                  (mg-no-index), and with hash instead of B-tree indexes for the object and
#                  identity lookups, the other two dropped (mg-hash); what the ledger's indexes
#                  cost, for the figure-1 decision (BENCHMARKS.md)
#   CG_KEEP_RAW=1  also keep each session's callgrind output (full/callgrind.NAME), for
#                  callgrind_annotate --tree=both or kcachegrind
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$MG_REPO_ROOT"

OUT=$BENCH_DIR/results/callgrind
SOURCE=$MG_REPO_ROOT
ITERATIONS=${ITERATIONS:-$(bench_size 10 2)}
DDL_ONLY=0
INDEX_EXPERIMENTS=0
while [ $# -gt 0 ]; do
    case $1 in
    --out) OUT=$2; shift 2 ;;
    --source) SOURCE=$(cd "$2" && pwd); shift 2 ;;
    --iterations) ITERATIONS=$2; shift 2 ;;
    --ddl-only) DDL_ONLY=1; shift ;;
    --index-experiments) INDEX_EXPERIMENTS=1; shift ;;
    *) mg_die "unknown argument: $1 (usage: bench/callgrind.sh [--out DIR] [--source DIR] [--iterations N] [--ddl-only] [--index-experiments])" ;;
    esac
done
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
CONFIGS=(bare mg-idle mg-closed mg-open plpgsql)
[ "$INDEX_EXPERIMENTS" = 0 ] || CONFIGS+=(mg-pk-only mg-no-index mg-hash)

if [ "${BENCH_NO_INSTALL:-0}" = 1 ] && ! bench_have valgrind; then
    echo "callgrind: skipped, valgrind is not installed (BENCH_NO_INSTALL=1)"
    exit 0
fi
[ "$SOURCE" = "$MG_REPO_ROOT" ] || BENCH_SOURCE=$SOURCE
bench_setup
command -v callgrind_annotate >/dev/null || mg_die "callgrind_annotate not found (package valgrind)"

# --- databases, set up at full speed before the server moves under valgrind ----------------------
db_of() { echo "cg_${1//-/_}"; }
for c in "${CONFIGS[@]}"; do
    bench_config_db "$c" "$(db_of "$c")"
done
bench_config_db mg-closed cg_mg_recorded
# DML (figure 2's pgbench transaction) with and without the extension's library loaded in the
# session, in ONE database with the extension installed: the same tables, vacuumed before every
# session, so both see the same heap. A session loads the library only when it uses the
# extension (or LOADs it, as dml-mg's sessions do first).
bench_db_create cg_dml
"$MG_SERVER_BINDIR/pgbench" -i -q -s 1 cg_dml >/dev/null 2>&1 || mg_die "pgbench -i failed"
mg_psql -d cg_dml -c "CREATE EXTENSION migration_guard" >/dev/null
[ "$(mg_psql -d cg_dml -Atc "SELECT count(*) FROM pg_settings WHERE name = 'migration_guard.capture'")" = 0 ] ||
    mg_die "migration_guard is loaded in a session that did not use it: dml-bare would not be bare"
lint_available=$(mg_psql -d "$(db_of mg-closed)" -Atc \
    "SELECT count(*) FROM pg_proc WHERE proname = 'lint' AND pronamespace = 'migration_guard'::regnamespace")

# --- the server under callgrind -------------------------------------------------------------------
data=$MG_CLUSTER_DIR/data
raw=$MG_CLUSTER_DIR/callgrind
mkdir -p "$raw"
chown postgres: "$raw" 2>/dev/null || true
cat >>"$data/postgresql.conf" <<'EOF'
autovacuum = off
jit = off
EOF
_mg_as_cluster_owner "$MG_SERVER_BINDIR/pg_ctl" -D "$data" -w -t 60 stop >/dev/null
mg_info "starting the server under callgrind (slow)"
if mg_is_root; then as_owner=(runuser -u postgres --); else as_owner=(); fi
(cd "$MG_CLUSTER_DIR" && "${as_owner[@]}" valgrind --tool=callgrind --quiet \
    --callgrind-out-file="$raw/callgrind.%p" --dump-instr=no --collect-atstart=no \
    --toggle-collect=PortalRun --toggle-collect=CommitTransactionCommand \
    "$MG_SERVER_BINDIR/postgres" -D "$data" >>"$MG_CLUSTER_DIR/postgres.log" 2>&1 &)
for _ in $(seq 1 240); do
    pg_isready -q -h "$PGHOST" -p "$PGPORT" && break
    sleep 1
done
pg_isready -q -h "$PGHOST" -p "$PGPORT" || mg_die "the server did not start under callgrind"

mg_tmpdir work
ddl_iteration=$work/ddl_iteration.sql
cat >"$ddl_iteration" <<'EOF'
BEGIN;
CREATE TABLE cg_bench (id bigint PRIMARY KEY, payload text);
ALTER TABLE cg_bench ADD COLUMN created_at timestamptz;
CREATE INDEX cg_bench_payload ON cg_bench (payload);
DROP TABLE cg_bench;
COMMIT;
EOF
MIG_TABLES=${MIG_TABLES:-$(bench_size 300 3)}
mig_body=$work/migration_body.sql
bench_big_migration "$MIG_TABLES" >"$mig_body"
mig_query=$work/migration.sql
bench_one_query "$mig_body" >"$mig_query"
mig_recorded=$work/migration_recorded.sql
bench_recorded_query "$mig_body" cg-migration >"$mig_recorded"
dml_iteration=$work/dml_iteration.sql
cat >"$dml_iteration" <<'EOF'
BEGIN;
UPDATE pgbench_accounts SET abalance = abalance + 7 WHERE aid = 4711;
SELECT abalance FROM pgbench_accounts WHERE aid = 4711;
UPDATE pgbench_tellers SET tbalance = tbalance + 7 WHERE tid = 3;
UPDATE pgbench_branches SET bbalance = bbalance + 7 WHERE bid = 1;
INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (3, 1, 4711, 7, CURRENT_TIMESTAMP);
END;
EOF
lint_iteration=$work/lint_iteration.sql
cat >"$lint_iteration" <<EOF
SELECT count(*) FROM migration_guard.lint(:'script');
EOF

# session DB ITERATION_FILE COUNT: one session (WARMUP iterations + COUNT more); prints the pid.
# The warm-up reaches the steady state of a long session: the plan cache builds custom plans for
# the first five executions of a saved plan before it settles on a generic one.
WARMUP=${WARMUP:-6}
session() {
    local db=$1 iteration=$2 count=$3 script
    script=$work/session.sql
    # dml: the same heap for every session (a separate, unmeasured session).
    [ "$db" != cg_dml ] || mg_psql -d cg_dml -c "VACUUM pgbench_accounts, pgbench_branches, pgbench_tellers, pgbench_history" >/dev/null
    {
        echo "SET client_min_messages = warning;"
        # Before the warm-up, so both sessions of a measurement pay for it alike.
        [ -z "${SESSION_PROLOGUE:-}" ] || echo "$SESSION_PROLOGUE"
        echo "\\set script \`cat $MG_REPO_ROOT/bench/data/lint_fixed.sql\`"
        echo "SELECT pg_backend_pid();"
        for _ in $(seq 1 $((WARMUP + count))); do cat "$iteration"; done
        # After the warm-up: the large migration (measure_migration).
        [ -z "${SESSION_EPILOGUE_FILE:-}" ] || cat "$SESSION_EPILOGUE_FILE"
    } >"$script"
    mg_psql -d "$db" -At -f "$script" >"$work/session.out" || mg_die "the session in $db failed"
    head -n 1 "$work/session.out"
}

# annotate PID NAME: callgrind_annotate summaries of one session (inclusive and self).
annotate() {
    local file=$raw/callgrind.$1
    for _ in $(seq 1 120); do # the backend writes its file as it exits
        ! grep -q '^totals:' "$file" 2>/dev/null || break
        sleep 1
    done
    grep -q '^totals:' "$file" || mg_die "no callgrind output for backend $1"
    [ "${CG_KEEP_RAW:-0}" = 0 ] || cp "$file" "$OUT/full/callgrind.$2"
    # Full lists (every function) for the differences; the object paths of the private server
    # copy are temporary directories, dropped so that summaries of two runs line up.
    local kind
    for kind in inclusive self; do
        callgrind_annotate --auto=no --threshold=100 --inclusive="$([ $kind = inclusive ] && echo yes || echo no)" \
            "$file" | sed -E 's#/tmp/migration_guard\.[A-Za-z0-9]+##g; s#^(Profile data file|Profiled target).*#\1 (temporary path)#' \
            >"$work/annotate-$2-$kind.txt"
        # The summary kept in the results: the 120 costliest functions.
        awk '/^-+$/ { dashes++ } dashes < 6 || ++listed <= 121' "$work/annotate-$2-$kind.txt" \
            >"$OUT/annotate-$2-$kind.txt"
    done
}

# total NAME: the program total of a session's summary.
total() {
    awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }' "$work/annotate-$1-self.txt"
}

# function_costs NAME KIND: "count name" per function, from a summary.
function_costs() {
    awk '$1 ~ /^[0-9,]+$/ && $2 ~ /^\(/ && !/PROGRAM TOTALS/ {
             n = $1; gsub(",", "", n); sub(/^ *[0-9,]+ +\( *[0-9.]+%\) +/, ""); print n "\t" $0 }' \
        "$work/annotate-$1-$2.txt"
}

# difference B A KIND N: per-function difference B - A per iteration, "delta<TAB>name".
difference() {
    awk -F '\t' -v n="$4" 'FNR == NR { a[$2] = $1; next } { d = ($1 - a[$2]) / n; delete a[$2]; if (d != 0) printf "%.0f\t%s\n", d, $2 }
         END { for (k in a) printf "%.0f\t%s\n", -a[k] / n, k }' \
        <(function_costs "$2" "$3") <(function_costs "$1" "$3")
}

measure() { # name db iteration_file [iterations]
    local name=$1 n=${4:-$ITERATIONS} pid_a pid_b
    mg_info "callgrind: $name"
    pid_a=$(session "$2" "$3" 0)
    pid_b=$(session "$2" "$3" "$n")
    annotate "$pid_a" "$name-A"
    annotate "$pid_b" "$name-B"
    echo "$name $((($(total "$name-B") - $(total "$name-A")) / n))" >>"$OUT/totals.txt"
    difference "$name-B" "$name-A" inclusive "$n" | sort -t $'\t' -k1,1nr >"$work/$name-inclusive.tsv"
    difference "$name-B" "$name-A" self "$n" | sort -t $'\t' -k1,1nr >"$work/$name-self.tsv"
}

# measure_migration NAME DB FILE: the large migration, once. Session A is the ddl warm-up; session
# B the same warm-up, then the migration; B - A is the migration. Its schema is dropped after
# session B, in a session not measured.
measure_migration() {
    local name=$1 pid_a pid_b
    mg_info "callgrind: $name"
    pid_a=$(session "$2" "$ddl_iteration" 0)
    pid_b=$(SESSION_EPILOGUE_FILE=$3 session "$2" "$ddl_iteration" 0)
    mg_psql -d "$2" -c "SET client_min_messages = warning" -c "SET migration_guard.enforce = off" \
        -c "DROP SCHEMA big_mig CASCADE" >/dev/null
    annotate "$pid_a" "$name-A"
    annotate "$pid_b" "$name-B"
    echo "$name $(($(total "$name-B") - $(total "$name-A")))" >>"$OUT/totals.txt"
    difference "$name-B" "$name-A" inclusive 1 | sort -t $'\t' -k1,1nr >"$work/$name-inclusive.tsv"
    difference "$name-B" "$name-A" self 1 | sort -t $'\t' -k1,1nr >"$work/$name-self.tsv"
}

: >"$OUT/totals.txt"
rm -rf "$OUT"/annotate-*.txt "$OUT"/breakdown-*.txt "$OUT"/full
mkdir -p "$OUT/full"
for c in "${CONFIGS[@]}"; do
    measure "ddl-$c" "$(db_of "$c")" "$ddl_iteration"
done
measure_migration migration-bare "$(db_of bare)" "$mig_query"
measure_migration migration-mg-closed "$(db_of mg-closed)" "$mig_query"
measure_migration migration-mg-recorded cg_mg_recorded "$mig_recorded"
# A transaction is short and its heap maintenance (page pruning) comes in bursts: ten times as
# many iterations average them out.
if [ "$DDL_ONLY" = 0 ]; then
    measure dml-bare cg_dml "$dml_iteration" $((ITERATIONS * 10))
    SESSION_PROLOGUE="LOAD 'migration_guard';" measure dml-mg cg_dml "$dml_iteration" $((ITERATIONS * 10))
fi

if [ "$DDL_ONLY" = 1 ]; then
    : # lint is not measured
elif [ "$lint_available" = 1 ]; then
    measure "lint" "$(db_of mg-closed)" "$lint_iteration"
else
    mg_warn "this build has no migration_guard.lint(): lint not measured"
fi

# --- where the extension's instructions go: mg-* minus bare, per function ------------------------
extra() { # base config kind: per-function (config - base), largest first
    awk -F '\t' 'FNR == NR { b[$2] = $1; next } { d = $1 - b[$2]; delete b[$2]; if (d != 0) printf "%.0f\t%s\n", d, $2 }
         END { for (k in b) printf "%.0f\t%s\n", -b[k], k }' \
        "$work/$1-$3.tsv" "$work/$2-$3.tsv" | sort -t $'\t' -k1,1nr
}
for c in mg-closed mg-open plpgsql; do
    for kind in inclusive self; do
        {
            echo "# Instructions per DDL iteration (BEGIN; CREATE TABLE; ALTER TABLE ADD COLUMN;"
            echo "# CREATE INDEX; DROP TABLE; COMMIT) in $c minus bare, per function ($kind cost)."
            echo "# Positive: more in $c. $(bench_machine)"
            extra ddl-bare "ddl-$c" "$kind" | awk "NR <= 100"
        } >"$OUT/breakdown-$c-minus-bare-$kind.txt"
        extra ddl-bare "ddl-$c" "$kind" >"$OUT/full/$c-minus-bare-$kind.tsv"
        extra ddl-mg-idle "ddl-$c" "$kind" >"$OUT/full/$c-minus-mg-idle-$kind.tsv"
    done
done
for c in mg-closed mg-recorded; do
    for kind in inclusive self; do
        {
            echo "# Instructions of figure 1's large migration ($MIG_TABLES tables in one query string) in"
            echo "# $c minus bare, per function ($kind cost). Positive: more in $c. $(bench_machine)"
            extra migration-bare "migration-$c" "$kind" | awk "NR <= 100"
        } >"$OUT/breakdown-migration-$c-minus-bare-$kind.txt"
    done
done
cp "$work"/*.tsv "$OUT/full/"
if [ "$DDL_ONLY" = 0 ]; then
    for kind in inclusive self; do
        {
            echo "# Instructions per pgbench TPC-B transaction with migration_guard loaded minus without,"
            echo "# per function ($kind cost). $(bench_machine)"
            extra dml-bare dml-mg "$kind" | awk "NR <= 100"
        } >"$OUT/breakdown-dml-mg-minus-bare-$kind.txt"
    done
    # The extension's own instructions in a DML transaction: the self cost of everything in
    # migration_guard.so, plus the setjmp of its hook's PG_TRY (with the library loaded minus without).
    extra dml-bare dml-mg self | awk -F '\t' '$2 ~ /migration_guard\.so\]$|setjmp\.S:__sigsetjmp|sigjmp\.c:__sigjmp_save/ { s += $1 }
        END { printf "dml-mg-own-code %d\n", s }' >>"$OUT/totals.txt"
fi
{
    echo "# Instructions per lint() call of bench/data/lint_fixed.sql, per function (inclusive)."
    [ ! -f "$work/lint-inclusive.tsv" ] || awk "NR <= 100" "$work/lint-inclusive.tsv"
} >"$OUT/breakdown-lint-inclusive.txt"
# The overview the lead asked for: where one iteration's extra instructions go, by the functions
# that matter (inclusive cost, configuration minus bare; nested rows are part of the row above).
KEY_FUNCTIONS=(
    "ddl_command_start: firing (EventTriggerDDLCommandStart)|EventTriggerDDLCommandStart"
    "  the guard (mg_guard_ddl)|mg_guard_ddl"
    "ddl_command_end: firing (EventTriggerDDLCommandEnd)|EventTriggerDDLCommandEnd"
    "  capture (mg_capture_ddl)|mg_capture_ddl"
    "  PL/pgSQL trigger (plpgsql_call_handler)|plpgsql_call_handler"
    "sql_drop: firing (EventTriggerSQLDrop)|EventTriggerSQLDrop"
    "  capture of drops (mg_capture_drop)|mg_capture_drop"
    "table_rewrite: firing (EventTriggerTableRewrite)|EventTriggerTableRewrite"
    "both captures: SPI_execute_plan of the INSERT|SPI_execute_plan"
    "  GetCachedPlan (plan cache; re-planning when it builds a custom plan)|GetCachedPlan"
    "    pg_plan_queries (planning)|pg_plan_queries"
    "  ExecutorStart|ExecutorStart"
    "  ExecutorRun (the INSERT ... SELECT)|ExecutorRun"
    "    pg_event_trigger_ddl_commands|pg_event_trigger_ddl_commands"
    "    pg_event_trigger_dropped_objects|pg_event_trigger_dropped_objects"
    "    heap_insert (all tables)|heap_insert"
    "    ExecInsertIndexTuples (index entries)|ExecInsertIndexTuples"
    "  ExecutorEnd|ExecutorEnd"
    "ProcessUtility hook: guard check (check_utility_statement)|mg::pg::guard::check_utility_statement\\(PlannedStmt\\*\\)"
    "command collection for event triggers (EventTriggerCollectSimpleCommand)|EventTriggerCollectSimpleCommand"
    "commit (CommitTransactionCommand)|CommitTransactionCommand"
)
key_row() { # config regex [base]: inclusive instructions per iteration, config minus base (bare)
    KEY_RE="^[^:]*:($2) [[]" awk -F '\t' '
        BEGIN { re = ENVIRON["KEY_RE"] }
        FNR == NR { if ($2 ~ re) b += $1; next } $2 ~ re { c += $1 } END { printf "%.0f", c - b }' \
        "$work/ddl-${3:-bare}-inclusive.tsv" "$work/ddl-$1-inclusive.tsv"
}
{
    echo "# Where the extra instructions of one DDL iteration go (BEGIN; CREATE TABLE; ALTER TABLE"
    echo "# ADD COLUMN; CREATE INDEX; DROP TABLE; COMMIT), per configuration minus bare, by"
    echo "# inclusive cost of the functions that matter. Indented rows are part of the row above."
    echo "# $(bench_machine); $ITERATIONS iterations"
    printf '| %s | %s | %s | %s |\n|---|---|---|---|\n' "where" mg-closed mg-open plpgsql
    base=$(awk '$1 == "ddl-bare" { print $2 }' "$OUT/totals.txt")
    printf '| all extra instructions (bare: %s) |' "$base"
    for c in mg-closed mg-open plpgsql; do
        printf ' %s |' "$(($(awk -v n="ddl-$c" '$1 == n { print $2 }' "$OUT/totals.txt") - base))"
    done
    echo
    for entry in "${KEY_FUNCTIONS[@]}"; do
        printf '| %s |' "${entry%%|*}"
        for c in mg-closed mg-open plpgsql; do printf ' %s |' "$(key_row "$c" "${entry#*|}")"; done
        echo
    done
} >"$OUT/where-the-instructions-go.txt"
# The same, against mg-idle (the same catalogs, none of the work): what migration_guard's work is
# made of, PostgreSQL's part included. Rows are not nested unless indented.
WORK_PARTS=(
    "PostgreSQL collecting commands and dropped objects for event triggers|EventTriggerSQLDropAddObject|EventTriggerCollectSimpleCommand|EventTriggerCollectAlterTableSubcmd|EventTriggerAlterTableStart|EventTriggerAlterTableEnd|EventTriggerCollectGrant|EventTriggerCollectCreateOpClass|EventTriggerCollectAlterOpFam|EventTriggerCollectAlterTSConfig|EventTriggerCollectAlterDefPrivs"
    "reading the reports: pg_event_trigger_ddl_commands()|pg_event_trigger_ddl_commands"
    "reading the reports: pg_event_trigger_dropped_objects()|pg_event_trigger_dropped_objects"
    "writing ddl_events rows (event_log::write)|mg::pg::event_log::write\\(.*\\)"
    "  index entries (index_insert)|index_insert"
    "  heap tuples (heap_insert)|heap_insert"
    "  event_id (nextval_internal)|nextval_internal"
    "  opening and locking the indexes (index_open)|index_open"
    "the guard at ddl_command_start (mg_guard_ddl)|mg_guard_ddl"
    "the guard at sql_drop (check_dropped_objects)|mg::pg::guard::check_dropped_objects\\(.*\\)"
)
{
    echo "# What migration_guard's work in one DDL iteration is made of: inclusive instructions, per"
    echo "# configuration minus mg-idle (migration_guard installed, its event triggers disabled)."
    echo "# $(bench_machine); $ITERATIONS iterations"
    printf '| %s | %s | %s |\n|---|---|---|\n' "part" mg-closed mg-open
    idle=$(awk '$1 == "ddl-mg-idle" { print $2 }' "$OUT/totals.txt")
    printf '| all extra instructions (mg-idle: %s) |' "$idle"
    for c in mg-closed mg-open; do
        printf ' %s |' "$(($(awk -v n="ddl-$c" '$1 == n { print $2 }' "$OUT/totals.txt") - idle))"
    done
    echo
    for entry in "${WORK_PARTS[@]}"; do
        printf '| %s |' "${entry%%|*}"
        for c in mg-closed mg-open; do printf ' %s |' "$(key_row "$c" "${entry#*|}" mg-idle)"; done
        echo
    done
} >"$OUT/what-the-work-is-made-of.txt"

# Stopping the server writes the background processes' files too; only the sessions' are kept.
_mg_as_cluster_owner "$MG_SERVER_BINDIR/pg_ctl" -D "$data" -m fast -w -t 120 stop >/dev/null || true

mg_heading "result: instructions per iteration (callgrind, $ITERATIONS iterations)"
base=$(awk '$1 == "ddl-bare" { print $2 }' "$OUT/totals.txt")
idle=$(awk '$1 == "ddl-mg-idle" { print $2 }' "$OUT/totals.txt")
printf '| measurement | instructions | ratio to ddl-bare | ratio to ddl-mg-idle |\n|---|---|---|---|\n'
dml_base=$(awk '$1 == "dml-bare" { print $2 }' "$OUT/totals.txt")
mig_base=$(awk '$1 == "migration-bare" { print $2 }' "$OUT/totals.txt")
awk -v base="$base" -v idle="$idle" -v dml="$dml_base" -v mig="$mig_base" '{
    if ($1 ~ /^ddl-/) ratio = sprintf("%.3f", $2 / base)
    else if ($1 ~ /^dml-/) ratio = sprintf("%.4f (to dml-bare)", $2 / dml)
    else if ($1 ~ /^migration-/) ratio = sprintf("%.3f (to migration-bare)", $2 / mig)
    else ratio = "–"
    printf "| %s | %.0f | %s | %s |\n", $1, $2, ratio,
    ($1 ~ /^ddl-/ ? sprintf("%.3f", $2 / idle) : "–") }' "$OUT/totals.txt"
echo "(dml-mg-own-code: instructions per transaction in migration_guard's own code, hook and callbacks)"
echo
cat "$OUT/where-the-instructions-go.txt"
echo
cat "$OUT/what-the-work-is-made-of.txt"
printf '\n%s\noutput: %s\n' "$(bench_machine)" "$OUT"
