// Finding the SQLSTATEs a PL/pgSQL function body raises, from a token stream produced by
// PostgreSQL's own lexer (the server's core_yylex in the extension, libpg_query's scanner in the
// CLI): comments, string literals and dollar quotes never reach this code as anything but what
// they are.
//
// Recognised forms (PL/pgSQL's RAISE statement and its USING options):
//   RAISE [level] SQLSTATE 'XXXXX' ...       -> a code
//   RAISE [level] condition_name ...         -> a condition name
//   ... USING ERRCODE = 'XXXXX' | 'name'     -> a code, or a condition name (PL/pgSQL's rule:
//                                               five characters from 0-9 A-Z make a code)
#pragma once

#include "core/sqlstate.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace mg {

struct SqlToken {
    enum class Kind { Word, String, Operator, Other };
    Kind kind;
    std::string text;   // Word: lower-cased; String: the literal's value; Operator: as written
    std::size_t offset; // byte offset of the token in the source
};

struct ErrcodeUse {
    enum class Form { RaiseSqlstate, RaiseCondition, UsingErrcode };
    Form form;
    std::string value;  // as written (a code, or a condition name)
    std::size_t offset; // of the value's token
};

std::vector<ErrcodeUse> find_errcode_uses(const std::vector<SqlToken> &tokens);

// PL/pgSQL's rule: a value of exactly five characters from 0-9 and A-Z is a SQLSTATE code;
// anything else is a condition name.
bool looks_like_sqlstate(const std::string &value);

struct ErrcodeProblem {
    std::string value;  // the code or name
    std::string rule;   // a sqlstate rule id, or "unknown-condition"
    std::string reason; // one sentence
    std::size_t offset;
};

// The problems with each use: a code that breaks seed 003's rules (PostgreSQL's own codes are
// fine: raising unique_violation by number is no clash), or a condition name PostgreSQL does
// not know (PL/pgSQL would fail with "unrecognized exception condition" when it runs).
std::vector<ErrcodeProblem> errcode_problems(const std::vector<ErrcodeUse> &uses);

// 1-based line of a byte offset.
int line_of(const std::string &source, std::size_t offset);

} // namespace mg
