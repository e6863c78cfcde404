// The rule catalogue: ids, categories, default actions and texts. Recipes follow seed 002: a
// rename or a type change = add the new thing and backfill, switch the code, drop the old in a
// later deploy; a removal = stop using it in code, then drop it in a later deploy.
// One page per rule in docs/rules/<id>.md says the same at length.
#include "core/rule_defs.hpp"

#include <algorithm>
#include <cstring>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace mg::rule_defs {
namespace {

constexpr const char *kOldCode =
    "While a deploy is under way, the old version of the application keeps serving requests "
    "next to the new one (Heroku preboot, rolling deploys)";

// Texts shared by rules of one family.
constexpr const char *kRemovalWhy =
    "{old} and still uses {object}; its statements fail as soon as it is dropped.";
constexpr const char *kRemovalRecipe =
    "Removal takes two deploys: first deploy code that no longer uses {object}; then drop it "
    "in a later deploy, once no running version of the application uses it.";
constexpr const char *kRenameWhy =
    "{old} and still uses {object} by its old name; its statements fail as soon as the name "
    "changes.";
constexpr const char *kRenameRecipe =
    "A rename takes three deploys: create {new} next to {object} (a copy kept in sync, or a "
    "view or wrapper over it); deploy code that uses only {new}; drop the old name in a later "
    "deploy.";
constexpr const char *kRemovalMessage =
    "dropping {object} breaks the running application's old code";
constexpr const char *kRenameMessage =
    "renaming {object} to {new} breaks the running application's old code";

constexpr Action B = Action::Block;
constexpr Action W = Action::Warn;
constexpr const char *kCompat = "compatibility";
constexpr const char *kLocking = "locking";

RuleDef def(const char *id, const char *category, Action action, const char *summary,
            const char *message, const char *why, const char *recipe, const char *generic_object,
            const char *generic_what = "") {
    return RuleDef{RuleInfo{id, category, action, summary, nullptr, nullptr},
                   message,
                   why,
                   recipe,
                   generic_object,
                   generic_what};
}

std::vector<RuleDef> make_defs() {
    return {
        // ----- compatibility with the running old code ---------------------------------------
        def("drop-table", kCompat, B, "DROP TABLE of a table the running application may use",
            kRemovalMessage, kRemovalWhy, kRemovalRecipe, "the table"),
        def("drop-view", kCompat, B, "DROP VIEW of a view the running application may use",
            kRemovalMessage, kRemovalWhy, kRemovalRecipe, "the view"),
        def("drop-materialized-view", kCompat, B,
            "DROP MATERIALIZED VIEW of a view the running application may use", kRemovalMessage,
            kRemovalWhy, kRemovalRecipe, "the materialized view"),
        def("drop-column", kCompat, B, "ALTER TABLE ... DROP COLUMN of a column in use",
            kRemovalMessage, kRemovalWhy,
            "Removal takes two deploys: first deploy code that no longer reads or writes "
            "{object} (an ORM must stop selecting it too: Rails ignored_columns, Django "
            "SeparateDatabaseAndState); then drop it in a later deploy: {drop};",
            "the column"),
        def("drop-schema", kCompat, B, "DROP SCHEMA of a schema the running application may use",
            kRemovalMessage, kRemovalWhy, kRemovalRecipe, "the schema"),
        def("drop-function", kCompat, B,
            "DROP FUNCTION / PROCEDURE of a routine the running application may call",
            kRemovalMessage, kRemovalWhy, kRemovalRecipe, "the function"),
        def("drop-type", kCompat, B, "DROP TYPE / DOMAIN of a type the running application may use",
            kRemovalMessage, kRemovalWhy, kRemovalRecipe, "the type"),
        def("drop-sequence", kCompat, B,
            "DROP SEQUENCE of a sequence the running application may use", kRemovalMessage,
            "{old} and still uses {object}: its nextval() calls fail, and with the sequence "
            "goes every column default that calls it (DROP SEQUENCE ... CASCADE), so its INSERTs "
            "store NULL or fail.",
            kRemovalRecipe, "the sequence"),
        def("rename-table", kCompat, B, "ALTER TABLE ... RENAME TO (and SET SCHEMA)",
            kRenameMessage, kRenameWhy,
            "A rename takes three deploys: create the table {new}, backfill it and keep both in "
            "sync with a trigger (or rename it and leave a view {o} over {n} for the old code); "
            "deploy code that uses only {new}; drop the old name in a later deploy.",
            "the table"),
        def("rename-column", kCompat, B, "ALTER TABLE ... RENAME COLUMN", kRenameMessage,
            kRenameWhy,
            "A rename takes three deploys: add column {new} to {table} with the same type, "
            "backfill it and keep both columns in sync with a trigger; deploy code that reads and "
            "writes only {new}; drop column {c} in a later deploy.",
            "the column"),
        def("rename-schema", kCompat, B, "ALTER SCHEMA ... RENAME TO", kRenameMessage, kRenameWhy,
            kRenameRecipe, "the schema"),
        def("rename-view", kCompat, B,
            "ALTER VIEW / MATERIALIZED VIEW ... RENAME TO (and SET SCHEMA)", kRenameMessage,
            kRenameWhy, kRenameRecipe, "the view"),
        def("rename-function", kCompat, B,
            "ALTER FUNCTION / PROCEDURE ... RENAME TO (and SET SCHEMA)", kRenameMessage, kRenameWhy,
            kRenameRecipe, "the function"),
        def("rename-type", kCompat, B, "ALTER TYPE / DOMAIN ... RENAME TO (and SET SCHEMA)",
            kRenameMessage, kRenameWhy, kRenameRecipe, "the type"),
        def("rename-enum-value", kCompat, B, "ALTER TYPE ... RENAME VALUE of an enum",
            "renaming {what} of {object} to {new} breaks the running application's old code",
            "{old} and still writes and compares {what}; writing it fails once it is renamed "
            "(invalid input value for enum), and rows carry a value it does not know.",
            "Add the new value instead (ALTER TYPE {o} ADD VALUE '{n}'); deploy code that writes "
            "only the new value and accepts both; then move the rows over. PostgreSQL cannot "
            "drop an enum value: leave the old one, or recreate the type in a later deploy.",
            "the enum type", "the value"),
        def("alter-column-type", kCompat, B,
            "ALTER COLUMN ... TYPE, unless PostgreSQL does it without a rewrite and old code "
            "cannot notice",
            "changing the type of {object} to {type} may break the running application's old "
            "code",
            "{old} and still reads and writes {object} as its current type: values it writes "
            "may be rejected or converted, and what it reads back changes. Most type changes "
            "also rewrite the table and its indexes under an ACCESS EXCLUSIVE lock.",
            "A type change takes three deploys: add a new column of type {type} to {table}, "
            "backfill it and keep both in sync with a trigger; deploy code that uses only the new "
            "column; drop the old one in a later deploy. Changes PostgreSQL makes without a "
            "rewrite that old code cannot notice (a longer varchar, varchar to text, more numeric "
            "precision at the same scale) pass when the column's current type is known.",
            "the column"),
        def("add-column-not-null-without-default", kCompat, B,
            "ADD COLUMN ... NOT NULL without a DEFAULT on an existing table",
            "adding {column} to {table} as NOT NULL without a default breaks the running "
            "application's old code",
            "{old} and its INSERTs do not mention {column}; they fail with a not-null violation "
            "once it exists (on a table that has rows, the ALTER TABLE itself fails).",
            "Add the column as nullable, or with a constant DEFAULT; deploy code that always "
            "writes it and backfill the existing rows; add NOT NULL in a later deploy (see the "
            "set-not-null rule).",
            "the column"),
        def("set-not-null", kCompat, B, "ALTER COLUMN ... SET NOT NULL on an existing table",
            "setting NOT NULL on {object} breaks the running application's old code where it "
            "writes NULL",
            "{old} and may still write NULL into {object}; those writes fail once the column is "
            "NOT NULL. SET NOT NULL also scans the whole table under an ACCESS EXCLUSIVE lock.",
            "First deploy code that never writes NULL there and backfill the existing NULLs; "
            "then, in a later deploy: ALTER TABLE {t} ADD CONSTRAINT {c}_not_null CHECK ({c} IS "
            "NOT NULL) NOT VALID; ALTER TABLE {t} VALIDATE CONSTRAINT {c}_not_null; ALTER TABLE "
            "{t} ALTER COLUMN {c} SET NOT NULL (PostgreSQL 12+ trusts the valid check and skips "
            "the scan); then drop the check.",
            "the column"),
        def("add-check-constraint", kCompat, B, "ADD CONSTRAINT ... CHECK on an existing table",
            "adding {constraint} to {table} may reject writes from the running application's old "
            "code",
            "{old} and knows nothing of {constraint}: its INSERTs and UPDATEs that violate it "
            "fail. NOT VALID does not help here: it skips only the existing rows, new writes are "
            "checked at once.",
            "First deploy code that never writes rows that violate the constraint, and fix the "
            "existing rows; then add it in a later deploy with NOT VALID and validate it in a "
            "separate statement (ALTER TABLE {t} VALIDATE CONSTRAINT <name>).",
            "the constraint"),
        def("add-foreign-key", kCompat, B, "ADD ... FOREIGN KEY / REFERENCES on an existing table",
            "adding {constraint} from {table} to {what} may reject writes from the running "
            "application's old code",
            "{old} and knows nothing of {constraint}: its writes to {table} that reference "
            "missing rows fail, and so do its deletes of rows in {what} that are still "
            "referenced. NOT VALID skips only the existing rows.",
            "First deploy code that keeps the references valid (deleting or updating the "
            "referencing rows first); then add the foreign key in a later deploy with NOT VALID "
            "and validate it in a separate statement (ALTER TABLE {t} VALIDATE CONSTRAINT "
            "<name>).",
            "the constraint", "the referenced table"),
        def("add-unique-constraint", kCompat, B,
            "ADD CONSTRAINT ... UNIQUE / PRIMARY KEY on an existing table, unless USING INDEX",
            "adding {constraint} to {table} may reject writes from the running application's old "
            "code",
            "{old} and may write values that {constraint} refuses (duplicates; for a primary key "
            "also NULLs); those writes fail. Adding it also builds the index while holding an "
            "ACCESS EXCLUSIVE lock on {table}.",
            "First deploy code that never writes duplicates; then build the index without "
            "blocking (CREATE UNIQUE INDEX CONCURRENTLY <index> ON {t} (...)) and attach it: "
            "ALTER TABLE {t} ADD CONSTRAINT <name> UNIQUE USING INDEX <index> (or PRIMARY KEY "
            "USING INDEX).",
            "the constraint"),
        def("add-unique-index", kCompat, W, "CREATE UNIQUE INDEX on an existing table",
            "adding unique {object} on {table} may reject writes from the running application's "
            "old code",
            "{old} and may write duplicates the new index refuses; those writes fail as soon as "
            "the index is built, CONCURRENTLY or not.",
            "First deploy code that never writes duplicates and remove the existing ones; then "
            "build the index in a later deploy: CREATE UNIQUE INDEX CONCURRENTLY {o} ON {t} "
            "(...).",
            "the index"),
        def("add-domain-constraint", kCompat, B,
            "ALTER DOMAIN ... ADD CONSTRAINT / SET NOT NULL of a domain in use",
            "adding {constraint} to {table} may reject writes from the running application's old "
            "code",
            "{old} and knows nothing of {constraint}: its writes of values {table} now refuses, "
            "in every column of that type, fail. NOT VALID skips only the existing values.",
            "First deploy code that never writes values the constraint refuses, and fix the "
            "existing ones; then add it in a later deploy as a CHECK with NOT VALID and validate "
            "it in a separate statement (ALTER DOMAIN {t} VALIDATE CONSTRAINT <name>).",
            "the constraint"),
        def("add-exclusion-constraint", kCompat, B,
            "ADD CONSTRAINT ... EXCLUDE on an existing table",
            "adding {constraint} to {table} may reject writes from the running application's old "
            "code",
            "{old} and may write rows that conflict under {constraint}; those writes fail. "
            "Building it takes an ACCESS EXCLUSIVE lock on {table} for the whole index build, "
            "and it cannot be built concurrently.",
            "First deploy code that never writes conflicting rows and fix the existing ones; then "
            "add the constraint in a later deploy, at a quiet time, with lock_timeout set.",
            "the constraint"),
        def("add-json-column", kCompat, W, "ADD COLUMN of type json on an existing table",
            "adding {object} of type json to {table} may break the running application's old "
            "code",
            "{old} and may run SELECT DISTINCT, UNION or GROUP BY over whole rows of {table}; "
            "json has no equality operator, so those queries fail once the table has a json "
            "column.",
            "Use jsonb (it has equality, and indexes): ALTER TABLE {t} ADD COLUMN {c} jsonb.",
            "the column"),
        def("revoke-privileges", kCompat, W, "REVOKE of privileges on an object in use",
            "revoking privileges on {object} may break the running application's old code",
            "{old} and may run as a role that needs the privileges revoked from {object}; its "
            "statements then fail with \"permission denied\".",
            "Check that no role the application runs as (directly, through PUBLIC or a role it "
            "belongs to) still needs the privilege; revoke it in a later deploy, once no running "
            "version of the application does.",
            "the object"),
        def("truncate", kCompat, B, "TRUNCATE of a table the running application uses",
            "truncating {object} removes every row the running application's old code still "
            "uses",
            "{old} and still reads and writes {object}; TRUNCATE empties it at once (with "
            "CASCADE, every table that references it too) under an ACCESS EXCLUSIVE lock.",
            "Delete rows the application no longer needs in batches in a data migration, or "
            "truncate only once no running version of the application uses the table, in a "
            "later deploy.",
            "the table"),
        def("drop-default", kCompat, W, "ALTER COLUMN ... DROP DEFAULT",
            "dropping the default of {object} may break the running application's old code",
            "{old} and its INSERTs may leave {column} out and rely on the default; they now "
            "store NULL there, or fail if the column is NOT NULL.",
            "First deploy code that always writes {column}; drop the default in a later deploy.",
            "the column"),
        def("drop-not-null", kCompat, W, "ALTER COLUMN ... DROP NOT NULL",
            "dropping NOT NULL on {object} may break the running application's old code",
            "{old} and may assume {column} is never NULL; rows the new code writes with NULL "
            "there can make it fail.",
            "First deploy code that handles NULL in {column} everywhere; drop NOT NULL in a "
            "later deploy, before any code writes NULL there.",
            "the column"),

        // ----- locks and rewrites -----------------------------------------------------------
        def("create-index-non-concurrently", kLocking, W,
            "CREATE INDEX without CONCURRENTLY on an existing table",
            "creating {object} on {table} without CONCURRENTLY blocks writes to the table while "
            "the index builds",
            "CREATE INDEX holds a SHARE lock on {table} for the whole build: every INSERT, UPDATE "
            "and DELETE waits until it finishes, which takes minutes on a large table.",
            "Use CREATE INDEX CONCURRENTLY, outside a transaction block (begin the migration "
            "outside one). If it fails it leaves an INVALID index: drop it and try again.",
            "the index"),
        def("drop-index-non-concurrently", kLocking, W, "DROP INDEX without CONCURRENTLY",
            "dropping {object} without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on its table",
            "DROP INDEX locks the index's table in ACCESS EXCLUSIVE mode: it waits behind every "
            "running query on the table, and every new query queues behind it.",
            "Use DROP INDEX CONCURRENTLY {o}, outside a transaction block.", "the index"),
        def("reindex-non-concurrently", kLocking, W, "REINDEX without CONCURRENTLY",
            "reindexing {object} without CONCURRENTLY blocks writes, and reads that use the index",
            "REINDEX locks each index it rebuilds in ACCESS EXCLUSIVE mode and its table in SHARE "
            "mode: writes wait for the whole rebuild, and so does every query that plans to use "
            "the index.",
            "Use REINDEX ... CONCURRENTLY (REINDEX INDEX CONCURRENTLY {o}), outside a "
            "transaction block.",
            "the index or table"),
        def("constraint-not-valid-missing", kLocking, W,
            "CHECK or FOREIGN KEY on an existing table without NOT VALID",
            "adding {constraint} to {table} without NOT VALID checks every existing row while "
            "blocking writes",
            "PostgreSQL validates a new CHECK constraint by scanning {table} under an ACCESS "
            "EXCLUSIVE lock, and a new foreign key under a SHARE ROW EXCLUSIVE lock on both "
            "tables: writes wait for the whole scan.",
            "Add it with NOT VALID (new writes are checked at once; nothing is scanned), then "
            "validate it in a separate transaction: ALTER TABLE {t} VALIDATE CONSTRAINT <name>, "
            "which takes only a SHARE UPDATE EXCLUSIVE lock. For a constraint written on a new "
            "column, add the column first and the constraint in a second statement.",
            "the constraint"),
        def("add-column-volatile-default", kLocking, W,
            "ADD COLUMN with a volatile default (also serial, identity, stored generated)",
            "adding {column} to {table} with a volatile default ({what}) rewrites the whole table",
            "Since PostgreSQL 11 a constant or stable default (now(), 'x') is stored once and "
            "costs nothing, but a volatile one ({what}) is computed for every existing row: the "
            "table and its indexes are rewritten under an ACCESS EXCLUSIVE lock that blocks every "
            "read and write. serial and identity columns (nextval) and stored generated columns "
            "rewrite the same way.",
            "Add the column without a default (or with a constant one); set the default for new "
            "rows in a second statement (ALTER TABLE {t} ALTER COLUMN {c} SET DEFAULT ...); "
            "backfill the existing rows in batches.",
            "the column", "random(), gen_random_uuid(), clock_timestamp()..."),
        def("table-rewrite", kLocking, W,
            "any table rewrite PostgreSQL announces (table_rewrite event; in-database only)",
            "rewriting {table} ({what}) blocks every read and write until it is done",
            "PostgreSQL announced a table rewrite (the table_rewrite event): it copies every row "
            "of {table} and rebuilds its indexes while holding an ACCESS EXCLUSIVE lock, so every "
            "read and write waits until the copy is done.",
            "Find the subcommand that rewrites (a type change, a volatile default, SET "
            "LOGGED/UNLOGGED, SET ACCESS METHOD, a stored generated column) and use its "
            "no-rewrite recipe: add a new column, backfill it in batches, switch the code, drop "
            "the old column in a later deploy.",
            "the table", "size unknown"),
        def("vacuum-full", kLocking, W,
            "VACUUM FULL, which rewrites the table under an exclusive lock",
            "VACUUM FULL of {object} rewrites it under an ACCESS EXCLUSIVE lock",
            "VACUUM FULL copies {object} into new files and rebuilds its indexes while holding an "
            "ACCESS EXCLUSIVE lock: every read and write waits for the whole copy.",
            "Use plain VACUUM, which takes no exclusive lock, or reclaim space online with "
            "pg_repack or pg_squeeze.",
            "the table"),
        def("cluster", kLocking, W, "CLUSTER, which rewrites the table under an exclusive lock",
            "CLUSTER of {object} rewrites it under an ACCESS EXCLUSIVE lock",
            "CLUSTER copies {object} in index order and rebuilds its indexes while holding an "
            "ACCESS EXCLUSIVE lock: every read and write waits for the whole copy.",
            "Reorder the table online with pg_repack (--order-by), or run CLUSTER in a "
            "maintenance window.",
            "the table"),
        def("missing-lock-timeout", kLocking, W,
            "a statement taking ACCESS EXCLUSIVE on an existing table without lock_timeout",
            "{command} takes an ACCESS EXCLUSIVE lock on {object} with no lock_timeout set",
            "An ACCESS EXCLUSIVE lock request waits for every running query on {object}, and "
            "while it waits every new query on it queues behind the request: one slow query "
            "turns into an outage.",
            "Set a short lock_timeout before the statement (SET lock_timeout = '5s'; or SET "
            "LOCAL inside the migration's transaction) and retry when it times out.",
            "the table"),

        // ----- lint ------------------------------------------------------------------------
        def("syntax-error", "lint", B, "a statement PostgreSQL cannot parse (lint only)", "{what}",
            "The statement is not valid PostgreSQL 15 SQL: the migration would fail when it "
            "reaches it.",
            "Fix the statement where the parser stopped; the other statements of the script were "
            "still checked.",
            "the statement", "the statement does not parse"),
        def("concurrently-in-transaction", "lint", B,
            "CREATE INDEX, DROP INDEX or REINDEX CONCURRENTLY inside a transaction block (lint "
            "only)",
            "{command} cannot run inside a transaction block: the migration fails here",
            "PostgreSQL refuses CONCURRENTLY inside a transaction block (SQLSTATE 25001). A "
            "migration tool that runs the file in one transaction, as most do unless told "
            "otherwise, fails at this statement and rolls the whole migration back.",
            "Give the statement a migration of its own that runs outside a transaction: "
            "graphile-migrate's --! no-transaction, dbmate's transaction:false, node-pg-migrate's "
            "pgm.noTransaction(), Flyway's executeInTransaction=false, Rails' "
            "disable_ddl_transaction!, Django's atomic = False. With migration_guard, a migration "
            "may span transactions (begin_migration ... finish_migration).",
            "the statement"),
    };
}

// The catalogue with its general texts rendered once; the RuleInfo pointers point into it.
struct Catalogue {
    std::vector<RuleDef> defs;
    std::vector<std::string> texts; // why and recipe of each rule, in general terms
    std::vector<RuleInfo> infos;

    Catalogue() : defs(make_defs()) {
        texts.reserve(defs.size() * 2);
        for (const RuleDef &d : defs) {
            texts.push_back(render(d.why, d, {}));
            texts.push_back(render(d.recipe, d, {}));
        }
        for (size_t i = 0; i < defs.size(); ++i) {
            defs[i].info.why = texts[2 * i].c_str();
            defs[i].info.recipe = texts[2 * i + 1].c_str();
            infos.push_back(defs[i].info);
        }
    }
};

const Catalogue &catalogue() {
    static const Catalogue c;
    return c;
}

} // namespace

const std::vector<RuleDef> &all() {
    return catalogue().defs;
}

const RuleDef *find(std::string_view id) {
    static const std::unordered_map<std::string_view, const RuleDef *> by_id = [] {
        std::unordered_map<std::string_view, const RuleDef *> index;
        for (const RuleDef &d : all())
            index.emplace(d.info.id, &d);
        return index;
    }();
    const auto it = by_id.find(id);
    return it == by_id.end() ? nullptr : it->second;
}

const RuleDef *find(const char *id) {
    // The engine names rules with literals: remembered by address, checked by content (an
    // address may be reused for other text).
    static std::unordered_map<const char *, const RuleDef *> by_address;
    const auto it = by_address.find(id);
    if (it != by_address.end() && std::strcmp(it->second->info.id, id) == 0)
        return it->second;
    const RuleDef *def = find(std::string_view(id));
    if (def != nullptr)
        by_address[id] = def;
    return def;
}

namespace {

// A template split once into its literal runs and its placeholders, so that writing a finding's
// text is one append per piece.
struct Segment {
    int placeholder;       // a Placeholders::Name, or kLiteral
    std::string_view text; // kLiteral only
    bool plain = false;    // kLiteral only: printable ASCII without '"' or '\\'
};
constexpr int kLiteral = -1;

bool is_plain(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; });
}

// {old} is the same sentence in every text: it becomes part of the literal run.
constexpr std::string_view kOldPlaceholder = "old";

int placeholder(std::string_view name) {
    using P = Placeholders;
    static const std::pair<std::string_view, P::Name> names[] = {
        {"object", P::Object}, {"o", P::O},
        {"table", P::Table},   {"t", P::T},
        {"column", P::Column}, {"c", P::C},
        {"new", P::NewName},   {"n", P::N},
        {"type", P::Type},     {"constraint", P::Constraint},
        {"what", P::What},     {"command", P::Command},
        {"drop", P::Drop},
    };
    for (const auto &[text, which] : names)
        if (name == text)
            return which;
    return kLiteral; // not a placeholder: the brace is text
}

std::vector<Segment> compile(std::string_view t) {
    std::vector<Segment> out;
    size_t literal_start = 0; // start of the literal run not yet added
    auto add_literal = [&](std::string_view text) {
        if (!text.empty())
            out.push_back({kLiteral, text, is_plain(text)});
    };
    for (size_t i = 0; i < t.size(); ++i) {
        if (t[i] != '{')
            continue;
        const size_t close = t.find('}', i);
        if (close == std::string_view::npos)
            break;
        const std::string_view name = t.substr(i + 1, close - i - 1);
        const int which = placeholder(name);
        if (which == kLiteral && name != kOldPlaceholder)
            continue;
        add_literal(t.substr(literal_start, i - literal_start));
        if (which == kLiteral)
            add_literal(kOldCode);
        else
            out.push_back({which, {}, false});
        literal_start = close + 1;
        i = close;
    }
    add_literal(t.substr(std::min(literal_start, t.size())));
    return out;
}

// The caches here fill as they are used: the backend and the CLI are single-threaded, and so is
// every caller of the rule engine.
const std::vector<Segment> &compiled(const char *tmpl) {
    static std::unordered_map<const char *, std::vector<Segment>> cache;
    auto it = cache.find(tmpl);
    if (it == cache.end())
        it = cache.emplace(tmpl, compile(tmpl)).first;
    return it->second;
}

// A placeholder's value, or what it reads in general terms when the finding left it empty.
std::string_view value(int which, const RuleDef &def, const Placeholders &values) {
    using P = Placeholders;
    const std::string_view specific = values.get(static_cast<P::Name>(which));
    if (!specific.empty())
        return specific;
    switch (which) {
    case P::Object:
        return def.generic_object;
    case P::O:
        return "<name>";
    case P::Table:
        return "the table";
    case P::T:
        return "<table>";
    case P::Column:
        return "the column";
    case P::C:
        return "<column>";
    case P::NewName:
    case P::N:
        return "<new_name>";
    case P::Type:
        return "<new_type>";
    case P::Constraint:
        return "the constraint";
    case P::What:
        return def.generic_what;
    case P::Command:
        return "the statement";
    case P::Drop:
        return "ALTER TABLE <table> DROP COLUMN <column>";
    }
    return {};
}

class StringSink final : public TextSink {
  public:
    explicit StringSink(std::string &out) : out_(out) {}
    void append(std::string_view text, bool) override { out_.append(text); }

  private:
    std::string &out_;
};

} // namespace

void write(const char *tmpl, const RuleDef &def, const Placeholders &values, TextSink &sink) {
    for (const Segment &segment : compiled(tmpl)) {
        if (segment.placeholder == kLiteral)
            sink.append(segment.text, segment.plain);
        else
            sink.append(value(segment.placeholder, def, values), false);
    }
}

bool same_message(const Finding &a, const Finding &b) {
    if (a.def != b.def || a.def == nullptr)
        return a.def == b.def;
    for (const Segment &segment : compiled(a.def->message))
        if (segment.placeholder != kLiteral && value(segment.placeholder, *a.def, a.values) !=
                                                   value(segment.placeholder, *b.def, b.values))
            return false;
    return true;
}

size_t message_hash(const Finding &f) {
    size_t hash = std::hash<const void *>()(f.def);
    if (f.def == nullptr)
        return hash;
    for (const Segment &segment : compiled(f.def->message))
        if (segment.placeholder != kLiteral)
            hash = hash * 1099511628211u ^
                   std::hash<std::string_view>()(value(segment.placeholder, *f.def, f.values));
    return hash;
}

std::string render(const char *tmpl, const RuleDef &def, const Placeholders &values) {
    std::string out;
    StringSink sink(out);
    write(tmpl, def, values, sink);
    return out;
}

} // namespace mg::rule_defs

namespace mg {

void Finding::write(FindingText text, TextSink &sink) const {
    if (def == nullptr)
        return; // a Finding the engine did not make has no texts
    switch (text) {
    case FindingText::Message:
        sink.append(rule, true); // a kebab-case id
        sink.append(": ", true);
        return rule_defs::write(def->message, *def, values, sink);
    case FindingText::Detail:
        rule_defs::write(def->why, *def, values, sink);
        if (!extra_detail.empty())
            sink.append(extra_detail, false);
        return;
    case FindingText::Hint:
        return rule_defs::write(def->recipe, *def, values, sink);
    }
}

namespace {

std::string text_of(const Finding &f, FindingText text) {
    std::string out;
    rule_defs::StringSink sink(out);
    f.write(text, sink);
    return out;
}

} // namespace

std::string Finding::message() const {
    return text_of(*this, FindingText::Message);
}
std::string Finding::detail() const {
    return text_of(*this, FindingText::Detail);
}
std::string Finding::hint() const {
    return text_of(*this, FindingText::Hint);
}

const std::vector<RuleInfo> &rule_catalogue() {
    return rule_defs::catalogue().infos;
}

const RuleInfo *find_rule(const std::string &id) {
    for (const RuleInfo &r : rule_catalogue())
        if (id == r.id)
            return &r;
    return nullptr;
}

const char *action_name(Action a) {
    switch (a) {
    case Action::Block:
        return "block";
    case Action::Warn:
        return "warn";
    case Action::Off:
        return "off";
    }
    return "off";
}

} // namespace mg
