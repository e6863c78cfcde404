# shellcheck shell=bash
# Minimal TAP helpers for the integration scripts (sourced). The scripts run against the
# throwaway cluster of tools/test.sh: PGHOST/PGPORT/PGUSER point at it, PGUSER is a superuser.
_tap_n=0
_tap_failed=0
is() { # got expected description
    _tap_n=$((_tap_n + 1))
    if [ "$1" = "$2" ]; then
        echo "ok $_tap_n - $3"
    else
        echo "not ok $_tap_n - $3"
        echo "#   got:      '$1'"
        echo "#   expected: '$2'"
        _tap_failed=$((_tap_failed + 1))
    fi
}
done_testing() {
    echo "1..$_tap_n"
    [ "$_tap_failed" -eq 0 ]
}
# A fresh database with the extension; removed when the script exits.
fresh_db() { # name
    TAP_DB=$1
    psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $TAP_DB" -c "CREATE DATABASE $TAP_DB" >/dev/null
    psql -X -q -d "$TAP_DB" -c "CREATE EXTENSION migration_guard" >/dev/null
    trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $TAP_DB" >/dev/null 2>&1' EXIT
}
q() { psql -X -At -v ON_ERROR_STOP=1 -d "$TAP_DB" "$@"; }
