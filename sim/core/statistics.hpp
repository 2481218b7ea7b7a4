#pragma once
// Summary statistics over replicates: mean, sample standard deviation and a Student-t confidence
// interval. NaN entries (e.g. a response-time quantile in a step without answers) are ignored and
// the count of the values used is reported, so an estimate always says what it rests on.
#include <cstddef>
#include <limits>
#include <span>

namespace civsim {

struct Estimate {
  static constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  double mean = nan;        // NaN without values
  double sd = nan;          // sample standard deviation (n - 1); NaN with fewer than 2 values
  double half_width = nan;  // of the confidence interval; NaN with fewer than 2 values
  std::size_t n = 0;        // values used (the non-NaN ones)

  double ci_low() const { return mean - half_width; }
  double ci_high() const { return mean + half_width; }
};

// The p-quantile of Student's t distribution with `dof` degrees of freedom (dof > 0, 0 < p < 1).
double student_t_quantile(double p, double dof);

// Mean, sample sd and the two-sided `level` confidence interval of the mean,
// mean ± t_{(1 + level) / 2, n - 1} · sd / √n, over the non-NaN values (summed in order, so the
// result depends only on the values and their order).
Estimate estimate(std::span<const double> values, double level = 0.95);

}  // namespace civsim
