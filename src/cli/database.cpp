#include "cli/database.hpp"

#include <libpq-fe.h>

#include <dlfcn.h>

#include <string>
#include <type_traits>

namespace mg::cli {
namespace {

// libpq is loaded when a command first needs a database (lint --dsn, verify), not when the
// program starts: with it come some twenty libraries (TLS, Kerberos, LDAP), whose loading and
// relocation took most of the start-up of a plain `lint`. libpq's soname has been libpq.so.5
// since PostgreSQL 8.0; the types and signatures are the ones libpq-fe.h declares.
struct Libpq {
    decltype(&PQconnectdb) connectdb;
    decltype(&PQstatus) status;
    decltype(&PQerrorMessage) errorMessage;
    decltype(&PQfinish) finish;
    decltype(&PQexecParams) execParams;
    decltype(&PQresultStatus) resultStatus;
    decltype(&PQresultErrorMessage) resultErrorMessage;
    decltype(&PQclear) clear;
    decltype(&PQntuples) ntuples;
    decltype(&PQnfields) nfields;
    decltype(&PQgetisnull) getisnull;
    decltype(&PQgetvalue) getvalue;
};

// libpq's functions, or nullptr with `error` set when it cannot be loaded.
const Libpq *libpq(std::string &error) {
    static std::string load_error;
    static const Libpq *const loaded = []() -> const Libpq * {
        constexpr char kSoname[] = "libpq.so.5";
        void *handle = dlopen(kSoname, RTLD_NOW | RTLD_LOCAL);
        if (handle == nullptr) {
            const char *why = dlerror();
            load_error = std::string("cannot load ") + kSoname + " (" + (why ? why : "?") +
                         "): install PostgreSQL's client library (Debian: libpq5)";
            return nullptr;
        }
        static Libpq functions;
        bool complete = true;
        auto bind = [&](auto &function, const char *name) {
            function =
                reinterpret_cast<std::remove_reference_t<decltype(function)>>(dlsym(handle, name));
            if (function == nullptr && complete) {
                complete = false;
                load_error = std::string(kSoname) + " has no " + name;
            }
        };
        bind(functions.connectdb, "PQconnectdb");
        bind(functions.status, "PQstatus");
        bind(functions.errorMessage, "PQerrorMessage");
        bind(functions.finish, "PQfinish");
        bind(functions.execParams, "PQexecParams");
        bind(functions.resultStatus, "PQresultStatus");
        bind(functions.resultErrorMessage, "PQresultErrorMessage");
        bind(functions.clear, "PQclear");
        bind(functions.ntuples, "PQntuples");
        bind(functions.nfields, "PQnfields");
        bind(functions.getisnull, "PQgetisnull");
        bind(functions.getvalue, "PQgetvalue");
        return complete ? &functions : nullptr; // the handle stays open for the program's life
    }();
    if (loaded == nullptr)
        error = load_error;
    return loaded;
}

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
    const Libpq *pq = libpq(error);
    if (pq == nullptr) {
        error = "cannot connect: " + error;
        return nullptr;
    }
    PGconn *conn = pq->connectdb(dsn.c_str());
    if (conn == nullptr) {
        error = "cannot connect: out of memory";
        return nullptr;
    }
    if (pq->status(conn) != CONNECTION_OK) {
        error = "cannot connect: " + trim_newline(pq->errorMessage(conn));
        pq->finish(conn);
        return nullptr;
    }
    return std::unique_ptr<Database>(new Database(conn, pq));
}

Database::~Database() {
    static_cast<const Libpq *>(libpq_)->finish(pg(conn_));
}

bool Database::query(const std::string &sql, const std::vector<std::string> &params,
                     std::vector<Row> &rows, std::string &error) {
    const Libpq &pq = *static_cast<const Libpq *>(libpq_);
    std::vector<const char *> values;
    for (const std::string &p : params)
        values.push_back(p.c_str());
    PGresult *res = pq.execParams(pg(conn_), sql.c_str(), static_cast<int>(values.size()), nullptr,
                                  values.data(), nullptr, nullptr, 0);
    if (pq.resultStatus(res) != PGRES_TUPLES_OK && pq.resultStatus(res) != PGRES_COMMAND_OK) {
        error = trim_newline(pq.resultErrorMessage(res));
        if (error.empty())
            error = trim_newline(pq.errorMessage(pg(conn_)));
        pq.clear(res);
        return false;
    }
    rows.clear();
    const int n = pq.ntuples(res), m = pq.nfields(res);
    for (int i = 0; i < n; ++i) {
        Row row;
        for (int j = 0; j < m; ++j)
            row.push_back(pq.getisnull(res, i, j)
                              ? std::nullopt
                              : std::optional<std::string>(pq.getvalue(res, i, j)));
        rows.push_back(std::move(row));
    }
    pq.clear(res);
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
