#include "core/script_hash.hpp"

#include "core/error.hpp"
#include "core/error_codes.hpp"

#include <cstring>
#include <new>

#include <openssl/evp.h>

namespace mg {
namespace {

constexpr unsigned char kBom[3] = {0xEF, 0xBB, 0xBF};

// Streaming canonicaliser (see script_hash.hpp): hands runs of canonical bytes to a sink
// without copying them. Runs between carriage returns go out as they are; a CR becomes the
// single byte "\n", and the LF of a CR LF pair is swallowed, even when the pair is split
// across two feed() calls. A leading byte order mark is held back until it is complete.
class Canonicaliser {
  public:
    template <typename Sink> void feed(const char *data, std::size_t size, Sink &&sink) {
        const char *p = data;
        const char *const end = data + size;
        if (at_start_ && !consume_bom(p, end, sink)) {
            return; // still inside what may be a byte order mark
        }
        if (swallow_lf_ && p < end) {
            swallow_lf_ = false;
            if (*p == '\n') {
                ++p;
            }
        }
        while (p < end) {
            const void *found = std::memchr(p, '\r', static_cast<std::size_t>(end - p));
            if (found == nullptr) {
                sink(p, static_cast<std::size_t>(end - p));
                return;
            }
            const char *cr = static_cast<const char *>(found);
            sink(p, static_cast<std::size_t>(cr - p));
            if (cr + 1 == end) {
                sink("\n", 1);
                swallow_lf_ = true;
                return;
            }
            if (cr[1] == '\n') {
                p = cr + 1; // the LF starts the next run
            } else {
                sink("\n", 1);
                p = cr + 1;
            }
        }
    }

    // Flushes a prefix of a byte order mark that the input ended in the middle of.
    template <typename Sink> void finish(Sink &&sink) {
        if (at_start_ && bom_seen_ > 0) {
            sink(reinterpret_cast<const char *>(kBom), bom_seen_);
        }
        *this = Canonicaliser();
    }

  private:
    // Returns true once the question "does the script start with a BOM?" is settled.
    template <typename Sink> bool consume_bom(const char *&p, const char *end, Sink &&sink) {
        while (p < end && bom_seen_ < sizeof kBom) {
            if (static_cast<unsigned char>(*p) != kBom[bom_seen_]) {
                // Not a BOM after all: the bytes held back are ordinary text (none is a CR).
                if (bom_seen_ > 0) {
                    sink(reinterpret_cast<const char *>(kBom), bom_seen_);
                }
                at_start_ = false;
                return true;
            }
            ++bom_seen_;
            ++p;
        }
        if (bom_seen_ == sizeof kBom) {
            at_start_ = false; // a complete BOM: dropped
            return true;
        }
        return false;
    }

    bool at_start_ = true;
    std::size_t bom_seen_ = 0;
    bool swallow_lf_ = false;
};

[[noreturn]] void throw_openssl_failure(const char *what) {
    throw Error(errcode::kInternal, std::string("OpenSSL ") + what + " failed");
}

struct DigestContext {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    DigestContext() {
        if (ctx == nullptr) {
            throw std::bad_alloc();
        }
    }
    ~DigestContext() { EVP_MD_CTX_free(ctx); }
    DigestContext(const DigestContext &) = delete;
    DigestContext &operator=(const DigestContext &) = delete;
};

void to_hex(const unsigned char *bytes, std::size_t size, char *out) {
    static const char kDigits[] = "0123456789abcdef";
    for (std::size_t i = 0; i < size; ++i) {
        out[2 * i] = kDigits[bytes[i] >> 4];
        out[2 * i + 1] = kDigits[bytes[i] & 0x0F];
    }
}

std::string digest_hex(const EVP_MD *md, std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, md, nullptr) != 1) {
        throw_openssl_failure("digest");
    }
    std::string hex(2 * length, '\0');
    to_hex(digest, length, hex.data());
    return hex;
}

} // namespace

struct ScriptHasher::State {
    DigestContext digest;
    Canonicaliser canonicaliser;
    // A script with CR LF line ends comes out of the canonicaliser one line at a time; one
    // digest update per line costs more than the hashing itself (BENCHMARKS.md, figure 4), so
    // short runs are gathered here and the digest sees them 64 KiB at a time.
    static constexpr std::size_t kBufferSize = 64 * 1024;
    char buffer[kBufferSize];
    std::size_t buffered = 0;

    void init() {
        buffered = 0;
        if (EVP_DigestInit_ex(digest.ctx, EVP_sha256(), nullptr) != 1) {
            throw_openssl_failure("SHA-256 init");
        }
    }
    void update(const char *data, std::size_t size) {
        if (size > 0 && EVP_DigestUpdate(digest.ctx, data, size) != 1) {
            throw_openssl_failure("SHA-256 update");
        }
    }
    void flush() {
        update(buffer, buffered);
        buffered = 0;
    }
    void absorb(const char *data, std::size_t size) {
        if (size <= kBufferSize - buffered) {
            std::memcpy(buffer + buffered, data, size);
            buffered += size;
            return;
        }
        flush();
        if (size >= kBufferSize) {
            update(data, size); // long runs (a script without CRs) go straight to the digest
            return;
        }
        std::memcpy(buffer, data, size);
        buffered = size;
    }
};

ScriptHasher::ScriptHasher() : state_(std::make_unique<State>()) {
    state_->init();
}

ScriptHasher::~ScriptHasher() = default;

void ScriptHasher::update(const char *data, std::size_t size) {
    State &state = *state_;
    state.canonicaliser.feed(data, size,
                             [&state](const char *run, std::size_t n) { state.absorb(run, n); });
}

void ScriptHasher::finish(char *out) {
    State &state = *state_;
    state.canonicaliser.finish([&state](const char *run, std::size_t n) { state.absorb(run, n); });
    state.flush();
    unsigned char digest[32];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(state.digest.ctx, digest, &length) != 1 || length != sizeof digest) {
        throw_openssl_failure("SHA-256 final");
    }
    std::memcpy(out, "sha256:", 7);
    to_hex(digest, sizeof digest, out + 7);
    out[kSha256TextLength] = '\0';
    state.init(); // ready for another script
}

std::string ScriptHasher::finish() {
    char text[kSha256TextLength + 1];
    finish(text);
    return std::string(text, kSha256TextLength);
}

std::string script_hash(std::string_view script) {
    ScriptHasher hasher;
    hasher.update(script.data(), script.size());
    return hasher.finish();
}

std::string canonical_script(std::string_view script) {
    std::string canonical;
    canonical.reserve(script.size());
    auto append = [&canonical](const char *run, std::size_t n) { canonical.append(run, n); };
    Canonicaliser canonicaliser;
    canonicaliser.feed(script.data(), script.size(), append);
    canonicaliser.finish(append);
    return canonical;
}

std::string sha256_hex(std::string_view bytes) {
    return digest_hex(EVP_sha256(), bytes);
}

std::string sha1_hex(std::string_view bytes) {
    return digest_hex(EVP_sha1(), bytes);
}

} // namespace mg
