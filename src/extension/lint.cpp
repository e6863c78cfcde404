// migration_guard.lint(script): the guard's findings for a script, without running it.
//
// The script is parsed with the server's own parser. A statement with a syntax error must not
// hide the others: when the whole script does not parse, it is split at top-level semicolons
// with the server's lexer and each piece is parsed on its own, each syntax error becoming a
// finding (rule syntax-error) with its position.
#include "core/rule_start.hpp"
#include "core/rules.hpp"
#include "extension/bridge.hpp"
#include "extension/guard.hpp"
#include "extension/judge.hpp"
#include "extension/pg.hpp"
#include "extension/subtransaction.hpp"

extern "C" {
#include "mb/pg_wchar.h"
#include "parser/parser.h"
#include "parser/scanner.h" // before gram.h, which uses its types
#include "parser/gram.h"
}

namespace mg::pg {
namespace {

struct Piece {
    int start; // byte offsets in the script
    int end;
};

struct SyntaxError {
    int offset; // byte offset in the script
    char *message;
    char *hint;
};

struct Parsed {
    ParsedStatement *statements;
    int count;
    int capacity;
    SyntaxError *errors;
    int nerrors;
    int *statement_number; // per statement: its 1-based position among statements and errors
    int *error_number;
};

// Runs fn() in a subtransaction, so that an error in it (a syntax error, a lexer error) does not
// abort the caller's transaction. Returns null on success, else a copy of the error. Error
// context callbacks are set aside meanwhile: a caller's (a SQL function's, say) would move the
// error's cursor position into "internal" position, and the position is what lint reports.
template <typename Fn> ErrorData *script_error_of(Fn &&fn) {
    ErrorContextCallback *contexts = error_context_stack;
    error_context_stack = nullptr;
    ErrorData *error = in_subtransaction(SubtransactionEnd::kRelease, [&] {
        fn();
        error_context_stack = contexts;
    });
    error_context_stack = contexts;
    // Out of memory, a cancel, a statement timeout, an internal error: not the script's fault,
    // and not a finding.
    if (error != nullptr) {
        const int category = ERRCODE_TO_CATEGORY(error->sqlerrcode);
        if (category == ERRCODE_INSUFFICIENT_RESOURCES ||
            category == ERRCODE_OPERATOR_INTERVENTION || category == ERRCODE_SYSTEM_ERROR ||
            category == ERRCODE_INTERNAL_ERROR)
            ReThrowError(error);
    }
    return error;
}

// The byte offset of an error's cursor position (characters from 1, 0 = none) in `text`, which
// was scanned from byte `from`; -1 when the error has none.
int error_offset(const ErrorData *error, const char *text, int from = 0) {
    if (error->cursorpos <= 0)
        return -1;
    int bytes = from;
    for (int chars = 1; chars < error->cursorpos && text[bytes]; chars++)
        bytes += pg_mblen(text + bytes);
    return bytes;
}

// Parses `text`; on a syntax error fills *message, *hint and *cursor (byte offset within `text`,
// 0 when unknown) and returns NIL.
List *parse_guarded(const char *text, char **message, char **hint, int *cursor) {
    List *trees = NIL;
    *message = nullptr;
    ErrorData *error = script_error_of([&] { trees = raw_parser(text, RAW_PARSE_DEFAULT); });
    if (error == nullptr)
        return trees;
    *message = error->message ? pstrdup(error->message) : pstrdup("syntax error");
    *hint = error->hint ? pstrdup(error->hint) : nullptr;
    *cursor = error_offset(error, text) >= 0 ? error_offset(error, text) : 0;
    return NIL;
}

struct Pieces {
    Piece *items;
    int count;
    int capacity;
    int start; // where the piece being read began
};

void add_piece(Pieces *p, int start, int end) {
    if (p->count == p->capacity)
        p->items = static_cast<Piece *>(repalloc(p->items, sizeof(Piece) * (p->capacity *= 2)));
    p->items[p->count++] = Piece{start, end};
}

// Splits at top-level semicolons as the server's lexer sees them (not inside a BEGIN ATOMIC ...
// END body, nor between the parentheses of a rule's actions, the one place a semicolon may sit
// inside parentheses: elsewhere an unclosed parenthesis must not hide the statements after
// it), scanning the script from byte `from`. May raise a lexer error (an unterminated quote, an
// invalid escape).
void scan_pieces(const char *script, int from, Pieces *p) {
    core_yy_extra_type extra;
    core_yyscan_t scanner = scanner_init(script + from, &extra, &ScanKeywords, ScanKeywordTokens);
    core_YYSTYPE value;
    YYLTYPE location;
    int token, depth = 0, atomic = 0, cases = 0;
    bool after_begin = false;
    RuleStart rule;
    while ((token = core_yylex(&value, &location, scanner)) != 0) {
        rule.next(token == CREATE    ? RuleStart::kCreate
                  : token == OR      ? RuleStart::kOr
                  : token == REPLACE ? RuleStart::kReplace
                  : token == RULE    ? RuleStart::kRule
                                     : RuleStart::kOther);
        if (token == '(' && rule.is_rule())
            depth++;
        else if (token == ')' && depth > 0)
            depth--;
        else if (token == ATOMIC && after_begin)
            atomic++;
        else if (token == CASE && atomic > 0)
            cases++;
        else if (token == END_P && atomic > 0)
            cases > 0 ? cases-- : atomic--;
        after_begin = token == BEGIN_P;
        if (token == ';' && depth == 0 && atomic == 0) {
            add_piece(p, p->start, from + location + 1);
            p->start = from + location + 1;
            rule = RuleStart();
        }
    }
    scanner_finish(scanner);
}

// Scans from byte `from`; on a lexer error returns false with *error_at the byte where the
// lexer stopped (-1 when it did not say).
bool scan_guarded(const char *script, int from, Pieces *p, int *error_at) {
    ErrorData *error = script_error_of([&] { scan_pieces(script, from, p); });
    if (error == nullptr)
        return true;
    *error_at = error_offset(error, script, from);
    return false;
}

// The script's top-level statement pieces. A lexer error (an invalid escape, an unterminated
// quote) ends its piece at the next semicolon after the error, and scanning goes on from there,
// so that one bad string does not hide the statements after it (best effort: the semicolon may
// sit inside the broken string); with no semicolon after it, the rest of the script is one last
// piece. Each piece's parse then reports its own error.
Piece *split(const char *script, int *count) {
    Pieces *p = static_cast<Pieces *>(palloc0(sizeof(Pieces)));
    p->capacity = 16;
    p->items = static_cast<Piece *>(palloc(sizeof(Piece) * p->capacity));
    int from = 0, error_at;
    while (!scan_guarded(script, from, p, &error_at)) {
        const char *semicolon = error_at >= 0 ? strchr(script + error_at, ';') : nullptr;
        if (semicolon == nullptr)
            break;
        from = (int)(semicolon - script) + 1;
        add_piece(p, p->start, from);
        p->start = from;
    }
    int len = (int)strlen(script);
    if (p->start < len)
        add_piece(p, p->start, len);
    *count = p->count;
    return p->items;
}

// Skips white space and comments: where a statement really starts.
int first_token(const char *script, int offset) {
    for (;;) {
        while (script[offset] && isspace((unsigned char)script[offset]))
            offset++;
        if (script[offset] == '-' && script[offset + 1] == '-') {
            while (script[offset] && script[offset] != '\n')
                offset++;
        } else if (script[offset] == '/' && script[offset + 1] == '*') {
            int depth = 0;
            do {
                if (script[offset] == '/' && script[offset + 1] == '*') {
                    depth++;
                    offset += 2;
                } else if (script[offset] == '*' && script[offset + 1] == '/') {
                    depth--;
                    offset += 2;
                } else {
                    offset++;
                }
            } while (script[offset] && depth > 0);
        } else {
            return offset;
        }
    }
}

void add_statement(Parsed &p, Node *tree, int location, int length, int number) {
    if (p.count == p.capacity) {
        p.capacity *= 2;
        p.statements = static_cast<ParsedStatement *>(
            repalloc(p.statements, sizeof(ParsedStatement) * p.capacity));
        p.statement_number =
            static_cast<int *>(repalloc(p.statement_number, sizeof(int) * p.capacity));
    }
    p.statements[p.count] = ParsedStatement{tree, location, length};
    p.statement_number[p.count++] = number;
}

void add_raw_statements(Parsed &p, List *trees, int base, int *number) {
    ListCell *lc;
    foreach (lc, trees) {
        RawStmt *raw = lfirst_node(RawStmt, lc);
        add_statement(p, raw->stmt, base + raw->stmt_location, raw->stmt_len, ++*number);
    }
}

Parsed parse_script(const char *script) {
    Parsed p{};
    p.capacity = 16;
    p.statements = static_cast<ParsedStatement *>(palloc(sizeof(ParsedStatement) * p.capacity));
    p.statement_number = static_cast<int *>(palloc(sizeof(int) * p.capacity));
    int number = 0;
    char *message, *hint;
    int cursor;
    List *trees = parse_guarded(script, &message, &hint, &cursor);
    if (message == nullptr) {
        add_raw_statements(p, trees, 0, &number);
        return p;
    }
    int npieces;
    Piece *pieces = split(script, &npieces);
    p.errors = static_cast<SyntaxError *>(palloc(sizeof(SyntaxError) * (npieces ? npieces : 1)));
    p.error_number = static_cast<int *>(palloc(sizeof(int) * (npieces ? npieces : 1)));
    for (int i = 0; i < npieces; i++) {
        char *text = pnstrdup(script + pieces[i].start, pieces[i].end - pieces[i].start);
        trees = parse_guarded(text, &message, &hint, &cursor);
        if (message == nullptr) {
            add_raw_statements(p, trees, pieces[i].start, &number);
        } else {
            int offset =
                cursor > 0 ? pieces[i].start + cursor : first_token(script, pieces[i].start);
            p.errors[p.nerrors] = SyntaxError{offset, message, hint};
            p.error_number[p.nerrors++] = ++number;
        }
    }
    return p;
}

// Line and column (both from 1; the column in characters) of a byte offset.
void position(const char *script, int offset, int *line, int *col) {
    *line = 1;
    int line_start = 0;
    for (int i = 0; i < offset && script[i]; i++)
        if (script[i] == '\n') {
            (*line)++;
            line_start = i + 1;
        }
    *col = 1 + pg_mbstrlen_with_len(script + line_start, offset - line_start);
}

} // namespace
} // namespace mg::pg

using namespace mg::pg;

extern "C" {

PG_FUNCTION_INFO_V1(mg_lint);
Datum mg_lint(PG_FUNCTION_ARGS) {
    InitMaterializedSRF(fcinfo, 0);
    ReturnSetInfo *rsinfo = (ReturnSetInfo *)fcinfo->resultinfo;
    if (PG_ARGISNULL(0))
        return (Datum)0;
    const char *script = text_to_cstring(PG_GETARG_TEXT_PP(0));
    guard::refresh(); // the rule actions a DBA set, as the guard applies them
    Parsed parsed = parse_script(script);
    // As the CLI: a script runs inside its tool's transaction unless its header says otherwise
    // (graphile-migrate's --! no-transaction, dbmate's transaction:false).
    bool no_transaction = false;
    call_core([&] { no_transaction = mg::says_no_transaction(script); });
    Verdicts verdicts = judge(parsed.statements, parsed.count, true, !no_transaction);

    auto emit = [&](int number, int offset, const char *rule, const char *severity,
                    const char *message, const char *hint) {
        int line, col;
        position(script, offset, &line, &col);
        Datum values[7] = {Int32GetDatum(number),
                           Int32GetDatum(line),
                           Int32GetDatum(col),
                           CStringGetTextDatum(rule),
                           CStringGetTextDatum(severity),
                           CStringGetTextDatum(message),
                           hint ? CStringGetTextDatum(hint) : (Datum)0};
        bool nulls[7] = {false, false, false, false, false, false, hint == nullptr};
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    };
    // Findings and syntax errors in script order.
    int e = 0, v = 0;
    for (int s = 0; s <= parsed.count; s++) {
        int number = s < parsed.count ? parsed.statement_number[s] : INT_MAX;
        for (; e < parsed.nerrors && parsed.error_number[e] < number; e++) {
            Verdicts syntax = judge_syntax_error(parsed.errors[e].message, parsed.errors[e].offset);
            for (int v = 0; v < syntax.count; v++)
                emit(parsed.error_number[e], parsed.errors[e].offset, syntax.items[v].rule,
                     syntax.items[v].block ? "error" : "warning", syntax.items[v].message,
                     parsed.errors[e].hint ? parsed.errors[e].hint : syntax.items[v].hint);
        }
        if (s == parsed.count)
            break;
        CHECK_FOR_INTERRUPTS();
        // Verdicts come in statement order: skip those of earlier statements, emit this one's.
        const int location = parsed.statements[s].location;
        while (v < verdicts.count && verdicts.items[v].location < location)
            v++;
        for (; v < verdicts.count && verdicts.items[v].location == location; v++)
            emit(number, first_token(script, location), verdicts.items[v].rule,
                 verdicts.items[v].block ? "error" : "warning", verdicts.items[v].message,
                 verdicts.items[v].hint);
    }
    return (Datum)0;
}

} // extern "C"
