// The preboot-window guard: at ddl_command_start, while a window is open (or always, by
// setting), DDL that breaks running old code is refused before it runs.
//
// Windows and rule actions live in tables; every session caches them and re-reads them only
// when a relcache invalidation of migration_guard.preboot_window_log says they changed (sent by
// open/close_preboot_window and set_rule_action when they commit). A statement while no window
// is open therefore costs one clock comparison.
#include "extension/guard.hpp"

#include <cstring>
#include <initializer_list>

#include "core/error_codes.hpp"
#include "core/rules.hpp"
#include "extension/as_owner.hpp"
#include "extension/bridge.hpp"
#include "extension/capture.hpp"
#include "extension/judge.hpp"
#include "extension/session.hpp"
#include "extension/subtransaction.hpp"

extern "C" {
#include "utils/array.h"
#include "utils/inval.h"
#include "lib/stringinfo.h"
#include "utils/snapmgr.h"
}

namespace mg::pg::guard {

int enforce = kEnforceWindow;

namespace {

struct Cache {
    bool valid = false;
    TimestampTz window_closes_at = 0; // 0: no window
};
Cache cache;
Oid window_table = InvalidOid;

// allow_incompatible() in the current transaction: undone with the (sub)transaction that
// recorded it, like everything the ledger records.
bool allowed = false;
SubTransactionId allowed_in = InvalidSubTransactionId;

Oid window_table_oid() {
    if (!OidIsValid(window_table)) {
        Oid nsp = get_namespace_oid("migration_guard", true);
        if (OidIsValid(nsp))
            window_table = get_relname_relid("preboot_window_log", nsp);
    }
    return window_table;
}

void on_relcache(Datum, Oid relid) {
    if (relid == InvalidOid || relid == window_table) {
        cache.valid = false;
        // Looked up again on next use: the extension may have been dropped and created again,
        // which invalidates the old table.
        window_table = InvalidOid;
    }
}

void on_transaction(XactEvent event, void *) {
    if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
        event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
        event == XACT_EVENT_PREPARE)
        allowed = false;
}

void on_subtransaction(SubXactEvent event, SubTransactionId sub, SubTransactionId parent, void *) {
    if (!allowed || allowed_in != sub)
        return;
    if (event == SUBXACT_EVENT_COMMIT_SUB)
        allowed_in = parent;
    else if (event == SUBXACT_EVENT_ABORT_SUB)
        allowed = false;
}

// Reads the open window and the rule settings (as the owner: readers need no grant).
void load(Oid owner) {
    TimestampTz closes_at = 0;
    int nsettings = 0;
    char **rules = nullptr, **actions = nullptr;
    // The newest committed state, whatever the transaction's own snapshot (REPEATABLE READ
    // would otherwise cache what it saw when it began, and keep it after it ends). SPI in
    // read-only mode reads with this active snapshot.
    PushActiveSnapshot(GetLatestSnapshot());
    spi_as_owner(owner, [&] {
        int rc = SPI_execute(
            "SELECT window_closes_at, settings FROM migration_guard._guard_state()", true, 1);
        if (rc != SPI_OK_SELECT || SPI_processed != 1)
            elog(ERROR, "migration_guard: reading the guard's state failed");
        bool isnull;
        Datum d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
        closes_at = isnull ? 0 : DatumGetTimestampTz(d);
        d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
        if (!isnull) {
            Datum *elems;
            bool *nulls;
            deconstruct_array(DatumGetArrayTypeP(d), TEXTOID, -1, false, TYPALIGN_INT, &elems,
                              &nulls, &nsettings);
            rules = static_cast<char **>(SPI_palloc(sizeof(char *) * (nsettings + 1)));
            actions = static_cast<char **>(SPI_palloc(sizeof(char *) * (nsettings + 1)));
            for (int i = 0; i < nsettings; i++) {
                char *pair = TextDatumGetCString(elems[i]);
                char *eq = strchr(pair, '=');
                *eq = '\0';
                MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
                rules[i] = pstrdup(pair);
                actions[i] = pstrdup(eq + 1);
                MemoryContextSwitchTo(old);
            }
        }
    });
    PopActiveSnapshot();
    set_rule_settings(rules, actions, nsettings);
    cache.window_closes_at = closes_at;
    cache.valid = true;
}

} // namespace

// Brings the cache up to date; false when the extension is not (or no longer) installed.
bool refresh() {
    // Windows opened or closed by other sessions since this transaction last looked.
    AcceptInvalidationMessages();
    Oid owner = ledger_owner();
    if (!OidIsValid(owner) || !OidIsValid(window_table_oid()))
        return false;
    if (!cache.valid) {
        // The locks of the read (two tables and their primary keys) are not kept: the
        // transaction may be a long migration.
        bool installed = true;
        read_letting_locks_go([&] {
            // Locked while it is read, so that a DROP EXTENSION another session runs meanwhile
            // either waits or has already removed it (then the guard has nothing to apply).
            RangeVar *rv = makeRangeVar(const_cast<char *>("migration_guard"),
                                        const_cast<char *>("preboot_window_log"), -1);
            installed = OidIsValid(
                RangeVarGetRelidExtended(rv, AccessShareLock, RVR_MISSING_OK, nullptr, nullptr));
            if (installed)
                load(owner);
        });
        if (!installed) {
            window_table = InvalidOid;
            return false;
        }
    }
    return true;
}

namespace {

bool window_open() {
    return cache.window_closes_at > GetCurrentTimestamp();
}

int block_code() {
    const char *c = mg::errcode::kIncompatibleDdl;
    return MAKE_SQLSTATE(c[0], c[1], c[2], c[3], c[4]);
}

// Reports the verdicts: a refused statement gets one ERROR (its first blocking finding; the
// rest would only bury it); otherwise warnings as WARNING, and blocking findings let through by
// allow_incompatible() as NOTICE.
void report(const Verdicts &verdicts) {
    for (int i = 0; i < verdicts.count && !allowed; i++) {
        const Verdict &v = verdicts.items[i];
        if (v.block)
            ereport(ERROR, (::errcode(block_code()), errmsg_internal("%s", v.message),
                            errdetail_internal("%s", v.detail),
                            errhint("%s If it must run during this deploy anyway, call "
                                    "migration_guard.allow_incompatible(reason) first.",
                                    v.hint)));
    }
    for (int i = 0; i < verdicts.count; i++) {
        const Verdict &v = verdicts.items[i];
        ereport(
            v.block ? NOTICE : WARNING,
            (errmsg_internal("%s%s", v.block ? "allowed by allow_incompatible(): " : "", v.message),
             errdetail_internal("%s", v.detail), errhint("%s", v.hint)));
    }
}

// Whether the guard applies now: enforce = always, or = window while one is open.
bool guarding() {
    if (enforce == kEnforceOff || creating_extension)
        return false;
    if (!refresh())
        return false;
    return enforce == kEnforceAlways || window_open();
}

} // namespace

// Whether every new session loads the library before its first statement.
bool preloaded() {
    for (const char *setting :
         {"session_preload_libraries", "shared_preload_libraries", "local_preload_libraries"}) {
        const char *value = GetConfigOption(setting, true, false);
        if (value && strstr(value, "migration_guard") != nullptr)
            return true;
    }
    return false;
}

void check_utility_statement(PlannedStmt *statement) {
    // Exactly the statements no event trigger sees; everything else (BEGIN, SET, COMMIT of every
    // DML transaction included) leaves at this first test.
    Node *tree = statement->utilityStmt;
    if (tree == nullptr || !(IsA(tree, TruncateStmt) || IsA(tree, VacuumStmt) ||
                             IsA(tree, ClusterStmt) || IsA(tree, ReindexStmt)))
        return;
    if (!IsTransactionState() || !guarding())
        return;
    ParsedStatement parsed{tree, -1, 0};
    report(judge(&parsed, 1, false));
}

// One row of pg_event_trigger_dropped_objects(), copied out of the result (null text: nullptr).
struct DroppedRow {
    Oid classid;
    Oid objid;
    bool original;
    bool normal;
    bool is_temporary;
    const char *object_type;
    const char *schema_name;
    const char *object_name;
    bool judged;  // see worth_judging()
    char **names; // address_names
    int n_names;
    char **args; // address_args
    int n_args;

    // address_names[i], 1-based as in SQL; nullptr past its end.
    const char *name(int i) const { return i >= 1 && i <= n_names ? names[i - 1] : nullptr; }
};

char **text_array(Datum value, int *count) {
    Datum *elements;
    bool *nulls;
    deconstruct_array(DatumGetArrayTypePCopy(value), TEXTOID, -1, false, TYPALIGN_INT, &elements,
                      &nulls, count);
    char **out = static_cast<char **>(palloc(sizeof(char *) * (*count + 1)));
    for (int i = 0; i < *count; i++)
        out[i] = nulls[i] ? nullptr : TextDatumGetCString(elements[i]);
    return out;
}

bool same(const char *a, const char *b) {
    return a != nullptr && b != nullptr && strcmp(a, b) == 0;
}

bool one_of(const char *value, std::initializer_list<const char *> values) {
    for (const char *v : values)
        if (same(value, v))
            return true;
    return false;
}

// The dropped objects worth judging: not temporary, and dropped by name, by CASCADE, or with an
// object a rule reads (an owned sequence, a partition: not the internal parts of something
// else, nor a TOAST table).
bool worth_judging(const DroppedRow &d) {
    return !d.is_temporary &&
           (d.original || d.normal ||
            (one_of(d.object_type, {"table", "view", "materialized view", "foreign table",
                                    "sequence", "function", "procedure", "aggregate"}) &&
             !same(d.schema_name, "pg_toast")));
}

DroppedRow *read_dropped(const event_source::Result &dropped, int *count) {
    const event_source::Columns &at = dropped.at;
    int capacity = 8;
    *count = 0;
    DroppedRow *rows = static_cast<DroppedRow *>(palloc(sizeof(DroppedRow) * capacity));
    TupleTableSlot *slot = MakeSingleTupleTableSlot(dropped.desc, &TTSOpsMinimalTuple);
    while (tuplestore_gettupleslot(dropped.store, true, false, slot)) {
        slot_getallattrs(slot);
        auto null = [&](AttrNumber a) { return slot->tts_isnull[a - 1]; };
        auto value = [&](AttrNumber a) { return slot->tts_values[a - 1]; };
        auto string = [&](AttrNumber a) {
            return null(a) ? nullptr : TextDatumGetCString(value(a));
        };
        auto flag = [&](AttrNumber a) { return !null(a) && DatumGetBool(value(a)); };
        auto oid = [&](AttrNumber a) { return null(a) ? InvalidOid : DatumGetObjectId(value(a)); };
        if (*count == capacity) {
            capacity *= 2;
            rows = static_cast<DroppedRow *>(repalloc(rows, sizeof(DroppedRow) * capacity));
        }
        DroppedRow &r = rows[(*count)++];
        r.classid = oid(at.classid);
        r.objid = oid(at.objid);
        r.original = flag(at.original);
        r.normal = flag(at.normal);
        r.is_temporary = flag(at.is_temporary);
        r.object_type = string(at.object_type);
        r.schema_name = string(at.schema_name);
        r.object_name = string(at.object_name);
        r.judged = worth_judging(r);
        r.names = nullptr;
        r.n_names = 0;
        r.args = nullptr;
        r.n_args = 0;
        // The addresses only of the rows judged: the others are only looked at as the table a
        // column goes with, by schema and name.
        if (r.judged && !null(at.address_names))
            r.names = text_array(value(at.address_names), &r.n_names);
        if (r.judged && !null(at.address_args))
            r.args = text_array(value(at.address_args), &r.n_args);
    }
    ExecDropSingleTupleTableSlot(slot);
    tuplestore_rescan(dropped.store);
    return rows;
}

// The relation a dropped row belongs to: itself, or for a column default the table named by
// its address.
Oid relation_of(const DroppedRow &d) {
    if (d.classid == RelationRelationId)
        return d.objid;
    if (!same(d.object_type, "default value") || d.name(1) == nullptr || d.name(2) == nullptr)
        return InvalidOid;
    Oid schema = get_namespace_oid(d.name(1), true);
    return OidIsValid(schema) ? get_relname_relid(d.name(2), schema) : InvalidOid;
}

// A routine as the rules name it: name(argument types).
const char *routine_signature(const DroppedRow &d) {
    if (d.name(2) == nullptr)
        return "";
    StringInfoData buf;
    initStringInfo(&buf);
    appendStringInfo(&buf, "%s(", d.name(2));
    bool first = true;
    for (int i = 0; i < d.n_args; i++) {
        if (d.args[i] == nullptr)
            continue;
        appendStringInfo(&buf, "%s%s", first ? "" : ", ", d.args[i]);
        first = false;
    }
    appendStringInfoChar(&buf, ')');
    return buf.data;
}

// Created in this transaction: the object itself, or the table or composite type it is part of.
// Looked up only as far as needed: a relation dropped by this statement is no longer in the
// catalog, and looking for what is not there is what costs most.
bool created_here(const DroppedRow &d) {
    if (capture::created_in_this_transaction(d.classid, d.objid))
        return true;
    const Oid rel = relation_of(d);
    if (!OidIsValid(rel))
        return false;
    if (capture::created_in_this_transaction(RelationRelationId, rel))
        return true;
    return capture::created_any(TypeRelationId) &&
           capture::created_in_this_transaction(TypeRelationId, get_rel_type_id(rel));
}

bool active() {
    return guarding();
}

// Judges the dropped objects worth judging (worth_judging()) that this transaction did not
// create. Columns, attributes and defaults come with the name of their table or type, and go
// with it when the same statement drops the table or type.
void check_dropped_objects(const char *command, const event_source::Result &dropped) {
    int n_rows;
    const DroppedRow *rows = read_dropped(dropped, &n_rows);
    DroppedPod *judged = static_cast<DroppedPod *>(palloc0(sizeof(DroppedPod) * (n_rows + 1)));
    int count = 0;
    for (int i = 0; i < n_rows; i++) {
        const DroppedRow &d = rows[i];
        if (!d.judged)
            continue;
        const bool in_table =
            one_of(d.object_type, {"table column", "composite type column", "default value"});
        if (in_table) {
            bool goes_with_its_table = false;
            for (int j = 0; j < n_rows && !goes_with_its_table; j++)
                goes_with_its_table =
                    one_of(rows[j].object_type, {"table", "foreign table", "view",
                                                 "materialized view", "composite type"}) &&
                    same(rows[j].schema_name, d.name(1)) && same(rows[j].object_name, d.name(2));
            if (goes_with_its_table)
                continue;
        }
        if (created_here(d))
            continue;
        auto or_empty = [](const char *value) { return value ? value : ""; };
        DroppedPod &p = judged[count++];
        p.object_type = or_empty(d.object_type);
        p.cascaded = d.normal && !d.original;
        p.automatic = !(d.original || d.normal);
        if (in_table) {
            p.schema = or_empty(d.name(1));
            p.name = or_empty(d.name(2));
            p.column = or_empty(d.name(3));
        } else {
            p.schema = or_empty(d.schema_name);
            p.name =
                d.classid == ProcedureRelationId ? routine_signature(d) : or_empty(d.object_name);
            p.column = "";
        }
    }
    if (count > 0)
        report(judge_dropped(command, judged, count));
}

void install() {
    CacheRegisterRelcacheCallback(on_relcache, (Datum)0);
    RegisterXactCallback(on_transaction, nullptr);
    RegisterSubXactCallback(on_subtransaction, nullptr);
}

} // namespace mg::pg::guard

using namespace mg::pg;
using namespace mg::pg::guard;

extern "C" {

PG_FUNCTION_INFO_V1(mg_guard_ddl);
Datum mg_guard_ddl(PG_FUNCTION_ARGS) {
    if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
        elog(ERROR, "mg_guard_ddl must be called as an event trigger");
    EventTriggerData *trigger = (EventTriggerData *)fcinfo->context;
    // Whether or not a window is open: a window opened later in this transaction judges the
    // columns this statement adds as new.
    capture::note_columns_before(trigger->parsetree);
    if (!guarding())
        PG_RETURN_VOID();
    ParsedStatement statement{trigger->parsetree, -1, 0};
    report(judge(&statement, 1, false));
    PG_RETURN_VOID();
}

// table_rewrite: PostgreSQL says exactly when it will rewrite a table (better than any guess
// from the statement): name the table and its size.
PG_FUNCTION_INFO_V1(mg_guard_rewrite);
Datum mg_guard_rewrite(PG_FUNCTION_ARGS) {
    if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
        elog(ERROR, "mg_guard_rewrite must be called as an event trigger");
    if (!guarding())
        PG_RETURN_VOID();
    Oid relid = InvalidOid;
    int64 bytes = 0;
    spi_as_owner(ledger_owner(), [&] {
        int rc = SPI_execute("SELECT r, pg_catalog.pg_total_relation_size(r) "
                             "FROM pg_catalog.pg_event_trigger_table_rewrite_oid() AS r",
                             true, 1);
        if (rc != SPI_OK_SELECT || SPI_processed != 1)
            elog(ERROR, "migration_guard: reading the table rewrite failed");
        bool isnull;
        relid = DatumGetObjectId(
            SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
        Datum d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
        bytes = isnull ? 0 : DatumGetInt64(d);
    });
    if (nobody_else_sees(relid))
        PG_RETURN_VOID();
    report(judge_rewrite(get_namespace_name(get_rel_namespace(relid)), get_rel_name(relid), bytes));
    PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(mg_guard_config_changed);
Datum mg_guard_config_changed(PG_FUNCTION_ARGS) {
    window_table = InvalidOid; // never trust a remembered OID here: look it up now
    Oid table = window_table_oid();
    if (OidIsValid(table))
        CacheInvalidateRelcacheByRelid(table);
    PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(mg_open_preboot_window);
Datum mg_open_preboot_window(PG_FUNCTION_ARGS) {
    SqlArg args[] = {PG_ARGISNULL(0) ? SqlArg{INTERVALOID, (Datum)0, true}
                                     : SqlArg{INTERVALOID, PG_GETARG_DATUM(0), false},
                     PG_ARGISNULL(1) ? text_arg((const char *)nullptr)
                                     : text_arg(PG_GETARG_TEXT_PP(1)),
                     text_arg(current_role_name())};
    bool isnull;
    int64 id = call_as_owner_int8("SELECT migration_guard._open_preboot_window($1, $2, $3)", 3,
                                  args, &isnull);
    if (!preloaded())
        ereport(NOTICE,
                (errmsg("TRUNCATE, VACUUM FULL, CLUSTER and REINDEX are checked only in sessions "
                        "that have already loaded migration_guard"),
                 errdetail("No event trigger fires for them; migration_guard's hook sees them "
                           "once the library is loaded, which happens at a session's first DDL "
                           "statement or ledger call."),
                 errhint("Add migration_guard to session_preload_libraries (ALTER DATABASE ... "
                         "SET session_preload_libraries = 'migration_guard', or "
                         "postgresql.conf) to have them checked in every session.")));
    PG_RETURN_INT64(id);
}

PG_FUNCTION_INFO_V1(mg_close_preboot_window);
Datum mg_close_preboot_window(PG_FUNCTION_ARGS) {
    SqlArg args[] = {text_arg(current_role_name())};
    bool isnull;
    int64 id =
        call_as_owner_int8("SELECT migration_guard._close_preboot_window($1)", 1, args, &isnull);
    if (isnull)
        PG_RETURN_NULL();
    PG_RETURN_INT64(id);
}

PG_FUNCTION_INFO_V1(mg_allow_incompatible);
Datum mg_allow_incompatible(PG_FUNCTION_ARGS) {
    if (PG_ARGISNULL(0) || VARSIZE_ANY_EXHDR(PG_GETARG_TEXT_PP(0)) == 0)
        raise(mg::errcode::kInvalidArgument, "allow_incompatible() needs a reason", nullptr,
              "Say why this incompatible change must run now, e.g. "
              "allow_incompatible('column unused since release 41').");
    SqlArg args[] = {text_arg(PG_GETARG_TEXT_PP(0)), text_arg(current_role_name()),
                     int8_arg(session::open_migration_id())};
    bool isnull;
    int64 id = call_as_owner_int8("SELECT migration_guard._record_allowance($1, $2, $3)", 3, args,
                                  &isnull);
    // Held by the outermost (sub)transaction that asked: a second call in a savepoint adds a
    // ledger row but must not make the allowance end with that savepoint.
    if (!allowed) {
        allowed = true;
        allowed_in = GetCurrentSubTransactionId();
    }
    PG_RETURN_INT64(id);
}

PG_FUNCTION_INFO_V1(mg_rule_catalogue);
Datum mg_rule_catalogue(PG_FUNCTION_ARGS) {
    InitMaterializedSRF(fcinfo, 0);
    ReturnSetInfo *rsinfo = (ReturnSetInfo *)fcinfo->resultinfo;
    const std::vector<mg::RuleInfo> *rules = nullptr;
    call_core([&] { rules = &mg::rule_catalogue(); }); // static storage: outlives the call
    for (const mg::RuleInfo &r : *rules) {
        Datum values[6] = {CStringGetTextDatum(r.id),
                           CStringGetTextDatum(r.category),
                           CStringGetTextDatum(mg::action_name(r.default_action)),
                           CStringGetTextDatum(r.summary),
                           CStringGetTextDatum(r.why),
                           CStringGetTextDatum(r.recipe)};
        bool nulls[6] = {false, false, false, false, false, false};
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    }
    return (Datum)0;
}

} // extern "C"
