#include "core/graphile.hpp"

#include "core/error.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <string>

namespace {

// Files under data/graphile/ were written by graphile-migrate 1.4.1 itself (see README.md there).
std::string read_data(const std::string &name) {
    std::ifstream in(std::string(MG_TEST_DATA_DIR) + "/graphile/" + name, std::ios::binary);
    EXPECT_TRUE(in.good()) << name;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

constexpr char kHash1[] = "sha1:f5096575ef37ae5e885d2f44940b8a161288473e";
constexpr char kHash2[] = "sha1:000e0a4dbb8a9e79b65a81d76abffd9be4f5561c";
constexpr char kHash3[] = "sha1:0af9519eb90c13ef9258e9db1a0719118506f048";
constexpr char kHash4[] = "sha1:40ee70a451557eb8955e6a25c1021165b5bff867";

struct Committed {
    const char *file;
    const char *previous; // nullptr: "--! Previous: -"
    const char *hash;
};
const Committed kChain[] = {
    {"committed/000001.sql", nullptr, kHash1},
    {"committed/000002-add-email-column.sql", kHash1, kHash2},
    {"committed/000003.sql", kHash2, kHash3},
    {"committed/000004-comments-crlf.sql", kHash3, kHash4},
    {"padded/000003.sql", kHash2, kHash3},
};

TEST(Graphile, RealCommittedFilesVerify) {
    for (const Committed &c : kChain) {
        SCOPED_TRACE(c.file);
        const mg::GraphileFile file = mg::parse_graphile_file(read_data(c.file));
        ASSERT_TRUE(file.declared_hash.has_value());
        EXPECT_EQ(*file.declared_hash, c.hash);
        if (c.previous == nullptr) {
            EXPECT_FALSE(file.previous.has_value());
        } else {
            EXPECT_EQ(file.previous.value_or("(none)"), c.previous);
        }
        EXPECT_EQ(mg::graphile_hash(file.body, file.previous), *file.declared_hash);
    }
}

TEST(Graphile, HeadersAndBodyOfARealFile) {
    const mg::GraphileFile file =
        mg::parse_graphile_file(read_data("committed/000002-add-email-column.sql"));
    ASSERT_EQ(file.headers.size(), 3u);
    EXPECT_EQ(file.headers[0], (std::pair<std::string, std::string>{"Previous", kHash1}));
    EXPECT_EQ(file.headers[1], (std::pair<std::string, std::string>{"Hash", kHash2}));
    EXPECT_EQ(file.headers[2],
              (std::pair<std::string, std::string>{"Message", "Add email column"}));
    EXPECT_EQ(file.body, "alter table app_user add column email text;\n");
}

TEST(Graphile, BodyKeepsCarriageReturnsAndSoDoesTheHash) {
    const mg::GraphileFile file =
        mg::parse_graphile_file(read_data("committed/000004-comments-crlf.sql"));
    EXPECT_NE(file.body.find("\r\n"), std::string::npos);
    std::string lf = file.body;
    lf.erase(lf.find('\r'), 1);
    EXPECT_NE(mg::graphile_hash(lf, file.previous), kHash4);
}

TEST(Graphile, EditedBodyFails) {
    const mg::GraphileFile file = mg::parse_graphile_file(read_data("committed/000003.sql"));
    std::string edited = file.body;
    edited.replace(edited.find("create table"), 12, "create  table");
    const std::string hash = mg::graphile_hash(edited, file.previous);
    EXPECT_NE(hash, kHash3);
    // graphile-migrate migrate on the same edit: "Hash for 000003.sql does not match -
    // sha1:e119a88a49f01ce169bb3e61594ad0ec4966047a !== sha1:0af9...; has the file been tampered
    // with?"
    EXPECT_EQ(hash, "sha1:e119a88a49f01ce169bb3e61594ad0ec4966047a");
    EXPECT_NE(mg::graphile_hash(file.body, std::string_view(kHash1)), kHash3); // wrong previous
    EXPECT_NE(mg::graphile_hash(file.body, std::nullopt), kHash3);
}

// Values below come from graphile-migrate's own calculateHash() under Node 20:
//   node -e 'console.log(require("graphile-migrate/dist/hash").calculateHash(body, previous))'
TEST(Graphile, HashMatchesCalculateHash) {
    EXPECT_EQ(mg::graphile_hash("", std::nullopt), "sha1:adc83b19e793491b1c6ea0fd8b46cd9f32e592fc");
    EXPECT_EQ(mg::graphile_hash(" \t\xE3\x80\x80\n", std::nullopt),
              "sha1:adc83b19e793491b1c6ea0fd8b46cd9f32e592fc");
    EXPECT_EQ(mg::graphile_hash("", std::string_view("sha1:abc")),
              "sha1:1cdeea309ffd9124b4e6f8f791b574551a3dbfdd");
    // "\u0085select 1;\u200b": neither NEL nor ZERO WIDTH SPACE is trimmed
    EXPECT_EQ(mg::graphile_hash("\xC2\x85select 1;\xE2\x80\x8B", std::string_view("sha1:abc")),
              "sha1:e222d7aa6aa7e7277827ea90b3bcf8fea0e0d1a3");
    // "\u00a0\ufeff\u2028\u3000\v\fselect 1;" and the same characters after it
    const std::string ws = "\xC2\xA0\xEF\xBB\xBF\xE2\x80\xA8\xE3\x80\x80\v\f";
    EXPECT_EQ(mg::graphile_hash(ws + "select 1;" + ws, std::string_view("sha1:abc")),
              "sha1:aead65df25aab4058bdc011b80a8055b558bc8c0");
}

TEST(Graphile, IllFormedUtf8IsHashedAsNodeDecodesIt) {
    // Buffer.from([...'select \'', 0xff,0xc0,0xa0,0xed,0xa0,0x80,0xf0,0x90,0xc2,0xa0,0xe2,0x80,
    //              ...'\';']).toString('utf8'), then calculateHash(that, null)
    EXPECT_EQ(mg::graphile_hash("select '\xFF\xC0\xA0\xED\xA0\x80\xF0\x90\xC2\xA0\xE2\x80';",
                                std::nullopt),
              "sha1:2c716c6b6c7ea6f12a0f858dc27bb400cfb59f18");
}

TEST(EcmascriptTrim, TrimsUnicodeWhiteSpaceAtBothEnds) {
    const std::string inner = "select 1;";
    const std::string spaces[] = {"\xC2\xA0",     "\xEF\xBB\xBF", "\xE2\x80\xA8",
                                  "\xE2\x80\xA9", "\xE3\x80\x80", "\v",
                                  "\f",           "\t",           " ",
                                  "\n",           "\r",           "\xE1\x9A\x80",
                                  "\xE2\x80\x80", "\xE2\x80\x8A", "\xE2\x80\xAF",
                                  "\xE2\x81\x9F"};
    for (const std::string &ws : spaces) {
        EXPECT_EQ(mg::ecmascript_trim(ws + inner + ws), inner);
        EXPECT_EQ(mg::ecmascript_trim(ws + ws + inner), inner);
        EXPECT_EQ(mg::ecmascript_trim(inner + ws + ws), inner);
        EXPECT_EQ(mg::ecmascript_trim(ws), "");
    }
}

TEST(EcmascriptTrim, KeepsWhatJavaScriptKeeps) {
    // node -e 'console.log(JSON.stringify("\u0085x\u200b".trim()))' prints the same three
    // characters: NEL and ZERO WIDTH SPACE are not white space to ECMAScript.
    EXPECT_EQ(mg::ecmascript_trim("\xC2\x85x\xE2\x80\x8B"), "\xC2\x85x\xE2\x80\x8B");
    EXPECT_EQ(mg::ecmascript_trim("\xE1\xA0\x8Ex\xE1\xA0\x8E"),
              "\xE1\xA0\x8Ex\xE1\xA0\x8E"); // U+180E
    EXPECT_EQ(mg::ecmascript_trim("a b"), "a b");
    EXPECT_EQ(mg::ecmascript_trim(""), "");
    // Broken sequences that merely contain white-space bytes are not white space.
    EXPECT_EQ(mg::ecmascript_trim("\xA0x\xA0"), "\xA0x\xA0");
    EXPECT_EQ(mg::ecmascript_trim("\xC0\xA0x"), "\xC0\xA0x"); // overlong U+0020
    EXPECT_EQ(mg::ecmascript_trim("x\xE3\x80"), "x\xE3\x80"); // truncated U+3000
    // A well-formed white-space character after a broken one is still trimmed.
    EXPECT_EQ(mg::ecmascript_trim("x\xE2\xC2\xA0"), "x\xE2");
}

void expect_mgarg(const std::string &text, const std::string &message_part,
                  const std::string &hint_part = {}) {
    try {
        mg::parse_graphile_file(text);
        ADD_FAILURE() << "accepted: " << text;
    } catch (const mg::Error &e) {
        EXPECT_STREQ(e.sqlstate(), "MGARG");
        EXPECT_NE(std::string(e.what()).find(message_part), std::string::npos) << e.what();
        EXPECT_NE(e.hint().find(hint_part), std::string::npos) << e.hint();
    }
}

const std::string kGood = "--! Previous: -\n--! Hash: sha1:f5096575ef37ae5e885d2f44940b8a161288473e"
                          "\n\ncreate table t ();\n";

// Each case was checked against graphile-migrate 1.4.1's parseMigrationText() and
// getAllMigrations(): it rejects them all.
TEST(GraphileParse, RejectsWhatGraphileMigrateRejects) {
    expect_mgarg("create table t ();\n", "does not start with");
    expect_mgarg("", "no \"--! Previous:\" header");
    expect_mgarg("\ncreate table t ();\n", "no \"--! Previous:\" header");
    expect_mgarg("--! Previous: -\n--! Hash: sha1:x\ncreate table t ();\n",
                 "line 3 should be empty");
    expect_mgarg("--! Previous: -\n--! Hash: sha1:x", "ends on its last header line");
    expect_mgarg("--! Previous\n--! Hash: sha1:x\n\nselect 1;\n",
                 "\"--! Previous:\" header has no value");
    expect_mgarg("--! Previous:  \n--! Hash: sha1:x\n\nselect 1;\n", "has no value");
    expect_mgarg("--! Previous: -\n--! Hash\n\nselect 1;\n", "\"--! Hash:\" header has no value");
    expect_mgarg("--! Previous: -\n\nselect 1;\n", "no \"--! Hash:\" header");
    expect_mgarg("--! Previous: -\n--! Previous: -\n\nselect 1;\n", "appears more than once");
    expect_mgarg("--! previous: -\n\nselect 1;\n", "does not start with", "capital letter");
    expect_mgarg("--!  Previous: -\n\nselect 1;\n", "does not start with", "one space");
    expect_mgarg("--! Previous: -\n--! Hash : sha1:x\n\nselect 1;\n", "line 2 should be empty");
    expect_mgarg("--! Previous: -\n \nselect 1;\n", "line 2 should be empty");
    expect_mgarg("--! Previous: a\xE2\x80\xA8"
                 "b\n\nselect 1;\n",
                 "does not start with");
}

TEST(GraphileParse, RejectsCrLfAndByteOrderMarkWithAHint) {
    std::string crlf;
    for (char c : kGood) {
        crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    }
    expect_mgarg(crlf, "does not start with", "carriage return");
    expect_mgarg("\xEF\xBB\xBF" + kGood, "does not start with", "byte order mark");
}

TEST(GraphileParse, AcceptsWhatGraphileMigrateAccepts) {
    mg::GraphileFile file = mg::parse_graphile_file(kGood);
    EXPECT_EQ(file.body, "create table t ();\n");
    EXPECT_FALSE(file.previous.has_value());

    // No space after the colon, padding around the value, a header without a value.
    file = mg::parse_graphile_file("--! Previous:sha1:abc\n--! Hash:  sha1:x \xE3\x80\x80\n"
                                   "--! AllowInvalidHash\n--! Message: x: y\n\nselect 1;\n");
    EXPECT_EQ(file.previous.value_or(""), "sha1:abc");
    EXPECT_EQ(file.declared_hash.value_or(""), "sha1:x");
    ASSERT_EQ(file.headers.size(), 4u);
    EXPECT_EQ(file.headers[2], (std::pair<std::string, std::string>{"AllowInvalidHash", ""}));
    EXPECT_EQ(file.headers[3], (std::pair<std::string, std::string>{"Message", "x: y"}));

    // Headers, the empty line and nothing else: an empty body.
    file = mg::parse_graphile_file("--! Previous: -\n--! Hash: sha1:x\n");
    EXPECT_EQ(file.body, "");
    file = mg::parse_graphile_file("--! Previous: -\n--! Hash: sha1:x\n\n");
    EXPECT_EQ(file.body, "");

    // A "--! no-transaction" line is body (lower case: not a header).
    file = mg::parse_graphile_file("--! Previous: -\n--! Hash: sha1:x\n\n--! no-transaction\n"
                                   "create index concurrently i on t (c);\n");
    EXPECT_EQ(file.body.rfind("--! no-transaction\n", 0), 0u);
    // CR in the body is fine; only header lines must not contain one.
    file = mg::parse_graphile_file("--! Previous: -\n--! Hash: sha1:x\n\nselect 1;\r\n");
    EXPECT_EQ(file.body, "select 1;\r\n");
}

} // namespace
