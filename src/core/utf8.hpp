// UTF-8 decoding shared by the core: one character at a time, with ill-formed input handled the
// way the WHATWG Encoding Standard (and so Node.js and browsers) handles it, which is what
// graphile-migrate's hashes depend on.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mg::utf8 {

struct Char {
    std::size_t length = 0;  // bytes consumed (at least 1 unless at the end of the text)
    char32_t code_point = 0; // valid only when `valid`
    bool valid = false;      // false: `length` bytes form one maximal ill-formed subpart,
                             // which a WHATWG decoder turns into one U+FFFD
};

// Decodes the character at text[pos]; pos must be < text.size().
Char decode(std::string_view text, std::size_t pos) noexcept;

// Number of characters, an ill-formed subpart counting as one (as U+FFFD would).
std::size_t length(std::string_view text) noexcept;

// The text with every ill-formed subpart replaced by U+FFFD (EF BF BD), as Node.js's
// Buffer.toString("utf8") and fs.readFile(path, "utf8") do.
std::string replace_invalid(std::string_view text);

} // namespace mg::utf8
