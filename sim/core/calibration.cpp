#include "core/calibration.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <set>

namespace civsim {
namespace {

bool name_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Recursive descent over
//   expression := term (('+' | '-') term)*
//   term       := factor (('*' | '/') factor)*
//   factor     := '-' factor | number | name | '(' expression ')'
// emitting reverse Polish notation.
template <class Token>
class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  std::vector<Token> parse() {
    skip();
    if (i_ == s_.size()) throw StatisticError(0, "empty statistic");
    expression();
    skip();
    if (i_ != s_.size())
      throw StatisticError(
          i_, "unexpected '" + std::string(1, s_[i_]) + "' at character " + std::to_string(i_ + 1));
    return std::move(out_);
  }

 private:
  std::string_view s_;
  std::size_t i_ = 0;
  std::vector<Token> out_;

  void emit(typename Token::Kind kind) {
    Token t;
    t.kind = kind;
    out_.push_back(std::move(t));
  }
  void skip() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool accept(char c) {
    skip();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void expression() {
    term();
    while (true) {
      if (accept('+')) {
        term();
        emit(Token::add);
      } else if (accept('-')) {
        term();
        emit(Token::subtract);
      } else {
        return;
      }
    }
  }
  void term() {
    factor();
    while (true) {
      if (accept('*')) {
        factor();
        emit(Token::multiply);
      } else if (accept('/')) {
        factor();
        emit(Token::divide);
      } else {
        return;
      }
    }
  }
  void factor() {
    skip();
    if (i_ == s_.size()) throw StatisticError(i_, "the statistic ends where a value is expected");
    if (accept('-')) {
      factor();
      emit(Token::negate);
      return;
    }
    if (accept('(')) {
      expression();
      if (!accept(')'))
        throw StatisticError(i_, "missing ')' at character " + std::to_string(i_ + 1));
      return;
    }
    const char c = s_[i_];
    if (name_start(c)) {
      const std::size_t begin = i_;
      while (i_ < s_.size() && name_char(s_[i_])) ++i_;
      Token t;
      t.kind = Token::scalar;
      t.name = std::string(s_.substr(begin, i_ - begin));
      out_.push_back(std::move(t));
      return;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      double v = 0;
      const auto [end, ec] = std::from_chars(s_.data() + i_, s_.data() + s_.size(), v);
      if (ec != std::errc() || !std::isfinite(v))
        throw StatisticError(i_, "bad number at character " + std::to_string(i_ + 1));
      i_ = static_cast<std::size_t>(end - s_.data());
      Token t;
      t.kind = Token::number;
      t.value = v;
      out_.push_back(t);
      return;
    }
    throw StatisticError(i_, "unexpected '" + std::string(1, c) + "' at character " +
                                 std::to_string(i_ + 1) +
                                 "; expected a scalar name, a number, '-' or '('");
  }
};

}  // namespace

Statistic Statistic::parse(std::string_view text) {
  Statistic s;
  s.text_ = std::string(text);
  s.program_ = Parser<Token>(text).parse();
  return s;
}

std::vector<std::string> Statistic::names() const {
  std::set<std::string> out;
  for (const auto& t : program_)
    if (t.kind == Token::scalar) out.insert(t.name);
  return {out.begin(), out.end()};
}

double Statistic::evaluate(const std::map<std::string, double>& scalars) const {
  std::vector<double> stack;
  for (const auto& t : program_) {
    if (t.kind == Token::number) {
      stack.push_back(t.value);
      continue;
    }
    if (t.kind == Token::scalar) {
      const auto it = scalars.find(t.name);
      if (it == scalars.end()) throw std::out_of_range("no scalar named '" + t.name + "'");
      stack.push_back(it->second);
      continue;
    }
    if (t.kind == Token::negate) {
      stack.back() = -stack.back();
      continue;
    }
    const double b = stack.back();
    stack.pop_back();
    double& a = stack.back();
    switch (t.kind) {
      case Token::add:
        a += b;
        break;
      case Token::subtract:
        a -= b;
        break;
      case Token::multiply:
        a *= b;
        break;
      case Token::divide:
        a /= b;
        break;
      default:
        break;
    }
  }
  return stack.empty() ? std::numeric_limits<double>::quiet_NaN() : stack.back();
}

double relative_error(double simulated, double target) {
  return (simulated - target) / target;
}

double calibration_distance(const std::vector<CalibrationTarget>& targets,
                            const std::vector<double>& simulated) {
  if (simulated.size() != targets.size())
    throw std::invalid_argument("calibration_distance: one simulated value per target");
  double d = 0;
  for (std::size_t k = 0; k < targets.size(); ++k) {
    const double e = relative_error(simulated[k], targets[k].value);
    if (!std::isfinite(e)) return std::numeric_limits<double>::infinity();
    d += targets[k].weight * e * e;
  }
  return d;
}

std::vector<double> simulate_targets(const std::vector<CalibrationTarget>& targets,
                                     const std::vector<std::map<std::string, double>>& runs,
                                     std::vector<std::vector<double>>* per_run) {
  std::vector<double> mean(targets.size(), 0.0);
  if (per_run) per_run->assign(runs.size(), std::vector<double>(targets.size()));
  if (runs.empty()) {
    std::fill(mean.begin(), mean.end(), std::numeric_limits<double>::quiet_NaN());
    return mean;
  }
  for (std::size_t r = 0; r < runs.size(); ++r)
    for (std::size_t k = 0; k < targets.size(); ++k) {
      const double v = targets[k].statistic.evaluate(runs[r]);
      mean[k] += v;
      if (per_run) (*per_run)[r][k] = v;
    }
  for (double& m : mean) m /= static_cast<double>(runs.size());
  return mean;
}

std::string describe_keys(const FreeParameter& p) {
  std::string out;
  for (std::size_t i = 0; i < p.keys.size(); ++i) {
    out += (out.empty() ? "" : ", ") + p.keys[i];
    if (i < p.factors.size() && p.factors[i] != 1.0) {
      char buffer[64];
      std::snprintf(buffer, sizeof buffer, " x%g", p.factors[i]);
      out += buffer;
    }
  }
  return out;
}

double round_significant(double x, int digits) {
  if (x == 0 || !std::isfinite(x)) return x;
  // Through decimal text, so the result is the double nearest to the rounded decimal (and
  // prints as it: 0.41, not 0.41000000000000003).
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*e", std::clamp(digits, 1, 17) - 1, x);
  return std::strtod(buffer, nullptr);
}

}  // namespace civsim
