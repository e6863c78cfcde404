// Writing migration_guard.ddl_events rows: directly through the table's insert and index
// routines while the table is as installed, through SQL as the extension owner otherwise.
#pragma once

#include "extension/event_source.hpp"
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

// Writes one row per command (ddl_command_end: `source` holds the commands) or per dropped
// object (sql_drop), leaving out what capture does not record (extension members, temporary
// objects, internal parts of dropped objects). `source` is read to its end.
void write(Oid owner, const RowContext &ctx, const event_source::Result &source, bool is_drop);

// Registers the relcache callback that tells when ddl_events changed shape.
void install();

} // namespace mg::pg::event_log
