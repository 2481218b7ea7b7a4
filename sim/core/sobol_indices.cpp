#include "core/sobol_indices.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/rng.hpp"

namespace civsim {
namespace {

using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// First-order and total indices of the rows `rows` of y (N x (d + 2)), in that order.
void estimate(const Matrix& y, const std::vector<Eigen::Index>& rows, std::size_t d,
              std::vector<double>& first, std::vector<double>& total, double& variance) {
  const auto n = static_cast<double>(rows.size());
  const auto b_col = static_cast<Eigen::Index>(d + 1);
  double sum = 0, squares = 0;
  for (const auto r : rows) sum += y(r, 0) + y(r, b_col);
  const double mean = sum / (2 * n);
  for (const auto r : rows)
    squares += (y(r, 0) - mean) * (y(r, 0) - mean) + (y(r, b_col) - mean) * (y(r, b_col) - mean);
  variance = squares / (2 * n - 1);
  first.assign(d, 0.0);
  total.assign(d, 0.0);
  for (std::size_t i = 0; i < d; ++i) {
    const auto c = static_cast<Eigen::Index>(i + 1);
    double s = 0, t = 0;
    for (const auto r : rows) {
      s += y(r, b_col) * (y(r, c) - y(r, 0));
      t += (y(r, 0) - y(r, c)) * (y(r, 0) - y(r, c));
    }
    first[i] = variance > 0 ? s / n / variance : 0.0;
    total[i] = variance > 0 ? t / (2 * n) / variance : 0.0;
  }
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

}  // namespace

SobolIndices sobol_indices(std::span<const double> y, std::size_t d, std::size_t bootstrap,
                           std::uint64_t seed, double level) {
  const std::size_t width = d + 2;
  if (d == 0 || y.size() % width != 0)
    throw std::invalid_argument("sobol_indices: need d >= 1 and d + 2 outputs per base sample");
  const Eigen::Map<const Matrix> all(y.data(), static_cast<Eigen::Index>(y.size() / width),
                                     static_cast<Eigen::Index>(width));
  std::vector<Eigen::Index> kept;
  for (Eigen::Index r = 0; r < all.rows(); ++r)
    if (all.row(r).allFinite()) kept.push_back(r);
  if (kept.size() < 2)
    throw std::invalid_argument("sobol_indices: fewer than two base samples with finite outputs");
  const Matrix m = all;

  SobolIndices out;
  out.samples = kept.size();
  std::vector<double> first, total;
  estimate(m, kept, d, first, total, out.variance);
  std::vector<std::vector<double>> boot_first(d), boot_total(d);
  std::vector<Eigen::Index> rows(kept.size());
  std::vector<double> f, t;
  double v = 0;
  constexpr auto purpose = Purpose::sobol_bootstrap;
  for (std::size_t b = 0; b < bootstrap; ++b) {
    for (std::size_t j = 0; j < rows.size(); ++j)
      rows[j] = kept[to_index(random_words({seed, 0, purpose, b, j, 0})[0], kept.size())];
    estimate(m, rows, d, f, t, v);
    for (std::size_t i = 0; i < d; ++i)
      boot_first[i].push_back(f[i]), boot_total[i].push_back(t[i]);
  }
  const double lo = (1 - level) / 2, hi = (1 + level) / 2;
  for (std::size_t i = 0; i < d; ++i) {
    SobolIndex s{first[i], first[i], first[i]}, st{total[i], total[i], total[i]};
    if (bootstrap > 1) {
      s.ci_low = quantile(boot_first[i], lo), s.ci_high = quantile(boot_first[i], hi);
      st.ci_low = quantile(boot_total[i], lo), st.ci_high = quantile(boot_total[i], hi);
    }
    out.first.push_back(s);
    out.total.push_back(st);
  }
  return out;
}

}  // namespace civsim
