#include "core/script_hash.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace {

// Expected values: `printf ... | sha256sum` of the canonical bytes.
constexpr char kEmpty[] = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr char kAbc[] = "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
// printf 'select 1;\nselect 2;\n' | sha256sum
constexpr char kTwoSelects[] =
    "sha256:061e995aebcb765888ac7580f67ee3815a03b9b9c3fd5ff2dbb40db98b53a737";
// printf 'a\n\357\273\277b\n' | sha256sum  (a BOM that is not at the start stays)
constexpr char kInnerBom[] =
    "sha256:6fdfaa5f3a6961aec279ab71a8c227e1f9f3dc586803c1727e7f4148607fdafc";
// printf '\357\273\277select 1;\nselect 2;\n' | sha256sum  (what a BOM-keeping tool would get)
constexpr char kTwoSelectsWithBomKept[] =
    "sha256:6c6f2bc96deff6d9cf33df808dde7b3337708ce4b0f58d158d2990029e996d95";

std::string hash_in_chunks(const std::string &input, std::size_t chunk) {
    mg::ScriptHasher hasher;
    for (std::size_t pos = 0; pos < input.size(); pos += chunk) {
        hasher.update(input.data() + pos, std::min(chunk, input.size() - pos));
    }
    return hasher.finish();
}

// A deliberately simple reference for the canonical form, to check the streaming one against.
std::string reference_canonical(const std::string &in) {
    std::size_t start = in.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
    std::string out;
    for (std::size_t i = start; i < in.size(); ++i) {
        if (in[i] == '\r') {
            out += '\n';
            if (i + 1 < in.size() && in[i + 1] == '\n') {
                ++i;
            }
        } else {
            out += in[i];
        }
    }
    return out;
}

TEST(Sha, PlainDigestsOfKnownVectors) {
    EXPECT_EQ("sha256:" + mg::sha256_hex(""), kEmpty);
    EXPECT_EQ("sha256:" + mg::sha256_hex("abc"), kAbc);
    EXPECT_EQ(mg::sha1_hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    EXPECT_EQ(mg::sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST(ScriptHash, KnownVectors) {
    EXPECT_EQ(mg::script_hash(""), kEmpty);
    EXPECT_EQ(mg::script_hash("abc"), kAbc);
    EXPECT_EQ(mg::script_hash("select 1;\nselect 2;\n"), kTwoSelects);
    EXPECT_EQ(mg::script_hash("select 1;\nselect 2;\n").size(), mg::kSha256TextLength);
}

TEST(ScriptHash, LineEndingsDoNotMatter) {
    EXPECT_EQ(mg::script_hash("select 1;\r\nselect 2;\r\n"), kTwoSelects);
    EXPECT_EQ(mg::script_hash("select 1;\rselect 2;\r"), kTwoSelects);
    EXPECT_EQ(mg::script_hash("select 1;\r\nselect 2;\r"), kTwoSelects);
}

TEST(ScriptHash, LeadingByteOrderMarkIsDropped) {
    EXPECT_EQ(mg::script_hash("\xEF\xBB\xBFselect 1;\nselect 2;\n"), kTwoSelects);
    EXPECT_EQ(mg::script_hash("\xEF\xBB\xBFselect 1;\r\nselect 2;\r\n"), kTwoSelects);
    EXPECT_EQ(mg::script_hash("\xEF\xBB\xBF"), kEmpty);
    EXPECT_EQ(mg::sha256_hex("\xEF\xBB\xBFselect 1;\nselect 2;\n"),
              std::string(kTwoSelectsWithBomKept).substr(7));
}

TEST(ScriptHash, ByteOrderMarkElsewhereIsKept) {
    EXPECT_EQ(mg::script_hash("a\n\xEF\xBB\xBF"
                              "b\n"),
              kInnerBom);
    EXPECT_EQ(mg::canonical_script("\xEF\xBB\xBF\xEF\xBB\xBFx"), "\xEF\xBB\xBFx"); // only one
}

TEST(ScriptHash, NothingElseIsTouched) {
    const std::string text = " \t select 'caf\xC3\xA9';\n\n\v\f\x85\xE2\x80\xA8 ";
    EXPECT_EQ(mg::canonical_script(text), text);
    EXPECT_EQ(mg::canonical_script(std::string("a\0b", 3)), std::string("a\0b", 3));
}

TEST(CanonicalScript, TrickyCases) {
    EXPECT_EQ(mg::canonical_script("\r"), "\n");
    EXPECT_EQ(mg::canonical_script("\r\r\n"), "\n\n");
    EXPECT_EQ(mg::canonical_script("\n\r"), "\n\n");
    EXPECT_EQ(mg::canonical_script("\r\n\r\n"), "\n\n");
    EXPECT_EQ(mg::canonical_script("\r\n\n"), "\n\n");
    EXPECT_EQ(mg::canonical_script("\xEF\xBB"), "\xEF\xBB");       // half a BOM
    EXPECT_EQ(mg::canonical_script("\xEF\xBB\r\n"), "\xEF\xBB\n"); // half a BOM, then CRLF
    EXPECT_EQ(mg::canonical_script("\xEF\xBB\xBF\r\n"), "\n");
    EXPECT_EQ(mg::canonical_script("\xEF\r"), "\xEF\n");
}

// Every way of splitting a short tricky input into three update() calls gives the one-shot hash.
TEST(ScriptHasher, EverySplitGivesTheOneShotHash) {
    for (const std::string &input :
         {std::string("\xEF\xBB\xBF\r\nselect 1;\r\r\n\rx\r"), std::string("\xEF\xBB\r\n\r"),
          std::string("\xEF\xBB\xBF\xEF\xBB\xBF\r\r"), std::string("\r\n\r\n")}) {
        const std::string expected = mg::sha256_hex(reference_canonical(input));
        ASSERT_EQ(mg::script_hash(input), "sha256:" + expected);
        ASSERT_EQ(mg::canonical_script(input), reference_canonical(input));
        for (std::size_t i = 0; i <= input.size(); ++i) {
            for (std::size_t j = i; j <= input.size(); ++j) {
                mg::ScriptHasher hasher;
                hasher.update(input.data(), i);
                hasher.update(input.data() + i, j - i);
                hasher.update(input.data() + j, input.size() - j);
                EXPECT_EQ(hasher.finish(), "sha256:" + expected) << "split at " << i << ", " << j;
            }
        }
    }
}

TEST(ScriptHasher, ByteByByteUpdatesGiveTheOneShotHash) {
    const std::string input = "\xEF\xBB\xBFline 1\r\nline 2\rline 3\n\r\n\r";
    EXPECT_EQ(hash_in_chunks(input, 1), mg::script_hash(input));
}

TEST(ScriptHasher, FinishIntoBufferWritesTextAndNul) {
    mg::ScriptHasher hasher;
    hasher.update("abc", 3);
    char out[mg::kSha256TextLength + 2];
    out[mg::kSha256TextLength + 1] = 'Z';
    hasher.finish(out);
    EXPECT_STREQ(out, kAbc);
    EXPECT_EQ(out[mg::kSha256TextLength + 1], 'Z');
}

TEST(ScriptHasher, IsReadyForAnotherScriptAfterFinish) {
    mg::ScriptHasher hasher;
    hasher.update("\xEF\xBB", 2); // an unfinished BOM and a pending CR must not leak over
    hasher.finish();
    hasher.update("abc\r", 4);
    hasher.finish();
    hasher.update("\nabc", 4);
    EXPECT_EQ(hasher.finish(), mg::script_hash("\nabc"));
    EXPECT_EQ(hasher.finish(), kEmpty);
}

std::string generated_script(std::size_t size) {
    std::string out;
    out.reserve(size + 64);
    std::uint32_t state = 12345;
    while (out.size() < size) {
        state = state * 1103515245u + 12345u;
        switch ((state >> 16) % 6) {
        case 0:
            out += "\r\n";
            break;
        case 1:
            out += '\r';
            break;
        case 2:
            out += "insert into t values (1, 'caf\xC3\xA9 \xE2\x80\x94');";
            break;
        case 3:
            out += '\n';
            break;
        default:
            out.append((state >> 8) % 200, 'x');
            break;
        }
    }
    out.resize(size);
    return out;
}

TEST(ScriptHasher, LargeInputSameHashOneShotAndChunked) {
    const std::string input = "\xEF\xBB\xBF" + generated_script(10 * 1024 * 1024);
    const std::string expected = "sha256:" + mg::sha256_hex(reference_canonical(input));
    EXPECT_EQ(mg::script_hash(input), expected);
    for (std::size_t chunk : {1u, 2u, 3u, 4093u, 65536u, 1048576u, 1048577u}) {
        EXPECT_EQ(hash_in_chunks(input, chunk), expected) << "chunk size " << chunk;
    }
}

} // namespace

namespace {

// Short canonical runs are gathered in a 64 KiB buffer; a run longer than the buffer goes to the
// digest directly, after what is buffered. Every mix of the two hashes the canonical bytes.
TEST(ScriptHasher, LongRunsBetweenShortOnesKeepTheirOrder) {
    const std::string short_lines = generated_script(100 * 1024);
    for (std::size_t long_run : {65535u, 65536u, 65537u, 300000u}) {
        const std::string input = short_lines + std::string(long_run, 'y') + "\r\n" + short_lines +
                                  std::string(long_run, 'z');
        const std::string expected = "sha256:" + mg::sha256_hex(reference_canonical(input));
        EXPECT_EQ(mg::script_hash(input), expected) << "long run " << long_run;
        EXPECT_EQ(hash_in_chunks(input, 70000), expected) << "long run " << long_run;
    }
}

} // namespace
