// Whether a statement is CREATE [OR REPLACE] RULE, told from its first tokens: the one statement
// whose parentheses may hold semicolons (between a rule's actions). The statement splitters of
// lint() (src/extension/lint.cpp, the server's lexer) and of the CLI (src/cli/scan.cpp,
// libpg_query's) feed it a statement's tokens, each mapped to the few it tells apart, so that
// both split a script that does not parse in the same places.
#pragma once

namespace mg {

class RuleStart {
  public:
    enum Token { kCreate, kOr, kReplace, kRule, kOther };

    void next(Token token) {
        switch (state_) {
        case State::kStart:
            state_ = token == kCreate ? State::kCreate : State::kNotRule;
            break;
        case State::kCreate:
            state_ = token == kOr ? State::kOr : token == kRule ? State::kRule : State::kNotRule;
            break;
        case State::kOr:
            state_ = token == kReplace ? State::kReplace : State::kNotRule;
            break;
        case State::kReplace:
            state_ = token == kRule ? State::kRule : State::kNotRule;
            break;
        case State::kRule:
        case State::kNotRule:
            break;
        }
    }
    bool is_rule() const { return state_ == State::kRule; }

  private:
    enum class State { kStart, kCreate, kOr, kReplace, kRule, kNotRule };
    State state_ = State::kStart;
};

} // namespace mg
