# shellcheck shell=bash
# Shared helpers for tools/*.sh. Source it; do not run it.
#
#   mg_heading TEXT         a visible section heading
#   mg_info / mg_warn TEXT  progress and warnings (stderr)
#   mg_die TEXT             print an error and exit 1
#   mg_as_root CMD...       run CMD as root (directly, or through `sudo -n` when not root)
#   mg_ensure_deps          run tools/ensure-deps.sh
#   mg_build_extension      `make -j2`, then `make install` into a private copy of the
#                           PostgreSQL 15 server (below), never into the system's own
#   mg_cluster_start        start a throwaway PostgreSQL 15 cluster and export PGHOST/PGPORT/
#                           PGUSER/PGDATABASE for it (the role is a superuser)
#   mg_cluster_stop         stop it and remove its directory; also runs from the EXIT trap
#   mg_psql ARGS...         psql against the throwaway cluster, no psqlrc, stop at the first error
#
# The throwaway cluster: initdb into a fresh `mktemp -d` directory (as the `postgres` OS user when
# we are root, because initdb refuses to run as root), listen on no TCP address at all, only on a
# Unix socket inside that private directory. Nothing can collide with another server on the
# machine (Debian's own "main" cluster on 5432 included), no password or stdin is ever needed,
# and removing the directory removes every trace. An EXIT trap (installed when this file is
# sourced) stops the server and removes the directory on every exit path, failures included.
#
# The private server copy: PostgreSQL finds its share and library directories relative to its own
# binaries, so a copy of /usr/lib/postgresql/15 and /usr/share/postgresql/15 in a temp directory is
# a complete server of its own. The extension is installed there (`make install DESTDIR=...`), so
# the tests never need root for the install step, never see a migration_guard installed earlier by
# hand, and several checkouts can build and test side by side without replacing each other's
# library under a running server. Extensions the tests use (pgtap, dblink, pgaudit) come along in
# the copy, so tools/ensure-deps.sh runs before it is made.

MG_PG_MAJOR=15
MG_PG_BINDIR=/usr/lib/postgresql/${MG_PG_MAJOR}/bin
MG_PG_CONFIG=${MG_PG_BINDIR}/pg_config
MG_REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Prefer the PostgreSQL 15 binaries over Debian's version-picking wrappers in /usr/bin.
case ":${PATH}:" in
*":${MG_PG_BINDIR}:"*) ;;
*) PATH="${MG_PG_BINDIR}:${PATH}" ;;
esac
export PATH

MG_STAGE_DIR=""          # the private server copy, once mg_build_extension made it
MG_SERVER_BINDIR=${MG_PG_BINDIR} # where initdb/pg_ctl/postgres are taken from
MG_CLUSTER_DIR=""        # the cluster's temp directory while a cluster is running
MG_CLUSTER_LOG_COPY=""   # if set, the server log is copied here when the cluster stops
MG_CLEANUP_PATHS=()      # extra temp paths removed on exit

mg_heading() {
    printf '\n==== %s ====\n' "$*"
}

mg_info() {
    printf '[migration_guard] %s\n' "$*" >&2
}

mg_warn() {
    printf '[migration_guard] WARNING: %s\n' "$*" >&2
}

mg_die() {
    printf '[migration_guard] ERROR: %s\n' "$*" >&2
    exit 1
}

mg_is_root() {
    [ "$(id -u)" -eq 0 ]
}

mg_as_root() {
    if mg_is_root; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        mg_warn "not root and no sudo: cannot run '$*'"
        return 1
    fi
}

# mg_tmpdir VAR: create a temp directory, store its path in VAR, remove it on exit.
mg_tmpdir() {
    local dir
    dir=$(mktemp -d "${TMPDIR:-/tmp}/migration_guard.XXXXXX")
    MG_CLEANUP_PATHS+=("$dir")
    printf -v "$1" '%s' "$dir"
}

mg_ensure_deps() {
    bash "${MG_REPO_ROOT}/tools/ensure-deps.sh"
}

# mg_stage_server: make the private server copy (once per run) and point MG_SERVER_BINDIR at it.
mg_stage_server() {
    [ -z "$MG_STAGE_DIR" ] || return 0
    local stage sharedir pkglibdir
    sharedir=$("$MG_PG_CONFIG" --sharedir) && pkglibdir=$("$MG_PG_CONFIG" --pkglibdir) || return 1
    mg_tmpdir stage
    chmod 755 "$stage" # the cluster runs as the postgres OS user
    mkdir -p "$stage$(dirname "$sharedir")" "$stage/usr/lib/postgresql" || return 1
    cp -a "$sharedir" "$stage$(dirname "$sharedir")/" &&
        cp -a "/usr/lib/postgresql/${MG_PG_MAJOR}" "$stage/usr/lib/postgresql/" || return 1
    if [ "$("$stage${MG_PG_BINDIR}/pg_config" --pkglibdir)" != "$stage$pkglibdir" ]; then
        mg_warn "the copied PostgreSQL server does not relocate to $stage"
        return 1
    fi
    MG_STAGE_DIR=$stage
    MG_SERVER_BINDIR=$stage${MG_PG_BINDIR}
}

mg_build_extension() {
    mg_stage_server || return 1
    (
        cd "$MG_REPO_ROOT" &&
            make -j2 PG_CONFIG="$MG_PG_CONFIG" &&
            make install PG_CONFIG="$MG_PG_CONFIG" DESTDIR="$MG_STAGE_DIR" >/dev/null
    )
}

# Run a command as the OS user that owns the cluster, from inside the cluster directory (the
# postgres user may not be allowed to read the caller's working directory).
_mg_as_cluster_owner() {
    if mg_is_root; then
        (cd "$MG_CLUSTER_DIR" && runuser -u postgres -- "$@")
    else
        (cd "$MG_CLUSTER_DIR" && "$@")
    fi
}

mg_cluster_start() {
    if [ -n "$MG_CLUSTER_DIR" ]; then
        mg_warn "a throwaway cluster is already running in $MG_CLUSTER_DIR"
        return 1
    fi
    if [ ! -x "${MG_SERVER_BINDIR}/initdb" ]; then
        mg_warn "${MG_SERVER_BINDIR}/initdb not found (is postgresql-${MG_PG_MAJOR} installed?)"
        return 1
    fi
    if mg_is_root && ! id postgres >/dev/null 2>&1; then
        mg_warn "running as root but there is no 'postgres' OS user to own the cluster"
        return 1
    fi

    MG_CLUSTER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/migration_guard_pg.XXXXXX")
    chmod 755 "$MG_CLUSTER_DIR"
    mkdir "$MG_CLUSTER_DIR/socket"
    if mg_is_root; then
        chown -R postgres: "$MG_CLUSTER_DIR"
    fi
    # The port only names the socket file inside our private directory (no TCP listener).
    local port=$((20000 + RANDOM % 30000))
    local data="$MG_CLUSTER_DIR/data" log="$MG_CLUSTER_DIR/postgres.log"

    mg_info "initdb in $data"
    if ! _mg_as_cluster_owner "${MG_SERVER_BINDIR}/initdb" -D "$data" -U postgres -A trust \
        -E UTF8 --no-locale --no-sync >"$MG_CLUSTER_DIR/initdb.log" 2>&1; then
        cat "$MG_CLUSTER_DIR/initdb.log" >&2
        mg_warn "initdb failed"
        return 1
    fi
    cat >>"$data/postgresql.conf" <<EOF

# migration_guard throwaway test cluster
listen_addresses = ''
unix_socket_directories = '$MG_CLUSTER_DIR/socket'
port = $port
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 40
EOF
    if ! _mg_as_cluster_owner "${MG_SERVER_BINDIR}/pg_ctl" -D "$data" -l "$log" -w -t 60 start \
        >/dev/null; then
        [ ! -f "$log" ] || tail -n 50 "$log" >&2
        mg_warn "pg_ctl start failed"
        return 1
    fi

    unset PGHOSTADDR PGSERVICE PGSERVICEFILE PGPASSWORD PGPASSFILE PGOPTIONS PGSSLMODE \
        PGTARGETSESSIONATTRS PGCONNECT_TIMEOUT
    export PGHOST="$MG_CLUSTER_DIR/socket" PGPORT="$port" PGUSER=postgres PGDATABASE=postgres
    mg_info "throwaway cluster up: PGHOST=$PGHOST PGPORT=$PGPORT PGUSER=$PGUSER (superuser)"
}

mg_cluster_stop() {
    [ -n "$MG_CLUSTER_DIR" ] || return 0
    local dir="$MG_CLUSTER_DIR" data="$MG_CLUSTER_DIR/data"
    if [ -f "$data/postmaster.pid" ]; then
        mg_info "stopping the throwaway cluster"
        if ! _mg_as_cluster_owner "${MG_SERVER_BINDIR}/pg_ctl" -D "$data" -m fast -w -t 30 stop \
            >/dev/null 2>&1; then
            _mg_as_cluster_owner "${MG_SERVER_BINDIR}/pg_ctl" -D "$data" -m immediate -w -t 10 stop \
                >/dev/null 2>&1 || true
        fi
        # Last resort: the postmaster we started, by its pid.
        if [ -f "$data/postmaster.pid" ]; then
            local pid
            pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
            case "$pid" in '' | *[!0-9]*) ;; *) kill -9 "$pid" 2>/dev/null || true ;; esac
        fi
    fi
    if [ -n "$MG_CLUSTER_LOG_COPY" ] && [ -f "$dir/postgres.log" ]; then
        cp "$dir/postgres.log" "$MG_CLUSTER_LOG_COPY" 2>/dev/null || true
    fi
    rm -rf "$dir"
    MG_CLUSTER_DIR=""
    unset PGHOST PGPORT PGUSER PGDATABASE
}

mg_psql() {
    psql -X -q -v ON_ERROR_STOP=1 -P pager=off "$@"
}

_mg_on_exit() {
    local rc=$?
    # Cleanup must finish even if the output pipe is gone (`tools/test.sh | head`) or the user
    # presses Ctrl-C again: ignore those signals from here on.
    trap '' INT TERM HUP PIPE
    mg_cluster_stop
    if [ "${#MG_CLEANUP_PATHS[@]}" -gt 0 ]; then
        rm -rf "${MG_CLEANUP_PATHS[@]}"
    fi
    return "$rc"
}

# A signal that kills bash skips the EXIT trap, so turn each into an ordinary exit. SIGPIPE too:
# `bash tools/demo.sh | head` would otherwise leave the cluster running.
trap _mg_on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
trap 'exit 141' PIPE
