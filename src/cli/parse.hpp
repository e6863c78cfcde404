// SQL text -> described statements, on the CLI side (libpg_query's parser, PostgreSQL 15).
//
// The script is parsed whole; when that fails it is split into statements with PostgreSQL's
// scanner, exactly as the server's lint() splits it (scan.hpp), and each statement is parsed on
// its own, so a syntax error costs only the statement that has it: the rest of the script is
// still described and linted. Nothing here throws for bad SQL (only std::bad_alloc).
// No PostgreSQL or libpg_query type appears in this header.
#pragma once

#include "core/ddl_change.hpp"

#include <memory>
#include <string>
#include <vector>

namespace mg::cli {

struct ScriptStatement {
    // location / length (bytes into the script) are always set, exactly as PostgreSQL's
    // RawStmt gives them: a statement starts right after the previous one's semicolon, so
    // leading blank lines and comments are part of it. On a syntax error `changes` is empty.
    DdlStatement ddl;
    bool syntax_error = false;
    std::string error_message; // PostgreSQL's message, e.g. `syntax error at or near "TABEL"`
    int error_location = -1;   // byte offset into the script where the parser stopped (-1: unknown)
};

struct ParsedScript {
    std::vector<ScriptStatement> statements; // in script order, statements with errors included

    bool has_syntax_errors() const;
    // The statements that parsed, in order: what evaluate_script() takes.
    std::vector<DdlStatement> ddl() const;
};

// Every statement described at once.
ParsedScript parse_script(const std::string &sql);

// A script parsed and kept parsed: its statements are described one at a time, when asked for,
// so that linting a script of any size holds the parse tree and one description, never every
// description at once. Same statements, locations and errors as parse_script().
class ScriptParse {
  public:
    explicit ScriptParse(const std::string &sql); // `sql` must outlive this object
    ScriptParse(std::string &&) = delete;         // so a temporary is refused
    ~ScriptParse();
    ScriptParse(const ScriptParse &) = delete;
    ScriptParse &operator=(const ScriptParse &) = delete;

    size_t size() const;
    // Where statement i is (as ScriptStatement's location and length), without describing it.
    int location(size_t i) const;
    int length(size_t i) const;
    // Statement i, described (a syntax error: described as one).
    ScriptStatement statement(size_t i) const;
    // Whether any statement that parsed opens or closes a transaction block.
    bool controls_transaction() const;

  private:
    struct Tree;
    std::unique_ptr<Tree> tree_; // the whole script's parse, when it parsed
    // Otherwise every statement described at once, piece by piece (a script with syntax errors).
    std::vector<ScriptStatement> pieces_;
};

// The body of a CREATE FUNCTION / CREATE PROCEDURE ... LANGUAGE plpgsql AS '...' of a script
// (statements with syntax errors are skipped), for errcodes.
struct FunctionBody {
    std::string name; // as written, schema-qualified when it was: "app.f"
    bool procedure = false;
    std::string body;     // the string constant's value, as the server stores it in prosrc
    int as_location = -1; // byte offset in the script of the AS clause (-1: unknown)
};
std::vector<FunctionBody> plpgsql_bodies(const std::string &sql);

// 1-based line and column (in characters) of a byte offset into `text`.
struct LineColumn {
    int line = 1;
    int column = 1;
};
LineColumn line_column(const std::string &text, int byte_offset);

} // namespace mg::cli
