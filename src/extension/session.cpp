#include "extension/session.hpp"

#include <cstring>
#include <initializer_list>

#include "core/error_codes.hpp"
#include "extension/as_owner.hpp"
#include "extension/bridge.hpp"

namespace mg::pg::session {
namespace {

// Where a change to the session's state was made; the change is undone when that
// (sub)transaction aborts, and belongs to the parent when it commits.
struct Mark {
    bool active = false;
    SubTransactionId sub = InvalidSubTransactionId;

    void set() {
        active = true;
        sub = GetCurrentSubTransactionId();
    }
    void clear() { active = false; }
    void subcommitted(SubTransactionId committed, SubTransactionId parent) {
        if (active && sub == committed)
            sub = parent;
    }
    bool subaborted(SubTransactionId aborted) const { return active && sub == aborted; }
};

// One migration the session knows about: open (perhaps finished by a transaction that has
// not committed yet), or lost to a rollback and not yet recorded.
struct Entry {
    MigrationInfo info;
    bool lost;
    Mark begun;     // its row was inserted by the current transaction
    Mark closing;   // it was finished or failed by the current transaction
    Mark recording; // (lost) it is being recorded as failed by the current transaction
};

// Flyway's group mode runs many migrations in one transaction; 64 is far more than one
// transaction holds in practice, and only lost ones beyond it are forgotten (with a WARNING).
constexpr int kMaxEntries = 64;

struct State {
    Entry entries[kMaxEntries]{};
    int count = 0;
    char last_error[1024] = {0};
};

State state;

char *copy_or_null(const char *s) {
    return s ? MemoryContextStrdup(TopMemoryContext, s) : nullptr;
}

void free_info(MigrationInfo &info) {
    for (char **p : {&info.version, &info.name, &info.tool, &info.script_hash, &info.error}) {
        if (*p)
            pfree(*p);
        *p = nullptr;
    }
    info.migration_id = 0;
}

void remove_entry(int i) {
    free_info(state.entries[i].info);
    for (int j = i + 1; j < state.count; j++)
        state.entries[j - 1] = state.entries[j];
    state.count--;
    state.entries[state.count] = Entry{};
}

Entry *open_entry() {
    for (int i = 0; i < state.count; i++)
        if (!state.entries[i].lost && !state.entries[i].closing.active)
            return &state.entries[i];
    return nullptr;
}

// Its row was rolled back: keep what we know so it can be recorded as failed.
void lose(Entry &entry) {
    entry.lost = true;
    entry.begun.clear();
    entry.closing.clear();
    entry.recording.clear();
    if (entry.info.error == nullptr && state.last_error[0])
        entry.info.error = copy_or_null(state.last_error);
}

void on_transaction(XactEvent event, void *) {
    switch (event) {
    case XACT_EVENT_PRE_PREPARE:
        // A prepared transaction may still roll back after this session has moved on.
        for (int i = 0; i < state.count; i++) {
            const Entry &e = state.entries[i];
            if (e.begun.active || e.closing.active || e.recording.active)
                mg::pg::raise(
                    mg::errcode::kMigrationOpen,
                    "cannot PREPARE a transaction that changed the migration ledger",
                    psprintf("It began, finished or recorded migration \"%s\".", e.info.version),
                    "Commit the transaction instead.");
        }
        break;
    case XACT_EVENT_COMMIT:
    case XACT_EVENT_PARALLEL_COMMIT:
        for (int i = state.count - 1; i >= 0; i--) {
            Entry &e = state.entries[i];
            if (e.closing.active || e.recording.active) {
                remove_entry(i);
                continue;
            }
            e.begun.clear();
        }
        break;
    case XACT_EVENT_ABORT:
    case XACT_EVENT_PARALLEL_ABORT:
        for (int i = 0; i < state.count; i++) {
            Entry &e = state.entries[i];
            if (!e.lost && e.begun.active)
                lose(e);       // its row is gone
            e.closing.clear(); // a finish or fail in this transaction is undone
            e.recording.clear();
        }
        forget_ledger_owner();
        break;
    default:
        break;
    }
}

void on_subtransaction(SubXactEvent event, SubTransactionId sub, SubTransactionId parent, void *) {
    for (int i = 0; i < state.count; i++) {
        Entry &e = state.entries[i];
        if (event == SUBXACT_EVENT_COMMIT_SUB) {
            e.begun.subcommitted(sub, parent);
            e.closing.subcommitted(sub, parent);
            e.recording.subcommitted(sub, parent);
        } else if (event == SUBXACT_EVENT_ABORT_SUB) {
            if (!e.lost && e.begun.subaborted(sub))
                lose(e);
            if (e.closing.subaborted(sub))
                e.closing.clear();
            if (e.recording.subaborted(sub))
                e.recording.clear();
        }
    }
}

} // namespace

void install_callbacks() {
    RegisterXactCallback(on_transaction, nullptr);
    RegisterSubXactCallback(on_subtransaction, nullptr);
}

const MigrationInfo *open_migration() {
    Entry *e = open_entry();
    return e ? &e->info : nullptr;
}

int64 open_migration_id() {
    const MigrationInfo *open = open_migration();
    return open ? open->migration_id : 0;
}

bool open_migration_in_current_transaction() {
    Entry *e = open_entry();
    return e && e->begun.active;
}

void set_open(const MigrationInfo &info) {
    Assert(open_entry() == nullptr);
    if (state.count == kMaxEntries) {
        // Make room by forgetting the oldest lost migration nobody is recording.
        int victim = -1;
        for (int i = 0; i < state.count && victim < 0; i++)
            if (state.entries[i].lost && !state.entries[i].recording.active)
                victim = i;
        if (victim < 0)
            mg::pg::raise(mg::errcode::kMigrationOpen, "too many migrations in one transaction",
                          psprintf("This session tracks at most %d at a time.", kMaxEntries),
                          "Commit the migrations begun so far first.");
        elog(WARNING,
             "migration_guard: forgetting rolled-back migration \"%s\" that was never recorded",
             state.entries[victim].info.version);
        remove_entry(victim);
    }
    Entry &e = state.entries[state.count++];
    e = Entry{};
    e.info.migration_id = info.migration_id;
    e.info.version = copy_or_null(info.version);
    e.info.name = copy_or_null(info.name);
    e.info.tool = copy_or_null(info.tool);
    e.info.script_hash = copy_or_null(info.script_hash);
    e.info.error = nullptr;
    e.info.started_at = info.started_at;
    e.begun.set();
    state.last_error[0] = '\0';
}

void close_open() {
    if (Entry *e = open_entry())
        e->closing.set();
}

void forget_open() {
    for (int i = 0; i < state.count; i++)
        if (&state.entries[i] == open_entry()) {
            remove_entry(i);
            return;
        }
}

const char *last_error() {
    return state.last_error;
}

const MigrationInfo *next_lost() {
    for (int i = 0; i < state.count; i++)
        if (state.entries[i].lost && !state.entries[i].recording.active)
            return &state.entries[i].info;
    return nullptr;
}

void recording_lost(const MigrationInfo *lost) {
    for (int i = 0; i < state.count; i++)
        if (&state.entries[i].info == lost)
            state.entries[i].recording.set();
}

void note_error(const ErrorData *edata) {
    if (edata->elevel < ERROR || edata->message == nullptr)
        return;
    // Any migration this transaction may yet lose: open, or finished but not committed.
    bool tracked = false;
    for (int i = 0; i < state.count && !tracked; i++)
        tracked = !state.entries[i].lost;
    if (!tracked)
        return;
    strlcpy(state.last_error, edata->message, sizeof(state.last_error));
}

} // namespace mg::pg::session
