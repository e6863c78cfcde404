# Shared by the CLI tests (sourced, POSIX sh): `check DESCRIPTION COMMAND...` prints ok/not ok,
# `run ARGS...` runs the CLI keeping $status and $work/out, $work/err; `finish` exits.
# Expects MG (the CLI, made absolute here) and creates $work, removed on exit.
case $MG in /*) ;; *) MG=$PWD/$MG ;; esac
work=$(mktemp -d "${TMPDIR:-/tmp}/mg-cli-test.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
failures=0
pass() { echo "ok - $1"; }
fail() { echo "not ok - $1"; failures=$((failures + 1)); }
check() { desc=$1; shift; if "$@"; then pass "$desc"; else fail "$desc"; fi; }
run() { "$MG" "$@" >"$work/out" 2>"$work/err"; status=$?; }
finish() {
    if [ "$failures" -ne 0 ]; then
        echo "$failures check(s) failed"
        exit 1
    fi
    echo "all checks passed"
    exit 0
}
