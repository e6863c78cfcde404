// Module entry: PG_MODULE_MAGIC, settings, hooks and callbacks.
#include "extension/capture.hpp"
#include "extension/ledger_api.hpp"
#include "extension/pg.hpp"
#include "extension/session.hpp"

extern "C" {

PG_MODULE_MAGIC;

void _PG_init(void);

static emit_log_hook_type previous_emit_log_hook = nullptr;

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
#if PG_VERSION_NUM >= 150000
    MarkGUCPrefixReserved("migration_guard");
#else
    EmitWarningsOnPlaceholders("migration_guard");
#endif

    mg::pg::capture::install_hooks();
    mg::pg::session::install_callbacks();
    previous_emit_log_hook = emit_log_hook;
    emit_log_hook = emit_log;
}

} // extern "C"
