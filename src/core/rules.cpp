// The rule engine: judges described DDL statements (core/ddl_change.hpp) against the catalogue
// (rule_defs.cpp). One engine for the in-database guard, lint() and the CLI.
#include "core/rules.hpp"

#include "core/rule_defs.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <utility>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <vector>

namespace mg {

Placeholders &Placeholders::operator=(const Placeholders &other) {
    if (this != &other) {
        text_.reset(other.used_ > 0 ? new char[other.used_] : nullptr);
        if (other.used_ > 0)
            std::memcpy(text_.get(), other.text_.get(), other.used_);
        used_ = capacity_ = other.used_;
        places_ = other.places_;
    }
    return *this;
}

Placeholders &Placeholders::set(Name name, std::initializer_list<std::string_view> pieces) {
    size_t size = 0;
    bool aliased = false; // a piece is one of this object's values
    for (std::string_view piece : pieces) {
        size += piece.size();
        aliased = aliased || (!piece.empty() && piece.data() >= text_.get() &&
                              piece.data() < text_.get() + used_);
    }
    if (aliased) {
        const std::string joined = [&] {
            std::string out;
            out.reserve(size);
            for (std::string_view piece : pieces)
                out.append(piece);
            return out;
        }();
        return set(name, {joined});
    }
    if (size > UINT32_MAX - used_)
        throw std::length_error("a finding's texts exceed 4 GB");
    if (used_ + size > capacity_) {
        // Most findings' values fit in the first block.
        const size_t capacity = std::max({used_ + size, size_t{2} * capacity_, size_t{192}});
        std::unique_ptr<char[]> grown(new char[capacity]);
        if (used_ > 0)
            std::memcpy(grown.get(), text_.get(), used_);
        text_ = std::move(grown);
        capacity_ = static_cast<uint32_t>(capacity);
    }
    char *out = text_.get() + used_;
    for (std::string_view piece : pieces)
        if (!piece.empty()) {
            std::memcpy(out, piece.data(), piece.size());
            out += piece.size();
        }
    places_.start[name] = used_;
    places_.size[name] = static_cast<uint32_t>(size);
    used_ += static_cast<uint32_t>(size);
    return *this;
}

namespace {

using P = Placeholders;

std::string quoted(const std::string &s) {
    return "\"" + s + "\"";
}
std::string quoted(const QualifiedName &n) {
    return quoted(n.display());
}

// An unqualified name matches the same name in any schema: the statement's search_path decides,
// and a linter cannot know it.
bool same_name(const QualifiedName &a, const QualifiedName &b) {
    return !a.name.empty() && a.name == b.name &&
           (a.schema.empty() || b.schema.empty() || a.schema == b.schema);
}

Action action_for(const rule_defs::RuleDef &def, const std::vector<RuleSetting> &settings) {
    Action action = def.info.default_action;
    for (const RuleSetting &s : settings)
        if (s.rule == def.info.id)
            action = s.action;
    return action;
}

// Like pg_size_pretty: 10 units of one size before switching to the next.
std::string pretty_size(int64_t bytes) {
    static const char *const units[] = {"bytes", "kB", "MB", "GB", "TB", "PB"};
    int64_t value = bytes;
    size_t unit = 0;
    while (unit + 1 < sizeof units / sizeof *units && (value >= 10 * 1024 || value <= -10 * 1024)) {
        value = (value + (value < 0 ? -512 : 512)) / 1024;
        ++unit;
    }
    return std::to_string(value) + " " + units[unit];
}

Finding make_finding(const rule_defs::RuleDef &def, Action action, Placeholders values,
                     int location, std::string extra_detail = {}) {
    Finding f;
    f.rule = def.info.id;
    f.action = action;
    f.location = location;
    f.def = &def;
    f.values = std::move(values);
    f.extra_detail = std::move(extra_detail);
    return f;
}

// ----- column types: the changes PostgreSQL makes without a rewrite that old code cannot notice

constexpr int kVarHdrSz = 4; // atttypmod of varchar(n) is n + 4; of numeric(p,s) ((p<<16)|s) + 4

struct NumericMod {
    int precision, scale;
};
NumericMod numeric_mod(int typmod) {
    const int m = typmod - kVarHdrSz;
    return {(m >> 16) & 0xffff, ((m & 0x7ff) ^ 1024) - 1024}; // PostgreSQL 15: scale may be < 0
}

std::string type_display(const ColumnFacts &c) {
    if ((c.type_name == "varchar" || c.type_name == "bpchar") && c.typmod >= kVarHdrSz)
        return c.type_name + "(" + std::to_string(c.typmod - kVarHdrSz) + ")";
    if (c.type_name == "numeric" && c.typmod >= kVarHdrSz) {
        const NumericMod m = numeric_mod(c.typmod);
        return "numeric(" + std::to_string(m.precision) + "," + std::to_string(m.scale) + ")";
    }
    return c.type_name;
}

bool safe_type_change(const ColumnFacts &from, const DdlChange &change) {
    const TypeRef &to = change.type;
    if (change.using_expression || to.array || to.names.empty())
        return false;
    if (to.names.size() > 1 && to.names[to.names.size() - 2] != "pg_catalog")
        return false; // a type of some other schema
    const std::string &name = to.names.back();
    const std::vector<int> &mods = to.typmods;
    if (from.type_name == "varchar") {
        if (name == "text")
            return mods.empty();
        if (name != "varchar")
            return false;
        if (mods.empty())
            return true;
        return mods.size() == 1 && from.typmod >= kVarHdrSz && mods[0] >= from.typmod - kVarHdrSz;
    }
    if (from.type_name == "text")
        return (name == "text" || name == "varchar") && mods.empty();
    if (from.type_name == "numeric") {
        if (name != "numeric")
            return false;
        if (mods.empty())
            return true;
        if (from.typmod < kVarHdrSz || mods.size() > 2)
            return false;
        const NumericMod old_mod = numeric_mod(from.typmod);
        const int scale = mods.size() == 2 ? mods[1] : 0;
        return scale == old_mod.scale && mods[0] >= old_mod.precision;
    }
    // The same type without modifiers on either side: nothing changes.
    return name == from.type_name && mods.empty() && from.typmod < 0;
}

const char *constraint_word(const std::string &type) {
    if (type == "check")
        return "check constraint";
    if (type == "foreign_key")
        return "foreign key";
    if (type == "unique")
        return "unique constraint";
    if (type == "not_null")
        return "NOT NULL constraint";
    if (type == "primary_key")
        return "primary key";
    if (type == "exclude")
        return "exclusion constraint";
    return "constraint";
}

// ----- judging one statement -------------------------------------------------------------

// Whether the last finding of a list says what an earlier one (from `first` on) says: a
// statement may name an object twice (DROP TABLE a, a). A comparison each for the few findings
// of most statements; past a handful, their message hashes are kept, so that a statement with
// thousands of findings costs no more than linear time.
class Repeats {
  public:
    bool last_repeats(const std::vector<Finding> &list, size_t first) {
        const Finding &last = list.back();
        const size_t earlier = list.size() - 1;
        if (earlier - first > kCompareEach && hashes_.empty())
            for (size_t i = first; i < earlier; ++i)
                hashes_.insert(rule_defs::message_hash(list[i]));
        if (!hashes_.empty() && hashes_.insert(rule_defs::message_hash(last)).second)
            return false; // a hash not seen before: a message not seen before
        for (size_t i = first; i < earlier; ++i)
            if (rule_defs::same_message(list[i], last))
                return true;
        return false;
    }

  private:
    static constexpr size_t kCompareEach = 16;
    std::unordered_set<size_t> hashes_;
};

class Judge {
  public:
    // Findings are added to `out` (a script's findings go to one vector).
    Judge(const DdlStatement &st, const Facts &facts, const std::vector<RuleSetting> &settings,
          const std::vector<QualifiedName> &created, const std::vector<NewColumn> &new_columns,
          bool lock_timeout_set, std::vector<Finding> &out, bool in_transaction = false)
        : st_(st), facts_(facts), settings_(settings), created_(created), new_columns_(new_columns),
          lock_timeout_set_(lock_timeout_set), in_transaction_(in_transaction), out_(out),
          first_(out.size()) {}

    void run() {
        for (const DdlChange &c : st_.changes) {
            judge(c);
            judge_concurrently(c);
        }
        judge_lock_timeout();
    }

  private:
    const DdlStatement &st_;
    const Facts &facts_;
    const std::vector<RuleSetting> &settings_;
    const std::vector<QualifiedName> &created_;
    const std::vector<NewColumn> &new_columns_;
    bool lock_timeout_set_;
    bool in_transaction_; // the statement runs inside a transaction block (scripts only)
    std::vector<Finding> &out_;
    size_t first_; // this statement's first finding in out_
    Repeats repeats_;

    // CONCURRENTLY inside a transaction block fails, on a table of this transaction too.
    void judge_concurrently(const DdlChange &c) {
        if (!in_transaction_ || !c.concurrently)
            return;
        const char *command = c.kind == ChangeKind::CreateIndex ? "CREATE INDEX CONCURRENTLY"
                              : c.kind == ChangeKind::DropIndex ? "DROP INDEX CONCURRENTLY"
                              : c.kind == ChangeKind::Reindex   ? "REINDEX CONCURRENTLY"
                                                                : nullptr;
        if (command == nullptr)
            return;
        Placeholders s;
        s.set(P::Command, {command});
        emit("concurrently-in-transaction", std::move(s));
    }

    // The facts gathered for this very name as written first: "orders" and "public.orders"
    // may be two tables (a temporary table hides the permanent one of the same name).
    const TableFacts *table_facts(const QualifiedName &n) const {
        if (!facts_.known)
            return nullptr;
        for (const TableFacts &t : facts_.tables)
            if (t.name.name == n.name && t.name.schema == n.schema)
                return &t;
        for (const TableFacts &t : facts_.tables)
            if (same_name(n, t.name))
                return &t;
        return nullptr;
    }

    const ColumnFacts *column_facts(const QualifiedName &table, const std::string &column) const {
        const TableFacts *t = table_facts(table);
        if (!t)
            return nullptr;
        for (const auto &c : t->columns)
            if (c.first == column)
                return &c.second;
        return nullptr;
    }

    // Nobody else can see an object created in this transaction. An IF EXISTS change of an
    // object the catalog says does not exist does nothing. (Without IF EXISTS a missing object
    // is still judged: lint() reads scripts whose earlier statements it does not run, and must
    // agree with the offline CLI.)
    bool exempt(const QualifiedName &n, bool missing_ok = false) const {
        for (const QualifiedName &c : created_)
            if (same_name(n, c))
                return true;
        const TableFacts *t = table_facts(n);
        return t && (t->created_in_this_transaction || (missing_ok && !t->exists));
    }
    bool exempt(const DdlChange &c) const { return exempt(c.object, c.missing_ok); }

    // A table column no one else knows: added in this transaction, by an earlier statement of
    // the script or (the catalog says) before this statement ran. Old code cannot use it, so
    // dropping, renaming or retyping it breaks nothing (making it NOT NULL still does).
    bool new_column(const DdlChange &c) const {
        if (!c.container.empty())
            return false;
        for (const NewColumn &n : new_columns_)
            if (n.column == c.column && same_name(c.object, n.table))
                return true;
        const ColumnFacts *col = column_facts(c.object, c.column);
        return col && col->added_in_this_transaction;
    }

    std::string size_note(const QualifiedName &table) const {
        const TableFacts *t = table_facts(table);
        if (!t || !t->bytes)
            return "";
        return " Table " + quoted(table) + " takes " + pretty_size(*t->bytes) + ".";
    }

    void emit(const char *rule, Placeholders s, std::string extra_detail = {}) {
        const rule_defs::RuleDef *def = rule_defs::find(rule);
        if (!def)
            return;
        const Action action = action_for(*def, settings_);
        if (action == Action::Off)
            return;
        out_.emplace_back(
            make_finding(*def, action, std::move(s), st_.location, std::move(extra_detail)));
        if (repeats_.last_repeats(out_, first_))
            out_.pop_back(); // said already
    }

    static Placeholders on_table(const QualifiedName &table) {
        const std::string name = table.display();
        Placeholders s;
        s.set(P::T, {name});
        s.set(P::Table, {"table \"", name, "\""});
        return s;
    }

    static Placeholders on_column(const QualifiedName &table, const std::string &column) {
        const std::string name = table.display();
        Placeholders s;
        s.set(P::T, {name});
        s.set(P::Table, {"table \"", name, "\""});
        s.set(P::C, {column});
        s.set(P::O, {column});
        s.set(P::Column, {"column \"", column, "\""});
        s.set(P::Drop, {"ALTER TABLE ", name, " DROP COLUMN ", column});
        s.set(P::Object, {s.get(P::Column), " of ", s.get(P::Table)});
        return s;
    }

    // A column change: of a table, a view, or an attribute of a composite type.
    static Placeholders on_column(const DdlChange &c) {
        if (c.container.empty())
            return on_column(c.object, c.column);
        const std::string name = c.object.display();
        Placeholders s;
        if (c.container == "domain") { // ALTER DOMAIN: the columns of that type
            s.set(P::Table, {"domain \"", name, "\""});
            s.set(P::Object, {s.get(P::Table)});
            s.set(P::T, {name}).set(P::O, {name}).set(P::C, {name});
            s.set(P::Column, {"the columns of ", s.get(P::Object)});
            return s;
        }
        const bool type = c.container == "type";
        s.set(P::Table, {c.container, " \"", name, "\""});
        s.set(P::T, {name});
        s.set(P::Column, {type ? "attribute \"" : "column \"", c.column, "\""});
        s.set(P::C, {c.column});
        s.set(P::Drop, {type ? "ALTER TYPE " : "ALTER TABLE ", name,
                        type ? " DROP ATTRIBUTE " : " DROP COLUMN ", c.column});
        s.set(P::Object, {s.get(P::Column), " of ", s.get(P::Table)});
        s.set(P::O, {c.column});
        return s;
    }

    static Placeholders on_object(const char *kind, const QualifiedName &object) {
        const std::string name = object.display();
        Placeholders s;
        s.set(P::Object, {kind, " \"", name, "\""});
        s.set(P::O, {name});
        if (std::string_view(kind) == "table") {
            s.set(P::Table, {s.get(P::Object)});
            s.set(P::T, {name});
        }
        return s;
    }

    void removal(const char *rule, const char *kind, const DdlChange &c) {
        if (!exempt(c))
            emit(rule, on_object(kind, c.object));
    }

    void rename(const char *rule, const char *kind, const DdlChange &c) {
        if (exempt(c))
            return;
        Placeholders s = on_object(kind, c.object);
        s.set(P::NewName, {"\"", c.new_name, "\""}).set(P::N, {c.new_name});
        emit(rule, std::move(s));
    }

    // Whether this statement also adds `column` to `table` (a constraint on a brand-new column
    // cannot reject what old code writes: old code never writes that column).
    bool adds_column(const QualifiedName &table, const std::string &column) const {
        if (column.empty())
            return false;
        // ADD COLUMN IF NOT EXISTS may add nothing (the column exists): not new.
        for (const DdlChange &c : st_.changes)
            if (c.kind == ChangeKind::AddColumn && c.column == column && !c.missing_ok &&
                same_name(c.object, table))
                return true;
        return false;
    }

    void judge(const DdlChange &c) {
        switch (c.kind) {
        case ChangeKind::DropTable:
            return removal("drop-table", "table", c);
        case ChangeKind::DropView:
            return removal("drop-view", "view", c);
        case ChangeKind::DropMaterializedView:
            return removal("drop-materialized-view", "materialized view", c);
        case ChangeKind::DropSchema:
            return removal("drop-schema", "schema", c);
        case ChangeKind::DropFunction:
            return removal("drop-function", "function", c);
        case ChangeKind::DropType:
            return removal("drop-type", "type", c);
        case ChangeKind::DropSequence:
            return removal("drop-sequence", "sequence", c);
        case ChangeKind::DropColumn:
            if (!exempt(c) && !new_column(c))
                emit("drop-column", on_column(c));
            return;
        case ChangeKind::DropIndex:
            if (!c.concurrently && !exempt(c))
                emit("drop-index-non-concurrently", on_object("index", c.object));
            return;
        case ChangeKind::RenameTable:
            return rename("rename-table", c.container.empty() ? "table" : c.container.c_str(), c);
        case ChangeKind::RenameView:
            return rename("rename-view", "view", c);
        case ChangeKind::RenameSchema:
            return rename("rename-schema", "schema", c);
        case ChangeKind::RenameFunction:
            return rename("rename-function", "function", c);
        case ChangeKind::RenameType:
            return rename("rename-type", "type", c);
        case ChangeKind::RenameColumn:
            if (!exempt(c) && !new_column(c)) {
                Placeholders s = on_column(c);
                s.set(P::NewName, {"\"", c.new_name, "\""}).set(P::N, {c.new_name});
                emit("rename-column", std::move(s));
            }
            return;
        case ChangeKind::RenameEnumValue: {
            Placeholders s = on_object("enum type", c.object);
            s.set(P::What, {"value \"", c.column, "\""});
            s.set(P::NewName, {"\"", c.new_name, "\""}).set(P::N, {c.new_name});
            return emit("rename-enum-value", std::move(s));
        }
        case ChangeKind::AddColumn:
            return judge_add_column(c);
        case ChangeKind::AlterColumnType:
            return judge_type_change(c);
        case ChangeKind::SetNotNull:
        case ChangeKind::DropNotNull: {
            if (exempt(c))
                return;
            const bool set = c.kind == ChangeKind::SetNotNull;
            const ColumnFacts *col = column_facts(c.object, c.column);
            if (col && col->not_null == set)
                return; // already so: nothing changes
            return emit(set ? "set-not-null" : "drop-not-null", on_column(c));
        }
        case ChangeKind::DropDefault:
            if (!exempt(c))
                emit("drop-default", on_column(c));
            return;
        case ChangeKind::AddConstraint:
            return judge_constraint(c);
        case ChangeKind::Truncate:
            if (!exempt(c))
                emit("truncate", on_object("table", c.object));
            return;
        case ChangeKind::Revoke:
            if (!exempt(c))
                emit("revoke-privileges", on_object(c.container.c_str(), c.object));
            return;
        case ChangeKind::CreateIndex: {
            if (exempt(c))
                return;
            Placeholders s = on_table(c.object);
            if (c.new_name.empty())
                s.set(P::Object, {"an index"}).set(P::O, {"<index>"});
            else
                s.set(P::Object, {"index \"", c.new_name, "\""}).set(P::O, {c.new_name});
            if (c.constraint_type == "unique")
                emit("add-unique-index", s);
            if (!c.concurrently)
                emit("create-index-non-concurrently", s, size_note(c.object));
            return;
        }
        case ChangeKind::Reindex:
            if (!c.concurrently && !exempt(c)) {
                Placeholders s;
                const std::string name = c.object.display();
                if (c.object.name.empty())
                    s.set(P::Object, {"the database"});
                else
                    s.set(P::Object, {"\"", name, "\""});
                s.set(P::O, {name});
                emit("reindex-non-concurrently", std::move(s), size_note(c.object));
            }
            return;
        case ChangeKind::VacuumFull:
        case ChangeKind::Cluster: {
            const bool vacuum = c.kind == ChangeKind::VacuumFull;
            if (!c.object.name.empty() && exempt(c.object))
                return;
            Placeholders s = c.object.name.empty() ? Placeholders{} : on_object("table", c.object);
            if (c.object.name.empty())
                s.set(P::Object,
                      {vacuum ? "every table in the database" : "every clustered table"});
            return emit(vacuum ? "vacuum-full" : "cluster", std::move(s), size_note(c.object));
        }
        case ChangeKind::ValidateConstraint:
        case ChangeKind::CreateTable:
        case ChangeKind::SetLockTimeout:
        case ChangeKind::TransactionBegin:
        case ChangeKind::TransactionEnd:
        case ChangeKind::Other:
            return;
        }
    }

    void judge_add_column(const DdlChange &c) {
        if (exempt(c))
            return;
        Placeholders s = on_table(c.object);
        s.set(P::Column, {"column \"", c.column, "\""}).set(P::C, {c.column});
        if (c.not_null && !c.has_default)
            emit("add-column-not-null-without-default", s);
        if (!c.type.array && !c.type.names.empty() && c.type.names.back() == "json" &&
            (c.type.names.size() == 1 || c.type.names.front() == "pg_catalog")) {
            Placeholders j = s;
            j.set(P::Object, {j.get(P::Column)});
            emit("add-json-column", std::move(j));
        }
        if (!c.has_default)
            return;
        std::vector<std::string> volatile_calls;
        for (const std::string &f : c.default_functions) {
            const bool known_volatile =
                is_known_volatile_function(f) ||
                (facts_.known &&
                 std::find(facts_.volatile_functions.begin(), facts_.volatile_functions.end(), f) !=
                     facts_.volatile_functions.end());
            if (known_volatile)
                volatile_calls.push_back(f + "()");
        }
        if (!c.default_is_volatile && volatile_calls.empty())
            return;
        std::string what;
        for (size_t i = 0; i < volatile_calls.size(); ++i)
            what += (i ? ", " : "") + volatile_calls[i];
        s.set(P::What, {what.empty() ? "a value computed for every row" : what});
        emit("add-column-volatile-default", std::move(s), size_note(c.object));
    }

    void judge_type_change(const DdlChange &c) {
        if (exempt(c) || new_column(c))
            return;
        Placeholders s = on_column(c.object, c.column);
        const std::string type = c.type.display.empty() ? "a new type" : c.type.display;
        s.set(P::Type, {type});
        std::string note;
        if (!facts_.known) {
            note = " Without a database connection the column's current type is unknown, so a "
                   "change PostgreSQL makes without a rewrite (a longer varchar, varchar to "
                   "text) cannot be told apart from one that breaks old code; check it against "
                   "the database.";
        } else if (const ColumnFacts *col = column_facts(c.object, c.column);
                   !col || col->type_name.empty()) {
            note = " The column's current type could not be read from the catalog.";
        } else if (safe_type_change(*col, c)) {
            return;
        } else {
            note = " The column is " + type_display(*col) + " now; " + type +
                   (c.using_expression ? " with a USING expression" : "") +
                   " is not a change PostgreSQL makes without a rewrite while old code cannot "
                   "notice.";
        }
        emit("alter-column-type", std::move(s), note + size_note(c.object));
    }

    void judge_constraint(const DdlChange &c) {
        if (exempt(c))
            return;
        Placeholders s = on_table(c.object);
        const std::string word = constraint_word(c.constraint_type);
        if (c.constraint_name.empty())
            s.set(P::Constraint, {word[0] == 'e' ? "an " : "a ", word});
        else
            s.set(P::Constraint, {word, " \"", c.constraint_name, "\""});
        s.set(P::O, {c.constraint_name});
        if (c.container == "domain") { // ALTER DOMAIN: every column of the type, in every table
            s.set(P::Table, {"domain \"", c.object.display(), "\""});
            return emit("add-domain-constraint", std::move(s));
        }
        const bool new_column = adds_column(c.object, c.column);
        const std::string &type = c.constraint_type;
        if (type == "check") {
            if (!new_column)
                emit("add-check-constraint", s);
        } else if (type == "foreign_key") {
            if (!c.referenced.name.empty())
                s.set(P::What, {"table \"", c.referenced.display(), "\""});
            emit("add-foreign-key", s);
        } else if (type == "unique" || type == "primary_key") {
            if (!c.using_index && !new_column)
                emit("add-unique-constraint", s);
        } else if (type == "exclude") {
            emit("add-exclusion-constraint", s);
        }
        if ((type == "check" || type == "foreign_key") && !c.not_valid)
            emit("constraint-not-valid-missing", std::move(s), size_note(c.object));
    }

    void judge_lock_timeout() {
        if (!st_.access_exclusive || lock_timeout_set_)
            return;
        for (const QualifiedName &t : st_.locked_tables) {
            const bool missing_ok =
                std::any_of(st_.changes.begin(), st_.changes.end(), [&](const DdlChange &c) {
                    return c.missing_ok && same_name(c.object, t);
                });
            if (exempt(t, missing_ok))
                continue;
            const std::string name = t.display();
            Placeholders s;
            s.set(P::Object, {"\"", name, "\""}).set(P::O, {name}).set(P::Command, {st_.command});
            emit("missing-lock-timeout", std::move(s), size_note(t));
            return;
        }
    }
};

// Whether a lock_timeout value turns the timeout on: anything but zero ("0", "0ms", "0.0s").
bool timeout_enabled(const std::string &value) {
    size_t i = 0;
    while (i < value.size() && std::isspace(static_cast<unsigned char>(value[i])))
        ++i;
    if (i == value.size())
        return false; // RESET / DEFAULT: the server default, normally 0
    const char *start = value.c_str() + i;
    char *end = nullptr;
    const double number = std::strtod(start, &end);
    if (end == start)
        return true; // not a number we understand: assume it sets a timeout
    return number != 0.0;
}

} // namespace

std::vector<Finding> evaluate(const DdlStatement &statement, const Facts &facts,
                              const std::vector<RuleSetting> &settings,
                              const std::vector<QualifiedName> &created_earlier) {
    std::vector<Finding> findings;
    const std::vector<NewColumn> no_columns; // the catalog's facts say which columns are new
    Judge(statement, facts, settings, created_earlier, no_columns,
          facts.known && facts.lock_timeout_set, findings)
        .run();
    return findings;
}

namespace {

// The change a dropped object amounts to for old code; Other when no rule is about it.
DdlChange dropped_change(const DroppedObject &d) {
    static const std::pair<const char *, ChangeKind> kinds[] = {
        {"table", ChangeKind::DropTable},
        {"foreign table", ChangeKind::DropTable},
        {"view", ChangeKind::DropView},
        {"materialized view", ChangeKind::DropMaterializedView},
        {"schema", ChangeKind::DropSchema},
        {"function", ChangeKind::DropFunction},
        {"procedure", ChangeKind::DropFunction},
        {"aggregate", ChangeKind::DropFunction},
        {"type", ChangeKind::DropType},
        {"domain", ChangeKind::DropType},
        {"composite type", ChangeKind::DropType},
        {"sequence", ChangeKind::DropSequence},
        {"table column", ChangeKind::DropColumn},
        {"composite type column", ChangeKind::DropColumn},
        {"default value", ChangeKind::DropDefault},
    };
    DdlChange c;
    for (const auto &k : kinds)
        if (d.object_type == k.first)
            c.kind = k.second;
    c.object = d.object;
    c.column = d.column;
    if (d.object_type == "composite type column")
        c.container = "type";
    return c;
}

} // namespace

bool judged_before_it_runs(const std::string &command, const std::string &object_type,
                           bool cascaded) {
    if (cascaded)
        return false; // the statement never names what CASCADE takes with it
    static const std::pair<const char *, const char *> judged[] = {
        {"DROP TABLE", "table"},
        {"DROP FOREIGN TABLE", "foreign table"},
        {"DROP VIEW", "view"},
        {"DROP MATERIALIZED VIEW", "materialized view"},
        {"DROP SCHEMA", "schema"},
        {"DROP FUNCTION", "function"},
        {"DROP PROCEDURE", "procedure"},
        {"DROP ROUTINE", "function"},
        {"DROP ROUTINE", "procedure"},
        {"DROP AGGREGATE", "aggregate"},
        {"DROP TYPE", "type"},
        {"DROP TYPE", "composite type"},
        {"DROP DOMAIN", "domain"},
        {"DROP SEQUENCE", "sequence"},
        {"ALTER TABLE", "table column"},
        {"ALTER TABLE", "default value"},
        {"ALTER FOREIGN TABLE", "table column"},
        {"ALTER FOREIGN TABLE", "default value"},
    };
    for (const auto &j : judged)
        if (command == j.first && object_type == j.second)
            return true;
    return false;
}

std::vector<Finding> evaluate_dropped(const std::string &command,
                                      const std::vector<DroppedObject> &dropped,
                                      const std::vector<RuleSetting> &settings) {
    // What goes with an old object the statement names (its owned sequences, its partitions)
    // follows from a drop already judged; with only new objects named, it is a surprise.
    bool names_an_old_object = false;
    for (const DroppedObject &d : dropped)
        names_an_old_object = names_an_old_object || (!d.automatic && !d.cascaded &&
                                                      dropped_change(d).kind != ChangeKind::Other);
    std::vector<Finding> findings;
    Repeats repeats;
    const Facts no_facts; // the caller left out what is exempt
    for (const DroppedObject &d : dropped) {
        if ((d.automatic && names_an_old_object) ||
            judged_before_it_runs(command, d.object_type, d.cascaded || d.automatic))
            continue;
        DdlStatement st;
        st.command = command;
        st.changes.push_back(dropped_change(d));
        if (st.changes.back().kind == ChangeKind::Other)
            continue;
        for (Finding &f : evaluate(st, no_facts, settings)) {
            if (d.automatic)
                f.extra_detail += " " + command +
                                  " drops it with what it belongs to (a dropped table owning the "
                                  "sequence, a dropped partitioned table, a dropped extension).";
            else if (d.cascaded)
                f.extra_detail +=
                    " " + command + " drops it with an object it depends on (CASCADE).";
            else
                f.extra_detail += " " + command + " drops it.";
            findings.push_back(std::move(f));
            if (repeats.last_repeats(findings, 0))
                findings.pop_back();
        }
    }
    return findings;
}

namespace {

// A table of the transaction renamed (or moved to another schema) stays new under its new name,
// and so do the columns it gained; a dropped one is gone; an older table that takes the name a
// new one had is old (CREATE TABLE t ...; ALTER TABLE t RENAME TO t_old; ALTER TABLE live
// RENAME TO t; DROP TABLE t drops the live table).
void follow_table(const DdlChange &c, std::vector<QualifiedName> &created,
                  std::vector<NewColumn> &new_columns) {
    QualifiedName renamed = c.object;
    if (c.kind == ChangeKind::RenameTable) {
        const size_t dot = c.new_name.find('.'); // SET SCHEMA: "schema.name"
        if (dot == std::string::npos) {
            renamed.name = c.new_name;
        } else {
            renamed.schema = c.new_name.substr(0, dot);
            renamed.name = c.new_name.substr(dot + 1);
        }
    }
    const bool drop = c.kind == ChangeKind::DropTable;
    auto follow = [&](QualifiedName &table) { // false: forget it
        if (same_name(c.object, table)) {
            table = renamed;
            return !drop;
        }
        return drop || !same_name(renamed, table);
    };
    created.erase(std::remove_if(created.begin(), created.end(),
                                 [&](QualifiedName &t) { return !follow(t); }),
                  created.end());
    new_columns.erase(std::remove_if(new_columns.begin(), new_columns.end(),
                                     [&](NewColumn &n) { return !follow(n.table); }),
                      new_columns.end());
}

} // namespace

bool controls_transaction(const DdlStatement &statement) {
    return std::any_of(statement.changes.begin(), statement.changes.end(), [](const DdlChange &c) {
        return c.kind == ChangeKind::TransactionBegin || c.kind == ChangeKind::TransactionEnd;
    });
}

ScriptJudge::ScriptJudge(const Facts &facts, const std::vector<RuleSetting> &settings,
                         bool implicit_transaction)
    // Without BEGIN/COMMIT of its own, a script runs either in one transaction its tool opens
    // or statement by statement (autocommit).
    : facts_(facts), settings_(settings), in_transaction_(implicit_transaction),
      session_timeout_(facts.known && facts.lock_timeout_set) {}

void ScriptJudge::judge(const DdlStatement &statement, std::vector<Finding> &out) {
    const bool timeout = local_timeout_ >= 0 ? local_timeout_ == 1 : session_timeout_;
    Judge(statement, facts_, settings_, created_, new_columns_, timeout, out, in_transaction_)
        .run();
    for (const DdlChange &c : statement.changes)
        follow(c);
}

void ScriptJudge::follow(const DdlChange &c) {
    switch (c.kind) {
    case ChangeKind::TransactionBegin:
    case ChangeKind::TransactionEnd:
        in_transaction_ = c.kind == ChangeKind::TransactionBegin;
        created_.clear();
        new_columns_.clear();
        local_timeout_ = -1;
        break;
    case ChangeKind::AddColumn:
        // ADD COLUMN IF NOT EXISTS may add nothing: the column is not new then.
        if (in_transaction_ && !c.missing_ok && c.container.empty())
            new_columns_.push_back({c.object, c.column});
        break;
    case ChangeKind::RenameColumn:
    case ChangeKind::DropColumn:
        // A new column stays new under its new name; whatever column takes a name a new
        // column had is an old one.
        for (auto it = new_columns_.begin(); it != new_columns_.end();) {
            const bool same_table = same_name(c.object, it->table);
            if (same_table && it->column == c.column && c.kind == ChangeKind::RenameColumn) {
                it->column = c.new_name;
                ++it;
            } else if (same_table && (it->column == c.column || it->column == c.new_name)) {
                it = new_columns_.erase(it);
            } else {
                ++it;
            }
        }
        break;
    case ChangeKind::RenameTable:
    case ChangeKind::DropTable:
        follow_table(c, created_, new_columns_);
        break;
    case ChangeKind::CreateTable:
        // CREATE TABLE IF NOT EXISTS may create nothing: the table is not new then.
        if (in_transaction_ && !c.missing_ok)
            created_.push_back(c.object);
        break;
    case ChangeKind::CreateIndex: {
        // An index on a table of this transaction is as invisible as its table.
        const bool new_table =
            std::any_of(created_.begin(), created_.end(),
                        [&](const QualifiedName &n) { return same_name(c.object, n); });
        if (in_transaction_ && new_table && !c.new_name.empty())
            created_.push_back(QualifiedName{c.object.schema, c.new_name});
        break;
    }
    case ChangeKind::SetLockTimeout:
        if (c.local) {
            if (in_transaction_) // outside a transaction block SET LOCAL does nothing
                local_timeout_ = timeout_enabled(c.setting_value) ? 1 : 0;
        } else {
            session_timeout_ = timeout_enabled(c.setting_value);
            local_timeout_ = -1;
        }
        break;
    default:
        break;
    }
}

std::vector<Finding> evaluate_script(const std::vector<DdlStatement> &statements,
                                     const Facts &facts, const std::vector<RuleSetting> &settings,
                                     bool assume_in_transaction) {
    const bool implicit_transaction =
        assume_in_transaction &&
        std::none_of(statements.begin(), statements.end(),
                     [](const DdlStatement &st) { return controls_transaction(st); });
    ScriptJudge judge(facts, settings, implicit_transaction);
    std::vector<Finding> findings;
    findings.reserve(statements.size()); // scripts that need linting have about one each
    for (const DdlStatement &st : statements)
        judge.judge(st, findings);
    return findings;
}

std::string trim(const std::string &s) {
    size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b])))
        ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1])))
        --e;
    return s.substr(b, e - b);
}

bool says_no_transaction(const std::string &script) {
    // graphile-migrate: "--! no-transaction" among the "--!" header lines at the top.
    size_t pos = script.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
    while (pos < script.size() && script.compare(pos, 3, "--!") == 0) {
        size_t eol = script.find('\n', pos);
        if (eol == std::string::npos)
            eol = script.size();
        if (trim(script.substr(pos + 3, eol - pos - 3)) == "no-transaction")
            return true;
        pos = eol + 1;
    }
    // dbmate: "-- migrate:up transaction:false".
    const size_t up = script.find("-- migrate:up");
    if (up != std::string::npos) {
        const size_t eol = script.find('\n', up);
        const std::string line =
            script.substr(up, eol == std::string::npos ? std::string::npos : eol - up);
        if (line.find("transaction:false") != std::string::npos)
            return true;
    }
    return false;
}

bool is_known_volatile_function(const std::string &name) {
    // Volatile in pg_catalog (provolatile = 'v') and in the usual extensions (uuid-ossp,
    // pgcrypto); the functions a column default plausibly calls.
    static const char *const names[] = {
        "clock_timestamp",    "currval",          "gen_random_bytes", "gen_random_uuid",
        "gen_salt",           "lastval",          "nextval",          "random",
        "random_normal",      "setval",           "timeofday",        "uuid_generate_v1",
        "uuid_generate_v1mc", "uuid_generate_v4", "uuidv4",           "uuidv7",
    };
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    for (const char *n : names)
        if (lower == n)
            return true;
    return false;
}

std::optional<Finding> table_rewrite_finding(const QualifiedName &table,
                                             std::optional<int64_t> bytes,
                                             const std::vector<RuleSetting> &settings,
                                             int location) {
    const rule_defs::RuleDef *def = rule_defs::find("table-rewrite");
    const Action action = action_for(*def, settings);
    if (action == Action::Off)
        return std::nullopt;
    const std::string name = table.display();
    Placeholders s;
    s.set(P::Table, {"table \"", name, "\""}).set(P::T, {name});
    if (bytes)
        s.set(P::What, {pretty_size(*bytes)});
    return make_finding(*def, action, std::move(s), location);
}

std::optional<Finding> syntax_error_finding(const std::string &message, int location,
                                            const std::vector<RuleSetting> &settings) {
    const rule_defs::RuleDef *def = rule_defs::find("syntax-error");
    const Action action = action_for(*def, settings);
    if (action == Action::Off)
        return std::nullopt;
    Placeholders s;
    s.set(P::What, {message});
    return make_finding(*def, action, std::move(s), location);
}

} // namespace mg
