// migration-guard lint: the command line around lint_script() and the reporters.
#include "cli/command.hpp"
#include "cli/config.hpp"
#include "cli/database.hpp"
#include "cli/lint.hpp"
#include "cli/report.hpp"
#include "cli/source.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

#include <unistd.h>

namespace mg::cli {
namespace {

constexpr char kDefaultConfig[] = ".migration-guard.json";

void print_lint_usage(std::FILE *out) {
    std::fprintf(
        out,
        "NAME\n"
        "    migration-guard lint - check migration scripts against migration_guard's rules\n"
        "\n"
        "SYNOPSIS\n"
        "    migration-guard lint [OPTIONS] [--] FILE|DIR...\n"
        "\n"
        "DESCRIPTION\n"
        "    Reads each FILE (\"-\" is standard input) and every *.sql file below each DIR\n"
        "    (sorted by path), parses it with PostgreSQL 15's own grammar (libpg_query) and\n"
        "    judges it with the same rule engine as the database's migration_guard.lint()\n"
        "    and the preboot guard. Each finding has a file, line, column, rule, severity\n"
        "    (error for rules whose action is block, warning for warn), message, detail and\n"
        "    hint. A statement with a syntax error is a finding of rule syntax-error; the\n"
        "    other statements are still checked. Rules: docs/rules/README.md.\n"
        "\n"
        "OPTIONS\n"
        "    -f, --format FORMAT\n"
        "        human (default: file:line:col, coloured on a terminal), json (an array of\n"
        "        {file, line, column, rule, severity, message, detail, hint}), sarif (SARIF\n"
        "        2.1.0 for code-scanning UIs) or github (workflow-command annotations).\n"
        "    --rule RULE[,RULE...]\n"
        "        Report only these rules (repeatable).\n"
        "    --exclude-rule RULE[,RULE...]\n"
        "        Do not report these rules (repeatable).\n"
        "    --assume-in-transaction\n"
        "        Judge each script as run inside one transaction opened by the migration\n"
        "        tool (Flyway, graphile-migrate, Rails...): a table the script creates is\n"
        "        exempt afterwards, SET LOCAL lock_timeout counts. A script with its own\n"
        "        BEGIN/COMMIT, graphile-migrate's \"--! no-transaction\" header or dbmate's\n"
        "        \"-- migrate:up transaction:false\" is judged statement by statement anyway.\n"
        "    --fail-on error|warning|never\n"
        "        The least severity that makes the exit status 1 (default: error).\n"
        "    --config FILE\n"
        "        Read the configuration from FILE (JSON; default: %s in the\n"
        "        current directory when it exists). Keys: rule_actions ({\"rule\": \"block\"|\n"
        "        \"warn\"|\"off\"}), exclude_rules ([...]), assume_in_transaction (bool),\n"
        "        fail_on (\"error\"|\"warning\"|\"never\"). Options given on the command line "
        "win.\n"
        "    --no-config\n"
        "        Read no configuration file.\n"
        "    --dsn DSN\n"
        "        Connect to a database (libpq connection string or URI; PG* environment\n"
        "        variables apply) and judge with its catalog as migration_guard.lint() does:\n"
        "        which tables exist, column types, NOT NULL, the session's lock_timeout, and\n"
        "        the rule actions set with migration_guard.set_rule_action() (the config\n"
        "        file's rule_actions apply on top). Nothing is executed or changed.\n"
        "    --color auto|always|never\n"
        "        Colour in the human format (default auto: on a terminal, unless NO_COLOR).\n"
        "    -h, --help\n"
        "        Show this help.\n"
        "\n"
        "SUPPRESSING A FINDING\n"
        "    A comment with a reason silences a rule for one statement (a comment before or\n"
        "    inside it, or after it on the line where it ends) or for the whole file:\n"
        "        -- migration-guard ignore drop-column: unused since release 41\n"
        "        -- migration-guard ignore-file truncate,vacuum-full: test fixtures only\n"
        "    \"all\" names every rule. A directive without a reason or with an unknown rule\n"
        "    suppresses nothing and is reported on standard error.\n"
        "\n"
        "EXIT STATUS\n"
        "    0    no finding at or above --fail-on\n"
        "    1    findings at or above --fail-on\n"
        "    2    usage error, unreadable file or configuration, database unreachable\n"
        "    3    internal error\n"
        "\n"
        "EXAMPLES\n"
        "    migration-guard lint migrations/\n"
        "    migration-guard lint --format sarif migrations/ > lint.sarif\n"
        "    migration-guard lint --dsn \"$DATABASE_URL\" --assume-in-transaction db/V42__x.sql\n",
        kDefaultConfig);
}

bool add_rules(const std::string &list, std::vector<std::string> &out, const char *option) {
    size_t start = 0;
    while (start <= list.size()) {
        size_t comma = list.find(',', start);
        if (comma == std::string::npos)
            comma = list.size();
        const std::string rule = list.substr(start, comma - start);
        if (find_rule(rule) == nullptr) {
            usage_error(std::string("lint: ") + option + ": unknown rule \"" + rule +
                        "\" (docs/rules/README.md lists them)");
            return false;
        }
        out.push_back(rule);
        start = comma + 1;
    }
    return true;
}

bool load_config(const std::string &path, bool required, Config &config) {
    if (!required && access(path.c_str(), F_OK) != 0)
        return true;
    std::string text, error;
    if (!read_source(path, text, error)) {
        io_error("lint", error);
        return false;
    }
    if (!parse_config(text, config, error)) {
        io_error("lint", "configuration \"" + path + "\": " + error);
        return false;
    }
    return true;
}

bool fails(const LintFinding &f, FailOn fail_on) {
    return fail_on == FailOn::Warning || (fail_on == FailOn::Error && f.severity() == "error");
}

} // namespace

int run_lint(const Args &args) {
    ArgReader reader(args);
    std::vector<std::string> inputs, only, exclude;
    std::string format_name = "human", config_path, color = "auto", dsn, value;
    bool no_config = false, have_dsn = false;
    std::optional<bool> assume_in_transaction;
    std::optional<FailOn> fail_on;
    std::string_view arg;
    while (reader.next_option(arg, inputs)) {
        if (arg == "-h" || arg == "--help") {
            print_lint_usage(stdout);
            return kExitOk;
        } else if (arg == "-f" || arg == "--format") {
            if (!reader.value(arg, format_name, "lint"))
                return kExitUsage;
        } else if (arg == "--rule" || arg == "--exclude-rule") {
            if (!reader.value(arg, value, "lint") ||
                !add_rules(value, arg == "--rule" ? only : exclude, std::string(arg).c_str()))
                return kExitUsage;
        } else if (arg == "--assume-in-transaction") {
            assume_in_transaction = true;
        } else if (arg == "--fail-on") {
            FailOn f;
            if (!reader.value(arg, value, "lint"))
                return kExitUsage;
            if (!parse_fail_on(value, f))
                return usage_error("lint: --fail-on must be error, warning or never");
            fail_on = f;
        } else if (arg == "--config") {
            if (!reader.value(arg, config_path, "lint"))
                return kExitUsage;
        } else if (arg == "--no-config") {
            no_config = true;
        } else if (arg == "--dsn") {
            if (!reader.value(arg, dsn, "lint"))
                return kExitUsage;
            have_dsn = true;
        } else if (arg == "--color" || arg == "--colour") {
            if (!reader.value(arg, color, "lint"))
                return kExitUsage;
            if (color != "auto" && color != "always" && color != "never")
                return usage_error("lint: --color must be auto, always or never");
        } else {
            return usage_error("lint: unknown option \"" + std::string(arg) + "\"");
        }
    }
    ReportOptions report;
    if (!parse_format(format_name, report.format))
        return usage_error("lint: unknown format \"" + format_name +
                           "\" (human, json, sarif or github)");
    if (inputs.empty())
        return usage_error("lint: no FILE or DIR given (use \"-\" for standard input)");

    Config config;
    if (!no_config && !load_config(config_path.empty() ? kDefaultConfig : config_path,
                                   !config_path.empty(), config))
        return kExitUsage;

    LintOptions options;
    options.assume_in_transaction =
        assume_in_transaction.value_or(config.assume_in_transaction.value_or(false));
    options.only_rules = only;
    options.exclude_rules = config.exclude_rules;
    options.exclude_rules.insert(options.exclude_rules.end(), exclude.begin(), exclude.end());
    const FailOn failing = fail_on.value_or(config.fail_on.value_or(FailOn::Error));

    std::unique_ptr<Database> db;
    if (have_dsn) {
        std::string error;
        db = Database::connect(dsn, error);
        if (!db)
            return io_error("lint", error);
        if (!db->rule_settings(options.settings, error))
            return io_error("lint", error);
        Database *conn = db.get();
        options.facts = [conn](const std::vector<DdlStatement> &statements) {
            return conn->facts(statements);
        };
    }
    options.settings.insert(options.settings.end(), config.rule_actions.begin(),
                            config.rule_actions.end());

    std::vector<std::string> files;
    std::string error;
    if (!expand_inputs(inputs, files, error))
        return io_error("lint", error);

    const char *no_color = std::getenv("NO_COLOR");
    report.colour =
        color == "always" || (color == "auto" && isatty(STDOUT_FILENO) && !(no_color && *no_color));
    auto print_notes = [&](const std::string &path, const std::vector<LintNote> &notes) {
        for (const LintNote &note : notes)
            std::fprintf(stderr, "%s: lint: %s:%d: %s\n", kProgram, path.c_str(), note.line,
                         note.text.c_str());
    };
    bool io_failed = false, failing_found = false;
    auto judge = [&](const LintFinding &f) { failing_found = failing_found || fails(f, failing); };

    // Offline each file's findings are written as they are found. With a database they are kept
    // and the report written once every file is linted, so that a connection lost halfway leaves
    // no partial report.
    const std::unique_ptr<ReportWriter> writer = db ? nullptr : ReportWriter::make(stdout, report);
    std::vector<FileReport> kept;
    for (const std::string &path : files) {
        std::string text;
        if (!read_source(path, text, error)) {
            io_error("lint", error);
            io_failed = true;
            continue;
        }
        if (!writer) {
            FileReport file{path, lint_script(text, options)};
            if (!db->error().empty())
                return io_error("lint", db->error());
            print_notes(path, file.result.notes);
            for (const LintFinding &f : file.result.findings)
                judge(f);
            kept.push_back(std::move(file));
            continue;
        }
        writer->begin_file(path);
        const LintResult result = lint_script(
            text, options,
            [&](LintFinding &&f) {
                judge(f);
                writer->add(f);
            },
            [&](const std::vector<LintNote> &notes) {
                // The report so far goes out first: a note never splits a report's line when
                // both streams go to one place.
                writer->flush();
                std::fflush(stdout);
                print_notes(path, notes);
            });
        writer->end_file(result.suppressed);
    }
    if (writer)
        writer->finish();
    else
        write_report(stdout, kept, report);
    if (!flush_output("lint"))
        return kExitUsage;
    if (io_failed)
        return kExitUsage;
    return failing_found ? kExitFindings : kExitOk;
}

} // namespace mg::cli
