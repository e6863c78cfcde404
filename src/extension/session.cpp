#include "extension/session.hpp"

#include "core/error_codes.hpp"
#include "extension/bridge.hpp"

#include <cstring>
#include <initializer_list>

namespace mg::pg::session {
namespace {

struct State {
    bool open = false;
    MigrationInfo info{};
    bool in_current_transaction = false;
    SubTransactionId subtransaction = InvalidSubTransactionId;

    bool has_rolled_back = false;
    MigrationInfo lost{};
    bool lost_being_recorded = false;

    char last_error[1024] = {0};
};

State state;

char *copy_or_null(const char *s) {
    return s ? MemoryContextStrdup(TopMemoryContext, s) : nullptr;
}

void free_info(MigrationInfo &info) {
    for (char **p : {&info.version, &info.name, &info.tool, &info.script_hash}) {
        if (*p)
            pfree(*p);
        *p = nullptr;
    }
    info.migration_id = 0;
}

// The open migration's row was rolled back: keep what we know so it can be recorded as failed.
void lose_open_migration() {
    if (state.has_rolled_back)
        free_info(state.lost);
    state.lost = state.info; // takes ownership of the strings
    state.info = MigrationInfo{};
    state.has_rolled_back = true;
    state.lost_being_recorded = false;
    state.open = false;
    state.in_current_transaction = false;
}

void on_transaction(XactEvent event, void *) {
    switch (event) {
    case XACT_EVENT_PRE_PREPARE:
        if (state.open && state.in_current_transaction)
            mg::pg::raise(mg::errcode::kMigrationOpen,
                          "cannot PREPARE a transaction that began a migration",
                          psprintf("migration \"%s\" is still open.", state.info.version),
                          "Finish the migration before PREPARE TRANSACTION, or commit the "
                          "transaction instead.");
        break;
    case XACT_EVENT_COMMIT:
    case XACT_EVENT_PARALLEL_COMMIT:
    case XACT_EVENT_PREPARE:
        state.in_current_transaction = false;
        if (state.has_rolled_back && state.lost_being_recorded) {
            free_info(state.lost);
            state.has_rolled_back = false;
            state.lost_being_recorded = false;
        }
        break;
    case XACT_EVENT_ABORT:
    case XACT_EVENT_PARALLEL_ABORT:
        if (state.open && state.in_current_transaction)
            lose_open_migration();
        state.lost_being_recorded = false;
        break;
    default:
        break;
    }
}

void on_subtransaction(SubXactEvent event, SubTransactionId sub, SubTransactionId parent, void *) {
    if (!state.open || !state.in_current_transaction || state.subtransaction != sub)
        return;
    if (event == SUBXACT_EVENT_COMMIT_SUB)
        state.subtransaction = parent; // the row now belongs to the parent
    else if (event == SUBXACT_EVENT_ABORT_SUB)
        lose_open_migration();
}

} // namespace

void install_callbacks() {
    RegisterXactCallback(on_transaction, nullptr);
    RegisterSubXactCallback(on_subtransaction, nullptr);
}

int64 open_migration_id() {
    return state.open ? state.info.migration_id : 0;
}
const MigrationInfo *open_migration() {
    return state.open ? &state.info : nullptr;
}
bool open_migration_in_current_transaction() {
    return state.open && state.in_current_transaction;
}

void set_open(const MigrationInfo &info) {
    if (state.open)
        free_info(state.info);
    state.info.migration_id = info.migration_id;
    state.info.version = copy_or_null(info.version);
    state.info.name = copy_or_null(info.name);
    state.info.tool = copy_or_null(info.tool);
    state.info.script_hash = copy_or_null(info.script_hash);
    state.info.started_at = info.started_at;
    state.open = true;
    state.in_current_transaction = true;
    state.subtransaction = GetCurrentSubTransactionId();
    state.last_error[0] = '\0';
}

void clear_open() {
    if (state.open)
        free_info(state.info);
    state.open = false;
    state.in_current_transaction = false;
}

const MigrationInfo *rolled_back() {
    return state.has_rolled_back && !state.lost_being_recorded ? &state.lost : nullptr;
}

const char *rolled_back_error() {
    return state.last_error;
}

void rolled_back_recording() {
    state.lost_being_recorded = true;
}

void note_error(const ErrorData *edata) {
    if (!state.open || edata->elevel < ERROR || edata->message == nullptr)
        return;
    strlcpy(state.last_error, edata->message, sizeof(state.last_error));
}

} // namespace mg::pg::session
