// Judging statements with the core rule engine, for the guard (one statement, at
// ddl_command_start) and for lint() (a whole script):
//   1. describe the parse trees (core, in call_core) -> which tables and columns they touch;
//   2. ask the catalog about those (glue: existence, created in this transaction, column types);
//   3. describe again and evaluate with those facts (core, in call_core) -> findings.
// Between the steps only plain, trivially destructible data crosses (palloc'd in the caller's
// memory context), so a PostgreSQL error can never skip a C++ destructor.
#pragma once

#include "extension/pg.hpp"

namespace mg::pg {

struct Verdict {
    const char *rule;
    bool block; // else warn
    const char *message;
    const char *detail;
    const char *hint;
    int location; // of the statement in its source, -1 if unknown
};

struct Verdicts {
    Verdict *items = nullptr;
    int count = 0;
};

struct ParsedStatement {
    Node *tree;
    int location; // in the source
    int length;
};

// One statement at a time (the guard) or a whole script in order (lint: tables it creates are
// exempt afterwards, SET lock_timeout carries forward; `in_transaction`: the script's tool runs
// it inside a transaction, unless the script says otherwise with BEGIN/COMMIT).
Verdicts judge(const ParsedStatement *statements, int count, bool as_script,
               bool in_transaction = true);

// The rule settings in force (rule=action pairs), as the guard caches them.
void set_rule_settings(const char *const *rules, const char *const *actions, int count);
// Whether the current transaction created the relation (the relcache knows, savepoints
// included). Not the pg_class row's xmin: any ALTER TABLE rewrites that row too.
bool created_in_this_transaction(Oid relid);
// Whether no other session can see the relation, so that no rule applies to it: a temporary
// relation, or one created in this transaction together with every table that inherits from it
// or is a partition of it (changes to a parent reach its children).
bool nobody_else_sees(Oid relid);

// An object PostgreSQL drops while a statement runs (sql_drop), as the guard read it.
struct DroppedPod {
    const char *object_type;
    const char *schema; // of the object, or of the table/type of a column or default
    const char *name;
    const char *column; // "" unless a column, composite type attribute or default
    bool cascaded;
    bool automatic; // neither named nor taken by CASCADE: an owned sequence, a partition...
};
// Findings for the objects a statement (its tag: `command`) drops that its text did not name.
Verdicts judge_dropped(const char *command, const DroppedPod *dropped, int count);

// The table-rewrite finding for a table PostgreSQL is about to rewrite (none when the rule is off).
Verdicts judge_rewrite(const char *schema, const char *name, int64 bytes);
// The syntax-error finding for a statement lint could not parse.
Verdicts judge_syntax_error(const char *message, int location);

} // namespace mg::pg
