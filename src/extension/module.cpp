// Module entry: PG_MODULE_MAGIC, settings, hooks and callbacks.
#include "extension/capture.hpp"
#include "extension/guard.hpp"
#include "extension/ledger_api.hpp"
#include "extension/pg.hpp"
#include "extension/session.hpp"

extern "C" {

PG_MODULE_MAGIC;

void _PG_init(void);

static emit_log_hook_type previous_emit_log_hook = nullptr;

// migration_guard.sqlstate_check and migration_guard.sqlstate_require_registered are read by
// the CREATE FUNCTION check (migration_guard._check_function_sqlstates) with current_setting();
// they are defined here so that PostgreSQL validates their values.
static int sqlstate_check = 0;
static bool sqlstate_require_registered = false;
static const struct config_enum_entry enforce_options[] = {
    {"window", mg::pg::guard::kEnforceWindow, false},
    {"always", mg::pg::guard::kEnforceAlways, false},
    {"off", mg::pg::guard::kEnforceOff, false},
    {nullptr, 0, false}};
static const struct config_enum_entry sqlstate_check_options[] = {
    {"block", 0, false}, {"warn", 1, false}, {"off", 2, false}, {nullptr, 0, false}};

static void emit_log(ErrorData *edata) {
    mg::pg::session::note_error(edata);
    if (previous_emit_log_hook)
        previous_emit_log_hook(edata);
}

void _PG_init(void) {
    DefineCustomBoolVariable(
        "migration_guard.capture", "Records every DDL command in migration_guard.ddl_events.",
        "Turning it off leaves DDL unrecorded; the ledger's history then has gaps.",
        &mg::pg::capture::enabled, true, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomIntVariable(
        "migration_guard.max_script_size", "Largest migration script the ledger accepts.",
        "begin_migration, run_migration and repair_migration refuse larger scripts.",
        &mg::pg::ledger::max_script_size_kb, 64 * 1024, 1, MAX_KILOBYTES, PGC_SUSET, GUC_UNIT_KB,
        nullptr, nullptr, nullptr);
    DefineCustomEnumVariable(
        "migration_guard.enforce", "When the guard refuses backward-incompatible DDL.",
        "window: while a preboot window is open; always: at all times; off: never.",
        &mg::pg::guard::enforce, mg::pg::guard::kEnforceWindow, enforce_options, PGC_SUSET, 0,
        nullptr, nullptr, nullptr);
    DefineCustomEnumVariable(
        "migration_guard.sqlstate_check",
        "What CREATE FUNCTION does with a RAISE whose SQLSTATE breaks the custom-code rules.",
        "block refuses the function, warn creates it with a WARNING, off does not look.",
        &sqlstate_check, 0, sqlstate_check_options, PGC_SUSET, 0, nullptr, nullptr, nullptr);
    DefineCustomBoolVariable(
        "migration_guard.sqlstate_require_registered",
        "Also flags custom SQLSTATEs missing from migration_guard.error_codes.", nullptr,
        &sqlstate_require_registered, false, PGC_SUSET, 0, nullptr, nullptr, nullptr);
#if PG_VERSION_NUM >= 150000
    MarkGUCPrefixReserved("migration_guard");
#else
    EmitWarningsOnPlaceholders("migration_guard");
#endif

    mg::pg::capture::install_hooks();
    mg::pg::session::install_callbacks();
    mg::pg::guard::install();
    previous_emit_log_hook = emit_log_hook;
    emit_log_hook = emit_log;
}

} // extern "C"
