#!/bin/sh
# migration-guard errcodes: RAISE SQLSTATE / USING ERRCODE / RAISE condition in PL/pgSQL
# bodies checked against the custom SQLSTATE rules, with positions in the file.
# Usage: sh errcodes.sh path/to/migration-guard
set -u
MG=${1:?usage: $0 path/to/migration-guard}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/checks.sh"
cd "$work" || exit 1
cp "$here/errcodes/functions.sql" .

run errcodes --format json functions.sql
check "bad codes exit 1" [ "$status" -eq 1 ]
check "json is valid" python3 -m json.tool out /dev/null
python3 -c '
import json
for p in json.load(open("out")):
    print("%d:%d:%s:%s:%s:%s" % (p["line"], p["column"], p["function"], p["code"], p["form"], p["rule"]))' >got
cat >want <<'W'
8:20:app.check_weak:HELLO:RAISE SQLSTATE:char1
10:11:app.check_weak:no_such_condition:RAISE condition:unknown-condition
11:41:app.check_weak:AB000:USING ERRCODE:char3
11:41:app.check_weak:AB000:USING ERRCODE:char4
11:41:app.check_weak:AB000:USING ERRCODE:ends-000
14:64:p:XAAAA:RAISE SQLSTATE:char1
W
check "exactly the bad codes, at their line and column (comments, strings, built-in codes and sql functions ignored)" cmp -s got want
run errcodes functions.sql
check "human: FILE:LINE:COL: error: ..." grep -q '^functions.sql:8:20: error: app.check_weak raises "HELLO" (RAISE SQLSTATE), which breaks rule char1: ' out
check "human: summary" grep -q '^6 bad codes in 1 file$' out

cat >good.sql <<'SQL'
CREATE FUNCTION ok() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'weak password' USING ERRCODE = 'WEAKP';
    RAISE SQLSTATE '23505';
    RAISE unique_violation;
END $$;
SELEC 1;
SQL
run errcodes good.sql
check "good codes (and a syntax error elsewhere) exit 0" [ "$status" -eq 0 ]
run errcodes --format json good.sql
check "json of no problem is []" python3 -c 'import json; assert json.load(open("out")) == []'
mkdir d && cp functions.sql d/a.sql && cp good.sql d/b.sql
run errcodes d
check "a directory is searched" [ "$status" -eq 1 ]
check "and reports its files" grep -q '^d/a.sql:8:20' out
run errcodes - <functions.sql
check "- reads standard input" grep -q '^-:8:20' out
run errcodes missing.sql
check "a missing file exits 2" [ "$status" -eq 2 ]
run errcodes
check "no file exits 2" [ "$status" -eq 2 ]
run errcodes --format xml good.sql
check "an unknown format exits 2" [ "$status" -eq 2 ]
run errcodes --help
check "--help exits 0" [ "$status" -eq 0 ]
for word in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" "USING ERRCODE"; do
    check "--help documents $word" grep -q "$word" out
done

finish
