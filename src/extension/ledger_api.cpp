// The ledger's public SQL API: begin_migration, finish_migration, fail_migration,
// repair_migration, resolve_interrupted. Each checks its arguments, records the calling role,
// and runs the matching internal procedure (migration_guard--*.sql) as the ledger owner.
#include "core/error_codes.hpp"
#include "core/script_hash.hpp"
#include "extension/as_owner.hpp"
#include "extension/bridge.hpp"
#include "extension/hash_functions.hpp"
#include "extension/ledger_api.hpp"
#include "extension/session.hpp"

namespace mg::pg::ledger {

int max_script_size_kb = 64 * 1024;

namespace {

using mg::pg::raise;
namespace code = mg::errcode;

// A required text argument: not NULL, not empty or only white space.
text *required_text(FunctionCallInfo fcinfo, int arg, const char *what) {
    if (PG_ARGISNULL(arg))
        raise(code::kInvalidArgument, psprintf("%s must not be NULL", what), nullptr,
              psprintf("Pass the %s as argument %d.", what, arg + 1));
    text *t = PG_GETARG_TEXT_PP(arg);
    const char *p = VARDATA_ANY(t);
    size_t n = VARSIZE_ANY_EXHDR(t);
    bool blank = true;
    for (size_t i = 0; i < n && blank; i++)
        blank = p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r';
    if (blank)
        raise(code::kInvalidArgument, psprintf("%s must not be empty", what));
    return t;
}

text *optional_text(FunctionCallInfo fcinfo, int arg) {
    return PG_ARGISNULL(arg) ? nullptr : PG_GETARG_TEXT_PP(arg);
}

void check_version(text *version) {
    constexpr size_t kMaxVersionBytes = 1024;
    if (VARSIZE_ANY_EXHDR(version) > kMaxVersionBytes)
        raise(code::kInvalidArgument,
              psprintf("version is %zu bytes long; at most %zu are allowed",
                       (size_t)VARSIZE_ANY_EXHDR(version), kMaxVersionBytes),
              nullptr, "Use a short version such as a number, a timestamp or a file name.");
}

void check_script_size(text *script) {
    size_t size = VARSIZE_ANY_EXHDR(script);
    if (size / 1024 >= (size_t)max_script_size_kb)
        raise(code::kScriptTooLarge,
              psprintf("script is %zu bytes, more than migration_guard.max_script_size (%d kB)",
                       size, max_script_size_kb),
              "The ledger keeps every script it records; scripts this large are usually data "
              "loads rather than schema migrations.",
              "Split the migration, load the data with COPY outside the ledger, or raise the "
              "limit: SET migration_guard.max_script_size = '256MB' (superuser).");
}

// Hashes a script through the core; the result is palloc'd.
char *hash_of(text *script) {
    char out[mg::kSha256TextLength + 1];
    hash_script(VARDATA_ANY(script), VARSIZE_ANY_EXHDR(script), out);
    return pstrdup(out);
}

char *cstring_or_null(text *t) {
    return t ? text_to_cstring(t) : nullptr;
}

// Bounds on what the ledger stores for a migration's name and tool (version: check_version).
constexpr size_t kMaxNameBytes = 1000;
constexpr size_t kMaxToolBytes = 200;

void check_length(text *t, const char *what, size_t max) {
    if (t && VARSIZE_ANY_EXHDR(t) > max)
        raise(code::kInvalidArgument, psprintf("%s is %zu bytes long; at most %zu are allowed",
                                               what, (size_t)VARSIZE_ANY_EXHDR(t), max));
}

// Records the migrations this session lost to rollbacks as failed; returns the last entry.
int64 record_lost_migrations(const char *reason) {
    int64 id = 0;
    while (const session::MigrationInfo *lost = session::next_lost()) {
        const char *why = reason ? reason
                          : lost->error
                              ? psprintf("its transaction was rolled back: %s", lost->error)
                              : "its transaction was rolled back";
        SqlArg args[] = {text_arg(lost->version),
                         text_arg(lost->name),
                         text_arg(lost->tool),
                         text_arg(lost->script_hash),
                         text_arg(current_role_name()),
                         timestamptz_arg(lost->started_at),
                         text_arg(why)};
        bool isnull;
        id = call_as_owner_int8(
            "SELECT migration_guard._record_rolled_back($1, $2, $3, $4, $5, $6, $7)", 7, args,
            &isnull);
        session::recording_lost(lost);
    }
    return id;
}

} // namespace
} // namespace mg::pg::ledger

using namespace mg::pg;
using namespace mg::pg::ledger;

extern "C" {

PG_FUNCTION_INFO_V1(mg_begin_migration);
Datum mg_begin_migration(PG_FUNCTION_ARGS) {
    text *version = required_text(fcinfo, 0, "version");
    check_version(version);
    text *script = PG_ARGISNULL(1) ? nullptr : required_text(fcinfo, 1, "script");
    text *name = optional_text(fcinfo, 2);
    text *tool = optional_text(fcinfo, 3);
    check_length(name, "name", kMaxNameBytes);
    check_length(tool, "tool", kMaxToolBytes);

    if (const session::MigrationInfo *open = session::open_migration())
        raise(mg::errcode::kMigrationOpen,
              psprintf("migration \"%s\" is already open in this session", open->version),
              psprintf("It began as migration_id " INT64_FORMAT " and has not finished.",
                       open->migration_id),
              "Call migration_guard.finish_migration() or migration_guard.fail_migration(reason) "
              "before beginning the next migration.");

    char *script_hash = nullptr;
    if (script) {
        check_script_size(script);
        script_hash = hash_of(script);
    }
    record_lost_migrations(nullptr);

    session::MigrationInfo info{};
    info.version = text_to_cstring(version);
    info.name = cstring_or_null(name);
    info.tool = cstring_or_null(tool);
    info.script_hash = script_hash;
    info.started_at = GetCurrentTimestamp();

    SqlArg args[] = {text_arg(version),
                     text_arg(script),
                     text_arg(script_hash),
                     text_arg(name),
                     text_arg(tool),
                     text_arg(current_role_name()),
                     bool_arg(IsTransactionBlock()),
                     text_arg((const char *)nullptr)};
    bool isnull;
    info.migration_id = call_as_owner_int8(
        "SELECT migration_guard._begin_migration($1, $2, $3, $4, $5, $6, $7, $8)", 8, args,
        &isnull);
    session::set_open(info);
    PG_RETURN_INT64(info.migration_id);
}

[[noreturn]] static void raise_no_open_migration(const char *function);

static Datum end_open_migration(const char *status, const char *reason) {
    const session::MigrationInfo *open = session::open_migration();
    int64 id = open->migration_id;
    SqlArg args[] = {int8_arg(id), text_arg(status), text_arg(reason),
                     bool_arg(session::open_migration_in_current_transaction())};
    bool isnull;
    call_as_owner_int8("SELECT migration_guard._finish_migration($1, $2, $3, $4)", 4, args,
                       &isnull);
    if (!isnull) {
        session::close_open();
        PG_RETURN_INT64(id);
    }
    session::forget_open();
    raise(mg::errcode::kNoOpenMigration,
          psprintf("migration_id " INT64_FORMAT " is no longer running", id),
          "Another session marked it interrupted or resolved it while this session held it "
          "open.",
          "See migration_guard.history for its current status.");
}

static void raise_no_open_migration(const char *function) {
    const session::MigrationInfo *lost = session::next_lost();
    raise(mg::errcode::kNoOpenMigration, "no migration is open in this session",
          lost ? psprintf("Migration \"%s\" was begun, but its transaction rolled back.",
                          lost->version)
               : nullptr,
          lost ? "Record it with migration_guard.fail_migration(reason)."
               : psprintf("Call migration_guard.begin_migration(version, script) before %s().",
                          function));
}

PG_FUNCTION_INFO_V1(mg_finish_migration);
Datum mg_finish_migration(PG_FUNCTION_ARGS) {
    if (!session::open_migration())
        raise_no_open_migration("finish_migration");
    return end_open_migration("succeeded", nullptr);
}

PG_FUNCTION_INFO_V1(mg_fail_migration);
Datum mg_fail_migration(PG_FUNCTION_ARGS) {
    char *reason = PG_ARGISNULL(0) ? nullptr : text_to_cstring(PG_GETARG_TEXT_PP(0));
    if (session::open_migration()) {
        const char *error = session::last_error();
        return end_open_migration("failed", reason ? reason : error[0] ? error : nullptr);
    }
    if (session::next_lost())
        PG_RETURN_INT64(record_lost_migrations(reason));
    raise_no_open_migration("fail_migration");
}

PG_FUNCTION_INFO_V1(mg_repair_migration);
Datum mg_repair_migration(PG_FUNCTION_ARGS) {
    text *version = required_text(fcinfo, 0, "version");
    check_version(version);
    text *script = required_text(fcinfo, 1, "script");
    text *reason = required_text(fcinfo, 2, "reason");
    check_script_size(script);
    char *script_hash = hash_of(script);
    SqlArg args[] = {text_arg(version), text_arg(script), text_arg(script_hash), text_arg(reason),
                     text_arg(current_role_name())};
    bool isnull;
    int64 id = call_as_owner_int8("SELECT migration_guard._repair_migration($1, $2, $3, $4, $5)", 5,
                                  args, &isnull);
    PG_RETURN_INT64(id);
}

PG_FUNCTION_INFO_V1(mg_resolve_interrupted);
Datum mg_resolve_interrupted(PG_FUNCTION_ARGS) {
    if (PG_ARGISNULL(0))
        raise(mg::errcode::kInvalidArgument, "migration_id must not be NULL");
    int64 id = PG_GETARG_INT64(0);
    text *outcome = required_text(fcinfo, 1, "outcome");
    text *reason = required_text(fcinfo, 2, "reason");
    SqlArg args[] = {int8_arg(id), text_arg(outcome), text_arg(reason),
                     text_arg(current_role_name())};
    bool isnull;
    call_as_owner_int8("SELECT migration_guard._resolve_interrupted($1, $2, $3, $4)", 4, args,
                       &isnull);
    PG_RETURN_INT64(id);
}

} // extern "C"
