#include "cli/scan.hpp"

#include "core/rule_start.hpp"

#include <cctype>
#include <cstdint>

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

namespace mg::cli {
namespace {

// Byte offset of the 1-based character position a libpg_query error reports.
int cursor_to_byte(const std::string &text, int cursorpos) {
    int chars = 0;
    for (size_t i = 0; i < text.size(); ++i)
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && ++chars == cursorpos)
            return static_cast<int>(i);
    return static_cast<int>(text.size());
}

constexpr int kNoLexerError = -1;
constexpr int kLexerErrorSomewhere = -2; // the lexer did not say where

// Calls fn(token) for each token of `text` (of its part before a lexer error). Returns where
// the lexer stopped (a byte offset in `text`), or kNoLexerError.
template <typename Fn> int for_each_token(const std::string &text, Fn &&fn) {
    std::string prefix;
    const std::string *input = &text;
    int error_at = kNoLexerError;
    for (int attempt = 0; attempt < 2; ++attempt) {
        PgQueryScanResult result = pg_query_scan(input->c_str());
        if (result.error) {
            const int at =
                result.error->cursorpos > 0 ? cursor_to_byte(*input, result.error->cursorpos) : 0;
            pg_query_free_scan_result(result);
            if (at <= 0 || attempt > 0)
                return at <= 0 ? kLexerErrorSomewhere : error_at;
            error_at = at;
            prefix = input->substr(0, static_cast<size_t>(at));
            input = &prefix;
            continue;
        }
        PgQuery__ScanResult *scan = pg_query__scan_result__unpack(
            nullptr, result.pbuf.len, reinterpret_cast<const uint8_t *>(result.pbuf.data));
        pg_query_free_scan_result(result);
        if (scan == nullptr)
            return error_at;
        try {
            for (size_t i = 0; i < scan->n_tokens; ++i)
                fn(*scan->tokens[i]);
        } catch (...) {
            pg_query__scan_result__free_unpacked(scan, nullptr);
            throw;
        }
        pg_query__scan_result__free_unpacked(scan, nullptr);
        return error_at;
    }
    return error_at;
}

std::string lower(std::string s) {
    for (char &c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// An identifier's value, as the lexer gives it: "Quoted" loses its quotes (and "" becomes "),
// anything else is down-cased.
std::string identifier_value(const std::string &raw) {
    if (raw.size() >= 2 && raw.front() == '"') {
        std::string out;
        for (size_t i = 1; i + 1 < raw.size(); ++i) {
            out += raw[i];
            if (raw[i] == '"' && raw[i + 1] == '"')
                ++i;
        }
        return out;
    }
    return lower(raw);
}

// A string constant's value: 'standard' (with '' for a quote), E'escaped', $tag$dollar$tag$.
// Quoted pieces separated by white space with a newline are one constant (SQL's rule).
std::string string_value(const std::string &raw) {
    if (!raw.empty() && raw[0] == '$') {
        const size_t tag_end = raw.find('$', 1);
        if (tag_end == std::string::npos || raw.size() < 2 * (tag_end + 1))
            return raw;
        return raw.substr(tag_end + 1, raw.size() - 2 * (tag_end + 1));
    }
    std::string out;
    size_t i = 0;
    while (i < raw.size()) {
        bool escapes = false;
        if (raw[i] == 'e' || raw[i] == 'E') {
            escapes = true;
            ++i;
        } else if ((raw[i] == 'n' || raw[i] == 'N') && i + 1 < raw.size() && raw[i + 1] == '\'') {
            ++i;
        }
        if (i >= raw.size() || raw[i] != '\'') {
            ++i;
            continue;
        }
        for (++i; i < raw.size(); ++i) {
            const char c = raw[i];
            if (c == '\'') {
                if (i + 1 < raw.size() && raw[i + 1] == '\'') {
                    out += '\'';
                    ++i;
                    continue;
                }
                ++i;
                break;
            }
            if (escapes && c == '\\' && i + 1 < raw.size()) {
                const char e = raw[++i];
                switch (e) {
                case 'n':
                    out += '\n';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                default:
                    out += e;
                }
                continue;
            }
            out += c;
        }
        while (i < raw.size() && std::isspace(static_cast<unsigned char>(raw[i])))
            ++i;
    }
    return out;
}

// Scans text from byte `from`, adding the pieces it ends; returns where a lexer error stopped
// it (relative to `from`), or a negative number.
int split_from(const std::string &text, int from, int *start, std::vector<Piece> &pieces) {
    const std::string tail = text.substr(static_cast<size_t>(from));
    int depth = 0, atomic = 0, cases = 0;
    bool after_begin = false;
    mg::RuleStart rule;
    return for_each_token(tail, [&](const PgQuery__ScanToken &t) {
        switch (t.token) {
        case PG_QUERY__TOKEN__SQL_COMMENT:
        case PG_QUERY__TOKEN__C_COMMENT:
            return; // the server's lexer never returns comments
        default:
            break;
        }
        rule.next(t.token == PG_QUERY__TOKEN__CREATE    ? mg::RuleStart::kCreate
                  : t.token == PG_QUERY__TOKEN__OR      ? mg::RuleStart::kOr
                  : t.token == PG_QUERY__TOKEN__REPLACE ? mg::RuleStart::kReplace
                  : t.token == PG_QUERY__TOKEN__RULE    ? mg::RuleStart::kRule
                                                        : mg::RuleStart::kOther);
        switch (t.token) {
        case PG_QUERY__TOKEN__ASCII_40:
            if (rule.is_rule())
                ++depth;
            break;
        case PG_QUERY__TOKEN__ASCII_41:
            if (depth > 0)
                --depth;
            break;
        case PG_QUERY__TOKEN__ATOMIC:
            if (after_begin)
                ++atomic;
            break;
        case PG_QUERY__TOKEN__CASE:
            if (atomic > 0)
                ++cases;
            break;
        case PG_QUERY__TOKEN__END_P:
            if (atomic > 0)
                cases > 0 ? --cases : --atomic;
            break;
        case PG_QUERY__TOKEN__ASCII_59:
            if (depth == 0 && atomic == 0) {
                pieces.push_back(Piece{*start, from + t.end, true});
                *start = from + t.end;
                rule = mg::RuleStart();
            }
            break;
        default:
            break;
        }
        after_begin = t.token == PG_QUERY__TOKEN__BEGIN_P;
    });
}

} // namespace

std::vector<Comment> find_comments(const std::string &text) {
    std::vector<Comment> out;
    for_each_token(text, [&](const PgQuery__ScanToken &t) {
        if (t.token == PG_QUERY__TOKEN__SQL_COMMENT || t.token == PG_QUERY__TOKEN__C_COMMENT)
            out.push_back(Comment{t.start, t.end});
    });
    return out;
}

// Splits as the server's migration_guard.lint() does (src/extension/lint.cpp): at top-level
// semicolons; after a lexer error (an invalid escape, an unterminated quote) the piece ends at
// the next semicolon after the error and scanning starts again there.
std::vector<Piece> split_statements(const std::string &text) {
    std::vector<Piece> pieces;
    int start = 0;
    for (int from = 0;;) {
        const int error_at = split_from(text, from, &start, pieces);
        if (error_at < 0)
            break;
        const size_t semicolon = text.find(';', static_cast<size_t>(from + error_at));
        if (semicolon == std::string::npos)
            break;
        from = static_cast<int>(semicolon) + 1;
        pieces.push_back(Piece{start, from, true});
        start = from;
    }
    // Without a semicolon after a lexer error the rest of the script is one last piece.
    if (start < static_cast<int>(text.size()))
        pieces.push_back(Piece{start, static_cast<int>(text.size()), false});
    return pieces;
}

std::vector<SqlToken> sql_tokens(const std::string &text) {
    std::vector<SqlToken> out;
    for_each_token(text, [&](const PgQuery__ScanToken &t) {
        if (t.start < 0 || t.end < t.start || static_cast<size_t>(t.end) > text.size())
            return;
        const std::string raw = text.substr(t.start, t.end - t.start);
        const size_t offset = static_cast<size_t>(t.start);
        switch (t.token) {
        case PG_QUERY__TOKEN__SQL_COMMENT:
        case PG_QUERY__TOKEN__C_COMMENT:
            return; // the server's lexer skips comments
        case PG_QUERY__TOKEN__IDENT:
        case PG_QUERY__TOKEN__UIDENT:
            out.push_back({SqlToken::Kind::Word, identifier_value(raw), offset});
            return;
        case PG_QUERY__TOKEN__SCONST:
        case PG_QUERY__TOKEN__USCONST:
            out.push_back({SqlToken::Kind::String, string_value(raw), offset});
            return;
        case PG_QUERY__TOKEN__Op:
            out.push_back({SqlToken::Kind::Operator, raw, offset});
            return;
        case PG_QUERY__TOKEN__COLON_EQUALS:
            out.push_back({SqlToken::Kind::Operator, ":=", offset});
            return;
        default:
            break;
        }
        if (t.token > 0 && t.token < 256)
            out.push_back(
                {SqlToken::Kind::Operator, std::string(1, static_cast<char>(t.token)), offset});
        else if (t.keyword_kind != PG_QUERY__KEYWORD_KIND__NO_KEYWORD)
            out.push_back({SqlToken::Kind::Word, lower(raw), offset});
        else
            out.push_back({SqlToken::Kind::Other, "", offset});
    });
    return out;
}

} // namespace mg::cli
