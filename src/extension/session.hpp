// The migration this backend has open, and what became of one its transaction rolled back.
//
// A migration opened by begin_migration() stays open in the session until finish_migration()
// or fail_migration(), across transactions (a non-transactional migration begins, runs
// CREATE INDEX CONCURRENTLY in transactions of its own, and finishes later). When the
// transaction that began it rolls back, its ledger row is gone with it; the session then keeps
// what it knew ("rolled back") so that fail_migration() - or the next begin_migration() - can
// record it as failed.
#pragma once

#include "extension/pg.hpp"

namespace mg::pg::session {

struct MigrationInfo {
    int64 migration_id;
    char *version;     // TopMemoryContext
    char *name;        // may be null
    char *tool;        // may be null
    char *script_hash; // may be null
    TimestampTz started_at;
};

void install_callbacks();

// The open migration's id, or 0.
int64 open_migration_id();
const MigrationInfo *open_migration();
// True while the open migration was begun in the current top-level transaction.
bool open_migration_in_current_transaction();

void set_open(const MigrationInfo &info);
void clear_open();

// A migration whose beginning transaction rolled back and that is not recorded yet, or null.
const MigrationInfo *rolled_back();
// The error message that aborted it, or "" if none was seen.
const char *rolled_back_error();
// Marks the rolled-back migration as being recorded by the current transaction: it is
// forgotten when this transaction commits, and kept for another try when it aborts.
void rolled_back_recording();

// Called for every message the backend reports; remembers the last error while a migration
// is open.
void note_error(const ErrorData *edata);

} // namespace mg::pg::session
