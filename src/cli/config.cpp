#include "cli/config.hpp"

#include <nlohmann/json.hpp>

namespace mg::cli {

bool parse_action(const std::string &name, Action &out) {
    if (name == "block")
        out = Action::Block;
    else if (name == "warn")
        out = Action::Warn;
    else if (name == "off")
        out = Action::Off;
    else
        return false;
    return true;
}

bool parse_fail_on(const std::string &name, FailOn &out) {
    if (name == "error")
        out = FailOn::Error;
    else if (name == "warning")
        out = FailOn::Warning;
    else if (name == "never")
        out = FailOn::Never;
    else
        return false;
    return true;
}

namespace {

bool rule_list(const nlohmann::json &value, const char *key, std::vector<std::string> &out,
               std::string &error) {
    if (!value.is_array()) {
        error = std::string("\"") + key + "\" must be an array of rule names";
        return false;
    }
    for (const nlohmann::json &item : value) {
        if (!item.is_string() || find_rule(item.get<std::string>()) == nullptr) {
            error = std::string("\"") + key + "\": unknown rule " + item.dump();
            return false;
        }
        out.push_back(item.get<std::string>());
    }
    return true;
}

} // namespace

bool parse_config(const std::string &text, Config &out, std::string &error) {
    const nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded()) {
        error = "not valid JSON";
        return false;
    }
    if (!doc.is_object()) {
        error = "must be a JSON object";
        return false;
    }
    for (const auto &[key, value] : doc.items()) {
        if (key == "rule_actions") {
            if (!value.is_object()) {
                error = "\"rule_actions\" must be an object of rule: action";
                return false;
            }
            for (const auto &[rule, action] : value.items()) {
                Action a;
                if (find_rule(rule) == nullptr) {
                    error = "\"rule_actions\": unknown rule \"" + rule + "\"";
                    return false;
                }
                if (!action.is_string() || !parse_action(action.get<std::string>(), a)) {
                    error =
                        "\"rule_actions\": \"" + rule + "\" must be \"block\", \"warn\" or \"off\"";
                    return false;
                }
                out.rule_actions.push_back(RuleSetting{rule, a});
            }
        } else if (key == "exclude_rules") {
            if (!rule_list(value, "exclude_rules", out.exclude_rules, error))
                return false;
        } else if (key == "assume_in_transaction") {
            if (!value.is_boolean()) {
                error = "\"assume_in_transaction\" must be true or false";
                return false;
            }
            out.assume_in_transaction = value.get<bool>();
        } else if (key == "fail_on") {
            FailOn f;
            if (!value.is_string() || !parse_fail_on(value.get<std::string>(), f)) {
                error = "\"fail_on\" must be \"error\", \"warning\" or \"never\"";
                return false;
            }
            out.fail_on = f;
        } else {
            error = "unknown key \"" + key + "\"";
            return false;
        }
    }
    return true;
}

} // namespace mg::cli
