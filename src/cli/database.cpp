#include "cli/database.hpp"

#include <libpq-fe.h>

#include <string>

namespace mg::cli {
namespace {

PGconn *pg(void *conn) {
    return static_cast<PGconn *>(conn);
}

std::string trim_newline(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

// A text[] literal of the values.
std::string array_literal(const std::vector<std::string> &values) {
    std::string out = "{";
    for (size_t i = 0; i < values.size(); ++i) {
        out += i ? ",\"" : "\"";
        for (char c : values[i]) {
            if (c == '"' || c == '\\')
                out += '\\';
            out += c;
        }
        out += '"';
    }
    return out + "}";
}

// The relation a (schema, name) pair names, resolved like RangeVarGetRelid: through the
// session's search_path when unqualified. NULL for an empty name.
constexpr char kRelation[] =
    "CASE WHEN r.name = '' THEN NULL WHEN r.schema = '' THEN pg_catalog.to_regclass("
    "pg_catalog.quote_ident(r.name)) ELSE pg_catalog.to_regclass(pg_catalog.quote_ident("
    "r.schema) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident("
    "r.name)) END";

} // namespace

std::unique_ptr<Database> Database::connect(const std::string &dsn, std::string &error) {
    PGconn *conn = PQconnectdb(dsn.c_str());
    if (conn == nullptr) {
        error = "cannot connect: out of memory";
        return nullptr;
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        error = "cannot connect: " + trim_newline(PQerrorMessage(conn));
        PQfinish(conn);
        return nullptr;
    }
    return std::unique_ptr<Database>(new Database(conn));
}

Database::~Database() {
    PQfinish(pg(conn_));
}

bool Database::query(const std::string &sql, const std::vector<std::string> &params,
                     std::vector<Row> &rows, std::string &error) {
    std::vector<const char *> values;
    for (const std::string &p : params)
        values.push_back(p.c_str());
    PGresult *res = PQexecParams(pg(conn_), sql.c_str(), static_cast<int>(values.size()), nullptr,
                                 values.data(), nullptr, nullptr, 0);
    if (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK) {
        error = trim_newline(PQresultErrorMessage(res));
        if (error.empty())
            error = trim_newline(PQerrorMessage(pg(conn_)));
        PQclear(res);
        return false;
    }
    rows.clear();
    const int n = PQntuples(res), m = PQnfields(res);
    for (int i = 0; i < n; ++i) {
        Row row;
        for (int j = 0; j < m; ++j)
            row.push_back(PQgetisnull(res, i, j)
                              ? std::nullopt
                              : std::optional<std::string>(PQgetvalue(res, i, j)));
        rows.push_back(std::move(row));
    }
    PQclear(res);
    return true;
}

bool Database::rule_settings(std::vector<RuleSetting> &out, std::string &error) {
    std::vector<Row> rows;
    if (!query("SELECT pg_catalog.to_regclass('migration_guard.rules') IS NOT NULL", {}, rows,
               error))
        return false;
    if (rows.empty() || rows[0][0] != "t")
        return true; // the extension is not installed: every rule has its default action
    if (!query("SELECT rule, action FROM migration_guard.rules", {}, rows, error)) {
        error = "cannot read migration_guard.rules (the rule actions lint() applies): " + error +
                " (migration_guard.grant_reader(role) grants it)";
        return false;
    }
    for (const Row &row : rows) {
        if (!row[0] || !row[1] || find_rule(*row[0]) == nullptr)
            continue; // a rule this CLI does not know yet
        const Action action = *row[1] == "block"  ? Action::Block
                              : *row[1] == "warn" ? Action::Warn
                                                  : Action::Off;
        out.push_back(RuleSetting{*row[0], action});
    }
    return true;
}

Facts Database::facts(const std::vector<DdlStatement> &statements) {
    // Step 1, as the extension's judge: which relations and columns the statements touch.
    std::vector<std::string> schemas, names, col_schemas, col_names, columns;
    auto add = [&](const QualifiedName &n, const std::string &column) {
        size_t i = 0;
        while (i < names.size() && !(schemas[i] == n.schema && names[i] == n.name))
            ++i;
        if (i == names.size()) {
            schemas.push_back(n.schema);
            names.push_back(n.name);
        }
        if (column.empty())
            return;
        for (size_t c = 0; c < columns.size(); ++c)
            if (col_schemas[c] == n.schema && col_names[c] == n.name && columns[c] == column)
                return;
        col_schemas.push_back(n.schema);
        col_names.push_back(n.name);
        columns.push_back(column);
    };
    for (const DdlStatement &s : statements) {
        for (const DdlChange &c : s.changes)
            if (names_a_relation(c.kind))
                add(c.object, c.column);
        for (const QualifiedName &t : s.locked_tables)
            add(t, "");
    }

    // Step 2: what the catalog says about them.
    Facts facts;
    std::vector<Row> rows;
    std::string error;
    if (!query("SELECT pg_catalog.current_setting('lock_timeout') <> '0'", {}, rows, error)) {
        error_ = "cannot read lock_timeout: " + error;
        return Facts{};
    }
    facts.lock_timeout_set = !rows.empty() && rows[0][0] == "t";
    if (!names.empty()) {
        if (!query(std::string("SELECT r.i, ") + kRelation +
                       " IS NOT NULL FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]), "
                       "pg_catalog.unnest($2::pg_catalog.text[])) WITH ORDINALITY AS "
                       "r(schema, name, i) ORDER BY r.i",
                   {array_literal(schemas), array_literal(names)}, rows, error)) {
            error_ = "cannot read the catalog: " + error;
            return Facts{};
        }
        for (size_t i = 0; i < names.size() && i < rows.size(); ++i) {
            TableFacts t;
            t.name = QualifiedName{schemas[i], names[i]};
            t.exists = rows[i][1] == "t";
            facts.tables.push_back(std::move(t));
        }
    }
    if (!columns.empty()) {
        if (!query(std::string("SELECT r.i, t.typname, a.atttypmod, a.attnotnull "
                               "FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.text[]), "
                               "pg_catalog.unnest($2::pg_catalog.text[]), "
                               "pg_catalog.unnest($3::pg_catalog.text[])) WITH ORDINALITY "
                               "AS r(schema, name, col, i) JOIN pg_catalog.pg_attribute a ON "
                               "a.attrelid = ") +
                       kRelation +
                       " AND a.attname = r.col AND NOT a.attisdropped "
                       "JOIN pg_catalog.pg_type t ON t.oid = a.atttypid ORDER BY r.i",
                   {array_literal(col_schemas), array_literal(col_names), array_literal(columns)},
                   rows, error)) {
            error_ = "cannot read the catalog: " + error;
            return Facts{};
        }
        for (const Row &row : rows) {
            const size_t c = std::stoul(*row[0]) - 1;
            for (TableFacts &t : facts.tables)
                if (t.name.schema == col_schemas[c] && t.name.name == col_names[c])
                    t.columns.push_back(
                        {columns[c],
                         ColumnFacts{row[1].value_or(""), std::stoi(*row[2]), row[3] == "t"}});
        }
    }
    facts.known = true;
    return facts;
}

} // namespace mg::cli
