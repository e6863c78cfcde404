#include "core/sqlstate.hpp"

#include "core/utf8.hpp"

#include <cstdio>

namespace mg {
namespace {

struct BuiltinCode {
    const char *code;
    const char *name; // "" for the second spelling of a code that errcodes.txt lists twice
};

constexpr BuiltinCode kBuiltinCodes[] = {
#include "pg_errcodes.inc"
};

constexpr std::size_t kCodeLength = 5;

// Classes 00 (success), 01 (warning) and 02 (no data) are not errors.
bool is_error_class(const char *code) {
    return !(code[0] == '0' && code[1] <= '2');
}

bool is_upper(char32_t c) {
    return c >= 'A' && c <= 'Z';
}
bool is_lower(char32_t c) {
    return c >= 'a' && c <= 'z';
}
bool is_digit(char32_t c) {
    return c >= '0' && c <= '9';
}

struct PositionRule {
    bool (*allows)(char32_t);
    const char *requirement;
};

const PositionRule kPositionRules[kCodeLength] = {
    {[](char32_t c) { return is_upper(c) && c != 'F' && c != 'H' && c != 'P' && c != 'X'; },
     "a capital letter A-Z other than F, H, P or X"},
    {[](char32_t c) { return is_upper(c) || is_digit(c); }, "a capital letter A-Z or a digit 0-9"},
    {[](char32_t c) { return (is_upper(c) && c != 'P') || (is_digit(c) && c != '0'); },
     "a capital letter A-Z other than P, or a digit 1-9"},
    {[](char32_t c) { return is_upper(c); }, "a capital letter A-Z"},
    {[](char32_t c) { return is_upper(c) || is_digit(c); }, "a capital letter A-Z or a digit 0-9"},
};

std::string format(const char *pattern, unsigned long value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, pattern, value);
    return buffer;
}

// How a reason names one character: "F", '"', a space, U+0009 (a control character),
// "é" (U+00E9), or the bytes that are not UTF-8.
std::string describe(std::string_view bytes, const utf8::Char &c) {
    if (!c.valid) {
        std::string out = bytes.size() == 1 ? "the byte" : "the bytes";
        for (unsigned char b : bytes) {
            out += format(" 0x%02lX", b);
        }
        return out + (bytes.size() == 1 ? ", which is not UTF-8" : ", which are not UTF-8");
    }
    const char32_t cp = c.code_point;
    if (cp == ' ') {
        return "a space";
    }
    if (cp == '"') {
        return "'\"'";
    }
    if (cp < 0x20 || cp == 0x7F) {
        return format("U+%04lX (a control character)", cp);
    }
    std::string out = "\"" + std::string(bytes) + "\"";
    if (cp >= 0x80) {
        out += format(" (U+%04lX)", cp);
    }
    return out;
}

std::string position_reason(std::size_t position, std::string_view bytes, const utf8::Char &c,
                            const PositionRule &rule) {
    std::string reason =
        "character " + std::to_string(position) + " is " + describe(bytes, c) + "; it must be ";
    if (c.valid && is_lower(c.code_point)) {
        const char upper = static_cast<char>(c.code_point - 'a' + 'A');
        if (rule.allows(static_cast<char32_t>(upper))) {
            return reason + "upper case (\"" + upper + "\")";
        }
        return reason + "upper case, and \"" + upper +
               "\" is not allowed here either: it must be " + rule.requirement;
    }
    return reason + rule.requirement;
}

std::string length_reason(std::string_view code, std::size_t characters) {
    std::string reason;
    if (characters == 0) {
        reason = "the code is empty";
    } else {
        reason = "the code is " + std::to_string(characters) +
                 (characters == 1 ? " character long" : " characters long");
        if (code.size() != characters) {
            reason += " (" + std::to_string(code.size()) + " bytes in UTF-8)";
        }
    }
    return reason + "; a SQLSTATE must be exactly 5 characters";
}

} // namespace

const char *builtin_condition_name(std::string_view code) noexcept {
    const char *unnamed = nullptr;
    for (const BuiltinCode &entry : kBuiltinCodes) {
        if (code == entry.code) {
            if (entry.name[0] != '\0') {
                return entry.name;
            }
            unnamed = entry.name; // "": built in, but listed here only without a name
        }
    }
    return unnamed;
}

const char *builtin_condition_code(std::string_view name) noexcept {
    if (name.empty()) {
        return nullptr;
    }
    // A few names belong to two codes (string_data_right_truncation is 01004 and 22001):
    // prefer the error over the warning, then the first in errcodes.txt order.
    const char *found = nullptr;
    for (const BuiltinCode &entry : kBuiltinCodes) {
        if (name == entry.name) {
            if (is_error_class(entry.code)) {
                return entry.code;
            }
            if (found == nullptr) {
                found = entry.code;
            }
        }
    }
    return found;
}

std::vector<SqlstateViolation> sqlstate_violations(std::string_view code) {
    std::vector<SqlstateViolation> violations;
    const std::size_t characters = utf8::length(code);
    if (characters != kCodeLength) {
        violations.push_back({"length", length_reason(code, characters)});
    }
    std::size_t pos = 0;
    for (std::size_t i = 0; i < kCodeLength && pos < code.size(); ++i) {
        const utf8::Char c = utf8::decode(code, pos);
        const std::string_view bytes = code.substr(pos, c.length);
        pos += c.length;
        const PositionRule &rule = kPositionRules[i];
        if (!c.valid || !rule.allows(c.code_point)) {
            violations.push_back(
                {"char" + std::to_string(i + 1), position_reason(i + 1, bytes, c, rule)});
        }
    }
    if (code.size() >= 3 && code.substr(code.size() - 3) == "000") {
        violations.push_back({"ends-000", "the code ends in \"000\", which names a whole class of "
                                          "errors (as PostgreSQL's 23000 does)"});
    }
    if (characters == kCodeLength) {
        if (const char *name = builtin_condition_name(code)) {
            violations.push_back(
                {"builtin", "\"" + std::string(code) + "\" is PostgreSQL's own code for " +
                                (name[0] != '\0' ? name : "a built-in condition")});
        }
    }
    return violations;
}

} // namespace mg
