#include "core/design.hpp"

#include <algorithm>
#include <boost/random/sobol.hpp>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "core/rng.hpp"

namespace civsim::design {

std::vector<double> linspace(double a, double b, std::size_t n) {
  if (n == 0) throw std::invalid_argument("linspace: need at least one value");
  std::vector<double> out(n);
  for (std::size_t i = 0; i < n; ++i)
    out[i] = n == 1 ? a : a + (b - a) * static_cast<double>(i) / static_cast<double>(n - 1);
  if (n > 1) out.back() = b;  // exactly the bound, whatever the rounding
  return out;
}

std::vector<double> logspace(double a, double b, std::size_t n) {
  if (!(a > 0 && b > 0)) throw std::invalid_argument("logspace: bounds must be positive");
  auto out = linspace(std::log(a), std::log(b), n);
  for (auto& x : out) x = std::exp(x);
  out.front() = a;
  if (n > 1) out.back() = b;
  return out;
}

std::vector<std::vector<std::size_t>> grid(const std::vector<std::size_t>& sizes) {
  std::size_t total = 1;
  for (const auto s : sizes) total *= s;
  std::vector<std::vector<std::size_t>> out;
  out.reserve(total);
  std::vector<std::size_t> index(sizes.size(), 0);
  for (std::size_t p = 0; p < total; ++p) {
    out.push_back(index);
    for (std::size_t k = sizes.size(); k-- > 0;) {
      if (++index[k] < sizes[k]) break;
      index[k] = 0;
    }
  }
  return out;
}

Points latin_hypercube(std::size_t n, std::size_t d, std::uint64_t seed) {
  Points out(n, std::vector<double>(d));
  constexpr auto purpose = Purpose::design_lhs;
  for (std::size_t k = 0; k < d; ++k) {
    // A random permutation of the strata (Fisher-Yates), then a uniform offset in each.
    std::vector<std::size_t> strata(n);
    std::iota(strata.begin(), strata.end(), std::size_t{0});
    for (std::size_t i = n; i-- > 1;) {
      const auto w = random_words({seed, 0, purpose, k, i, 0});
      std::swap(strata[i], strata[to_index(w[0], i + 1)]);
    }
    for (std::size_t i = 0; i < n; ++i) {
      const auto w = random_words({seed, 0, purpose, k, i, 1});
      out[i][k] = (static_cast<double>(strata[i]) + to_unit(w[0])) / static_cast<double>(n);
    }
  }
  return out;
}

Points sobol(std::size_t n, std::size_t d) {
  if (d == 0 || d > kMaxSobolDimension)
    throw std::invalid_argument("sobol: dimension must be in [1, 3667]");
  boost::random::sobol engine(d);  // starts after the all-zero point
  Points out(n, std::vector<double>(d));
  for (auto& point : out)
    for (auto& x : point) x = to_unit(engine());  // 53 bits: never rounds up to 1
  return out;
}

Points saltelli(std::size_t n, std::size_t d) {
  const Points base = sobol(n, 2 * d);
  Points out;
  out.reserve(n * (d + 2));
  for (const auto& row : base) {
    const std::vector<double> a(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(d));
    const std::vector<double> b(row.begin() + static_cast<std::ptrdiff_t>(d), row.end());
    out.push_back(a);
    for (std::size_t i = 0; i < d; ++i) {
      auto ab = a;
      ab[i] = b[i];
      out.push_back(std::move(ab));
    }
    out.push_back(b);
  }
  return out;
}

}  // namespace civsim::design
