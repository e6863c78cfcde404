// The migration this backend has open, and the ones its rolled-back transactions lost.
//
// A migration opened by begin_migration() stays open in the session until finish_migration()
// or fail_migration(), across transactions (a non-transactional migration begins, runs
// CREATE INDEX CONCURRENTLY in transactions of its own, and finishes later).
//
// The session's state always follows the ledger's rows: every change is marked with the
// (sub)transaction that made it, and undone when that (sub)transaction aborts —
//   - a migration begun in a transaction that rolls back: its row is gone, so the session keeps
//     it as "lost", for fail_migration() (or the next begin_migration()) to record as failed;
//   - a finish or fail that is rolled back: the row is running again, so the migration is open
//     again;
//   - a lost migration recorded by a transaction that rolls back: it is lost again.
#pragma once

#include "extension/pg.hpp"

namespace mg::pg::session {

struct MigrationInfo {
    int64 migration_id;
    char *version;     // TopMemoryContext
    char *name;        // may be null
    char *tool;        // may be null
    char *script_hash; // may be null
    char *error;       // lost migrations: the error that aborted the transaction, or null
    TimestampTz started_at;
};

void install_callbacks();

// The open migration, or null (also while a finish of it awaits its transaction's commit).
const MigrationInfo *open_migration();
int64 open_migration_id();
// True while the open migration was begun in the current top-level transaction.
bool open_migration_in_current_transaction();

void set_open(const MigrationInfo &info);
// The open migration was finished or failed by the current (sub)transaction.
void close_open();
// The ledger says the open migration is no longer running (another session resolved it):
// forget it for good, whatever becomes of the current transaction.
void forget_open();
// The last error reported while a migration was open, or "".
const char *last_error();

// The oldest lost migration that no live (sub)transaction is recording yet, or null.
const MigrationInfo *next_lost();
// The current (sub)transaction records `lost` in the ledger.
void recording_lost(const MigrationInfo *lost);

// Called for every message the backend reports; remembers the last error while a migration
// is open (or finished by a transaction that has not committed).
void note_error(const ErrorData *edata);

} // namespace mg::pg::session
