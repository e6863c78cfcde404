#include "extension/judge.hpp"

#include <algorithm>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "core/rules.hpp"
#include "extension/bridge.hpp"
#include "extension/capture.hpp"
#include "pgparse/describe.hpp"

extern "C" {
#include "catalog/pg_inherits.h"
#include "utils/acl.h"
#include "utils/catcache.h"
#include "parser/parse_type.h"
#include "nodes/makefuncs.h"
#include "catalog/pg_type.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "storage/proc.h"
}

namespace mg::pg {
namespace {

// ---- plain data crossing between the steps ---------------------------------------------------

struct ColumnPod {
    char *name;
    char *type_name; // null: no such column
    int typmod;
    bool not_null;
    bool added_here; // this transaction added it (ADD COLUMN): no other session knows it
};

// What a name refers to, as the statement uses it.
enum RefKind { kRelation, kType, kRoutine, kSchema };

struct TablePod {
    char *schema; // "" when the statement did not qualify the name
    char *name;
    int kind; // RefKind
    ColumnPod *columns;
    int ncolumns;
    bool exists;
    bool created_in_this_transaction;
};

struct Refs {
    TablePod *tables = nullptr;
    int count = 0;
    char **functions = nullptr;        // called by ADD COLUMN defaults (last name part, lower case)
    bool *volatile_function = nullptr; // per function: the catalog says it is volatile
    int nfunctions = 0;
};

// Rule settings in force: set by the guard's cache, read by lint and the guard alike.
char **setting_rules = nullptr;
char **setting_actions = nullptr;
int setting_count = 0;

std::vector<DdlStatement> describe_all(const ParsedStatement *statements, int count) {
    std::vector<DdlStatement> described;
    described.reserve(count);
    for (int i = 0; i < count; i++) {
        DdlStatement s = pgparse::describe(statements[i].tree);
        s.location = statements[i].location;
        s.length = statements[i].length;
        described.push_back(std::move(s));
    }
    return described;
}

// Step 1: which relations and columns the statements touch.
Refs collect_refs(const ParsedStatement *statements, int count) {
    Refs refs;
    call_core([&] {
        struct Ref {
            QualifiedName name;
            RefKind kind;
            std::vector<std::string> columns;
        };
        std::vector<Ref> found;
        std::vector<std::string> functions;
        auto add = [&](const QualifiedName &name, const std::string &column,
                       RefKind kind = kRelation) {
            Ref *ref = nullptr;
            for (Ref &r : found)
                if (r.name.schema == name.schema && r.name.name == name.name && r.kind == kind)
                    ref = &r;
            if (ref == nullptr) {
                found.push_back(Ref{name, kind, {}});
                ref = &found.back();
            }
            if (!column.empty()) {
                for (const std::string &c : ref->columns)
                    if (c == column)
                        return;
                ref->columns.push_back(column);
            }
        };
        for (const DdlStatement &s : describe_all(statements, count)) {
            for (const DdlChange &c : s.changes) {
                if (c.container == "domain")
                    add(c.object, "", kType); // ALTER DOMAIN
                else if (names_a_relation(c.kind))
                    add(c.object, c.column);
                else if (c.kind == ChangeKind::DropType || c.kind == ChangeKind::RenameType)
                    add(c.object, "", kType);
                else if (c.kind == ChangeKind::DropFunction || c.kind == ChangeKind::RenameFunction)
                    add(c.object, "", kRoutine);
                else if (c.kind == ChangeKind::DropSchema || c.kind == ChangeKind::RenameSchema)
                    add(c.object, "", kSchema);
                for (const std::string &f : c.default_functions)
                    if (std::find(functions.begin(), functions.end(), f) == functions.end())
                        functions.push_back(f);
            }
            for (const QualifiedName &t : s.locked_tables)
                add(t, "");
        }
        refs.tables = alloc_array<TablePod>(found.size());
        for (const Ref &r : found) {
            TablePod &t = refs.tables[refs.count++];
            t = TablePod{copy_to_pg(r.name.schema),
                         copy_to_pg(r.name.name),
                         r.kind,
                         nullptr,
                         0,
                         false,
                         false};
            t.columns = alloc_array<ColumnPod>(r.columns.size());
            for (const std::string &c : r.columns)
                t.columns[t.ncolumns++] = ColumnPod{copy_to_pg(c), nullptr, -1, false, false};
        }
        refs.functions = alloc_array<char *>(functions.size());
        refs.volatile_function = alloc_array<bool>(functions.size());
        for (const std::string &f : functions)
            refs.functions[refs.nfunctions++] = copy_to_pg(f);
    });
    return refs;
}

bool may_use_schema(const char *schema) {
    Oid nsp = get_namespace_oid(schema, true);
    if (!OidIsValid(nsp))
        return false;
#if PG_VERSION_NUM >= 160000
    return object_aclcheck(NamespaceRelationId, nsp, GetUserId(), ACL_USAGE) == ACLCHECK_OK;
#else
    return pg_namespace_aclcheck(nsp, GetUserId(), ACL_USAGE) == ACLCHECK_OK;
#endif
}

// Whether a function of that name the role can call without qualifying it is volatile (the
// default's value then changes row by row, and ADD COLUMN rewrites the table to store it).
// Calls fn(proc) for each routine of that name: in schema `nsp`, or, when nsp is invalid, each
// one the role can call without qualifying it.
template <typename Fn> void for_each_routine(const char *name, Oid nsp, Fn &&fn) {
    CatCList *candidates = SearchSysCacheList1(PROCNAMEARGSNSP, CStringGetDatum(name));
    for (int i = 0; i < candidates->n_members; i++) {
        Form_pg_proc proc = (Form_pg_proc)GETSTRUCT(&candidates->members[i]->tuple);
        if (OidIsValid(nsp) ? proc->pronamespace == nsp : FunctionIsVisible(proc->oid))
            fn(proc);
    }
    ReleaseSysCacheList(candidates);
}

bool visible_function_is_volatile(const char *name) {
    bool found = false;
    for_each_routine(name, InvalidOid, [&](Form_pg_proc proc) {
        found = found || proc->provolatile == PROVOLATILE_VOLATILE;
    });
    return found;
}

Oid type_oid(const char *schema, const char *name) {
    List *names = schema[0] ? list_make2(makeString(pstrdup(schema)), makeString(pstrdup(name)))
                            : list_make1(makeString(pstrdup(name)));
    return LookupTypeNameOid(nullptr, makeTypeNameFromNameList(names), true);
}

// Types, routines and schemas: whether they exist and whether this transaction created them (as
// DDL capture saw their CREATE). A routine name stands for every routine of that name the
// statement could mean; it is new only if all of them are.
void resolve_other(TablePod &t) {
    switch (t.kind) {
    case kType: {
        Oid type = type_oid(t.schema, t.name);
        t.exists = OidIsValid(type);
        t.created_in_this_transaction =
            t.exists && capture::created_in_this_transaction(TypeRelationId, type);
        break;
    }
    case kSchema: {
        Oid nsp = get_namespace_oid(t.name, true);
        t.exists = OidIsValid(nsp);
        t.created_in_this_transaction =
            t.exists && capture::created_in_this_transaction(NamespaceRelationId, nsp);
        break;
    }
    case kRoutine: {
        Oid nsp = t.schema[0] ? get_namespace_oid(t.schema, true) : InvalidOid;
        if (t.schema[0] && !OidIsValid(nsp))
            break;
        bool all_new = true;
        for_each_routine(t.name, nsp, [&](Form_pg_proc proc) {
            t.exists = true;
            all_new =
                all_new && capture::created_in_this_transaction(ProcedureRelationId, proc->oid);
        });
        t.created_in_this_transaction = t.exists && all_new;
        break;
    }
    default:
        break;
    }
}

// Step 2: what the catalog says about them.
void resolve(Refs &refs) {
    for (int i = 0; i < refs.nfunctions; i++)
        refs.volatile_function[i] = visible_function_is_volatile(refs.functions[i]);
    for (int i = 0; i < refs.count; i++) {
        TablePod &t = refs.tables[i];
        // A schema the role may not use is one it cannot see into: no facts (looking would
        // raise "permission denied"), the statement is judged as written.
        if (t.schema[0] && !may_use_schema(t.schema))
            continue;
        if (t.kind != kRelation) {
            resolve_other(t);
            continue;
        }
        RangeVar *rv = makeRangeVar(t.schema[0] ? t.schema : nullptr, t.name, -1);
        Oid relid = RangeVarGetRelid(rv, NoLock, true);
        if (!OidIsValid(relid))
            continue;
        t.exists = true;
        t.created_in_this_transaction = nobody_else_sees(relid);
        for (int c = 0; c < t.ncolumns; c++) {
            ColumnPod &col = t.columns[c];
            HeapTuple att = SearchSysCacheAttName(relid, col.name);
            if (!HeapTupleIsValid(att))
                continue;
            Form_pg_attribute form = (Form_pg_attribute)GETSTRUCT(att);
            col.typmod = form->atttypmod;
            col.not_null = form->attnotnull;
            col.added_here = capture::column_added_in_this_transaction(relid, form->attnum);
            HeapTuple type = SearchSysCache1(TYPEOID, ObjectIdGetDatum(form->atttypid));
            if (HeapTupleIsValid(type)) {
                col.type_name = pstrdup(NameStr(((Form_pg_type)GETSTRUCT(type))->typname));
                ReleaseSysCache(type);
            }
            ReleaseSysCache(att);
        }
    }
}

Action parse_action(const char *a) {
    if (strcmp(a, "block") == 0)
        return Action::Block;
    if (strcmp(a, "warn") == 0)
        return Action::Warn;
    return Action::Off;
}

} // namespace

void set_rule_settings(const char *const *rules, const char *const *actions, int count) {
    for (int i = 0; i < setting_count; i++) {
        pfree(setting_rules[i]);
        pfree(setting_actions[i]);
    }
    if (setting_rules) {
        pfree(setting_rules);
        pfree(setting_actions);
    }
    setting_rules = setting_actions = nullptr;
    setting_count = 0;
    if (count == 0)
        return;
    setting_rules =
        static_cast<char **>(MemoryContextAlloc(TopMemoryContext, sizeof(char *) * count));
    setting_actions =
        static_cast<char **>(MemoryContextAlloc(TopMemoryContext, sizeof(char *) * count));
    for (int i = 0; i < count; i++) {
        setting_rules[i] = MemoryContextStrdup(TopMemoryContext, rules[i]);
        setting_actions[i] = MemoryContextStrdup(TopMemoryContext, actions[i]);
        setting_count = i + 1;
    }
}

bool created_in_this_transaction(Oid relid) {
    Relation rel = RelationIdGetRelation(relid);
    if (rel == nullptr)
        return false;
    bool created = rel->rd_createSubid != InvalidSubTransactionId;
    RelationClose(rel);
    return created;
}

bool nobody_else_sees(Oid relid) {
    if (get_rel_persistence(relid) == RELPERSISTENCE_TEMP)
        return true;
    if (!created_in_this_transaction(relid))
        return false;
    if (!has_subclass(relid))
        return true;
    List *family = find_all_inheritors(relid, NoLock, nullptr);
    ListCell *lc;
    foreach (lc, family)
        if (lfirst_oid(lc) != relid && !created_in_this_transaction(lfirst_oid(lc)))
            return false;
    return true;
}

namespace {

std::vector<RuleSetting> current_settings() {
    std::vector<RuleSetting> settings;
    for (int i = 0; i < setting_count; i++)
        settings.push_back(RuleSetting{setting_rules[i], parse_action(setting_actions[i])});
    return settings;
}

void copy_findings(const std::vector<Finding> &findings, Verdicts &out) {
    out.items = alloc_array<Verdict>(findings.size());
    for (const Finding &f : findings)
        out.items[out.count++] = Verdict{
            copy_to_pg(std::string(f.rule)), f.action == Action::Block, copy_to_pg(f.message()),
            copy_to_pg(f.detail()),          copy_to_pg(f.hint()),      f.location};
}

} // namespace

Verdicts judge_rewrite(const char *schema, const char *name, int64 bytes) {
    Verdicts out;
    call_core([&] {
        std::vector<Finding> findings;
        if (auto f = table_rewrite_finding(QualifiedName{schema, name}, bytes, current_settings()))
            findings.push_back(std::move(*f));
        copy_findings(findings, out);
    });
    return out;
}

Verdicts judge_dropped(const char *command, const DroppedPod *dropped, int count) {
    Verdicts out;
    call_core([&] {
        std::vector<DroppedObject> objects;
        for (int i = 0; i < count; i++) {
            const DroppedPod &d = dropped[i];
            objects.push_back(DroppedObject{d.object_type, QualifiedName{d.schema, d.name},
                                            d.column, d.cascaded, d.automatic});
        }
        copy_findings(evaluate_dropped(command, objects, current_settings()), out);
    });
    return out;
}

Verdicts judge_syntax_error(const char *message, int location) {
    Verdicts out;
    call_core([&] {
        std::vector<Finding> findings;
        if (auto f = syntax_error_finding(message, location, current_settings()))
            findings.push_back(std::move(*f));
        copy_findings(findings, out);
    });
    return out;
}

namespace {

// PostgreSQL renames and moves any relation whatever the statement calls it (ALTER INDEX
// accounts RENAME ... renames the table accounts): judge the statement as what the relation
// really is.
Node *as_its_relation_kind(Node *tree) {
    RangeVar *relation = nullptr;
    ObjectType stated;
    if (IsA(tree, RenameStmt) && castNode(RenameStmt, tree)->relation) {
        relation = castNode(RenameStmt, tree)->relation;
        stated = castNode(RenameStmt, tree)->renameType;
    } else if (IsA(tree, AlterObjectSchemaStmt) &&
               castNode(AlterObjectSchemaStmt, tree)->relation) {
        relation = castNode(AlterObjectSchemaStmt, tree)->relation;
        stated = castNode(AlterObjectSchemaStmt, tree)->objectType;
    } else {
        return tree;
    }
    if (stated != OBJECT_TABLE && stated != OBJECT_INDEX && stated != OBJECT_SEQUENCE &&
        stated != OBJECT_VIEW && stated != OBJECT_MATVIEW && stated != OBJECT_FOREIGN_TABLE)
        return tree; // columns, constraints, triggers ...: the relation is only their container
    if (relation->schemaname && !may_use_schema(relation->schemaname))
        return tree;
    Oid relid = RangeVarGetRelid(relation, NoLock, true);
    if (!OidIsValid(relid))
        return tree;
    ObjectType actual;
    switch (get_rel_relkind(relid)) {
    case RELKIND_RELATION:
    case RELKIND_PARTITIONED_TABLE:
        actual = OBJECT_TABLE;
        break;
    case RELKIND_VIEW:
        actual = OBJECT_VIEW;
        break;
    case RELKIND_MATVIEW:
        actual = OBJECT_MATVIEW;
        break;
    case RELKIND_SEQUENCE:
        actual = OBJECT_SEQUENCE;
        break;
    case RELKIND_FOREIGN_TABLE:
        actual = OBJECT_FOREIGN_TABLE;
        break;
    default:
        actual = OBJECT_INDEX;
        break;
    }
    if (actual == stated)
        return tree;
    Node *copy = static_cast<Node *>(copyObjectImpl(tree));
    if (IsA(copy, RenameStmt))
        castNode(RenameStmt, copy)->renameType = actual;
    else
        castNode(AlterObjectSchemaStmt, copy)->objectType = actual;
    return copy;
}

} // namespace

Verdicts judge(const ParsedStatement *given, int count, bool as_script, bool in_transaction) {
    ParsedStatement *statements =
        static_cast<ParsedStatement *>(palloc(sizeof(ParsedStatement) * (count + 1)));
    for (int i = 0; i < count; i++) {
        statements[i] = given[i];
        statements[i].tree = as_its_relation_kind(given[i].tree);
    }
    Refs refs = collect_refs(statements, count);
    resolve(refs);
    const bool lock_timeout_set = LockTimeout > 0;

    Verdicts out;
    call_core([&] {
        Facts facts;
        facts.known = true;
        facts.lock_timeout_set = lock_timeout_set;
        for (int i = 0; i < refs.nfunctions; i++)
            if (refs.volatile_function[i])
                facts.volatile_functions.push_back(refs.functions[i]);
        for (int i = 0; i < refs.count; i++) {
            const TablePod &t = refs.tables[i];
            TableFacts tf;
            tf.name = QualifiedName{t.schema, t.name};
            tf.exists = t.exists;
            tf.created_in_this_transaction = t.created_in_this_transaction;
            for (int c = 0; c < t.ncolumns; c++)
                if (t.columns[c].type_name)
                    tf.columns.push_back(
                        {t.columns[c].name,
                         ColumnFacts{t.columns[c].type_name, t.columns[c].typmod,
                                     t.columns[c].not_null, t.columns[c].added_here}});
            facts.tables.push_back(std::move(tf));
        }
        const std::vector<RuleSetting> settings = current_settings();
        const std::vector<DdlStatement> described = describe_all(statements, count);
        std::vector<Finding> findings;
        if (as_script) {
            findings = evaluate_script(described, facts, settings, in_transaction);
        } else {
            for (const DdlStatement &s : described)
                for (Finding &f : evaluate(s, facts, settings))
                    findings.push_back(std::move(f));
        }
        copy_findings(findings, out);
    });
    return out;
}

} // namespace mg::pg
