// graphile-migrate committed migration files and their hashes, computed exactly as
// graphile-migrate computes them.
//
// A committed file starts with header lines "--! Key: value"; after the last header comes one
// empty line, then the body. The hash is
//   "sha1:" + hex(SHA-1( trim( (previous or "") + "\n" + trim(body) ) + "\n" ))
// with ECMAScript String.prototype.trim() (Unicode white space and line terminators) and
// previous taken from the "--! Previous:" header ("-" means none).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mg {

struct GraphileFile {
    std::vector<std::pair<std::string, std::string>> headers; // in file order
    std::string body;                                         // after the blank line
    std::optional<std::string> previous;                      // "--! Previous:", "-" -> none
    std::optional<std::string> declared_hash;                 // "--! Hash:"
};

// Accepts exactly what graphile-migrate 1.4.1 accepts as a committed file: header lines matching
// /^--! ([A-Z][a-zA-Z0-9_]*)(?::(.*))?$/ (LF line ends; a header may lack a value, which is
// stored as ""), then an empty line, with non-empty "Previous" and "Hash" headers. `body` is
// the text after the empty line byte for byte (graphile_hash() trims it). Throws mg::Error
// (SQLSTATE MGARG) with a message that says what is wrong with the file.
GraphileFile parse_graphile_file(std::string_view text);

// Ill-formed UTF-8 is hashed as U+FFFD, as Node.js decodes a file read with "utf8".
std::string graphile_hash(std::string_view body, std::optional<std::string_view> previous);

// ECMAScript String.prototype.trim() on UTF-8 text.
std::string_view ecmascript_trim(std::string_view text);

} // namespace mg
