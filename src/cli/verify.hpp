// migration-guard verify: a directory of migration files against the database's ledger.
// Pure logic here (file names -> versions, reconciliation); the command reads the files and the
// ledger (verify_command.cpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace mg::cli {

// The version a migration file name declares, or nothing (the file is not a versioned
// migration):
//   Flyway versioned    V<version>__<description>.sql   version with "_" read as ".":
//                       V1__init.sql -> "1", V2_1__x.sql -> "2.1"  (R__ and U files: none)
//   numeric prefix      <digits>[.<digits>...][_|-|.<anything>].sql, and <digits>.sql:
//                       001_create.sql -> "001", 20240101120000-x.sql -> "20240101120000",
//                       graphile-migrate committed/000001.sql or 000001-name.sql -> "000001"
// Only the file name counts, never its directory.
std::optional<std::string> version_from_filename(const std::string &filename);

// Orders versions as numbers component by component ("2" < "10", "1.2" < "1.10"; leading
// zeros do not matter: "001" == "1"); <0, 0, >0.
int compare_versions(const std::string &a, const std::string &b);

struct DiskMigration {
    std::string version;
    std::string path;
    std::string script_hash;                  // sha256:..., as script_hash()
    std::optional<std::string> graphile_hash; // sha1:... when the file is a graphile-migrate
                                              // committed file
};

struct LedgerEntry { // one row of migration_guard.history, in migration_id order
    long long migration_id = 0;
    std::string version;
    std::string status; // running | succeeded | failed | interrupted | repaired
    std::optional<std::string> script_hash;
    std::optional<std::string> tool_checksum;
    std::string finished_at;
};

enum class VerifyStatus { Applied, Changed, Missing, Pending, OutOfOrder, Interrupted, Duplicate };
const char *status_name(VerifyStatus s); // applied, changed, missing, pending, out-of-order, ...
bool is_problem(VerifyStatus s, bool pending_is_problem);

struct VerifyRow {
    std::string version;
    VerifyStatus status;
    std::string path; // empty when missing on disk
    std::optional<std::string> file_hash;
    std::optional<std::string> ledger_hash;
    long long migration_id = 0; // of the ledger entry that counts (0: none)
    std::string note;
};

// One row per version found on disk or in the ledger, in version order.
std::vector<VerifyRow> reconcile(const std::vector<DiskMigration> &disk,
                                 const std::vector<LedgerEntry> &ledger);

} // namespace mg::cli
