#include "core/chain.hpp"

#include "core/script_hash.hpp"

namespace mg {
namespace {

// field(s) = decimal byte length of s, ":", s, "\n"
void append_field(std::string &out, std::string_view value) {
    out += std::to_string(value.size());
    out += ':';
    out += value;
    out += '\n';
}

} // namespace

std::string chain_hash(std::string_view previous_chain_hash, std::string_view version,
                       std::string_view script_hash) {
    std::string input = "migration_guard chain v1\n";
    input.reserve(input.size() + previous_chain_hash.size() + version.size() + script_hash.size() +
                  3 * 24);
    append_field(input, previous_chain_hash);
    append_field(input, version);
    append_field(input, script_hash);
    return "sha256:" + sha256_hex(input);
}

} // namespace mg
