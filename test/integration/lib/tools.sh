# shellcheck shell=bash
# Helpers for the adapter end-to-end tests (test/integration/tool_*.sh), sourced after tap.sh.
# The real tools are installed by tools/ensure-deps.sh (npm ci into test/integration/tools, and
# Debian's sqitch). A tool that is missing is a failure, never a skip.
# shellcheck disable=SC2034 # used by the scripts that source this file
TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools" && pwd)"
SEED_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../../examples/migrations" && pwd)"

# need_tool NAME PATH: fails the whole script loudly when the tool is not installed.
need_tool() {
    if [ ! -x "$2" ]; then
        echo "not ok 1 - $1 is installed ($2 is missing: run tools/ensure-deps.sh)"
        echo "1..1"
        exit 1
    fi
}

# A libpq-style URL for the throwaway cluster's Unix socket, as the npm tools' pg client reads it.
db_url() { # database
    printf 'postgres://%s@localhost:%s/%s?host=%s' "$PGUSER" "$PGPORT" "$1" "$PGHOST"
}

# The seed 000 migrations (examples/migrations/NNN_name.sql), in order.
seed_files() { ls "$SEED_DIR"/[0-9][0-9][0-9]_*.sql; }

# Every DDL command the ledger holds for a table created by the seed: "version command_tag".
attributed() { # object identity
    q -c "SELECT coalesce(h.version, '<drift>') || ' ' || e.command_tag
            FROM migration_guard.ddl_log e LEFT JOIN migration_guard.history h USING (migration_id)
           WHERE e.object_identity = '$1' ORDER BY e.event_id LIMIT 1"
}
drift_count() { q -c "SELECT count(*) FROM migration_guard.drift"; }
