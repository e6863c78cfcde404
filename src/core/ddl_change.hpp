// What a DDL statement does, described without PostgreSQL types: the parse-tree adapter
// (src/pgparse) produces it from a PostgreSQL parse tree, in the server and in the CLI alike;
// the rules (core/rules.hpp) judge it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mg {

struct QualifiedName {
    std::string schema; // empty when the statement did not qualify the name
    std::string name;
    std::string display() const { return schema.empty() ? name : schema + "." + name; }
};

// A type as the statement wrote it, e.g. varchar(255) -> names {"pg_catalog", "varchar"},
// typmods {255}. Only integer typmods are kept; `display` is for messages.
struct TypeRef {
    std::vector<std::string> names;
    std::vector<int> typmods;
    bool array = false;
    std::string display;
};

enum class ChangeKind {
    // removals
    DropTable,
    DropView,
    DropMaterializedView,
    DropSchema,
    DropFunction,
    DropType,
    DropColumn,
    DropIndex,
    DropSequence,
    // renames
    RenameTable,
    RenameColumn,
    RenameSchema,
    RenameView,
    RenameFunction,
    RenameType,
    RenameEnumValue,
    // columns
    AddColumn,
    AlterColumnType,
    SetNotNull,
    DropNotNull,
    DropDefault,
    // constraints
    AddConstraint,
    ValidateConstraint,
    // privileges
    Revoke,
    // data and locks
    Truncate,
    CreateIndex,
    Reindex,
    VacuumFull,
    Cluster,
    // context the rules need
    CreateTable,
    SetLockTimeout,
    TransactionBegin,
    TransactionEnd,
    Other,
};

struct DdlChange {
    ChangeKind kind = ChangeKind::Other;
    QualifiedName object;      // the table, view, schema, function, type or index acted on
                               // (CreateIndex: the table; DropIndex: the index; VacuumFull and
                               // Cluster without a table, Reindex of a schema: name may be empty)
    std::string column;        // column changes; RenameEnumValue: the old value; AddConstraint:
                               // the one column it covers (empty when several or unknown)
    std::string new_name;      // renames (SET SCHEMA: "schema.name"); RenameEnumValue: the new
                               // value; CreateIndex: the index's name (empty when unnamed)
    TypeRef type;              // AddColumn: the column's type; AlterColumnType: the new type
    bool concurrently = false; // CREATE/DROP INDEX, REINDEX
    bool not_null = false;     // AddColumn declared NOT NULL (or PRIMARY KEY)
    bool has_default = false;  // AddColumn has a DEFAULT
    std::vector<std::string> default_functions; // functions the default calls (lower case)
    // A default function known volatile by name; also serial, identity and stored generated
    // columns, which PostgreSQL fills row by row just the same.
    bool default_is_volatile = false;
    // AddConstraint: check | foreign_key | unique | primary_key | exclude (| not_null for ALTER
    // DOMAIN ... SET NOT NULL); CreateIndex: unique
    // for CREATE UNIQUE INDEX
    std::string constraint_type;
    bool not_valid = false;   // AddConstraint ... NOT VALID
    bool using_index = false; // AddConstraint ... USING INDEX
    bool missing_ok = false;  // IF EXISTS; AddColumn and CreateTable: IF NOT EXISTS
    bool cascade = false;     // DROP ... CASCADE
    // Added with the rule engine (issue #3):
    std::string constraint_name;   // AddConstraint (empty when unnamed), ValidateConstraint
    QualifiedName referenced;      // AddConstraint foreign_key: the referenced table
    bool using_expression = false; // AlterColumnType ... USING <expression>
    std::string setting_value;     // SetLockTimeout: the value as written ("5s", "5000"); empty
                                   // for RESET, RESET ALL and SET ... TO DEFAULT
    bool local = false;            // SetLockTimeout: SET LOCAL
    // DropColumn, RenameColumn: what holds the column when it is not a table: "view",
    // "materialized view", "foreign table", or "type" (an attribute of a composite type).
    // AddConstraint, DropNotNull, DropDefault: "domain" for ALTER DOMAIN (object: the domain).
    // Revoke: what the object is ("table", "sequence", "function", "schema"...).
    // RenameTable: "sequence" for ALTER SEQUENCE ... RENAME / SET SCHEMA.
    std::string container;
};

// Whether a change's `object` is a relation whose catalog facts (existence, column types) the
// rules may ask about: what lint() and `migration-guard lint --dsn` look up.
inline bool names_a_relation(ChangeKind kind) {
    switch (kind) {
    case ChangeKind::DropTable:
    case ChangeKind::DropView:
    case ChangeKind::DropMaterializedView:
    case ChangeKind::DropColumn:
    case ChangeKind::DropSequence:
    case ChangeKind::RenameTable:
    case ChangeKind::RenameColumn:
    case ChangeKind::RenameView:
    case ChangeKind::AddColumn:
    case ChangeKind::AlterColumnType:
    case ChangeKind::SetNotNull:
    case ChangeKind::DropNotNull:
    case ChangeKind::DropDefault:
    case ChangeKind::AddConstraint:
    case ChangeKind::ValidateConstraint:
    case ChangeKind::Truncate:
    case ChangeKind::Revoke:
    case ChangeKind::CreateIndex:
    case ChangeKind::Reindex:
    case ChangeKind::VacuumFull:
    case ChangeKind::Cluster:
        return true;
    default:
        return false;
    }
}

// One statement: where it is in the source and every change it makes.
struct DdlStatement {
    int location = -1;   // byte offset in the source, -1 when unknown
    int length = 0;      // bytes, 0 = to the end
    std::string command; // e.g. "ALTER TABLE", "CREATE INDEX" (for messages)
    std::vector<DdlChange> changes;
    bool access_exclusive = false;            // takes ACCESS EXCLUSIVE on an existing relation
    std::vector<QualifiedName> locked_tables; // relations it locks that way
};

} // namespace mg
