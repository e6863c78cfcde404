// The C++ / PostgreSQL boundary.
//
// PostgreSQL reports errors with longjmp, which skips C++ destructors; a C++ exception must
// never unwind through a PostgreSQL frame. So every call into the C++ core goes through
// call_core(): the core runs inside run_guarded(), which destroys all of its objects and
// captures any exception into a trivially destructible ErrorRecord; only then, with no C++
// object alive, is the error raised with ereport().
//
// Rules for the lambda passed to call_core():
//   - it captures by reference only (so the lambda itself is trivially destructible);
//   - it calls no PostgreSQL function that can raise an error;
//   - results leave it through plain buffers or out-parameters the caller owns.
#pragma once

#include "core/error.hpp"

#include <cstddef>
#include <new>
#include <string>

namespace mg::pg {

// Raises the error described by record. Never returns.
[[noreturn]] void report_error(const mg::ErrorRecord &record);

template <typename Fn> inline void call_core(Fn &&fn) {
    mg::ErrorRecord record;
    if (!mg::run_guarded(fn, record))
        report_error(record);
}

// The one PostgreSQL call a call_core() lambda may make: memory in the current context that is
// never an error to ask for. Returns nullptr when there is none (throw std::bad_alloc then).
void *alloc_or_null(size_t size) noexcept;

// Core results copied out of a call_core() lambda into memory from alloc_or_null(); both throw
// std::bad_alloc when there is none.
char *copy_to_pg(const std::string &s);
template <typename T> T *alloc_array(size_t n) {
    T *p = static_cast<T *>(alloc_or_null(sizeof(T) * (n ? n : 1)));
    if (p == nullptr)
        throw std::bad_alloc();
    return p;
}

// Raises one of migration_guard's own errors (a code from core/error_codes.hpp).
[[noreturn]] void raise(const char *sqlstate, const char *message, const char *detail = nullptr,
                        const char *hint = nullptr);

} // namespace mg::pg
