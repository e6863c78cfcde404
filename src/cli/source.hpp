// Reading the files the CLI is given, and positions inside them. No PostgreSQL types here.
#pragma once

#include <string>
#include <vector>

namespace mg::cli {

struct SourceFile {
    std::string path; // as given on the command line ("-" for standard input), or found under
                      // a directory given there
    std::string text;
};

// Reads a file ("-": standard input). False with `error` set ("cannot open "x": ...").
bool read_source(const std::string &path, std::string &text, std::string &error);

// Expands FILE|DIR arguments: a directory contributes every *.sql file below it (recursively,
// hidden entries skipped), sorted by path; files are taken as given, in order. False with
// `error` set when an argument does not exist or a directory cannot be read.
bool expand_inputs(const std::vector<std::string> &args, std::vector<std::string> &files,
                   std::string &error);

// 1-based line and column (column in UTF-8 characters) of byte offsets, in O(log lines) each,
// and in O(1) when asked in increasing order (as the findings of a script are).
class LineIndex {
  public:
    explicit LineIndex(const std::string &text);
    int line(int offset) const;
    int column(int offset) const;
    struct Position {
        int line, column;
    };
    Position position(int offset) const;

  private:
    const std::string &text_;
    std::vector<int> starts_; // byte offset of each line's first byte
    mutable size_t last_ = 0; // index in starts_ of the line found last
};

// Where a statement really starts: the first byte at or after `offset` that is not white space
// or inside a comment (as migration_guard.lint() reports statement positions).
int statement_start(const std::string &text, int offset);

} // namespace mg::cli
