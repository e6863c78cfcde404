#include "core/errcode_scan.hpp"

#include <algorithm>

namespace mg {
namespace {

bool is_word(const SqlToken &t, const char *word) {
    return t.kind == SqlToken::Kind::Word && t.text == word;
}

bool is_level(const SqlToken &t) {
    static const char *const levels[] = {"debug", "log", "info", "notice", "warning", "exception"};
    return t.kind == SqlToken::Kind::Word &&
           std::any_of(std::begin(levels), std::end(levels),
                       [&](const char *level) { return t.text == level; });
}

bool is_statement_end(const SqlToken &t) {
    return t.kind == SqlToken::Kind::Operator && t.text == ";";
}

// RAISE at tokens[i]: which code or condition, if any, does it name?
void scan_raise(const std::vector<SqlToken> &tokens, std::size_t i, std::vector<ErrcodeUse> &uses) {
    std::size_t j = i + 1;
    if (j < tokens.size() && is_level(tokens[j]))
        ++j;
    if (j >= tokens.size())
        return;
    const SqlToken &t = tokens[j];
    if (is_word(t, "sqlstate")) {
        if (j + 1 < tokens.size() && tokens[j + 1].kind == SqlToken::Kind::String)
            uses.push_back(
                {ErrcodeUse::Form::RaiseSqlstate, tokens[j + 1].text, tokens[j + 1].offset});
        return;
    }
    // RAISE [level] condition_name: a bare word that is not USING and not the start of a
    // format string ('...'), nor the end of a bare re-raise (RAISE;).
    if (t.kind == SqlToken::Kind::Word && !is_word(t, "using"))
        uses.push_back({ErrcodeUse::Form::RaiseCondition, t.text, t.offset});
}

} // namespace

bool looks_like_sqlstate(const std::string &value) {
    return value.size() == 5 && std::all_of(value.begin(), value.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
           });
}

std::vector<ErrcodeUse> find_errcode_uses(const std::vector<SqlToken> &tokens) {
    std::vector<ErrcodeUse> uses;
    bool in_raise = false; // between RAISE and its semicolon: where USING options live
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const SqlToken &t = tokens[i];
        if (is_statement_end(t)) {
            in_raise = false;
        } else if (is_word(t, "raise")) {
            in_raise = true;
            scan_raise(tokens, i, uses);
        } else if (in_raise && is_word(t, "errcode") && i + 2 < tokens.size() &&
                   tokens[i + 1].kind == SqlToken::Kind::Operator &&
                   (tokens[i + 1].text == "=" || tokens[i + 1].text == ":=") &&
                   tokens[i + 2].kind == SqlToken::Kind::String) {
            uses.push_back(
                {ErrcodeUse::Form::UsingErrcode, tokens[i + 2].text, tokens[i + 2].offset});
        }
    }
    return uses;
}

std::vector<ErrcodeProblem> errcode_problems(const std::vector<ErrcodeUse> &uses) {
    std::vector<ErrcodeProblem> problems;
    for (const ErrcodeUse &use : uses) {
        const bool code =
            use.form == ErrcodeUse::Form::RaiseSqlstate ||
            (use.form == ErrcodeUse::Form::UsingErrcode && looks_like_sqlstate(use.value));
        if (code) {
            if (builtin_condition_name(use.value) != nullptr)
                continue; // PostgreSQL's own code, raised on purpose
            for (const SqlstateViolation &v : sqlstate_violations(use.value))
                problems.push_back({use.value, v.rule, v.reason, use.offset});
        } else if (builtin_condition_code(use.value) == nullptr) {
            problems.push_back({use.value, "unknown-condition",
                                "\"" + use.value +
                                    "\" is neither a five-character SQLSTATE nor one of "
                                    "PostgreSQL's condition names",
                                use.offset});
        }
    }
    return problems;
}

int line_of(const std::string &source, std::size_t offset) {
    offset = std::min(offset, source.size());
    return 1 + static_cast<int>(std::count(source.begin(), source.begin() + offset, '\n'));
}

} // namespace mg
