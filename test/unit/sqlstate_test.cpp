#include "core/sqlstate.hpp"

#include "core/error_codes.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

namespace {

struct BuiltinCode {
    const char *code;
    const char *name;
};
// The same generated table the library uses (tools/gen-errcodes.sh from errcodes.txt).
constexpr BuiltinCode kPgCodes[] = {
#include "pg_errcodes.inc"
};

std::set<std::string> rules_of(std::string_view code) {
    std::set<std::string> rules;
    for (const auto &v : mg::sqlstate_violations(code)) {
        rules.insert(v.rule);
    }
    return rules;
}

std::string reason_of(std::string_view code, const std::string &rule) {
    for (const auto &v : mg::sqlstate_violations(code)) {
        if (v.rule == rule) {
            return v.reason;
        }
    }
    return "(no " + rule + " violation)";
}

bool upper(int c) {
    return c >= 'A' && c <= 'Z';
}
bool digit(int c) {
    return c >= '0' && c <= '9';
}

// Seed 003's rules written out independently of the implementation.
bool allowed(int position, int c) {
    switch (position) {
    case 1:
        return upper(c) && c != 'F' && c != 'H' && c != 'P' && c != 'X';
    case 2:
        return upper(c) || digit(c);
    case 3:
        return (upper(c) && c != 'P') || (digit(c) && c != '0');
    case 4:
        return upper(c);
    default:
        return upper(c) || digit(c);
    }
}

TEST(Sqlstate, EveryByteAtEveryPosition) {
    const std::string base = "MGABC"; // valid
    ASSERT_TRUE(mg::is_valid_custom_sqlstate(base));
    for (int position = 1; position <= 5; ++position) {
        for (int b = 0; b < 256; ++b) {
            std::string code = base;
            code[position - 1] = static_cast<char>(b);
            const std::set<std::string> rules = rules_of(code);
            const std::string rule = "char" + std::to_string(position);
            SCOPED_TRACE("position " + std::to_string(position) + " byte " + std::to_string(b));
            EXPECT_EQ(rules.count(rule) == 0, allowed(position, b));
            EXPECT_EQ(rules.count("length"), 0u); // a lone byte counts as one character
            // Only that character's rule (and, for "0" at position 5 after "00", none here).
            EXPECT_LE(rules.size(), 1u);
        }
    }
}

TEST(Sqlstate, BoundaryCharactersNamed) {
    EXPECT_EQ(reason_of("FGABC", "char1"),
              "character 1 is \"F\"; it must be a capital letter A-Z other than F, H, P or X");
    EXPECT_EQ(reason_of("@GABC", "char1"),
              "character 1 is \"@\"; it must be a capital letter A-Z other than F, H, P or X");
    EXPECT_EQ(reason_of("M[ABC", "char2"),
              "character 2 is \"[\"; it must be a capital letter A-Z or a digit 0-9");
    EXPECT_EQ(reason_of("MG0BC", "char3"),
              "character 3 is \"0\"; it must be a capital letter A-Z other than P, or a digit 1-9");
    EXPECT_EQ(reason_of("MGA9C", "char4"), "character 4 is \"9\"; it must be a capital letter A-Z");
    EXPECT_EQ(reason_of("MGAB ", "char5"),
              "character 5 is a space; it must be a capital letter A-Z or a digit 0-9");
    EXPECT_EQ(reason_of("MGAB\t", "char5"),
              "character 5 is U+0009 (a control character); it must be a capital letter A-Z or a "
              "digit 0-9");
    EXPECT_EQ(reason_of("MGAB\"", "char5"),
              "character 5 is '\"'; it must be a capital letter A-Z or a digit 0-9");
}

TEST(Sqlstate, LowerCaseMustBeUpperCase) {
    EXPECT_EQ(reason_of("mgabc", "char1"), "character 1 is \"m\"; it must be upper case (\"M\")");
    EXPECT_EQ(reason_of("MGABz", "char5"), "character 5 is \"z\"; it must be upper case (\"Z\")");
    EXPECT_EQ(rules_of("mgabc"),
              (std::set<std::string>{"char1", "char2", "char3", "char4", "char5"}));
    const std::string f = reason_of("fGABC", "char1");
    EXPECT_NE(f.find("upper case"), std::string::npos) << f;
    EXPECT_NE(f.find("other than F, H, P or X"), std::string::npos) << f;
    EXPECT_NE(reason_of("MGpBC", "char3").find("other than P"), std::string::npos);
}

TEST(Sqlstate, LengthCountsCharacters) {
    EXPECT_EQ(reason_of("", "length"),
              "the code is empty; a SQLSTATE must be exactly 5 characters");
    EXPECT_EQ(reason_of("M", "length"),
              "the code is 1 character long; a SQLSTATE must be exactly 5 characters");
    EXPECT_EQ(reason_of("MGABCD", "length"),
              "the code is 6 characters long; a SQLSTATE must be exactly 5 characters");
    // "MGÄBCÉ": six characters, eight bytes.
    EXPECT_EQ(reason_of("MG\xC3\x84"
                        "BC\xC3\x89",
                        "length"),
              "the code is 6 characters long (8 bytes in UTF-8); a SQLSTATE must be exactly 5 "
              "characters");
    // "MGÄBC" is five characters (six bytes): no length violation, only position 3.
    EXPECT_EQ(rules_of("MG\xC3\x84"
                       "BC"),
              std::set<std::string>{"char3"});
    EXPECT_EQ(reason_of("MG\xC3\x84"
                        "BC",
                        "char3"),
              "character 3 is \"\xC3\x84\" (U+00C4); it must be a capital letter A-Z other than P, "
              "or a digit 1-9");
    // A four-byte character and broken UTF-8 do not crash, and count as one character each.
    EXPECT_EQ(rules_of("\xF0\x9F\x98\x80GABC"), std::set<std::string>{"char1"});
    EXPECT_EQ(rules_of("MG\xE2\x80"
                       "BC"),
              std::set<std::string>{"char3"});
    EXPECT_EQ(reason_of("MG\xFF"
                        "BC",
                        "char3"),
              "character 3 is the byte 0xFF, which is not UTF-8; it must be a capital letter A-Z "
              "other than P, or a digit 1-9");
    EXPECT_NE(reason_of("MG\xE2\x80"
                        "BC",
                        "char3")
                  .find("the bytes 0xE2 0x80, which are not UTF-8"),
              std::string::npos);
    // Characters beyond the fifth are covered by the length rule alone.
    EXPECT_EQ(rules_of("MGABC!!"), std::set<std::string>{"length"});
    EXPECT_EQ(rules_of("MG"), std::set<std::string>{"length"});
}

TEST(Sqlstate, ReportsEveryViolatedRule) {
    EXPECT_EQ(rules_of("XX000"),
              (std::set<std::string>{"char1", "char3", "char4", "ends-000", "builtin"}));
    EXPECT_EQ(rules_of("A1000"), (std::set<std::string>{"char3", "char4", "ends-000"}));
    EXPECT_EQ(rules_of("?p0000"),
              (std::set<std::string>{"length", "char1", "char2", "char3", "char4", "ends-000"}));
}

TEST(Sqlstate, EveryBuiltinCodeIsRejectedAsBuiltin) {
    ASSERT_GT(std::size(kPgCodes), 200u);
    for (const BuiltinCode &pg : kPgCodes) {
        SCOPED_TRACE(pg.code);
        const std::set<std::string> rules = rules_of(pg.code);
        EXPECT_EQ(rules.count("builtin"), 1u);
        EXPECT_FALSE(mg::is_valid_custom_sqlstate(pg.code));
        ASSERT_NE(mg::builtin_condition_name(pg.code), nullptr);
        EXPECT_STRNE(mg::builtin_condition_name(pg.code), ""); // the named entry wins
    }
    EXPECT_EQ(reason_of("23505", "builtin"),
              "\"23505\" is PostgreSQL's own code for unique_violation");
}

TEST(Sqlstate, BuiltinLookups) {
    EXPECT_STREQ(mg::builtin_condition_name("23505"), "unique_violation");
    EXPECT_STREQ(mg::builtin_condition_name("22008"), "datetime_field_overflow"); // listed twice
    EXPECT_STREQ(mg::builtin_condition_name("2202E"), "array_subscript_error");
    EXPECT_STREQ(mg::builtin_condition_name("P0001"), "raise_exception");
    EXPECT_EQ(mg::builtin_condition_name("MGARG"), nullptr);
    EXPECT_EQ(mg::builtin_condition_name(""), nullptr);
    EXPECT_EQ(mg::builtin_condition_name("235050"), nullptr);
    EXPECT_STREQ(mg::builtin_condition_code("unique_violation"), "23505");
    EXPECT_STREQ(mg::builtin_condition_code("string_data_right_truncation"), "22001");
    EXPECT_STREQ(mg::builtin_condition_code("warning"), "01000");
    EXPECT_EQ(mg::builtin_condition_code(""), nullptr);
    EXPECT_EQ(mg::builtin_condition_code("no_such_condition"), nullptr);
    for (const BuiltinCode &pg : kPgCodes) {
        if (pg.name[0] != '\0') {
            const char *code = mg::builtin_condition_code(pg.name);
            ASSERT_NE(code, nullptr) << pg.name;
            EXPECT_STREQ(mg::builtin_condition_name(code), pg.name);
        }
    }
}

TEST(Sqlstate, Seed003CodesAreAccepted) {
    for (const char *code : {"DNIED", "NUNIQ", "NTFND", "BADFK", "MODAT", "WEAKP", "LOCKD", "TAKEN",
                             "EMTKN", "CREDS", "LOGIN", "VRFY1", "VRFY2", "CDLEA"}) {
        EXPECT_TRUE(mg::is_valid_custom_sqlstate(code)) << code << ": " << reason_of(code, "char1");
    }
}

TEST(Sqlstate, Seed003UnknownErrorFFFFFBreaksOnlyChar1) {
    const auto violations = mg::sqlstate_violations("FFFFF");
    ASSERT_EQ(violations.size(), 1u);
    EXPECT_EQ(violations[0].rule, "char1");
}

TEST(Sqlstate, MigrationGuardsOwnCodesAreValid) {
    std::set<std::string> seen;
    for (const char *code : mg::errcode::kAll) {
        EXPECT_TRUE(mg::is_valid_custom_sqlstate(code)) << code;
        EXPECT_TRUE(seen.insert(code).second) << code << " is listed twice";
    }
    EXPECT_EQ(seen.size(), std::size(mg::errcode::kAll));
}

} // namespace
