#include "cli/source.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mg::cli {

namespace fs = std::filesystem;

bool read_source(const std::string &path, std::string &text, std::string &error) {
    const bool is_stdin = path == "-";
    const int fd = is_stdin ? STDIN_FILENO : open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error = "cannot open \"" + path + "\": " + std::strerror(errno);
        return false;
    }
    text.clear();
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) // a file's size is known: one allocation
        text.reserve(static_cast<size_t>(st.st_size));
    char buffer[1 << 16];
    bool ok = true;
    for (;;) {
        const ssize_t n = read(fd, buffer, sizeof buffer);
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            error = "cannot read \"" + path + "\": " + std::strerror(errno);
            ok = false;
            break;
        }
        text.append(buffer, static_cast<size_t>(n));
    }
    if (!is_stdin)
        close(fd);
    return ok;
}

bool expand_inputs(const std::vector<std::string> &args, std::vector<std::string> &files,
                   std::string &error) {
    for (const std::string &arg : args) {
        std::error_code ec;
        if (arg == "-" || !fs::is_directory(arg, ec)) {
            if (arg != "-" && !fs::exists(arg, ec)) {
                error = "cannot open \"" + arg + "\": " + std::strerror(ENOENT);
                return false;
            }
            files.push_back(arg);
            continue;
        }
        std::vector<std::string> found;
        fs::recursive_directory_iterator it(arg, fs::directory_options::follow_directory_symlink,
                                            ec),
            end;
        for (; !ec && it != end; it.increment(ec)) {
            const std::string name = it->path().filename().string();
            if (!name.empty() && name[0] == '.') {
                if (it->is_directory(ec))
                    it.disable_recursion_pending();
                continue;
            }
            if (it->path().extension() == ".sql" && it->is_regular_file(ec))
                found.push_back(it->path().string());
        }
        if (ec) {
            error = "cannot read directory \"" + arg + "\": " + ec.message();
            return false;
        }
        std::sort(found.begin(), found.end());
        files.insert(files.end(), found.begin(), found.end());
    }
    return true;
}

LineIndex::LineIndex(const std::string &text) : text_(text) {
    starts_.push_back(0);
    const char *const begin = text.data(), *const end = begin + text.size();
    for (const char *p = begin; (p = static_cast<const char *>(std::memchr(p, '\n', end - p)));)
        starts_.push_back(static_cast<int>(++p - begin));
}

int LineIndex::line(int offset) const {
    // The line found last, or one of the next two (findings come in script order).
    for (size_t i = last_; i < starts_.size() && i <= last_ + 2; ++i)
        if (starts_[i] <= offset && (i + 1 == starts_.size() || offset < starts_[i + 1])) {
            last_ = i;
            return static_cast<int>(i + 1);
        }
    const size_t found = static_cast<size_t>(
        std::upper_bound(starts_.begin(), starts_.end(), offset) - starts_.begin());
    last_ = found > 0 ? found - 1 : 0;
    return static_cast<int>(found);
}

int LineIndex::column(int offset) const {
    return position(offset).column;
}

LineIndex::Position LineIndex::position(int offset) const {
    const int line_number = line(offset);
    const int start = starts_[std::max(line_number, 1) - 1];
    const int end = std::min(offset, static_cast<int>(text_.size()));
    int column = 1;
    for (int i = start; i < end; ++i)
        if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80)
            ++column;
    return {line_number, column};
}

int statement_start(const std::string &text, int offset) {
    const int n = static_cast<int>(text.size());
    int i = std::max(offset, 0);
    for (;;) {
        while (i < n && std::isspace(static_cast<unsigned char>(text[i])))
            ++i;
        if (i + 1 < n && text[i] == '-' && text[i + 1] == '-') {
            while (i < n && text[i] != '\n')
                ++i;
        } else if (i + 1 < n && text[i] == '/' && text[i + 1] == '*') {
            int depth = 0; // PostgreSQL's block comments nest
            do {
                if (i + 1 < n && text[i] == '/' && text[i + 1] == '*') {
                    ++depth;
                    i += 2;
                } else if (i + 1 < n && text[i] == '*' && text[i + 1] == '/') {
                    --depth;
                    i += 2;
                } else {
                    ++i;
                }
            } while (i < n && depth > 0);
        } else {
            return std::min(i, n);
        }
    }
}

} // namespace mg::cli
