#include "core/chain.hpp"

#include <gtest/gtest.h>

namespace {

// Expected values from the shell, e.g.
//   printf 'migration_guard chain v1\n0:\n1:1\n71:sha256:061e...a737\n' | sha256sum
constexpr char kScript1[] =
    "sha256:061e995aebcb765888ac7580f67ee3815a03b9b9c3fd5ff2dbb40db98b53a737";
constexpr char kEntry1[] =
    "sha256:9c45d8572ba7106f67a295ed3ef66219f5f21de51bcd8af9996831a18cc969f6";

TEST(ChainHash, FirstEntryKnownVector) {
    EXPECT_EQ(mg::chain_hash("", "1", kScript1), kEntry1);
}

TEST(ChainHash, SecondEntryWithoutScriptKnownVector) {
    // printf 'migration_guard chain v1\n71:sha256:9c45...69f6\n1:2\n0:\n' | sha256sum
    EXPECT_EQ(mg::chain_hash(kEntry1, "2", ""),
              "sha256:de2d9e733c820852c239c91505c7382a854da65f37c6ea68c0a9f0b44487a0b2");
}

TEST(ChainHash, AllFieldsEmptyKnownVector) {
    // printf 'migration_guard chain v1\n0:\n0:\n0:\n' | sha256sum
    EXPECT_EQ(mg::chain_hash("", "", ""),
              "sha256:519cd58618f8c0288460990859a8d658fe4b26dee1bed20fb9c3277dd50e623c");
}

TEST(ChainHash, MovingANewlineBetweenFieldsChangesTheHash) {
    // printf 'migration_guard chain v1\n0:\n2:a\n\n1:b\n' | sha256sum
    EXPECT_EQ(mg::chain_hash("", "a\n", "b"),
              "sha256:e2c7a1c5910cd41feff7ab3dcf770bbfbc8c5f95c683bfa1adc26e317e740361");
    // printf 'migration_guard chain v1\n0:\n1:a\n2:\nb\n' | sha256sum
    EXPECT_EQ(mg::chain_hash("", "a", "\nb"),
              "sha256:c412c97c563a3b2f6924b260cfe8e07103ea60deca6549d4b70d923d04eff2f4");
}

TEST(ChainHash, FieldBoundariesCannotBeForged) {
    EXPECT_NE(mg::chain_hash("ab", "c", ""), mg::chain_hash("a", "bc", ""));
    EXPECT_NE(mg::chain_hash("", "1:x\n", ""), mg::chain_hash("1:x\n", "", ""));
    EXPECT_NE(mg::chain_hash("", "", "x"), mg::chain_hash("", "x", ""));
    // A version that contains what looks like the next field.
    EXPECT_NE(mg::chain_hash("", "1\n0:", ""), mg::chain_hash("", "1", "0:"));
}

TEST(ChainHash, DependsOnEveryField) {
    const std::string base = mg::chain_hash(kEntry1, "7", kScript1);
    EXPECT_NE(base, mg::chain_hash("", "7", kScript1));
    EXPECT_NE(base, mg::chain_hash(kEntry1, "8", kScript1));
    EXPECT_NE(base, mg::chain_hash(kEntry1, "7", ""));
    EXPECT_EQ(base, mg::chain_hash(kEntry1, "7", kScript1));
}

TEST(ChainHash, HasTheScriptHashTextForm) {
    const std::string hash = mg::chain_hash("", "1", "");
    ASSERT_EQ(hash.size(), 71u);
    EXPECT_EQ(hash.substr(0, 7), "sha256:");
    EXPECT_EQ(hash.find_first_not_of("0123456789abcdef", 7), std::string::npos);
}

} // namespace
