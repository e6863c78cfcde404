#include "cli/command.hpp"

#include <cerrno>
#include <cstring>

namespace mg::cli {

int usage_error(const std::string &message) {
    std::fprintf(stderr, "%s: %s\nTry \"%s --help\" for more information.\n", kProgram,
                 message.c_str(), kProgram);
    return kExitUsage;
}

int io_error(const char *command, const std::string &message) {
    std::fprintf(stderr, "%s: %s: %s\n", kProgram, command, message.c_str());
    return kExitUsage;
}

std::string_view ArgReader::next(bool &is_option) {
    std::string_view arg = args_[i_++];
    has_inline_ = false;
    is_option = false;
    if (options_done_ || arg == "-" || arg.empty() || arg[0] != '-')
        return arg;
    if (arg == "--") {
        options_done_ = true;
        if (done())
            return {};
        return next(is_option);
    }
    is_option = true;
    const size_t eq = arg.find('=');
    if (arg.compare(0, 2, "--") == 0 && eq != std::string_view::npos) {
        inline_value_ = std::string(arg.substr(eq + 1));
        has_inline_ = true;
        return arg.substr(0, eq);
    }
    return arg;
}

bool ArgReader::next_option(std::string_view &option, std::vector<std::string> &operands) {
    while (!done()) {
        bool is_option;
        const std::string_view arg = next(is_option);
        if (is_option) {
            option = arg;
            return true;
        }
        if (!arg.empty())
            operands.emplace_back(arg);
    }
    return false;
}

bool flush_output(const char *command) {
    if (std::fflush(stdout) == 0 && !std::ferror(stdout))
        return true;
    io_error(command, std::string("cannot write the output: ") + std::strerror(errno));
    return false;
}

bool ArgReader::value(std::string_view option, std::string &out, const char *command) {
    if (has_inline_) {
        out = inline_value_;
        has_inline_ = false;
        return true;
    }
    if (done()) {
        usage_error(std::string(command) + ": option " + std::string(option) + " needs a value");
        return false;
    }
    out = std::string(args_[i_++]);
    return true;
}

} // namespace mg::cli
