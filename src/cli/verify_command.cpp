// migration-guard verify --dsn DSN DIR: the command line around reconcile().
#include "cli/command.hpp"
#include "cli/database.hpp"
#include "cli/source.hpp"
#include "cli/verify.hpp"
#include "core/error.hpp"
#include "core/graphile.hpp"
#include "core/script_hash.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>

namespace mg::cli {
namespace {

void print_verify_usage(std::FILE *out) {
    std::fprintf(
        out, "NAME\n"
             "    migration-guard verify - compare migration files with a database's ledger\n"
             "\n"
             "SYNOPSIS\n"
             "    migration-guard verify --dsn DSN [--format human|json] [--fail-on-pending]\n"
             "                           [--] DIR|FILE...\n"
             "\n"
             "DESCRIPTION\n"
             "    Reads every *.sql file below each DIR, takes its version from its file name,\n"
             "    hashes it as migration_guard.script_hash() does, and compares the lot with the\n"
             "    ledger of the database (migration_guard.history; the role needs\n"
             "    migration_guard.grant_reader()). Each version is reported as:\n"
             "      applied       applied, and the file has the hash the ledger recorded\n"
             "      changed       applied, but the file changed since (hash mismatch)\n"
             "      missing       applied, but no file has that version any more\n"
             "      pending       not applied yet, newer than every applied version\n"
             "      out-of-order  not applied, but a newer version is\n"
             "      interrupted   its migration was interrupted and awaits a decision\n"
             "      duplicate     several files declare the version\n"
             "    A version counts as applied when its newest succeeded (or repaired) entry says\n"
             "    so, exactly as begin_migration() decides. An applied entry recorded without a\n"
             "    script hash is compared through its tool checksum when the file is a\n"
             "    graphile-migrate committed file, and otherwise taken as applied.\n"
             "\n"
             "VERSIONS FROM FILE NAMES\n"
             "    Flyway          V<version>__<description>.sql (\"_\" in the version reads as\n"
             "                    \".\": V2_1__x.sql is 2.1); R__ and U files are not versioned\n"
             "    numeric prefix  001_create.sql, 20240101120000-add.sql, 0003.sql, 1.2_x.sql\n"
             "    graphile-migrate committed/000001.sql, 000002-name.sql\n"
             "    Versions are matched with the ledger exactly as written (\"001\" is not \"1\")\n"
             "    and ordered numerically, component by component. Other files are listed as\n"
             "    ignored and do not count.\n"
             "\n"
             "OPTIONS\n"
             "    --dsn DSN          libpq connection string or URI (PG* variables apply)\n"
             "    --format FORMAT    human (default) or json: {\"ok\": bool, \"migrations\": "
             "[{version,\n"
             "                       status, file, file_hash, ledger_hash, migration_id, note}],\n"
             "                       \"ignored_files\": [...]}\n"
             "    --fail-on-pending  count pending versions as a problem too (after a deploy)\n"
             "    -h, --help         show this help\n"
             "\n"
             "EXIT STATUS\n"
             "    0    every version is applied or pending\n"
             "    1    some version is changed, missing, out of order, interrupted or duplicate\n"
             "         (or pending, with --fail-on-pending)\n"
             "    2    usage error, unreadable file, database unreachable or without\n"
             "         migration_guard\n"
             "    3    internal error\n");
}

bool read_ledger(Database &db, std::vector<LedgerEntry> &ledger, std::string &error) {
    std::vector<Row> rows;
    if (!db.query("SELECT pg_catalog.to_regclass('migration_guard.history') IS NOT NULL", {}, rows,
                  error))
        return false;
    if (rows.empty() || rows[0][0] != "t") {
        error = "the database has no migration_guard ledger (CREATE EXTENSION migration_guard)";
        return false;
    }
    if (!db.query("SELECT migration_id, version, status, script_hash, tool_checksum, "
                  "coalesce(finished_at::text, '') FROM migration_guard.history "
                  "ORDER BY migration_id",
                  {}, rows, error)) {
        error = "cannot read migration_guard.history: " + error;
        return false;
    }
    for (const Row &r : rows)
        ledger.push_back(LedgerEntry{std::stoll(r[0].value_or("0")), r[1].value_or(""),
                                     r[2].value_or(""), r[3], r[4], r[5].value_or("")});
    return true;
}

} // namespace

int run_verify(const Args &args) {
    ArgReader reader(args);
    std::vector<std::string> inputs;
    std::string dsn, format = "human";
    bool have_dsn = false, fail_on_pending = false;
    std::string_view arg;
    while (reader.next_option(arg, inputs)) {
        if (arg == "-h" || arg == "--help") {
            print_verify_usage(stdout);
            return kExitOk;
        } else if (arg == "--dsn") {
            if (!reader.value(arg, dsn, "verify"))
                return kExitUsage;
            have_dsn = true;
        } else if (arg == "-f" || arg == "--format") {
            if (!reader.value(arg, format, "verify"))
                return kExitUsage;
            if (format != "human" && format != "json")
                return usage_error("verify: unknown format \"" + format + "\" (human or json)");
        } else if (arg == "--fail-on-pending") {
            fail_on_pending = true;
        } else {
            return usage_error("verify: unknown option \"" + std::string(arg) + "\"");
        }
    }
    if (!have_dsn)
        return usage_error("verify: --dsn DSN is required");
    if (inputs.empty())
        return usage_error("verify: no DIR given");

    std::vector<std::string> files, ignored;
    std::string error;
    if (!expand_inputs(inputs, files, error))
        return io_error("verify", error);
    std::vector<DiskMigration> disk;
    for (const std::string &path : files) {
        const std::optional<std::string> version = version_from_filename(path);
        if (!version) {
            ignored.push_back(path);
            continue;
        }
        std::string text;
        if (!read_source(path, text, error))
            return io_error("verify", error);
        DiskMigration d{*version, path, script_hash(text), std::nullopt};
        try {
            const GraphileFile g = parse_graphile_file(text);
            d.graphile_hash = graphile_hash(g.body, g.previous);
        } catch (const Error &) {
            // not a graphile-migrate committed file
        }
        disk.push_back(std::move(d));
    }

    std::unique_ptr<Database> db = Database::connect(dsn, error);
    if (!db)
        return io_error("verify", error);
    std::vector<LedgerEntry> ledger;
    if (!read_ledger(*db, ledger, error))
        return io_error("verify", error);
    const std::vector<VerifyRow> rows = reconcile(disk, ledger);

    bool ok = true;
    for (const VerifyRow &r : rows)
        ok = ok && !is_problem(r.status, fail_on_pending);

    if (format == "json") {
        nlohmann::json out = {{"ok", ok}, {"migrations", nlohmann::json::array()}};
        for (const VerifyRow &r : rows) {
            out["migrations"].push_back(
                {{"version", r.version},
                 {"status", status_name(r.status)},
                 {"file", r.path.empty() ? nlohmann::json() : nlohmann::json(r.path)},
                 {"file_hash", r.file_hash ? nlohmann::json(*r.file_hash) : nlohmann::json()},
                 {"ledger_hash", r.ledger_hash ? nlohmann::json(*r.ledger_hash) : nlohmann::json()},
                 {"migration_id",
                  r.migration_id ? nlohmann::json(r.migration_id) : nlohmann::json()},
                 {"note", r.note}});
        }
        out["ignored_files"] = ignored;
        std::printf("%s\n",
                    out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    } else {
        size_t width = 7;
        for (const VerifyRow &r : rows)
            width = std::max(width, r.version.size());
        std::printf("%-*s  %-12s  %s\n", static_cast<int>(width), "VERSION", "STATUS", "FILE");
        for (const VerifyRow &r : rows) {
            std::printf("%-*s  %-12s  %s", static_cast<int>(width), r.version.c_str(),
                        status_name(r.status), r.path.empty() ? "-" : r.path.c_str());
            if (!r.note.empty())
                std::printf("  (%s)", r.note.c_str());
            if (r.status == VerifyStatus::Changed && r.file_hash && r.ledger_hash)
                std::printf("\n%*s  file %s, ledger %s", static_cast<int>(width + 14), "",
                            r.file_hash->c_str(), r.ledger_hash->c_str());
            std::printf("\n");
        }
        for (const std::string &path : ignored)
            std::printf("ignored: %s (no version in the file name)\n", path.c_str());
        std::printf("%s\n", ok ? "all is well" : "the directory and the ledger are out of step");
    }
    if (!flush_output("verify"))
        return kExitUsage;
    return ok ? kExitOk : kExitFindings;
}

} // namespace mg::cli
