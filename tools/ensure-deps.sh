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
