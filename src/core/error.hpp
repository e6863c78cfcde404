// Errors raised by the pure C++ core, and the capture of any exception into a plain,
// destructor-free record that the backend glue turns into ereport() and the CLI prints.
#pragma once

#include <cstddef>
#include <exception>
#include <stdexcept>
#include <string>

namespace mg {

// An error that carries a SQLSTATE of migration_guard's own (see docs/errors.md) plus the
// three parts of a PostgreSQL error report.
class Error : public std::runtime_error {
  public:
    Error(const char *sqlstate, std::string message, std::string detail = {}, std::string hint = {})
        : std::runtime_error(message), sqlstate_(sqlstate), detail_(std::move(detail)),
          hint_(std::move(hint)) {}
    const char *sqlstate() const noexcept { return sqlstate_; }
    const std::string &detail() const noexcept { return detail_; }
    const std::string &hint() const noexcept { return hint_; }

  private:
    const char *sqlstate_;
    std::string detail_;
    std::string hint_;
};

// Fixed-size, trivially destructible copy of an error: safe to keep alive across a longjmp.
struct ErrorRecord {
    enum class Kind { None, Error, OutOfMemory, Internal };
    static constexpr std::size_t kTextSize = 1024;

    Kind kind = Kind::None;
    char sqlstate[6] = {0};
    char message[kTextSize] = {0};
    char detail[kTextSize] = {0};
    char hint[kTextSize] = {0};
};

// Fills `record` from the exception currently being handled. Call only inside a catch block.
// mg::Error -> Kind::Error with its parts; std::bad_alloc -> Kind::OutOfMemory, SQLSTATE 53200,
// "out of memory"; other std::exception -> Kind::Internal, MGIER, what(); anything else ->
// Kind::Internal, MGIER, "unknown C++ exception". Texts longer than kTextSize - 1 bytes are cut
// at a UTF-8 character boundary. Allocates nothing.
void capture_current_exception(ErrorRecord &record) noexcept;

// Runs fn() and reports whether it finished; when it threw, `record` describes why and every
// C++ object that fn() created has already been destroyed.
template <typename Fn> bool run_guarded(Fn &&fn, ErrorRecord &record) noexcept {
    try {
        fn();
        return true;
    } catch (...) {
        capture_current_exception(record);
        return false;
    }
}

} // namespace mg
