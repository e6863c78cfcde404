#include "core/utf8.hpp"

#include <gtest/gtest.h>

namespace {

// Expected outputs from Node 20: Buffer.from(bytes).toString("utf8") re-encoded as UTF-8 (the
// WHATWG decoder: each maximal ill-formed subpart becomes one U+FFFD).
TEST(Utf8, ReplacesIllFormedSubpartsLikeNode) {
    const std::string r = "\xEF\xBF\xBD";
    EXPECT_EQ(mg::utf8::replace_invalid("\xEF\xBB\xBF"
                                        "A"),
              "\xEF\xBB\xBF"
              "A");
    EXPECT_EQ(mg::utf8::replace_invalid("\xC0\xA0"), r + r);         // overlong
    EXPECT_EQ(mg::utf8::replace_invalid("\xED\xA0\x80"), r + r + r); // surrogate
    EXPECT_EQ(mg::utf8::replace_invalid("\xF0\x90\xC2\xA0"), r + "\xC2\xA0");
    EXPECT_EQ(mg::utf8::replace_invalid("\xE2\x80"), r);                     // truncated at the end
    EXPECT_EQ(mg::utf8::replace_invalid("\xF4\x90\x80\x80"), r + r + r + r); // above U+10FFFF
    EXPECT_EQ(mg::utf8::replace_invalid("\xE0\x80\x80"), r + r + r);
    EXPECT_EQ(mg::utf8::replace_invalid("\xF8"
                                        "A"),
              r + "A");
    EXPECT_EQ(mg::utf8::replace_invalid("\xE1\x80"
                                        "A"),
              r + "A");
    EXPECT_EQ(mg::utf8::replace_invalid("caf\xC3\xA9 \xF0\x9F\x98\x80"),
              "caf\xC3\xA9 \xF0\x9F\x98\x80");
}

TEST(Utf8, DecodesAndCounts) {
    const mg::utf8::Char euro = mg::utf8::decode("\xE2\x82\xAC", 0);
    EXPECT_TRUE(euro.valid);
    EXPECT_EQ(euro.length, 3u);
    EXPECT_EQ(euro.code_point, 0x20ACu);
    EXPECT_EQ(mg::utf8::length("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"), 4u);
    EXPECT_EQ(mg::utf8::length("\xE2\x80"
                               "A"),
              2u);
    EXPECT_EQ(mg::utf8::length(""), 0u);
}

} // namespace
