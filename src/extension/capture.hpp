// DDL capture: every DDL command (ddl_command_end) and every dropped object (sql_drop) becomes
// a row of migration_guard.ddl_events, attributed to the session's open migration, if any.
#pragma once

#include "extension/pg.hpp"

namespace mg::pg::capture {

// Installs the ProcessUtility hook that tells the event triggers which statement of a
// multi-statement string is running.
void install_hooks();

// GUC migration_guard.capture.
extern bool enabled;

// Whether this transaction created the object, as far as the CREATE commands seen at
// ddl_command_end tell (relations by the relcache; CREATE OR REPLACE routines count as old).
bool created_in_this_transaction(Oid classid, Oid objid);
// Whether this transaction created any object of the catalog `classid` (see above).
bool created_any(Oid classid);
// Whether this transaction added the column to an older table (ALTER TABLE ... ADD COLUMN: the
// columns numbered above what the table had at its ddl_command_start, as seen at its
// ddl_command_end); the column keeps its number through renames and type changes.
bool column_added_in_this_transaction(Oid relid, AttrNumber attnum);
// At ddl_command_start: notes how many columns the table of an ALTER TABLE ... ADD COLUMN has.
void note_columns_before(const Node *parsetree);

} // namespace mg::pg::capture
