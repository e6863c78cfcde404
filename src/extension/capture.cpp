#include "extension/capture.hpp"

#include <cctype>

#include "extension/as_owner.hpp"
#include "extension/guard.hpp"
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
    int total = (int)strlen(query);
    int start = location >= 0 && location <= total ? location : 0;
    int end = length > 0 && start + length <= total ? start + length : total;
    while (start < end && isspace((unsigned char)query[start]))
        start++;
    while (end > start && (isspace((unsigned char)query[end - 1]) || query[end - 1] == ';'))
        end--;
    return cstring_to_text_with_len(query + start, end - start);
}

// The columns both event triggers fill from their own context; $1 migration_id, $2 statement,
// $3 role, $4 command tag. Every name is schema-qualified and every operator spelled
// OPERATOR(pg_catalog.x): the queries run as the extension owner without pinning search_path
// (see as_owner), so nothing here may be looked up through the caller's search_path.
constexpr const char kInsertCommands[] =
    "INSERT INTO migration_guard.ddl_events (migration_id, event, command_tag, object_type, "
    "schema_name, object_identity, classid, objid, objsubid, statement, role, session_role, "
    "backend_pid, txid) "
    "SELECT $1, 'ddl_command_end', c.command_tag, c.object_type, c.schema_name, "
    "c.object_identity, c.classid, c.objid, c.objsubid, $2, $3, session_user, "
    "pg_catalog.pg_backend_pid(), pg_catalog.pg_current_xact_id() "
    "FROM pg_catalog.pg_event_trigger_ddl_commands() c "
    "WHERE NOT c.in_extension "
    "AND (c.schema_name IS NULL OR c.schema_name OPERATOR(pg_catalog.<>) 'pg_temp')";

constexpr const char kInsertDrops[] =
    "INSERT INTO migration_guard.ddl_events (migration_id, event, command_tag, object_type, "
    "schema_name, object_identity, classid, objid, objsubid, statement, role, session_role, "
    "backend_pid, txid) "
    "SELECT $1, 'sql_drop', $4, d.object_type, d.schema_name, d.object_identity, d.classid, "
    "d.objid, d.objsubid, $2, $3, session_user, pg_catalog.pg_backend_pid(), "
    "pg_catalog.pg_current_xact_id() "
    "FROM pg_catalog.pg_event_trigger_dropped_objects() d "
    "WHERE (d.original OR d.normal) AND NOT d.is_temporary";

SPIPlanPtr insert_commands_plan = nullptr;
SPIPlanPtr insert_drops_plan = nullptr;

SPIPlanPtr prepare(const char *sql) {
    Oid types[4] = {INT8OID, TEXTOID, NAMEOID, TEXTOID};
    SPIPlanPtr plan = SPI_prepare(sql, 4, types);
    if (plan == nullptr)
        elog(ERROR, "migration_guard: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
    if (SPI_keepplan(plan) != 0)
        elog(ERROR, "migration_guard: SPI_keepplan failed");
    return plan;
}

// Our own install and update scripts are not recorded.
bool creating_this_extension() {
    return creating_extension &&
           CurrentExtensionObject == get_extension_oid("migration_guard", true);
}

void record(FunctionCallInfo fcinfo, const char *sql, SPIPlanPtr *plan, bool is_drop) {
    if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
        ereport(ERROR, (::errcode(ERRCODE_E_R_I_E_EVENT_TRIGGER_PROTOCOL_VIOLATED),
                        errmsg("%s must be called as an event trigger",
                               get_func_name(fcinfo->flinfo->fn_oid))));
    // Extension scripts are not recorded: the CREATE/ALTER EXTENSION itself is. (Commands are
    // filtered on in_extension in the query; drops have no such column.)
    if (!enabled || creating_this_extension() || (is_drop && creating_extension))
        return;
    Oid owner = ledger_owner();
    if (!OidIsValid(owner))
        return; // the extension is being dropped: its event triggers fire no more after this

    EventTriggerData *trigger = (EventTriggerData *)fcinfo->context;
    int64 migration_id = session::open_migration_id();
    text *statement = current_statement();
    const char *role = current_role_name();
    const char *tag = GetCommandTagName(trigger->tag);

    Datum values[4] = {Int64GetDatum(migration_id), PointerGetDatum(statement),
                       DirectFunctionCall1(namein, CStringGetDatum(role)),
                       CStringGetTextDatum(tag)};
    char nulls[4] = {migration_id ? ' ' : 'n', statement ? ' ' : 'n', ' ', ' '};

    spi_as_owner(
        owner,
        [&] {
            if (*plan == nullptr)
                *plan = prepare(sql);
            int rc = SPI_execute_plan(*plan, values, nulls, false, 0);
            if (rc != SPI_OK_INSERT)
                elog(ERROR, "migration_guard: recording DDL failed: %s",
                     SPI_result_code_string(rc));
        },
        /* fully_qualified */ true);
}

} // namespace

void install_hooks() {
    previous_process_utility = ProcessUtility_hook;
    ProcessUtility_hook = process_utility;
}

} // namespace mg::pg::capture

extern "C" {

PG_FUNCTION_INFO_V1(mg_capture_ddl);
Datum mg_capture_ddl(PG_FUNCTION_ARGS) {
    using namespace mg::pg::capture;
    record(fcinfo, kInsertCommands, &insert_commands_plan, false);
    PG_RETURN_VOID();
}

PG_FUNCTION_INFO_V1(mg_capture_drop);
Datum mg_capture_drop(PG_FUNCTION_ARGS) {
    using namespace mg::pg::capture;
    record(fcinfo, kInsertDrops, &insert_drops_plan, true);
    PG_RETURN_VOID();
}

} // extern "C"
