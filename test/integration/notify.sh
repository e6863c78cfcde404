#!/usr/bin/env bash
# Every finished migration is announced with pg_notify on channel 'migration_guard'.
set -u
# shellcheck source=test/integration/lib/tap.sh
. "$(dirname "$0")/lib/tap.sh"
fresh_db mg_it_notify

# One session listens and runs a migration; psql prints the notification it receives.
out=$(q <<'SQL'
LISTEN migration_guard;
SELECT migration_guard.run_migration('001', 'create table candidates (id int primary key, email_address text)', 'create candidates');
SQL
)
payload=$(sed -n 's/^Asynchronous notification "migration_guard" with payload "\(.*\)" received from server process with PID [0-9]*\.$/\1/p' <<<"$out")
is "$(grep -c '^Asynchronous notification "migration_guard"' <<<"$out")" "1" "one notification arrives on channel migration_guard"
check() { q -c "SELECT $1 FROM (SELECT \$json\$$payload\$json\$::jsonb AS p) s"; }
is "$(check "p->>'version'")" "001" "payload names the version"
is "$(check "p->>'name'")" "create candidates" "payload names the migration"
is "$(check "p->>'status'")" "succeeded" "payload gives the status"
is "$(check "p->>'migration_id'")" "1" "payload gives the migration_id"
is "$(check "p->>'ddl_count'")" "2" "payload counts the DDL commands (the table and its primary key index)"
is "$(check "p->'objects'->0->>'object_identity'")" "public.candidates" "payload lists the objects changed"
is "$(check "p->>'script_hash' ~ '^sha256:[0-9a-f]{64}$'")" "t" "payload carries the script hash"
is "$(check "(p->>'duration_ms')::numeric >= 0")" "t" "payload carries the duration"
is "$(check "p->>'applied_by'")" "$PGUSER" "payload names the role"

# A failed migration is announced too.
out=$(q <<'SQL'
LISTEN migration_guard;
SELECT migration_guard.begin_migration('002', 'drop table nothing', 'doomed');
SELECT migration_guard.fail_migration('cancelled');
SQL
)
payload=$(sed -n 's/^Asynchronous notification "migration_guard" with payload "\(.*\)" received from server process with PID [0-9]*\.$/\1/p' <<<"$out")
is "$(check "p->>'status' || ': ' || (p->>'reason')")" "failed: cancelled" "a failed migration is announced with its reason"

# A rolled-back transaction announces nothing (notifications are transactional).
out=$(q <<'SQL'
LISTEN migration_guard;
BEGIN;
SELECT migration_guard.begin_migration('003', 'create table t3 (x int)');
CREATE TABLE t3 (x int);
SELECT migration_guard.finish_migration();
ROLLBACK;
SQL
)
is "$(grep -c 'Asynchronous notification' <<<"$out")" "0" "nothing is announced for a migration rolled back after finish"

# The objects list of a migration run with run_migration(VERSION, SCRIPT), as received:
# "objects_truncated ddl_count length-of-objects".
objects_of() {
    out=$(q -v version="$1" -v script="$2" <<'SQL'
LISTEN migration_guard;
SELECT migration_guard.run_migration(:'version', :'script', 'objects');
SQL
)
    payload=$(sed -n 's/^Asynchronous notification "migration_guard" with payload "\(.*\)" received from server process with PID [0-9]*\.$/\1/p' <<<"$out")
    check "(p->>'objects_truncated') || ' ' || (p->>'ddl_count') || ' ' || jsonb_array_length(p->'objects')"
}

# A migration with more objects than fit in a notification (8000 bytes) still announces itself.
script=$(for i in $(seq 1 150); do printf 'create table many_%03d (id int primary key);\n' "$i"; done)
is "$(objects_of 004 "$script")" "true 300 0" "a large migration's object list is left out, its count kept"

# Fewer objects than could ever overflow a notification by their number alone, but with names
# long enough that the list does not fit (40 tables and their indexes, 80 objects of about 110
# bytes each): the list is measured, and left out.
script=$(for i in $(seq 1 40); do printf 'create table long_name_%02d_%s (id int primary key);\n' "$i" "$(printf 'x%.0s' $(seq 1 45))"; done)
is "$(objects_of 005 "$script")" "true 80 0" "a list too long for a notification is left out, its count kept"

# 60 objects with short names fit, and are listed in full.
script=$(for i in $(seq 1 30); do printf 'create table s%02d (id int primary key);\n' "$i"; done)
is "$(objects_of 006 "$script")" "false 60 60" "60 objects with short names are listed in full"

done_testing
