#!/usr/bin/env bash
# Lint speed, side by side in one run (issue #5's speed target, section "Lint speed" of
# BENCHMARKS.md). For generated migration scripts of 1,000 / 10,000 / 100,000 statements:
#   mg       migration-guard lint --format json (parse, describe, judge, report)
#   parse    bare libpg_query parsing of the same file (bench/lint_parse_baseline.c: read the
#            file, pg_query_raw_parse, nothing else): the floor
#   squawk   squawk (npm package squawk-cli, installed by this script into build/bench/squawk,
#            never globally), default rules
# Tools alternate inside every round (mg, parse, squawk, mg, ...) so this shared machine's noise
# lands on all alike. Reported per size: median wall time of the rounds, min..max, and the
# ratios squawk/mg and mg/parse; then mg's scaling from 10,000 to 100,000 statements.
#
# Usage: bash bench/lint_speed.sh                  (ROUNDS=5, SIZES="1000 10000 100000")
#        ROUNDS=1 SIZES=1000 bash bench/lint_speed.sh   (smoke run)
#        SQUAWK_VERSION=2.x bash bench/lint_speed.sh      (default: latest)
#        CORPUS=quiet bash bench/lint_speed.sh              (a script with few findings: the
#            engine's own cost without the report; default CORPUS=flagged)
#        SQUAWK_MAX=100000 bash bench/lint_speed.sh        (default 10000: squawk's time grows
#            faster than linearly, 100,000 statements take it many minutes a round)
# Needs: the CMake build (bash tools/test.sh or cmake --build build), gcc, bc, node + npm.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${ROUNDS:-5}
SIZES=${SIZES:-"1000 10000 100000"}
SQUAWK_VERSION=${SQUAWK_VERSION:-latest}
SQUAWK_MAX=${SQUAWK_MAX:-10000}
CORPUS=${CORPUS:-flagged}
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
mg=$root/build/migration-guard
out=$root/build/bench
mkdir -p "$out"

[ -x "$mg" ] || { echo "build the CLI first: cmake -S . -B build && cmake --build build" >&2; exit 2; }
gcc -O2 -o "$out/lint_parse_baseline" "$root/bench/lint_parse_baseline.c" \
    -I"$("$PG_CONFIG" --includedir-server)" -lpg_query
if [ ! -x "$out/squawk/node_modules/.bin/squawk" ] || [ "$SQUAWK_VERSION" != latest ]; then
    npm install --silent --no-audit --no-fund --prefix "$out/squawk" "squawk-cli@$SQUAWK_VERSION" >/dev/null
fi
squawk=$out/squawk/node_modules/.bin/squawk
squawk_version=$("$squawk" --version 2>&1 | head -n 1)

# A migration-like script of N statements: tables, columns, indexes, constraints, renames,
# drops. CORPUS=flagged: every few statements something a linter must flag (1.4 findings per
# statement). CORPUS=quiet: written the safe way (lock_timeout set, CONCURRENTLY, NOT VALID then
# VALIDATE), so almost nothing is reported.
generate() { # n file
    awk -v n="$1" -v corpus="$CORPUS" 'BEGIN {
        if (corpus == "quiet") print "SET lock_timeout = $$5s$$;"
        for (i = 0; i < n; i++) {
            t = "app_table_" int(i / 8)
            k = i % 8
            if (corpus == "quiet") {
                if (k == 0) printf "CREATE TABLE %s (id bigint PRIMARY KEY, name text, created_at timestamptz DEFAULT now());\n", t
                else if (k == 1) printf "ALTER TABLE %s ADD COLUMN email varchar(255);\n", t
                else if (k == 2) printf "CREATE INDEX CONCURRENTLY %s_email_idx ON %s (email);\n", t, t
                else if (k == 3) printf "ALTER TABLE %s ADD CONSTRAINT %s_name_check CHECK (char_length(name) < 200) NOT VALID;\n", t, t
                else if (k == 4) printf "-- backfill\nUPDATE %s SET name = $$n/a$$ WHERE name IS NULL;\n", t
                else if (k == 5) printf "ALTER TABLE %s VALIDATE CONSTRAINT %s_name_check;\n", t, t
                else if (k == 6) printf "INSERT INTO %s (id, name) VALUES (%d, $$row %d$$);\n", t, i, i
                else printf "COMMENT ON TABLE %s IS $$table %d$$;\n", t, i
            } else if (k == 0) printf "CREATE TABLE %s (id bigint PRIMARY KEY, name text, created_at timestamptz DEFAULT now());\n", t
            else if (k == 1) printf "ALTER TABLE %s ADD COLUMN email varchar(255);\n", t
            else if (k == 2) printf "CREATE INDEX %s_email_idx ON %s (email);\n", t, t
            else if (k == 3) printf "ALTER TABLE %s ADD CONSTRAINT %s_name_check CHECK (char_length(name) < 200);\n", t, t
            else if (k == 4) printf "-- backfill\nUPDATE %s SET name = $$n/a$$ WHERE name IS NULL;\n", t
            else if (k == 5) printf "ALTER TABLE %s ALTER COLUMN email TYPE text;\n", t
            else if (k == 6) printf "ALTER TABLE %s RENAME COLUMN name TO full_name;\n", t
            else printf "ALTER TABLE %s DROP COLUMN created_at;\n", t
        }
    }' >"$2"
}

secs() { # command...: wall seconds of one run (output discarded; exit status ignored)
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    echo "$end - $start" | bc -l
}
median() { sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.4f", m }'; }
range() { sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.4f..%.4f", lo, hi }'; }

echo "lint speed: $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $("$PG_CONFIG" --version), libpg_query $(dpkg-query -W -f='${Version}' libpg-query-dev 2>/dev/null || echo '?'), $squawk_version, $("$mg" --version), ROUNDS=$ROUNDS, CORPUS=$CORPUS"
declare -A median_mg
printf '\n%-8s %-7s %10s  %-18s\n' statements tool median_s "min..max"
for n in $SIZES; do
    file=$out/lint_speed_${CORPUS}_$n.sql
    generate "$n" "$file"
    declare -A times=()
    for r in $(seq 1 "$ROUNDS"); do
        times[mg]+="$(secs "$mg" lint --no-config --format json --fail-on never "$file") "
        times[parse]+="$(secs "$out/lint_parse_baseline" "$file") "
        [ "$n" -gt "$SQUAWK_MAX" ] || times[squawk]+="$(secs "$squawk" "$file") "
    done
    tools="mg parse squawk"
    [ "$n" -le "$SQUAWK_MAX" ] || tools="mg parse"
    for tool in $tools; do
        m=$(tr ' ' '\n' <<<"${times[$tool]}" | grep . | median)
        printf '%-8s %-7s %10s  %-18s\n' "$n" "$tool" "$m" "$(tr ' ' '\n' <<<"${times[$tool]}" | grep . | range)"
        printf -v "m_$tool" '%s' "$m"
    done
    median_mg[$n]=$m_mg
    findings=$("$mg" lint --no-config --format json --fail-on never "$file" | grep -o '"rule"' | wc -l)
    if [ "$n" -le "$SQUAWK_MAX" ]; then
        printf '%-8s ratios: squawk/mg = %.1f   mg/parse = %.2f   (%s findings from mg)\n' "$n" \
            "$(echo "$m_squawk / $m_mg" | bc -l)" "$(echo "$m_mg / $m_parse" | bc -l)" "$findings"
    else
        printf '%-8s ratios: mg/parse = %.2f   (%s findings from mg; squawk skipped above SQUAWK_MAX=%s)\n' \
            "$n" "$(echo "$m_mg / $m_parse" | bc -l)" "$findings" "$SQUAWK_MAX"
    fi
    unset times
done
if [ -n "${median_mg[10000]:-}" ] && [ -n "${median_mg[100000]:-}" ]; then
    printf '\nscaling: mg 100,000 / 10,000 statements = %.2f (10.00 is linear)\n' \
        "$(echo "${median_mg[100000]} / ${median_mg[10000]}" | bc -l)"
fi
