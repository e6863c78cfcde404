// libFuzzer target: migration-guard lint (and errcodes) on arbitrary bytes. Whatever the input —
// random bytes, mutated SQL, unterminated quotes, deep nesting — linting must neither crash nor
// leak nor trip a sanitizer; syntax errors are findings. The first byte picks options.
//
//   CC=clang CXX=clang++ cmake -S . -B build-fuzz -DMG_FUZZ=ON && cmake --build build-fuzz
//   build-fuzz/lint_fuzzer -dict=test/fuzz/sql.dict corpus-dir test/cli/corpus
#include "cli/lint.hpp"
#include "cli/parse.hpp"
#include "cli/report.hpp"
#include "cli/scan.hpp"
#include "core/errcode_scan.hpp"

#include <cstdint>
#include <cstdio>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0)
        return 0;
    const uint8_t flags = data[0];
    const std::string script(reinterpret_cast<const char *>(data + 1), size - 1);

    mg::cli::LintOptions options;
    options.assume_in_transaction = flags & 1;
    if (flags & 2)
        options.settings = {{"missing-lock-timeout", mg::Action::Off},
                            {"drop-default", mg::Action::Block}};
    if (flags & 4) // pretend a catalog knows every table the script names, with a varchar column
        options.facts = [](const std::vector<mg::DdlStatement> &statements) {
            mg::Facts facts;
            facts.known = true;
            for (const mg::DdlStatement &s : statements)
                for (const mg::DdlChange &c : s.changes) {
                    mg::TableFacts t;
                    t.name = c.object;
                    t.exists = true;
                    t.columns.push_back({c.column, mg::ColumnFacts{"varchar", 24, false}});
                    facts.tables.push_back(t);
                }
            return facts;
        };
    mg::cli::LintResult result = mg::cli::lint_script(script, options);
    for (const mg::cli::LintFinding &f : result.findings)
        if (f.line < 1 || f.column < 1 || f.offset < 0 ||
            static_cast<size_t>(f.offset) > script.size() || f.rule().empty())
            __builtin_trap();

    if (flags & 8) {
        static std::FILE *sink = std::fopen("/dev/null", "w");
        mg::cli::ReportOptions report;
        report.format = static_cast<mg::cli::Format>((flags >> 4) & 3);
        mg::cli::write_report(sink, {{"fuzz.sql", std::move(result)}}, report);
    }
    if (flags & 64)
        for (const mg::cli::FunctionBody &fn : mg::cli::plpgsql_bodies(script))
            (void)mg::errcode_problems(mg::find_errcode_uses(mg::cli::sql_tokens(fn.body)));
    return 0;
}
