#include "cli/verify.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace mg::cli {
namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

std::string strip_sql(const std::string &name) {
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".sql") == 0)
        return name.substr(0, name.size() - 4);
    return {};
}

// Flyway: V<version>__<description>; version digits separated by "." or single "_".
std::optional<std::string> flyway_version(const std::string &stem) {
    if (stem.size() < 2 || (stem[0] != 'V' && stem[0] != 'v') || !is_digit(stem[1]))
        return std::nullopt;
    const size_t sep = stem.find("__");
    std::string raw = stem.substr(1, sep == std::string::npos ? std::string::npos : sep - 1);
    std::string version;
    for (char c : raw) {
        if (is_digit(c))
            version += c;
        else if ((c == '.' || c == '_') && !version.empty() && version.back() != '.')
            version += '.';
        else
            return std::nullopt;
    }
    if (version.empty() || version.back() == '.')
        return std::nullopt;
    return version;
}

// <digits>[.<digits>...] then end, "_", "-" or "." followed by a non-digit.
std::optional<std::string> numeric_version(const std::string &stem) {
    size_t i = 0;
    while (i < stem.size() && is_digit(stem[i]))
        ++i;
    if (i == 0)
        return std::nullopt;
    while (i + 1 < stem.size() && stem[i] == '.' && is_digit(stem[i + 1])) {
        ++i;
        while (i < stem.size() && is_digit(stem[i]))
            ++i;
    }
    if (i == stem.size() || stem[i] == '_' || stem[i] == '-' || stem[i] == '.')
        return stem.substr(0, i);
    return std::nullopt;
}

// Splits into numeric components; anything else compares as text.
std::vector<std::string> components(const std::string &v) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : v) {
        if (c == '.' || c == '_') {
            out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    out.push_back(cur);
    return out;
}

int compare_component(const std::string &a, const std::string &b) {
    const bool numeric = !a.empty() && !b.empty() && std::all_of(a.begin(), a.end(), is_digit) &&
                         std::all_of(b.begin(), b.end(), is_digit);
    if (!numeric)
        return a.compare(b);
    const size_t za = std::min(a.find_first_not_of('0'), a.size());
    const size_t zb = std::min(b.find_first_not_of('0'), b.size());
    const std::string ta = a.substr(za), tb = b.substr(zb);
    if (ta.size() != tb.size())
        return ta.size() < tb.size() ? -1 : 1;
    return ta.compare(tb);
}

} // namespace

std::optional<std::string> version_from_filename(const std::string &filename) {
    const std::string stem = strip_sql(filename.substr(filename.find_last_of('/') + 1));
    if (stem.empty())
        return std::nullopt;
    if (auto v = flyway_version(stem))
        return v;
    return numeric_version(stem);
}

int compare_versions(const std::string &a, const std::string &b) {
    const std::vector<std::string> ca = components(a), cb = components(b);
    for (size_t i = 0; i < std::max(ca.size(), cb.size()); ++i) {
        const std::string x = i < ca.size() ? ca[i] : "0", y = i < cb.size() ? cb[i] : "0";
        const int c = compare_component(x, y);
        if (c != 0)
            return c < 0 ? -1 : 1;
    }
    return 0;
}

const char *status_name(VerifyStatus s) {
    switch (s) {
    case VerifyStatus::Applied:
        return "applied";
    case VerifyStatus::Changed:
        return "changed";
    case VerifyStatus::Missing:
        return "missing";
    case VerifyStatus::Pending:
        return "pending";
    case VerifyStatus::OutOfOrder:
        return "out-of-order";
    case VerifyStatus::Interrupted:
        return "interrupted";
    case VerifyStatus::Duplicate:
        return "duplicate";
    }
    return "";
}

bool is_problem(VerifyStatus s, bool pending_is_problem) {
    return s != VerifyStatus::Applied && (s != VerifyStatus::Pending || pending_is_problem);
}

std::vector<VerifyRow> reconcile(const std::vector<DiskMigration> &disk,
                                 const std::vector<LedgerEntry> &ledger) {
    struct ByVersion {
        bool operator()(const std::string &a, const std::string &b) const {
            const int c = compare_versions(a, b);
            return c != 0 ? c < 0 : a < b; // "1" and "001" stay distinct keys
        }
    };
    // Per version: the entry that counts as applied (newest succeeded or repaired, as the
    // extension's _applied_entry) and the newest entry of any status.
    std::map<std::string, const LedgerEntry *, ByVersion> applied, newest;
    std::string highest_applied;
    for (const LedgerEntry &e : ledger) {
        newest[e.version] = &e;
        if (e.status == "succeeded" || e.status == "repaired") {
            applied[e.version] = &e;
            if (highest_applied.empty() || compare_versions(e.version, highest_applied) > 0)
                highest_applied = e.version;
        }
    }
    std::map<std::string, std::vector<const DiskMigration *>, ByVersion> files;
    for (const DiskMigration &d : disk)
        files[d.version].push_back(&d);

    std::map<std::string, VerifyRow, ByVersion> rows;
    for (const auto &[version, list] : files) {
        VerifyRow row;
        row.version = version;
        row.path = list[0]->path;
        row.file_hash = list[0]->script_hash;
        if (list.size() > 1) {
            row.status = VerifyStatus::Duplicate;
            row.note = "several files declare this version:";
            for (const DiskMigration *d : list)
                row.note += " " + d->path;
            rows[version] = row;
            continue;
        }
        auto a = applied.find(version);
        if (a != applied.end()) {
            const LedgerEntry &e = *a->second;
            row.migration_id = e.migration_id;
            row.ledger_hash = e.script_hash;
            if (e.script_hash) {
                row.status = *e.script_hash == list[0]->script_hash ? VerifyStatus::Applied
                                                                    : VerifyStatus::Changed;
                if (row.status == VerifyStatus::Changed)
                    row.note = "the file changed since it was applied (migration_id " +
                               std::to_string(e.migration_id) + ")";
            } else if (e.tool_checksum && list[0]->graphile_hash) {
                row.ledger_hash = e.tool_checksum;
                row.file_hash = list[0]->graphile_hash;
                row.status = *e.tool_checksum == *list[0]->graphile_hash ? VerifyStatus::Applied
                                                                         : VerifyStatus::Changed;
            } else {
                row.status = VerifyStatus::Applied;
                row.note = "the ledger recorded no hash: the file's content was not compared";
            }
        } else {
            auto n = newest.find(version);
            if (n != newest.end() && n->second->status == "interrupted") {
                row.status = VerifyStatus::Interrupted;
                row.migration_id = n->second->migration_id;
                row.note = "interrupted: decide with migration_guard.resolve_interrupted()";
            } else if (!highest_applied.empty() && compare_versions(version, highest_applied) < 0) {
                row.status = VerifyStatus::OutOfOrder;
                row.note = "not applied, but version " + highest_applied + " after it is";
            } else {
                row.status = VerifyStatus::Pending;
            }
            if (n != newest.end() && n->second->status == "failed")
                row.note += std::string(row.note.empty() ? "" : "; ") + "its last attempt failed";
        }
        rows[version] = row;
    }
    for (const auto &[version, e] : applied) {
        if (files.count(version))
            continue;
        VerifyRow row;
        row.version = version;
        row.status = VerifyStatus::Missing;
        row.ledger_hash = e->script_hash;
        row.migration_id = e->migration_id;
        row.note = "applied (migration_id " + std::to_string(e->migration_id) +
                   (e->finished_at.empty() ? "" : ", " + e->finished_at) + ") but no file has it";
        rows[version] = row;
    }
    for (const auto &[version, e] : newest) {
        if (files.count(version) || applied.count(version) || e->status != "interrupted")
            continue;
        VerifyRow row;
        row.version = version;
        row.status = VerifyStatus::Interrupted;
        row.migration_id = e->migration_id;
        row.note = "interrupted and no file has it: decide with resolve_interrupted()";
        rows[version] = row;
    }
    std::vector<VerifyRow> out;
    for (auto &[version, row] : rows)
        out.push_back(std::move(row));
    return out;
}

} // namespace mg::cli
