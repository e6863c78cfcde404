// The CLI's lint pieces below the command line: splitting, positions, suppression comments,
// transaction hints, the scanner's tokens, configuration and reporter escaping.
#include "cli/config.hpp"
#include "cli/lint.hpp"
#include "cli/parse.hpp"
#include "cli/report.hpp"
#include "cli/scan.hpp"
#include "cli/source.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace {

using mg::cli::lint_script;
using mg::cli::LintOptions;

std::vector<std::string> rules_of(const mg::cli::LintResult &r) {
    std::vector<std::string> out;
    for (const auto &f : r.findings)
        out.push_back(std::to_string(f.line) + ":" + std::to_string(f.column) + ":" +
                      std::string(f.rule()));
    return out;
}

TEST(CliParse, AStatementStartingWithAnIdentifierIsNotLost) {
    // libpg_query's pg_query_split_with_scanner drops such statements; ours must not.
    const auto parsed = mg::cli::parse_script("SELEC 1;\nDROP TABLE x;\n");
    ASSERT_EQ(parsed.statements.size(), 2u);
    EXPECT_TRUE(parsed.statements[0].syntax_error);
    EXPECT_EQ(parsed.statements[0].ddl.location, 0);
    EXPECT_EQ(parsed.statements[0].ddl.length, 7);
    EXPECT_FALSE(parsed.statements[1].syntax_error);
}

TEST(CliParse, SplitsLikeTheServerLintAroundBeginAtomicAndRules) {
    const std::string sql =
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT "
        "CASE WHEN true THEN 1 END; SELECT 2; END;\n"
        "CREATE OR REPLACE RULE r AS ON INSERT TO t DO ALSO (SELECT 1; SELECT 2);\n"
        "create rule s as on update to t do instead (select 1; select (2));\nDROP TABLE x;";
    const auto pieces = mg::cli::split_statements(sql);
    ASSERT_EQ(pieces.size(), 4u);
    EXPECT_EQ(sql.substr(pieces[0].start, pieces[0].end - pieces[0].start).back(), ';');
    EXPECT_EQ(sql.substr(pieces[1].start, pieces[1].end - pieces[1].start),
              "\nCREATE OR REPLACE RULE r AS ON INSERT TO t DO ALSO (SELECT 1; SELECT 2);");
    EXPECT_EQ(sql.substr(pieces[2].start, pieces[2].end - pieces[2].start),
              "\ncreate rule s as on update to t do instead (select 1; select (2));");
    EXPECT_EQ(sql.substr(pieces[3].start), "\nDROP TABLE x;");
}

// A semicolon inside parentheses is valid only between a rule's actions: in any other
// statement it ends the statement, so that an unclosed parenthesis does not hide the rest.
TEST(CliParse, AnUnclosedParenthesisEndsAtItsStatementsSemicolon) {
    const std::string sql = "SELEC (1;2);\nCREATE INDEX i ON t (a;\nDROP TABLE x;";
    const auto pieces = mg::cli::split_statements(sql);
    ASSERT_EQ(pieces.size(), 4u);
    EXPECT_EQ(sql.substr(pieces[0].start, pieces[0].end - pieces[0].start), "SELEC (1;");
    EXPECT_EQ(sql.substr(pieces[1].start, pieces[1].end - pieces[1].start), "2);");
    EXPECT_EQ(sql.substr(pieces[2].start, pieces[2].end - pieces[2].start),
              "\nCREATE INDEX i ON t (a;");
    EXPECT_EQ(sql.substr(pieces[3].start), "\nDROP TABLE x;");
}

// As the server's lint() does: after a lexer error the piece ends at the next semicolon and
// scanning starts again there; without one, the rest of the script is one piece.
TEST(CliParse, AfterALexerErrorScanningResumesAtTheNextSemicolon) {
    const std::string sql = "DROP TABLE a;\nSELECT 'open;\nDROP TABLE b;";
    const auto pieces = mg::cli::split_statements(sql);
    ASSERT_EQ(pieces.size(), 3u);
    EXPECT_EQ(pieces[1].start, 13);
    EXPECT_EQ(pieces[1].end, static_cast<int>(sql.find(";\nDROP TABLE b")) + 1);
    EXPECT_EQ(pieces[2].end, static_cast<int>(sql.size()));
    const std::string tail = "DROP TABLE a;\nSELECT 'open\n";
    const auto two = mg::cli::split_statements(tail);
    ASSERT_EQ(two.size(), 2u);
    EXPECT_EQ(two[1].end, static_cast<int>(tail.size()));
    EXPECT_FALSE(two[1].semicolon);
}

TEST(CliSource, LineIndexAndStatementStart) {
    const std::string text = "ab\n\xC3\xA9x\n\nz";
    const mg::cli::LineIndex lines(text);
    EXPECT_EQ(lines.line(0), 1);
    EXPECT_EQ(lines.line(3), 2);
    EXPECT_EQ(lines.column(5), 2); // after the two-byte é
    EXPECT_EQ(lines.line(8), 4);
    EXPECT_EQ(lines.line(100), 4);
    // Asked in any order (the index remembers the last line it found).
    for (int offset : {8, 0, 5, 3, 100, 2, 6, 7, 1}) {
        const auto end = text.begin() + std::min<std::ptrdiff_t>(offset, text.size());
        EXPECT_EQ(lines.line(offset), 1 + std::count(text.begin(), end, '\n')) << offset;
    }
    EXPECT_EQ(lines.position(5).line, 2);
    EXPECT_EQ(lines.position(5).column, 2);
    const std::string sql = "  -- c\n /* a /* nested */ b */\n\tDROP";
    EXPECT_EQ(mg::cli::statement_start(sql, 0), static_cast<int>(sql.find("DROP")));
    EXPECT_EQ(mg::cli::statement_start("/* open", 0), 7);
}

TEST(CliLint, FindingsAtTheStatementsFirstTokenInScriptOrder) {
    const auto r = lint_script("-- c\n  DROP TABLE a;\nSELEC;\nALTER TABLE b RENAME TO c;", {});
    EXPECT_EQ(rules_of(r), (std::vector<std::string>{"2:3:drop-table", "2:3:missing-lock-timeout",
                                                     "3:1:syntax-error", "4:1:rename-table",
                                                     "4:1:missing-lock-timeout"}));
    EXPECT_EQ(r.findings[0].severity(), "error");
    EXPECT_EQ(r.findings[1].severity(), "warning");
}

TEST(CliLint, StatementsAfterAnUnclosedParenthesisAreJudged) {
    const auto r = lint_script("CREATE TABLE a (x int;\nALTER TABLE t DROP COLUMN c;\n", {});
    EXPECT_EQ(rules_of(r), (std::vector<std::string>{"1:22:syntax-error", "2:1:drop-column",
                                                     "2:1:missing-lock-timeout"}));
}

TEST(CliLint, SuppressionsApplyToTheirStatement) {
    const std::string sql = "DROP TABLE a; -- migration-guard ignore drop-table: old\n"
                            "-- migration-guard ignore drop-table, missing-lock-timeout: gone\n"
                            "DROP TABLE b;\n"
                            "DROP TABLE c /* migration-guard ignore all: inside */;\n"
                            "DROP TABLE d;\n"
                            "-- migration-guard ignore drop-table: after everything\n";
    const auto r = lint_script(sql, {});
    EXPECT_EQ(rules_of(r), (std::vector<std::string>{"1:1:missing-lock-timeout", "5:1:drop-table",
                                                     "5:1:missing-lock-timeout"}));
    EXPECT_EQ(r.suppressed, 5);
    ASSERT_EQ(r.notes.size(), 1u);
    EXPECT_EQ(r.notes[0].line, 6);
}

TEST(CliLint, FileWideSuppressionAndFilters) {
    LintOptions options;
    const std::string sql = "/* migration-guard ignore-file drop-table: fixture */\n"
                            "DROP TABLE a;\nTRUNCATE b;";
    EXPECT_EQ(rules_of(lint_script(sql, options)),
              (std::vector<std::string>{"2:1:missing-lock-timeout", "3:1:truncate",
                                        "3:1:missing-lock-timeout"}));
    options.exclude_rules = {"missing-lock-timeout"};
    EXPECT_EQ(rules_of(lint_script(sql, options)), (std::vector<std::string>{"3:1:truncate"}));
    options.exclude_rules.clear();
    options.only_rules = {"missing-lock-timeout"};
    EXPECT_EQ(rules_of(lint_script(sql, options)),
              (std::vector<std::string>{"2:1:missing-lock-timeout", "3:1:missing-lock-timeout"}));
}

TEST(CliLint, TransactionHints) {
    EXPECT_TRUE(mg::says_no_transaction("--! Previous: sha1:x\n--! no-transaction\nX"));
    EXPECT_TRUE(mg::says_no_transaction("\xEF\xBB\xBF--! no-transaction\n"));
    EXPECT_FALSE(mg::says_no_transaction("select 1;\n--! no-transaction\n"));
    EXPECT_TRUE(mg::says_no_transaction("-- migrate:up transaction:false\ncreate ..."));
    EXPECT_FALSE(mg::says_no_transaction("-- migrate:up\ncreate ..."));
    LintOptions options;
    options.assume_in_transaction = true;
    EXPECT_TRUE(lint_script("select 1;", options).in_transaction);
    EXPECT_FALSE(lint_script("--! no-transaction\nselect 1;", options).in_transaction);
}

TEST(CliLint, RuleSettingsAndFacts) {
    LintOptions options;
    options.settings = {{"drop-table", mg::Action::Warn},
                        {"missing-lock-timeout", mg::Action::Off}};
    auto r = lint_script("DROP TABLE a;", options);
    ASSERT_EQ(r.findings.size(), 1u);
    EXPECT_EQ(r.findings[0].severity(), "warning");
    // Facts from a database: a table that does not exist, dropped IF EXISTS, changes nothing.
    options.facts = [](const std::vector<mg::DdlStatement> &) {
        mg::Facts facts;
        facts.known = true;
        mg::TableFacts t;
        t.name = {"", "a"};
        facts.tables.push_back(t);
        return facts;
    };
    EXPECT_TRUE(lint_script("DROP TABLE IF EXISTS a;", options).findings.empty());
}

TEST(CliScan, TokensAsTheServersLexerGivesThem) {
    const auto tokens = mg::cli::sql_tokens(
        "RAISE EXCEPTION USING ERRCODE = 'AB''C'; -- 'no'\n\"Quoted\" Word E'a\\nb' $x$d$x$ :=");
    std::vector<std::string> texts;
    for (const auto &t : tokens)
        texts.push_back(t.text);
    EXPECT_EQ(texts, (std::vector<std::string>{"raise", "exception", "using", "errcode", "=",
                                               "AB'C", ";", "Quoted", "word", "a\nb", "d", ":="}));
    EXPECT_EQ(tokens[5].kind, mg::SqlToken::Kind::String);
    EXPECT_EQ(tokens[0].kind, mg::SqlToken::Kind::Word);
    const auto comments = mg::cli::find_comments("select 1; -- x\n/* y */ select '-- z'");
    ASSERT_EQ(comments.size(), 2u);
    EXPECT_EQ(comments[0].start, 10);
}

TEST(CliConfig, ParsesAndRejects) {
    mg::cli::Config config;
    std::string error;
    ASSERT_TRUE(mg::cli::parse_config(
        R"({"rule_actions": {"drop-table": "off"}, "exclude_rules": ["truncate"],
            "assume_in_transaction": true, "fail_on": "warning"})",
        config, error))
        << error;
    ASSERT_EQ(config.rule_actions.size(), 1u);
    EXPECT_EQ(config.rule_actions[0].action, mg::Action::Off);
    EXPECT_EQ(config.exclude_rules, std::vector<std::string>{"truncate"});
    EXPECT_TRUE(*config.assume_in_transaction);
    EXPECT_EQ(*config.fail_on, mg::cli::FailOn::Warning);
    for (const char *bad : {"[]", "{\"x\": 1}", "{\"rule_actions\": {\"nope\": \"off\"}}",
                            "{\"rule_actions\": {\"drop-table\": \"maybe\"}}",
                            "{\"exclude_rules\": [\"nope\"]}", "{\"fail_on\": 1}", "{"}) {
        mg::cli::Config c;
        EXPECT_FALSE(mg::cli::parse_config(bad, c, error)) << bad;
    }
}

TEST(CliReport, Escaping) {
    EXPECT_EQ(mg::cli::github_escape("a%b\r\nc:d,e", false), "a%25b%0D%0Ac:d,e");
    EXPECT_EQ(mg::cli::github_escape("a:b,c", true), "a%3Ab%2Cc");
    EXPECT_EQ(mg::cli::sarif_uri("db/V1__x y.sql"), "db/V1__x%20y.sql");
    EXPECT_EQ(mg::cli::sarif_uri("/abs/a.sql"), "file:///abs/a.sql");
}

} // namespace

namespace {

std::string report_text(mg::cli::Format format, const std::string &message) {
    // A syntax error's message is the parser's, whatever bytes the script held.
    mg::cli::LintFinding f;
    f.finding = *mg::syntax_error_finding(message, 0, {});
    mg::cli::FileReport file{"dir/a \"b\".sql", {}};
    file.result.findings.push_back(f);
    char *buffer = nullptr;
    size_t size = 0;
    std::FILE *out = open_memstream(&buffer, &size);
    mg::cli::ReportOptions options;
    options.format = format;
    mg::cli::write_report(out, {file}, options);
    std::fclose(out);
    std::string text(buffer, size);
    std::free(buffer);
    return text;
}

TEST(CliReport, JsonEscapesAndReplacesBadUtf8) {
    const std::string message =
        std::string("tab\there \"q\" back\\slash \x01 caf\xC3\xA9 ") +
        "\xF0\x9F\x98\x80 bad:\xFF\xC3 overlong:\xC0\xAF surrogate:\xED\xA0\x80";
    const nlohmann::json parsed =
        nlohmann::json::parse(report_text(mg::cli::Format::Json, message));
    ASSERT_EQ(parsed.size(), 1u);
    EXPECT_EQ(parsed[0]["file"], "dir/a \"b\".sql");
    const std::string r = "\xEF\xBF\xBD";
    EXPECT_EQ(parsed[0]["message"],
              std::string("syntax-error: tab\there \"q\" back\\slash \x01 caf\xC3\xA9 ") +
                  "\xF0\x9F\x98\x80 bad:" + r + r + " overlong:" + r + r + " surrogate:" + r + r +
                  r);
    EXPECT_EQ(nlohmann::json::parse(report_text(mg::cli::Format::Json, "x"))[0]["line"], 1);
}

// The statements of a kept parse are those of parse_script(), described one at a time, in the
// whole-script parse and in the piece-by-piece parse of a script with a syntax error alike.
TEST(CliParse, AKeptParseDescribesWhatParseScriptDescribes) {
    for (const std::string &sql :
         {std::string("-- lead\nDROP TABLE a;\n\nALTER TABLE b RENAME COLUMN c TO d; BEGIN;\n"
                      "CREATE TABLE t (x int); COMMIT AND CHAIN"),
          std::string("DROP TABLE a;\nSELEC 1;\nALTER TABLE b DROP COLUMN c;\n")}) {
        const mg::cli::ParsedScript all = mg::cli::parse_script(sql);
        const mg::cli::ScriptParse kept(sql);
        ASSERT_EQ(kept.size(), all.statements.size()) << sql;
        for (size_t i = 0; i < kept.size(); ++i) {
            const mg::cli::ScriptStatement s = kept.statement(i);
            EXPECT_EQ(kept.location(i), all.statements[i].ddl.location) << sql << i;
            EXPECT_EQ(kept.length(i), all.statements[i].ddl.length) << sql << i;
            EXPECT_EQ(s.ddl.location, all.statements[i].ddl.location);
            EXPECT_EQ(s.ddl.length, all.statements[i].ddl.length);
            EXPECT_EQ(s.syntax_error, all.statements[i].syntax_error);
            EXPECT_EQ(s.error_location, all.statements[i].error_location);
            EXPECT_EQ(s.ddl.command, all.statements[i].ddl.command);
            EXPECT_EQ(s.ddl.changes.size(), all.statements[i].ddl.changes.size());
        }
    }
}

TEST(CliParse, AKeptParseKnowsWhetherTheScriptControlsItsTransaction) {
    auto controls = [](const std::string &sql) {
        return mg::cli::ScriptParse(sql).controls_transaction();
    };
    EXPECT_FALSE(controls("DROP TABLE a; SAVEPOINT s; RELEASE s;"));
    EXPECT_TRUE(controls("DROP TABLE a; COMMIT;"));
    EXPECT_TRUE(controls("START TRANSACTION; DROP TABLE a;"));
    // Piece by piece (a syntax error elsewhere): the same answer.
    EXPECT_TRUE(controls("SELEC 1; BEGIN; DROP TABLE a;"));
    EXPECT_FALSE(controls("SELEC 1; DROP TABLE a;"));
}

// Findings handed over as they are found, statement by statement, with suppression comments,
// a syntax error and an assumed transaction (which exempts the table it creates); notes come
// before the first finding.
TEST(CliLint, FindingsComeStatementByStatement) {
    const std::string sql = "-- migration-guard ignore-file truncate: test data\n"
                            "CREATE TABLE t (a int);\nALTER TABLE t DROP COLUMN a;\n"
                            "DROP TABLE old; -- migration-guard ignore drop-table: retired\n"
                            "SELEC 1;\nTRUNCATE u;\nALTER TABLE u RENAME TO v;\n"
                            "ALTER TABLE v ALTER COLUMN c TYPE text;\n"
                            "-- migration-guard ignore drop-table: after the last\n";
    const std::vector<std::string> later = {
        "4:missing-lock-timeout", "5:syntax-error",      "6:missing-lock-timeout", "7:rename-table",
        "7:missing-lock-timeout", "8:alter-column-type", "8:missing-lock-timeout"};
    std::vector<std::string> autocommit = {"3:drop-column", "3:missing-lock-timeout"};
    autocommit.insert(autocommit.end(), later.begin(), later.end());
    for (const bool in_transaction : {false, true}) {
        LintOptions options;
        options.assume_in_transaction = in_transaction;
        std::vector<std::string> seen;
        const mg::cli::LintResult result = lint_script(
            sql, options,
            [&](mg::cli::LintFinding &&f) {
                seen.push_back(std::to_string(f.line) + ":" + std::string(f.rule()));
            },
            [&](const std::vector<mg::cli::LintNote> &notes) {
                EXPECT_TRUE(seen.empty());
                ASSERT_EQ(notes.size(), 1u);
                seen.push_back("note " + std::to_string(notes[0].line));
            });
        std::vector<std::string> expected = {"note 9"};
        const std::vector<std::string> &findings = in_transaction ? later : autocommit;
        expected.insert(expected.end(), findings.begin(), findings.end());
        EXPECT_EQ(seen, expected) << in_transaction;
        EXPECT_TRUE(result.findings.empty());
        EXPECT_EQ(result.notes.size(), 1u);
        EXPECT_EQ(result.suppressed, 2);
        EXPECT_EQ(rules_of(lint_script(sql, options)).size(), findings.size());
    }
}

// A writer hands over what it has written when flushed (before a note goes to standard error)
// and ends the report at finish(); SARIF, one document, is written only then.
TEST(CliReport, AWriterFlushesWhatItHasAndFinishesTheReport) {
    const mg::cli::LintResult linted = lint_script("DROP TABLE a;\nTRUNCATE b;\n", {});
    ASSERT_EQ(linted.findings.size(), 4u);
    for (const auto format : {mg::cli::Format::Human, mg::cli::Format::Json, mg::cli::Format::Sarif,
                              mg::cli::Format::Github}) {
        char *buffer = nullptr;
        size_t size = 0;
        std::FILE *out = open_memstream(&buffer, &size);
        mg::cli::ReportOptions options;
        options.format = format;
        auto writer = mg::cli::ReportWriter::make(out, options);
        for (const char *path : {"a.sql", "b.sql"}) {
            writer->begin_file(path);
            for (const auto &f : linted.findings)
                writer->add(f);
            writer->end_file(1);
        }
        writer->flush();
        std::fflush(out);
        const std::string flushed(buffer, size);
        if (format == mg::cli::Format::Sarif) {
            EXPECT_TRUE(flushed.empty());
        } else {
            EXPECT_NE(flushed.find("b.sql"), std::string::npos);
        }
        writer->finish();
        std::fclose(out);
        const std::string text(buffer, size);
        std::free(buffer);
        EXPECT_EQ(text.compare(0, flushed.size(), flushed), 0);
        if (format == mg::cli::Format::Human) {
            EXPECT_NE(text.find("4 errors, 4 warnings in 2 files (2 suppressed)\n"),
                      std::string::npos)
                << text;
        } else if (format == mg::cli::Format::Json) {
            EXPECT_EQ(nlohmann::json::parse(text).size(), 8u);
        } else if (format == mg::cli::Format::Sarif) {
            EXPECT_EQ(nlohmann::json::parse(text)["runs"][0]["results"].size(), 8u);
        }
    }
}

TEST(CliReport, EmptyJsonIsAnEmptyArray) {
    char *buffer = nullptr;
    size_t size = 0;
    std::FILE *out = open_memstream(&buffer, &size);
    mg::cli::ReportOptions options;
    options.format = mg::cli::Format::Json;
    mg::cli::write_report(out, {}, options);
    std::fclose(out);
    EXPECT_EQ(nlohmann::json::parse(std::string(buffer, size)), nlohmann::json::array());
    std::free(buffer);
}

} // namespace
