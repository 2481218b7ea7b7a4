#pragma once
// Calibration of scenario parameters to target summary statistics (`civsim calibrate`,
// docs/calibration.md). The pieces that need no I/O: target statistics as small arithmetic
// expressions over a run's scalars ("total_likes / total_posts"), the distance between simulated
// and target values, and the free parameters with their bounds. The optimiser is
// core/nelder_mead.hpp; the targets file is read by io/targets_file, the command is
// app/calibrate_command.
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/nelder_mead.hpp"

namespace civsim {

// A malformed statistic; `position` is the 0-based character offset of the problem.
class StatisticError : public std::invalid_argument {
 public:
  StatisticError(std::size_t position, const std::string& message)
      : std::invalid_argument(message), position_(position) {}
  std::size_t position() const { return position_; }

 private:
  std::size_t position_;
};

// An arithmetic expression over a run's scalars: names (key outcomes and run-summary scalars,
// e.g. total_likes), numbers (1000, 2.5e-3), + - * /, unary minus and parentheses, with the usual
// precedence. "total_likes / total_posts" is likes per post.
class Statistic {
 public:
  Statistic() = default;
  // Throws StatisticError for an empty or malformed expression.
  static Statistic parse(std::string_view text);

  const std::string& text() const { return text_; }
  // The scalar names it uses, sorted, without duplicates.
  std::vector<std::string> names() const;
  // Its value with each name looked up in `scalars` (std::out_of_range for a missing name).
  // Division by zero follows IEEE arithmetic (inf or NaN).
  double evaluate(const std::map<std::string, double>& scalars) const;

 private:
  struct Token {
    enum Kind { number, scalar, add, subtract, multiply, divide, negate };
    Kind kind = number;
    double value = 0;
    std::string name;
  };
  std::string text_;
  std::vector<Token> program_;  // reverse Polish notation
};

struct CalibrationTarget {
  std::string name;
  Statistic statistic;
  double value = 0;        // the target (non-zero: errors are relative to it)
  double tolerance = 0.1;  // relative: |simulated / value - 1| <= tolerance counts as reproduced
  double weight = 1.0;     // in the distance
};

// A free parameter: one value written to one or more scenario keys (e.g. the like probability of
// every post type), searched within its bounds.
struct FreeParameter {
  std::string name;
  std::vector<std::string> keys;  // scenario key paths, as for --set
  // [key]: each key is set to the parameter's value times its factor (all 1 unless given), so
  // one parameter can keep several keys in a fixed ratio.
  std::vector<double> factors;
  ParameterBounds bounds;
  std::optional<double> start;  // unset: the scenario's value of the first key
};

// (simulated - target) / target.
double relative_error(double simulated, double target);

// The calibration distance: sum over targets of weight · relative_error². A NaN or infinite
// simulated value makes it +inf. `simulated` is in the order of `targets`.
double calibration_distance(const std::vector<CalibrationTarget>& targets,
                            const std::vector<double>& simulated);

// The simulated value of each target for one set of runs: each statistic is computed per run
// (replicate) from that run's scalars, then averaged over the runs. Returns [target] means and,
// in `per_run` when given, [run][target] values.
std::vector<double> simulate_targets(const std::vector<CalibrationTarget>& targets,
                                     const std::vector<std::map<std::string, double>>& runs,
                                     std::vector<std::vector<double>>* per_run = nullptr);

// "key" or "key x10": the keys of a parameter as shown in tables and logs.
std::string describe_keys(const FreeParameter& p);

// Rounds to `digits` significant decimal digits (for writing fitted values readably).
double round_significant(double x, int digits);

}  // namespace civsim
