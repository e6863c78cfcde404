// The lint configuration file (JSON), e.g. .migration-guard.json:
//
//   {
//     "rule_actions": { "drop-default": "block", "truncate": "off" },
//     "exclude_rules": ["missing-lock-timeout"],
//     "assume_in_transaction": true,
//     "fail_on": "warning"
//   }
//
// Every key is optional; an unknown key, rule or action is an error (a typo must not silently
// turn a rule off).
#pragma once

#include "core/rules.hpp"

#include <optional>
#include <string>
#include <vector>

namespace mg::cli {

enum class FailOn { Error, Warning, Never };
bool parse_fail_on(const std::string &name, FailOn &out);

struct Config {
    std::vector<RuleSetting> rule_actions;
    std::vector<std::string> exclude_rules;
    std::optional<bool> assume_in_transaction;
    std::optional<FailOn> fail_on;
};

// Parses the file's text; false with `error` set (naming the key at fault).
bool parse_config(const std::string &text, Config &out, std::string &error);

bool parse_action(const std::string &name, Action &out); // block | warn | off

} // namespace mg::cli
