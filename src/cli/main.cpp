// migration-guard: the command-line companion of the migration_guard extension.
//
// Exit status: 0 success, 1 findings (lint, verify, errcodes), 2 usage error or I/O error (a
// message on stderr says which), 3 internal error (out of memory, a failing library).
#include "cli/command.hpp"
#include "core/error.hpp"
#include "core/script_hash.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#ifndef MG_VERSION
#error "MG_VERSION must be defined by the build (CMakeLists.txt does)"
#endif

namespace mg::cli {
namespace {

struct Command {
    const char *name;
    const char *synopsis;
    const char *summary;
    int (*run)(const Args &args);
};

const Command kCommands[] = {
    {"lint", "lint [OPTIONS] FILE|DIR...", "check scripts against the rule catalogue", run_lint},
    {"hash", "hash FILE...", "print the canonical SHA-256 of each migration script", run_hash},
    {"verify", "verify --dsn DSN DIR", "compare a directory of migrations with the ledger",
     run_verify},
    {"errcodes", "errcodes FILE...", "check RAISE SQLSTATE / ERRCODE codes in functions",
     run_errcodes},
};

void print_usage(std::FILE *out) {
    std::fprintf(out,
                 "NAME\n"
                 "    %s - check, hash and verify database migrations for migration_guard\n"
                 "\n"
                 "SYNOPSIS\n"
                 "    %s [-h | --help] [-V | --version]\n"
                 "    %s COMMAND [--help] [ARGS...]\n"
                 "\n"
                 "COMMANDS\n",
                 kProgram, kProgram, kProgram);
    for (const Command &command : kCommands)
        std::fprintf(out, "    %-28s %s\n", command.synopsis, command.summary);
    std::fprintf(out,
                 "\n"
                 "OPTIONS\n"
                 "    -h, --help         show this help and exit\n"
                 "    -V, --version      show the version and exit\n"
                 "\n"
                 "EXIT STATUS\n"
                 "    0    success: nothing to report\n"
                 "    1    lint found problems at the failing severity, verify found the\n"
                 "         directory and the ledger out of step, errcodes found bad codes\n"
                 "    2    usage error, I/O error or database error (the message on standard\n"
                 "         error says which)\n"
                 "    3    internal error\n"
                 "\n"
                 "Run \"%s COMMAND --help\" for the options of one command.\n",
                 kProgram);
}

void print_hash_usage(std::FILE *out) {
    std::fprintf(out,
                 "NAME\n"
                 "    %s hash - print the canonical SHA-256 of migration scripts\n"
                 "\n"
                 "SYNOPSIS\n"
                 "    %s hash [--] FILE...\n"
                 "\n"
                 "DESCRIPTION\n"
                 "    For each FILE, prints \"sha256:<64 hex digits>  FILE\": the SHA-256 of the\n"
                 "    script after a leading UTF-8 byte order mark is dropped and CR LF and lone\n"
                 "    CR line endings become LF (docs/hashing.md). It is the hash the extension\n"
                 "    records for the same script. A FILE of \"-\" means standard input.\n"
                 "\n"
                 "EXIT STATUS\n"
                 "    0 when every file was hashed, 2 on a usage error or when a file could not\n"
                 "    be read (the others are still hashed).\n",
                 kProgram, kProgram);
}

// Hashes one open file descriptor; returns false with errno set when a read fails.
bool hash_descriptor(int fd, mg::ScriptHasher &hasher, char *text) {
    static char buffer[1 << 20];
    for (;;) {
        const ssize_t n = read(fd, buffer, sizeof buffer);
        if (n == 0) {
            break;
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        hasher.update(buffer, static_cast<std::size_t>(n));
    }
    hasher.finish(text);
    return true;
}

bool hash_one(std::string_view path) {
    const bool is_stdin = path == "-";
    const std::string name(path);
    const int fd = is_stdin ? STDIN_FILENO : open(name.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        std::fprintf(stderr, "%s: hash: cannot open \"%s\": %s\n", kProgram, name.c_str(),
                     std::strerror(errno));
        return false;
    }
    mg::ScriptHasher hasher;
    char text[mg::kSha256TextLength + 1];
    const bool ok = hash_descriptor(fd, hasher, text);
    const int read_errno = errno;
    if (!is_stdin) {
        close(fd);
    }
    if (!ok) {
        std::fprintf(stderr, "%s: hash: cannot read \"%s\": %s\n", kProgram, name.c_str(),
                     std::strerror(read_errno));
        return false;
    }
    std::printf("%s  %s\n", text, name.c_str());
    return true;
}

} // namespace

int run_hash(const Args &args) {
    std::vector<std::string_view> files;
    bool options_done = false;
    for (std::string_view arg : args) {
        if (!options_done && (arg == "-h" || arg == "--help")) {
            print_hash_usage(stdout);
            return kExitOk;
        }
        if (!options_done && arg == "--") {
            options_done = true;
        } else if (!options_done && arg.size() > 1 && arg[0] == '-') {
            return usage_error("hash: unknown option \"" + std::string(arg) + "\"");
        } else {
            files.push_back(arg);
        }
    }
    if (files.empty()) {
        return usage_error("hash: no FILE given (use \"-\" for standard input)");
    }
    bool all_ok = true;
    for (std::string_view file : files) {
        all_ok = hash_one(file) && all_ok;
    }
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
        std::fprintf(stderr, "%s: hash: cannot write the output: %s\n", kProgram,
                     std::strerror(errno));
        return kExitUsage;
    }
    return all_ok ? kExitOk : kExitUsage;
}

namespace {

int run(int argc, char **argv) {
    if (argc < 2) {
        return usage_error("no command given");
    }
    const std::string_view first = argv[1];
    if (first == "-h" || first == "--help") {
        print_usage(stdout);
        return kExitOk;
    }
    if (first == "-V" || first == "--version") {
        std::printf("%s %s\n", kProgram, MG_VERSION);
        return kExitOk;
    }
    for (const Command &command : kCommands) {
        if (first != command.name) {
            continue;
        }
        return command.run(Args(argv + 2, argv + argc));
    }
    if (first.size() > 0 && first[0] == '-') {
        return usage_error("unknown option \"" + std::string(first) + "\"");
    }
    return usage_error("unknown command \"" + std::string(first) + "\"");
}

} // namespace
} // namespace mg::cli

int main(int argc, char **argv) {
    mg::ErrorRecord error;
    int status = mg::cli::kExitUsage;
    if (!mg::run_guarded([&] { status = mg::cli::run(argc, argv); }, error)) {
        std::fprintf(stderr, "%s: internal error: %s\n", mg::cli::kProgram, error.message);
        return mg::cli::kExitInternal;
    }
    return status;
}
