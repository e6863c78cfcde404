#!/bin/sh
# migration-guard lint: exit codes, the four reporters (JSON and SARIF checked with a real JSON
# parser), suppression comments, the configuration file, rule filters and transaction hints.
# Usage: sh lint.sh path/to/migration-guard
set -u
MG=${1:?usage: $0 path/to/migration-guard}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/checks.sh"
# rules FILE: "line:column:rule:severity" per finding of a JSON report, one per line.
rules() {
    python3 -c '
import json, sys
for f in json.load(open(sys.argv[1])):
    print("%d:%d:%s:%s" % (f["line"], f["column"], f["rule"], f["severity"]))' "$1"
}
cd "$work" || exit 1

printf 'CREATE TABLE accounts (id bigint PRIMARY KEY, email text);\n' >clean.sql
cat >bad.sql <<'SQL'
-- drops a column; then a typo; then an index
ALTER TABLE accounts DROP COLUMN nickname;
SELEC 1;
  CREATE INDEX accounts_email_idx ON accounts (email);
SQL

run lint clean.sql
check "a clean file exits 0" [ "$status" -eq 0 ]
check "and says so" grep -q '^0 errors, 0 warnings in 1 file$' out
run lint bad.sql
check "findings at error severity exit 1" [ "$status" -eq 1 ]
check "human: file:line:col: severity: message" \
    grep -q '^bad.sql:2:1: error: drop-column: dropping column "nickname" of table "accounts"' out
check "human: the hint follows" grep -q '^    hint: ' out
check "human: no colour when not a terminal" sh -c '! grep -q "$(printf "\033")" out'
check "human: a syntax error is a finding at its position" \
    grep -q '^bad.sql:3:1: error: syntax-error: .*syntax error at or near "SELEC"' out
check "human: the statement after the syntax error is still linted (column of its first token)" \
    grep -q '^bad.sql:4:3: warning: create-index-non-concurrently' out
check "human: summary line" grep -q '^2 errors, 2 warnings in 1 file$' out
run lint --color=always bad.sql
check "--color=always colours" grep -q "$(printf '\033')\[" out
run lint --fail-on never bad.sql
check "--fail-on never exits 0 with findings" [ "$status" -eq 0 ]
printf 'CREATE INDEX i ON accounts (email);\n' >warn.sql
run lint warn.sql
check "warnings alone exit 0 by default" [ "$status" -eq 0 ]
run lint --fail-on warning warn.sql
check "--fail-on warning makes warnings fail" [ "$status" -eq 1 ]

# JSON
run lint --format json bad.sql
check "json exits 1 too" [ "$status" -eq 1 ]
check "json is valid JSON (python3 -m json.tool)" python3 -m json.tool out /dev/null
check "json has every field on every finding" python3 -c '
import json, sys
data = json.load(open("out"))
assert isinstance(data, list) and len(data) == 4
for f in data:
    for key, kind in (("file", str), ("line", int), ("column", int), ("rule", str),
                      ("severity", str), ("message", str), ("hint", str), ("detail", str)):
        assert isinstance(f[key], kind), key
    assert f["severity"] in ("error", "warning")
'
rules out >got
cat >want <<'W'
2:1:drop-column:error
2:1:missing-lock-timeout:warning
3:1:syntax-error:error
4:3:create-index-non-concurrently:warning
W
check "json: exactly the expected findings" cmp -s got want
run lint --format json clean.sql
check "json of a clean file is []" python3 -c 'import json; assert json.load(open("out")) == []'
printf 'ALTER TABLE "t\377\001" DROP COLUMN "x\\";\n' >binary.sql
run lint --format json binary.sql
check "json stays valid with bytes that are not UTF-8 and control characters" python3 -m json.tool out /dev/null

# SARIF
run lint --format sarif bad.sql clean.sql
check "sarif exits 1" [ "$status" -eq 1 ]
check "sarif is valid JSON" python3 -m json.tool out /dev/null
check "sarif has the structure SARIF 2.1.0 requires" python3 "$here/check_sarif.py" out
check "sarif: 4 results pointing at bad.sql" python3 -c '
import json
run = json.load(open("out"))["runs"][0]
assert len(run["results"]) == 4
assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]} == {"bad.sql"}
assert run["results"][2]["ruleId"] == "syntax-error"
assert run["results"][2]["locations"][0]["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 1}
'
run lint --format sarif clean.sql
check "sarif of a clean file is valid with no results" python3 -c '
import json; assert json.load(open("out"))["runs"][0]["results"] == []'

# GitHub annotations
run lint --format github bad.sql
check "github: one workflow command per finding" [ "$(grep -c '^::' out)" -eq 4 ]
check "github: error annotation with file, line, col, title" \
    grep -q '^::error file=bad.sql,line=2,col=1,title=drop-column::drop-column: ' out
check "github: warning annotation" grep -q '^::warning file=bad.sql,line=4,col=3,title=create-index-non-concurrently::' out
check "github: the hint is on an escaped new line" grep -q '%0A' out

# JSON escaping: quotes, backslashes and control characters in names are escaped, well-formed
# UTF-8 is kept, a byte that is not UTF-8 becomes U+FFFD; plain runs of any length stay whole.
printf 'ALTER TABLE "q""uo\\te" DROP COLUMN "t\tab";\nALTER TABLE "caf\303\251_%s" DROP COLUMN "bad\377byte";\n' \
    "$(printf '%037d' 0)" >names.sql
run lint --format json names.sql
check "json: names with special characters give a valid report" python3 -c '
import json, sys
findings = json.load(open("out"))
messages = [f["message"] for f in findings if f["rule"] == "drop-column"]
assert len(messages) == 2, messages
assert "\"t\tab\"" in messages[0] and "\"q\"uo\\te\"" in messages[0], messages[0]
assert ("caf\u00e9_" + "0" * 37) in messages[1] and "bad\ufffdbyte" in messages[1], messages[1]
'
check "json: 200 random names with special bytes come back as written" \
    python3 "$here/check_json_escaping.py" "$MG" "$work"

# Usage and I/O errors
run lint
check "lint without a file exits 2" [ "$status" -eq 2 ]
run lint --format xml bad.sql
check "an unknown format exits 2" [ "$status" -eq 2 ]
run lint --rule no-such-rule bad.sql
check "an unknown rule exits 2" [ "$status" -eq 2 ]
check "and names it" grep -q 'no-such-rule' err
run lint --frobnicate bad.sql
check "an unknown option exits 2" [ "$status" -eq 2 ]
run lint missing.sql
check "a missing file exits 2" [ "$status" -eq 2 ]
check "and names the file" grep -q 'missing.sql' err
run lint --help
check "lint --help exits 0" [ "$status" -eq 0 ]
for word in NAME SYNOPSIS OPTIONS --format --rule --exclude-rule --assume-in-transaction \
    --fail-on --config --dsn "EXIT STATUS" ignore-file; do
    check "lint --help documents $word" grep -q -- "$word" out
done

# Rule filters
run lint --format json --rule drop-column,syntax-error bad.sql
rules out | cut -d: -f3 | tr '\n' ' ' >got
check "--rule keeps only the named rules" [ "$(cat got)" = "drop-column syntax-error " ]
run lint --format json --exclude-rule missing-lock-timeout --exclude-rule syntax-error bad.sql
rules out | cut -d: -f3 | tr '\n' ' ' >got
check "--exclude-rule drops the named rules" [ "$(cat got)" = "drop-column create-index-non-concurrently " ]

# Suppression comments
cat >suppressed.sql <<'SQL'
-- migration-guard ignore drop-column: nickname unused since release 41
ALTER TABLE accounts DROP COLUMN nickname;
ALTER TABLE accounts DROP COLUMN plan; -- migration-guard ignore drop-column,missing-lock-timeout: unused
ALTER TABLE accounts DROP COLUMN age;
/* migration-guard ignore drop-column */
ALTER TABLE accounts DROP COLUMN town;
SELECT '-- migration-guard ignore drop-column: inside a string, not a comment';
ALTER TABLE accounts DROP COLUMN zip;
SQL
run lint --format json suppressed.sql
rules out >got
cat >want <<'W'
2:1:missing-lock-timeout:warning
4:1:drop-column:error
4:1:missing-lock-timeout:warning
6:1:drop-column:error
6:1:missing-lock-timeout:warning
8:1:drop-column:error
8:1:missing-lock-timeout:warning
W
check "suppression comments silence one statement's named rules only" cmp -s got want
check "a suppression without a reason is reported on stderr" \
    grep -q 'suppressed.sql:5: suppression comment gives no reason' err
run lint suppressed.sql
check "the human summary counts suppressed findings" grep -q '(3 suppressed)$' out
printf -- '-- migration-guard ignore-file all: generated fixture\nDROP TABLE a;\nSELEC 1;\n' >file-wide.sql
run lint file-wide.sql
check "ignore-file all silences the whole file, syntax errors included" [ "$status" -eq 0 ]
printf -- '-- migration-guard ignore-file drop-tabel: typo\nDROP TABLE a;\n' >typo.sql
run lint typo.sql
check "a suppression naming an unknown rule suppresses nothing" [ "$status" -eq 1 ]
check "and is reported" grep -q 'unknown rule "drop-tabel"' err

# Configuration file
printf '{"rule_actions": {"drop-column": "warn", "missing-lock-timeout": "off"}}\n' >cfg.json
run lint --config cfg.json --format json bad.sql
rules out >got
cat >want <<'W'
2:1:drop-column:warning
3:1:syntax-error:error
4:3:create-index-non-concurrently:warning
W
check "config rule_actions change severities and turn rules off" cmp -s got want
mkdir -p proj && printf '{"fail_on": "never"}\n' >proj/.migration-guard.json && cp bad.sql proj/
(cd proj && "$MG" lint bad.sql >/dev/null 2>&1); status=$?
check ".migration-guard.json in the current directory is read" [ "$status" -eq 0 ]
(cd proj && "$MG" lint --no-config bad.sql >/dev/null 2>&1); status=$?
check "--no-config ignores it" [ "$status" -eq 1 ]
(cd proj && "$MG" lint --fail-on error bad.sql >/dev/null 2>&1); status=$?
check "the command line wins over the config file" [ "$status" -eq 1 ]
printf '{"rule_action": {}}\n' >typo.json
run lint --config typo.json bad.sql
check "an unknown config key exits 2" [ "$status" -eq 2 ]
check "and names the key" grep -q 'unknown key "rule_action"' err
printf '{"rule_actions": {"drop-column": "maybe"}}\n' >badaction.json
run lint --config badaction.json bad.sql
check "an unknown action exits 2" [ "$status" -eq 2 ]
printf '{ not json' >broken.json
run lint --config broken.json bad.sql
check "a config that is not JSON exits 2" [ "$status" -eq 2 ]
run lint --config missing.json bad.sql
check "a missing --config file exits 2" [ "$status" -eq 2 ]

# Transactions: a table created earlier in the same transaction is exempt.
printf 'CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN x int NOT NULL;\n' >tx.sql
run lint --format json tx.sql
check "without --assume-in-transaction the new table is not exempt" \
    grep -q 'add-column-not-null-without-default' out
run lint --format json --assume-in-transaction tx.sql
check "with --assume-in-transaction it is" python3 -c 'import json; assert json.load(open("out")) == []'
printf -- '--! no-transaction\nCREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN x int NOT NULL;\n' >graphile.sql
run lint --format json --assume-in-transaction graphile.sql
check "graphile-migrate's --! no-transaction overrides it" grep -q 'add-column-not-null-without-default' out
printf -- '-- migrate:up transaction:false\nCREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN x int NOT NULL;\n' >dbmate.sql
run lint --format json --assume-in-transaction dbmate.sql
check "dbmate's transaction:false overrides it" grep -q 'add-column-not-null-without-default' out
printf '{"assume_in_transaction": true}\n' >tx.json
run lint --format json --config tx.json tx.sql
check "assume_in_transaction in the config file" python3 -c 'import json; assert json.load(open("out")) == []'

# Directories and standard input
mkdir -p tree/sub tree/.hidden && cp bad.sql tree/sub/002.sql && cp clean.sql tree/001.sql &&
    cp bad.sql tree/.hidden/x.sql && printf 'DROP TABLE x;' >tree/notes.txt
run lint --format json tree
check "a directory is searched for *.sql files, hidden ones skipped" python3 -c '
import json; assert sorted({f["file"] for f in json.load(open("out"))}) == ["tree/sub/002.sql"]'
run lint --format json - <bad.sql
check "- reads standard input" python3 -c '
import json; assert {f["file"] for f in json.load(open("out"))} == {"-"}'

# Lexer errors and odd input never crash.
printf "SELECT 'unterminated;\nDROP TABLE x;\n" >unterminated.sql
run lint --format json unterminated.sql
check "an unterminated quote is a syntax-error finding" grep -q '"syntax-error"' out
check "and the exit status is 1, not a crash" [ "$status" -eq 1 ]
printf '' >empty.sql
run lint empty.sql
check "an empty file is clean" [ "$status" -eq 0 ]

finish
