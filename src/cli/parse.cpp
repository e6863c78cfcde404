// SQL text -> described statements with libpg_query (PostgreSQL 15's own parser, outside the
// server). Compiled with the server headers of the same major version, so the trees it returns
// are read by src/pgparse exactly as inside the server. Only libpg_query's entry points are
// called here (they manage its thread-local memory contexts); describe() reads nodes only.
#include "cli/parse.hpp"

#include "cli/scan.hpp"
#include "core/rules.hpp"
#include "pgparse/describe.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <cstdlib>
#include <string>
#include <vector>

#include <pg_query.h>
// pg_query.h announces the libpg_query build's own PostgreSQL version; the server headers
// below define the same macros for the installed headers.
#undef PG_MAJORVERSION
#undef PG_VERSION
#undef PG_VERSION_NUM

extern "C" {
#include "postgres.h"

#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"

#include <pg_query/pg_query_internal.h>
}

namespace mg::cli {
namespace {

// One call of pg_query_raw_parse inside its own libpg_query memory context, which lives until
// this object is destroyed (the tree stays readable until then).
class RawParse {
  public:
    explicit RawParse(const std::string &sql)
        : context_(pg_query_enter_memory_context()), result_(pg_query_raw_parse(sql.c_str())) {}
    ~RawParse() {
        if (result_.error)
            pg_query_free_error(result_.error);
        std::free(result_.stderr_buffer);
        pg_query_exit_memory_context(context_);
    }
    RawParse(const RawParse &) = delete;
    RawParse &operator=(const RawParse &) = delete;

    const PgQueryError *error() const { return result_.error; }
    const List *tree() const { return result_.tree; }

  private:
    MemoryContext context_;
    PgQueryInternalParsetreeAndError result_;
};

// Byte offset of the 1-based character position PostgreSQL reports as an error's cursor.
int cursor_to_byte(const std::string &text, int cursorpos) {
    if (cursorpos <= 0)
        return -1;
    int chars = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if ((c & 0xC0) != 0x80) { // the first byte of a UTF-8 character
            if (++chars == cursorpos)
                return static_cast<int>(i);
        }
    }
    return static_cast<int>(text.size());
}

// Where a RawStmt of `text` starts, and how long it is (its length is 0 when it runs to the
// end of the text).
int location_of(const RawStmt *rs) {
    return rs->stmt_location < 0 ? 0 : rs->stmt_location;
}
int length_of(const RawStmt *rs, const std::string &text) {
    return rs->stmt_len > 0 ? rs->stmt_len : static_cast<int>(text.size()) - location_of(rs);
}

// Where a RawStmt of `text` (found at byte `offset` of the script) is, and what it does.
ScriptStatement described(const RawStmt *rs, const std::string &text, int offset) {
    ScriptStatement s;
    s.ddl = pgparse::describe(reinterpret_cast<const Node *>(rs));
    s.ddl.location = offset + location_of(rs);
    s.ddl.length = length_of(rs, text);
    return s;
}

ScriptStatement syntax_error(int location, int length, const char *message, int error_location) {
    ScriptStatement s;
    s.ddl.location = location;
    s.ddl.length = length;
    s.syntax_error = true;
    s.error_message = message ? message : "syntax error";
    s.error_location = error_location < 0 ? location : error_location;
    return s;
}

} // namespace

bool ParsedScript::has_syntax_errors() const {
    for (const ScriptStatement &s : statements)
        if (s.syntax_error)
            return true;
    return false;
}

std::vector<DdlStatement> ParsedScript::ddl() const {
    std::vector<DdlStatement> out;
    for (const ScriptStatement &s : statements)
        if (!s.syntax_error)
            out.push_back(s.ddl);
    return out;
}

struct ScriptParse::Tree {
    explicit Tree(const std::string &text) : sql(text), raw(text) {}
    const std::string &sql;
    RawParse raw;
    std::vector<const RawStmt *> statements;
};

ScriptParse::ScriptParse(const std::string &sql) {
    // The whole script at once: exact RawStmt locations, and statements the scanner alone
    // cannot delimit (BEGIN ATOMIC bodies) come out whole.
    auto whole = std::make_unique<Tree>(sql);
    if (!whole->raw.error()) {
        whole->statements.reserve(list_length(whole->raw.tree()));
        ListCell *lc;
        foreach (lc, whole->raw.tree())
            whole->statements.push_back(castNode(RawStmt, static_cast<Node *>(lfirst(lc))));
        tree_ = std::move(whole);
        return;
    }
    whole.reset();
    // Some statement does not parse: parse statement by statement, split as the server's
    // lint() splits, so that the others are still described.
    for (const Piece &p : split_statements(sql)) {
        const std::string text = sql.substr(p.start, p.end - p.start);
        RawParse raw(text);
        if (raw.error()) {
            const int at = cursor_to_byte(text, raw.error()->cursorpos);
            // Like a RawStmt's length, without the semicolon.
            const int length = p.end - p.start - (p.semicolon ? 1 : 0);
            pieces_.push_back(
                syntax_error(p.start, length, raw.error()->message, at < 0 ? -1 : p.start + at));
            continue;
        }
        ListCell *lc;
        foreach (lc, raw.tree())
            pieces_.push_back(
                described(castNode(RawStmt, static_cast<Node *>(lfirst(lc))), text, p.start));
    }
}

ScriptParse::~ScriptParse() = default;

size_t ScriptParse::size() const {
    return tree_ ? tree_->statements.size() : pieces_.size();
}

int ScriptParse::location(size_t i) const {
    return tree_ ? location_of(tree_->statements[i]) : pieces_[i].ddl.location;
}

int ScriptParse::length(size_t i) const {
    return tree_ ? length_of(tree_->statements[i], tree_->sql) : pieces_[i].ddl.length;
}

ScriptStatement ScriptParse::statement(size_t i) const {
    return tree_ ? described(tree_->statements[i], tree_->sql, 0) : pieces_[i];
}

bool ScriptParse::controls_transaction() const {
    if (!tree_)
        return std::any_of(pieces_.begin(), pieces_.end(), [](const ScriptStatement &s) {
            return !s.syntax_error && mg::controls_transaction(s.ddl);
        });
    return std::any_of(tree_->statements.begin(), tree_->statements.end(), [](const RawStmt *rs) {
        return IsA(rs->stmt, TransactionStmt) &&
               mg::controls_transaction(pgparse::describe(reinterpret_cast<const Node *>(rs)));
    });
}

ParsedScript parse_script(const std::string &sql) {
    const ScriptParse parse(sql);
    ParsedScript out;
    out.statements.reserve(parse.size());
    for (size_t i = 0; i < parse.size(); ++i)
        out.statements.push_back(parse.statement(i));
    return out;
}

namespace {

void add_bodies(const RawParse &raw, int offset, std::vector<FunctionBody> &out) {
    ListCell *lc;
    foreach (lc, raw.tree()) {
        const RawStmt *rs = castNode(RawStmt, static_cast<Node *>(lfirst(lc)));
        if (!IsA(rs->stmt, CreateFunctionStmt))
            continue;
        const CreateFunctionStmt *fn = castNode(CreateFunctionStmt, rs->stmt);
        FunctionBody body;
        body.procedure = fn->is_procedure;
        bool plpgsql = false, have_body = false;
        ListCell *oc;
        foreach (oc, fn->options) {
            const DefElem *opt = castNode(DefElem, static_cast<Node *>(lfirst(oc)));
            if (strcmp(opt->defname, "language") == 0 && opt->arg && IsA(opt->arg, String)) {
                std::string language = strVal(opt->arg);
                for (char &c : language)
                    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                plpgsql = language == "plpgsql";
            } else if (strcmp(opt->defname, "as") == 0 && opt->arg && IsA(opt->arg, List) &&
                       list_length(castNode(List, opt->arg)) >= 1 &&
                       IsA(linitial(castNode(List, opt->arg)), String)) {
                body.body = strVal(linitial(castNode(List, opt->arg)));
                body.as_location = opt->location < 0 ? -1 : offset + opt->location;
                have_body = true;
            }
        }
        if (!plpgsql || !have_body)
            continue;
        ListCell *nc;
        foreach (nc, fn->funcname) {
            if (!body.name.empty())
                body.name += ".";
            body.name += strVal(lfirst(nc));
        }
        out.push_back(std::move(body));
    }
}

} // namespace

std::vector<FunctionBody> plpgsql_bodies(const std::string &sql) {
    std::vector<FunctionBody> out;
    {
        RawParse whole(sql);
        if (!whole.error()) {
            add_bodies(whole, 0, out);
            return out;
        }
    }
    for (const Piece &p : split_statements(sql)) {
        RawParse raw(sql.substr(p.start, p.end - p.start));
        if (!raw.error())
            add_bodies(raw, p.start, out);
    }
    return out;
}

LineColumn line_column(const std::string &text, int byte_offset) {
    LineColumn lc;
    const size_t end =
        byte_offset < 0 ? 0 : std::min(text.size(), static_cast<size_t>(byte_offset));
    for (size_t i = 0; i < end; ++i) {
        const unsigned char c = static_cast<unsigned char>(text[i]);
        if (c == '\n') {
            ++lc.line;
            lc.column = 1;
        } else if ((c & 0xC0) != 0x80) {
            ++lc.column;
        }
    }
    return lc;
}

} // namespace mg::cli
