// verify's pure parts: versions from file names, their order, and the reconciliation of a
// directory with the ledger.
#include "cli/verify.hpp"

#include <gtest/gtest.h>

namespace {

using mg::cli::compare_versions;
using mg::cli::version_from_filename;

TEST(CliVerify, VersionsFromFileNames) {
    EXPECT_EQ(version_from_filename("V1__init.sql"), "1");
    EXPECT_EQ(version_from_filename("db/migration/V2_1__add.sql"), "2.1");
    EXPECT_EQ(version_from_filename("V3.4.5__x.sql"), "3.4.5");
    EXPECT_EQ(version_from_filename("R__views.sql"), std::nullopt);
    EXPECT_EQ(version_from_filename("U1__undo.sql"), std::nullopt);
    EXPECT_EQ(version_from_filename("001_create.sql"), "001");
    EXPECT_EQ(version_from_filename("20240101120000-add-index.sql"), "20240101120000");
    EXPECT_EQ(version_from_filename("migrations/committed/000001.sql"), "000001");
    EXPECT_EQ(version_from_filename("000002-name.sql"), "000002");
    EXPECT_EQ(version_from_filename("1.2_x.sql"), "1.2");
    EXPECT_EQ(version_from_filename("notes.sql"), std::nullopt);
    EXPECT_EQ(version_from_filename("001_create.txt"), std::nullopt);
    EXPECT_EQ(version_from_filename("12abc.sql"), std::nullopt);
    EXPECT_EQ(version_from_filename("v9/readme.sql"), std::nullopt);
}

TEST(CliVerify, VersionOrder) {
    EXPECT_LT(compare_versions("2", "10"), 0);
    EXPECT_LT(compare_versions("1.2", "1.10"), 0);
    EXPECT_EQ(compare_versions("001", "1"), 0);
    EXPECT_EQ(compare_versions("1", "1.0"), 0);
    EXPECT_GT(compare_versions("0003.5", "003"), 0);
    EXPECT_LT(compare_versions("0003.5", "004"), 0);
    EXPECT_LT(compare_versions("a", "b"), 0);
}

mg::cli::LedgerEntry entry(long long id, const char *version, const char *status,
                           std::optional<std::string> hash,
                           std::optional<std::string> checksum = std::nullopt) {
    return mg::cli::LedgerEntry{id, version, status, std::move(hash), std::move(checksum), ""};
}

std::string summary(const std::vector<mg::cli::VerifyRow> &rows) {
    std::string out;
    for (const auto &r : rows)
        out += r.version + "=" + mg::cli::status_name(r.status) + " ";
    return out;
}

TEST(CliVerify, Reconcile) {
    const std::vector<mg::cli::DiskMigration> disk = {
        {"1", "1_a.sql", "h1", std::nullopt},   {"2", "2_b.sql", "h2-edited", std::nullopt},
        {"3", "3_c.sql", "h3", std::nullopt},   {"5", "5_e.sql", "h5", std::nullopt},
        {"6", "6_f.sql", "h6", "sha1:g6"},      {"7", "7_g.sql", "h7", std::nullopt},
        {"8", "8_h.sql", "h8", std::nullopt},   {"8", "08_h.sql", "h8", std::nullopt},
        {"10", "10_j.sql", "h10", std::nullopt}};
    const std::vector<mg::cli::LedgerEntry> ledger = {
        entry(1, "1", "succeeded", "h1"),
        entry(2, "2", "succeeded", "h2"),
        entry(3, "3", "failed", "h3"),
        entry(4, "4", "succeeded", "h4"),
        entry(5, "5", "interrupted", "h5"),
        entry(6, "6", "succeeded", std::nullopt, "sha1:g6"),
        entry(7, "7", "succeeded", std::nullopt),
        entry(8, "9", "succeeded", "h9"),
        entry(9, "2", "succeeded", "h2-edited"), // a repair accepted the edit
    };
    const auto rows = mg::cli::reconcile(disk, ledger);
    EXPECT_EQ(summary(rows), "1=applied 2=applied 3=out-of-order 4=missing 5=interrupted "
                             "6=applied 7=applied 8=duplicate 9=missing 10=pending ");
    EXPECT_EQ(rows[1].migration_id, 9);
    EXPECT_NE(rows[2].note.find("last attempt failed"), std::string::npos);
    EXPECT_EQ(rows[5].ledger_hash, "sha1:g6"); // compared through graphile's checksum
    EXPECT_NE(rows[6].note.find("no hash"), std::string::npos);
    EXPECT_TRUE(mg::cli::is_problem(mg::cli::VerifyStatus::Pending, true));
    EXPECT_FALSE(mg::cli::is_problem(mg::cli::VerifyStatus::Pending, false));
    EXPECT_FALSE(mg::cli::is_problem(mg::cli::VerifyStatus::Applied, true));

    const auto changed = mg::cli::reconcile({{"1", "1.sql", "new", std::nullopt}},
                                            {entry(1, "1", "succeeded", "old")});
    EXPECT_EQ(summary(changed), "1=changed ");
}

} // namespace
