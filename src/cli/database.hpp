// A connection to a database (libpq), for lint --dsn and verify. No libpq type in this header;
// libpq itself is loaded at the first connection, so that commands without one start faster.
#pragma once

#include "core/rules.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mg::cli {

using Row = std::vector<std::optional<std::string>>; // NULL -> nullopt

class Database {
  public:
    // Connects; nullptr with `error` set ("cannot connect: ...").
    static std::unique_ptr<Database> connect(const std::string &dsn, std::string &error);
    ~Database();
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    // Runs a query with text parameters; false with `error` set.
    bool query(const std::string &sql, const std::vector<std::string> &params,
               std::vector<Row> &rows, std::string &error);

    // The rule actions in force in the database (migration_guard.rules), as lint() applies
    // them; none when the extension is not installed there.
    bool rule_settings(std::vector<RuleSetting> &out, std::string &error);

    // What the catalog says about the relations and columns the statements touch, gathered as
    // the extension's judge does for lint(). On failure returns offline facts and keeps the
    // message in error().
    Facts facts(const std::vector<DdlStatement> &statements);
    const std::string &error() const { return error_; }

  private:
    Database(void *conn, const void *libpq) : conn_(conn), libpq_(libpq) {}
    void *conn_;        // PGconn
    const void *libpq_; // libpq's functions (loaded at the first connection)
    std::string error_;
};

} // namespace mg::cli
