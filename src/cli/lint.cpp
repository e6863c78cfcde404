#include "cli/lint.hpp"

#include "cli/parse.hpp"
#include "cli/scan.hpp"
#include "cli/source.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>
#include <utility>

namespace mg::cli {
namespace {

constexpr char kDirective[] = "migration-guard";

using mg::trim;

// "migration-guard ignore RULE[,RULE...]: REASON" (one statement) or
// "migration-guard ignore-file RULE[,RULE...]: REASON" (the whole file), in a comment.
struct Suppression {
    bool whole_file = false;
    std::vector<std::string> rules; // "all" matches every rule
    std::string reason;
    int offset = 0;
};

// Parses one comment; false when it is no directive at all. A directive with problems is still
// returned (so it can be reported) with `problem` set; it suppresses nothing then.
bool parse_directive(const std::string &comment, Suppression &out, std::string &problem) {
    std::string body = comment;
    if (body.compare(0, 2, "--") == 0)
        body = body.substr(2);
    else if (body.compare(0, 2, "/*") == 0)
        body = body.substr(2, body.size() >= 4 ? body.size() - 4 : 0);
    body = trim(body);
    const size_t n = std::strlen(kDirective);
    if (body.compare(0, n, kDirective) != 0 || body.size() == n ||
        !std::isspace(static_cast<unsigned char>(body[n])))
        return false;
    body = trim(body.substr(n));
    size_t word_end = 0;
    while (word_end < body.size() && !std::isspace(static_cast<unsigned char>(body[word_end])))
        ++word_end;
    const std::string verb = body.substr(0, word_end);
    if (verb != "ignore" && verb != "ignore-file") {
        problem = "unknown directive \"" + verb + "\" (expected ignore or ignore-file)";
        return true;
    }
    out.whole_file = verb == "ignore-file";
    const std::string rest = body.substr(word_end);
    const size_t colon = rest.find(':');
    std::string list = trim(rest.substr(0, colon));
    out.reason = colon == std::string::npos ? "" : trim(rest.substr(colon + 1));
    size_t start = 0;
    while (start <= list.size()) {
        size_t comma = list.find(',', start);
        if (comma == std::string::npos)
            comma = list.size();
        const std::string rule = trim(list.substr(start, comma - start));
        if (!rule.empty())
            out.rules.push_back(rule);
        start = comma + 1;
    }
    if (out.rules.empty()) {
        problem = "names no rule (\"" + std::string(kDirective) + " " + verb +
                  " RULE[,RULE...]: REASON\")";
        return true;
    }
    for (const std::string &rule : out.rules)
        if (rule != "all" && find_rule(rule) == nullptr) {
            problem = "names unknown rule \"" + rule + "\"";
            return true;
        }
    if (out.reason.empty())
        problem = "gives no reason (\"" + std::string(kDirective) + " " + verb +
                  " RULE[,RULE...]: REASON\"); it suppresses nothing";
    return true;
}

bool covers(const Suppression &s, std::string_view rule) {
    return std::any_of(s.rules.begin(), s.rules.end(),
                       [&](const std::string &r) { return r == "all" || r == rule; });
}

// Which statement a comment belongs to: a comment on the line where a statement ends belongs
// to it; any other belongs to the statement whose text (leading comments included) holds it.
// -1 when none does (a comment after the last statement, on a line of its own).
int owner_of(const ScriptParse &parsed, const std::string &text, int offset) {
    // The last statement starting at or before the comment.
    size_t low = 0, high = parsed.size();
    while (low < high) {
        const size_t middle = low + (high - low) / 2;
        if (offset < parsed.location(middle))
            high = middle;
        else
            low = middle + 1;
    }
    const int candidate = static_cast<int>(low) - 1;
    auto end_of = [&](int i) { return parsed.location(i) + parsed.length(i); };
    if (candidate >= 0 && offset < end_of(candidate)) {
        // Inside statement `candidate`'s text; but if it is before the statement's first token
        // and on the line where the previous statement ended, it is the previous one's.
        const int previous = candidate - 1;
        if (previous >= 0 && offset < statement_start(text, parsed.location(candidate))) {
            const int prev_end = end_of(previous);
            if (text.find('\n', prev_end) >= static_cast<size_t>(offset))
                return previous;
        }
        return candidate;
    }
    if (candidate >= 0) { // after the statement's end: trailing on its last line?
        if (text.find('\n', end_of(candidate)) >= static_cast<size_t>(offset))
            return candidate;
    }
    return -1;
}

bool selected(const LintOptions &options, std::string_view rule) {
    if (!options.only_rules.empty() &&
        std::find(options.only_rules.begin(), options.only_rules.end(), rule) ==
            options.only_rules.end())
        return false;
    return std::find(options.exclude_rules.begin(), options.exclude_rules.end(), rule) ==
           options.exclude_rules.end();
}

} // namespace

LintResult lint_script(const std::string &script, const LintOptions &options,
                       const std::function<void(LintFinding &&)> &report,
                       const std::function<void(const std::vector<LintNote> &)> &notes) {
    LintResult result;
    // Suppression comments are looked for only when the directive's name appears at all, and
    // before the parse (libpg_query's scanner and parser each use a memory context of their own,
    // one at a time).
    const std::vector<Comment> comments = script.find(kDirective) != std::string::npos
                                              ? find_comments(script)
                                              : std::vector<Comment>{};
    // The parse tree stays while the statements are described, judged and reported one by one.
    const ScriptParse parsed(script);
    const LineIndex lines(script);

    std::vector<Suppression> file_wide;
    std::vector<std::vector<Suppression>> per_statement; // empty: no directive in the script
    if (!comments.empty()) {
        per_statement.resize(parsed.size());
        for (const Comment &c : comments) {
            Suppression s;
            std::string problem;
            if (!parse_directive(script.substr(c.start, c.end - c.start), s, problem))
                continue;
            s.offset = c.start;
            if (!problem.empty()) {
                result.notes.push_back({lines.line(c.start), "suppression comment " + problem});
                continue; // suppresses nothing
            }
            if (s.whole_file) {
                file_wide.push_back(std::move(s));
                continue;
            }
            const int owner = owner_of(parsed, script, c.start);
            if (owner < 0)
                result.notes.push_back({lines.line(c.start),
                                        "suppression comment follows the last statement and "
                                        "applies to none (put it before the statement)"});
            else
                per_statement[owner].push_back(std::move(s));
        }
    }

    auto add = [&](Finding &f, size_t statement, int offset) {
        if (!selected(options, f.rule))
            return;
        auto suppresses = [&](const Suppression &s) { return covers(s, f.rule); };
        if (std::any_of(file_wide.begin(), file_wide.end(), suppresses) ||
            (!per_statement.empty() && std::any_of(per_statement[statement].begin(),
                                                   per_statement[statement].end(), suppresses))) {
            ++result.suppressed;
            return;
        }
        LintFinding out;
        out.finding = std::move(f);
        out.offset = offset;
        const LineIndex::Position at = lines.position(offset);
        out.line = at.line;
        out.column = at.column;
        report(std::move(out));
    };

    if (notes && !result.notes.empty())
        notes(result.notes);

    // With a database every statement is described first: the facts are asked for at once.
    std::vector<ScriptStatement> described;
    std::vector<DdlStatement> statements; // the described ones that parsed, lent to the facts
    Facts facts;
    if (options.facts) {
        described.reserve(parsed.size());
        for (size_t i = 0; i < parsed.size(); ++i) {
            described.push_back(parsed.statement(i));
            if (!described.back().syntax_error)
                statements.push_back(std::move(described.back().ddl));
        }
        facts = options.facts(statements);
    }
    result.in_transaction = options.assume_in_transaction && !mg::says_no_transaction(script);
    ScriptJudge judge(facts, options.settings,
                      result.in_transaction && !parsed.controls_transaction());

    // Statement by statement, in script order: syntax errors and the engine's findings.
    std::vector<Finding> findings;
    size_t next_described = 0;
    for (size_t i = 0; i < parsed.size(); ++i) {
        ScriptStatement s = options.facts ? std::move(described[i]) : parsed.statement(i);
        if (options.facts && !s.syntax_error)
            s.ddl = std::move(statements[next_described++]);
        if (s.syntax_error) {
            const int at = s.error_location > s.ddl.location
                               ? s.error_location
                               : statement_start(script, s.ddl.location);
            if (std::optional<Finding> f =
                    syntax_error_finding(s.error_message, at, options.settings))
                add(*f, i, at);
            continue;
        }
        findings.clear();
        judge.judge(s.ddl, findings);
        if (findings.empty())
            continue;
        const int at = statement_start(script, s.ddl.location);
        for (Finding &f : findings)
            add(f, i, at);
    }
    return result;
}

LintResult lint_script(const std::string &script, const LintOptions &options) {
    std::vector<LintFinding> findings;
    LintResult result =
        lint_script(script, options, [&](LintFinding &&f) { findings.push_back(std::move(f)); });
    result.findings = std::move(findings);
    return result;
}

} // namespace mg::cli
