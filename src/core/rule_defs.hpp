// Internal to the rule engine (rules.cpp, rule_defs.cpp): each rule's texts as templates, so a
// finding's message, DETAIL and HINT name the objects while the catalogue shows the same texts
// in general terms.
#pragma once

#include "core/rules.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace mg::rule_defs {

// Templates may use these placeholders; a finding fills in what it knows, and anything it leaves
// empty reads in general terms (the catalogue leaves everything empty):
//   {old}        the sentence about old and new code sharing the database during a deploy
//   {object}     the object, with its kind:  column "email" of table "public.users"
//   {o}          the object's name as SQL:   public.users
//   {table}      table "public.users"         {t}  public.users
//   {column}     column "email"               {c}  email
//   {new}        the new name, quoted         {n}  the new name as SQL
//   {type}       the new type: varchar(20)    {constraint}  check constraint "positive"
//   {what}       rule-specific: the functions of a volatile default, a referenced table...
//   {command}    the statement's command: ALTER TABLE
struct RuleDef {
    RuleInfo info;              // why / recipe in general terms (rendered once)
    const char *message;        // template, after "<rule-id>: "
    const char *why;            // template of DETAIL
    const char *recipe;         // template of HINT
    const char *generic_object; // {object} in general terms, e.g. "the table"
    const char *generic_what;   // {what} in general terms
};

const std::vector<RuleDef> &all();
// The rule with this id, or nullptr; a hash lookup (the engine looks a rule up per finding).
const RuleDef *find(std::string_view id);
const RuleDef *find(const char *id); // the same, faster for the engine's literal ids

// A rule text with its placeholders ({table}, {column}, {old} ...) filled in, written piece by
// piece to `sink`. `tmpl` is one of the catalogue's texts (a RuleDef's message, why or recipe):
// each is split into its pieces once, remembered by its address.
void write(const char *tmpl, const RuleDef &def, const Placeholders &values, TextSink &sink);

// The same, as one string.
std::string render(const char *tmpl, const RuleDef &def, const Placeholders &values);

// Whether two findings say the same: the same rule, and the same values in the placeholders its
// message uses. Without rendering either message; message_hash() agrees with it.
bool same_message(const Finding &a, const Finding &b);
size_t message_hash(const Finding &f);

} // namespace mg::rule_defs
