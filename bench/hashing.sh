#!/usr/bin/env bash
# Figure 4: migration_guard.script_hash() on a large script vs. sha256sum of the same bytes.
#
# The script (SIZE_MB, 100 by default) is a file of ordinary SQL migration text with LF line
# ends. Both sides read the file from the page cache and hash it:
#   sha256sum      sha256sum FILE (coreutils; the anchor: reads the file and hashes it)
#   script_hash_in_memory  script_hash() of the script already in the backend's memory (read
#                  into a PL/pgSQL variable first, untimed): the hash itself
#   pg_sha256_in_memory    PostgreSQL's own sha256() of the same bytes, likewise (reference)
#   script_hash    SELECT migration_guard.script_hash(pg_read_binary_file(FILE)): read + hash,
#                  end to end
#   pg_sha256      SELECT sha256(pg_read_binary_file(FILE)), likewise (reference)
#   read_only      SELECT length(pg_read_binary_file(FILE)): what reading alone costs
# Server-side times are taken inside the server with clock_timestamp(), so connection
# start-up is not counted.
#   script_hash_crlf(_in_memory)  the same with CR LF line ends (every line costs a
#                  canonicalisation step); the anchor is sha256sum of the CR LF file
# The ratio reported is time(sha256sum) / time(X): throughput relative to sha256sum (target:
# script_hash at least 0.8). The LF file has no CR and no byte order mark, so its canonical form
# is the file itself: script_hash must equal "sha256:" + sha256sum, and this script checks it.
#
# Usage: bash bench/hashing.sh      (SIZE_MB=100 ROUNDS=7; BENCH_SMOKE=1: 2 MB, 1 round)
set -euo pipefail
# shellcheck source=bench/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$MG_REPO_ROOT"

SIZE_MB=${SIZE_MB:-$(bench_size 100 2)}
ROUNDS=${ROUNDS:-$(bench_size 7 1)}

bench_setup
db=bench_hashing
bench_db_create "$db"
# The library is loaded when the session starts, so no measurement pays for loading it.
mg_psql -d "$db" -c "CREATE EXTENSION migration_guard" \
    -c "ALTER DATABASE $db SET session_preload_libraries = 'migration_guard'" >/dev/null

# The script lives in the cluster directory, which the server's OS user can read.
script=$MG_CLUSTER_DIR/script_lf.sql
script_crlf=$MG_CLUSTER_DIR/script_crlf.sql
mg_info "writing a ${SIZE_MB} MB script"
awk -v bytes=$((SIZE_MB * 1024 * 1024)) 'BEGIN {
    while (n < bytes) {
        i++
        s = sprintf("-- migration step %d: add the reporting column and its index\nALTER TABLE accounts_%d ADD COLUMN reported_at timestamptz;\nCREATE INDEX CONCURRENTLY accounts_%d_reported_idx ON accounts_%d (reported_at);\nUPDATE accounts_%d SET reported_at = now() WHERE id BETWEEN %d AND %d;\n", i, i % 97, i, i % 97, i % 97, i * 1000, i * 1000 + 999)
        printf "%s", s; n += length(s)
    }
}' >"$script"
sed 's/$/\r/' "$script" >"$script_crlf"
chmod 644 "$script" "$script_crlf"
bytes=$(stat -c %s "$script")

# Correctness first: the LF script's canonical form is itself.
expected="sha256:$(sha256sum "$script" | cut -d' ' -f1)"
got=$(mg_psql -d "$db" -Atc "SELECT migration_guard.script_hash(pg_read_binary_file('$script'))")
[ "$got" = "$expected" ] || mg_die "script_hash() = $got, but sha256sum says $expected"
# The CR LF script canonicalises to the LF one.
got=$(mg_psql -d "$db" -Atc "SELECT migration_guard.script_hash(pg_read_binary_file('$script_crlf'))")
[ "$got" = "$expected" ] || mg_die "script_hash() of the CR LF script = $got, expected $expected"
mg_info "script_hash() matches sha256sum: $expected"

mg_tmpdir work
results=$work/results.txt
: >"$results"

# In-server timing (connection start-up not counted): EXECUTE the expression between two
# clock_timestamp() readings.
mg_psql -d "$db" >/dev/null <<'SQL'
CREATE FUNCTION bench_time_us(expression text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz := clock_timestamp();
    ignored text;
BEGIN
    EXECUTE 'SELECT (' || expression || ')::text' INTO ignored;
    RETURN (extract(epoch FROM clock_timestamp() - t0) * 1e6)::bigint;
END $$;
SQL
# The hash alone: the file is read into a variable first (untimed), then hashed.
mg_psql -d "$db" >/dev/null <<'SQL'
-- The hash is called directly (a PL/pgSQL expression passes the variable by reference; EXECUTE
-- ... USING would copy the 100 MB value into the plan as a constant, and time those copies).
CREATE FUNCTION bench_hash_us(path text, hash text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    script bytea := pg_read_binary_file(path);
    t0 timestamptz;
    ignored text;
BEGIN
    IF hash = 'script_hash' THEN
        t0 := clock_timestamp();
        ignored := migration_guard.script_hash(script);
    ELSE
        t0 := clock_timestamp();
        ignored := sha256(script)::text;
    END IF;
    RETURN (extract(epoch FROM clock_timestamp() - t0) * 1e6)::bigint;
END $$;
SQL
server_time_us() { # SQL expression; prints the time to evaluate it, in microseconds
    mg_psql -d "$db" -Atc "SELECT bench_time_us(\$e\$$1\$e\$)"
}

measure() { # config round
    local us
    case $1 in
    sha256sum) us=$(bench_time_us sha256sum "$script") ;;
    sha256sum_crlf) us=$(bench_time_us sha256sum "$script_crlf") ;;
    script_hash) us=$(server_time_us "migration_guard.script_hash(pg_read_binary_file('$script'))") ;;
    script_hash_crlf) us=$(server_time_us "migration_guard.script_hash(pg_read_binary_file('$script_crlf'))") ;;
    pg_sha256) us=$(server_time_us "sha256(pg_read_binary_file('$script'))") ;;
    read_only) us=$(server_time_us "length(pg_read_binary_file('$script'))") ;;
    script_hash_in_memory) us=$(mg_psql -d "$db" -Atc "SELECT bench_hash_us('$script', 'script_hash')") ;;
    pg_sha256_in_memory) us=$(mg_psql -d "$db" -Atc "SELECT bench_hash_us('$script', 'sha256')") ;;
    script_hash_crlf_in_memory) us=$(mg_psql -d "$db" -Atc "SELECT bench_hash_us('$script_crlf', 'script_hash')") ;;
    esac
    bench_record "$results" "$2" "$1" "$us"
    printf '  round %d %-16s %8.3f s\n' "$2" "$1" "$(awk -v u="$us" 'BEGIN{print u/1e6}')"
}

CONFIGS=(sha256sum script_hash pg_sha256 read_only script_hash_in_memory pg_sha256_in_memory
    sha256sum_crlf script_hash_crlf script_hash_crlf_in_memory)
# Warm-up: the files in the page cache, the library loaded.
for c in "${CONFIGS[@]}"; do measure "$c" 0 >/dev/null; done
: >"$results"
mg_heading "measure: $ROUNDS rounds, $bytes bytes"
bench_rounds "$ROUNDS" measure "${CONFIGS[@]}"

mg_heading "result: time per hash of $bytes bytes (ratio = time / time of sha256sum)"
bench_report "$results" sha256sum s 1e6 sha256sum script_hash_in_memory pg_sha256_in_memory \
    script_hash pg_sha256 read_only
mg_heading "result: the CR LF script (ratio = time / time of sha256sum of the CR LF file)"
bench_report "$results" sha256sum_crlf s 1e6 sha256sum_crlf script_hash_crlf_in_memory script_hash_crlf
for c in sha256sum script_hash_in_memory script_hash pg_sha256_in_memory; do
    printf '  throughput %-12s %6.0f MB/s (median)\n' "$c" \
        "$(awk -v b="$bytes" -v us="$(bench_median "$results" "$c")" 'BEGIN { print b / us }')"
done
echo
echo "Throughput relative to sha256sum = 1 / ratio (target for script_hash: at least 0.8)."
printf '\n%s\n' "$(bench_machine)"
