// The preboot-window guard (guard.cpp).
#pragma once

#include "extension/event_source.hpp"

struct PlannedStmt; // PostgreSQL's

namespace mg::pg::guard {

// GUC migration_guard.enforce.
enum { kEnforceWindow = 0, kEnforceAlways = 1, kEnforceOff = 2 };
extern int enforce;

// Registers the relcache and transaction callbacks the guard needs.
void install();

// Brings the cached window and rule settings up to date (lint() uses the same settings);
// false when the extension is not installed.
bool refresh();

// Called by the ProcessUtility hook before a utility statement runs: judges the statements
// event triggers never see (TRUNCATE, VACUUM, CLUSTER, REINDEX); ddl_command_start judges the rest.
void check_utility_statement(::PlannedStmt *statement);

// Whether the guard applies now: enforce = always, or = window while a window is open.
bool active();

// Called by the sql_drop event trigger (before DDL capture records the drops): judges the
// objects PostgreSQL is dropping that the statement's text did not name (CASCADE, DROP OWNED,
// DROP EXTENSION, ALTER TYPE ... DROP ATTRIBUTE ...). `command`: the statement's tag;
// `dropped`: pg_event_trigger_dropped_objects(), rewound after reading. Only while active().
void check_dropped_objects(const char *command, const event_source::Result &dropped);

} // namespace mg::pg::guard
