#include "extension/as_owner.hpp"

#include "core/error_codes.hpp"
#include "extension/bridge.hpp"

namespace mg::pg {

namespace {

// Valid for the transaction it was read in (session.cpp forgets it at every transaction end):
// ALTER EXTENSION ... OWNER TO is the only way to change it while the extension exists.
bool owner_known = false;
Oid cached_owner = InvalidOid;

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
    if (!owner_known) {
        cached_owner = read_extension_owner();
        // Not installed (yet): ask again next time, CREATE EXTENSION may follow in this
        // transaction.
        owner_known = OidIsValid(cached_owner);
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
