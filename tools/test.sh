#!/usr/bin/env bash
# migration_guard's test command (README: "test"; CI: .ci/run). Runs every suite, counts results,
# and ends with one line `N passed, N failed`. Exit status 0 only when nothing failed and every
# suite could run: a suite that cannot run (build failure, no cluster, crash) counts as a failure.
#
#   1. tools/ensure-deps.sh                  (installs missing Debian packages)
#   2. make -j2 && make install              (PGXS: the extension, installed into a private copy
#                                             of the PostgreSQL 15 server; see tools/lib.sh)
#   3. cmake -S . -B build && cmake --build build -j2   (core library, CLI, unit tests)
#   4. a throwaway PostgreSQL 15 cluster     (tools/lib.sh; Unix socket only, removed on exit)
#   5. ctest --test-dir build                (GoogleTest unit tests and test/cli/*.sh)
#   6. make installcheck                     (pg_regress: sql/*.sql against expected/*.out)
#   7. pg_prove test/pgtap/*.sql             (pgTAP)
#   8. prove test/integration/*.sh           (TAP shell scripts against the cluster: several
#                                             sessions, LISTEN/NOTIFY, libpq clients)
#
# Environment seen by the tests: from step 4 on, PGHOST/PGPORT/PGUSER/PGDATABASE point at the
# throwaway cluster and PGUSER is a superuser, so ctest's CLI tests may use it too (they should
# create and drop their own database). The cluster runs the private server copy, where the
# extension is installed; the system's PostgreSQL installation is left as it is.
#
# pgTAP conventions (test/pgtap/*.sql):
#   - All files run, in name order, in ONE shared database in which `CREATE EXTENSION pgtap;` and
#     `CREATE EXTENSION migration_guard;` have already been run: assume both exist, do not create
#     them.
#   - pg_prove runs each file in its own psql session with ON_ERROR_STOP=1 and does NOT wrap it in
#     a transaction. So each file should start with `BEGIN;` and end with
#     `SELECT * FROM finish(); ROLLBACK;` to leave nothing behind for the next file. A file that
#     must commit (e.g. to test behaviour across transactions) cleans up after itself.
#   - Declare a plan (`SELECT plan(n);`) or use `no_plan()` + `finish()`; a bad plan, an SQL error
#     or a non-zero psql exit counts as one failure for that file on top of its failed assertions.
#
# Counting:
#   ctest    its summary line "X% tests passed, F tests failed out of T" (passed = T - F).
#   regress  pg_regress's per-test lines ("test name ... ok" / "... FAILED"; the TAP-style
#            "ok N - name" / "not ok N - name" of PostgreSQL 16+ too). If make fails with no
#            failed test line, one failure is added. On failure regression.diffs is printed.
#   pgtap    every top-level TAP assertion line of `pg_prove --verbose`: "ok N" passes,
#            "not ok N" fails unless marked "# TODO"; plus one failure per file listed in the
#            Test Summary Report without failed assertions (bad plan, SQL error, exit status).
#            Cross-checked against pg_prove's "Files=..., Tests=..." line.
# Logs: build/test-logs/ (one per step, plus the server log).
#
# Usage: bash tools/test.sh       (from anywhere; CI sets CI=true, needs no stdin or tty)
set -uo pipefail # no -e: a failing suite must not stop the others from running and being counted

# shellcheck source=tools/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Generous per-suite limits so a hang cannot eat the whole CI budget.
CTEST_PER_TEST_TIMEOUT=300
SUITE_TIMEOUT=900

SUITE_NAMES=()
SUITE_PASSED=()
SUITE_FAILED=()
SUITE_NOTES=()
SUITE_FILES=()

record_suite() { # name passed failed note
    SUITE_NAMES+=("$1")
    SUITE_PASSED+=("$2")
    SUITE_FAILED+=("$3")
    SUITE_NOTES+=("${4:-}")
}

record_not_run() { # name reason
    mg_warn "$1 could not run: $2"
    record_suite "$1" 0 1 "could not run: $2"
}

# ---------------------------------------------------------------------------------------------
# Parsers: each reads a log file and prints "passed failed". Pure functions of their input, so
# they can be tried on fake logs: `source tools/test.sh` defines them without running anything.

count_ctest() { # log rc
    local log=$1 rc=$2 line total failed
    line=$(grep -E '[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n 1)
    if [ -n "$line" ]; then
        failed=$(sed -E 's/.* ([0-9]+) tests? failed out of.*/\1/' <<<"$line")
        total=$(sed -E 's/.* failed out of ([0-9]+).*/\1/' <<<"$line")
        [ "$rc" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
        echo "$((total - failed)) $failed"
    elif grep -q 'No tests were found' "$log" && [ "$rc" -eq 0 ]; then
        echo "0 0"
    else
        echo "0 1"
    fi
}

count_pg_regress() { # log rc
    local log=$1 rc=$2 counts passed failed
    counts=$(awk '
        /^not ok [0-9]+/                                          { f++; next }
        /^ok [0-9]+/                                              { p++; next }
        /^(test +| +)[^ ]+ +\.\.\. +failed \(ignored\)/           { p++; next }
        /^(test +| +)[^ ]+ +\.\.\. +ok/                           { p++; next }
        /^(test +| +)[^ ]+ +\.\.\. +(FAILED|failed)/              { f++; next }
        END { print p + 0, f + 0 }' "$log")
    read -r passed failed <<<"$counts"
    [ "$rc" -eq 0 ] || [ "$failed" -gt 0 ] || failed=$((failed + 1))
    echo "$passed $failed"
}

count_pg_prove() { # log rc
    local log=$1 rc=$2 counts passed failed broken_files harness_tests
    counts=$(awk '
        /^not ok [0-9]+/ { if ($0 ~ /# *TODO/) p++; else f++; next }
        /^ok [0-9]+/     { p++; next }
        END { print p + 0, f + 0 }' "$log")
    read -r passed failed <<<"$counts"
    # Files in the Test Summary Report with no failed assertion still failed as a whole.
    broken_files=$(grep -cE '\(Wstat: .*Tests: [0-9]+ Failed: 0\)' "$log")
    failed=$((failed + broken_files))
    harness_tests=$(sed -nE 's/^Files=[0-9]+, Tests=([0-9]+),.*/\1/p' "$log" | tail -n 1)
    if [ -n "$harness_tests" ] && [ "$harness_tests" -ne $((passed + failed - broken_files)) ]; then
        mg_warn "pg_prove reports Tests=$harness_tests but $((passed + failed - broken_files)) assertion lines were counted"
    fi
    [ "$rc" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1
    echo "$passed $failed"
}

# ---------------------------------------------------------------------------------------------
# Steps

LOG_DIR=""

exit_note() { # command status
    if [ "$2" -eq 124 ] || [ "$2" -eq 137 ]; then
        echo "$1 timed out after ${SUITE_TIMEOUT} s"
    elif [ "$2" -ne 0 ]; then
        echo "$1 exit status $2"
    fi
}

run_logged() { # log cmd... : run, show and keep the output; return the command's status
    local log=$1
    shift
    "$@" 2>&1 | tee "$log"
    return "${PIPESTATUS[0]}"
}

build_extension() {
    mg_heading "build: extension (PGXS make && make install)"
    run_logged "$LOG_DIR/build-extension.log" mg_build_extension
}

cmake_configure_and_build() {
    cmake -S . -B build -DPG_CONFIG="$MG_PG_CONFIG" && cmake --build build -j2
}

build_cmake() {
    mg_heading "build: core, CLI and unit tests (CMake)"
    run_logged "$LOG_DIR/build-cmake.log" cmake_configure_and_build
}

suite_ctest() {
    local name="ctest (unit + CLI)" rc=0 passed failed
    mg_heading "suite: $name"
    if [ "$1" != ok ]; then
        record_not_run "$name" "the CMake build failed"
        return
    fi
    run_logged "$LOG_DIR/ctest.log" timeout --kill-after=30 "$SUITE_TIMEOUT" \
        ctest --test-dir build --output-on-failure --timeout "$CTEST_PER_TEST_TIMEOUT" || rc=$?
    read -r passed failed <<<"$(count_ctest "$LOG_DIR/ctest.log" "$rc")"
    record_suite "$name" "$passed" "$failed" "$(exit_note ctest "$rc")"
}

suite_regress() {
    local name="pg_regress (sql/, specs/)" rc=0 passed failed n_tests
    mg_heading "suite: $name"
    if [ "$1" != ok ]; then
        record_not_run "$name" "$2"
        return
    fi
    n_tests=$(find sql -maxdepth 1 -name '*.sql' | wc -l)
    [ "$n_tests" -gt 0 ] || mg_warn "no pg_regress tests under sql/ yet"
    rm -rf regression.diffs regression.out output_iso
    run_logged "$LOG_DIR/regress.log" timeout --kill-after=30 "$SUITE_TIMEOUT" \
        make installcheck PG_CONFIG="$MG_PG_CONFIG" || rc=$?
    read -r passed failed <<<"$(count_pg_regress "$LOG_DIR/regress.log" "$rc")"
    record_suite "$name" "$passed" "$failed" "$(exit_note "make installcheck" "$rc")"
    if [ "$rc" -ne 0 ]; then
        local diffs
        for diffs in regression.diffs output_iso/regression.diffs; do
            [ -f "$diffs" ] || continue
            mg_heading "$diffs (first 300 lines)"
            head -n 300 "$diffs"
            cp "$diffs" "$LOG_DIR/$(echo "$diffs" | tr / _)" 2>/dev/null || true
        done
    fi
}

# suite_start NAME READY WHY PATTERN: prints the heading and fills SUITE_FILES with the suite's
# test files; returns 1 (recording the suite as unable to run) when it is not ready or finds none.
suite_start() {
    local name=$1 ready=$2 why=$3 pattern=$4
    mg_heading "suite: $name"
    if [ "$ready" != ok ]; then
        record_not_run "$name" "$why"
        return 1
    fi
    shopt -s nullglob
    # shellcheck disable=SC2206 # the pattern is meant to glob
    SUITE_FILES=($pattern)
    shopt -u nullglob
    if [ "${#SUITE_FILES[@]}" -eq 0 ]; then
        record_not_run "$name" "no test files match $pattern"
        return 1
    fi
}

suite_integration() {
    local name="integration (test/integration/)" rc=0 passed failed
    suite_start "$name" "$1" "$2" 'test/integration/*.sh' || return
    run_logged "$LOG_DIR/integration.log" timeout --kill-after=30 "$SUITE_TIMEOUT" \
        prove --verbose --exec bash "${SUITE_FILES[@]}" || rc=$?
    read -r passed failed <<<"$(count_pg_prove "$LOG_DIR/integration.log" "$rc")"
    record_suite "$name" "$passed" "$failed" "$(exit_note prove "$rc")"
}

suite_pgtap() {
    local name="pgTAP (test/pgtap/)" rc=0 passed failed db=migration_guard_pgtap
    suite_start "$name" "$1" "$2" 'test/pgtap/*.sql' || return
    if ! run_logged "$LOG_DIR/pgtap-setup.log" mg_psql -d postgres \
        -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" \
        -c "CREATE DATABASE $db"; then
        record_not_run "$name" "could not create database $db"
        return
    fi
    if ! run_logged "$LOG_DIR/pgtap-extensions.log" mg_psql -d "$db" \
        -c 'CREATE EXTENSION pgtap' -c 'CREATE EXTENSION migration_guard'; then
        record_not_run "$name" "CREATE EXTENSION pgtap / migration_guard failed"
        return
    fi
    run_logged "$LOG_DIR/pgtap.log" timeout --kill-after=30 "$SUITE_TIMEOUT" \
        pg_prove --verbose --psql-bin "$MG_PG_BINDIR/psql" -d "$db" "${SUITE_FILES[@]}" || rc=$?
    read -r passed failed <<<"$(count_pg_prove "$LOG_DIR/pgtap.log" "$rc")"
    record_suite "$name" "$passed" "$failed" "$(exit_note pg_prove "$rc")"
}

print_summary() {
    local i total_passed=0 total_failed=0 status
    mg_heading "summary"
    for i in "${!SUITE_NAMES[@]}"; do
        status=ok
        [ "${SUITE_FAILED[$i]}" -eq 0 ] || status=FAILED
        printf '  %-22s %5d passed, %5d failed  %-6s %s\n' "${SUITE_NAMES[$i]}" \
            "${SUITE_PASSED[$i]}" "${SUITE_FAILED[$i]}" "$status" "${SUITE_NOTES[$i]}"
        total_passed=$((total_passed + SUITE_PASSED[i]))
        total_failed=$((total_failed + SUITE_FAILED[i]))
    done
    [ -z "$LOG_DIR" ] || printf '  logs: %s\n' "$LOG_DIR"
    printf '%d passed, %d failed\n' "$total_passed" "$total_failed"
    [ "$total_failed" -eq 0 ]
}

main() {
    cd "$MG_REPO_ROOT" || exit 2
    local started=$SECONDS ext=ok cmake=ok cluster=ok why

    mg_heading "dependencies"
    if ! mg_ensure_deps; then
        for s in "ctest (unit + CLI)" "pg_regress (sql/, specs/)" "pgTAP (test/pgtap/)" \
            "integration (test/integration/)"; do
            record_not_run "$s" "dependencies could not be installed"
        done
        print_summary
        exit 1
    fi

    mkdir -p build/test-logs
    LOG_DIR="$MG_REPO_ROOT/build/test-logs"
    rm -f "$LOG_DIR"/*.log "$LOG_DIR"/regression.diffs
    MG_CLUSTER_LOG_COPY="$LOG_DIR/postgres.log"

    # The private server copy is made here, in this shell, not inside build_extension's pipe.
    mg_stage_server || ext=failed
    [ "$ext" = failed ] || build_extension || ext=failed
    build_cmake || cmake=failed

    mg_heading "throwaway PostgreSQL ${MG_PG_MAJOR} cluster"
    mg_cluster_start || cluster=failed

    suite_ctest "$cmake"

    why=""
    [ "$ext" = ok ] || why="the extension build/install failed"
    [ "$cluster" = ok ] || why="${why:+$why; }the throwaway cluster did not start"
    local ready=ok
    [ -z "$why" ] || ready=no
    suite_regress "$ready" "$why"
    suite_pgtap "$ready" "$why"
    suite_integration "$ready" "$why"

    mg_cluster_stop
    [ "$ext" = ok ] || mg_warn "build: extension FAILED (see $LOG_DIR/build-extension.log)"
    [ "$cmake" = ok ] || mg_warn "build: CMake FAILED (see $LOG_DIR/build-cmake.log)"
    mg_info "total time $((SECONDS - started)) s"
    print_summary
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    main "$@"
fi
