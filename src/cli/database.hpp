// A connection to a database (libpq), for lint --dsn and verify. No libpq type in this header.
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
    explicit Database(void *conn) : conn_(conn) {}
    void *conn_; // PGconn
    std::string error_;
};

} // namespace mg::cli
