// The preboot-window guard (guard.cpp).
#pragma once

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

// Brings the cached window and rule settings up to date (lint() uses the same settings);
// false when the extension is not installed.
bool refresh();

// Called by the ProcessUtility hook before a utility statement runs: judges the statements
// event triggers never see (TRUNCATE, VACUUM, CLUSTER, REINDEX); ddl_command_start judges the rest.
void check_utility_statement(::PlannedStmt *statement);

} // namespace mg::pg::guard
