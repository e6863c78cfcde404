// Writing migration_guard.ddl_events rows: directly through the table's insert and index
// routines while the table is as installed, through SQL as the extension owner otherwise.
#pragma once

#include "extension/pg.hpp"

namespace mg::pg::event_log {

// The rows of one event trigger call: the values of every column but the per-row ones.
struct RowContext {
    Datum migration_id;
    bool migration_isnull;
    Datum event;
    Datum command_tag; // sql_drop: the statement's tag; ddl_command_end: per row
    Datum statement;
    bool statement_isnull;
    Datum role;
    Datum session_role;
    Datum txid;
};

// Writes one row per command (ddl_command_end: `store` holds pg_event_trigger_ddl_commands())
// or per dropped object (sql_drop: pg_event_trigger_dropped_objects()), leaving out what capture
// does not record (extension members, temporary objects, internal parts of dropped objects).
void write(Oid owner, const RowContext &ctx, Tuplestorestate *store, TupleDesc desc, bool is_drop);

// Calls one of PostgreSQL's set-returning functions of no arguments in materialize mode, as the
// executor would; the result lives in CurrentMemoryContext.
void call_materialized(FmgrInfo *flinfo, Tuplestorestate **store, TupleDesc *desc);
// The cached FmgrInfo of pg_event_trigger_ddl_commands() or pg_event_trigger_dropped_objects().
FmgrInfo *srf_info(Oid fn);
// A column of such a result by name (newer majors may add columns); raises if it is missing.
AttrNumber column_of(TupleDesc desc, const char *name);

// Registers the relcache callback that tells when ddl_events changed shape.
void install();

} // namespace mg::pg::event_log
