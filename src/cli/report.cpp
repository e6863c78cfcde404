#include "cli/report.hpp"

#include "core/rules.hpp"
#include "core/utf8.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstring>
#include <map>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
    // One write per finding, as for JSON: a report can be many times the size of the script.
    std::string buf;
    for (const FileReport &file : files) {
        for (const LintFinding &f : file.result.findings) {
            const bool error = f.severity == "error";
            (error ? errors : warnings)++;
            buf.clear();
            buf.append(bold).append(file.path).append(":").append(std::to_string(f.line));
            buf.append(":").append(std::to_string(f.column)).append(":").append(reset);
            buf.append(" ").append(error ? red : yellow).append(f.severity).append(":");
            buf.append(reset).append(" ").append(f.message).append("\n");
            if (!f.detail.empty())
                buf.append("    ")
                    .append(dim)
                    .append("why:")
                    .append(reset)
                    .append("  ")
                    .append(f.detail)
                    .append("\n");
            if (!f.hint.empty())
                buf.append("    ")
                    .append(dim)
                    .append("hint:")
                    .append(reset)
                    .append(" ")
                    .append(f.hint)
                    .append("\n");
            std::fwrite(buf.data(), 1, buf.size(), out);
        }
        suppressed += file.result.suppressed;
    }
    std::fprintf(out, "%d error%s, %d warning%s in %zu file%s", errors, errors == 1 ? "" : "s",
                 warnings, warnings == 1 ? "" : "s", files.size(), files.size() == 1 ? "" : "s");
    if (suppressed > 0)
        std::fprintf(out, " (%d suppressed)", suppressed);
    std::fprintf(out, "\n");
}

// Bytes that end a run of plain text: control characters, '"', '\\' and every non-ASCII byte
// (checked as UTF-8 below).
struct SpecialBytes {
    bool special[256];
    constexpr SpecialBytes() : special() {
        for (int c = 0; c < 256; c++)
            special[c] = c < 0x20 || c >= 0x80 || c == '"' || c == '\\';
    }
};
constexpr SpecialBytes kSpecial;

// The offset of the next special byte at or after `i` in s (a byte below 0x20, a byte with the
// high bit set, '"' or '\\'), or s.size(). Sixteen bytes at a time where SSE2 is there (every
// x86-64), eight elsewhere: findings are mostly plain text.
size_t next_special(const char *data, size_t i, size_t n) {
#if defined(__SSE2__)
    const __m128i space = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"'),
                  backslash = _mm_set1_epi8('\\');
    for (; i + 16 <= n; i += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(data + i));
        // A signed comparison: bytes from 0x80 up are negative, so below 0x20 too.
        const __m128i special =
            _mm_or_si128(_mm_cmplt_epi8(v, space),
                         _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
        const int mask = _mm_movemask_epi8(special);
        if (mask != 0)
            return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    }
#else
    constexpr uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    auto has_zero = [](uint64_t x) { return (x - ones) & ~x & highs; };
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        std::memcpy(&w, data + i, sizeof w);
        const uint64_t below_space = (w - ones * 0x20) & ~w & highs;
        if (((w & highs) | below_space | has_zero(w ^ (ones * '"')) |
             has_zero(w ^ (ones * '\\'))) != 0)
            break;
    }
#endif
    while (i < n && !kSpecial.special[static_cast<unsigned char>(data[i])])
        ++i;
    return i;
}

// JSON string escaping for the findings array, written straight to the output: a report of
// 100,000 findings must cost little next to the parse (nlohmann's DOM and serializer took
// longer than linting itself). Runs of plain text go out as they are, in one piece; well-formed
// UTF-8 is copied, anything else becomes U+FFFD, as in write_json().
void put_json_string(std::string &out, const std::string &s) {
    static const char hex[] = "0123456789abcdef";
    const char *data = s.data();
    const size_t n = s.size();
    out += '"';
    size_t run = 0; // start of the plain text not yet written
    for (size_t i = next_special(data, 0, n); i < n; i = next_special(data, i, n)) {
        const unsigned char c = static_cast<unsigned char>(data[i]);
        if (c >= 0x80) {
            const utf8::Char ch = utf8::decode(s, i);
            if (ch.valid) { // part of the run
                i += ch.length;
                continue;
            }
        }
        out.append(data + run, i - run);
        if (c >= 0x80) {
            out += "\xEF\xBF\xBD";
        } else {
            char escaped[7] = {'\\', static_cast<char>(c), 0, 0, 0, 0, 0};
            switch (c) {
            case '"':
            case '\\':
                break;
            case '\n':
                escaped[1] = 'n';
                break;
            case '\t':
                escaped[1] = 't';
                break;
            case '\r':
                escaped[1] = 'r';
                break;
            default:
                escaped[1] = 'u';
                escaped[2] = '0';
                escaped[3] = '0';
                escaped[4] = hex[c >> 4];
                escaped[5] = hex[c & 15];
            }
            out += escaped;
        }
        run = ++i;
    }
    out.append(data + run, n - run);
    out += '"';
}

// Each finding is formatted into one buffer and written with one call: the report is many
// times the size of the script, and stdio calls per piece cost more than formatting it.
void write_json_findings(std::FILE *out, const std::vector<FileReport> &files) {
    std::string buf;
    buf.reserve(4096);
    bool first = true;
    std::fputs("[", out);
    for (const FileReport &file : files)
        for (const LintFinding &f : file.result.findings) {
            buf.clear();
            buf += first ? "\n  {\"file\": " : ",\n  {\"file\": ";
            first = false;
            put_json_string(buf, file.path);
            buf += ", \"line\": ";
            buf += std::to_string(f.line);
            buf += ", \"column\": ";
            buf += std::to_string(f.column);
            buf += ", \"rule\": ";
            put_json_string(buf, f.rule);
            buf += ", \"severity\": ";
            put_json_string(buf, f.severity);
            buf += ", \"message\": ";
            put_json_string(buf, f.message);
            buf += ", \"detail\": ";
            put_json_string(buf, f.detail);
            buf += ", \"hint\": ";
            put_json_string(buf, f.hint);
            buf += '}';
            std::fwrite(buf.data(), 1, buf.size(), out);
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
