// The ledger's hash chain.
//
// chain_hash = "sha256:" + hex(SHA-256(
//     "migration_guard chain v1\n" +
//     field(previous_chain_hash) + field(version) + field(script_hash)))
// where field(s) = decimal byte length of s, ":", s, "\n" (netstring-like, so that no choice
// of version text can make two different entries encode alike). The first entry's
// previous_chain_hash is the empty string; an entry without a script has script_hash "".
#pragma once

#include <string>
#include <string_view>

namespace mg {

std::string chain_hash(std::string_view previous_chain_hash, std::string_view version,
                       std::string_view script_hash);

} // namespace mg
