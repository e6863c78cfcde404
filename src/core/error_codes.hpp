// migration_guard's own SQLSTATEs. Every one obeys seed 003's rules (a unit test checks it);
// docs/errors.md gives each its condition name and meaning.
#pragma once

namespace mg::errcode {

inline constexpr const char kInvalidArgument[] = "MGARG";  // invalid_migration_argument
inline constexpr const char kScriptChanged[] = "MGCHS";    // migration_script_changed
inline constexpr const char kAlreadyApplied[] = "MGAAP";   // migration_already_applied
inline constexpr const char kNoOpenMigration[] = "MGNOP";  // no_open_migration
inline constexpr const char kMigrationOpen[] = "MGOPN";    // migration_already_open
inline constexpr const char kInterrupted[] = "MGINT";      // interrupted_migration_pending
inline constexpr const char kUnknownVersion[] = "MGUNK";   // unknown_migration_version
inline constexpr const char kScriptTooLarge[] = "MGBIG";   // migration_script_too_large
inline constexpr const char kLockNotAvailable[] = "MGLCK"; // migration_lock_not_available
inline constexpr const char kInvalidSqlstate[] = "MGSQS";  // invalid_custom_sqlstate
inline constexpr const char kUntrustedSchema[] = "MGSCH";  // untrusted_schema
inline constexpr const char kIncompatibleDdl[] = "MGBLK";  // incompatible_ddl_blocked
inline constexpr const char kInternal[] = "MGIER";         // migration_guard_internal_error
inline constexpr const char kRunnerRequired[] = "MGRUN";   // migration_runner_required

inline constexpr const char *const kAll[] = {
    kInvalidArgument, kScriptChanged,   kAlreadyApplied, kNoOpenMigration,  kMigrationOpen,
    kInterrupted,     kUnknownVersion,  kScriptTooLarge, kLockNotAvailable, kInvalidSqlstate,
    kUntrustedSchema, kIncompatibleDdl, kInternal,       kRunnerRequired,
};

} // namespace mg::errcode
