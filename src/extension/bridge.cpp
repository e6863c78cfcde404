#include "extension/bridge.hpp"

#include "core/error_codes.hpp"
#include "extension/pg.hpp"

namespace mg::pg {

static int sqlstate_code(const char *s) {
    return MAKE_SQLSTATE(s[0], s[1], s[2], s[3], s[4]);
}

void *alloc_or_null(size_t size) noexcept {
    // NO_OOM: NULL instead of an error when memory runs out; HUGE: no 1 GB request limit.
    return palloc_extended(size, MCXT_ALLOC_NO_OOM | MCXT_ALLOC_HUGE);
}

char *copy_to_pg(const std::string &s) {
    char *p = alloc_array<char>(s.size() + 1);
    memcpy(p, s.data(), s.size() + 1);
    return p;
}

void raise(const char *sqlstate, const char *message, const char *detail, const char *hint) {
    ereport(ERROR, (::errcode(sqlstate_code(sqlstate)), errmsg_internal("%s", message),
                    detail ? errdetail_internal("%s", detail) : 0, hint ? errhint("%s", hint) : 0));
    pg_unreachable();
}

void report_error(const mg::ErrorRecord &record) {
    switch (record.kind) {
    case mg::ErrorRecord::Kind::OutOfMemory:
        ereport(ERROR, (::errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory"),
                        errdetail("migration_guard could not allocate memory.")));
        break;
    case mg::ErrorRecord::Kind::Error:
        raise(record.sqlstate, record.message, record.detail[0] ? record.detail : nullptr,
              record.hint[0] ? record.hint : nullptr);
    case mg::ErrorRecord::Kind::Internal:
    case mg::ErrorRecord::Kind::None:
        ereport(ERROR,
                (::errcode(sqlstate_code(mg::errcode::kInternal)),
                 errmsg("migration_guard internal error: %s",
                        record.message[0] ? record.message : "unknown"),
                 errhint("This is a bug in migration_guard; please report it with the statement "
                         "that caused it.")));
        break;
    }
    pg_unreachable();
}

} // namespace mg::pg
