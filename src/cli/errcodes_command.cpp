// migration-guard errcodes FILE...: the custom SQLSTATE check that the extension runs on every
// CREATE FUNCTION (migration_guard._check_function_sqlstates), on scripts before they run. The
// same core (errcode_scan, sqlstate) over the same tokens: PostgreSQL's lexer reading the body
// of each LANGUAGE plpgsql function and procedure.
#include "cli/command.hpp"
#include "cli/parse.hpp"
#include "cli/scan.hpp"
#include "cli/source.hpp"
#include "core/errcode_scan.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>

namespace mg::cli {
namespace {

void print_errcodes_usage(std::FILE *out) {
    std::fprintf(
        out,
        "NAME\n"
        "    migration-guard errcodes - check the SQLSTATEs PL/pgSQL functions raise\n"
        "\n"
        "SYNOPSIS\n"
        "    migration-guard errcodes [--format human|json] [--] FILE|DIR...\n"
        "\n"
        "DESCRIPTION\n"
        "    Finds every CREATE FUNCTION and CREATE PROCEDURE ... LANGUAGE plpgsql in each\n"
        "    FILE (and every *.sql file below each DIR), reads its body with PostgreSQL's\n"
        "    own lexer, and checks each RAISE ... SQLSTATE 'XXXXX', RAISE condition_name and\n"
        "    USING ERRCODE = '...' against the rules the extension enforces when the function\n"
        "    is created (docs/sqlstates.md): a custom code must be five characters, start\n"
        "    with A-Z but not F, H, P or X, have no 0 or P third, a letter fourth, not end\n"
        "    in 000 and not be one of PostgreSQL's own codes; a name must be one of\n"
        "    PostgreSQL's condition names. PostgreSQL's own codes may be raised. Comments and\n"
        "    quoted text are never mistaken for code. The database's registry\n"
        "    (migration_guard.error_codes, rule exceptions) is not consulted.\n"
        "\n"
        "OPTIONS\n"
        "    --format FORMAT  human (default: FILE:LINE:COL: ...) or json: an array of\n"
        "                     {file, line, column, function, code, form, rule, reason}\n"
        "    -h, --help       show this help\n"
        "\n"
        "EXIT STATUS\n"
        "    0    no bad code\n"
        "    1    some function raises a code that breaks the rules\n"
        "    2    usage error or unreadable file\n"
        "    3    internal error\n");
}

const char *form_name(ErrcodeUse::Form form) {
    switch (form) {
    case ErrcodeUse::Form::RaiseSqlstate:
        return "RAISE SQLSTATE";
    case ErrcodeUse::Form::RaiseCondition:
        return "RAISE condition";
    case ErrcodeUse::Form::UsingErrcode:
        return "USING ERRCODE";
    }
    return "";
}

struct Problem {
    int line, column;
    std::string function, code, form, rule, reason;
};

// Where the body's first character is in the script: just inside the string constant that
// follows the AS clause (-1: not found).
int body_start(const std::string &script, const FunctionBody &fn) {
    if (fn.as_location < 0)
        return -1;
    const std::string window = script.substr(fn.as_location, 2 * fn.body.size() + 1024);
    for (const SqlToken &t : sql_tokens(window)) {
        if (t.kind != SqlToken::Kind::String)
            continue;
        const size_t at = fn.as_location + t.offset;
        if (script[at] == '$')
            return static_cast<int>(script.find('$', at + 1) + 1);
        return static_cast<int>(script.find('\'', at) + 1);
    }
    return -1;
}

std::vector<Problem> check_script(const std::string &script) {
    std::vector<Problem> out;
    const LineIndex lines(script);
    for (const FunctionBody &fn : plpgsql_bodies(script)) {
        const int start = body_start(script, fn);
        const LineIndex body_lines(fn.body);
        for (const ErrcodeUse &use : find_errcode_uses(sql_tokens(fn.body))) {
            const int offset = static_cast<int>(use.offset);
            const int body_line = body_lines.line(offset);
            int line = body_line, column = body_lines.column(offset);
            if (start >= 0) {
                line = lines.line(start) + body_line - 1;
                if (body_line == 1)
                    column += lines.column(start) - 1;
            }
            for (const ErrcodeProblem &p : errcode_problems({use}))
                out.push_back(
                    Problem{line, column, fn.name, p.value, form_name(use.form), p.rule, p.reason});
        }
    }
    return out;
}

} // namespace

int run_errcodes(const Args &args) {
    ArgReader reader(args);
    std::vector<std::string> inputs;
    std::string format = "human";
    std::string_view arg;
    while (reader.next_option(arg, inputs)) {
        if (arg == "-h" || arg == "--help") {
            print_errcodes_usage(stdout);
            return kExitOk;
        } else if (arg == "-f" || arg == "--format") {
            if (!reader.value(arg, format, "errcodes"))
                return kExitUsage;
            if (format != "human" && format != "json")
                return usage_error("errcodes: unknown format \"" + format + "\" (human or json)");
        } else {
            return usage_error("errcodes: unknown option \"" + std::string(arg) + "\"");
        }
    }
    if (inputs.empty())
        return usage_error("errcodes: no FILE or DIR given (use \"-\" for standard input)");
    std::vector<std::string> files;
    std::string error;
    if (!expand_inputs(inputs, files, error))
        return io_error("errcodes", error);

    bool io_failed = false;
    size_t count = 0;
    nlohmann::json json = nlohmann::json::array();
    for (const std::string &path : files) {
        std::string text;
        if (!read_source(path, text, error)) {
            io_error("errcodes", error);
            io_failed = true;
            continue;
        }
        for (const Problem &p : check_script(text)) {
            ++count;
            if (format == "json") {
                json.push_back({{"file", path},
                                {"line", p.line},
                                {"column", p.column},
                                {"function", p.function},
                                {"code", p.code},
                                {"form", p.form},
                                {"rule", p.rule},
                                {"reason", p.reason}});
            } else {
                std::printf("%s:%d:%d: error: %s raises \"%s\" (%s), which %s: %s\n", path.c_str(),
                            p.line, p.column, p.function.c_str(), p.code.c_str(), p.form.c_str(),
                            p.rule == "unknown-condition" ? "is no known condition name"
                                                          : ("breaks rule " + p.rule).c_str(),
                            p.reason.c_str());
            }
        }
    }
    if (format == "json")
        std::printf("%s\n",
                    json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    else
        std::printf("%zu bad code%s in %zu file%s\n", count, count == 1 ? "" : "s", files.size(),
                    files.size() == 1 ? "" : "s");
    if (!flush_output("errcodes"))
        return kExitUsage;
    if (io_failed)
        return kExitUsage;
    return count > 0 ? kExitFindings : kExitOk;
}

} // namespace mg::cli
