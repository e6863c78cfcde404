// Every SQLSTATE migration_guard raises of its own obeys seed 003's rules, is no PostgreSQL
// built-in, and is one of the documented codes in core/error_codes.hpp. The codes are found
// where they are raised: ERRCODE = '.....' in the install scripts, mg::errcode constants in
// the C++ code.
#include "core/error_codes.hpp"
#include "core/sqlstate.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path &path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::set<std::string> documented_codes() {
    std::set<std::string> codes;
    for (const char *code : mg::errcode::kAll)
        codes.insert(code);
    return codes;
}

// ERRCODE = 'XXXXX' literals in every versioned install or upgrade script.
std::set<std::string> codes_in_install_scripts(int *scripts) {
    std::set<std::string> codes;
    const std::regex errcode(R"(ERRCODE\s*=\s*'([^']*)')", std::regex::icase);
    *scripts = 0;
    for (const auto &entry : fs::directory_iterator(MG_SOURCE_DIR)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("migration_guard--", 0) != 0 || entry.path().extension() != ".sql")
            continue;
        ++*scripts;
        const std::string text = read_file(entry.path());
        for (std::sregex_iterator it(text.begin(), text.end(), errcode), end; it != end; ++it)
            codes.insert((*it)[1].str());
    }
    return codes;
}

} // namespace

TEST(OwnSqlstates, EveryDocumentedCodeIsAValidCustomCode) {
    for (const char *code : mg::errcode::kAll) {
        EXPECT_TRUE(mg::is_valid_custom_sqlstate(code)) << code;
        EXPECT_EQ(mg::builtin_condition_name(code), nullptr) << code;
    }
    EXPECT_EQ(documented_codes().size(), std::size(mg::errcode::kAll)) << "duplicate codes";
}

TEST(OwnSqlstates, InstallScriptsRaiseOnlyDocumentedCodes) {
    int scripts = 0;
    const std::set<std::string> raised = codes_in_install_scripts(&scripts);
    ASSERT_GT(scripts, 0) << "no migration_guard--*.sql found in " << MG_SOURCE_DIR;
    ASSERT_FALSE(raised.empty());
    const std::set<std::string> documented = documented_codes();
    for (const std::string &code : raised) {
        EXPECT_TRUE(documented.count(code)) << code << " is raised but not in error_codes.hpp";
        EXPECT_TRUE(mg::is_valid_custom_sqlstate(code)) << code;
    }
}

TEST(OwnSqlstates, CppCodeRaisesOnlyNamedCodes) {
    // Codes reach ereport only through mg::errcode constants; a spelled-out "MG..." literal or a
    // MAKE_SQLSTATE('M', ...) outside error_codes.hpp would dodge this test.
    const std::regex literal(R"(\"MG[A-Z0-9]{3}\"|MAKE_SQLSTATE\('M')");
    int files = 0;
    for (const char *dir : {"src/core", "src/extension", "src/pgparse", "src/cli"}) {
        const fs::path root = fs::path(MG_SOURCE_DIR) / dir;
        if (!fs::exists(root))
            continue;
        for (const auto &entry : fs::recursive_directory_iterator(root)) {
            const std::string name = entry.path().filename().string();
            if (name == "error_codes.hpp" || !entry.is_regular_file())
                continue;
            const std::string ext = entry.path().extension().string();
            if (ext != ".cpp" && ext != ".hpp")
                continue;
            ++files;
            const std::string text = read_file(entry.path());
            EXPECT_FALSE(std::regex_search(text, literal))
                << entry.path() << " spells out a SQLSTATE; use mg::errcode";
        }
    }
    EXPECT_GT(files, 10);
}
