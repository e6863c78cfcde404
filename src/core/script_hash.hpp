// Script hashing: SHA-256 over the canonical form of a migration script.
//
// Canonical form (docs/hashing.md states it byte by byte):
//   1. a leading UTF-8 byte order mark (EF BB BF) is dropped;
//   2. every CR LF pair (0D 0A) becomes LF (0A);
//   3. every remaining lone CR (0D) becomes LF (0A);
//   4. every other byte is kept as it is (no trimming, no Unicode normalisation).
// The text form is "sha256:" followed by 64 lower-case hex digits.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace mg {

constexpr std::size_t kSha256TextLength = 7 + 64; // "sha256:" + hex

// Incremental hasher: feed the script in chunks of any size (a CR LF pair may be split
// across chunks), then call finish() once.
class ScriptHasher {
  public:
    ScriptHasher();
    ~ScriptHasher();
    ScriptHasher(const ScriptHasher &) = delete;
    ScriptHasher &operator=(const ScriptHasher &) = delete;

    void update(const char *data, std::size_t size);
    // Writes "sha256:<hex>" and a terminating NUL into out (kSha256TextLength + 1 bytes).
    void finish(char *out);
    std::string finish();

  private:
    struct State;
    std::unique_ptr<State> state_;
};

std::string script_hash(std::string_view script);
// The canonical bytes themselves, for tests and for tools that want to see them.
std::string canonical_script(std::string_view script);

// Plain SHA-256 and SHA-1 of bytes as lower-case hex (OpenSSL).
std::string sha256_hex(std::string_view bytes);
std::string sha1_hex(std::string_view bytes);

} // namespace mg
