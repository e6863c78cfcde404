#include "cli/report.hpp"

#include "core/rules.hpp"

#include <nlohmann/json.hpp>

#include <map>

#ifndef MG_VERSION
#error "MG_VERSION must be defined by the build (CMakeLists.txt does)"
#endif

namespace mg::cli {
namespace {

using nlohmann::json;

const char *severity_of(Action action) {
    return action == Action::Block ? "error" : action == Action::Warn ? "warning" : "none";
}

void write_json(std::FILE *out, const json &document) {
    // Scripts may hold bytes that are not UTF-8; they reach messages through object names.
    const std::string text = document.dump(2, ' ', false, json::error_handler_t::replace);
    std::fprintf(out, "%s\n", text.c_str());
}

void write_human(std::FILE *out, const std::vector<FileReport> &files, bool colour) {
    const char *bold = colour ? "\033[1m" : "";
    const char *red = colour ? "\033[1;31m" : "";
    const char *yellow = colour ? "\033[1;33m" : "";
    const char *dim = colour ? "\033[2m" : "";
    const char *reset = colour ? "\033[0m" : "";
    int errors = 0, warnings = 0, suppressed = 0;
    for (const FileReport &file : files) {
        for (const LintFinding &f : file.result.findings) {
            const bool error = f.severity == "error";
            (error ? errors : warnings)++;
            std::fprintf(out, "%s%s:%d:%d:%s %s%s:%s %s\n", bold, file.path.c_str(), f.line,
                         f.column, reset, error ? red : yellow, f.severity.c_str(), reset,
                         f.message.c_str());
            if (!f.detail.empty())
                std::fprintf(out, "    %swhy:%s  %s\n", dim, reset, f.detail.c_str());
            if (!f.hint.empty())
                std::fprintf(out, "    %shint:%s %s\n", dim, reset, f.hint.c_str());
        }
        suppressed += file.result.suppressed;
    }
    std::fprintf(out, "%d error%s, %d warning%s in %zu file%s", errors, errors == 1 ? "" : "s",
                 warnings, warnings == 1 ? "" : "s", files.size(), files.size() == 1 ? "" : "s");
    if (suppressed > 0)
        std::fprintf(out, " (%d suppressed)", suppressed);
    std::fprintf(out, "\n");
}

// JSON string escaping for the findings array, written straight to the output: a report of
// 100,000 findings must cost little next to the parse (nlohmann's DOM and serializer took
// longer than linting itself). Bytes that are not UTF-8 become U+FFFD, as in write_json().
void put_json_string(std::FILE *out, const std::string &s) {
    static const char hex[] = "0123456789abcdef";
    std::string buf;
    buf.reserve(s.size() + 2);
    buf += '"';
    const size_t n = s.size();
    for (size_t i = 0; i < n;) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            size_t j = i + 1; // the whole run of plain ASCII at once
            while (j < n) {
                const unsigned char d = static_cast<unsigned char>(s[j]);
                if (d < 0x20 || d >= 0x80 || d == '"' || d == '\\')
                    break;
                ++j;
            }
            buf.append(s, i, j - i);
            i = j;
        } else if (c < 0x80) {
            buf += '\\';
            switch (c) {
            case '"':
            case '\\':
                buf += static_cast<char>(c);
                break;
            case '\n':
                buf += 'n';
                break;
            case '\t':
                buf += 't';
                break;
            case '\r':
                buf += 'r';
                break;
            default:
                buf += "u00";
                buf += hex[c >> 4];
                buf += hex[c & 15];
            }
            ++i;
        } else {
            // A well-formed UTF-8 sequence is copied; anything else becomes U+FFFD.
            const size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
            bool ok = len > 0 && i + len <= n && c <= 0xF4;
            for (size_t k = 1; ok && k < len; ++k)
                ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
            if (ok && len == 3) { // no overlong forms, no surrogates
                const unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
                ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);
            } else if (ok && len == 4) {
                const unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
                ok = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
            }
            if (ok) {
                buf.append(s, i, len);
                i += len;
            } else {
                buf += "\xEF\xBF\xBD";
                ++i;
            }
        }
    }
    buf += '"';
    std::fwrite(buf.data(), 1, buf.size(), out);
}

void write_json_findings(std::FILE *out, const std::vector<FileReport> &files) {
    bool first = true;
    std::fputs("[", out);
    for (const FileReport &file : files)
        for (const LintFinding &f : file.result.findings) {
            std::fputs(first ? "\n  {\"file\": " : ",\n  {\"file\": ", out);
            first = false;
            put_json_string(out, file.path);
            std::fprintf(out, ", \"line\": %d, \"column\": %d, \"rule\": ", f.line, f.column);
            put_json_string(out, f.rule);
            std::fputs(", \"severity\": ", out);
            put_json_string(out, f.severity);
            std::fputs(", \"message\": ", out);
            put_json_string(out, f.message);
            std::fputs(", \"detail\": ", out);
            put_json_string(out, f.detail);
            std::fputs(", \"hint\": ", out);
            put_json_string(out, f.hint);
            std::fputs("}", out);
        }
    std::fputs(first ? "]\n" : "\n]\n", out);
}

void write_sarif(std::FILE *out, const std::vector<FileReport> &files) {
    json rules = json::array();
    std::map<std::string, int> rule_index;
    for (const RuleInfo &r : rule_catalogue()) {
        rule_index[r.id] = static_cast<int>(rules.size());
        rules.push_back({{"id", r.id},
                         {"name", r.id},
                         {"shortDescription", {{"text", r.summary}}},
                         {"fullDescription", {{"text", r.why}}},
                         {"help", {{"text", r.recipe}}},
                         {"defaultConfiguration", {{"level", severity_of(r.default_action)}}},
                         {"properties", {{"category", r.category}}}});
    }
    json results = json::array();
    for (const FileReport &file : files)
        for (const LintFinding &f : file.result.findings) {
            json result = {
                {"ruleId", f.rule},
                {"level", f.severity},
                {"message", {{"text", f.message + (f.hint.empty() ? "" : "\n" + f.hint)}}},
                {"locations",
                 json::array(
                     {{{"physicalLocation",
                        {{"artifactLocation", {{"uri", sarif_uri(file.path)}}},
                         {"region", {{"startLine", f.line}, {"startColumn", f.column}}}}}}})}};
            auto it = rule_index.find(f.rule);
            if (it != rule_index.end())
                result["ruleIndex"] = it->second;
            results.push_back(std::move(result));
        }
    json sarif = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                  {"version", "2.1.0"},
                  {"runs", json::array({{{"tool",
                                          {{"driver",
                                            {{"name", "migration-guard"},
                                             {"version", MG_VERSION},
                                             {"semanticVersion", MG_VERSION},
                                             {"rules", rules}}}}},
                                         {"columnKind", "unicodeCodePoints"},
                                         {"results", results}}})}};
    write_json(out, sarif);
}

void write_github(std::FILE *out, const std::vector<FileReport> &files) {
    for (const FileReport &file : files)
        for (const LintFinding &f : file.result.findings) {
            const std::string text = f.message + (f.hint.empty() ? "" : "\n" + f.hint);
            std::fprintf(out, "::%s file=%s,line=%d,col=%d,title=%s::%s\n", f.severity.c_str(),
                         github_escape(file.path, true).c_str(), f.line, f.column,
                         github_escape(f.rule, true).c_str(), github_escape(text, false).c_str());
        }
}

} // namespace

bool parse_format(const std::string &name, Format &out) {
    static const std::pair<const char *, Format> formats[] = {
        {"human", Format::Human},
        {"json", Format::Json},
        {"sarif", Format::Sarif},
        {"github", Format::Github},
    };
    for (const auto &f : formats)
        if (name == f.first) {
            out = f.second;
            return true;
        }
    return false;
}

void write_report(std::FILE *out, const std::vector<FileReport> &files,
                  const ReportOptions &options) {
    switch (options.format) {
    case Format::Human:
        return write_human(out, files, options.colour);
    case Format::Json:
        return write_json_findings(out, files);
    case Format::Sarif:
        return write_sarif(out, files);
    case Format::Github:
        return write_github(out, files);
    }
}

std::string sarif_uri(const std::string &path) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out = path.size() > 0 && path[0] == '/' ? "file://" : "";
    for (unsigned char c : path) {
        if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string github_escape(const std::string &text, bool property) {
    std::string out;
    for (char c : text) {
        switch (c) {
        case '%':
            out += "%25";
            break;
        case '\r':
            out += "%0D";
            break;
        case '\n':
            out += "%0A";
            break;
        case ':':
            out += property ? "%3A" : ":";
            break;
        case ',':
            out += property ? "%2C" : ",";
            break;
        default:
            out += c;
        }
    }
    return out;
}

} // namespace mg::cli
