// SQL-callable SQLSTATE checks: is_valid_custom_sqlstate, sqlstate_violations and
// raised_sqlstates (the codes a PL/pgSQL body raises, found with the server's own lexer).
#include "core/errcode_scan.hpp"
#include "core/sqlstate.hpp"
#include "extension/bridge.hpp"
#include "extension/pg.hpp"

#include <cstring>
#include <new>
#include <string_view>

extern "C" {
#include "parser/scanner.h" // before gram.h, which uses its types
#include "parser/gram.h"
}

namespace {

// The pieces of one result row, in memory from alloc_or_null(): trivially destructible.
struct Row {
    const char *c1;
    const char *c2;
    const char *c3;
    const char *c4;
    int line;
};

struct Rows {
    Row *rows = nullptr;
    size_t count = 0;
};

using mg::pg::alloc_array;
using mg::pg::copy_to_pg;

Rows violations_of(std::string_view code) {
    Rows out;
    mg::pg::call_core([&] {
        const std::vector<mg::SqlstateViolation> violations = mg::sqlstate_violations(code);
        out.rows = alloc_array<Row>(violations.size());
        for (const mg::SqlstateViolation &v : violations)
            out.rows[out.count++] =
                Row{copy_to_pg(v.rule), copy_to_pg(v.reason), nullptr, nullptr, 0};
    });
    return out;
}

text *arg_text(FunctionCallInfo fcinfo, int n) {
    return PG_ARGISNULL(n) ? nullptr : PG_GETARG_TEXT_PP(n);
}

Datum text_or_null(const char *s, bool *isnull) {
    *isnull = s == nullptr;
    return s ? CStringGetTextDatum(s) : (Datum)0;
}

// Puts rows into the set-returning function's result: (line,) c1, ..., c<ntext>.
void emit_rows(FunctionCallInfo fcinfo, const Rows &rows, bool with_line, int ntext) {
    ReturnSetInfo *rsinfo = (ReturnSetInfo *)fcinfo->resultinfo;
    for (size_t i = 0; i < rows.count; i++) {
        const Row &row = rows.rows[i];
        const char *texts[] = {row.c1, row.c2, row.c3, row.c4};
        Datum values[5];
        bool nulls[5] = {false, false, false, false, false};
        int column = 0;
        if (with_line)
            values[column++] = Int32GetDatum(row.line);
        for (int t = 0; t < ntext; t++, column++)
            values[column] = text_or_null(texts[t], &nulls[column]);
        tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
    }
}

// Tokens of a PL/pgSQL body from PostgreSQL's core lexer, which is also what PL/pgSQL itself
// reads its source with: comments, quoted strings and dollar quotes come out as what they are.
struct LexedToken {
    mg::SqlToken::Kind kind;
    const char *text;
    int offset;
};

bool is_keyword_token(int token) {
    // ScanKeywordTokens maps each core keyword to its grammar token.
    for (int i = 0; i < ScanKeywords.num_keywords; i++)
        if (ScanKeywordTokens[i] == token)
            return true;
    return false;
}

LexedToken *lex(const char *source, int *count) {
    core_yy_extra_type extra;
    core_yyscan_t scanner = scanner_init(source, &extra, &ScanKeywords, ScanKeywordTokens);
    int capacity = 64, n = 0;
    LexedToken *tokens = static_cast<LexedToken *>(palloc(sizeof(LexedToken) * capacity));
    core_YYSTYPE value;
    YYLTYPE location;
    int token;
    while ((token = core_yylex(&value, &location, scanner)) != 0) {
        if (n == capacity) {
            capacity *= 2;
            tokens = static_cast<LexedToken *>(repalloc(tokens, sizeof(LexedToken) * capacity));
        }
        LexedToken t{mg::SqlToken::Kind::Other, "", location};
        if (token == IDENT || token == UIDENT) {
            t = {mg::SqlToken::Kind::Word, value.str, location};
        } else if (token == SCONST || token == USCONST) {
            t = {mg::SqlToken::Kind::String, value.str, location};
        } else if (token == Op) {
            t = {mg::SqlToken::Kind::Operator, value.str, location};
        } else if (token == COLON_EQUALS) {
            t = {mg::SqlToken::Kind::Operator, ":=", location};
        } else if (token < 256) {
            char *op = static_cast<char *>(palloc(2));
            op[0] = static_cast<char>(token);
            op[1] = '\0';
            t = {mg::SqlToken::Kind::Operator, op, location};
        } else if (is_keyword_token(token)) {
            t = {mg::SqlToken::Kind::Word, value.keyword, location};
        }
        tokens[n++] = t;
    }
    scanner_finish(scanner);
    *count = n;
    return tokens;
}

const char *form_name(mg::ErrcodeUse::Form form) {
    switch (form) {
    case mg::ErrcodeUse::Form::RaiseSqlstate:
        return "RAISE SQLSTATE";
    case mg::ErrcodeUse::Form::RaiseCondition:
        return "RAISE condition";
    case mg::ErrcodeUse::Form::UsingErrcode:
        return "USING ERRCODE";
    }
    return "";
}

} // namespace

extern "C" {

PG_FUNCTION_INFO_V1(mg_is_valid_custom_sqlstate);
Datum mg_is_valid_custom_sqlstate(PG_FUNCTION_ARGS) {
    text *code = arg_text(fcinfo, 0);
    if (code == nullptr)
        PG_RETURN_BOOL(false);
    bool valid = false;
    std::string_view view(VARDATA_ANY(code), VARSIZE_ANY_EXHDR(code));
    mg::pg::call_core([&] { valid = mg::is_valid_custom_sqlstate(view); });
    PG_RETURN_BOOL(valid);
}

PG_FUNCTION_INFO_V1(mg_sqlstate_violations);
Datum mg_sqlstate_violations(PG_FUNCTION_ARGS) {
    InitMaterializedSRF(fcinfo, 0);
    text *code = arg_text(fcinfo, 0);
    Rows rows;
    if (code == nullptr) {
        rows.rows = static_cast<Row *>(palloc(sizeof(Row)));
        rows.rows[0] =
            Row{"null", "the code is NULL; a SQLSTATE is five characters", nullptr, nullptr, 0};
        rows.count = 1;
    } else {
        rows = violations_of(std::string_view(VARDATA_ANY(code), VARSIZE_ANY_EXHDR(code)));
    }
    emit_rows(fcinfo, rows, false, 2);
    return (Datum)0;
}

PG_FUNCTION_INFO_V1(mg_raised_sqlstates);
Datum mg_raised_sqlstates(PG_FUNCTION_ARGS) {
    InitMaterializedSRF(fcinfo, 0);
    text *body_text = arg_text(fcinfo, 0);
    if (body_text == nullptr)
        return (Datum)0;
    const char *body = text_to_cstring(body_text);
    int ntokens = 0;
    const LexedToken *lexed = lex(body, &ntokens);

    Rows rows;
    mg::pg::call_core([&] {
        std::vector<mg::SqlToken> tokens;
        tokens.reserve(ntokens);
        for (int i = 0; i < ntokens; i++)
            tokens.push_back({lexed[i].kind, lexed[i].text, static_cast<size_t>(lexed[i].offset)});
        const std::vector<mg::ErrcodeUse> uses = mg::find_errcode_uses(tokens);
        const std::string source(body);
        // One row per use; a use that breaks several rules gets one row per rule.
        std::vector<Row> out;
        for (const mg::ErrcodeUse &use : uses) {
            const std::vector<mg::ErrcodeProblem> problems = mg::errcode_problems({use});
            const int line = mg::line_of(source, use.offset);
            if (problems.empty())
                out.push_back(
                    Row{copy_to_pg(use.value), form_name(use.form), nullptr, nullptr, line});
            for (const mg::ErrcodeProblem &p : problems)
                out.push_back(Row{copy_to_pg(use.value), form_name(use.form), copy_to_pg(p.rule),
                                  copy_to_pg(p.reason), line});
        }
        rows.rows = alloc_array<Row>(out.size());
        for (const Row &row : out)
            rows.rows[rows.count++] = row;
    });

    emit_rows(fcinfo, rows, true, 4);
    return (Datum)0;
}

PG_FUNCTION_INFO_V1(mg_builtin_sqlstate_name);
Datum mg_builtin_sqlstate_name(PG_FUNCTION_ARGS) {
    text *code = PG_GETARG_TEXT_PP(0);
    const char *name = nullptr;
    std::string_view view(VARDATA_ANY(code), VARSIZE_ANY_EXHDR(code));
    mg::pg::call_core([&] { name = mg::builtin_condition_name(view); });
    if (name == nullptr || name[0] == '\0')
        PG_RETURN_NULL();
    PG_RETURN_TEXT_P(cstring_to_text(name));
}

} // extern "C"
