#include "extension/as_owner.hpp"

#include "core/error_codes.hpp"
#include "extension/bridge.hpp"

namespace mg::pg {

namespace {

// Kept across transactions (it is asked for on every DDL statement) until a relcache
// invalidation of migration_guard.ddl_events says the extension may have changed (DROP
// EXTENSION drops the table; REASSIGN OWNED, the only way to give the extension another owner,
// normally gives the table one too), or any role changes (REASSIGN OWNED of an extension whose
// table a DBA gave to someone else, followed by DROP ROLE). Other sessions' invalidations arrive at
// every transaction start. session.cpp also forgets it when a transaction aborts (a CREATE
// EXTENSION undone).
bool owner_known = false;
Oid cached_owner = InvalidOid;
Oid watched_table = InvalidOid;

void on_relcache(Datum, Oid relid) {
    if (relid == InvalidOid || relid == watched_table)
        owner_known = false;
}

void on_role_change(Datum, int, uint32) {
    owner_known = false;
}

Oid read_extension_owner() {
    Oid extension = get_extension_oid("migration_guard", true);
    if (!OidIsValid(extension))
        return InvalidOid;
    Relation rel = table_open(ExtensionRelationId, AccessShareLock);
    ScanKeyData key;
    ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
                ObjectIdGetDatum(extension));
    SysScanDesc scan = systable_beginscan(rel, ExtensionOidIndexId, true, nullptr, 1, &key);
    HeapTuple tuple = systable_getnext(scan);
    Oid owner =
        HeapTupleIsValid(tuple) ? ((Form_pg_extension)GETSTRUCT(tuple))->extowner : InvalidOid;
    systable_endscan(scan);
    table_close(rel, AccessShareLock);
    return owner;
}

} // namespace

Oid ledger_owner() {
    static bool callback_registered = false;
    if (!callback_registered) {
        CacheRegisterRelcacheCallback(on_relcache, (Datum)0);
        // Any change to any role (DROP ROLE after REASSIGN OWNED, say): look again.
        CacheRegisterSyscacheCallback(AUTHOID, on_role_change, (Datum)0);
        callback_registered = true;
    }
    if (!owner_known) {
        // Known from here on; an invalidation read during the lookups below unsets it again.
        owner_known = true;
        cached_owner = read_extension_owner();
        Oid nsp = get_namespace_oid("migration_guard", true);
        watched_table = OidIsValid(nsp) ? get_relname_relid("ddl_events", nsp) : InvalidOid;
        // Not installed (yet), or being dropped: ask again next time, CREATE EXTENSION may
        // follow in this transaction.
        if (!OidIsValid(cached_owner) || !OidIsValid(watched_table))
            owner_known = false;
    }
    return cached_owner;
}

void forget_ledger_owner() {
    owner_known = false;
}

const char *current_role_name() {
    return GetUserNameFromId(GetUserId(), false);
}

// migration_guard's own codes all begin "MG" (core/error_codes.hpp).
static bool is_own_sqlstate(int sqlerrcode) {
    return PGUNSIXBIT(sqlerrcode) == 'M' && PGUNSIXBIT(sqlerrcode >> 6) == 'G';
}

int64 call_as_owner_int8(const char *sql, int nargs, const SqlArg *args, bool *isnull) {
    Oid owner = ledger_owner();
    if (!OidIsValid(owner))
        raise(mg::errcode::kInternal, "the migration_guard schema is missing", nullptr,
              "Run CREATE EXTENSION migration_guard in this database.");

    Oid types[16];
    Datum values[16];
    char nulls[16];
    Assert(nargs <= 16);
    for (int i = 0; i < nargs; i++) {
        types[i] = args[i].type;
        values[i] = args[i].value;
        nulls[i] = args[i].isnull ? 'n' : ' ';
    }

    int64 result = 0;
    bool result_isnull = true;
    MemoryContext caller_context = CurrentMemoryContext;
    PG_TRY();
    {
        spi_as_owner(owner, [&] {
            int rc = SPI_execute_with_args(sql, nargs, types, values, nulls, false, 1);
            if (rc != SPI_OK_SELECT || SPI_processed != 1)
                elog(ERROR, "migration_guard: internal query returned %d (%s)", rc, sql);
            Datum d =
                SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &result_isnull);
            if (!result_isnull)
                result = DatumGetInt64(d);
        });
    }
    PG_CATCH();
    {
        // Our own errors are complete as they stand: the CONTEXT lines naming the internal
        // procedures and their SPI query would only be noise to the caller.
        MemoryContextSwitchTo(caller_context);
        ErrorData *error = CopyErrorData();
        if (is_own_sqlstate(error->sqlerrcode)) {
            FlushErrorState();
            error->context = nullptr;
            ReThrowError(error);
        }
        FreeErrorData(error);
        PG_RE_THROW();
    }
    PG_END_TRY();
    *isnull = result_isnull;
    return result;
}

} // namespace mg::pg
