#include "cli/command.hpp"

namespace mg::cli {
int run_verify(const Args &) {
    std::fprintf(stderr, "%s: verify is not yet available in this version\n", kProgram);
    return kExitUsage;
}
int run_errcodes(const Args &) {
    std::fprintf(stderr, "%s: errcodes is not yet available in this version\n", kProgram);
    return kExitUsage;
}
} // namespace mg::cli
