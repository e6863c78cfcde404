// The parse-tree adapter: PostgreSQL 15 raw parse trees described as core DdlStatements.
//
// Reads nodes only through header-only macros and inline functions (IsA, castNode, foreach,
// lfirst, strVal, list_length...) and calls no PostgreSQL function, so the same object code
// works inside the server and against libpg_query in the CLI. Lock levels follow PostgreSQL 15's
// AlterTableGetLockLevel() and the "Explicit Locking" chapter; when unsure: ACCESS EXCLUSIVE.
#include "pgparse/describe.hpp"

#include "core/rules.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

extern "C" {
#include "postgres.h"

#include "catalog/pg_class.h"
#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"
#include "nodes/primnodes.h"
#include "nodes/value.h"
}

namespace mg::pgparse {
namespace {

// Deep enough for any real expression; a pathological one is cut off rather than recursed into.
constexpr int kMaxExpressionDepth = 200;

std::string text(const char *s) {
    return s ? std::string(s) : std::string();
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

QualifiedName name_of(const RangeVar *rv) {
    QualifiedName n;
    if (rv) {
        n.schema = text(rv->schemaname);
        n.name = text(rv->relname);
    }
    return n;
}

// The name a CREATE gives its new relation: a temporary one lives in pg_temp, whatever the
// statement wrote, so that it is never mistaken for a permanent relation of the same name.
QualifiedName created_name(const RangeVar *rv) {
    QualifiedName n = name_of(rv);
    if (rv && rv->relpersistence == RELPERSISTENCE_TEMP)
        n.schema = "pg_temp";
    return n;
}

// A qualified name written as a list of String nodes: [catalog.][schema.]name.
QualifiedName name_of(const List *names) {
    QualifiedName n;
    const int len = list_length(names);
    if (len >= 1 && IsA(llast(names), String))
        n.name = strVal(llast(names));
    if (len >= 2 && IsA(list_nth(names, len - 2), String))
        n.schema = strVal(list_nth(names, len - 2));
    return n;
}

// One element of a DROP's object list, whatever form the object type uses.
QualifiedName name_of_object(const Node *object) {
    if (!object)
        return {};
    if (IsA(object, List))
        return name_of(castNode(List, object));
    if (IsA(object, String))
        return QualifiedName{"", strVal(object)};
    if (IsA(object, ObjectWithArgs))
        return name_of(castNode(ObjectWithArgs, object)->objname);
    if (IsA(object, TypeName))
        return name_of(castNode(TypeName, object)->names);
    return {};
}

// The integer written in an A_Const, if it is one.
bool integer_const(const Node *node, int &out) {
    if (!node || !IsA(node, A_Const))
        return false;
    const A_Const *c = castNode(A_Const, node);
    if (c->isnull || !IsA(&c->val, Integer))
        return false;
    out = c->val.ival.ival;
    return true;
}

// The SQL spelling of the grammar's internal names for built-in types (bigint is parsed as
// pg_catalog.int8), for messages; other names are shown as written.
std::string sql_type_name(const std::vector<std::string> &names) {
    if (names.empty())
        return "";
    if (names.size() == 2 && names[0] == "pg_catalog") {
        static const std::pair<const char *, const char *> spelled[] = {
            {"int2", "smallint"},
            {"int4", "integer"},
            {"int8", "bigint"},
            {"float4", "real"},
            {"float8", "double precision"},
            {"bool", "boolean"},
            {"bpchar", "char"},
        };
        for (const auto &s : spelled)
            if (names[1] == s.first)
                return s.second;
    }
    return names.back();
}

TypeRef type_ref(const TypeName *tn) {
    TypeRef t;
    if (!tn)
        return t;
    ListCell *lc;
    foreach (lc, tn->names) {
        if (IsA(lfirst(lc), String))
            t.names.push_back(strVal(lfirst(lc)));
    }
    foreach (lc, tn->typmods) {
        int v;
        if (integer_const(static_cast<Node *>(lfirst(lc)), v))
            t.typmods.push_back(v);
    }
    t.array = tn->arrayBounds != NIL;
    t.display = sql_type_name(t.names);
    if (!t.typmods.empty()) {
        t.display += "(";
        for (size_t i = 0; i < t.typmods.size(); ++i)
            t.display += (i ? "," : "") + std::to_string(t.typmods[i]);
        t.display += ")";
    }
    for (int i = 0; i < list_length(tn->arrayBounds); ++i)
        t.display += "[]";
    return t;
}

bool is_serial_type(const TypeRef &t) {
    if (t.names.size() != 1 && !(t.names.size() == 2 && t.names[0] == "pg_catalog"))
        return false;
    const std::string &n = t.names.back();
    return !t.array && (n == "serial" || n == "bigserial" || n == "smallserial" || n == "serial2" ||
                        n == "serial4" || n == "serial8");
}

// What a raw expression refers to: the functions it calls (last name part, lower case) and the
// columns it names (last field of each ColumnRef).
struct ExpressionRefs {
    std::vector<std::string> functions;
    std::vector<std::string> columns;
};

void add_unique(std::vector<std::string> &v, std::string s) {
    if (std::find(v.begin(), v.end(), s) == v.end())
        v.push_back(std::move(s));
}

void collect_refs(const Node *node, ExpressionRefs &refs, int depth = 0);

void collect_refs_list(const List *list, ExpressionRefs &refs, int depth) {
    ListCell *lc;
    foreach (lc, list)
        collect_refs(static_cast<const Node *>(lfirst(lc)), refs, depth + 1);
}

void collect_refs(const Node *node, ExpressionRefs &refs, int depth) {
    if (!node || depth > kMaxExpressionDepth)
        return;
    switch (nodeTag(node)) {
    case T_List:
        collect_refs_list(castNode(List, node), refs, depth);
        break;
    case T_FuncCall: {
        const FuncCall *f = castNode(FuncCall, node);
        if (list_length(f->funcname) > 0 && IsA(llast(f->funcname), String))
            add_unique(refs.functions, lower(strVal(llast(f->funcname))));
        collect_refs_list(f->args, refs, depth);
        collect_refs(f->agg_filter, refs, depth + 1);
        break;
    }
    case T_ColumnRef: {
        const ColumnRef *c = castNode(ColumnRef, node);
        if (list_length(c->fields) > 0 && IsA(llast(c->fields), String))
            add_unique(refs.columns, strVal(llast(c->fields)));
        break;
    }
    case T_A_Expr: {
        const A_Expr *e = castNode(A_Expr, node);
        collect_refs(e->lexpr, refs, depth + 1);
        collect_refs(e->rexpr, refs, depth + 1);
        break;
    }
    case T_BoolExpr:
        collect_refs_list(castNode(BoolExpr, node)->args, refs, depth);
        break;
    case T_TypeCast:
        collect_refs(castNode(TypeCast, node)->arg, refs, depth + 1);
        break;
    case T_CollateClause:
        collect_refs(castNode(CollateClause, node)->arg, refs, depth + 1);
        break;
    case T_NamedArgExpr:
        collect_refs(reinterpret_cast<const Node *>(castNode(NamedArgExpr, node)->arg), refs,
                     depth + 1);
        break;
    case T_CoalesceExpr:
        collect_refs_list(castNode(CoalesceExpr, node)->args, refs, depth);
        break;
    case T_MinMaxExpr:
        collect_refs_list(castNode(MinMaxExpr, node)->args, refs, depth);
        break;
    case T_CaseExpr: {
        const CaseExpr *c = castNode(CaseExpr, node);
        collect_refs(reinterpret_cast<const Node *>(c->arg), refs, depth + 1);
        collect_refs_list(c->args, refs, depth);
        collect_refs(reinterpret_cast<const Node *>(c->defresult), refs, depth + 1);
        break;
    }
    case T_CaseWhen: {
        const CaseWhen *w = castNode(CaseWhen, node);
        collect_refs(reinterpret_cast<const Node *>(w->expr), refs, depth + 1);
        collect_refs(reinterpret_cast<const Node *>(w->result), refs, depth + 1);
        break;
    }
    case T_NullTest:
        collect_refs(reinterpret_cast<const Node *>(castNode(NullTest, node)->arg), refs,
                     depth + 1);
        break;
    case T_BooleanTest:
        collect_refs(reinterpret_cast<const Node *>(castNode(BooleanTest, node)->arg), refs,
                     depth + 1);
        break;
    case T_A_ArrayExpr:
        collect_refs_list(castNode(A_ArrayExpr, node)->elements, refs, depth);
        break;
    case T_RowExpr:
        collect_refs_list(castNode(RowExpr, node)->args, refs, depth);
        break;
    case T_A_Indirection:
        collect_refs(castNode(A_Indirection, node)->arg, refs, depth + 1);
        break;
    default:
        break; // constants, parameters, SQL value functions (CURRENT_TIMESTAMP...): nothing
    }
}

// A DefElem option that is on: no argument, or a true-ish Boolean / Integer / String.
bool option_on(const DefElem *d) {
    const Node *arg = d->arg;
    if (!arg)
        return true;
    if (IsA(arg, Boolean))
        return boolVal(arg);
    if (IsA(arg, Integer))
        return intVal(arg) != 0;
    if (IsA(arg, String)) {
        const std::string v = lower(strVal(arg));
        return v == "true" || v == "on" || v == "yes" || v == "1";
    }
    return true;
}

bool has_option(const List *options, const char *name) {
    ListCell *lc;
    foreach (lc, options) {
        const Node *n = static_cast<const Node *>(lfirst(lc));
        if (IsA(n, DefElem)) {
            const DefElem *d = castNode(DefElem, n);
            if (d->defname && lower(d->defname) == name)
                return option_on(d);
        }
    }
    return false;
}

// ----- statement builders --------------------------------------------------------------------

struct Builder {
    DdlStatement st;

    DdlChange &add(ChangeKind kind, QualifiedName object) {
        st.changes.emplace_back();
        DdlChange &c = st.changes.back();
        c.kind = kind;
        c.object = std::move(object);
        return c;
    }
    void lock(const QualifiedName &relation) {
        st.access_exclusive = true;
        for (const QualifiedName &t : st.locked_tables)
            if (t.schema == relation.schema && t.name == relation.name)
                return;
        st.locked_tables.push_back(relation);
    }
};

const char *object_word(ObjectType type) {
    switch (type) {
    case OBJECT_TABLE:
        return "TABLE";
    case OBJECT_VIEW:
        return "VIEW";
    case OBJECT_MATVIEW:
        return "MATERIALIZED VIEW";
    case OBJECT_INDEX:
        return "INDEX";
    case OBJECT_SEQUENCE:
        return "SEQUENCE";
    case OBJECT_FOREIGN_TABLE:
        return "FOREIGN TABLE";
    case OBJECT_SCHEMA:
        return "SCHEMA";
    case OBJECT_FUNCTION:
        return "FUNCTION";
    case OBJECT_PROCEDURE:
        return "PROCEDURE";
    case OBJECT_ROUTINE:
        return "ROUTINE";
    case OBJECT_AGGREGATE:
        return "AGGREGATE";
    case OBJECT_TYPE:
        return "TYPE";
    case OBJECT_DOMAIN:
        return "DOMAIN";
    case OBJECT_COLUMN:
        return "COLUMN";
    case OBJECT_ATTRIBUTE: // ALTER TYPE ... RENAME ATTRIBUTE
        return "TYPE";
    default:
        return "";
    }
}

bool is_relation(ObjectType type) {
    return type == OBJECT_TABLE || type == OBJECT_VIEW || type == OBJECT_MATVIEW ||
           type == OBJECT_INDEX || type == OBJECT_SEQUENCE || type == OBJECT_FOREIGN_TABLE;
}

bool is_function(ObjectType type) {
    return type == OBJECT_FUNCTION || type == OBJECT_PROCEDURE || type == OBJECT_ROUTINE ||
           type == OBJECT_AGGREGATE;
}

// What old code sees when an object of `type` is dropped.
ChangeKind drop_kind(ObjectType type) {
    switch (type) {
    case OBJECT_TABLE:
    case OBJECT_FOREIGN_TABLE:
        return ChangeKind::DropTable;
    case OBJECT_VIEW:
        return ChangeKind::DropView;
    case OBJECT_MATVIEW:
        return ChangeKind::DropMaterializedView;
    case OBJECT_SCHEMA:
        return ChangeKind::DropSchema;
    case OBJECT_TYPE:
    case OBJECT_DOMAIN:
        return ChangeKind::DropType;
    case OBJECT_INDEX:
        return ChangeKind::DropIndex;
    case OBJECT_SEQUENCE:
        return ChangeKind::DropSequence;
    default:
        return is_function(type) ? ChangeKind::DropFunction : ChangeKind::Other;
    }
}

void describe_drop(const DropStmt *s, Builder &b) {
    b.st.command = std::string("DROP ") + object_word(s->removeType);
    const ChangeKind kind = drop_kind(s->removeType);
    if (kind == ChangeKind::Other) {
        if (b.st.command == "DROP ")
            b.st.command.clear();
        return;
    }
    // DROP INDEX takes ACCESS EXCLUSIVE on the index's table too (SHARE UPDATE EXCLUSIVE when
    // CONCURRENTLY); the table is not named, so the index stands for it.
    const bool locks =
        is_relation(s->removeType) && !(kind == ChangeKind::DropIndex && s->concurrent);
    ListCell *lc;
    foreach (lc, s->objects) {
        DdlChange &c = b.add(kind, name_of_object(static_cast<const Node *>(lfirst(lc))));
        c.missing_ok = s->missing_ok;
        c.cascade = s->behavior == DROP_CASCADE;
        c.concurrently = s->concurrent;
        if (locks)
            b.lock(c.object);
    }
}

// "ALTER TABLE", "ALTER FUNCTION"...: the command that renames or moves an object of `type`.
std::string alter_command_for(ObjectType type) {
    const std::string word = object_word(type);
    return word.empty() ? "ALTER" : "ALTER " + word;
}

// What old code sees when an object of `type` gets a new name or schema.
ChangeKind rename_kind(ObjectType type) {
    switch (type) {
    case OBJECT_TABLE:
    case OBJECT_FOREIGN_TABLE:
    case OBJECT_SEQUENCE: // old code's nextval('name') (rule rename-table, worded "sequence")
        return ChangeKind::RenameTable;
    case OBJECT_VIEW:
    case OBJECT_MATVIEW:
        return ChangeKind::RenameView;
    case OBJECT_TYPE:
    case OBJECT_DOMAIN:
        return ChangeKind::RenameType;
    case OBJECT_SCHEMA:
        return ChangeKind::RenameSchema;
    default:
        return is_function(type) ? ChangeKind::RenameFunction : ChangeKind::Other;
    }
}

// The object a RENAME or SET SCHEMA names: a relation, or some other object's name.
QualifiedName renamed_object(const RangeVar *relation, const Node *object) {
    return relation ? name_of(relation) : name_of_object(object);
}

void describe_rename(const RenameStmt *s, Builder &b) {
    const ObjectType type = s->renameType;
    b.st.command = alter_command_for(type == OBJECT_COLUMN ? s->relationType : type);
    // Renaming a relation or anything in it takes ACCESS EXCLUSIVE, except ALTER INDEX ...
    // RENAME (SHARE UPDATE EXCLUSIVE since PostgreSQL 12).
    if (s->relation && type != OBJECT_INDEX && type != OBJECT_ATTRIBUTE)
        b.lock(name_of(s->relation));

    const bool column = type == OBJECT_COLUMN || type == OBJECT_ATTRIBUTE;
    const ChangeKind kind = column ? ChangeKind::RenameColumn : rename_kind(type);
    if (kind == ChangeKind::Other)
        return;
    QualifiedName object = renamed_object(s->relation, s->object);
    if (type == OBJECT_SCHEMA)
        object = QualifiedName{"", text(s->subname)};
    DdlChange &c = b.add(kind, std::move(object));
    if (column) {
        c.column = text(s->subname);
        if (type == OBJECT_ATTRIBUTE)
            c.container = "type"; // ALTER TYPE ... RENAME ATTRIBUTE
        else if (s->relationType != OBJECT_TABLE)
            c.container = lower(object_word(s->relationType));
    }
    c.new_name = text(s->newname);
    c.missing_ok = s->missing_ok;
    if (type == OBJECT_SEQUENCE)
        c.container = "sequence";
}

// ALTER ... SET SCHEMA moves an object: for old code that names it, a rename.
void describe_set_schema(const AlterObjectSchemaStmt *s, Builder &b) {
    b.st.command = alter_command_for(s->objectType);
    if (s->relation)
        b.lock(name_of(s->relation));
    const ChangeKind kind = rename_kind(s->objectType);
    if (kind == ChangeKind::Other)
        return;
    DdlChange &c = b.add(kind, renamed_object(s->relation, s->object));
    c.new_name = text(s->newschema) + "." + c.object.name;
    c.missing_ok = s->missing_ok;
    if (s->objectType == OBJECT_SEQUENCE)
        c.container = "sequence";
}

void describe_alter_enum(const AlterEnumStmt *s, Builder &b) {
    b.st.command = "ALTER TYPE";
    if (!s->oldVal)
        return; // ADD VALUE: old code never sees a value it does not know unless new code writes it
    DdlChange &c = b.add(ChangeKind::RenameEnumValue, name_of(s->typeName));
    c.column = text(s->oldVal);
    c.new_name = text(s->newVal);
}

// The constraint's change, for ALTER TABLE ... ADD CONSTRAINT and inline column constraints.
void add_constraint(const Constraint *con, const QualifiedName &table, const std::string &column,
                    Builder &b) {
    const char *type = nullptr;
    switch (con->contype) {
    case CONSTR_CHECK:
        type = "check";
        break;
    case CONSTR_FOREIGN:
        type = "foreign_key";
        break;
    case CONSTR_UNIQUE:
        type = "unique";
        break;
    case CONSTR_PRIMARY:
        type = "primary_key";
        break;
    case CONSTR_EXCLUSION:
        type = "exclude";
        break;
    default:
        return;
    }
    DdlChange &c = b.add(ChangeKind::AddConstraint, table);
    c.constraint_type = type;
    c.constraint_name = text(con->conname);
    c.not_valid = con->skip_validation;
    c.using_index = con->indexname != nullptr;
    if (con->contype == CONSTR_FOREIGN)
        c.referenced = name_of(con->pktable);
    // The one column the constraint covers, if it covers exactly one.
    std::vector<std::string> columns;
    if (!column.empty()) {
        columns.push_back(column);
    } else {
        const List *keys = con->contype == CONSTR_FOREIGN ? con->fk_attrs : con->keys;
        ListCell *lc;
        foreach (lc, keys) {
            if (IsA(lfirst(lc), String))
                add_unique(columns, strVal(lfirst(lc)));
        }
        if (con->contype == CONSTR_CHECK) {
            ExpressionRefs refs;
            collect_refs(con->raw_expr, refs);
            columns = refs.columns;
        }
    }
    if (columns.size() == 1)
        c.column = columns.front();
}

void describe_add_column(const ColumnDef *def, const QualifiedName &table, Builder &b) {
    DdlChange column;
    column.kind = ChangeKind::AddColumn;
    column.object = table;
    column.column = text(def->colname);
    column.type = type_ref(def->typeName);
    column.not_null = def->is_not_null;
    ExpressionRefs refs;
    if (def->raw_default) {
        column.has_default = true;
        collect_refs(def->raw_default, refs);
    }
    std::vector<const Constraint *> table_constraints;
    ListCell *lc;
    foreach (lc, def->constraints) {
        if (!IsA(lfirst(lc), Constraint))
            continue;
        const Constraint *con = castNode(Constraint, static_cast<Node *>(lfirst(lc)));
        switch (con->contype) {
        case CONSTR_NOTNULL:
            column.not_null = true;
            break;
        case CONSTR_DEFAULT:
            column.has_default = true;
            collect_refs(con->raw_expr, refs);
            break;
        case CONSTR_IDENTITY:
            // Filled from a sequence for every existing row: a volatile default.
            column.has_default = true;
            column.not_null = true;
            add_unique(refs.functions, "nextval");
            column.default_is_volatile = true;
            break;
        case CONSTR_GENERATED:
            // A stored generated column is computed for every existing row: the table is
            // rewritten just as for a volatile default.
            column.has_default = true;
            collect_refs(con->raw_expr, refs);
            column.default_is_volatile = true;
            break;
        case CONSTR_PRIMARY:
            column.not_null = true;
            table_constraints.push_back(con);
            break;
        case CONSTR_CHECK:
        case CONSTR_UNIQUE:
        case CONSTR_FOREIGN:
            table_constraints.push_back(con);
            break;
        default:
            break;
        }
    }
    if (is_serial_type(column.type)) {
        column.has_default = true;
        column.not_null = true;
        add_unique(refs.functions, "nextval");
        column.default_is_volatile = true;
    }
    column.default_functions = refs.functions;
    for (const std::string &f : column.default_functions)
        if (is_known_volatile_function(f))
            column.default_is_volatile = true;
    b.st.changes.push_back(std::move(column));
    for (const Constraint *con : table_constraints)
        add_constraint(con, table, text(def->colname), b);
}

// Reloptions that ALTER TABLE ... SET/RESET (...) changes under SHARE UPDATE EXCLUSIVE.
bool light_reloption(const DefElem *d) {
    const std::string name = lower(text(d->defname));
    return name.rfind("autovacuum_", 0) == 0 || name == "fillfactor" ||
           name == "toast_tuple_target" || name == "parallel_workers" ||
           name == "vacuum_index_cleanup" || name == "vacuum_truncate" ||
           name == "log_autovacuum_min_duration";
}

// Whether one ALTER TABLE subcommand takes ACCESS EXCLUSIVE on the table (AlterTableGetLockLevel).
bool takes_access_exclusive(const AlterTableCmd *cmd) {
    switch (cmd->subtype) {
    case AT_SetStatistics:
    case AT_SetOptions:
    case AT_ResetOptions:
    case AT_ClusterOn:
    case AT_DropCluster:
    case AT_ValidateConstraint:
    case AT_AttachPartition:
    case AT_DetachPartitionFinalize:
        return false; // SHARE UPDATE EXCLUSIVE
    case AT_EnableTrig:
    case AT_EnableAlwaysTrig:
    case AT_EnableReplicaTrig:
    case AT_EnableTrigAll:
    case AT_EnableTrigUser:
    case AT_DisableTrig:
    case AT_DisableTrigAll:
    case AT_DisableTrigUser:
        return false; // SHARE ROW EXCLUSIVE
    case AT_AddConstraint:
        // A foreign key: SHARE ROW EXCLUSIVE on both tables.
        return !(cmd->def && IsA(cmd->def, Constraint) &&
                 castNode(Constraint, cmd->def)->contype == CONSTR_FOREIGN);
    case AT_DetachPartition:
        return !(cmd->def && IsA(cmd->def, PartitionCmd) &&
                 castNode(PartitionCmd, cmd->def)->concurrent);
    case AT_SetRelOptions:
    case AT_ResetRelOptions: {
        if (!cmd->def || !IsA(cmd->def, List))
            return true;
        ListCell *lc;
        foreach (lc, castNode(List, cmd->def)) {
            if (!IsA(lfirst(lc), DefElem) ||
                !light_reloption(castNode(DefElem, static_cast<Node *>(lfirst(lc)))))
                return true;
        }
        return false;
    }
    default:
        return true;
    }
}

const char *alter_command(ObjectType type) {
    switch (type) {
    case OBJECT_INDEX:
        return "ALTER INDEX";
    case OBJECT_VIEW:
        return "ALTER VIEW";
    case OBJECT_MATVIEW:
        return "ALTER MATERIALIZED VIEW";
    case OBJECT_SEQUENCE:
        return "ALTER SEQUENCE";
    case OBJECT_FOREIGN_TABLE:
        return "ALTER FOREIGN TABLE";
    case OBJECT_TYPE:
        return "ALTER TYPE";
    default:
        return "ALTER TABLE";
    }
}

void describe_alter_table_cmd(const AlterTableCmd *cmd, const QualifiedName &table, Builder &b) {
    const std::string column = text(cmd->name);
    switch (cmd->subtype) {
    case AT_AddColumn:
        if (cmd->def && IsA(cmd->def, ColumnDef)) {
            describe_add_column(castNode(ColumnDef, cmd->def), table, b);
            // ADD COLUMN IF NOT EXISTS: the column may exist already (then nothing is added).
            for (DdlChange &c : b.st.changes)
                if (c.kind == ChangeKind::AddColumn &&
                    c.column == castNode(ColumnDef, cmd->def)->colname)
                    c.missing_ok = cmd->missing_ok;
        }
        break;
    case AT_DropColumn: {
        DdlChange &c = b.add(ChangeKind::DropColumn, table);
        c.column = column;
        c.missing_ok = cmd->missing_ok;
        c.cascade = cmd->behavior == DROP_CASCADE;
        break;
    }
    case AT_AlterColumnType: {
        DdlChange &c = b.add(ChangeKind::AlterColumnType, table);
        c.column = column;
        if (cmd->def && IsA(cmd->def, ColumnDef)) {
            const ColumnDef *def = castNode(ColumnDef, cmd->def);
            c.type = type_ref(def->typeName);
            c.using_expression = def->raw_default != nullptr;
        }
        break;
    }
    case AT_SetNotNull:
        b.add(ChangeKind::SetNotNull, table).column = column;
        break;
    case AT_DropNotNull:
        b.add(ChangeKind::DropNotNull, table).column = column;
        break;
    case AT_ColumnDefault:
        if (!cmd->def)
            b.add(ChangeKind::DropDefault, table).column = column;
        break;
    case AT_DropIdentity: { // old INSERTs that leave the column out get no value any more
        DdlChange &c = b.add(ChangeKind::DropDefault, table);
        c.column = column;
        c.missing_ok = cmd->missing_ok;
        break;
    }
    case AT_AddConstraint:
        if (cmd->def && IsA(cmd->def, Constraint))
            add_constraint(castNode(Constraint, cmd->def), table, "", b);
        break;
    case AT_ValidateConstraint:
        b.add(ChangeKind::ValidateConstraint, table).constraint_name = column;
        break;
    case AT_AttachPartition:
    case AT_DetachPartition:
        // ACCESS EXCLUSIVE on the partition attached or detached (not when CONCURRENTLY).
        if (cmd->def && IsA(cmd->def, PartitionCmd)) {
            const PartitionCmd *p = castNode(PartitionCmd, cmd->def);
            if (!p->concurrent)
                b.lock(name_of(p->name));
        }
        break;
    default:
        break;
    }
}

// REVOKE of privileges on objects (not ALTER DEFAULT PRIVILEGES, not role membership): the roles
// old code runs as may lose what it needs. One change per object named.
void describe_revoke(const GrantStmt *s, Builder &b) {
    b.st.command = s->is_grant ? "GRANT" : "REVOKE";
    if (s->is_grant || s->targtype == ACL_TARGET_DEFAULTS)
        return;
    const char *word = object_word(s->objtype);
    ListCell *lc;
    if (s->targtype == ACL_TARGET_ALL_IN_SCHEMA) { // REVOKE ... ON ALL TABLES IN SCHEMA s
        foreach (lc, s->objects) {
            DdlChange &c =
                b.add(ChangeKind::Revoke, name_of_object(static_cast<const Node *>(lfirst(lc))));
            c.container = std::string("every ") + (word[0] ? lower(word) : "object") + " in schema";
        }
        return;
    }
    foreach (lc, s->objects) {
        const Node *object = static_cast<const Node *>(lfirst(lc));
        DdlChange &c = b.add(ChangeKind::Revoke, object && IsA(object, RangeVar)
                                                     ? name_of(castNode(RangeVar, object))
                                                     : name_of_object(object));
        c.container = word[0] ? lower(word) : "object";
    }
}

// ALTER DOMAIN: a constraint or NOT NULL added to a domain applies to every column of that type.
void describe_alter_domain(const AlterDomainStmt *s, Builder &b) {
    b.st.command = "ALTER DOMAIN";
    const QualifiedName domain = name_of(s->typeName);
    switch (s->subtype) {
    case 'C': // ADD CONSTRAINT
        if (s->def && IsA(s->def, Constraint)) {
            const Constraint *con = castNode(Constraint, s->def);
            if (con->contype != CONSTR_CHECK)
                break;
            DdlChange &c = b.add(ChangeKind::AddConstraint, domain);
            c.container = "domain";
            c.constraint_type = "check";
            c.constraint_name = text(con->conname);
            c.not_valid = con->skip_validation;
        }
        break;
    case 'O': { // SET NOT NULL
        DdlChange &c = b.add(ChangeKind::AddConstraint, domain);
        c.container = "domain";
        c.constraint_type = "not_null";
        break;
    }
    case 'N': // DROP NOT NULL
        b.add(ChangeKind::DropNotNull, domain).container = "domain";
        break;
    case 'T': // SET DEFAULT / DROP DEFAULT
        if (!s->def)
            b.add(ChangeKind::DropDefault, domain).container = "domain";
        break;
    default:
        break;
    }
}

void describe_alter_table(const AlterTableStmt *s, Builder &b) {
    b.st.command = alter_command(s->objtype);
    if (s->objtype == OBJECT_TYPE)
        return; // ALTER TYPE ... ADD/DROP/ALTER ATTRIBUTE of a composite type: no table involved
    const QualifiedName table = name_of(s->relation);
    bool access_exclusive = false;
    ListCell *lc;
    foreach (lc, s->cmds) {
        if (!IsA(lfirst(lc), AlterTableCmd))
            continue;
        const AlterTableCmd *cmd = castNode(AlterTableCmd, static_cast<Node *>(lfirst(lc)));
        access_exclusive = access_exclusive || takes_access_exclusive(cmd);
        const size_t first = b.st.changes.size();
        describe_alter_table_cmd(cmd, table, b);
        for (size_t i = first; i < b.st.changes.size(); ++i) // ALTER TABLE IF EXISTS
            b.st.changes[i].missing_ok = b.st.changes[i].missing_ok || s->missing_ok;
    }
    if (access_exclusive) {
        b.st.locked_tables.insert(b.st.locked_tables.begin(), table);
        b.st.access_exclusive = true;
    }
}

void describe_truncate(const TruncateStmt *s, Builder &b) {
    b.st.command = "TRUNCATE";
    ListCell *lc;
    foreach (lc, s->relations) {
        if (!IsA(lfirst(lc), RangeVar))
            continue;
        DdlChange &c = b.add(ChangeKind::Truncate,
                             name_of(castNode(RangeVar, static_cast<Node *>(lfirst(lc)))));
        c.cascade = s->behavior == DROP_CASCADE;
        b.lock(c.object);
    }
}

void describe_index(const IndexStmt *s, Builder &b) {
    b.st.command = "CREATE INDEX";
    // SHARE (SHARE UPDATE EXCLUSIVE when CONCURRENTLY): blocks writes, not reads.
    DdlChange &c = b.add(ChangeKind::CreateIndex, name_of(s->relation));
    c.new_name = text(s->idxname);
    c.concurrently = s->concurrent;
    if (s->unique)
        c.constraint_type = "unique";
}

void describe_reindex(const ReindexStmt *s, Builder &b) {
    b.st.command = "REINDEX";
    const bool concurrently = has_option(s->params, "concurrently");
    QualifiedName object;
    if (s->relation)
        object = name_of(s->relation);
    else
        object.name = text(s->name);
    DdlChange &c = b.add(ChangeKind::Reindex, object);
    c.concurrently = concurrently;
    // ACCESS EXCLUSIVE on each index rebuilt (SHARE on the table).
    if (!concurrently) {
        b.st.access_exclusive = true;
        if (s->relation)
            b.lock(object);
    }
}

void describe_vacuum(const VacuumStmt *s, Builder &b) {
    b.st.command = s->is_vacuumcmd ? "VACUUM" : "ANALYZE";
    if (!s->is_vacuumcmd || !has_option(s->options, "full"))
        return;
    b.st.access_exclusive = true;
    if (s->rels == NIL) {
        b.add(ChangeKind::VacuumFull, {});
        return;
    }
    ListCell *lc;
    foreach (lc, s->rels) {
        if (!IsA(lfirst(lc), VacuumRelation))
            continue;
        const VacuumRelation *r = castNode(VacuumRelation, static_cast<Node *>(lfirst(lc)));
        DdlChange &c = b.add(ChangeKind::VacuumFull, name_of(r->relation));
        b.lock(c.object);
    }
}

void describe_cluster(const ClusterStmt *s, Builder &b) {
    b.st.command = "CLUSTER";
    b.st.access_exclusive = true;
    DdlChange &c = b.add(ChangeKind::Cluster, name_of(s->relation));
    if (s->relation)
        b.lock(c.object);
}

// if_not_exists: CREATE TABLE IF NOT EXISTS, which creates nothing when the table exists.
void describe_create_table(const QualifiedName &table, bool if_not_exists, Builder &b) {
    b.add(ChangeKind::CreateTable, table).missing_ok = if_not_exists;
}

// The value of SET lock_timeout as written: 5000, '5s', 1.5.
std::string setting_value(const List *args) {
    std::string value;
    ListCell *lc;
    foreach (lc, args) {
        const Node *n = static_cast<const Node *>(lfirst(lc));
        if (!IsA(n, A_Const) || castNode(A_Const, n)->isnull)
            continue;
        const Node *v = &castNode(A_Const, n)->val.node;
        if (IsA(v, Integer))
            value = std::to_string(intVal(v));
        else if (IsA(v, Float))
            value = text(castNode(Float, v)->fval);
        else if (IsA(v, String))
            value = strVal(v);
    }
    return value;
}

void describe_set(const VariableSetStmt *s, Builder &b) {
    const bool reset = s->kind == VAR_RESET || s->kind == VAR_RESET_ALL;
    b.st.command = reset ? "RESET" : "SET";
    const bool all = s->kind == VAR_RESET_ALL;
    if (!all && (!s->name || lower(s->name) != "lock_timeout"))
        return;
    if (s->kind != VAR_SET_VALUE && s->kind != VAR_SET_DEFAULT && !reset)
        return; // SET ... FROM CURRENT: only in function definitions
    DdlChange &c = b.add(ChangeKind::SetLockTimeout, QualifiedName{"", "lock_timeout"});
    c.local = s->is_local;
    if (s->kind == VAR_SET_VALUE)
        c.setting_value = setting_value(s->args);
}

void describe_transaction(const TransactionStmt *s, Builder &b) {
    switch (s->kind) {
    case TRANS_STMT_BEGIN:
    case TRANS_STMT_START:
        b.st.command = "BEGIN";
        b.add(ChangeKind::TransactionBegin, {});
        break;
    case TRANS_STMT_COMMIT:
    case TRANS_STMT_ROLLBACK:
    case TRANS_STMT_PREPARE:
        b.st.command = s->kind == TRANS_STMT_COMMIT     ? "COMMIT"
                       : s->kind == TRANS_STMT_ROLLBACK ? "ROLLBACK"
                                                        : "PREPARE TRANSACTION";
        b.add(ChangeKind::TransactionEnd, {});
        if (s->chain) // COMMIT AND CHAIN: a new transaction starts at once
            b.add(ChangeKind::TransactionBegin, {});
        break;
    default:
        break; // savepoints and two-phase commands do not open or close this session's block
    }
}

} // namespace

DdlStatement describe(const Node *stmt) {
    Builder b;
    if (stmt && IsA(stmt, RawStmt))
        stmt = castNode(RawStmt, stmt)->stmt;
    if (!stmt)
        return std::move(b.st);
    switch (nodeTag(stmt)) {
    case T_DropStmt:
        describe_drop(castNode(DropStmt, stmt), b);
        break;
    case T_RenameStmt:
        describe_rename(castNode(RenameStmt, stmt), b);
        break;
    case T_AlterObjectSchemaStmt:
        describe_set_schema(castNode(AlterObjectSchemaStmt, stmt), b);
        break;
    case T_AlterEnumStmt:
        describe_alter_enum(castNode(AlterEnumStmt, stmt), b);
        break;
    case T_AlterTableStmt:
        describe_alter_table(castNode(AlterTableStmt, stmt), b);
        break;
    case T_AlterDomainStmt:
        describe_alter_domain(castNode(AlterDomainStmt, stmt), b);
        break;
    case T_GrantStmt:
        describe_revoke(castNode(GrantStmt, stmt), b);
        break;
    case T_TruncateStmt:
        describe_truncate(castNode(TruncateStmt, stmt), b);
        break;
    case T_IndexStmt:
        describe_index(castNode(IndexStmt, stmt), b);
        break;
    case T_ReindexStmt:
        describe_reindex(castNode(ReindexStmt, stmt), b);
        break;
    case T_VacuumStmt:
        describe_vacuum(castNode(VacuumStmt, stmt), b);
        break;
    case T_ClusterStmt:
        describe_cluster(castNode(ClusterStmt, stmt), b);
        break;
    case T_CreateStmt:
        b.st.command = "CREATE TABLE";
        describe_create_table(created_name(castNode(CreateStmt, stmt)->relation),
                              castNode(CreateStmt, stmt)->if_not_exists, b);
        break;
    case T_CreateTableAsStmt: {
        const CreateTableAsStmt *s = castNode(CreateTableAsStmt, stmt);
        b.st.command =
            s->objtype == OBJECT_MATVIEW ? "CREATE MATERIALIZED VIEW" : "CREATE TABLE AS";
        if (s->into)
            describe_create_table(created_name(s->into->rel), s->if_not_exists, b);
        break;
    }
    case T_VariableSetStmt:
        describe_set(castNode(VariableSetStmt, stmt), b);
        break;
    case T_TransactionStmt:
        describe_transaction(castNode(TransactionStmt, stmt), b);
        break;
    default:
        break;
    }
    return std::move(b.st); // a member: returned by copy unless moved
}

} // namespace mg::pgparse
