// find_errcode_uses / errcode_problems over token streams shaped like PostgreSQL's lexer output.
#include "core/errcode_scan.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using Kind = mg::SqlToken::Kind;
using Form = mg::ErrcodeUse::Form;

// A tiny stand-in for the lexer: words, 'strings', and ; = := , ( ) as operators.
std::vector<mg::SqlToken> tokens(const std::string &src) {
    std::vector<mg::SqlToken> out;
    std::size_t i = 0;
    while (i < src.size()) {
        char c = src[i];
        if (c == ' ' || c == '\n' || c == '\t') {
            ++i;
        } else if (c == '\'') {
            std::size_t end = src.find('\'', i + 1);
            out.push_back({Kind::String, src.substr(i + 1, end - i - 1), i});
            i = end + 1;
        } else if (c == ':' && i + 1 < src.size() && src[i + 1] == '=') {
            out.push_back({Kind::Operator, ":=", i});
            i += 2;
        } else if (c == ';' || c == '=' || c == ',' || c == '(' || c == ')') {
            out.push_back({Kind::Operator, std::string(1, c), i});
            ++i;
        } else {
            std::size_t start = i;
            while (i < src.size() && (isalnum((unsigned char)src[i]) || src[i] == '_'))
                ++i;
            std::string word = src.substr(start, i - start);
            for (char &ch : word)
                ch = (char)tolower((unsigned char)ch);
            out.push_back({Kind::Word, word, start});
        }
    }
    return out;
}

std::vector<mg::ErrcodeUse> uses(const std::string &src) {
    return mg::find_errcode_uses(tokens(src));
}

} // namespace

TEST(ErrcodeScan, RaiseSqlstate) {
    auto u = uses("BEGIN RAISE EXCEPTION SQLSTATE 'WEAKP' USING MESSAGE = 'weak'; END");
    ASSERT_EQ(u.size(), 1u);
    EXPECT_EQ(u[0].form, Form::RaiseSqlstate);
    EXPECT_EQ(u[0].value, "WEAKP");
    u = uses("RAISE SQLSTATE 'FFFFF';");
    ASSERT_EQ(u.size(), 1u);
    EXPECT_EQ(u[0].value, "FFFFF");
}

TEST(ErrcodeScan, UsingErrcodeWithEqualsOrAssign) {
    auto u = uses("RAISE EXCEPTION 'no' USING ERRCODE = 'NTFND', HINT = 'x'; "
                  "RAISE 'again' USING ERRCODE := 'unique_violation';");
    ASSERT_EQ(u.size(), 2u);
    EXPECT_EQ(u[0].form, Form::UsingErrcode);
    EXPECT_EQ(u[0].value, "NTFND");
    EXPECT_EQ(u[1].value, "unique_violation");
}

TEST(ErrcodeScan, RaiseConditionName) {
    auto u =
        uses("RAISE unique_violation USING MESSAGE = 'dup'; RAISE EXCEPTION division_by_zero;");
    ASSERT_EQ(u.size(), 2u);
    EXPECT_EQ(u[0].form, Form::RaiseCondition);
    EXPECT_EQ(u[0].value, "unique_violation");
    EXPECT_EQ(u[1].value, "division_by_zero");
}

TEST(ErrcodeScan, PlainRaisesNameNothing) {
    EXPECT_TRUE(uses("RAISE NOTICE 'hello %', x; RAISE; RAISE 'boom'; RAISE EXCEPTION USING "
                     "MESSAGE = 'm';")
                    .empty());
}

TEST(ErrcodeScan, ErrcodeOutsideRaiseIsIgnored) {
    // An assignment to a variable called errcode is not a RAISE option.
    EXPECT_TRUE(uses("errcode := 'XXXXX'; PERFORM f(errcode = 'ABCDE');").empty());
}

TEST(ErrcodeScan, ProblemsFollowTheRules) {
    auto problems = mg::errcode_problems(
        uses("RAISE SQLSTATE 'FFFFF'; RAISE SQLSTATE 'WEAKP'; RAISE SQLSTATE '23505'; "
             "RAISE 'x' USING ERRCODE = 'AB0CD'; RAISE 'y' USING ERRCODE = 'not_a_condition'; "
             "RAISE 'z' USING ERRCODE = 'unique_violation'; RAISE no_such_condition;"));
    ASSERT_EQ(problems.size(), 4u);
    EXPECT_EQ(problems[0].value, "FFFFF");
    EXPECT_EQ(problems[0].rule, "char1");
    EXPECT_EQ(problems[1].value, "AB0CD");
    EXPECT_EQ(problems[1].rule, "char3");
    EXPECT_EQ(problems[2].value, "not_a_condition");
    EXPECT_EQ(problems[2].rule, "unknown-condition");
    EXPECT_EQ(problems[3].value, "no_such_condition");
}

TEST(ErrcodeScan, LowerCaseFiveLettersIsAConditionNameToPlpgsql) {
    EXPECT_TRUE(mg::looks_like_sqlstate("WEAKP"));
    EXPECT_FALSE(mg::looks_like_sqlstate("weakp"));
    EXPECT_FALSE(mg::looks_like_sqlstate("WEAK"));
    auto problems = mg::errcode_problems(uses("RAISE 'x' USING ERRCODE = 'weakp';"));
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].rule, "unknown-condition");
}

TEST(ErrcodeScan, LineOfOffset) {
    const std::string src = "a\nb\nRAISE";
    EXPECT_EQ(mg::line_of(src, 0), 1);
    EXPECT_EQ(mg::line_of(src, 2), 2);
    EXPECT_EQ(mg::line_of(src, 4), 3);
    EXPECT_EQ(mg::line_of(src, 999), 3);
}
