#include "core/error.hpp"

#include "core/error_codes.hpp"

#include <cstring>
#include <new>

namespace mg {
namespace {

// PostgreSQL's own code for out of memory (ERRCODE_OUT_OF_MEMORY): an out-of-memory condition
// is not migration_guard's own error, so it keeps the standard code.
constexpr char kOutOfMemorySqlstate[] = "53200";

bool is_continuation_byte(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Copies src[0, size) into dst[0, capacity) as a NUL-terminated string. When it does not fit,
// the cut moves back to the start of the UTF-8 sequence it would split. Never allocates.
void copy_truncated(char *dst, std::size_t capacity, const char *src, std::size_t size) noexcept {
    if (src == nullptr) {
        size = 0;
    }
    std::size_t cut = size;
    if (cut >= capacity) {
        cut = capacity - 1;
        // A sequence is at most 4 bytes long, so its lead byte is at most 3 bytes back. If no
        // lead byte is there, the input is not UTF-8 at this point and the cut stays.
        std::size_t back = 0;
        while (back < 3 && back < cut && is_continuation_byte(src[cut - back])) {
            ++back;
        }
        if (back > 0 && !is_continuation_byte(src[cut - back]) &&
            static_cast<unsigned char>(src[cut - back]) >= 0xC0) {
            cut -= back;
        }
    }
    if (cut > 0) {
        std::memcpy(dst, src, cut);
    }
    dst[cut] = '\0';
}

void copy_text(char (&dst)[ErrorRecord::kTextSize], const char *src) noexcept {
    copy_truncated(dst, sizeof dst, src, src == nullptr ? 0 : std::strlen(src));
}

void copy_text(char (&dst)[ErrorRecord::kTextSize], const std::string &src) noexcept {
    copy_truncated(dst, sizeof dst, src.data(), src.size());
}

void fill(ErrorRecord &record, ErrorRecord::Kind kind, const char *sqlstate,
          const char *message) noexcept {
    record.kind = kind;
    copy_truncated(record.sqlstate, sizeof record.sqlstate, sqlstate,
                   sqlstate == nullptr ? 0 : strnlen(sqlstate, sizeof record.sqlstate));
    copy_text(record.message, message);
    record.detail[0] = '\0';
    record.hint[0] = '\0';
}

} // namespace

void capture_current_exception(ErrorRecord &record) noexcept {
    // Rethrowing the exception being handled and catching it by reference allocates nothing.
    try {
        throw;
    } catch (const Error &e) {
        const char *sqlstate = e.sqlstate();
        fill(record, ErrorRecord::Kind::Error,
             sqlstate != nullptr && sqlstate[0] != '\0' ? sqlstate : errcode::kInternal, e.what());
        copy_text(record.detail, e.detail());
        copy_text(record.hint, e.hint());
    } catch (const std::bad_alloc &) {
        fill(record, ErrorRecord::Kind::OutOfMemory, kOutOfMemorySqlstate, "out of memory");
    } catch (const std::exception &e) {
        fill(record, ErrorRecord::Kind::Internal, errcode::kInternal, e.what());
    } catch (...) {
        fill(record, ErrorRecord::Kind::Internal, errcode::kInternal, "unknown C++ exception");
    }
}

} // namespace mg
