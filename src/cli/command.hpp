// What every command of migration-guard shares: exit codes, error messages, option parsing.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace mg::cli {

constexpr int kExitOk = 0;
constexpr int kExitFindings = 1; // lint: findings at or above --fail-on; verify: not all well;
                                 // errcodes: bad codes
constexpr int kExitUsage = 2;    // also I/O errors and an unreachable database
constexpr int kExitInternal = 3;
constexpr const char kProgram[] = "migration-guard";

using Args = std::vector<std::string_view>;

// Prints "migration-guard: MESSAGE" and the --help pointer on stderr; returns kExitUsage.
int usage_error(const std::string &message);
// Prints "migration-guard: COMMAND: MESSAGE" on stderr; returns kExitUsage.
int io_error(const char *command, const std::string &message);

// Walks a command's arguments. Options may be "--name value" or "--name=value"; "--" ends them.
class ArgReader {
  public:
    explicit ArgReader(const Args &args) : args_(args) {}
    bool done() const { return i_ >= args_.size(); }
    // The next argument; sets `is_option` when it is an option (not after "--", not "-").
    std::string_view next(bool &is_option);
    // Skips to the next option, collecting the operands (FILE, DIR...) on the way; false when
    // no option is left.
    bool next_option(std::string_view &option, std::vector<std::string> &operands);
    // The value of the option just read (inline "=value" or the next argument); false (with a
    // usage error printed) when there is none.
    bool value(std::string_view option, std::string &out, const char *command);

  private:
    const Args &args_;
    size_t i_ = 0;
    bool options_done_ = false;
    std::string inline_value_;
    bool has_inline_ = false;
};

// Flushes standard output; on a write error prints it and returns false.
bool flush_output(const char *command);

int run_hash(const Args &args);
int run_lint(const Args &args);
int run_verify(const Args &args);
int run_errcodes(const Args &args);

} // namespace mg::cli
