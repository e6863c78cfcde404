// Running the ledger's internal SQL as the extension owner.
//
// The public API functions are plain (not SECURITY DEFINER) C functions so that they can see
// who really called them; they then switch to the extension's owner for the duration of one
// SPI call, the way PostgreSQL itself runs maintenance code as a table's owner
// (SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION), with search_path pinned to
// pg_catalog, pg_temp so that nothing the caller put on its search_path (an operator, a
// function, a table) can run or be read with the owner's privileges.
#pragma once

#include "extension/pg.hpp"

namespace mg::pg {

struct SqlArg {
    Oid type;
    Datum value;
    bool isnull;
};

inline SqlArg text_arg(const char *s) {
    return SqlArg{TEXTOID, s ? CStringGetTextDatum(s) : (Datum)0, s == nullptr};
}
inline SqlArg text_arg(text *t) {
    return SqlArg{TEXTOID, PointerGetDatum(t), t == nullptr};
}
inline SqlArg bool_arg(bool b) {
    return SqlArg{BOOLOID, BoolGetDatum(b), false};
}
inline SqlArg int8_arg(int64 v) {
    return SqlArg{INT8OID, Int64GetDatum(v), false};
}
inline SqlArg timestamptz_arg(TimestampTz t) {
    return SqlArg{TIMESTAMPTZOID, TimestampTzGetDatum(t), false};
}

// The role that owns the migration_guard extension, or InvalidOid while it is not installed
// (or is being dropped). Cached across transactions until the extension may have changed.
Oid ledger_owner();
void forget_ledger_owner();

// Runs a query that returns one bigint (or NULL) as the ledger owner and returns it.
// *isnull is set when the result is NULL.
int64 call_as_owner_int8(const char *sql, int nargs, const SqlArg *args, bool *isnull);

// Runs fn() with the current user switched to the ledger owner, restoring it afterwards even
// when fn() raises an error.
// `fully_qualified`: the caller's SQL names every table, function and operator with its schema
// (OPERATOR(pg_catalog.=) ...), so it resolves nothing through search_path and may skip the
// pin (DDL capture, on every DDL statement, does; everything else pins).
template <typename Fn> void as_owner(Oid owner, Fn &&fn, bool fully_qualified = false) {
    Oid saved_user;
    int saved_context;
    GetUserIdAndSecContext(&saved_user, &saved_context);
    SetUserIdAndSecContext(owner, saved_context | SECURITY_LOCAL_USERID_CHANGE |
                                      SECURITY_RESTRICTED_OPERATION);
    // On error, (sub)transaction abort pops this GUC level, as for SECURITY DEFINER functions.
    int guc_level = -1;
    if (!fully_qualified) {
        guc_level = NewGUCNestLevel();
        set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
                          GUC_ACTION_SAVE, true, 0, false);
    }
    PG_TRY();
    { fn(); }
    PG_CATCH();
    {
        SetUserIdAndSecContext(saved_user, saved_context);
        PG_RE_THROW();
    }
    PG_END_TRY();
    if (guc_level >= 0)
        AtEOXact_GUC(false, guc_level);
    SetUserIdAndSecContext(saved_user, saved_context);
}

// Runs fn() connected to SPI, as the ledger owner (see as_owner()).
template <typename Fn> void spi_as_owner(Oid owner, Fn &&fn, bool fully_qualified = false) {
    as_owner(
        owner,
        [&] {
            if (SPI_connect() != SPI_OK_CONNECT)
                elog(ERROR, "migration_guard: SPI_connect failed");
            fn();
            SPI_finish();
        },
        fully_qualified);
}

// The name of the current user, palloc'd.
const char *current_role_name();

} // namespace mg::pg
