#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <vector>

#include "core/statistics.hpp"

using namespace civsim;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

TEST_CASE("Student t quantiles match 16-digit references for small samples", "[statistics]") {
  // Two-sided 95%: the 0.975 quantile. References to 16 digits from the closed-form CDFs (odd
  // dof: F(t) = 1/2 + (θ + sinθ cosθ (1 + 2/3 cos²θ + ...)) / π with θ = atan(t / √ν); dof 1:
  // cot(0.025π); dof 2: 0.95 / √0.04875; dof 29: the incomplete beta function), solved with
  // 40-digit arithmetic. (Some widely used implementations are off from the 10th digit.)
  CHECK(student_t_quantile(0.975, 1) == Approx(12.706204736174705).epsilon(1e-14));
  CHECK(student_t_quantile(0.975, 2) == Approx(4.302652729749464).epsilon(1e-14));
  CHECK(student_t_quantile(0.975, 3) == Approx(3.1824463052837096).epsilon(1e-14));
  CHECK(student_t_quantile(0.975, 4) == Approx(2.7764451051977944).epsilon(1e-14));
  CHECK(student_t_quantile(0.975, 5) == Approx(2.5705818356363155).epsilon(1e-14));
  CHECK(student_t_quantile(0.975, 9) == Approx(2.2621571627982055).epsilon(1e-14));
  CHECK(student_t_quantile(0.975, 29) == Approx(2.0452296421327043).epsilon(1e-14));
  CHECK(student_t_quantile(0.95, 5) == Approx(2.0150483733330242).epsilon(1e-14));
  CHECK(student_t_quantile(0.5, 7) == Approx(0.0).margin(1e-14));
  CHECK(student_t_quantile(0.025, 4) == Approx(-2.7764451051977934).epsilon(1e-12));
  // Towards the normal quantile for many degrees of freedom.
  CHECK(student_t_quantile(0.975, 1e6) == Approx(1.959963984540054).epsilon(1e-5));
  CHECK_THROWS(student_t_quantile(0.975, 0));
  CHECK_THROWS(student_t_quantile(1.0, 3));
}

TEST_CASE("estimate gives mean, sample sd and the t interval on known data", "[statistics]") {
  const std::vector<double> x = {1, 2, 3, 4, 5};
  const Estimate e = estimate(x);
  CHECK(e.n == 5);
  CHECK(e.mean == 3.0);
  CHECK(e.sd == Approx(std::sqrt(2.5)).epsilon(1e-14));
  // t_{0.975,4} * sd / sqrt(5) = 2.7764451051977934 * sqrt(0.5)
  CHECK(e.half_width == Approx(1.9632431614775630).epsilon(1e-14));
  CHECK(e.ci_low() == Approx(3.0 - 1.9632431614775630).epsilon(1e-12));
  CHECK(e.ci_high() == Approx(3.0 + 1.9632431614775630).epsilon(1e-14));
  CHECK(e.ci_low() < e.mean);
  CHECK(e.mean < e.ci_high());
  // A 90% interval is narrower.
  CHECK(estimate(x, 0.90).half_width < e.half_width);
  // Identical values: no spread, an interval of width 0.
  const Estimate same = estimate(std::vector<double>{0, 0, 0});
  CHECK(same.mean == 0.0);
  CHECK(same.sd == 0.0);
  CHECK(same.half_width == 0.0);
}

TEST_CASE("estimate ignores NaN values and reports how many it used", "[statistics]") {
  const Estimate e = estimate(std::vector<double>{1, kNaN, 3});
  CHECK(e.n == 2);
  CHECK(e.mean == 2.0);
  CHECK(e.sd == Approx(std::sqrt(2.0)).epsilon(1e-14));
  CHECK(e.half_width == Approx(12.706204736174698).epsilon(1e-12));  // t_{0.975,1} sd / sqrt 2

  const Estimate one = estimate(std::vector<double>{kNaN, 7, kNaN});
  CHECK(one.n == 1);
  CHECK(one.mean == 7.0);
  CHECK(std::isnan(one.sd));
  CHECK(std::isnan(one.half_width));
  CHECK(std::isnan(one.ci_low()));

  const Estimate none = estimate(std::vector<double>{kNaN, kNaN});
  CHECK(none.n == 0);
  CHECK(std::isnan(none.mean));
  CHECK(estimate(std::vector<double>{}).n == 0);
}
