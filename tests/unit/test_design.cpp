// Sweep designs (core/design.hpp) and Sobol' indices (core/sobol_indices.hpp).
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>
#include <set>

#include "core/design.hpp"
#include "core/sobol_indices.hpp"

using namespace civsim;

TEST_CASE("design: linspace and logspace include both bounds exactly", "[design]") {
  const auto lin = design::linspace(0.1, 0.7, 4);
  REQUIRE(lin.size() == 4);
  CHECK(lin.front() == 0.1);
  CHECK(lin.back() == 0.7);
  CHECK(lin[1] == Approx(0.3));
  const auto log = design::logspace(1e-4, 1e-2, 3);
  CHECK(log.front() == 1e-4);
  CHECK(log[1] == Approx(1e-3));
  CHECK(log.back() == 1e-2);
  CHECK(design::linspace(5, 9, 1) == std::vector<double>{5});
  CHECK_THROWS(design::logspace(0, 1, 3));
}

TEST_CASE("design: grid enumerates every combination, last factor fastest", "[design]") {
  const auto g = design::grid({2, 3});
  REQUIRE(g.size() == 6);
  CHECK(g[0] == std::vector<std::size_t>{0, 0});
  CHECK(g[1] == std::vector<std::size_t>{0, 1});
  CHECK(g[3] == std::vector<std::size_t>{1, 0});
  CHECK(g[5] == std::vector<std::size_t>{1, 2});
}

TEST_CASE("design: a Latin hypercube has one point per stratum in every factor", "[design]") {
  const std::size_t n = 50, d = 3;
  const auto lhs = design::latin_hypercube(n, d, 7);
  REQUIRE(lhs.size() == n);
  for (std::size_t k = 0; k < d; ++k) {
    std::set<std::size_t> strata;
    for (const auto& p : lhs) {
      REQUIRE(p[k] >= 0.0);
      REQUIRE(p[k] < 1.0);
      strata.insert(static_cast<std::size_t>(p[k] * n));
    }
    CHECK(strata.size() == n);
  }
  CHECK(design::latin_hypercube(n, d, 7) == lhs);  // a function of the seed
  CHECK(design::latin_hypercube(n, d, 8) != lhs);
}

TEST_CASE("design: Sobol' points start after zero and fill the cube evenly", "[design]") {
  const auto s = design::sobol(1024, 2);
  CHECK(s[0] == std::vector<double>{0.5, 0.5});
  CHECK(s[1] == std::vector<double>{0.75, 0.25});
  // Low discrepancy: every cell of a 32 x 32 grid holds exactly one of the first 1023 points
  // plus the skipped origin (a (0, m, 2)-net property of the first two dimensions).
  std::set<std::pair<int, int>> cells;
  for (std::size_t i = 0; i < 1023; ++i)
    cells.insert({static_cast<int>(s[i][0] * 32), static_cast<int>(s[i][1] * 32)});
  CHECK(cells.size() == 1023);
  CHECK_THROWS(design::sobol(4, 0));
}

TEST_CASE("design: Saltelli blocks are A, AB^1 ... AB^d, B", "[design]") {
  const std::size_t n = 8, d = 3;
  const auto p = design::saltelli(n, d);
  REQUIRE(p.size() == n * (d + 2));
  for (std::size_t j = 0; j < n; ++j) {
    const auto& a = p[j * (d + 2)];
    const auto& b = p[j * (d + 2) + d + 1];
    for (std::size_t i = 0; i < d; ++i) {
      const auto& ab = p[j * (d + 2) + 1 + i];
      for (std::size_t k = 0; k < d; ++k) CHECK(ab[k] == (k == i ? b[k] : a[k]));
    }
  }
}

TEST_CASE("sobol indices: the Ishigami function within tolerance of its analytic indices",
          "[design]") {
  constexpr double a = 7, b = 0.1, pi = std::numbers::pi;
  const std::size_t n = 4096, d = 3;
  const auto points = design::saltelli(n, d);
  std::vector<double> y;
  for (const auto& p : points) {
    const double x1 = -pi + 2 * pi * p[0], x2 = -pi + 2 * pi * p[1], x3 = -pi + 2 * pi * p[2];
    y.push_back(std::sin(x1) + a * std::sin(x2) * std::sin(x2) +
                b * std::pow(x3, 4) * std::sin(x1));
  }
  const double pi4 = std::pow(pi, 4), pi8 = std::pow(pi, 8);
  const double v = a * a / 8 + b * pi4 / 5 + b * b * pi8 / 18 + 0.5;
  const double v1 = 0.5 * (1 + b * pi4 / 5) * (1 + b * pi4 / 5), v2 = a * a / 8;
  const double v13 = b * b * pi8 * (1.0 / 18 - 1.0 / 50);
  const double first[] = {v1 / v, v2 / v, 0.0};
  const double total[] = {(v1 + v13) / v, v2 / v, v13 / v};

  const auto s = sobol_indices(y, d, 200, 3);
  REQUIRE(s.samples == n);
  CHECK(s.variance == Approx(v).epsilon(0.02));
  for (std::size_t i = 0; i < d; ++i) {
    INFO("factor " << i + 1);
    CHECK(s.first[i].value == Approx(first[i]).margin(0.03));
    CHECK(s.total[i].value == Approx(total[i]).margin(0.03));
    CHECK(s.first[i].ci_low <= s.first[i].value);
    CHECK(s.first[i].value <= s.first[i].ci_high);
    CHECK(s.total[i].ci_low <= s.total[i].ci_high);
    CHECK(s.total[i].ci_high - s.total[i].ci_low < 0.1);
  }
  // Deterministic: the bootstrap depends on the seed only.
  CHECK(sobol_indices(y, d, 200, 3).first[0].ci_low == s.first[0].ci_low);
  CHECK_THROWS(sobol_indices(std::vector<double>(7, 1.0), d));
}
