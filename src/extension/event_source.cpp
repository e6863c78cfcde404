// Reading what PostgreSQL reports to an event trigger (event_source.hpp).
//
// PostgreSQL declares pg_event_trigger_ddl_commands() and pg_event_trigger_dropped_objects()
// with OUT parameters, so every call builds its result's tuple descriptor anew from pg_proc, a
// type lookup per column: about a quarter of what recording one DDL command cost. The install
// script declares the same internal functions once more, returning a row type
// (migration_guard._event_ddl_command, migration_guard._event_dropped_object), whose descriptor
// the type cache keeps. Those are called when their row type's columns are, by name and type,
// the first columns of PostgreSQL's own result: checked once per session, again after any
// change to pg_proc, and before every call against the type cache's identifier of the row type
// (ALTER TYPE changes it), with the row type's relation locked so that it cannot change
// meanwhile. PostgreSQL's own functions are called otherwise. A row type may stop before the end
// of PostgreSQL's columns: the functions form each row with the descriptor they are given, so a
// column left out (pg_ddl_command, a pseudo-type no row type can hold) is never stored.

#include "extension/event_source.hpp"

extern "C" {
#include "storage/lmgr.h"
#include "utils/typcache.h"
}

namespace mg::pg::event_source {

namespace {

struct Source {
    Oid catalog_function;      // PostgreSQL's
    const char *shaped_name;   // the same function returning a row type, in schema migration_guard
    bool known;                // the fields below are set
    FmgrInfo flinfo;           // of the function called
    Oid rowtype;               // the shaped function's row type, or InvalidOid for PostgreSQL's
    Oid rowtype_relid;         // that row type's relation, locked while it is checked and used
    uint64 rowtype_identifier; // the type cache's identifier of that row type, as checked
    Columns at;
};

Source sources[] = {
    {F_PG_EVENT_TRIGGER_DDL_COMMANDS,
     "_event_ddl_commands",
     false,
     {},
     InvalidOid,
     InvalidOid,
     0,
     {}},
    {F_PG_EVENT_TRIGGER_DROPPED_OBJECTS,
     "_event_dropped_objects",
     false,
     {},
     InvalidOid,
     InvalidOid,
     0,
     {}},
};
// Counts pg_proc invalidations: set_up() trusts what it found only if none arrived meanwhile.
uint64 proc_changes = 0;

void on_proc_change(Datum, int, uint32) {
    proc_changes++;
    for (Source &s : sources)
        s.known = false;
}

AttrNumber find_column(TupleDesc desc, const char *name) {
    for (int i = 0; i < desc->natts; i++) {
        Form_pg_attribute att = TupleDescAttr(desc, i);
        if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
            return (AttrNumber)(i + 1);
    }
    return InvalidAttrNumber;
}

// The columns of `kind` in `desc`; false if one is missing.
bool find_columns(TupleDesc desc, Kind kind, Columns *at) {
    *at = Columns{};
    struct Wanted {
        AttrNumber *where;
        const char *name;
    };
    const Wanted common[] = {
        {&at->classid, "classid"},         {&at->objid, "objid"},
        {&at->objsubid, "objsubid"},       {&at->object_type, "object_type"},
        {&at->schema_name, "schema_name"}, {&at->object_identity, "object_identity"}};
    const Wanted commands[] = {{&at->command_tag, "command_tag"},
                               {&at->in_extension, "in_extension"}};
    const Wanted dropped[] = {
        {&at->original, "original"},           {&at->normal, "normal"},
        {&at->is_temporary, "is_temporary"},   {&at->object_name, "object_name"},
        {&at->address_names, "address_names"}, {&at->address_args, "address_args"}};
    auto find_all = [&](const Wanted *wanted, size_t count) {
        for (size_t i = 0; i < count; i++)
            if ((*wanted[i].where = find_column(desc, wanted[i].name)) == InvalidAttrNumber)
                return false;
        return true;
    };
    if (!find_all(common, lengthof(common)))
        return false;
    return kind == Kind::kCommands ? find_all(commands, lengthof(commands))
                                   : find_all(dropped, lengthof(dropped));
}

// The shaped function of `s`, if it is installed, calls the same internal function as
// PostgreSQL's and returns a row type whose columns begin PostgreSQL's result; InvalidOid
// otherwise. Sets `rowtype`, `rowtype_relid` (locked) and `at`.
Oid usable_shaped_function(const Source &s, Kind kind, Oid *rowtype, Oid *rowtype_relid,
                           Columns *at) {
    Oid schema = get_namespace_oid("migration_guard", true);
    if (!OidIsValid(schema))
        return InvalidOid;
    Oid fn = GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid, CStringGetDatum(s.shaped_name),
                             PointerGetDatum(buildoidvector(nullptr, 0)), ObjectIdGetDatum(schema));
    if (!OidIsValid(fn) || !get_func_retset(fn))
        return InvalidOid;
    // Locked before its shape is read, so that no ALTER TYPE changes it from here on.
    *rowtype_relid = get_typ_typrelid(get_func_rettype(fn));
    if (!OidIsValid(*rowtype_relid))
        return InvalidOid;
    LockRelationOid(*rowtype_relid, AccessShareLock);
    FmgrInfo ours, theirs;
    fmgr_info(fn, &ours);
    fmgr_info(s.catalog_function, &theirs);
    if (ours.fn_addr != theirs.fn_addr)
        return InvalidOid;
    TupleDesc our_desc, their_desc;
    if (get_func_result_type(fn, rowtype, &our_desc) != TYPEFUNC_COMPOSITE ||
        get_func_result_type(s.catalog_function, nullptr, &their_desc) != TYPEFUNC_COMPOSITE ||
        our_desc->natts > their_desc->natts)
        return InvalidOid;
    for (int i = 0; i < our_desc->natts; i++) {
        Form_pg_attribute a = TupleDescAttr(our_desc, i);
        Form_pg_attribute b = TupleDescAttr(their_desc, i);
        if (a->attisdropped || a->atttypid != b->atttypid ||
            strcmp(NameStr(a->attname), NameStr(b->attname)) != 0)
            return InvalidOid;
    }
    return find_columns(our_desc, kind, at) ? fn : InvalidOid;
}

void set_up(Source &s, Kind kind) {
    s.known = false;
    const uint64 changes = proc_changes;
    Oid rowtype = InvalidOid;
    Columns at;
    Oid rowtype_relid = InvalidOid;
    Oid fn = usable_shaped_function(s, kind, &rowtype, &rowtype_relid, &at);
    uint64 identifier = 0;
    if (OidIsValid(fn)) {
        identifier = lookup_type_cache(rowtype, TYPECACHE_TUPDESC)->tupDesc_identifier;
    } else {
        fn = s.catalog_function;
        rowtype = InvalidOid;
        TupleDesc desc;
        if (get_func_result_type(fn, nullptr, &desc) != TYPEFUNC_COMPOSITE ||
            !find_columns(desc, kind, &at))
            elog(ERROR, "migration_guard: %s() does not return the columns DDL capture reads",
                 get_func_name(fn));
    }
    fmgr_info_cxt(fn, &s.flinfo, TopMemoryContext);
    s.rowtype = rowtype;
    s.rowtype_relid = rowtype_relid;
    s.rowtype_identifier = identifier;
    s.at = at;
    // Used for this call either way; looked up again next time if pg_proc changed meanwhile.
    s.known = proc_changes == changes;
}

// Calls a set-returning function of no arguments in materialize mode, as the executor would.
void call_materialized(FmgrInfo *flinfo, Tuplestorestate **store, TupleDesc *desc) {
    ReturnSetInfo rsinfo;
    memset(&rsinfo, 0, sizeof(rsinfo));
    rsinfo.type = T_ReturnSetInfo;
    rsinfo.econtext = CreateStandaloneExprContext();
    rsinfo.allowedModes = (int)SFRM_Materialize;
    rsinfo.returnMode = SFRM_ValuePerCall;
    rsinfo.isDone = ExprSingleResult;
    LOCAL_FCINFO(fcinfo, 0);
    InitFunctionCallInfoData(*fcinfo, flinfo, 0, InvalidOid, nullptr, (Node *)&rsinfo);
    (void)FunctionCallInvoke(fcinfo);
    if (rsinfo.returnMode != SFRM_Materialize)
        elog(ERROR, "migration_guard: %s did not materialize its result",
             get_func_name(flinfo->fn_oid));
    *store = rsinfo.setResult;
    *desc = rsinfo.setDesc;
    FreeExprContext(rsinfo.econtext, true);
}

} // namespace

Result read(Kind kind) {
    Source &s = sources[kind == Kind::kCommands ? 0 : 1];
    if (s.known && OidIsValid(s.rowtype)) {
        // The row type's relation is locked before its shape is compared, so that no ALTER TYPE
        // can change it between the comparison and the call (taking the lock also reads the
        // invalidations of one that committed).
        LockRelationOid(s.rowtype_relid, AccessShareLock);
        if (!s.known || lookup_type_cache(s.rowtype, TYPECACHE_TUPDESC)->tupDesc_identifier !=
                            s.rowtype_identifier)
            s.known = false;
    }
    if (!s.known)
        set_up(s, kind);
    Result result{nullptr, nullptr, s.at};
    call_materialized(&s.flinfo, &result.store, &result.desc);
    return result;
}

void install() {
    CacheRegisterSyscacheCallback(PROCOID, on_proc_change, (Datum)0);
}

} // namespace mg::pg::event_source
