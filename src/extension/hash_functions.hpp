// Hashing scripts through the core, for the SQL functions and the ledger API alike.
#pragma once

#include <cstddef>

#include "core/script_hash.hpp"

namespace mg::pg {

// Writes "sha256:<hex>" of the script's canonical form and a NUL into out.
void hash_script(const char *data, size_t size, char (&out)[mg::kSha256TextLength + 1]);

} // namespace mg::pg
