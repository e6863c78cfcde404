// Reporters of lint findings: for people (file:line:col, colour on a terminal), for machines
// (JSON), for code-scanning UIs (SARIF 2.1.0) and for GitHub Actions (workflow commands).
#pragma once

#include "cli/lint.hpp"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace mg::cli {

enum class Format { Human, Json, Sarif, Github };
bool parse_format(const std::string &name, Format &out);

struct FileReport {
    std::string path;
    LintResult result;
};

struct ReportOptions {
    Format format = Format::Human;
    bool colour = false; // human format only
};

// A report written as the findings come, file by file: begin_file(), add() for each of its
// findings, end_file(); finish() once at the end (the human format's one-line summary, the
// closing bracket of JSON; SARIF is a single document, written then).
class ReportWriter {
  public:
    static std::unique_ptr<ReportWriter> make(std::FILE *out, const ReportOptions &options);
    virtual ~ReportWriter();

    virtual void begin_file(const std::string &path) = 0;
    virtual void add(const LintFinding &finding) = 0;
    virtual void end_file(int suppressed) = 0; // findings a suppression comment silenced
    // What is written so far, handed to the stream (before a note goes to standard error).
    virtual void flush() = 0;
    virtual void finish() = 0;
};

// Every file's findings at once, through a ReportWriter.
void write_report(std::FILE *out, const std::vector<FileReport> &files,
                  const ReportOptions &options);

// A path as a SARIF artifact URI: relative paths stay relative (percent-encoded), absolute ones
// become file:// URIs.
std::string sarif_uri(const std::string &path);
// GitHub workflow-command escaping: of a message (`property` false) or a property value.
std::string github_escape(const std::string &text, bool property);

} // namespace mg::cli
