#include "core/error.hpp"

#include "core/error_codes.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <new>
#include <string>
#include <vector>

namespace {

using Kind = mg::ErrorRecord::Kind;

TEST(RunGuarded, ReturnsTrueAndLeavesRecordAloneWhenNothingThrows) {
    mg::ErrorRecord record;
    int calls = 0;
    EXPECT_TRUE(mg::run_guarded([&] { ++calls; }, record));
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(record.kind, Kind::None);
}

TEST(RunGuarded, CapturesMgErrorWithAllItsParts) {
    mg::ErrorRecord record;
    EXPECT_FALSE(mg::run_guarded(
        [] {
            throw mg::Error(mg::errcode::kScriptChanged, "script of version 3 changed",
                            "recorded sha256:aa, now sha256:bb", "write a new migration instead");
        },
        record));
    EXPECT_EQ(record.kind, Kind::Error);
    EXPECT_STREQ(record.sqlstate, "MGCHS");
    EXPECT_STREQ(record.message, "script of version 3 changed");
    EXPECT_STREQ(record.detail, "recorded sha256:aa, now sha256:bb");
    EXPECT_STREQ(record.hint, "write a new migration instead");
}

TEST(RunGuarded, CapturesBadAllocAsOutOfMemory) {
    mg::ErrorRecord record;
    EXPECT_FALSE(mg::run_guarded([] { throw std::bad_alloc(); }, record));
    EXPECT_EQ(record.kind, Kind::OutOfMemory);
    EXPECT_STREQ(record.message, "out of memory");
    EXPECT_STREQ(record.sqlstate, "53200");
}

TEST(RunGuarded, CapturesClassesDerivedFromBadAllocAsOutOfMemory) {
    // What `new T[n]` throws for an impossible n.
    mg::ErrorRecord record;
    EXPECT_FALSE(mg::run_guarded([] { throw std::bad_array_new_length(); }, record));
    EXPECT_EQ(record.kind, Kind::OutOfMemory);
    EXPECT_STREQ(record.message, "out of memory");
}

TEST(RunGuarded, CapturesStdExceptionAsInternal) {
    mg::ErrorRecord record;
    EXPECT_FALSE(mg::run_guarded([] { throw std::out_of_range("index 7 out of range"); }, record));
    EXPECT_EQ(record.kind, Kind::Internal);
    EXPECT_STREQ(record.sqlstate, "MGIER");
    EXPECT_STREQ(record.message, "index 7 out of range");
    EXPECT_STREQ(record.detail, "");
    EXPECT_STREQ(record.hint, "");
}

TEST(RunGuarded, CapturesUnknownExceptionAsInternal) {
    mg::ErrorRecord record;
    EXPECT_FALSE(mg::run_guarded([] { throw 42; }, record));
    EXPECT_EQ(record.kind, Kind::Internal);
    EXPECT_STREQ(record.sqlstate, "MGIER");
    EXPECT_STREQ(record.message, "unknown C++ exception");
}

TEST(RunGuarded, ASecondCaptureClearsTheFirstOnesDetailAndHint) {
    mg::ErrorRecord record;
    mg::run_guarded([] { throw mg::Error("MGARG", "m", "d", "h"); }, record);
    mg::run_guarded([] { throw std::runtime_error("plain"); }, record);
    EXPECT_STREQ(record.message, "plain");
    EXPECT_STREQ(record.detail, "");
    EXPECT_STREQ(record.hint, "");
}

struct Tracked {
    static int alive;
    Tracked() { ++alive; }
    ~Tracked() { --alive; }
};
int Tracked::alive = 0;

TEST(RunGuarded, DestroysObjectsCreatedInsideBeforeReturningFalse) {
    mg::ErrorRecord record;
    Tracked::alive = 0;
    int seen_inside = 0;
    const bool finished = mg::run_guarded(
        [&] {
            Tracked a;
            std::vector<Tracked> more(3);
            std::string text(1000, 'x'); // heap-allocated, must be freed too
            seen_inside = Tracked::alive;
            throw mg::Error("MGARG", text.substr(0, 5));
        },
        record);
    EXPECT_FALSE(finished);
    EXPECT_EQ(seen_inside, 4);
    EXPECT_EQ(Tracked::alive, 0);
    EXPECT_STREQ(record.message, "xxxxx");
}

// Checks that text is well-formed UTF-8 throughout (no sequence cut off at the end).
bool is_complete_utf8(const char *text) {
    const auto *p = reinterpret_cast<const unsigned char *>(text);
    while (*p != 0) {
        int extra = *p < 0x80 ? 0 : *p >= 0xF0 ? 3 : *p >= 0xE0 ? 2 : *p >= 0xC0 ? 1 : -1;
        if (extra < 0) {
            return false;
        }
        ++p;
        for (; extra > 0; --extra, ++p) {
            if ((*p & 0xC0) != 0x80) {
                return false;
            }
        }
    }
    return true;
}

TEST(RunGuarded, TruncatesLongMultibyteTextOnACharacterBoundary) {
    // Every width of character, and every alignment of the cut against it.
    const std::string units[] = {"é", "€", "𝄞", "a€"};
    for (const std::string &unit : units) {
        for (std::size_t prefix = 0; prefix < 4; ++prefix) {
            std::string text(prefix, 'p');
            while (text.size() < 3 * mg::ErrorRecord::kTextSize) {
                text += unit;
            }
            mg::ErrorRecord record;
            mg::run_guarded([&] { throw mg::Error("MGARG", text, text, text); }, record);
            for (const char *field : {record.message, record.detail, record.hint}) {
                const std::size_t length = std::strlen(field);
                SCOPED_TRACE(unit + " after " + std::to_string(prefix));
                EXPECT_LT(length, mg::ErrorRecord::kTextSize);
                EXPECT_GE(length, mg::ErrorRecord::kTextSize - 4);
                EXPECT_TRUE(is_complete_utf8(field));
                EXPECT_EQ(text.compare(0, length, field), 0); // a prefix of the original
            }
        }
    }
}

TEST(RunGuarded, KeepsTextThatFitsExactly) {
    const std::string text(mg::ErrorRecord::kTextSize - 1, 'z');
    mg::ErrorRecord record;
    mg::run_guarded([&] { throw std::runtime_error(text); }, record);
    EXPECT_EQ(std::string(record.message), text);
}

TEST(RunGuarded, CutsInvalidUtf8AtTheLimitWithoutLookingFurtherBack) {
    const std::string text(3 * mg::ErrorRecord::kTextSize, '\x80'); // continuation bytes only
    mg::ErrorRecord record;
    mg::run_guarded([&] { throw std::runtime_error(text); }, record);
    EXPECT_EQ(std::strlen(record.message), mg::ErrorRecord::kTextSize - 1);
}

} // namespace
