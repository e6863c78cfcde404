#include "cli/report.hpp"

#include "core/rules.hpp"
#include "core/utf8.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string_view>
#include <utility>

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

// The report's bytes, handed to the stream in blocks of 64 kB: a report can be many times the
// size of the script, and a stdio call or a string append per piece costs more than the piece.
// Writers ask for room (room()), write into it and say where they stopped (advance()).
class OutBuffer {
  public:
    // `out` nullptr: the bytes stay in the buffer (take()); it grows instead of being flushed.
    explicit OutBuffer(std::FILE *out) : out_(out), data_(new char[kBlock]), capacity_(kBlock) {}
    OutBuffer(const OutBuffer &) = delete;
    OutBuffer &operator=(const OutBuffer &) = delete;
    ~OutBuffer() { flush(); }

    // Space for at least n more bytes, at the end of what is written so far.
    char *room(size_t n) {
        if (capacity_ - size_ < n) {
            if (out_ != nullptr)
                flush();
            if (capacity_ - size_ < n) {
                const size_t capacity = std::max(size_ + n, 2 * capacity_);
                std::unique_ptr<char[]> grown(new char[capacity]);
                std::memcpy(grown.get(), data_.get(), size_);
                data_ = std::move(grown);
                capacity_ = capacity;
            }
        }
        return data_.get() + size_;
    }
    void advance(char *end) { size_ = static_cast<size_t>(end - data_.get()); }

    void put(std::string_view text) {
        char *p = room(text.size());
        if (!text.empty())
            std::memcpy(p, text.data(), text.size());
        size_ += text.size();
    }
    void put(char c) { *room(1) = c, ++size_; }
    void put(int number) {
        char *p = room(12);
        advance(std::to_chars(p, p + 12, number).ptr);
    }

    void flush() {
        if (size_ > 0 && out_ != nullptr)
            std::fwrite(data_.get(), 1, size_, out_);
        size_ = 0;
    }
    // What was written so far, taken out (a buffer made without a stream).
    std::string take() {
        std::string text(data_.get(), size_);
        size_ = 0;
        return text;
    }

  private:
    static constexpr size_t kBlock = 64 * 1024;
    std::FILE *out_;
    std::unique_ptr<char[]> data_;
    size_t capacity_;
    size_t size_ = 0;
};

// Writes a finding's text as it is (the human report), after `prefix` if it is not empty.
class HumanSink final : public TextSink {
  public:
    HumanSink(OutBuffer &out, std::string_view prefix = {}) : out_(out), prefix_(prefix) {}
    void append(std::string_view text, bool) override {
        if (text.empty())
            return;
        if (!written_)
            out_.put(prefix_);
        written_ = true;
        out_.put(text);
    }
    bool written() const { return written_; }

  private:
    OutBuffer &out_;
    std::string_view prefix_;
    bool written_ = false;
};

// The report's parts, written as the findings come (ReportWriter::make() picks the format).
class Writer : public ReportWriter {
  public:
    explicit Writer(std::FILE *out) : buf_(out) {}
    void end_file(int suppressed) override { suppressed_ += suppressed; }
    void flush() override { buf_.flush(); }
    void finish() override {
        close();
        buf_.flush();
    }

  protected:
    virtual void close() = 0; // the report's end, into buf_

    OutBuffer buf_;
    int suppressed_ = 0;
};

class HumanWriter final : public Writer {
  public:
    HumanWriter(std::FILE *out, bool colour)
        : Writer(out), bold_(colour ? "\033[1m" : ""), red_(colour ? "\033[1;31m" : ""),
          yellow_(colour ? "\033[1;33m" : ""), reset_(colour ? "\033[0m" : "") {
        // "    why:  DETAIL" and "    hint: HINT", each on a line of its own when not empty.
        const std::string dim = colour ? "\033[2m" : "";
        why_ = "    " + dim + "why:" + std::string(reset_) + "  ";
        hint_ = "    " + dim + "hint:" + std::string(reset_) + " ";
    }

    void begin_file(const std::string &path) override {
        path_ = path;
        ++files_;
    }

    void add(const LintFinding &f) override {
        const bool error = f.severity() == "error";
        (error ? errors_ : warnings_)++;
        buf_.put(bold_);
        buf_.put(path_);
        buf_.put(':');
        buf_.put(f.line);
        buf_.put(':');
        buf_.put(f.column);
        buf_.put(':');
        buf_.put(reset_);
        buf_.put(' ');
        buf_.put(error ? red_ : yellow_);
        buf_.put(f.severity());
        buf_.put(':');
        buf_.put(reset_);
        buf_.put(' ');
        HumanSink message(buf_);
        f.finding.write(FindingText::Message, message);
        buf_.put('\n');
        for (const auto &[text, prefix] : {std::pair{FindingText::Detail, std::string_view(why_)},
                                           std::pair{FindingText::Hint, std::string_view(hint_)}}) {
            HumanSink labelled(buf_, prefix);
            f.finding.write(text, labelled);
            if (labelled.written())
                buf_.put('\n');
        }
    }

  private:
    // "N errors, N warnings in N files", and how many findings were suppressed.
    void close() override {
        auto count = [&](int n, std::string_view noun) {
            buf_.put(n);
            buf_.put(' ');
            buf_.put(noun);
            if (n != 1)
                buf_.put('s');
        };
        count(errors_, "error");
        buf_.put(", ");
        count(warnings_, "warning");
        buf_.put(" in ");
        count(files_, "file");
        if (suppressed_ > 0) {
            buf_.put(" (");
            buf_.put(suppressed_);
            buf_.put(" suppressed)");
        }
        buf_.put('\n');
    }

    const std::string_view bold_, red_, yellow_, reset_;
    std::string why_, hint_;
    std::string path_;
    int errors_ = 0, warnings_ = 0, files_ = 0;
};

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
// UTF-8 is copied, anything else becomes U+FFFD, as in write_json(). Without the quotes.
void put_json_chars(OutBuffer &out, std::string_view s) {
    static const char hex[] = "0123456789abcdef";
    const char *data = s.data();
    const size_t n = s.size();
    char *p = out.room(6 * n); // at most six bytes for each byte of `s` ("\u001f")
    size_t start = 0;
    if (n < 16) {
        // Short texts (names, mostly) byte by byte, copied as they are scanned; the quotes
        // around names are what they usually need escaped.
        for (; start < n; ++start) {
            const char c = data[start];
            if (!kSpecial.special[static_cast<unsigned char>(c)]) {
                *p++ = c;
            } else if (c == '"' || c == '\\') {
                *p++ = '\\';
                *p++ = c;
            } else {
                break; // the general loop below
            }
        }
    }
    size_t run = start; // start of the plain text not yet written
    auto flush = [&](size_t end) {
        std::memcpy(p, data + run, end - run);
        p += end - run;
    };
    for (size_t i = next_special(data, start, n); i < n; i = next_special(data, i, n)) {
        const unsigned char c = static_cast<unsigned char>(data[i]);
        if (c >= 0x80) {
            const utf8::Char ch = utf8::decode(s, i);
            if (ch.valid) { // part of the run
                i += ch.length;
                continue;
            }
        }
        flush(i);
        if (c >= 0x80) {
            std::memcpy(p, "\xEF\xBF\xBD", 3);
            p += 3;
        } else {
            *p++ = '\\';
            switch (c) {
            case '"':
            case '\\':
                *p++ = static_cast<char>(c);
                break;
            case '\n':
                *p++ = 'n';
                break;
            case '\t':
                *p++ = 't';
                break;
            case '\r':
                *p++ = 'r';
                break;
            default:
                *p++ = 'u';
                *p++ = '0';
                *p++ = '0';
                *p++ = hex[c >> 4];
                *p++ = hex[c & 15];
            }
        }
        run = ++i;
    }
    if (run < n)
        flush(n);
    out.advance(p);
}

void put_json_string(OutBuffer &out, std::string_view s) {
    out.put('"');
    put_json_chars(out, s);
    out.put('"');
}

// A finding's text into a JSON string: the catalogue's plain words are copied, the rest escaped.
class JsonSink final : public TextSink {
  public:
    explicit JsonSink(OutBuffer &out) : out_(out) {}
    void append(std::string_view text, bool plain) override {
        if (plain)
            out_.put(text);
        else
            put_json_chars(out_, text);
    }

  private:
    OutBuffer &out_;
};

// The findings array, the texts rendered straight into the output, escaped as they go.
class JsonWriter final : public Writer {
  public:
    explicit JsonWriter(std::FILE *out) : Writer(out), sink_(buf_) { buf_.put('['); }

    void begin_file(const std::string &path) override {
        OutBuffer escaped(nullptr); // escaped once per file
        put_json_string(escaped, path);
        path_ = escaped.take();
    }

    void add(const LintFinding &f) override {
        buf_.put(first_ ? "\n  {\"file\": " : ",\n  {\"file\": ");
        first_ = false;
        buf_.put(path_);
        buf_.put(", \"line\": ");
        buf_.put(f.line);
        buf_.put(", \"column\": ");
        buf_.put(f.column);
        buf_.put(", \"rule\": \""); // rule ids and severities are kebab-case words
        buf_.put(f.rule());
        buf_.put("\", \"severity\": \"");
        buf_.put(f.severity());
        buf_.put('"');
        text(", \"message\": ", f.finding, FindingText::Message);
        text(", \"detail\": ", f.finding, FindingText::Detail);
        text(", \"hint\": ", f.finding, FindingText::Hint);
        buf_.put('}');
    }

  private:
    void text(std::string_view key, const Finding &f, FindingText which) {
        buf_.put(key);
        buf_.put('"');
        f.write(which, sink_);
        buf_.put('"');
    }
    void close() override { buf_.put(first_ ? "]\n" : "\n]\n"); }

    JsonSink sink_;
    std::string path_;
    bool first_ = true;
};

// SARIF and GitHub annotations have one text: the message, and the hint on a line of its own.
std::string message_and_hint(const LintFinding &f) {
    const std::string hint = f.hint();
    return f.message() + (hint.empty() ? "" : "\n" + hint);
}

class SarifWriter final : public Writer {
  public:
    explicit SarifWriter(std::FILE *out) : Writer(out) {
        for (const RuleInfo &r : rule_catalogue())
            rule_index_.emplace(r.id, static_cast<int>(rule_index_.size()));
    }

    void begin_file(const std::string &path) override { uri_ = sarif_uri(path); }

    void add(const LintFinding &f) override {
        json result = {
            {"ruleId", f.rule()},
            {"level", f.severity()},
            {"message", {{"text", message_and_hint(f)}}},
            {"locations",
             json::array({{{"physicalLocation",
                            {{"artifactLocation", {{"uri", uri_}}},
                             {"region", {{"startLine", f.line}, {"startColumn", f.column}}}}}}})}};
        if (auto it = rule_index_.find(f.rule()); it != rule_index_.end())
            result["ruleIndex"] = it->second;
        results_.push_back(std::move(result));
    }

  private:
    void close() override {
        json rules = json::array();
        for (const RuleInfo &r : rule_catalogue())
            rules.push_back({{"id", r.id},
                             {"name", r.id},
                             {"shortDescription", {{"text", r.summary}}},
                             {"fullDescription", {{"text", r.why}}},
                             {"help", {{"text", r.recipe}}},
                             {"defaultConfiguration", {{"level", severity_of(r.default_action)}}},
                             {"properties", {{"category", r.category}}}});
        const json sarif = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                            {"version", "2.1.0"},
                            {"runs", json::array({{{"tool",
                                                    {{"driver",
                                                      {{"name", "migration-guard"},
                                                       {"version", MG_VERSION},
                                                       {"semanticVersion", MG_VERSION},
                                                       {"rules", rules}}}}},
                                                   {"columnKind", "unicodeCodePoints"},
                                                   {"results", std::move(results_)}}})}};
        // Scripts may hold bytes that are not UTF-8; they reach messages through object names.
        buf_.put(sarif.dump(2, ' ', false, json::error_handler_t::replace));
        buf_.put('\n');
    }

    std::map<std::string, int, std::less<>> rule_index_; // in the catalogue's order
    std::string uri_;
    json results_ = json::array();
};

class GithubWriter final : public Writer {
  public:
    using Writer::Writer;

    void begin_file(const std::string &path) override { path_ = github_escape(path, true); }

    void add(const LintFinding &f) override {
        buf_.put("::");
        buf_.put(f.severity());
        buf_.put(" file=");
        buf_.put(path_);
        buf_.put(",line=");
        buf_.put(f.line);
        buf_.put(",col=");
        buf_.put(f.column);
        buf_.put(",title=");
        buf_.put(github_escape(std::string(f.rule()), true));
        buf_.put("::");
        buf_.put(github_escape(message_and_hint(f), false));
        buf_.put('\n');
    }

  private:
    void close() override {}

    std::string path_;
};

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

ReportWriter::~ReportWriter() = default;

std::unique_ptr<ReportWriter> ReportWriter::make(std::FILE *out, const ReportOptions &options) {
    switch (options.format) {
    case Format::Human:
        return std::make_unique<HumanWriter>(out, options.colour);
    case Format::Json:
        return std::make_unique<JsonWriter>(out);
    case Format::Sarif:
        return std::make_unique<SarifWriter>(out);
    case Format::Github:
        return std::make_unique<GithubWriter>(out);
    }
    return nullptr;
}

void write_report(std::FILE *out, const std::vector<FileReport> &files,
                  const ReportOptions &options) {
    const std::unique_ptr<ReportWriter> writer = ReportWriter::make(out, options);
    for (const FileReport &file : files) {
        writer->begin_file(file.path);
        for (const LintFinding &f : file.result.findings)
            writer->add(f);
        writer->end_file(file.result.suppressed);
    }
    writer->finish();
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
