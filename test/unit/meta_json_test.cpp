// META.json follows the PGXN meta-spec 1.0.0 (https://pgxn.org/spec/) and agrees with the
// control file and the install script it describes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace {

std::string read_file(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

nlohmann::json meta() {
    return nlohmann::json::parse(read_file(std::string(MG_SOURCE_DIR) + "/META.json"));
}

std::string control_default_version() {
    const std::string control = read_file(std::string(MG_SOURCE_DIR) + "/migration_guard.control");
    std::smatch m;
    const std::regex version(R"(default_version\s*=\s*'([^']+)')");
    return std::regex_search(control, m, version) ? m[1].str() : "";
}

// Semantic version as the spec requires: major.minor.patch with an optional pre-release tag.
bool is_semver(const std::string &v) {
    return std::regex_match(v, std::regex(R"(\d+\.\d+\.\d+(-[A-Za-z0-9]+)?)"));
}

} // namespace

TEST(MetaJson, HasEveryRequiredKey) {
    const nlohmann::json m = meta();
    for (const char *key :
         {"name", "abstract", "maintainer", "license", "provides", "meta-spec", "version"})
        EXPECT_TRUE(m.contains(key)) << "missing required key " << key;
    EXPECT_EQ(m["meta-spec"]["version"], "1.0.0");
    EXPECT_TRUE(m["maintainer"].is_string() ||
                (m["maintainer"].is_array() && !m["maintainer"].empty()));
}

TEST(MetaJson, LicenseIsOneTheSpecNames) {
    static const std::set<std::string> licenses = {
        "agpl_3",      "apache_1_1", "apache_2_0",   "artistic_1",  "artistic_2",  "bsd",
        "freebsd",     "gfdl_1_2",   "gfdl_1_3",     "gpl_1",       "gpl_2",       "gpl_3",
        "lgpl_2_1",    "lgpl_3_0",   "mit",          "mozilla_1_0", "mozilla_1_1", "openssl",
        "perl_5",      "postgresql", "qpl_1_0",      "ssleay",      "sun",         "zlib",
        "open_source", "restricted", "unrestricted", "unknown"};
    const nlohmann::json m = meta();
    ASSERT_TRUE(m["license"].is_string());
    EXPECT_TRUE(licenses.count(m["license"].get<std::string>())) << m["license"];
}

TEST(MetaJson, VersionsAgreeWithTheControlFile) {
    const nlohmann::json m = meta();
    const std::string version = control_default_version();
    ASSERT_FALSE(version.empty());
    EXPECT_TRUE(is_semver(m["version"])) << m["version"];
    EXPECT_EQ(m["version"], version);
    ASSERT_TRUE(m["provides"].contains("migration_guard"));
    const nlohmann::json &ext = m["provides"]["migration_guard"];
    EXPECT_EQ(ext["version"], version);
    EXPECT_TRUE(ext.contains("abstract"));
    ASSERT_TRUE(ext.contains("file"));
    EXPECT_TRUE(
        std::filesystem::exists(std::string(MG_SOURCE_DIR) + "/" + ext["file"].get<std::string>()))
        << ext["file"];
    EXPECT_EQ(ext["file"], "migration_guard--" + version + ".sql");
}

TEST(MetaJson, ReleaseStatusIsOneTheSpecNames) {
    const nlohmann::json m = meta();
    if (m.contains("release_status")) {
        const std::string status = m["release_status"];
        EXPECT_TRUE(status == "stable" || status == "testing" || status == "unstable") << status;
    }
}
