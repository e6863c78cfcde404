// The rule catalogue and its evaluation: every rule flags one case and passes another; facts,
// exemptions, settings and scripts (transactions, lock_timeout) as lint() and the CLI use them.
#include "cli/parse.hpp"
#include "core/rule_defs.hpp"
#include "core/rules.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using mg::Action;
using mg::Facts;
using mg::Finding;
using mg::RuleSetting;

// Every finding names its rule first and has all of its texts filled in.
void check_wording(const std::vector<Finding> &findings) {
    for (const Finding &f : findings) {
        EXPECT_EQ(f.message().rfind(std::string(f.rule) + ": ", 0), 0u) << f.message();
        EXPECT_NE(f.action, Action::Off);
        EXPECT_FALSE(f.detail().empty()) << f.rule;
        EXPECT_FALSE(f.hint().empty()) << f.rule;
        for (const std::string &text : {f.message(), f.detail(), f.hint()})
            EXPECT_EQ(text.find('{'), std::string::npos) << text;
    }
}

// Parses and judges a script as lint() does.
std::vector<Finding> lint(const std::string &sql, const Facts &facts = {},
                          const std::vector<RuleSetting> &settings = {},
                          bool assume_in_transaction = true) {
    const mg::cli::ParsedScript parsed = mg::cli::parse_script(sql);
    EXPECT_FALSE(parsed.has_syntax_errors()) << sql;
    std::vector<Finding> findings =
        mg::evaluate_script(parsed.ddl(), facts, settings, assume_in_transaction);
    check_wording(findings);
    return findings;
}

// Judges the one statement of `sql` alone, as the guard does.
std::vector<Finding> judge(const std::string &sql, const Facts &facts = {},
                           const std::vector<RuleSetting> &settings = {},
                           const std::vector<mg::QualifiedName> &created_earlier = {}) {
    const mg::cli::ParsedScript parsed = mg::cli::parse_script(sql);
    EXPECT_EQ(parsed.statements.size(), 1u) << sql;
    if (parsed.statements.empty())
        return {};
    std::vector<Finding> findings =
        mg::evaluate(parsed.statements[0].ddl, facts, settings, created_earlier);
    check_wording(findings);
    return findings;
}

std::vector<std::string> rules(const std::vector<Finding> &findings) {
    std::vector<std::string> out;
    for (const Finding &f : findings)
        out.emplace_back(f.rule);
    return out;
}

bool has(const std::vector<Finding> &findings, const std::string &rule) {
    const std::vector<std::string> r = rules(findings);
    return std::find(r.begin(), r.end(), rule) != r.end();
}

const Finding *find(const std::vector<Finding> &findings, const std::string &rule) {
    for (const Finding &f : findings)
        if (f.rule == rule)
            return &f;
    return nullptr;
}

std::string joined(const std::vector<Finding> &findings) {
    std::string out;
    for (const Finding &f : findings)
        out += f.message() + "\n";
    return out;
}

std::vector<RuleSetting> off(const std::string &rule) {
    return {RuleSetting{rule, Action::Off}};
}

const std::vector<mg::QualifiedName> kNone;

// ----- the catalogue ---------------------------------------------------------------------------

struct Expected {
    const char *id;
    const char *category;
    Action action;
};
const Expected kExpectedRules[] = {
    {"drop-table", "compatibility", Action::Block},
    {"drop-view", "compatibility", Action::Block},
    {"drop-materialized-view", "compatibility", Action::Block},
    {"drop-column", "compatibility", Action::Block},
    {"drop-schema", "compatibility", Action::Block},
    {"drop-function", "compatibility", Action::Block},
    {"drop-type", "compatibility", Action::Block},
    {"drop-sequence", "compatibility", Action::Block},
    {"rename-table", "compatibility", Action::Block},
    {"rename-column", "compatibility", Action::Block},
    {"rename-schema", "compatibility", Action::Block},
    {"rename-view", "compatibility", Action::Block},
    {"rename-function", "compatibility", Action::Block},
    {"rename-type", "compatibility", Action::Block},
    {"rename-enum-value", "compatibility", Action::Block},
    {"alter-column-type", "compatibility", Action::Block},
    {"add-column-not-null-without-default", "compatibility", Action::Block},
    {"set-not-null", "compatibility", Action::Block},
    {"add-check-constraint", "compatibility", Action::Block},
    {"add-foreign-key", "compatibility", Action::Block},
    {"add-unique-constraint", "compatibility", Action::Block},
    {"add-unique-index", "compatibility", Action::Warn},
    {"add-domain-constraint", "compatibility", Action::Block},
    {"add-exclusion-constraint", "compatibility", Action::Block},
    {"add-json-column", "compatibility", Action::Warn},
    {"revoke-privileges", "compatibility", Action::Warn},
    {"truncate", "compatibility", Action::Block},
    {"drop-default", "compatibility", Action::Warn},
    {"drop-not-null", "compatibility", Action::Warn},
    {"create-index-non-concurrently", "locking", Action::Warn},
    {"drop-index-non-concurrently", "locking", Action::Warn},
    {"reindex-non-concurrently", "locking", Action::Warn},
    {"constraint-not-valid-missing", "locking", Action::Warn},
    {"add-column-volatile-default", "locking", Action::Warn},
    {"table-rewrite", "locking", Action::Warn},
    {"vacuum-full", "locking", Action::Warn},
    {"cluster", "locking", Action::Warn},
    {"missing-lock-timeout", "locking", Action::Warn},
    {"syntax-error", "lint", Action::Block},
    {"concurrently-in-transaction", "lint", Action::Block},
};

TEST(RuleCatalogue, HasEveryRuleWithItsCategoryAndDefaultAction) {
    for (const Expected &e : kExpectedRules) {
        const mg::RuleInfo *r = mg::find_rule(e.id);
        ASSERT_NE(r, nullptr) << e.id;
        EXPECT_STREQ(r->category, e.category) << e.id;
        EXPECT_EQ(r->default_action, e.action) << e.id;
    }
    EXPECT_EQ(mg::rule_catalogue().size(), std::size(kExpectedRules));
    EXPECT_EQ(mg::find_rule("no-such-rule"), nullptr);
}

TEST(RuleCatalogue, IdsAreUniqueKebabCaseAndTextsComplete) {
    const std::regex kebab("^[a-z]+(-[a-z]+)*$");
    std::set<std::string> seen;
    for (const mg::RuleInfo &r : mg::rule_catalogue()) {
        EXPECT_TRUE(std::regex_match(r.id, kebab)) << r.id;
        EXPECT_TRUE(seen.insert(r.id).second) << "duplicate " << r.id;
        const std::string category = r.category;
        EXPECT_TRUE(category == "compatibility" || category == "locking" || category == "lint")
            << r.id;
        EXPECT_NE(r.default_action, Action::Off) << r.id;
        for (const char *text : {r.summary, r.why, r.recipe}) {
            ASSERT_NE(text, nullptr) << r.id;
            EXPECT_GT(std::string(text).size(), 10u) << r.id;
            EXPECT_EQ(std::string(text).find('{'), std::string::npos) << r.id << ": " << text;
        }
    }
}

TEST(RuleCatalogue, OrderIsStable) {
    const std::vector<mg::RuleInfo> &a = mg::rule_catalogue();
    ASSERT_EQ(a.size(), std::size(kExpectedRules));
    for (size_t i = 0; i < a.size(); ++i)
        EXPECT_STREQ(a[i].id, kExpectedRules[i].id);
    EXPECT_EQ(&mg::rule_catalogue(), &a);
}

std::string read_file(const std::filesystem::path &path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

TEST(RuleCatalogue, EveryRuleHasItsDocPageAndIsListedInTheIndex) {
    const std::filesystem::path dir = std::filesystem::path(MG_SOURCE_DIR) / "docs" / "rules";
    const std::string index = read_file(dir / "README.md");
    ASSERT_FALSE(index.empty());
    for (const mg::RuleInfo &r : mg::rule_catalogue()) {
        const std::filesystem::path page = dir / (std::string(r.id) + ".md");
        ASSERT_TRUE(std::filesystem::exists(page)) << page;
        const std::string text = read_file(page);
        EXPECT_EQ(text.rfind(std::string("# ") + r.id, 0), 0u) << page << " starts with its id";
        EXPECT_NE(text.find(r.category), std::string::npos) << page;
        EXPECT_NE(text.find(mg::action_name(r.default_action)), std::string::npos) << page;
        EXPECT_NE(index.find(std::string("[") + r.id + "](" + r.id + ".md)"), std::string::npos)
            << r.id << " in docs/rules/README.md";
    }
    // And no page for a rule that does not exist.
    for (const auto &entry : std::filesystem::directory_iterator(dir)) {
        const std::string name = entry.path().stem().string();
        if (name != "README") {
            EXPECT_NE(mg::find_rule(name), nullptr) << entry.path();
        }
    }
}

TEST(RuleCatalogue, ActionNames) {
    EXPECT_STREQ(mg::action_name(Action::Block), "block");
    EXPECT_STREQ(mg::action_name(Action::Warn), "warn");
    EXPECT_STREQ(mg::action_name(Action::Off), "off");
}

// ----- wording ---------------------------------------------------------------------------------

TEST(RuleWording, MessageNamesTheRuleAndTheObject) {
    const std::vector<Finding> f = judge("ALTER TABLE public.users DROP COLUMN email");
    const Finding *drop = find(f, "drop-column");
    ASSERT_NE(drop, nullptr);
    EXPECT_EQ(drop->message(), "drop-column: dropping column \"email\" of table \"public.users\" "
                               "breaks the running application's old code");
    EXPECT_EQ(drop->action, Action::Block);
    EXPECT_NE(drop->detail().find("column \"email\" of table \"public.users\""), std::string::npos)
        << drop->detail();
    EXPECT_NE(drop->detail().find("preboot"), std::string::npos);
    EXPECT_NE(drop->hint().find("ALTER TABLE public.users DROP COLUMN email"), std::string::npos)
        << drop->hint();
    EXPECT_NE(drop->hint().find("later deploy"), std::string::npos);
}

TEST(RuleWording, RecipesFollowSeed002) {
    const std::vector<Finding> renamed =
        judge("ALTER TABLE users RENAME COLUMN email TO email_address");
    const Finding *rename = find(renamed, "rename-column");
    ASSERT_NE(rename, nullptr);
    EXPECT_EQ(rename->message(), "rename-column: renaming column \"email\" of table \"users\" to "
                                 "\"email_address\" breaks the running application's old code");
    for (const char *step : {"add column \"email_address\"", "backfill", "deploy code that",
                             "drop column email in a later deploy"})
        EXPECT_NE(rename->hint().find(step), std::string::npos) << step << " in " << rename->hint();

    const std::vector<Finding> changed =
        judge("ALTER TABLE accounts ALTER COLUMN balance TYPE numeric(12,2)");
    const Finding *type = find(changed, "alter-column-type");
    ASSERT_NE(type, nullptr);
    for (const char *step : {"add a new column of type numeric(12,2)", "backfill",
                             "deploy code that uses only the new column", "later deploy"})
        EXPECT_NE(type->hint().find(step), std::string::npos) << step << " in " << type->hint();
}

TEST(RuleWording, FindingsCarryTheStatementsLocation) {
    const std::string sql = "SELECT 1;\nDROP TABLE users;";
    const std::vector<Finding> f = lint(sql);
    const Finding *drop = find(f, "drop-table");
    ASSERT_NE(drop, nullptr);
    EXPECT_EQ(drop->location, static_cast<int>(sql.find(';')) + 1);
}

// ----- compatibility rules: one flagged and one passing case each -------------------------------

TEST(CompatibilityRules, DropTable) {
    const std::vector<Finding> f = lint("DROP TABLE IF EXISTS app.users CASCADE");
    EXPECT_TRUE(has(f, "drop-table")) << joined(f);
    EXPECT_NE(find(f, "drop-table")->message().find("table \"app.users\""), std::string::npos);
    EXPECT_FALSE(has(lint("CREATE TABLE scratch (a int); DROP TABLE scratch"), "drop-table"));
}

TEST(CompatibilityRules, DropView) {
    EXPECT_TRUE(has(judge("DROP VIEW active_users"), "drop-view"));
    EXPECT_FALSE(has(judge("DROP VIEW active_users", {}, {}, {{"", "active_users"}}), "drop-view"));
}

TEST(CompatibilityRules, DropMaterializedView) {
    EXPECT_TRUE(has(lint("DROP MATERIALIZED VIEW reports"), "drop-materialized-view"));
    EXPECT_FALSE(has(lint("CREATE MATERIALIZED VIEW reports AS SELECT 1; "
                          "DROP MATERIALIZED VIEW reports"),
                     "drop-materialized-view"));
}

TEST(CompatibilityRules, DropColumn) {
    EXPECT_TRUE(has(lint("ALTER TABLE users DROP COLUMN email"), "drop-column"));
    EXPECT_FALSE(has(lint("CREATE TABLE users2 (email text); ALTER TABLE users2 DROP COLUMN email"),
                     "drop-column"));
}

TEST(CompatibilityRules, DropSchema) {
    EXPECT_TRUE(has(judge("DROP SCHEMA legacy CASCADE"), "drop-schema"));
    EXPECT_FALSE(has(judge("DROP SCHEMA legacy CASCADE", {}, off("drop-schema")), "drop-schema"));
}

TEST(CompatibilityRules, DropFunction) {
    const std::vector<Finding> f = judge("DROP FUNCTION app.total(int)");
    ASSERT_TRUE(has(f, "drop-function"));
    EXPECT_NE(find(f, "drop-function")->message().find("function \"app.total\""),
              std::string::npos);
    EXPECT_TRUE(has(judge("DROP PROCEDURE cleanup()"), "drop-function"));
    EXPECT_FALSE(has(judge("DROP FUNCTION f()", {}, off("drop-function")), "drop-function"));
}

TEST(CompatibilityRules, DropType) {
    EXPECT_TRUE(has(judge("DROP TYPE mood"), "drop-type"));
    EXPECT_TRUE(has(judge("DROP DOMAIN email_address"), "drop-type"));
    EXPECT_FALSE(has(judge("DROP TYPE mood", {}, {}, {{"public", "mood"}}), "drop-type"));
}

TEST(CompatibilityRules, DropSequence) {
    const std::vector<Finding> f = judge("DROP SEQUENCE order_numbers CASCADE");
    ASSERT_TRUE(has(f, "drop-sequence"));
    EXPECT_NE(find(f, "drop-sequence")->message().find("sequence \"order_numbers\""),
              std::string::npos);
    EXPECT_FALSE(has(judge("DROP SEQUENCE s", {}, {}, {{"public", "s"}}), "drop-sequence"));
    EXPECT_FALSE(has(judge("DROP SEQUENCE s", {}, off("drop-sequence")), "drop-sequence"));
}

TEST(CompatibilityRules, RenameAttributeOfACompositeTypeOrAViewColumn) {
    const std::vector<Finding> type = judge("ALTER TYPE address RENAME ATTRIBUTE zip TO postcode");
    ASSERT_TRUE(has(type, "rename-column"));
    EXPECT_EQ(find(type, "rename-column")->message(),
              "rename-column: renaming attribute \"zip\" of type \"address\" to \"postcode\" "
              "breaks the running application's old code");
    EXPECT_FALSE(has(type, "missing-lock-timeout"));
    const std::vector<Finding> view = judge("ALTER VIEW v RENAME COLUMN a TO b");
    ASSERT_TRUE(has(view, "rename-column"));
    EXPECT_NE(find(view, "rename-column")->message().find("column \"a\" of view \"v\""),
              std::string::npos);
}

// A temporary table never stands in for a permanent one of the same name.
TEST(Exemptions, TemporaryTableDoesNotExemptThePermanentOne) {
    Facts facts;
    facts.known = true;
    mg::TableFacts temp;
    temp.name = {"", "orders"}; // as written: resolves to the temporary table
    temp.exists = true;
    temp.created_in_this_transaction = true;
    mg::TableFacts permanent;
    permanent.name = {"public", "orders"};
    permanent.exists = true;
    facts.tables = {temp, permanent};
    const std::vector<Finding> f = judge("DROP TABLE orders, public.orders", facts);
    ASSERT_EQ(rules(f), (std::vector<std::string>{"drop-table", "missing-lock-timeout"}))
        << joined(f);
    for (const Finding &finding : f) // the temporary table is in none of them
        EXPECT_NE(finding.message().find("\"public.orders\""), std::string::npos)
            << finding.message();
    // In a script, a table created TEMPORARY is not the permanent table of that name.
    EXPECT_TRUE(has(lint("BEGIN; CREATE TEMP TABLE orders (a int); DROP TABLE public.orders; "
                         "COMMIT;"),
                    "drop-table"));
    EXPECT_FALSE(has(lint("BEGIN; CREATE TEMP TABLE orders (a int); DROP TABLE orders; COMMIT;"),
                     "drop-table"));
}

// Objects PostgreSQL drops while a statement runs, judged after the statement's text was.
TEST(DroppedObjects, CascadedAndUndescribedDropsAreJudged) {
    using mg::DroppedObject;
    const std::vector<DroppedObject> dropped = {
        {"default value", {"public", "orders"}, "id", true},
        {"composite type column", {"public", "address"}, "zip", false},
        {"view", {"public", "recent_orders"}, "", true},
        {"trigger", {"public", "orders"}, "", true}, // no rule is about triggers
    };
    const std::vector<Finding> f = mg::evaluate_dropped("DROP SEQUENCE", dropped, {});
    check_wording(f);
    ASSERT_EQ(rules(f), (std::vector<std::string>{"drop-default", "drop-column", "drop-view"}));
    EXPECT_NE(f[0].detail().find("DROP SEQUENCE drops it with an object it depends on (CASCADE)."),
              std::string::npos)
        << f[0].detail();
    EXPECT_NE(f[1].message().find("attribute \"zip\" of type \"public.address\""),
              std::string::npos)
        << f[1].message();
    EXPECT_NE(f[1].detail().find("DROP SEQUENCE drops it."), std::string::npos) << f[1].detail();
    EXPECT_TRUE(mg::evaluate_dropped("DROP OWNED", dropped, off("drop-view")).size() == 2u);
}

TEST(DroppedObjects, WhatGoesWithANamedOldObjectFollowsFromItsDrop) {
    using mg::DroppedObject;
    const DroppedObject old_table{"table", {"public", "orders"}, "", false, false};
    const DroppedObject owned_sequence{"sequence", {"public", "orders_id_seq"}, "", false, true};
    // DROP TABLE orders: the table was judged before it ran, its sequence goes with it.
    EXPECT_TRUE(mg::evaluate_dropped("DROP TABLE", {old_table, owned_sequence}, {}).empty());
    // DROP OWNED names the table too: judged here, still without its sequence.
    EXPECT_EQ(rules(mg::evaluate_dropped("DROP OWNED", {old_table, owned_sequence}, {})),
              (std::vector<std::string>{"drop-table"}));
    // Only the new table named (left out by the caller): the old sequence is a surprise.
    const std::vector<Finding> f = mg::evaluate_dropped("DROP TABLE", {owned_sequence}, {});
    ASSERT_EQ(rules(f), (std::vector<std::string>{"drop-sequence"}));
    EXPECT_NE(f[0].detail().find("drops it with what it belongs to"), std::string::npos);
}

TEST(DroppedObjects, WhatTheStatementNamesWasJudgedBeforeItRan) {
    EXPECT_TRUE(mg::judged_before_it_runs("DROP TABLE", "table", false));
    EXPECT_TRUE(mg::judged_before_it_runs("ALTER TABLE", "table column", false));
    EXPECT_FALSE(mg::judged_before_it_runs("DROP TABLE", "table", true)); // CASCADE
    EXPECT_FALSE(mg::judged_before_it_runs("DROP OWNED", "table", false));
    EXPECT_FALSE(mg::judged_before_it_runs("ALTER TYPE", "composite type column", false));
    EXPECT_FALSE(mg::judged_before_it_runs("DROP EXTENSION", "table column", false));
}

TEST(CompatibilityRules, UniqueIndexMayRejectOldWrites) {
    const std::vector<Finding> f =
        judge("CREATE UNIQUE INDEX CONCURRENTLY users_email ON users (email)");
    ASSERT_TRUE(has(f, "add-unique-index"));
    EXPECT_FALSE(has(f, "create-index-non-concurrently"));
    EXPECT_EQ(find(f, "add-unique-index")->action, Action::Warn);
    EXPECT_NE(find(f, "add-unique-index")
                  ->message()
                  .find("unique index \"users_email\" on table "
                        "\"users\""),
              std::string::npos)
        << find(f, "add-unique-index")->message();
    EXPECT_TRUE(
        has(judge("CREATE UNIQUE INDEX ON users (email)"), "create-index-non-concurrently"));
    EXPECT_FALSE(has(judge("CREATE INDEX CONCURRENTLY ON users (email)"), "add-unique-index"));
    EXPECT_FALSE(has(lint("BEGIN; CREATE TABLE t (a int); CREATE UNIQUE INDEX t_a ON t (a); "
                          "COMMIT;"),
                     "add-unique-index"));
}

TEST(CompatibilityRules, DomainConstraints) {
    const std::vector<Finding> check = judge(
        "ALTER DOMAIN email_address ADD CONSTRAINT has_at CHECK (VALUE LIKE '%@%') NOT VALID");
    ASSERT_TRUE(has(check, "add-domain-constraint"));
    EXPECT_EQ(find(check, "add-domain-constraint")->message(),
              "add-domain-constraint: adding check constraint \"has_at\" to domain "
              "\"email_address\" may reject writes from the running application's old code");
    EXPECT_FALSE(has(check, "add-check-constraint"));
    EXPECT_TRUE(has(judge("ALTER DOMAIN email_address SET NOT NULL"), "add-domain-constraint"));
    const std::vector<Finding> drop = judge("ALTER DOMAIN email_address DROP NOT NULL");
    ASSERT_TRUE(has(drop, "drop-not-null"));
    EXPECT_NE(find(drop, "drop-not-null")->message().find("domain \"email_address\""),
              std::string::npos);
    EXPECT_TRUE(has(judge("ALTER DOMAIN email_address DROP DEFAULT"), "drop-default"));
    EXPECT_FALSE(has(judge("ALTER DOMAIN email_address SET DEFAULT 'x'"), "drop-default"));
}

TEST(CompatibilityRules, RevokeAndDropIdentity) {
    const std::vector<Finding> f = judge("REVOKE SELECT ON accounts, app.orders FROM app_user");
    ASSERT_EQ(rules(f), (std::vector<std::string>{"revoke-privileges", "revoke-privileges"}));
    EXPECT_NE(f[1].message().find("table \"app.orders\""), std::string::npos) << f[1].message();
    EXPECT_NE(judge("REVOKE EXECUTE ON FUNCTION total(int) FROM PUBLIC")[0].message().find(
                  "function \"total\""),
              std::string::npos);
    EXPECT_TRUE(judge("GRANT SELECT ON accounts TO app_user").empty());
    const std::vector<Finding> all =
        judge("REVOKE SELECT ON ALL TABLES IN SCHEMA app FROM app_user");
    ASSERT_EQ(rules(all), (std::vector<std::string>{"revoke-privileges"}));
    EXPECT_NE(all[0].message().find("every table in schema \"app\""), std::string::npos)
        << all[0].message();
    EXPECT_TRUE(judge("REVOKE app_admin FROM app_user").empty()); // role membership: not here
    EXPECT_FALSE(has(lint("BEGIN; CREATE TABLE t (a int); REVOKE ALL ON t FROM PUBLIC; COMMIT;"),
                     "revoke-privileges"));
    const std::vector<Finding> identity =
        judge("ALTER TABLE accounts ALTER COLUMN id DROP IDENTITY");
    ASSERT_TRUE(has(identity, "drop-default"));
    EXPECT_NE(find(identity, "drop-default")->message().find("column \"id\""), std::string::npos);
}

TEST(CompatibilityRules, JsonColumn) {
    const std::vector<Finding> f = judge("ALTER TABLE events ADD COLUMN payload json");
    ASSERT_TRUE(has(f, "add-json-column"));
    EXPECT_NE(find(f, "add-json-column")->hint().find("jsonb"), std::string::npos);
    EXPECT_FALSE(has(judge("ALTER TABLE events ADD COLUMN payload jsonb"), "add-json-column"));
    EXPECT_FALSE(has(judge("ALTER TABLE events ADD COLUMN payload json[]"), "add-json-column"));
    EXPECT_FALSE(has(lint("BEGIN; CREATE TABLE e (a int); ALTER TABLE e ADD COLUMN p json; "
                          "COMMIT;"),
                     "add-json-column"));
}

TEST(CompatibilityRules, RenameTable) {
    const std::vector<Finding> f = lint("ALTER TABLE users RENAME TO customers");
    ASSERT_TRUE(has(f, "rename-table"));
    EXPECT_EQ(find(f, "rename-table")->message(),
              "rename-table: renaming table \"users\" to \"customers\" breaks the running "
              "application's old code");
    EXPECT_TRUE(has(lint("ALTER TABLE users SET SCHEMA archive"), "rename-table"));
    EXPECT_FALSE(has(lint("CREATE TABLE staging (a int); ALTER TABLE staging RENAME TO final"),
                     "rename-table"));
}

TEST(CompatibilityRules, RenameColumn) {
    EXPECT_TRUE(has(lint("ALTER TABLE users RENAME email TO email_address"), "rename-column"));
    EXPECT_FALSE(has(lint("BEGIN; CREATE TABLE t (a int); ALTER TABLE t RENAME a TO b; COMMIT;"),
                     "rename-column"));
}

TEST(CompatibilityRules, RenameSchema) {
    EXPECT_TRUE(has(judge("ALTER SCHEMA app RENAME TO application"), "rename-schema"));
    EXPECT_FALSE(has(judge("ALTER SCHEMA app RENAME TO application", {}, off("rename-schema")),
                     "rename-schema"));
}

TEST(CompatibilityRules, RenameView) {
    EXPECT_TRUE(has(lint("ALTER VIEW active_users RENAME TO live_users"), "rename-view"));
    EXPECT_TRUE(has(lint("ALTER MATERIALIZED VIEW mv RENAME TO mv2"), "rename-view"));
    EXPECT_FALSE(has(lint("CREATE MATERIALIZED VIEW mv AS SELECT 1; "
                          "ALTER MATERIALIZED VIEW mv RENAME TO mv2"),
                     "rename-view"));
}

TEST(CompatibilityRules, RenameFunction) {
    EXPECT_TRUE(has(judge("ALTER FUNCTION total(int) RENAME TO sum_total"), "rename-function"));
    EXPECT_TRUE(has(judge("ALTER FUNCTION total(int) SET SCHEMA util"), "rename-function"));
    EXPECT_FALSE(has(judge("ALTER FUNCTION total(int) OWNER TO app"), "rename-function"));
}

TEST(CompatibilityRules, RenameType) {
    EXPECT_TRUE(has(judge("ALTER TYPE mood RENAME TO feeling"), "rename-type"));
    EXPECT_FALSE(
        has(judge("ALTER TYPE mood RENAME TO feeling", {}, {}, {{"", "mood"}}), "rename-type"));
}

TEST(CompatibilityRules, RenameEnumValue) {
    const std::vector<Finding> f = judge("ALTER TYPE mood RENAME VALUE 'sad' TO 'unhappy'");
    ASSERT_TRUE(has(f, "rename-enum-value"));
    EXPECT_EQ(find(f, "rename-enum-value")->message(),
              "rename-enum-value: renaming value \"sad\" of enum type \"mood\" to \"unhappy\" "
              "breaks the running application's old code");
    EXPECT_NE(find(f, "rename-enum-value")->hint().find("ALTER TYPE mood ADD VALUE 'unhappy'"),
              std::string::npos);
    EXPECT_TRUE(judge("ALTER TYPE mood ADD VALUE 'calm'").empty());
}

TEST(CompatibilityRules, AlterColumnTypeOfflineIsReportedAndSaysWhy) {
    const std::vector<Finding> f = lint("ALTER TABLE users ALTER COLUMN name TYPE varchar(200)");
    const Finding *type = find(f, "alter-column-type");
    ASSERT_NE(type, nullptr);
    EXPECT_EQ(type->message(), "alter-column-type: changing the type of column \"name\" of table "
                               "\"users\" to varchar(200) may break the running application's old "
                               "code");
    EXPECT_NE(type->detail().find("Without a database connection"), std::string::npos)
        << type->detail();
}

Facts column_facts(const std::string &type_name, int typmod, bool not_null = false) {
    Facts facts;
    facts.known = true;
    mg::TableFacts t;
    t.name = {"public", "accounts"};
    t.exists = true;
    t.bytes = 3LL * 1024 * 1024 * 1024;
    t.columns.push_back({"c", mg::ColumnFacts{type_name, typmod, not_null}});
    facts.tables.push_back(t);
    return facts;
}

int varchar_mod(int n) {
    return n + 4;
}
int numeric_mod(int p, int s) {
    return ((p << 16) | s) + 4;
}

TEST(CompatibilityRules, AlterColumnTypeWithFactsPassesWhatOldCodeCannotNotice) {
    struct Case {
        const char *from;
        int typmod;
        const char *to;
        bool flagged;
    };
    const Case cases[] = {
        {"varchar", varchar_mod(10), "varchar(20)", false},
        {"varchar", varchar_mod(10), "varchar(10)", false},
        {"varchar", varchar_mod(10), "character varying", false},
        {"varchar", varchar_mod(10), "text", false},
        {"varchar", -1, "text", false},
        {"varchar", varchar_mod(10), "varchar(5)", true},
        {"varchar", -1, "varchar(10)", true},
        {"varchar", varchar_mod(10), "varchar(20)[]", true},
        {"varchar", varchar_mod(10), "varchar(20) USING c::varchar(20)", true},
        {"text", -1, "varchar", false},
        {"text", -1, "text", false},
        {"text", -1, "varchar(100)", true},
        {"numeric", numeric_mod(10, 2), "numeric(12,2)", false},
        {"numeric", numeric_mod(10, 2), "decimal(10,2)", false},
        {"numeric", numeric_mod(10, 2), "numeric", false},
        {"numeric", numeric_mod(10, 0), "numeric(12)", false},
        {"numeric", numeric_mod(10, 2), "numeric(12,3)", true},
        {"numeric", numeric_mod(10, 2), "numeric(8,2)", true},
        {"numeric", -1, "numeric(10,2)", true},
        {"int4", -1, "bigint", true},
        {"int4", -1, "int", false},
        {"int8", -1, "int", true},
        {"timestamp", -1, "timestamptz", true},
        {"varchar", varchar_mod(10), "app.varchar", true},
    };
    for (const Case &c : cases) {
        const std::string sql = std::string("ALTER TABLE accounts ALTER COLUMN c TYPE ") + c.to;
        const std::vector<Finding> f = judge(sql, column_facts(c.from, c.typmod));
        EXPECT_EQ(has(f, "alter-column-type"), c.flagged)
            << c.from << "(" << c.typmod << ") -> " << c.to;
    }
}

TEST(CompatibilityRules, AlterColumnTypeWithFactsNamesTheCurrentType) {
    const std::vector<Finding> f = judge("ALTER TABLE public.accounts ALTER COLUMN c TYPE int",
                                         column_facts("numeric", numeric_mod(12, 2)));
    const Finding *type = find(f, "alter-column-type");
    ASSERT_NE(type, nullptr);
    EXPECT_NE(type->detail().find("The column is numeric(12,2) now"), std::string::npos)
        << type->detail();
    EXPECT_NE(type->detail().find("3072 MB"), std::string::npos) << type->detail();

    // Facts known, but not about this column.
    const std::vector<Finding> unknown =
        judge("ALTER TABLE accounts ALTER COLUMN other TYPE text", column_facts("text", -1));
    ASSERT_TRUE(has(unknown, "alter-column-type"));
    EXPECT_NE(find(unknown, "alter-column-type")->detail().find("could not be read"),
              std::string::npos);
}

TEST(CompatibilityRules, AddColumnNotNullWithoutDefault) {
    EXPECT_TRUE(has(lint("ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL"),
                    "add-column-not-null-without-default"));
    EXPECT_FALSE(has(lint("ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL DEFAULT 0"),
                     "add-column-not-null-without-default"));
    EXPECT_FALSE(has(lint("ALTER TABLE users ADD COLUMN tenant_id bigint"),
                     "add-column-not-null-without-default"));
    EXPECT_FALSE(has(lint("ALTER TABLE users ADD COLUMN id bigserial"),
                     "add-column-not-null-without-default"));
}

TEST(CompatibilityRules, SetNotNull) {
    EXPECT_TRUE(has(lint("ALTER TABLE users ALTER COLUMN email SET NOT NULL"), "set-not-null"));
    EXPECT_FALSE(has(judge("ALTER TABLE accounts ALTER COLUMN c SET NOT NULL",
                           column_facts("text", -1, /*not_null=*/true)),
                     "set-not-null"));
    EXPECT_TRUE(has(judge("ALTER TABLE accounts ALTER COLUMN c SET NOT NULL",
                          column_facts("text", -1, /*not_null=*/false)),
                    "set-not-null"));
}

TEST(CompatibilityRules, AddCheckConstraintEvenWhenNotValid) {
    for (const char *sql : {"ALTER TABLE orders ADD CONSTRAINT positive CHECK (amount > 0)",
                            "ALTER TABLE orders ADD CONSTRAINT positive CHECK (amount > 0) NOT "
                            "VALID"}) {
        const std::vector<Finding> f = lint(sql);
        ASSERT_TRUE(has(f, "add-check-constraint")) << sql;
        EXPECT_NE(find(f, "add-check-constraint")->message().find("check constraint \"positive\""),
                  std::string::npos);
    }
    // On a column this statement adds, old code never writes it.
    EXPECT_FALSE(
        has(lint("ALTER TABLE orders ADD COLUMN qty int CHECK (qty > 0)"), "add-check-constraint"));
    EXPECT_FALSE(has(lint("ALTER TABLE orders ADD COLUMN qty int, ADD CHECK (qty > 0) NOT VALID"),
                     "add-check-constraint"));
}

TEST(CompatibilityRules, AddForeignKey) {
    const std::vector<Finding> f =
        lint("ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) "
             "REFERENCES customers (id) NOT VALID");
    ASSERT_TRUE(has(f, "add-foreign-key"));
    EXPECT_EQ(find(f, "add-foreign-key")->message(),
              "add-foreign-key: adding foreign key \"orders_customer_fk\" from table \"orders\" "
              "to table \"customers\" may reject writes from the running application's old code");
    // Old code deleting customers is refused even for a new column: still reported.
    EXPECT_TRUE(has(lint("ALTER TABLE orders ADD COLUMN customer_id bigint REFERENCES customers"),
                    "add-foreign-key"));
    EXPECT_FALSE(has(lint("CREATE TABLE orders2 (customer_id bigint); ALTER TABLE orders2 ADD "
                          "FOREIGN KEY (customer_id) REFERENCES customers"),
                     "add-foreign-key"));
}

TEST(CompatibilityRules, AddUniqueConstraint) {
    EXPECT_TRUE(has(lint("ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)"),
                    "add-unique-constraint"));
    EXPECT_TRUE(has(lint("ALTER TABLE users ADD PRIMARY KEY (id)"), "add-unique-constraint"));
    EXPECT_FALSE(has(lint("ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX "
                          "users_email_idx"),
                     "add-unique-constraint"));
    EXPECT_FALSE(has(lint("ALTER TABLE users ADD PRIMARY KEY USING INDEX users_pkey_idx"),
                     "add-unique-constraint"));
    EXPECT_FALSE(
        has(lint("ALTER TABLE users ADD COLUMN code text UNIQUE"), "add-unique-constraint"));
}

TEST(CompatibilityRules, AddExclusionConstraint) {
    const std::string sql = "ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist "
                            "(room WITH =, during WITH &&)";
    const std::vector<Finding> f = lint(sql);
    ASSERT_TRUE(has(f, "add-exclusion-constraint"));
    EXPECT_NE(
        find(f, "add-exclusion-constraint")->message().find("exclusion constraint \"no_overlap\""),
        std::string::npos);
    EXPECT_FALSE(has(lint("CREATE TABLE bookings (room int, during tstzrange); " + sql),
                     "add-exclusion-constraint"));
}

TEST(CompatibilityRules, Truncate) {
    const std::vector<Finding> f = lint("TRUNCATE users, sessions CASCADE");
    const std::vector<std::string> ids = rules(f);
    EXPECT_EQ(std::count(ids.begin(), ids.end(), "truncate"), 2) << joined(f);
    EXPECT_FALSE(has(lint("CREATE TABLE import_batch (a int); TRUNCATE import_batch"), "truncate"));
}

TEST(CompatibilityRules, DropDefaultWarns) {
    const std::vector<Finding> f = lint("ALTER TABLE users ALTER COLUMN status DROP DEFAULT");
    ASSERT_TRUE(has(f, "drop-default"));
    EXPECT_EQ(find(f, "drop-default")->action, Action::Warn);
    EXPECT_FALSE(
        has(lint("ALTER TABLE users ALTER COLUMN status SET DEFAULT 'active'"), "drop-default"));
}

TEST(CompatibilityRules, DropNotNullWarns) {
    const std::vector<Finding> f = lint("ALTER TABLE users ALTER COLUMN email DROP NOT NULL");
    ASSERT_TRUE(has(f, "drop-not-null"));
    EXPECT_EQ(find(f, "drop-not-null")->action, Action::Warn);
    EXPECT_FALSE(has(judge("ALTER TABLE accounts ALTER COLUMN c DROP NOT NULL",
                           column_facts("text", -1, /*not_null=*/false)),
                     "drop-not-null"));
}

// ----- locking rules
// ------------------------------------------------------------------------------

TEST(LockingRules, CreateIndexNonConcurrently) {
    const std::vector<Finding> f = lint("CREATE INDEX users_email_idx ON users (email)");
    ASSERT_TRUE(has(f, "create-index-non-concurrently"));
    EXPECT_EQ(find(f, "create-index-non-concurrently")->action, Action::Warn);
    EXPECT_EQ(find(f, "create-index-non-concurrently")->message(),
              "create-index-non-concurrently: creating index \"users_email_idx\" on table "
              "\"users\" without CONCURRENTLY blocks writes to the table while the index builds");
    EXPECT_TRUE(judge("CREATE INDEX CONCURRENTLY users_email_idx ON users (email)").empty());
    EXPECT_TRUE(lint("CREATE TABLE t (a int); CREATE INDEX ON t (a)").empty());
}

TEST(LockingRules, DropIndexNonConcurrently) {
    EXPECT_TRUE(has(lint("DROP INDEX users_email_idx"), "drop-index-non-concurrently"));
    EXPECT_TRUE(judge("DROP INDEX CONCURRENTLY users_email_idx").empty());
}

TEST(LockingRules, ReindexNonConcurrently) {
    EXPECT_TRUE(has(lint("REINDEX INDEX users_email_idx"), "reindex-non-concurrently"));
    EXPECT_TRUE(has(lint("REINDEX SCHEMA app"), "reindex-non-concurrently"));
    EXPECT_TRUE(judge("REINDEX INDEX CONCURRENTLY users_email_idx").empty());
}

// CONCURRENTLY cannot run inside a transaction block: in a script its tool runs in one
// transaction (or between BEGIN and COMMIT) it is an error; outside one, and for the guard
// (which judges statements one at a time, PostgreSQL refusing them itself), it is not.
TEST(LintRules, ConcurrentlyInsideATransaction) {
    for (const char *sql : {"CREATE INDEX CONCURRENTLY users_email_idx ON users (email)",
                            "DROP INDEX CONCURRENTLY users_email_idx",
                            "REINDEX INDEX CONCURRENTLY users_email_idx"}) {
        const std::vector<Finding> in = lint(sql);
        ASSERT_TRUE(has(in, "concurrently-in-transaction")) << sql;
        EXPECT_EQ(find(in, "concurrently-in-transaction")->action, Action::Block);
        EXPECT_TRUE(lint(sql, {}, {}, false).empty()) << sql;
        EXPECT_TRUE(judge(sql).empty()) << sql;
    }
    EXPECT_EQ(
        find(lint("CREATE INDEX CONCURRENTLY i ON users (email)"), "concurrently-in-transaction")
            ->message(),
        "concurrently-in-transaction: CREATE INDEX CONCURRENTLY cannot run inside a "
        "transaction block: the migration fails here");
    // BEGIN ... COMMIT in the script decides, whatever the tool does.
    const std::vector<Finding> script =
        lint("BEGIN; CREATE INDEX CONCURRENTLY a ON users (email); COMMIT;\n"
             "CREATE INDEX CONCURRENTLY b ON users (name);",
             {}, {}, false);
    ASSERT_EQ(rules(script), std::vector<std::string>{"concurrently-in-transaction"});
    EXPECT_NE(script[0].message().find("CREATE INDEX CONCURRENTLY"), std::string::npos);
    EXPECT_TRUE(lint("BEGIN; COMMIT; CREATE INDEX CONCURRENTLY b ON users (name);").empty());
    // Also on a table the transaction created: PostgreSQL refuses it all the same.
    EXPECT_EQ(rules(lint("CREATE TABLE t (a int); CREATE INDEX CONCURRENTLY ON t (a)")),
              std::vector<std::string>{"concurrently-in-transaction"});
}

TEST(LintRules, ScriptsSayWhenTheyRunOutsideATransaction) {
    EXPECT_TRUE(mg::says_no_transaction("--! Previous: sha1:x\n--! no-transaction\nX"));
    EXPECT_TRUE(mg::says_no_transaction("-- migrate:up transaction:false\nCREATE INDEX ..."));
    EXPECT_FALSE(mg::says_no_transaction("SELECT 1;\n--! no-transaction\n"));
    EXPECT_FALSE(mg::says_no_transaction("CREATE INDEX CONCURRENTLY i ON t (a);"));
}

TEST(LockingRules, ConstraintNotValidMissing) {
    EXPECT_TRUE(has(lint("ALTER TABLE orders ADD CONSTRAINT positive CHECK (amount > 0)"),
                    "constraint-not-valid-missing"));
    EXPECT_TRUE(has(lint("ALTER TABLE orders ADD FOREIGN KEY (customer_id) REFERENCES customers"),
                    "constraint-not-valid-missing"));
    EXPECT_FALSE(has(lint("ALTER TABLE orders ADD CONSTRAINT positive CHECK (amount > 0) NOT "
                          "VALID"),
                     "constraint-not-valid-missing"));
    EXPECT_FALSE(has(lint("ALTER TABLE users ADD CONSTRAINT k UNIQUE (email)"),
                     "constraint-not-valid-missing"));
    EXPECT_TRUE(lint("ALTER TABLE orders VALIDATE CONSTRAINT positive").empty());
}

TEST(LockingRules, AddColumnVolatileDefault) {
    const std::vector<Finding> f =
        lint("ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid()");
    ASSERT_TRUE(has(f, "add-column-volatile-default"));
    EXPECT_EQ(find(f, "add-column-volatile-default")->message(),
              "add-column-volatile-default: adding column \"token\" to table \"users\" with a "
              "volatile default (gen_random_uuid()) rewrites the whole table");
    EXPECT_TRUE(
        has(lint("ALTER TABLE users ADD COLUMN id bigserial"), "add-column-volatile-default"));
    EXPECT_TRUE(has(lint("ALTER TABLE users ADD COLUMN l text GENERATED ALWAYS AS (lower(email)) "
                         "STORED"),
                    "add-column-volatile-default"));
    EXPECT_FALSE(has(lint("ALTER TABLE users ADD COLUMN created_at timestamptz DEFAULT now()"),
                     "add-column-volatile-default"));
    EXPECT_FALSE(
        has(lint("ALTER TABLE users ADD COLUMN n int DEFAULT 0"), "add-column-volatile-default"));
}

TEST(LockingRules, AddColumnVolatileDefaultFromTheCatalog) {
    Facts facts;
    facts.known = true;
    facts.volatile_functions = {"next_code"};
    EXPECT_TRUE(has(judge("ALTER TABLE t ADD COLUMN code text DEFAULT next_code()", facts),
                    "add-column-volatile-default"));
    EXPECT_FALSE(has(judge("ALTER TABLE t ADD COLUMN code text DEFAULT next_code()"),
                     "add-column-volatile-default"));
}

TEST(LockingRules, TableRewriteComesOnlyFromTheBackend) {
    EXPECT_FALSE(has(lint("ALTER TABLE t ALTER COLUMN a TYPE bigint; ALTER TABLE t SET LOGGED"),
                     "table-rewrite"));
    const std::optional<Finding> f =
        mg::table_rewrite_finding({"public", "events"}, 5LL * 1024 * 1024 * 1024, {}, 12);
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(f->rule, "table-rewrite");
    EXPECT_EQ(f->action, Action::Warn);
    EXPECT_EQ(f->message(), "table-rewrite: rewriting table \"public.events\" (5120 MB) blocks "
                            "every read and write until it is done");
    EXPECT_EQ(f->location, 12);
    check_wording({*f});
    EXPECT_NE(
        mg::table_rewrite_finding({"", "t"}, std::nullopt, {})->message().find("size unknown"),
        std::string::npos);
    EXPECT_FALSE(mg::table_rewrite_finding({"", "t"}, 1, off("table-rewrite")).has_value());
    EXPECT_EQ(mg::table_rewrite_finding({"", "t"}, 1, {{"table-rewrite", Action::Block}})->action,
              Action::Block);
}

TEST(LockingRules, VacuumFull) {
    EXPECT_TRUE(has(lint("VACUUM FULL events"), "vacuum-full"));
    EXPECT_NE(
        find(lint("VACUUM FULL"), "vacuum-full")->message().find("every table in the database"),
        std::string::npos);
    EXPECT_TRUE(lint("VACUUM (ANALYZE) events").empty());
}

TEST(LockingRules, Cluster) {
    EXPECT_TRUE(has(lint("CLUSTER events USING events_time_idx"), "cluster"));
    EXPECT_FALSE(has(lint("CREATE TABLE e (t int); CREATE INDEX e_t ON e (t); CLUSTER e USING e_t"),
                     "cluster"));
}

TEST(LockingRules, MissingLockTimeout) {
    const std::vector<Finding> f = lint("ALTER TABLE users ADD COLUMN nickname text");
    ASSERT_EQ(rules(f), (std::vector<std::string>{"missing-lock-timeout"}));
    EXPECT_EQ(f[0].message(), "missing-lock-timeout: ALTER TABLE takes an ACCESS EXCLUSIVE lock on "
                              "\"users\" with no lock_timeout set");
    EXPECT_TRUE(
        lint("SET lock_timeout = '5s'; ALTER TABLE users ADD COLUMN nickname text").empty());
    // Statements that take weaker locks do not need it.
    EXPECT_TRUE(lint("ALTER TABLE users VALIDATE CONSTRAINT c").empty());
    EXPECT_FALSE(has(lint("CREATE INDEX i ON users (a)"), "missing-lock-timeout"));
    // Every kind of ACCESS EXCLUSIVE statement needs it.
    for (const char *sql : {"DROP TABLE users", "TRUNCATE users", "VACUUM FULL users",
                            "CLUSTER users", "REINDEX TABLE users", "DROP INDEX i",
                            "ALTER TABLE users RENAME TO u", "ALTER TABLE users OWNER TO app"})
        EXPECT_TRUE(has(lint(sql), "missing-lock-timeout")) << sql;
}

TEST(LockingRules, MissingLockTimeoutFollowsTheSetting) {
    Facts facts;
    facts.known = true;
    facts.lock_timeout_set = true;
    EXPECT_TRUE(judge("ALTER TABLE users ADD COLUMN a text", facts).empty());
    facts.known = false; // offline, the facts mean nothing
    EXPECT_TRUE(has(judge("ALTER TABLE users ADD COLUMN a text", facts), "missing-lock-timeout"));

    EXPECT_TRUE(has(lint("SET lock_timeout = 0; ALTER TABLE users ADD COLUMN a text"),
                    "missing-lock-timeout"));
    EXPECT_TRUE(has(lint("SET lock_timeout = '0ms'; ALTER TABLE users ADD COLUMN a text"),
                    "missing-lock-timeout"));
    EXPECT_TRUE(has(lint("SET lock_timeout = '5s'; RESET lock_timeout; ALTER TABLE users ADD "
                         "COLUMN a text"),
                    "missing-lock-timeout"));
    EXPECT_TRUE(has(lint("SET lock_timeout = '5s'; RESET ALL; ALTER TABLE users ADD COLUMN a "
                         "text"),
                    "missing-lock-timeout"));
    EXPECT_TRUE(lint("SET lock_timeout TO 3000; ALTER TABLE users ADD COLUMN a text").empty());
    // SET LOCAL lasts until the end of its transaction.
    EXPECT_TRUE(lint("SET LOCAL lock_timeout = '5s'; ALTER TABLE users ADD COLUMN a text").empty());
    const std::vector<Finding> local = lint("BEGIN; SET LOCAL lock_timeout = '5s'; "
                                            "ALTER TABLE users ADD COLUMN a text; COMMIT; "
                                            "ALTER TABLE users ADD COLUMN b text;");
    ASSERT_EQ(rules(local), (std::vector<std::string>{"missing-lock-timeout"}));
    // A session-wide SET outlives the transaction.
    EXPECT_TRUE(lint("BEGIN; SET lock_timeout = '5s'; COMMIT; ALTER TABLE users ADD COLUMN b "
                     "text;")
                    .empty());
    // SET LOCAL outside a transaction block does nothing.
    EXPECT_TRUE(has(lint("SET LOCAL lock_timeout = '5s'; ALTER TABLE users ADD COLUMN a text", {},
                         {}, /*assume_in_transaction=*/false),
                    "missing-lock-timeout"));
}

TEST(LintRules, SyntaxErrorComesFromLint) {
    const std::optional<Finding> f =
        mg::syntax_error_finding("syntax error at or near \"TABEL\"", 7, {});
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(f->rule, "syntax-error");
    EXPECT_EQ(f->action, Action::Block);
    EXPECT_EQ(f->message(), "syntax-error: syntax error at or near \"TABEL\"");
    EXPECT_EQ(f->location, 7);
    EXPECT_FALSE(mg::syntax_error_finding("x", 0, off("syntax-error")).has_value());
    // evaluate() never produces it: a statement that parsed has no syntax error.
    for (const char *sql : {"DROP TABLE t", "SELECT 1"})
        EXPECT_FALSE(has(lint(sql), "syntax-error"));
}

// ----- exemptions, settings, scripts -----------------------------------------------------------

TEST(Exemptions, TablesCreatedInThisTransactionAccordingToTheCatalog) {
    Facts facts;
    facts.known = true;
    mg::TableFacts t;
    t.name = {"public", "fresh"};
    t.exists = true;
    t.created_in_this_transaction = true;
    facts.tables.push_back(t);
    for (const char *sql :
         {"DROP TABLE fresh", "ALTER TABLE public.fresh DROP COLUMN a", "CREATE INDEX ON fresh (a)",
          "TRUNCATE fresh", "ALTER TABLE fresh ALTER COLUMN a TYPE bigint"})
        EXPECT_TRUE(judge(sql, facts).empty()) << sql << ": " << joined(judge(sql, facts));
    EXPECT_FALSE(judge("DROP TABLE other.fresh", facts).empty()); // another schema
}

// No one else knows a column added in this transaction: dropping, renaming or retyping it
// breaks no old code. Making it NOT NULL or taking its default still does (old code inserts
// rows without it).
TEST(Exemptions, ColumnsAddedInThisTransactionAccordingToTheCatalog) {
    Facts facts;
    facts.known = true;
    mg::TableFacts t;
    t.name = {"public", "users"};
    t.exists = true;
    mg::ColumnFacts added;
    added.type_name = "int4";
    added.added_in_this_transaction = true;
    t.columns.push_back({"fresh", added});
    t.columns.push_back({"old", mg::ColumnFacts{"int4", -1, false}});
    facts.tables.push_back(t);
    for (const char *sql : {"ALTER TABLE users DROP COLUMN fresh",
                            "ALTER TABLE public.users RENAME COLUMN fresh TO newer",
                            "ALTER TABLE users ALTER COLUMN fresh TYPE text"})
        EXPECT_FALSE(has(judge(sql, facts), "drop-column") ||
                     has(judge(sql, facts), "rename-column") ||
                     has(judge(sql, facts), "alter-column-type"))
            << sql << ": " << joined(judge(sql, facts));
    EXPECT_TRUE(
        has(judge("ALTER TABLE users ALTER COLUMN fresh SET NOT NULL", facts), "set-not-null"));
    EXPECT_TRUE(has(judge("ALTER TABLE users DROP COLUMN old", facts), "drop-column"));
    EXPECT_TRUE(has(judge("ALTER TABLE other.users DROP COLUMN fresh", facts), "drop-column"));
}

TEST(Exemptions, CreatedEarlierMatchesQualifiedAndUnqualifiedNames) {
    EXPECT_TRUE(judge("DROP TABLE users", {}, {}, {{"public", "users"}}).empty());
    EXPECT_TRUE(judge("DROP TABLE public.users", {}, {}, {{"", "users"}}).empty());
    EXPECT_FALSE(judge("DROP TABLE app.users", {}, {}, {{"public", "users"}}).empty());
}

TEST(Exemptions, IfExistsOnAMissingTableDoesNothing) {
    Facts facts;
    facts.known = true;
    mg::TableFacts gone;
    gone.name = {"", "gone"};
    gone.exists = false;
    facts.tables.push_back(gone);
    EXPECT_TRUE(judge("DROP TABLE IF EXISTS gone", facts).empty());
    EXPECT_TRUE(judge("ALTER TABLE IF EXISTS gone DROP COLUMN a", facts).empty());
    // Without IF EXISTS it is still judged, as offline: lint() does not run earlier statements.
    EXPECT_TRUE(has(judge("DROP TABLE gone", facts), "drop-table"));
}

TEST(Settings, OverrideDefaultActions) {
    const std::string sql = "ALTER TABLE users DROP COLUMN email";
    const std::vector<Finding> warn = lint(sql, {}, {{"drop-column", Action::Warn}});
    ASSERT_TRUE(has(warn, "drop-column"));
    EXPECT_EQ(find(warn, "drop-column")->action, Action::Warn);
    EXPECT_FALSE(has(lint(sql, {}, off("drop-column")), "drop-column"));
    EXPECT_TRUE(lint(sql, {}, {{"drop-column", Action::Off}, {"missing-lock-timeout", Action::Off}})
                    .empty());
    const std::vector<Finding> block =
        lint("CREATE INDEX i ON users (a)", {}, {{"create-index-non-concurrently", Action::Block}});
    EXPECT_EQ(find(block, "create-index-non-concurrently")->action, Action::Block);
    // The last setting for a rule wins; unknown rules are ignored.
    EXPECT_EQ(find(lint(sql, {},
                        {{"drop-column", Action::Off},
                         {"drop-column", Action::Warn},
                         {"no-such-rule", Action::Off}}),
                   "drop-column")
                  ->action,
              Action::Warn);
}

TEST(Scripts, TablesCreatedEarlierAreExemptOnlyInsideTheirTransaction) {
    const std::string body = "CREATE TABLE t (a int); CREATE INDEX t_a ON t (a); "
                             "ALTER TABLE t ADD COLUMN b int NOT NULL;";
    // The tool wraps the script in a transaction: everything after CREATE TABLE is exempt.
    EXPECT_TRUE(lint(body).empty()) << joined(lint(body));
    // Autocommit: the table is committed (and visible) before the next statement.
    const std::vector<Finding> autocommit = lint(body, {}, {}, /*assume_in_transaction=*/false);
    EXPECT_TRUE(has(autocommit, "create-index-non-concurrently")) << joined(autocommit);
    EXPECT_TRUE(has(autocommit, "add-column-not-null-without-default"));
    // An explicit BEGIN/COMMIT decides, whatever the tool does.
    EXPECT_TRUE(lint("BEGIN; " + body + " COMMIT;", {}, {}, false).empty());
    const std::vector<Finding> after_commit =
        lint("BEGIN; CREATE TABLE t (a int); COMMIT; CREATE INDEX ON t (a);");
    EXPECT_TRUE(has(after_commit, "create-index-non-concurrently"));
    const std::vector<Finding> after_rollback =
        lint("START TRANSACTION; CREATE TABLE t (a int); ROLLBACK; DROP TABLE t;");
    EXPECT_TRUE(has(after_rollback, "drop-table"));
    // Statements before an explicit BEGIN run on their own.
    EXPECT_TRUE(has(lint("CREATE TABLE t (a int); BEGIN; ALTER TABLE t DROP COLUMN a; COMMIT;"),
                    "drop-column"));
}

TEST(Scripts, ColumnsAddedEarlierAreExemptOnlyInsideTheirTransaction) {
    const std::string body = "ALTER TABLE users ADD COLUMN nickname text; "
                             "ALTER TABLE users RENAME COLUMN nickname TO handle; "
                             "ALTER TABLE users ALTER COLUMN handle TYPE varchar(40); "
                             "ALTER TABLE users DROP COLUMN handle;";
    const std::vector<Finding> in_transaction = lint("SET lock_timeout = '1s'; " + body);
    EXPECT_TRUE(in_transaction.empty()) << joined(in_transaction);
    // Autocommit: the column is committed, and a later deploy's old code may use it.
    const std::vector<Finding> autocommit =
        lint("SET lock_timeout = '1s'; " + body, {}, {}, /*assume_in_transaction=*/false);
    EXPECT_TRUE(has(autocommit, "rename-column")) << joined(autocommit);
    EXPECT_TRUE(has(autocommit, "drop-column"));
    // ADD COLUMN IF NOT EXISTS may add nothing; a column of another table is another column.
    EXPECT_TRUE(has(lint("ALTER TABLE users ADD COLUMN IF NOT EXISTS n int; "
                         "ALTER TABLE users DROP COLUMN n;"),
                    "drop-column"));
    EXPECT_TRUE(has(lint("ALTER TABLE users ADD COLUMN n int; ALTER TABLE orders DROP COLUMN n;"),
                    "drop-column"));
    // NOT NULL on a new column still breaks old code's inserts.
    EXPECT_TRUE(has(lint("ALTER TABLE users ADD COLUMN n int; "
                         "ALTER TABLE users ALTER COLUMN n SET NOT NULL;"),
                    "set-not-null"));
    // After COMMIT the column is everyone's.
    EXPECT_TRUE(has(lint("BEGIN; ALTER TABLE users ADD COLUMN n int; COMMIT; "
                         "ALTER TABLE users DROP COLUMN n;"),
                    "drop-column"));
}

// What is new keeps being new under its new name, and only it: a column or table that takes a
// name a new one had is old.
TEST(Scripts, NewColumnsAndTablesAreFollowedThroughRenames) {
    auto script = [](const std::string &body) { return lint("SET lock_timeout = '1s'; " + body); };
    EXPECT_TRUE(has(script("ALTER TABLE t ADD COLUMN c_tmp int; "
                           "ALTER TABLE t RENAME COLUMN c_tmp TO c_new; "
                           "ALTER TABLE t RENAME COLUMN c TO c_tmp; "
                           "ALTER TABLE t DROP COLUMN c_tmp;"),
                    "drop-column"));
    EXPECT_TRUE(has(script("ALTER TABLE t ADD COLUMN c int; ALTER TABLE t RENAME TO t_old; "
                           "ALTER TABLE t_live RENAME TO t; ALTER TABLE t DROP COLUMN c;"),
                    "drop-column"));
    EXPECT_FALSE(has(script("ALTER TABLE t ADD COLUMN c int; ALTER TABLE t RENAME TO t2; "
                            "ALTER TABLE t2 DROP COLUMN c;"),
                     "drop-column")); // (the rename of the table is a finding of its own)
    EXPECT_TRUE(has(script("ALTER TABLE t ADD COLUMN c int; ALTER TABLE t DROP COLUMN c; "
                           "ALTER TABLE t RENAME COLUMN old_c TO c; ALTER TABLE t DROP COLUMN c;"),
                    "drop-column"));
    // Tables: the swap that puts a live table under a new table's name.
    EXPECT_TRUE(has(script("CREATE TABLE t (a int); ALTER TABLE t RENAME TO t_old; "
                           "ALTER TABLE live RENAME TO t; DROP TABLE t;"),
                    "drop-table"));
    EXPECT_TRUE(script("CREATE TABLE t (a int); ALTER TABLE t SET SCHEMA archive; "
                       "DROP TABLE archive.t;")
                    .empty());
    EXPECT_TRUE(has(script("CREATE TABLE t (a int); DROP TABLE t; ALTER TABLE live RENAME TO t; "
                           "ALTER TABLE t DROP COLUMN a;"),
                    "drop-column"));
}

// A statement that names an object twice says so once, however many findings it has.
TEST(Scripts, RepeatedFindingsOfOneStatementAreSaidOnce) {
    std::string tables;
    for (int i = 0; i < 40; ++i)
        tables += (i ? ", t" : "t") + std::to_string(i);
    const std::vector<Finding> f = judge("DROP TABLE " + tables + ", t7, t0, t39");
    EXPECT_EQ(
        std::count_if(f.begin(), f.end(), [](const Finding &x) { return x.rule == "drop-table"; }),
        40);
    EXPECT_EQ(judge("DROP TABLE a, a, b").size(), 3u); // a, b and missing-lock-timeout
}

TEST(Scripts, IndexesOnNewTablesAreNewToo) {
    EXPECT_TRUE(lint("CREATE TABLE t (a int); CREATE INDEX t_a ON t (a); DROP INDEX t_a;").empty());
    EXPECT_TRUE(has(lint("CREATE INDEX CONCURRENTLY t_a ON old (a); DROP INDEX t_a;"),
                    "drop-index-non-concurrently"));
}

TEST(Scripts, CommentsDollarQuotesAndManyStatements) {
    const std::string sql =
        "-- migration 042: split names\n"
        "SET lock_timeout = '2s';\n"
        "/* a function whose body mentions DROP TABLE users; */\n"
        "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ DROP TABLE users; "
        "$$;\n"
        "ALTER TABLE users ADD COLUMN first_name text; -- fine\n"
        "ALTER TABLE users DROP COLUMN full_name;\n"
        "CREATE INDEX CONCURRENTLY users_first_name_idx ON users (first_name);\n"
        "ALTER TABLE users RENAME COLUMN email TO email_address;\n";
    const std::vector<Finding> f = lint(sql, {}, {}, /* assume_in_transaction */ false);
    EXPECT_EQ(rules(f), (std::vector<std::string>{"drop-column", "rename-column"})) << joined(f);
    // A statement starts right after the previous semicolon: the "-- fine" comment is its own.
    EXPECT_EQ(f[0].location, static_cast<int>(sql.find("; -- fine")) + 1);
}

TEST(Scripts, ASyntaxErrorDoesNotHideTheRest) {
    const mg::cli::ParsedScript parsed =
        mg::cli::parse_script("ALTER TABEL users DROP COLUMN a; ALTER TABLE users DROP COLUMN b;");
    ASSERT_TRUE(parsed.has_syntax_errors());
    const std::vector<Finding> f = mg::evaluate_script(parsed.ddl(), {}, {}, true);
    ASSERT_TRUE(has(f, "drop-column"));
    EXPECT_NE(find(f, "drop-column")->message().find("\"b\""), std::string::npos);
}

TEST(Scripts, EvaluateAndEvaluateScriptAgreeOnSingleStatements) {
    for (const char *sql : {"DROP TABLE a", "ALTER TABLE a ADD COLUMN b int DEFAULT random()",
                            "CREATE INDEX ON a (b)", "ALTER TABLE a ALTER COLUMN b TYPE text"}) {
        EXPECT_EQ(joined(lint(sql)), joined(judge(sql))) << sql;
    }
}

TEST(VolatileFunctions, KnownByName) {
    for (const char *f : {"random", "RANDOM", "gen_random_uuid", "clock_timestamp", "nextval",
                          "uuid_generate_v4", "timeofday"})
        EXPECT_TRUE(mg::is_known_volatile_function(f)) << f;
    for (const char *f : {"now", "current_timestamp", "lower", "statement_timestamp", ""})
        EXPECT_FALSE(mg::is_known_volatile_function(f)) << f;
}

} // namespace

// Review findings F4 and F8: IF NOT EXISTS may create nothing, so it earns no exemption.
TEST(RulesReview, AddColumnIfNotExistsDoesNotMakeAConstraintSafe) {
    mg::DdlStatement st;
    st.command = "ALTER TABLE";
    mg::DdlChange add;
    add.kind = mg::ChangeKind::AddColumn;
    add.object = {"", "accounts"};
    add.column = "nickname";
    add.missing_ok = true;
    mg::DdlChange check;
    check.kind = mg::ChangeKind::AddConstraint;
    check.object = {"", "accounts"};
    check.column = "nickname";
    check.constraint_type = "check";
    check.not_valid = true;
    st.changes = {add, check};
    bool flagged = false;
    for (const mg::Finding &f : mg::evaluate(st, mg::Facts{}, {}))
        flagged = flagged || f.rule == "add-check-constraint";
    EXPECT_TRUE(flagged);
    st.changes[0].missing_ok = false; // a column the statement really adds: exempt
    flagged = false;
    for (const mg::Finding &f : mg::evaluate(st, mg::Facts{}, {}))
        flagged = flagged || f.rule == "add-check-constraint";
    EXPECT_FALSE(flagged);
}

TEST(RulesReview, CreateTableIfNotExistsDoesNotExemptLaterChanges) {
    mg::DdlStatement create;
    create.command = "CREATE TABLE";
    mg::DdlChange c;
    c.kind = mg::ChangeKind::CreateTable;
    c.object = {"", "accounts"};
    c.missing_ok = true;
    create.changes = {c};
    mg::DdlStatement drop;
    drop.command = "ALTER TABLE";
    mg::DdlChange d;
    d.kind = mg::ChangeKind::DropColumn;
    d.object = {"", "accounts"};
    d.column = "nickname";
    drop.changes = {d};
    bool flagged = false;
    for (const mg::Finding &f : mg::evaluate_script({create, drop}, mg::Facts{}, {}, true))
        flagged = flagged || f.rule == "drop-column";
    EXPECT_TRUE(flagged);
}

// ----- the values a finding's texts are filled with --------------------------------------------

TEST(Placeholders, SetGetCopyMoveAndAliasing) {
    using P = mg::Placeholders;
    P p;
    EXPECT_EQ(p.get(P::Table), "");
    p.set(P::T, {"public.users"}).set(P::Table, {"table \"", p.get(P::T), "\""});
    EXPECT_EQ(p.get(P::Table), "table \"public.users\"");
    // A value made of other values while the block grows past its first size.
    const std::string long_name(500, 'x');
    p.set(P::C, {long_name});
    p.set(P::Object, {p.get(P::C), " of ", p.get(P::Table), " and ", p.get(P::C)});
    EXPECT_EQ(p.get(P::Object), long_name + " of table \"public.users\" and " + long_name);
    EXPECT_EQ(p.get(P::T), "public.users");

    P copy = p;
    const P &same = copy;
    copy = same; // self-assignment keeps it
    EXPECT_EQ(copy.get(P::Object), p.get(P::Object));
    copy.set(P::T, {"other"});
    EXPECT_EQ(p.get(P::T), "public.users"); // a copy owns its block

    P moved = std::move(p);
    EXPECT_EQ(moved.get(P::Table), "table \"public.users\"");
    // The moved-from object reads empty everywhere, and takes new values.
    for (int n = 0; n < P::kCount; ++n)
        EXPECT_EQ(p.get(static_cast<P::Name>(n)), "") << n; // NOLINT(bugprone-use-after-move)
    p.set(P::What, {"again"});
    EXPECT_EQ(p.get(P::What), "again");
    EXPECT_EQ(p.get(P::Object), "");
}

TEST(Placeholders, AFindingWithoutARuleHasNoTexts) {
    const mg::Finding f{};
    EXPECT_EQ(f.message(), "");
    EXPECT_EQ(f.detail(), "");
    EXPECT_EQ(f.hint(), "");
}

TEST(RuleDefs, FindByLiteralChecksTheTextAtTheAddress) {
    char id[32] = "drop-column";
    const mg::rule_defs::RuleDef *first = mg::rule_defs::find(static_cast<const char *>(id));
    ASSERT_NE(first, nullptr);
    EXPECT_STREQ(first->info.id, "drop-column");
    std::strcpy(id, "drop-table"); // the same address, another rule
    const mg::rule_defs::RuleDef *second = mg::rule_defs::find(static_cast<const char *>(id));
    ASSERT_NE(second, nullptr);
    EXPECT_STREQ(second->info.id, "drop-table");
    std::strcpy(id, "no-such-rule");
    EXPECT_EQ(mg::rule_defs::find(static_cast<const char *>(id)), nullptr);
}
