#include "cli/command.hpp"

namespace mg::cli {
int run_errcodes(const Args &) {
    std::fprintf(stderr, "%s: errcodes is not yet available in this version\n", kProgram);
    return kExitUsage;
}
} // namespace mg::cli
