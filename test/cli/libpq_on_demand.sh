#!/bin/sh
# libpq is loaded only when a command connects (src/cli/database.cpp): lint without --dsn, hash
# and errcodes run where libpq cannot be loaded, and a command that needs it says why it cannot
# connect. "Cannot be loaded" is made with a preloaded dlopen() that refuses libpq.
# Usage: sh libpq_on_demand.sh path/to/migration-guard
set -u
MG=${1:?usage: $0 path/to/migration-guard}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/checks.sh"

check "the program does not load libpq at start-up" \
    sh -c "! LD_TRACE_LOADED_OBJECTS=1 '$MG' | grep -q 'libpq\.so'"

cat >"$work/no_libpq.c" <<'C'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <string.h>
void *dlopen(const char *file, int mode) {
    if (file != NULL && strstr(file, "libpq") != NULL)
        return NULL;
    void *(*real)(const char *, int) = (void *(*)(const char *, int))dlsym(RTLD_NEXT, "dlopen");
    return real(file, mode);
}
C
if ! cc -shared -fPIC -o "$work/no_libpq.so" "$work/no_libpq.c" 2>"$work/cc.err"; then
    fail "cannot build the dlopen shim: $(cat "$work/cc.err")"
    finish
fi
# (A sanitizer build wants its runtime first in the library list: let the shim come first.)
without_libpq() {
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
        LD_PRELOAD="$work/no_libpq.so" "$MG" "$@" >"$work/out" 2>"$work/err"
    status=$?
}

printf 'ALTER TABLE users DROP COLUMN email;\n' >"$work/m.sql"
without_libpq lint --no-config --format json "$work/m.sql"
check "lint without --dsn runs without libpq (exit 1: a finding)" [ "$status" -eq 1 ]
check "and reports the finding" grep -q '"rule": "drop-column"' "$work/out"
without_libpq hash "$work/m.sql"
check "hash runs without libpq" [ "$status" -eq 0 ]

without_libpq lint --dsn "host=/nonexistent-socket-dir dbname=x" "$work/m.sql"
check "lint --dsn without libpq exits 2" [ "$status" -eq 2 ]
check "and says libpq cannot be loaded" grep -q 'cannot connect: cannot load libpq.so.5' "$work/err"
check "and what to install" grep -q 'libpq5' "$work/err"
without_libpq verify --dsn "host=/nonexistent-socket-dir dbname=x" "$work"
check "verify without libpq exits 2" [ "$status" -eq 2 ]
check "and says libpq cannot be loaded" grep -q 'cannot load libpq.so.5' "$work/err"

finish
