#include "extension/capture.hpp"

#include <cctype>

#include "extension/as_owner.hpp"
#include "extension/event_log.hpp"
#include "extension/event_source.hpp"
#include "extension/guard.hpp"
#include "extension/judge.hpp"
#include "extension/session.hpp"

namespace mg::pg::capture {

bool enabled = true;

namespace {

// The statements being executed by ProcessUtility, innermost last. A DO block or a function
// that runs EXECUTE nests one inside another.
struct Statement {
    const char *query;
    int location;
    int length;
};
constexpr int kMaxDepth = 64;
Statement statements[kMaxDepth];
int depth = 0;

ProcessUtility_hook_type previous_process_utility = nullptr;

void process_utility(PlannedStmt *pstmt, const char *query, bool read_only_tree,
                     ProcessUtilityContext context, ParamListInfo params,
                     QueryEnvironment *query_env, DestReceiver *dest, QueryCompletion *qc) {
    guard::check_utility_statement(pstmt);
    int saved_depth = depth;
    if (depth < kMaxDepth)
        statements[depth] = Statement{query, pstmt->stmt_location, pstmt->stmt_len};
    depth++;
    PG_TRY();
    {
        if (previous_process_utility)
            previous_process_utility(pstmt, query, read_only_tree, context, params, query_env, dest,
                                     qc);
        else
            standard_ProcessUtility(pstmt, query, read_only_tree, context, params, query_env, dest,
                                    qc);
    }
    PG_FINALLY();
    { depth = saved_depth; }
    PG_END_TRY();
}

// The text of the statement being executed, trimmed, as a text datum; null if unknown.
text *current_statement() {
    const char *query = nullptr;
    int location = -1, length = 0;
    if (depth > 0 && depth <= kMaxDepth) {
        query = statements[depth - 1].query;
        location = statements[depth - 1].location;
        length = statements[depth - 1].length;
    } else if (ActivePortal && ActivePortal->sourceText && list_length(ActivePortal->stmts) == 1) {
        // The library was loaded by this very statement's event trigger, after ProcessUtility
        // began, so the hook did not see it. The client's portal still knows where its one
        // statement sits in the query string (each statement of a multi-statement query gets a
        // portal of its own). Statements run by a DO block or a function in that first command
        // are then attributed the portal's whole statement; session_preload_libraries avoids it.
        PlannedStmt *stmt = linitial_node(PlannedStmt, ActivePortal->stmts);
        query = ActivePortal->sourceText;
        location = stmt->stmt_location;
        length = stmt->stmt_len;
    } else {
        query = debug_query_string;
    }
    if (query == nullptr)
        return nullptr;
    // The parser's location and length are trusted, as pg_stat_statements trusts them: measuring
    // the whole query string instead would read all of a long migration's text for each of its
    // statements. A length of 0 means the statement runs to the end of the string; an unknown
    // location (-1) means the whole string, whatever the length says.
    int start = location > 0 ? location : 0;
    int end = location >= 0 && length > 0 ? start + length : start + (int)strlen(query + start);
    while (start < end && isspace((unsigned char)query[start]))
        start++;
    while (end > start && (isspace((unsigned char)query[end - 1]) || query[end - 1] == ';'))
        end--;
    return cstring_to_text_with_len(query + start, end - start);
}

// Our own install and update scripts are not recorded.
bool creating_this_extension() {
    return creating_extension &&
           CurrentExtensionObject == get_extension_oid("migration_guard", true);
}

// ---------------------------------------------------------------------------------------------
// What this transaction created, for the guard (what CASCADE takes with a new object may be just
// as new; a column no one else has seen may go). Kept in TopTransactionContext, forgotten at
// transaction end.

// An array of plain structs in TopTransactionContext.
template <typename T> struct TransactionList {
    T *items = nullptr;
    int count = 0;
    int capacity = 0;

    void add(const T &item) {
        if (count == capacity) {
            const int grown_capacity = capacity ? capacity * 2 : 16;
            T *grown = static_cast<T *>(
                MemoryContextAlloc(TopTransactionContext, sizeof(T) * grown_capacity));
            if (count > 0)
                memcpy(grown, items, sizeof(T) * count);
            items = grown;
            capacity = grown_capacity;
        }
        items[count++] = item;
    }
    void forget() { // its memory goes with TopTransactionContext
        items = nullptr;
        count = capacity = 0;
    }
};

struct CreatedObject {
    Oid classid;
    Oid objid;
    int32 objsubid; // a column this transaction added to an older table; 0: the whole object
};
TransactionList<CreatedObject> created;

// How many columns a table had when an ALTER TABLE that adds columns began (noted at
// ddl_command_start, note_columns_before()), so that its ddl_command_end knows which columns are
// new: those numbered above. (Whether a column's catalog row was inserted or updated by this
// transaction does not tell: ADD COLUMN ... DEFAULT updates the row it inserted.)
struct ColumnsBefore {
    Oid relid;
    int16 natts;
};
TransactionList<ColumnsBefore> columns_before;

// The entry of columns_before for the table, or -1.
int columns_before_of(Oid relid) {
    for (int i = 0; i < columns_before.count; i++)
        if (columns_before.items[i].relid == relid)
            return i;
    return -1;
}

// pg_class.relnatts, or -1 when there is no such relation.
int16 relnatts(Oid relid) {
    HeapTuple rel = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
    if (!HeapTupleIsValid(rel))
        return -1;
    const int16 natts = ((Form_pg_class)GETSTRUCT(rel))->relnatts;
    ReleaseSysCache(rel);
    return natts;
}

void forget_created(XactEvent event, void *) {
    if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT || event == XACT_EVENT_PREPARE ||
        event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT) {
        created.forget();
        columns_before.forget();
    }
}

void add_created(Oid classid, Oid objid, int32 objsubid = 0) {
    created.add(CreatedObject{classid, objid, objsubid});
}

// Whether this transaction inserted the routine's pg_proc row (CREATE, or CREATE OR REPLACE of a
// routine that did not exist), rather than updated an older one (CREATE OR REPLACE of an
// existing routine, ALTER FUNCTION).
bool routine_is_new(Oid proc) {
    HeapTuple tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(proc));
    if (!HeapTupleIsValid(tuple))
        return false;
    const bool inserted_here =
        TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetXmin(tuple->t_data)) &&
        !(tuple->t_data->t_infomask & HEAP_UPDATED);
    ReleaseSysCache(tuple);
    return inserted_here;
}

// Notes the columns an ALTER TABLE of an older table added: those numbered above what it had
// at the statement's ddl_command_start. Remembered by number, which a later rename or type
// change keeps.
void remember_added_columns(Oid relid) {
    const int found = columns_before_of(relid);
    if (found < 0)
        return; // not noted at ddl_command_start: no column is taken for new
    const int16 before = columns_before.items[found].natts;
    columns_before.items[found] = columns_before.items[--columns_before.count];
    const int16 natts = relnatts(relid);
    for (int16 attnum = before + 1; attnum <= natts; attnum++) {
        HeapTuple att = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid), Int16GetDatum(attnum));
        if (!HeapTupleIsValid(att))
            continue;
        const bool dropped = ((Form_pg_attribute)GETSTRUCT(att))->attisdropped;
        ReleaseSysCache(att);
        if (!dropped && !column_added_in_this_transaction(relid, attnum))
            add_created(RelationRelationId, relid, attnum);
    }
}

// Notes the objects of this ddl_command_end that are new: relations the relcache says this
// transaction created, and types, schemas and (not replaced) routines of a CREATE command.
void remember_created(const event_source::Result &commands) {
    const AttrNumber a_classid = commands.at.classid;
    const AttrNumber a_objid = commands.at.objid;
    const AttrNumber a_tag = commands.at.command_tag;
    TupleTableSlot *slot = MakeSingleTupleTableSlot(commands.desc, &TTSOpsMinimalTuple);
    while (tuplestore_gettupleslot(commands.store, true, false, slot)) {
        slot_getallattrs(slot);
        if (slot->tts_isnull[a_classid - 1] || slot->tts_isnull[a_objid - 1])
            continue;
        const Oid classid = DatumGetObjectId(slot->tts_values[a_classid - 1]);
        const Oid objid = DatumGetObjectId(slot->tts_values[a_objid - 1]);
        bool is_new = false;
        if (classid == RelationRelationId) {
            is_new = mg::pg::created_in_this_transaction(objid);
            if (!is_new && !slot->tts_isnull[a_tag - 1] &&
                strcmp(TextDatumGetCString(slot->tts_values[a_tag - 1]), "ALTER TABLE") == 0)
                remember_added_columns(objid);
        } else if (!slot->tts_isnull[a_tag - 1] &&
                   strncmp(TextDatumGetCString(slot->tts_values[a_tag - 1]), "CREATE ", 7) == 0) {
            if (classid == ProcedureRelationId)
                is_new = routine_is_new(objid);
            else
                is_new = classid == TypeRelationId || classid == NamespaceRelationId;
        }
        if (is_new)
            add_created(classid, objid);
    }
    ExecDropSingleTupleTableSlot(slot);
    tuplestore_rescan(commands.store);
}

// Both event triggers: sql_drop first lets the guard judge what is being dropped (a drop it
// refuses need not be recorded); then the commands or dropped objects are recorded.
void record(FunctionCallInfo fcinfo, bool is_drop) {
    if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
        ereport(ERROR, (::errcode(ERRCODE_E_R_I_E_EVENT_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("%s must be called as an event trigger",
                               get_func_name(fcinfo->flinfo->fn_oid))));
    EventTriggerData *trigger = (EventTriggerData *)fcinfo->context;
    const bool judge_drops = is_drop && guard::active();
    // Extension scripts are not recorded: the CREATE/ALTER EXTENSION itself is. (Commands are
    // filtered on in_extension; drops have no such column.)
    const bool ours = creating_this_extension() || (is_drop && creating_extension);
    // What this transaction creates matters to the guard even while capture is off.
    const bool remember = !is_drop && !ours && (enabled || guard::active());
    const bool write = enabled && !ours;
    if (!judge_drops && !remember && !write)
        return;
    Oid owner = ledger_owner();
    if (!OidIsValid(owner))
        return; // the extension is being dropped: its event triggers fire no more after this

    const event_source::Result source =
        event_source::read(is_drop ? event_source::Kind::kDropped : event_source::Kind::kCommands);
    if (judge_drops)
        guard::check_dropped_objects(GetCommandTagName(trigger->tag), source);
    if (remember)
        remember_created(source);
    if (!write) {
        tuplestore_end(source.store);
        return;
    }

    int64 migration_id = session::open_migration_id();
    text *statement = current_statement();
    event_log::RowContext ctx;
    ctx.migration_id = Int64GetDatum(migration_id);
    ctx.migration_isnull = migration_id == 0;
    ctx.event = CStringGetTextDatum(is_drop ? "sql_drop" : "ddl_command_end");
    ctx.command_tag = CStringGetTextDatum(GetCommandTagName(trigger->tag));
    ctx.statement = PointerGetDatum(statement);
    ctx.statement_isnull = statement == nullptr;
    ctx.role = DirectFunctionCall1(namein, CStringGetDatum(current_role_name()));
    ctx.session_role =
        DirectFunctionCall1(namein, CStringGetDatum(GetUserNameFromId(GetSessionUserId(), false)));
    ctx.txid = FullTransactionIdGetDatum(GetTopFullTransactionId());

    event_log::write(owner, ctx, source, is_drop);
    tuplestore_end(source.store);
}

} // namespace

void install_hooks() {
    previous_process_utility = ProcessUtility_hook;
    ProcessUtility_hook = process_utility;
    event_log::install();
    event_source::install();
    RegisterXactCallback(forget_created, nullptr);
}

bool created_in_this_transaction(Oid classid, Oid objid) {
    for (int i = 0; i < created.count; i++)
        if (created.items[i].classid == classid && created.items[i].objid == objid &&
            created.items[i].objsubid == 0)
            return true;
    return false;
}

bool created_any(Oid classid) {
    for (int i = 0; i < created.count; i++)
        if (created.items[i].classid == classid && created.items[i].objsubid == 0)
            return true;
    return false;
}

void note_columns_before(const Node *parsetree) {
    if (parsetree == nullptr || !IsA(parsetree, AlterTableStmt))
        return;
    const AlterTableStmt *stmt = castNode(AlterTableStmt, parsetree);
    bool adds = false;
    ListCell *lc;
    foreach (lc, stmt->cmds)
        adds = adds || castNode(AlterTableCmd, lfirst(lc))->subtype == AT_AddColumn;
    if (!adds || stmt->relation == nullptr)
        return;
    const Oid relid = RangeVarGetRelid(stmt->relation, NoLock, true);
    if (!OidIsValid(relid))
        return;
    const int16 natts = relnatts(relid);
    if (natts < 0)
        return;
    const int found = columns_before_of(relid);
    if (found >= 0)
        columns_before.items[found].natts = natts;
    else
        columns_before.add(ColumnsBefore{relid, natts});
}

bool column_added_in_this_transaction(Oid relid, AttrNumber attnum) {
    for (int i = 0; i < created.count; i++)
        if (created.items[i].classid == RelationRelationId && created.items[i].objid == relid &&
            created.items[i].objsubid == attnum)
            return true;
    return false;
}

} // namespace mg::pg::capture

extern "C" {

PG_FUNCTION_INFO_V1(mg_capture_ddl);
Datum mg_capture_ddl(PG_FUNCTION_ARGS) {
    using namespace mg::pg::capture;
    record(fcinfo, false);
    PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(mg_capture_drop);
Datum mg_capture_drop(PG_FUNCTION_ARGS) {
    using namespace mg::pg::capture;
    record(fcinfo, true);
    PG_RETURN_VOID();
}

} // extern "C"
