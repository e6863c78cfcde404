#!/usr/bin/env bash
# Builds the libFuzzer target with clang, AddressSanitizer and UndefinedBehaviorSanitizer (in
# build/fuzz, incrementally) and fuzzes `lint` for SECONDS (default 60), starting from the
# parity corpus and the errcodes examples, with a SQL dictionary. LeakSanitizer is on (ASan's
# default): a leak fails the run like a crash. Exit status 0 when nothing was found.
#   bash test/fuzz/run.sh [SECONDS] [extra libFuzzer options...]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-60}
shift || true
build=$root/build/fuzz
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DMG_FUZZ=ON \
    -DPG_CONFIG="${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}" >/dev/null
cmake --build "$build" -j2 --target lint_fuzzer >/dev/null
corpus=$(mktemp -d "${TMPDIR:-/tmp}/mg-fuzz.XXXXXX")
trap 'rm -rf "$corpus"' EXIT
# Seeds: each file behind option bytes (see lint_fuzzer.cpp): all options, and none.
for f in "$root"/test/cli/corpus/*.sql "$root"/test/cli/errcodes/*.sql; do
    { printf '\x7f'; cat "$f"; } >"$corpus/all-$(basename "$f")"
    { printf '\x00'; cat "$f"; } >"$corpus/none-$(basename "$f")"
done
cd "$corpus"
"$build/lint_fuzzer" -dict="$root/test/fuzz/sql.dict" -max_total_time="$seconds" \
    -max_len=8192 -rss_limit_mb=2048 -print_final_stats=1 "$@" "$corpus"
