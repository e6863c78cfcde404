// PostgreSQL 15's lexer on the CLI side (libpg_query's pg_query_scan): the tokens of a text,
// comments included, so that comments, quoted text and dollar quotes are told apart exactly as
// the server tells them apart. No PostgreSQL or libpg_query type appears in this header.
#pragma once

#include "core/errcode_scan.hpp"

#include <string>
#include <vector>

namespace mg::cli {

struct Comment {
    int start; // byte offsets into the text: the comment runs from start to end (exclusive),
    int end;   // "--" or "/*" included
};

// Every comment of `text`. After a lexer error (an unterminated quote or comment) only the
// comments before it are returned.
std::vector<Comment> find_comments(const std::string &text);

// The tokens of `text` as the extension's raised_sqlstates() sees them with the server's own
// lexer: identifiers and keywords as Word (lower-cased unless quoted), string constants as
// String (their value), operators and one-character tokens as Operator. After a lexer error only
// the tokens before it are returned.
std::vector<SqlToken> sql_tokens(const std::string &text);

// A statement's text as the server's lint() splits a script that does not parse as a whole:
// [start, end) runs from just after the previous top-level semicolon to just after its own
// (not inside a BEGIN ATOMIC ... END body, nor between the parentheses of a CREATE RULE's
// actions: core/rule_start.hpp). After a lexer error (an unterminated quote, an invalid escape)
// the piece ends at the next semicolon and scanning starts again there; without one, the rest
// of the script is one last piece, whose parse reports the error.
struct Piece {
    int start;
    int end;
    bool semicolon; // ends with its top-level semicolon (else: at the end of the script)
};
std::vector<Piece> split_statements(const std::string &text);

} // namespace mg::cli
