// The rule catalogue and its evaluation: one engine for the in-database guard, the in-database
// lint() and the CLI, so that all three always agree.
#pragma once

#include "core/ddl_change.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mg {

enum class Action { Block, Warn, Off };
const char *action_name(Action a); // "block" | "warn" | "off"

struct RuleInfo {
    const char *id;       // kebab-case, e.g. "drop-column"; docs/rules/<id>.md
    const char *category; // "compatibility" (breaks running old code) | "locking" (lock/rewrite)
    Action default_action;
    const char *summary; // one line
    const char *why;     // why old code breaks / why it hurts (DETAIL)
    const char *recipe;  // the safe multi-deploy recipe (HINT)
};

// Every rule, in a stable order. "syntax-error" is included (lint reports it; never blocks DDL).
const std::vector<RuleInfo> &rule_catalogue();
const RuleInfo *find_rule(const std::string &id);

// What the database knows about the objects a statement touches. Offline (CLI without --dsn)
// everything is unknown, and rules that need a fact give the benefit of the doubt the way each
// rule's doc page says.
struct ColumnFacts {
    std::string type_name; // pg_catalog type name, e.g. "varchar", "numeric", "text"
    int typmod = -1;       // atttypmod
    bool not_null = false;
};
struct TableFacts {
    QualifiedName name; // as resolved (schema filled in)
    bool exists = false;
    bool created_in_this_transaction = false; // exempt from every rule: nobody else sees it
    std::optional<int64_t> bytes;             // pg_total_relation_size
    std::vector<std::pair<std::string, ColumnFacts>> columns;
};
struct Facts {
    bool known = false; // false offline: the fields below mean nothing
    std::vector<TableFacts> tables;
    bool lock_timeout_set = false;
    std::vector<std::string> volatile_functions; // of the default_functions asked about
};

struct RuleSetting {
    std::string rule;
    Action action;
};

struct Finding {
    std::string rule;
    Action action;       // Block or Warn (never Off: off rules produce nothing)
    std::string message; // names the rule and the object
    std::string detail;  // why old code breaks
    std::string hint;    // the safe recipe
    int location = -1;   // of the statement
};

// Judges one statement. `settings` override default actions (missing = default). Changes to
// tables created in this transaction (facts, or `created_earlier`) are exempt.
std::vector<Finding> evaluate(const DdlStatement &statement, const Facts &facts,
                              const std::vector<RuleSetting> &settings,
                              const std::vector<QualifiedName> &created_earlier = {});

// Judges a whole script in order, as lint() and the CLI do: a table created earlier in the
// same transaction of the script is exempt; SET lock_timeout seen earlier satisfies
// missing-lock-timeout; BEGIN/COMMIT are followed (`assume_in_transaction`: the script runs
// inside a transaction its tool opens, as most tools do).
std::vector<Finding> evaluate_script(const std::vector<DdlStatement> &statements,
                                     const Facts &facts, const std::vector<RuleSetting> &settings,
                                     bool assume_in_transaction);

// Whether a migration file says its tool runs it outside a transaction: graphile-migrate's
// "--! no-transaction" header line, dbmate's "-- migrate:up transaction:false". lint() and the
// CLI then judge it as running statement by statement.
bool says_no_transaction(const std::string &script);

// `s` without leading and trailing white space (the CLI's suppression comments use it too).
std::string trim(const std::string &s);

// An object PostgreSQL drops while a statement runs (sql_drop), as
// pg_event_trigger_dropped_objects() reports it. The guard judges these after the statement's
// own text was judged, to catch what the text does not show: objects dropped by CASCADE, and
// statements no rule reads (DROP OWNED, DROP EXTENSION, ALTER TYPE ... DROP ATTRIBUTE, ...).
struct DroppedObject {
    std::string object_type; // as PostgreSQL names it: "table", "table column", "default value"...
    QualifiedName object;    // the object; for columns, attributes and defaults: their table/type
    std::string column;      // columns, composite type attributes, defaults
    bool cascaded = false;   // dropped because something it depends on was (CASCADE)
    bool automatic = false;  // dropped with what it belongs to: a sequence owned by a dropped
                             // column, a partition of a dropped table, an extension's member
};

// Whether the statement's own text already had `object_type` judged before it ran (by
// evaluate()): e.g. the table of a DROP TABLE. Those objects are not judged again.
bool judged_before_it_runs(const std::string &command, const std::string &object_type,
                           bool cascaded);

// Findings for dropped objects of a statement (`command`: its tag, e.g. "DROP OWNED"). The
// caller leaves out objects created in this transaction and temporary ones; left out here: those
// judged_before_it_runs(), and automatic ones when the statement names an old object of a kind a
// rule is about (they follow from that drop). Each finding's DETAIL says how it was dropped.
std::vector<Finding> evaluate_dropped(const std::string &command,
                                      const std::vector<DroppedObject> &dropped,
                                      const std::vector<RuleSetting> &settings);

// Functions whose result changes on every call, by name (the backend asks the catalog instead).
bool is_known_volatile_function(const std::string &name);

// Findings of the two rules evaluate() never produces, worded by the same engine: table-rewrite
// (the backend's table_rewrite event; `bytes` is the table's size when known) and syntax-error
// (lint; `message` is the parser's, `location` where it stopped). Empty when the rule is off.
std::optional<Finding> table_rewrite_finding(const QualifiedName &table,
                                             std::optional<int64_t> bytes,
                                             const std::vector<RuleSetting> &settings,
                                             int location = -1);
std::optional<Finding> syntax_error_finding(const std::string &message, int location,
                                            const std::vector<RuleSetting> &settings);

} // namespace mg
