#pragma once
// Variance-based sensitivity: first-order and total Sobol' indices from model outputs on a
// Saltelli design (core/design.hpp), with bootstrap confidence intervals. No I/O.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace civsim {

struct SobolIndex {
  double value = 0;                // the estimate on all base samples
  double ci_low = 0, ci_high = 0;  // percentile bootstrap interval
};

struct SobolIndices {
  std::vector<SobolIndex> first, total;  // [factor]
  double variance = 0;                   // of the output over A and B
  std::size_t samples = 0;               // base samples used (rows without NaN)
};

// `y` holds the outputs in design::saltelli order: per base sample j the d + 2 values
// f(A_j), f(AB_j^1) ... f(AB_j^d), f(B_j). First-order indices by Saltelli et al. (2010),
// S_i = mean(f(B) (f(AB^i) - f(A))) / V, total indices by Jansen (1999),
// ST_i = mean((f(A) - f(AB^i))^2) / 2 / V, with V the variance of f over A and B together.
// Base samples with a NaN output are left out. The confidence intervals resample the base
// samples with replacement `bootstrap` times (random numbers from `seed`) and take the
// (1 - level)/2 and (1 + level)/2 quantiles. Throws std::invalid_argument if y.size() is not a
// multiple of d + 2 or fewer than two base samples remain.
SobolIndices sobol_indices(std::span<const double> y, std::size_t d, std::size_t bootstrap = 1000,
                           std::uint64_t seed = 1, double level = 0.95);

}  // namespace civsim
