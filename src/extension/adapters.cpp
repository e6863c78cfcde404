// Adapters: the C glue of migration_guard--*.sql section 10. The SQL there decides what a row
// of a migration tool's history table means; this file only does what SQL cannot:
//   - the trigger on a tool's table notes the role that wrote the row, reads the row's columns
//     as text as that role, and only then runs the ledger's code as the ledger owner;
//   - enable_adapter / disable_adapter record the calling role, then run as the owner;
//   - DROP EXTENSION migration_guard removes the triggers on the tools' tables first, which
//     would otherwise depend on the extension and stop the drop;
//   - the event trigger that notices a tool creating its table costs a CREATE TABLE nothing
//     while no adapter is enabled: whether one is, is cached per session and re-read when a
//     relcache invalidation of migration_guard.adapter_settings says it changed.
#include "core/error_codes.hpp"
#include "extension/as_owner.hpp"
#include "extension/bridge.hpp"
#include "extension/pg.hpp"
#include "extension/subtransaction.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "utils/array.h"
#include "utils/inval.h"
}

namespace mg::pg::adapters {
namespace {

// A one-dimensional text[] from n datums (nulls may be null).
Datum text_array(Datum *items, bool *nulls, int n) {
    int dims[1] = {n};
    int lbs[1] = {1};
    return PointerGetDatum(
        construct_md_array(items, nulls, 1, dims, lbs, TEXTOID, -1, false, TYPALIGN_INT));
}

// The names of a row's columns and their values as text, read with the columns' output
// functions (always C: only a superuser can create a base type) in the caller's context.
// Casts to json, which a table's owner may define, are never involved.
void row_as_text(TupleDesc desc, HeapTuple row, Datum *names, Datum *values) {
    Datum *name_items = (Datum *)palloc(sizeof(Datum) * (desc->natts + 1));
    Datum *value_items = (Datum *)palloc(sizeof(Datum) * (desc->natts + 1));
    bool *value_nulls = (bool *)palloc(sizeof(bool) * (desc->natts + 1));
    int n = 0;
    for (int i = 0; i < desc->natts; i++) {
        Form_pg_attribute attr = TupleDescAttr(desc, i);
        if (attr->attisdropped)
            continue;
        char *value = SPI_getvalue(row, desc, i + 1);
        name_items[n] = CStringGetTextDatum(NameStr(attr->attname));
        value_items[n] = value ? CStringGetTextDatum(value) : (Datum)0;
        value_nulls[n] = value == nullptr;
        n++;
    }
    *names = text_array(name_items, nullptr, n);
    *values = text_array(value_items, value_nulls, n);
}

// enable_adapter / disable_adapter: the tool's name, checked, and the caller recorded.
Datum call_with_tool(FunctionCallInfo fcinfo, const char *sql) {
    if (PG_ARGISNULL(0))
        raise(mg::errcode::kInvalidArgument, "tool must not be NULL", nullptr,
              "SELECT tool FROM migration_guard.adapters lists the tools an adapter knows.");
    SqlArg args[] = {text_arg(PG_GETARG_TEXT_PP(0)), text_arg(current_role_name())};
    bool isnull;
    int64 tables = call_as_owner_int8(sql, 2, args, &isnull);
    PG_RETURN_INT64(tables);
}

// Whether any adapter is enabled, as this session last read it.
enum class Enabled { unknown, none, some };
Enabled enabled = Enabled::unknown;
Oid settings_table = InvalidOid;
bool callback_registered = false;

Oid settings_table_oid() {
    if (!OidIsValid(settings_table)) {
        Oid nsp = get_namespace_oid("migration_guard", true);
        if (OidIsValid(nsp))
            settings_table = get_relname_relid("adapter_settings", nsp);
    }
    return settings_table;
}

void on_relcache(Datum, Oid relid) {
    if (relid == InvalidOid || relid == settings_table) {
        enabled = Enabled::unknown;
        settings_table = InvalidOid; // the extension may have been dropped and created again
    }
}

bool any_adapter_enabled() {
    if (!callback_registered) {
        CacheRegisterRelcacheCallback(on_relcache, (Datum)0);
        callback_registered = true;
    }
    AcceptInvalidationMessages();
    if (enabled == Enabled::unknown) {
        if (!OidIsValid(ledger_owner()) || !OidIsValid(settings_table_oid()))
            return false;
        int64 count = 0;
        read_letting_locks_go([&] { // the transaction may be a long migration
            bool isnull;
            count = call_as_owner_int8(
                "SELECT count(*) FROM migration_guard.adapter_settings WHERE enabled", 0, nullptr,
                &isnull);
        });
        enabled = count > 0 ? Enabled::some : Enabled::none;
    }
    return enabled == Enabled::some;
}

} // namespace
} // namespace mg::pg::adapters

using namespace mg::pg;
using namespace mg::pg::adapters;

extern "C" {

PG_FUNCTION_INFO_V1(mg_adapter_trigger);
Datum mg_adapter_trigger(PG_FUNCTION_ARGS) {
    if (!CALLED_AS_TRIGGER(fcinfo))
        raise(mg::errcode::kInvalidArgument,
              "migration_guard._adapter_trigger() must be called as a trigger");
    TriggerData *trigger = (TriggerData *)fcinfo->context;
    if (!TRIGGER_FIRED_AFTER(trigger->tg_event) || !TRIGGER_FIRED_FOR_ROW(trigger->tg_event) ||
        !(TRIGGER_FIRED_BY_INSERT(trigger->tg_event) ||
          TRIGGER_FIRED_BY_UPDATE(trigger->tg_event)) ||
        trigger->tg_trigger->tgnargs != 1)
        raise(mg::errcode::kInvalidArgument,
              "migration_guard._adapter_trigger() must be an AFTER INSERT or UPDATE row trigger "
              "with the tool's name as its argument",
              nullptr, "Attach it with migration_guard.enable_adapter(tool).");
    // While the extension is being dropped (or is gone), the tool goes on unrecorded.
    if (!OidIsValid(ledger_owner()))
        return PointerGetDatum(nullptr);

    bool update = TRIGGER_FIRED_BY_UPDATE(trigger->tg_event);
    TupleDesc desc = RelationGetDescr(trigger->tg_relation);
    Datum names, values, old_names, old_values = (Datum)0;
    row_as_text(desc, update ? trigger->tg_newtuple : trigger->tg_trigtuple, &names, &values);
    if (update)
        row_as_text(desc, trigger->tg_trigtuple, &old_names, &old_values);

    SqlArg args[] = {
        text_arg(trigger->tg_trigger->tgargs[0]),
        SqlArg{OIDOID, ObjectIdGetDatum(RelationGetRelid(trigger->tg_relation)), false},
        text_arg(update ? "UPDATE" : "INSERT"),
        SqlArg{TEXTARRAYOID, names, false},
        SqlArg{TEXTARRAYOID, values, false},
        SqlArg{TEXTARRAYOID, old_values, !update},
        text_arg(current_role_name()),
        bool_arg(IsTransactionBlock())};
    bool isnull;
    call_as_owner_int8("SELECT migration_guard._adapter_record($1, $2::pg_catalog.regclass, $3, "
                       "$4, $5, $6, $7, $8)",
                       8, args, &isnull);
    return PointerGetDatum(nullptr); // an AFTER trigger's result is ignored
}

PG_FUNCTION_INFO_V1(mg_enable_adapter);
Datum mg_enable_adapter(PG_FUNCTION_ARGS) {
    return call_with_tool(fcinfo, "SELECT migration_guard._enable_adapter($1, $2)");
}

PG_FUNCTION_INFO_V1(mg_disable_adapter);
Datum mg_disable_adapter(PG_FUNCTION_ARGS) {
    return call_with_tool(fcinfo, "SELECT migration_guard._disable_adapter($1, $2)");
}

PG_FUNCTION_INFO_V1(mg_adapter_drop_extension);
Datum mg_adapter_drop_extension(PG_FUNCTION_ARGS) {
    if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
        raise(mg::errcode::kInvalidArgument,
              "migration_guard._adapter_drop_extension() must be called as an event trigger");
    EventTriggerData *trigger = (EventTriggerData *)fcinfo->context;
    if (trigger->parsetree == nullptr || !IsA(trigger->parsetree, DropStmt))
        PG_RETURN_VOID();
    DropStmt *drop = (DropStmt *)trigger->parsetree;
    if (drop->removeType != OBJECT_EXTENSION)
        PG_RETURN_VOID();
    bool ours = false;
    ListCell *cell;
    foreach (cell, drop->objects)
        ours = ours || strcmp(strVal(lfirst(cell)), "migration_guard") == 0;
    if (!ours || !OidIsValid(ledger_owner()))
        PG_RETURN_VOID();
    bool isnull;
    call_as_owner_int8("SELECT migration_guard._detach_adapters(NULL)", 0, nullptr, &isnull);
    PG_RETURN_VOID();
}

// ddl_command_end of CREATE TABLE: attaches the adapters to a tool's table as it is created.
PG_FUNCTION_INFO_V1(mg_adapter_watch_tables);
Datum mg_adapter_watch_tables(PG_FUNCTION_ARGS) {
    if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
        raise(mg::errcode::kInvalidArgument,
              "migration_guard._adapter_watch_tables() must be called as an event trigger");
    if (!any_adapter_enabled())
        PG_RETURN_VOID();
    bool isnull;
    call_as_owner_int8("SELECT migration_guard._adapter_attach_created()", 0, nullptr, &isnull);
    PG_RETURN_VOID();
}

// enable_adapter and disable_adapter tell every session that adapters changed.
PG_FUNCTION_INFO_V1(mg_adapters_changed);
Datum mg_adapters_changed(PG_FUNCTION_ARGS) {
    settings_table = InvalidOid; // never trust a remembered OID here: look it up now
    Oid table = settings_table_oid();
    if (OidIsValid(table))
        CacheInvalidateRelcacheByRelid(table);
    PG_RETURN_VOID();
}

} // extern "C"
