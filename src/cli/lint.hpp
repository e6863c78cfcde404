// Linting one script with the core rule engine, exactly as migration_guard.lint() does in the
// database: the same parse (PostgreSQL 15's grammar), the same evaluate_script(), the same
// statement positions. What the CLI adds: suppression comments, per-file transaction hints and
// rule filters. Independent of the command line, so the tests and the fuzzer call it directly.
#pragma once

#include "core/rules.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace mg::cli {

struct LintFinding {
    Finding finding; // its rule, action and texts (rendered as a report writes them)
    // 1-based, of the statement's first token (a syntax error: where the parser stopped); the
    // column in characters, the offset in bytes into the script.
    int line = 1;
    int column = 1;
    int offset = 0;

    std::string_view rule() const { return finding.rule; }
    // "error" (the rule blocks) | "warning" (the rule warns)
    std::string_view severity() const {
        return finding.action == Action::Block ? "error" : "warning";
    }
    // The message starts with "<rule>: ", as in lint().
    std::string message() const { return finding.message(); }
    std::string detail() const { return finding.detail(); }
    std::string hint() const { return finding.hint(); }
};

// A note about the file itself rather than a finding: a suppression comment without a reason,
// naming an unknown rule, or attached to no statement.
struct LintNote {
    int line;
    std::string text;
};

struct LintResult {
    std::vector<LintFinding> findings; // in script order
    int suppressed = 0;                // findings a suppression comment silenced
    std::vector<LintNote> notes;
    bool in_transaction = false; // how the script was judged
};

// What a database knows (lint --dsn): called with the script's parsed statements.
using FactsProvider = std::function<Facts(const std::vector<DdlStatement> &)>;

struct LintOptions {
    std::vector<RuleSetting> settings;      // rule actions (config file, database)
    bool assume_in_transaction = false;     // the tool wraps each script in a transaction
    std::vector<std::string> only_rules;    // --rule: report only these (empty: all)
    std::vector<std::string> exclude_rules; // --exclude-rule
    FactsProvider facts;                    // empty: offline, nothing known
};

// The findings in `result.findings`, in script order.
LintResult lint_script(const std::string &script, const LintOptions &options);
// Each finding handed to `report` as soon as it is found, in script order (`result.findings`
// stays empty): a report of a large script is written while it is linted, and the script's
// descriptions and findings are never all in memory at once. `notes`, when set, is called with
// the notes (also in `result.notes`) before the first finding.
LintResult lint_script(const std::string &script, const LintOptions &options,
                       const std::function<void(LintFinding &&)> &report,
                       const std::function<void(const std::vector<LintNote> &)> &notes = {});

} // namespace mg::cli
