#!/usr/bin/env bash
# The benchmark harness still works: `bench/run.sh --smoke` runs every figure with tiny sizes
# (numbers meaningless) on throwaway clusters of its own. Installs nothing: figures that need a
# package the benchmarks install themselves (pgaudit, valgrind) skip that part when it is missing.
set -u
# shellcheck source=test/integration/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# The benchmarks start clusters of their own; the test cluster's settings must not leak in.
env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE BENCH_NO_INSTALL=1 \
    bash "$root/bench/run.sh" --smoke >"$out" 2>&1
rc=$?
is "$rc" "0" "bench/run.sh --smoke exits 0"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$out" | tail -n 40

has() { grep -c -- "$1" "$out" | awk '{ print ($1 > 0) ? "yes" : "no" }'; }
is "$(has '^==== result: ddl workload')" yes "figure 1 reports the DDL workload"
is "$(has '^==== result: one large migration')" yes "figure 1 reports the large migration"
is "$(has '^| mg-closed | ')" yes "figure 1 has a row for migration_guard"
is "$(has "^==== result: pgbench TPC-B-like, backend CPU")" yes "figure 2 reports pgbench"
is "$(has '^| begin_finish | ')" yes "figure 3 reports begin/finish"
is "$(has '^-- nested statement:')" yes "figure 3 shows the plans of begin/finish's statements"
is "$(has 'script_hash() matches sha256sum')" yes "figure 4 checks script_hash() against sha256sum"
is "$(has '^| script_hash | ')" yes "figure 4 reports script_hash"
if dpkg-query -W -f='${db:Status-Status}' valgrind 2>/dev/null | grep -qx installed; then
    is "$(has '^| ddl-mg-closed | ')" yes "figure 6 reports instruction counts"
else
    echo "ok $((_tap_n += 1)) # skip valgrind is not installed (the benchmarks install it)"
fi
# Every result table's ratios are numbers: a broken measurement shows as nan, inf or an empty cell.
is "$(grep -E '^\| [a-z_-]+ \|' "$out" | grep -cE 'nan|inf|\| *\| *\|')" "0" "no empty, nan or inf cells in the result tables"
is "$(has 'SMOKE RUN')" yes "the results say they come from a smoke run"
done_testing
