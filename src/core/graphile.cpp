// graphile-migrate's committed files, replicated from graphile-migrate 1.4.1:
//   dist/migration.js parseMigrationText(fullPath, contents, strict = true) splits the text on
//     "\n", takes leading lines matching /^--! ([A-Z][a-zA-Z0-9_]*)(?::(.*))?$/ as headers
//     (value trimmed; a repeated key is an error), requires lines[headerLines] === "" and
//     returns body = rest.trim() + "\n";
//   dist/migration.js getAllMigrations() requires truthy "Previous" and "Hash" headers and reads
//     "Previous: -" as no previous migration;
//   dist/hash.js calculateHash(str, previousHash) =
//     "sha1:" + sha1(((previousHash || "") + "\n" + str.trim()).trim() + "\n").
// Files are read with fs.readFile(path, "utf8"): no byte order mark is skipped, no line ending
// is converted, and ill-formed UTF-8 becomes U+FFFD before hashing.
#include "core/graphile.hpp"

#include "core/error.hpp"
#include "core/error_codes.hpp"
#include "core/script_hash.hpp"
#include "core/utf8.hpp"

namespace mg {
namespace {

// ECMAScript WhiteSpace and LineTerminator (ECMA-262 "TrimString"), as Node 20 applies them.
bool is_ecmascript_space(char32_t c) {
    switch (c) {
    case 0x0009:
    case 0x000A:
    case 0x000B:
    case 0x000C:
    case 0x000D:
    case 0x0020:
    case 0x00A0:
    case 0x1680:
    case 0x2028:
    case 0x2029:
    case 0x202F:
    case 0x205F:
    case 0x3000:
    case 0xFEFF:
        return true;
    default:
        return c >= 0x2000 && c <= 0x200A;
    }
}

// Byte length of the white-space character that starts at text[pos], or 0.
std::size_t space_at(std::string_view text, std::size_t pos) {
    const utf8::Char c = utf8::decode(text, pos);
    return c.valid && is_ecmascript_space(c.code_point) ? c.length : 0;
}

// Byte length of the white-space character that ends text, or 0. A well-formed sequence at the
// very end decodes the same whatever precedes it, so looking at the last 1-3 bytes suffices.
std::size_t space_before_end(std::string_view text) {
    for (std::size_t k = 1; k <= 3 && k <= text.size(); ++k) {
        if (space_at(text, text.size() - k) == k) {
            return k;
        }
    }
    return 0;
}

constexpr char kHeaderPrefix[] = "--! ";
constexpr char kInvalidFile[] = "invalid graphile-migrate committed migration: ";

struct HeaderLine {
    std::string_view key;
    std::string_view value; // empty when the line has no ":" part
};

bool is_key_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

// /^--! ([A-Z][a-zA-Z0-9_]*)(?::(.*))?$/ on one line (without its "\n"). JavaScript's "." does
// not match CR, U+2028 or U+2029, so a line containing one of them is not a header.
bool match_header(std::string_view line, HeaderLine &out) {
    if (line.substr(0, 4) != kHeaderPrefix) {
        return false;
    }
    const std::string_view rest = line.substr(4);
    if (rest.empty() || rest[0] < 'A' || rest[0] > 'Z') {
        return false;
    }
    std::size_t key_end = 1;
    while (key_end < rest.size() && is_key_char(rest[key_end])) {
        ++key_end;
    }
    out.key = rest.substr(0, key_end);
    out.value = {};
    if (key_end == rest.size()) {
        return true;
    }
    if (rest[key_end] != ':') {
        return false;
    }
    const std::string_view value = rest.substr(key_end + 1);
    if (value.find('\r') != std::string_view::npos ||
        value.find("\xE2\x80\xA8") != std::string_view::npos ||
        value.find("\xE2\x80\xA9") != std::string_view::npos) {
        return false;
    }
    out.value = ecmascript_trim(value);
    return true;
}

// A short, printable rendering of a line for error details.
std::string quote_line(std::string_view line) {
    constexpr std::size_t kMax = 60;
    std::string out = "\"";
    std::size_t pos = 0;
    while (pos < line.size() && pos < kMax) {
        const char c = line[pos];
        if (c == '\r') {
            out += "\\r";
        } else if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else {
            out += c;
        }
        pos += utf8::decode(line, pos).length;
    }
    if (pos < line.size()) {
        out += "...";
    }
    return out + "\"";
}

// Why a line that was expected to be a header or the empty line after the headers is neither.
std::string explain_line(std::string_view line) {
    if (line.substr(0, 3) == "\xEF\xBB\xBF") {
        return "the file starts with a UTF-8 byte order mark, which graphile-migrate does not "
               "skip";
    }
    if (!line.empty() && line.back() == '\r') {
        return "the line ends with a carriage return: graphile-migrate separates headers with LF "
               "only, so a file with CR LF line endings is not a valid committed migration";
    }
    if (line.substr(0, 3) == "--!") {
        return "a header line is \"--! Key: value\": exactly one space after \"--!\", a key that "
               "starts with a capital letter and contains only letters, digits and \"_\"";
    }
    return {};
}

[[noreturn]] void fail(std::string what, std::string detail = {}, std::string hint = {}) {
    throw Error(errcode::kInvalidArgument, kInvalidFile + what, std::move(detail), std::move(hint));
}

const std::string *find_header(const GraphileFile &file, std::string_view key) {
    for (const auto &[name, value] : file.headers) {
        if (name == key) {
            return &value;
        }
    }
    return nullptr;
}

// getAllMigrations() rejects a committed file whose Previous or Hash header is missing or empty.
const std::string &required_header(const GraphileFile &file, std::string_view key,
                                   const char *hint) {
    const std::string *value = find_header(file, key);
    if (value == nullptr) {
        fail("no \"--! " + std::string(key) + ":\" header", {}, hint);
    }
    if (value->empty()) {
        fail("the \"--! " + std::string(key) + ":\" header has no value", {}, hint);
    }
    return *value;
}

} // namespace

std::string_view ecmascript_trim(std::string_view text) {
    std::size_t begin = 0;
    while (begin < text.size()) {
        const std::size_t n = space_at(text, begin);
        if (n == 0) {
            break;
        }
        begin += n;
    }
    text.remove_prefix(begin);
    while (!text.empty()) {
        const std::size_t n = space_before_end(text);
        if (n == 0) {
            break;
        }
        text.remove_suffix(n);
    }
    return text;
}

std::string graphile_hash(std::string_view body, std::optional<std::string_view> previous) {
    std::string joined(previous.value_or(std::string_view{}));
    joined += '\n';
    joined += ecmascript_trim(body);
    std::string input = utf8::replace_invalid(ecmascript_trim(joined));
    input += '\n';
    return "sha1:" + sha1_hex(input);
}

GraphileFile parse_graphile_file(std::string_view text) {
    GraphileFile file;
    std::size_t pos = 0;     // start of the current line
    std::size_t line_no = 1; // its number, from 1
    bool last_header_ends_text = false;
    while (pos < text.size()) {
        const std::size_t newline = text.find('\n', pos);
        const std::size_t line_end = newline == std::string_view::npos ? text.size() : newline;
        HeaderLine header;
        if (!match_header(text.substr(pos, line_end - pos), header)) {
            break;
        }
        if (find_header(file, header.key) != nullptr) {
            fail("header \"" + std::string(header.key) + "\" appears more than once",
                 "line " + std::to_string(line_no) + " repeats it");
        }
        file.headers.emplace_back(header.key, header.value);
        if (newline == std::string_view::npos) {
            last_header_ends_text = true;
            pos = text.size();
            break;
        }
        pos = newline + 1;
        ++line_no;
    }

    // graphile-migrate requires lines[headerLines] === "": an empty line, or the end of a text
    // whose last header line ends in "\n" (then the body is empty).
    if (last_header_ends_text) {
        fail("the file ends on its last header line",
             "graphile-migrate expects an empty line after the headers, then the body");
    }
    if (pos < text.size() && text[pos] != '\n') {
        const std::string_view line = text.substr(pos, text.find('\n', pos) - pos);
        const std::string where = "line " + std::to_string(line_no) + " is " + quote_line(line);
        if (file.headers.empty()) {
            fail("the file does not start with \"--! Previous:\" and \"--! Hash:\" header lines",
                 where, explain_line(line));
        }
        fail("line " + std::to_string(line_no) + " should be empty: the headers end there", where,
             explain_line(line));
    }
    file.body = std::string(text.substr(pos < text.size() ? pos + 1 : pos));

    const std::string &previous =
        required_header(file, "Previous",
                        "the first migration has \"--! Previous: -\"; each later one names the "
                        "hash of the migration before it");
    if (previous != "-") {
        file.previous = previous;
    }
    file.declared_hash = required_header(
        file, "Hash", "graphile-migrate commit writes \"--! Hash: sha1:<40 hex digits>\"");
    return file;
}

} // namespace mg
