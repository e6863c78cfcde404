#!/usr/bin/env bash
# Installs the Debian packages migration_guard needs to build and test, when any is missing.
# Idempotent: on a machine that has everything it prints the versions and changes nothing.
# Runs `apt-get update` once, and only when something has to be installed.
# Arguments, if any, are further packages to ensure (bench/lib.sh passes the benchmarks' own).
set -euo pipefail

# The one list of build and test dependencies (Debian 12 package names).
REQUIRED_PACKAGES=(
    postgresql-15                          # server, initdb, pg_ctl, psql
    postgresql-server-dev-15               # PGXS, server headers, pg_config
    libpg-query-dev                        # CLI parser (libpg_query 15)
    libprotobuf-c-dev                      # headers for libpg_query's scanner output (CLI)
    python3                                # CLI tests validate JSON and SARIF output
    postgresql-15-pgtap                    # pgTAP extension
    libtap-parser-sourcehandler-pgtap-perl # pg_prove
    nlohmann-json3-dev
    libssl-dev
    libpq-dev
    libgtest-dev
    cmake
    g++
    make
    pkg-config
    sqitch                                 # adapter end-to-end tests (test/integration/tool_sqitch.sh)
    libdbd-pg-perl                         # sqitch's PostgreSQL driver
    clang                                  # libFuzzer smoke run of lint (ctest fuzz_lint_smoke)
    libclang-rt-14-dev                     # its sanitizer and libFuzzer runtimes
)

# Optional extra packages as arguments: the benchmarks (bench/lib.sh) pass theirs here, so the
# test command never installs them. Usage: bash tools/ensure-deps.sh [PACKAGE...]
REQUIRED_PACKAGES+=("$@")

is_installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" = "installed" ]
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        echo "ensure-deps: need root (or passwordless sudo) to run: $*" >&2
        return 1
    fi
}

command -v dpkg-query >/dev/null 2>&1 || {
    echo "ensure-deps: dpkg-query not found; this script supports Debian/Ubuntu only" >&2
    exit 1
}

missing=()
for pkg in "${REQUIRED_PACKAGES[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
done

if [ "${#missing[@]}" -gt 0 ]; then
    echo "ensure-deps: installing missing packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! as_root apt-get update; then
        echo "ensure-deps: ERROR: 'apt-get update' failed; cannot install: ${missing[*]}" >&2
        exit 1
    fi
    if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        "${missing[@]}"; then
        echo "ensure-deps: ERROR: 'apt-get install' failed for: ${missing[*]}" >&2
        exit 1
    fi
    still_missing=()
    for pkg in "${missing[@]}"; do
        is_installed "$pkg" || still_missing+=("$pkg")
    done
    if [ "${#still_missing[@]}" -gt 0 ]; then
        echo "ensure-deps: ERROR: still not installed after apt-get: ${still_missing[*]}" >&2
        exit 1
    fi
else
    echo "ensure-deps: all ${#REQUIRED_PACKAGES[@]} required packages already installed"
fi

for pkg in "${REQUIRED_PACKAGES[@]}"; do
    dpkg-query -W -f='  ${Package} ${Version}\n' "$pkg"
done

# The npm tools the adapter end-to-end tests run (test/integration/tool_*.sh): graphile-migrate,
# node-pg-migrate and postgrator at the exact versions of test/integration/tools/package-lock.json.
# They need node 20 or later; a machine without it gets Debian's nodejs and npm, and when those
# are too old the tests cannot run: say so and fail, never skip them quietly.
TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/test/integration/tools"
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "ensure-deps: node/npm missing; installing Debian's nodejs and npm"
    if ! { as_root apt-get update &&
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
            nodejs npm; }; then
        echo "ensure-deps: ERROR: could not install nodejs and npm: the adapter tests cannot run" >&2
        exit 1
    fi
fi
if [ "$(node_major)" -lt 20 ]; then
    echo "ensure-deps: ERROR: node $(node --version) is older than 20, which node-pg-migrate and postgrator need: the adapter tests cannot run" >&2
    exit 1
fi
lock_stamp="$TOOLS_DIR/node_modules/.package-lock.json"
# npm ci writes node_modules/.package-lock.json: newer than the lock file means up to date.
if [ "$lock_stamp" -nt "$TOOLS_DIR/package-lock.json" ]; then
    echo "ensure-deps: npm tools already installed in $TOOLS_DIR/node_modules"
elif ! (cd "$TOOLS_DIR" && npm ci --no-audit --no-fund --loglevel=error); then
    echo "ensure-deps: ERROR: 'npm ci' failed in $TOOLS_DIR: the adapter tests cannot run" >&2
    exit 1
fi
for tool in graphile-migrate node-pg-migrate postgrator; do
    if [ ! -x "$TOOLS_DIR/node_modules/.bin/$tool" ]; then
        echo "ensure-deps: ERROR: $tool is not installed in $TOOLS_DIR/node_modules" >&2
        exit 1
    fi
    printf '  %s %s (npm)\n' "$tool" "$(node -p "require('$TOOLS_DIR/node_modules/$tool/package.json').version")"
done
