// DDL capture: every DDL command (ddl_command_end) and every dropped object (sql_drop) becomes
// a row of migration_guard.ddl_events, attributed to the session's open migration, if any.
#pragma once

namespace mg::pg::capture {

// Installs the ProcessUtility hook that tells the event triggers which statement of a
// multi-statement string is running.
void install_hooks();

// GUC migration_guard.capture.
extern bool enabled;

} // namespace mg::pg::capture
