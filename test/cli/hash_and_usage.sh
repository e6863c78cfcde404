#!/bin/sh
# CLI basics: --version, --help, unknown commands, and `hash`.
# Usage: sh hash_and_usage.sh path/to/migration-guard
# Prints one line per check; exits non-zero when any check fails.
set -u
MG=${1:?usage: $0 path/to/migration-guard}
work=$(mktemp -d "${TMPDIR:-/tmp}/mg-cli-test.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
failures=0

pass() { echo "ok - $1"; }
fail() { echo "not ok - $1"; failures=$((failures + 1)); }
check() { # check DESCRIPTION COMMAND...: passes when COMMAND succeeds
    desc=$1
    shift
    if "$@"; then pass "$desc"; else fail "$desc"; fi
}
# Runs the CLI, keeping its status, stdout and stderr in $status, $work/out and $work/err.
run() {
    "$MG" "$@" >"$work/out" 2>"$work/err"
    status=$?
}

run --version
check "--version exits 0" [ "$status" -eq 0 ]
check "--version prints 'migration-guard <x.y.z>'" \
    grep -Eqx 'migration-guard [0-9]+\.[0-9]+\.[0-9]+' "$work/out"

run --help
check "--help exits 0" [ "$status" -eq 0 ]
for word in SYNOPSIS COMMANDS lint hash verify errcodes "EXIT STATUS"; do
    check "--help mentions $word" grep -q "$word" "$work/out"
done

run frobnicate
check "unknown command exits 2" [ "$status" -eq 2 ]
check "unknown command is named on stderr" grep -q '"frobnicate"' "$work/err"
run --frobnicate
check "unknown option exits 2" [ "$status" -eq 2 ]
run
check "no command exits 2" [ "$status" -eq 2 ]

run hash --help
check "hash --help exits 0" [ "$status" -eq 0 ]
check "hash --help shows the synopsis" grep -q "hash \[--\] FILE" "$work/out"
run hash
check "hash without a file exits 2" [ "$status" -eq 2 ]

printf 'select 1;\nselect 2;\n' >"$work/lf.sql"
printf 'select 1;\r\nselect 2;\r\n' >"$work/crlf.sql"
printf '\357\273\277select 1;\rselect 2;\r' >"$work/bom-cr.sql"
# printf 'select 1;\nselect 2;\n' | sha256sum
expected=sha256:061e995aebcb765888ac7580f67ee3815a03b9b9c3fd5ff2dbb40db98b53a737
run hash "$work/lf.sql" "$work/crlf.sql" "$work/bom-cr.sql"
check "hash of three files exits 0" [ "$status" -eq 0 ]
check "hash prints 'sha256:<hex>  FILE' for the LF file" \
    grep -qxF "$expected  $work/lf.sql" "$work/out"
check "CRLF file hashes like the LF file" grep -qxF "$expected  $work/crlf.sql" "$work/out"
check "BOM + CR file hashes like the LF file" grep -qxF "$expected  $work/bom-cr.sql" "$work/out"

run hash - <"$work/crlf.sql"
check "hash - reads standard input" grep -qxF "$expected  -" "$work/out"

# A CR LF pair split across the CLI's read buffer (1 MiB) and a big file in general.
big_lf="$work/big-lf.sql"
big_crlf="$work/big-crlf.sql"
awk 'BEGIN { for (i = 0; i < 120000; i++) printf "insert into t values (%d);\n", i }' >"$big_lf"
awk 'BEGIN { for (i = 0; i < 120000; i++) printf "insert into t values (%d);\r\n", i }' >"$big_crlf"
{ head -c 1048575 /dev/zero | tr '\0' x; printf '\r\n'; } >"$work/split-crlf.sql"
{ head -c 1048575 /dev/zero | tr '\0' x; printf '\n'; } >"$work/split-lf.sql"
run hash "$big_lf" "$big_crlf" "$work/split-crlf.sql" "$work/split-lf.sql"
check "big files hash" [ "$status" -eq 0 ]
check "big CRLF file hashes like the big LF file" \
    [ "$(sed -n 1p "$work/out" | cut -c1-71)" = "$(sed -n 2p "$work/out" | cut -c1-71)" ]
check "big LF file hashes like sha256sum" \
    [ "$(sed -n 1p "$work/out" | cut -c8-71)" = "$(sha256sum <"$big_lf" | cut -c1-64)" ]
check "CR LF split across reads hashes like LF" \
    [ "$(sed -n 3p "$work/out" | cut -c1-71)" = "$(sed -n 4p "$work/out" | cut -c1-71)" ]

run hash "$work/missing.sql"
check "hash of a missing file exits 2" [ "$status" -eq 2 ]
check "and names the file and the reason" grep -q "missing.sql.*No such file or directory" "$work/err"
run hash "$work/missing.sql" "$work/lf.sql"
check "hash goes on after a missing file but exits 2" [ "$status" -eq 2 ]
check "and still hashes the other file" grep -qxF "$expected  $work/lf.sql" "$work/out"
run hash "$work"
check "hash of a directory exits 2" [ "$status" -eq 2 ]
check "and says why" grep -q "Is a directory" "$work/err"

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "all checks passed"
