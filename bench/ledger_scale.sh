#!/usr/bin/env bash
# Figure 3: ledger scale. Does a migration's begin/finish, or a typical history lookup, get
# slower as the ledger grows? Two databases of one throwaway cluster:
#   small   SMALL migrations (1,000) and 10 DDL events each (10,000)
#   large   LARGE migrations (1,000,000) and 10 DDL events each (10,000,000)
# The rows are generated (INSERT ... SELECT), not recorded through begin/finish one by one, with
# realistic values: versions, names, a short script per migration with its real script hash, and
# a consistent hash chain (chain_hash over the previous entry, computed in migration_id order,
# and the chain head), so begin_migration appends to a valid chain; 1 % of the DDL events are
# drift (no migration) and 2.5 % of the migrations failed (25 in the small ledger: a lookup of
# the latest 20 failures finds as many in both). Each migration works on a table of its own
# (public.t_N, one OID), so an object's history is EVENTS_PER_MIGRATION events in either ledger:
# a lookup returns the same rows from both, and only the ledger's size differs.
# verify_ledger() is not timed: it recomputes the whole chain by design.
#
# Timed per round, alternating small/large:
#   begin_finish   MIGRATIONS migrations, each: BEGIN; begin_migration(version, script);
#                  CREATE TABLE; DROP TABLE; finish_migration(); COMMIT (psql, one session);
#                  reported per migration
#   each lookup    a typical history query, up to REPEAT times inside the server (plpgsql loop
#                  that fetches every row and column), so client start-up is not counted;
#                  reported per execution
# Reported: ratio large / small per operation (target: at most 1.2), and EXPLAIN of every lookup
# and of the queries begin/finish run (auto_explain of the nested statements) in the large
# database.
#
# Usage: bash bench/ledger_scale.sh  (SMALL=1000 LARGE=1000000 EVENTS_PER_MIGRATION=10 ROUNDS=5;
#                                     BENCH_SMOKE=1: 100 vs 2,000 migrations, 1 round)
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$MG_REPO_ROOT"

SMALL=${SMALL:-$(bench_size 1000 100)}
LARGE=${LARGE:-$(bench_size 1000000 2000)}
EVENTS_PER_MIGRATION=${EVENTS_PER_MIGRATION:-10}
ROUNDS=${ROUNDS:-$(bench_size 5 1)}
MIGRATIONS=${MIGRATIONS:-$(bench_size 50 3)}
REPEAT=${REPEAT:-$(bench_size 100 3)}

bench_setup
bench_cluster_set "shared_buffers = '1GB'" "max_wal_size = '20GB'" "checkpoint_timeout = '30min'" \
    "maintenance_work_mem = '256MB'"

mg_tmpdir work

# generate DB MIGRATIONS: the extension and a generated ledger.
generate() {
    local db=$1 n=$2 events=$(($2 * EVENTS_PER_MIGRATION))
    mg_info "generating $db: $n migrations, $events DDL events"
    bench_db_create "$db"
    mg_psql -d "$db" -v n="$n" -v per="$EVENTS_PER_MIGRATION" >/dev/null <<'SQL'
CREATE EXTENSION migration_guard;
SET migration_guard.capture = off; -- the generated rows are the whole ledger
CREATE TABLE public.accounts (id bigint PRIMARY KEY); -- a real relation for object_history(regclass)
-- The chain, in migration_id order: each entry's chain hash covers the previous one.
CREATE TEMP TABLE gen AS
WITH RECURSIVE chain (n, script, script_hash, previous, hash) AS (
    SELECT 1::bigint, s.script, s.h, ''::text, migration_guard.chain_hash('', lpad('1', 14, '0'), s.h)
      FROM (SELECT format(E'ALTER TABLE public.t_%s ADD COLUMN c_%s text;\nCREATE INDEX CONCURRENTLY t_%s_c_%s_idx ON public.t_%s (c_%s);\n', 1 % 500, 1, 1 % 500, 1, 1 % 500, 1) AS script) s0,
           LATERAL (SELECT s0.script, migration_guard.script_hash(s0.script) AS h) s
    UNION ALL
    SELECT c.n + 1, s.script, s.h, c.hash, migration_guard.chain_hash(c.hash, lpad((c.n + 1)::text, 14, '0'), s.h)
      FROM chain c,
           LATERAL (SELECT format(E'ALTER TABLE public.t_%s ADD COLUMN c_%s text;\nCREATE INDEX CONCURRENTLY t_%s_c_%s_idx ON public.t_%s (c_%s);\n', (c.n + 1) % 500, c.n + 1, (c.n + 1) % 500, c.n + 1, (c.n + 1) % 500, c.n + 1) AS script) s0,
           LATERAL (SELECT s0.script, migration_guard.script_hash(s0.script) AS h) s
     WHERE c.n < :n
)
SELECT * FROM chain;
INSERT INTO migration_guard.migrations
    (migration_id, version, name, tool, kind, status, script, script_hash, previous_chain_hash,
     chain_hash, applied_by, session_role, started_at, finished_at, in_transaction, txid,
     backend_pid, backend_start)
SELECT g.n, lpad(g.n::text, 14, '0'), 'add reporting column ' || g.n, 'flyway', 'migration',
       CASE WHEN g.n % 40 = 0 THEN 'failed' ELSE 'succeeded' END,
       g.script, g.script_hash, g.previous, g.hash, 'deployer', 'deployer',
       timestamptz '2015-01-01' + g.n * interval '2 minutes',
       timestamptz '2015-01-01' + g.n * interval '2 minutes' + interval '1.5 seconds',
       true, NULL, 1000 + g.n % 30000, timestamptz '2015-01-01' + g.n * interval '2 minutes' - interval '1 hour'
  FROM gen g ORDER BY g.n;
INSERT INTO migration_guard.chain_head (migration_id, chain_hash, entries)
SELECT g.n, g.hash, g.n FROM gen g ORDER BY g.n DESC LIMIT 1;
SELECT setval('migration_guard.migrations_migration_id_seq', :n);
-- DDL events: EVENTS_PER_MIGRATION per migration, 1 % of them drift (no migration).
INSERT INTO migration_guard.ddl_events
    (event_id, migration_id, occurred_at, event, command_tag, object_type, schema_name,
     object_identity, classid, objid, objsubid, statement, role, session_role, backend_pid, txid)
SELECT e, CASE WHEN e % 100 = 0 THEN NULL ELSE (e - 1) / :per + 1 END,
       timestamptz '2015-01-01' + ((e - 1) / :per + 1) * interval '2 minutes' + (e % :per) * interval '10 ms',
       CASE WHEN e % 10 = 9 THEN 'sql_drop' ELSE 'ddl_command_end' END,
       (ARRAY['CREATE TABLE', 'ALTER TABLE', 'CREATE INDEX', 'ALTER TABLE', 'COMMENT',
              'CREATE VIEW', 'ALTER TABLE', 'CREATE FUNCTION', 'GRANT', 'DROP TABLE'])[e % 10 + 1],
       (ARRAY['table', 'table', 'index', 'table column', 'table', 'view', 'table', 'function',
              'table', 'table'])[e % 10 + 1],
       'public', 'public.t_' || ((e - 1) / :per),
       'pg_catalog.pg_class'::regclass, (100000 + (e - 1) / :per)::oid, 0,
       format('ALTER TABLE public.t_%s ADD COLUMN c_%s text', (e - 1) / :per, e),
       'deployer', 'deployer', 1000 + e % 30000, NULL
  FROM generate_series(1::bigint, :n::bigint * :per) e;
-- The real relation has a history too (its OID, a few events).
UPDATE migration_guard.ddl_events SET objid = 'public.accounts'::regclass,
       object_identity = 'public.accounts'
 WHERE event_id IN (11, 12, 13);
SELECT setval('migration_guard.ddl_events_event_id_seq', :n::bigint * :per);
DROP TABLE gen;
VACUUM ANALYZE migration_guard.migrations, migration_guard.ddl_events, migration_guard.chain_head;
CREATE FUNCTION public.bench_time_us(query text, repeat integer) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz := clock_timestamp();
    r record;
BEGIN
    FOR i IN 1..repeat LOOP
        FOR r IN EXECUTE query LOOP END LOOP;
    END LOOP;
    RETURN (extract(epoch FROM clock_timestamp() - t0) * 1e6)::bigint;
END $$;
SQL
    # Spot check: the generated chain is the chain verify_ledger() recomputes (small only:
    # it reads the whole ledger).
    if [ "$n" -le 10000 ]; then
        local problems
        problems=$(mg_psql -d "$db" -Atc "SELECT count(*) FROM migration_guard.verify_ledger()")
        [ "$problems" = 0 ] || mg_die "the generated ledger of $db does not verify ($problems problems)"
    fi
}

start=$SECONDS
generate bench_ledger_small "$SMALL"
generate bench_ledger_large "$LARGE"
mg_info "generated in $((SECONDS - start)) s"
mg_psql -d bench_ledger_large -Atc "SELECT 'large: ' || pg_size_pretty(pg_database_size(current_database()))"

# Typical lookups: name|query. Parameters exist in both databases.
LOOKUPS=(
    "latest|SELECT * FROM migration_guard.history ORDER BY migration_id DESC LIMIT 20"
    "by_version|SELECT * FROM migration_guard.history WHERE version = '00000000000077'"
    "ddl_of_migration|SELECT * FROM migration_guard.ddl_log WHERE migration_id = 77 ORDER BY event_id"
    "object_history_regclass|SELECT * FROM migration_guard.object_history('public.accounts'::regclass)"
    "object_history_text|SELECT * FROM migration_guard.object_history('public.t_123')"
    "recent_drift|SELECT * FROM migration_guard.drift ORDER BY event_id DESC LIMIT 20"
    "not_succeeded|SELECT * FROM migration_guard.not_succeeded ORDER BY migration_id DESC LIMIT 20"
    # The same rows through the history view's computed status: a walk of the history until 20
    # match, as long as failures are rare (kept to show why the view above exists).
    "history_status_filter|SELECT * FROM migration_guard.history WHERE status <> 'succeeded' ORDER BY migration_id DESC LIMIT 20"
    "ledger_head|SELECT * FROM migration_guard.ledger_head()"
)

begin_finish_file() { # round: the timed begin/finish session
    local i
    for i in $(seq 1 "$MIGRATIONS"); do
        echo "BEGIN;"
        echo "SELECT migration_guard.begin_migration('bench-$1-$i', 'CREATE TABLE bench_scale (id int); DROP TABLE bench_scale;', 'scale benchmark', 'bench');"
        echo "CREATE TABLE bench_scale (id int);"
        echo "DROP TABLE bench_scale;"
        echo "SELECT migration_guard.finish_migration();"
        echo "COMMIT;"
    done
}

# Repetitions per lookup: REPEAT, fewer for a lookup that is slow in the large database (so a
# round stays within seconds); both databases repeat a lookup equally often. Times are reported
# per execution.
declare -A repeats
for entry in "${LOOKUPS[@]}"; do
    us=$(mg_psql -d bench_ledger_large -Atc "SELECT public.bench_time_us(\$q\$${entry#*|}\$q\$, 1)")
    n=$((2000000 / (us + 1)))
    [ "$n" -le "$REPEAT" ] || n=$REPEAT
    [ "$n" -ge 1 ] || n=1
    repeats[${entry%%|*}]=$n
done

results=$work/results.txt
: >"$results"
measure() { # config round
    local db=bench_ledger_$1 entry name query us n
    begin_finish_file "$1-$2" >"$work/bf.sql"
    us=$(bench_time_us mg_psql -d "$db" -f "$work/bf.sql")
    bench_record "$results" "$2" "$1:begin_finish" "$((us / MIGRATIONS))"
    for entry in "${LOOKUPS[@]}"; do
        name=${entry%%|*}
        query=${entry#*|}
        n=${repeats[$name]}
        us=$(mg_psql -d "$db" -Atc "SELECT public.bench_time_us(\$q\$$query\$q\$, $n)")
        bench_record "$results" "$2" "$1:$name" "$((us / n))"
    done
    printf '  round %d %-6s done\n' "$2" "$1"
}

measure small 0 >/dev/null # warm-up: caches, plans, the library loaded
measure large 0 >/dev/null
: >"$results"
mg_heading "measure: $ROUNDS rounds; begin_finish: $MIGRATIONS migrations; lookups: $REPEAT times each"
bench_rounds "$ROUNDS" measure small large

mg_heading "result: ratio large ($LARGE migrations) / small ($SMALL migrations), per operation"
# Turn "config:operation" into rows per operation, configurations small and large.
printf '| operation | small: median (ms) | large: median (ms) | ratio large / small (median per round) | per-round ratios (min .. max) |\n|---|---|---|---|---|\n'
for op in begin_finish "${LOOKUPS[@]%%|*}"; do
    awk -v op="$op" '{ split($2, p, ":"); if (p[2] == op) print $1, p[1], $3 }' "$results" >"$work/op.txt"
    bench_report "$work/op.txt" small ms 1000 small large | awk -v op="$op" -F '|' '
        $2 ~ /^ small / { s = $3 } $2 ~ /^ large / { printf "| %s |%s|%s|%s|%s|\n", op, s, $3, $5, $6 }'
done
echo
echo "begin_finish: ms per migration (BEGIN; begin_migration; CREATE TABLE; DROP TABLE;"
echo "finish_migration; COMMIT; $MIGRATIONS per round); lookups: ms per execution (repeated:"
for entry in "${LOOKUPS[@]}"; do printf ' %s %s,' "${entry%%|*}" "${repeats[${entry%%|*}]}"; done
echo " times per round)."

mg_heading "plans in the large database (EXPLAIN, COSTS OFF)"
for entry in "${LOOKUPS[@]}"; do
    printf '\n-- %s\n%s;\n' "${entry%%|*}" "${entry#*|}"
    mg_psql -d bench_ledger_large -Atc "EXPLAIN (COSTS OFF) ${entry#*|}"
done
printf '\n-- begin_migration ... finish_migration: every nested statement (auto_explain)\n'
mg_psql -d bench_ledger_large -At 2>&1 <<'SQL' | sed -E 's/^NOTICE:  duration: [0-9.]+ ms  plan:$/\n-- nested statement:/'
LOAD 'auto_explain';
SET auto_explain.log_min_duration = 0;
SET auto_explain.log_nested_statements = on;
SET auto_explain.log_level = notice;
SET plan_cache_mode = force_generic_plan;
BEGIN;
SELECT migration_guard.begin_migration('bench-plans', 'CREATE TABLE bench_scale (id int);') IS NOT NULL AS begun;
CREATE TABLE bench_scale (id int);
SELECT migration_guard.finish_migration() IS NOT NULL AS finished;
ROLLBACK;
SQL
printf '\n%s\n' "$(bench_machine)"
