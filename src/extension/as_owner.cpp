#include "extension/as_owner.hpp"

#include "core/error_codes.hpp"
#include "extension/bridge.hpp"

namespace mg::pg {

Oid ledger_owner() {
    Oid nsp = get_namespace_oid("migration_guard", true);
    if (!OidIsValid(nsp))
        return InvalidOid;
    HeapTuple tuple = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nsp));
    if (!HeapTupleIsValid(tuple))
        return InvalidOid;
    Oid owner = ((Form_pg_namespace)GETSTRUCT(tuple))->nspowner;
    ReleaseSysCache(tuple);
    return owner;
}

const char *current_role_name() { return GetUserNameFromId(GetUserId(), false); }

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
    as_owner(owner, [&] {
        if (SPI_connect() != SPI_OK_CONNECT)
            elog(ERROR, "migration_guard: SPI_connect failed");
        int rc = SPI_execute_with_args(sql, nargs, types, values, nulls, false, 1);
        if (rc != SPI_OK_SELECT || SPI_processed != 1)
            elog(ERROR, "migration_guard: internal query returned %d (%s)", rc, sql);
        Datum d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &result_isnull);
        if (!result_isnull)
            result = DatumGetInt64(d);
        SPI_finish();
    });
    *isnull = result_isnull;
    return result;
}

} // namespace mg::pg
