// Rules for custom SQLSTATE codes (seed 003), shared by the extension and the CLI.
//
//   char 1: A-Z except F, H, P, X      char 2: A-Z or 0-9
//   char 3: A-Z or 0-9 except 0 and P  char 4: A-Z          char 5: A-Z or 0-9
//   exactly 5 characters; must not end in 000; must not be one of PostgreSQL's own codes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mg {

struct SqlstateViolation {
    std::string rule;   // stable id, e.g. "length", "char1", "ends-000", "builtin"
    std::string reason; // one sentence for people
};

// PostgreSQL's built-in condition name for a code, or nullptr (the list is generated at build
// time from the server's errcodes.txt).
const char *builtin_condition_name(std::string_view code) noexcept;
// The built-in code for a condition name such as "unique_violation", or nullptr. The few names
// that belong to two codes give the error rather than the warning (string_data_right_truncation
// -> 22001, not 01004), otherwise the first in errcodes.txt order.
const char *builtin_condition_code(std::string_view name) noexcept;

// Every rule the code breaks, in the order length, char1..char5, ends-000, builtin. The length
// counts UTF-8 characters (an ill-formed byte sequence counts as one); only the first five
// characters are checked against the position rules.
std::vector<SqlstateViolation> sqlstate_violations(std::string_view code);
inline bool is_valid_custom_sqlstate(std::string_view code) {
    return sqlstate_violations(code).empty();
}

} // namespace mg
