#include "core/utf8.hpp"

namespace mg::utf8 {

Char decode(std::string_view text, std::size_t pos) noexcept {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(pos);
    if (lead < 0x80) {
        return {1, lead, true};
    }
    std::size_t needed = 0;
    char32_t code_point = 0;
    unsigned char lower = 0x80; // range allowed for the first continuation byte, which is
    unsigned char upper = 0xBF; // narrower after E0, ED, F0 and F4 (no overlongs/surrogates)
    if (lead >= 0xC2 && lead <= 0xDF) {
        needed = 1;
        code_point = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        needed = 2;
        code_point = lead & 0x0F;
        lower = lead == 0xE0 ? 0xA0 : 0x80;
        upper = lead == 0xED ? 0x9F : 0xBF;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        needed = 3;
        code_point = lead & 0x07;
        lower = lead == 0xF0 ? 0x90 : 0x80;
        upper = lead == 0xF4 ? 0x8F : 0xBF;
    } else {
        return {1, 0, false};
    }
    for (std::size_t seen = 1; seen <= needed; ++seen) {
        if (pos + seen >= text.size() || byte(pos + seen) < lower || byte(pos + seen) > upper) {
            return {seen, 0, false}; // the offending byte starts the next character
        }
        code_point = (code_point << 6) | (byte(pos + seen) & 0x3F);
        lower = 0x80;
        upper = 0xBF;
    }
    return {needed + 1, code_point, true};
}

std::size_t length(std::string_view text) noexcept {
    std::size_t count = 0;
    for (std::size_t pos = 0; pos < text.size(); pos += decode(text, pos).length) {
        ++count;
    }
    return count;
}

std::string replace_invalid(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t run_start = 0; // start of the pending run of well-formed bytes
    std::size_t pos = 0;
    while (pos < text.size()) {
        if (static_cast<unsigned char>(text[pos]) < 0x80) {
            ++pos;
            continue;
        }
        const Char c = decode(text, pos);
        if (!c.valid) {
            out.append(text, run_start, pos - run_start);
            out += "\xEF\xBF\xBD";
            run_start = pos + c.length;
        }
        pos += c.length;
    }
    out.append(text, run_start, text.size() - run_start);
    return out;
}

} // namespace mg::utf8
