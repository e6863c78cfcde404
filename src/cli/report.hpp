// Reporters of lint findings: for people (file:line:col, colour on a terminal), for machines
// (JSON), for code-scanning UIs (SARIF 2.1.0) and for GitHub Actions (workflow commands).
#pragma once

#include "cli/lint.hpp"

#include <cstdio>
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

// Writes every file's findings to `out`; the human format ends with a one-line summary.
void write_report(std::FILE *out, const std::vector<FileReport> &files,
                  const ReportOptions &options);

// A path as a SARIF artifact URI: relative paths stay relative (percent-encoded), absolute ones
// become file:// URIs.
std::string sarif_uri(const std::string &path);
// GitHub workflow-command escaping: of a message (`property` false) or a property value.
std::string github_escape(const std::string &text, bool property);

} // namespace mg::cli
