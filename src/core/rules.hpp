// The rule catalogue and its evaluation: one engine for the in-database guard, the in-database
// lint() and the CLI, so that all three always agree.
#pragma once

#include "core/ddl_change.hpp"

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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
    bool added_in_this_transaction = false; // no one else knows the column yet
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

namespace rule_defs {
struct RuleDef;
}

// What a finding's texts are filled with: the object, written the ways the rule texts name it
// (rule_defs.hpp lists the placeholders). An empty value reads in general terms. The values share
// one string, so that a finding moves cheaply from the engine to a report.
class Placeholders {
  public:
    enum Name : uint8_t {
        Object,     // {object}   column "email" of table "public.users"
        O,          // {o}        the object's name as SQL
        Table,      // {table}    table "public.users"
        T,          // {t}        public.users
        Column,     // {column}   column "email"
        C,          // {c}        email
        NewName,    // {new}      the new name, quoted
        N,          // {n}        the new name as SQL
        Type,       // {type}     the new type
        Constraint, // {constraint}
        What,       // {what}     rule-specific
        Command,    // {command}  the statement's command
        Drop,       // {drop}     the statement that drops the column later
        kCount
    };

    Placeholders() = default;
    Placeholders(const Placeholders &other) { *this = other; }
    Placeholders(Placeholders &&other) noexcept { *this = std::move(other); }
    Placeholders &operator=(const Placeholders &other);
    Placeholders &operator=(Placeholders &&other) noexcept { // findings move often: inline
        text_ = std::move(other.text_);
        used_ = std::exchange(other.used_, 0);
        capacity_ = std::exchange(other.capacity_, 0);
        places_ = other.places_;
        other.places_ = {}; // `other` has no text now: every value of it reads empty
        return *this;
    }

    std::string_view get(Name name) const {
        if (!text_)
            return {};
        return {text_.get() + places_.start[name], places_.size[name]};
    }
    // The value `name` becomes the pieces joined; a piece may be another value of this object.
    Placeholders &set(Name name, std::initializer_list<std::string_view> pieces);

  private:
    std::unique_ptr<char[]> text_; // every value, one after the other
    uint32_t used_ = 0, capacity_ = 0;
    struct {
        uint32_t start[kCount] = {};
        uint32_t size[kCount] = {};
    } places_; // of each value in text_
};

// Receives a finding's text piece by piece (Finding::write), so that a report can copy or escape
// each piece straight into its output. A `plain` piece is printable ASCII without '"' or '\\'
// (the catalogue's own words); any other may hold any byte (names from the script, the parser's
// message).
class TextSink {
  public:
    virtual void append(std::string_view text, bool plain) = 0;

  protected:
    ~TextSink() = default;
};

enum class FindingText { Message, Detail, Hint };

// One finding. Its three texts are rendered from the rule's templates only when asked for: a
// linted directory may have many thousands of findings, and a report writes each text straight
// into its output, escaped as it goes.
struct Finding {
    std::string_view rule; // the rule's id (the catalogue's, which lives as long as the program)
    Action action;         // Block or Warn (never Off: off rules produce nothing)
    int location = -1;     // of the statement

    std::string message() const; // "<rule>: " and what the statement does to which object
    std::string detail() const;  // why old code breaks
    std::string hint() const;    // the safe recipe
    void write(FindingText text, TextSink &sink) const;

    // What the texts are made of (set by the engine).
    const rule_defs::RuleDef *def = nullptr;
    Placeholders values;
    std::string extra_detail; // after DETAIL: the table's size, how a dropped object went
};

// Judges one statement. `settings` override default actions (missing = default). Changes to
// tables created in this transaction (facts, or `created_earlier`) are exempt.
std::vector<Finding> evaluate(const DdlStatement &statement, const Facts &facts,
                              const std::vector<RuleSetting> &settings,
                              const std::vector<QualifiedName> &created_earlier = {});

// Judges a whole script in order, as lint() and the CLI do: a table created earlier in the
// same transaction of the script is exempt; SET lock_timeout seen earlier satisfies
// missing-lock-timeout; BEGIN/COMMIT are followed (`assume_in_transaction`: the script runs
// inside a transaction its tool opens, as most tools do, unless it has BEGIN/COMMIT of its own).
std::vector<Finding> evaluate_script(const std::vector<DdlStatement> &statements,
                                     const Facts &facts, const std::vector<RuleSetting> &settings,
                                     bool assume_in_transaction);

// Whether a statement opens or closes a transaction block (BEGIN, COMMIT, ROLLBACK, ...).
bool controls_transaction(const DdlStatement &statement);

// A column added by an earlier statement of a script, in the transaction being judged.
struct NewColumn {
    QualifiedName table;
    std::string column;
};

// evaluate_script() one statement at a time: the CLI judges each statement as soon as it is
// described, so that linting a large script never holds every description and finding at once.
// `facts` and `settings` must outlive it.
class ScriptJudge {
  public:
    // `implicit_transaction`: the script runs in one transaction its tool opens (it was assumed
    // to, and no statement of it controls_transaction()).
    ScriptJudge(const Facts &facts, const std::vector<RuleSetting> &settings,
                bool implicit_transaction);

    // Adds the statement's findings to `out`, then follows what the statement does to the
    // transaction: tables and columns it creates, BEGIN/COMMIT, SET lock_timeout.
    void judge(const DdlStatement &statement, std::vector<Finding> &out);

  private:
    void follow(const DdlChange &change);

    const Facts &facts_;
    const std::vector<RuleSetting> &settings_;
    bool in_transaction_;
    std::vector<QualifiedName> created_; // in the current transaction: exempt
    std::vector<NewColumn> new_columns_; // added to older tables in the current transaction
    bool session_timeout_;
    int local_timeout_ = -1; // SET LOCAL in the current transaction: -1 none, 0 off, 1 on
};

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
