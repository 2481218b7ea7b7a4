#include "core/statistics.hpp"

#include <boost/math/distributions/students_t.hpp>
#include <cmath>
#include <stdexcept>

namespace civsim {

double student_t_quantile(double p, double dof) {
  if (!(dof > 0) || !(p > 0 && p < 1))
    throw std::invalid_argument("student_t_quantile: need dof > 0 and 0 < p < 1");
  return boost::math::quantile(boost::math::students_t_distribution<double>(dof), p);
}

Estimate estimate(std::span<const double> values, double level) {
  if (!(level > 0 && level < 1)) throw std::invalid_argument("estimate: level must be in (0, 1)");
  Estimate e;
  double sum = 0;
  for (const double x : values) {
    if (std::isnan(x)) continue;
    sum += x;
    ++e.n;
  }
  if (e.n == 0) return e;
  const auto n = static_cast<double>(e.n);
  e.mean = sum / n;
  if (e.n < 2) return e;
  double squares = 0;
  for (const double x : values)
    if (!std::isnan(x)) squares += (x - e.mean) * (x - e.mean);
  e.sd = std::sqrt(squares / (n - 1));
  e.half_width = student_t_quantile(0.5 + level / 2, n - 1) * e.sd / std::sqrt(n);
  return e;
}

}  // namespace civsim
