#!/usr/bin/env bash
# The benchmark suite, one command (BENCHMARKS.md has the figures and their last results).
#
#   bash bench/run.sh                  every figure, full sizes (about half an hour on 2 cores)
#   bash bench/run.sh --smoke          every figure with tiny sizes: checks the harness, the
#                                      numbers mean nothing (test/integration/bench_smoke.sh)
#   bash bench/run.sh --only NAME      one figure: ddl, dml, ledger, hashing, lint, callgrind
#
# Each figure is a script of its own (bench/*.sh, sharing bench/lib.sh); each prints its ratios,
# measured side by side in one run with alternating rounds, and the machine it ran on. The whole
# output is also kept in build/bench/run-<date>.log. Never compare numbers of two runs.
# Figure 5 (lint: CLI vs squawk vs libpg_query) is bench/lint_speed.sh, run when present.
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$MG_REPO_ROOT"

FIGURES=(ddl dml ledger hashing lint callgrind)
script_of() {
    case $1 in
    ddl) echo bench/ddl_overhead.sh ;;
    dml) echo bench/dml_pgbench.sh ;;
    ledger) echo bench/ledger_scale.sh ;;
    hashing) echo bench/hashing.sh ;;
    lint) echo bench/lint_speed.sh ;;
    callgrind) echo bench/callgrind.sh ;;
    *) return 1 ;;
    esac
}

only=()
while [ $# -gt 0 ]; do
    case $1 in
    --smoke) export BENCH_SMOKE=1; shift ;;
    --only)
        if [ $# -lt 2 ] || ! script_of "$2" >/dev/null; then mg_die "--only takes one of: ${FIGURES[*]}"; fi
        only+=("$2"); shift 2 ;;
    -h | --help) sed -n '2,12p' "$0"; exit 0 ;;
    *) mg_die "unknown argument: $1 (usage: bench/run.sh [--smoke] [--only NAME])" ;;
    esac
done
[ ${#only[@]} -gt 0 ] || only=("${FIGURES[@]}")

mkdir -p build/bench
suffix=""
[ "${BENCH_SMOKE:-0}" != 1 ] || suffix=-smoke
log=build/bench/run-$(date -u +%Y%m%dT%H%M%SZ)$suffix.log
failed=()
echo "bench/run.sh ${only[*]}: $(bench_machine)" | tee "$log"
for figure in "${only[@]}"; do
    script=$(script_of "$figure")
    mg_heading "figure: $figure ($script)" | tee -a "$log"
    if [ ! -f "$script" ]; then
        echo "  $script is not there (yet): skipped" | tee -a "$log"
        continue
    fi
    args=()
    # A smoke run keeps callgrind's summaries out of bench/results (the committed ones).
    [ "$figure" != callgrind ] || [ "${BENCH_SMOKE:-0}" != 1 ] || args=(--out build/bench/callgrind-smoke)
    bash "$script" "${args[@]}" 2>&1 | tee -a "$log"
    [ "${PIPESTATUS[0]}" -eq 0 ] || failed+=("$figure")
done
echo "log: $log"
if [ ${#failed[@]} -gt 0 ]; then
    mg_warn "failed: ${failed[*]}"
    exit 1
fi
