// Running a piece of backend work in an internal subtransaction, as PL/pgSQL's EXCEPTION blocks
// do: the caller's memory context and resource owner are back in place afterwards, and what fn()
// allocated in the caller's context survives.
#pragma once

#include "extension/pg.hpp"

namespace mg::pg {

enum class SubtransactionEnd {
    kRelease,  // fn()'s work and locks become the caller's transaction's
    kRollBack, // undone, and its locks let go: for reads whose results are copied out
};

// Runs fn() in a subtransaction ended as `end` says when fn() returns. When fn() raises an
// error, the subtransaction is rolled back and a copy of the error (in the caller's memory
// context) is returned for the caller to handle or re-throw; null otherwise.
template <typename Fn> ErrorData *in_subtransaction(SubtransactionEnd end, Fn &&fn) {
    MemoryContext caller = CurrentMemoryContext;
    ResourceOwner owner = CurrentResourceOwner;
    ErrorData *volatile error = nullptr;
    BeginInternalSubTransaction(nullptr);
    MemoryContextSwitchTo(caller);
    PG_TRY();
    { fn(); }
    PG_CATCH();
    {
        MemoryContextSwitchTo(caller);
        error = CopyErrorData();
        FlushErrorState();
        RollbackAndReleaseCurrentSubTransaction();
    }
    PG_END_TRY();
    // Ended outside the PG_TRY: an error while ending it must not make the handler above end
    // the caller's transaction level instead.
    if (error == nullptr) {
        if (end == SubtransactionEnd::kRelease)
            ReleaseCurrentSubTransaction();
        else
            RollbackAndReleaseCurrentSubTransaction();
    }
    MemoryContextSwitchTo(caller);
    CurrentResourceOwner = owner;
    return error;
}

// Runs fn(), which only reads and copies what it read out (into the caller's memory context or
// further up), in a subtransaction that is then rolled back, so that the locks its reads took
// are let go at once. Held to the end of the transaction, each would take one of the backend's
// sixteen fast-path lock slots (PostgreSQL 15-17), and once they are full every catalog lock
// PostgreSQL's own DDL takes goes through the shared lock table: in a long migration that costs
// more than everything migration_guard does. An error fn() raises is raised again.
template <typename Fn> void read_letting_locks_go(Fn &&fn) {
    if (ErrorData *error = in_subtransaction(SubtransactionEnd::kRollBack, fn))
        ReThrowError(error);
}

} // namespace mg::pg
