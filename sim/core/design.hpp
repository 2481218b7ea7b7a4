#pragma once
// Experimental designs for parameter sweeps: value lists for grids, linear and logarithmic
// ranges, Latin hypercube samples, Sobol' quasi-random points and the Saltelli scheme for Sobol'
// sensitivity indices. Every design is a pure function of its arguments (and a seed where it is
// random), so a sweep expands into the same points on every machine, thread count and shard.
// Points are in the unit cube [0, 1)^d here; io/sweep_file.cpp maps them onto the factors'
// bounds. No I/O.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace civsim::design {

// Rows of points, each with one coordinate per factor.
using Points = std::vector<std::vector<double>>;

// n evenly spaced values from a to b inclusive (n = 1: {a}).
std::vector<double> linspace(double a, double b, std::size_t n);
// n values from a to b inclusive, evenly spaced in log(x) (a, b > 0; n = 1: {a}).
std::vector<double> logspace(double a, double b, std::size_t n);

// Every combination of one index per factor (factor k has sizes[k] levels); the last factor
// varies fastest.
std::vector<std::vector<std::size_t>> grid(const std::vector<std::size_t>& sizes);

// n points of a Latin hypercube in [0, 1)^d: each factor's range is cut into n equal strata and
// every stratum holds exactly one point, at a uniform position inside it. Random numbers are a
// function of `seed` (Philox, core/rng.hpp).
Points latin_hypercube(std::size_t n, std::size_t d, std::uint64_t seed);

// The first n points of the d-dimensional Sobol' sequence (Boost.Random's sobol, with the
// Joe-Kuo direction numbers, up to kMaxSobolDimension dimensions); the all-zero first point of
// the sequence is skipped, so the first point is (0.5, ..., 0.5).
inline constexpr std::size_t kMaxSobolDimension = 3667;
Points sobol(std::size_t n, std::size_t d);

// The Saltelli (2010) scheme for first-order and total Sobol' indices of d factors from n base
// samples: matrices A and B are the two halves of n points of the 2d-dimensional Sobol'
// sequence, and AB_i is A with column i taken from B. The points come in blocks of d + 2 per
// base sample j: A_j, AB_j^1 ... AB_j^d, B_j (SALib's order without second-order terms), so
// n (d + 2) points in all. core/sobol_indices.hpp reads model outputs in this order.
Points saltelli(std::size_t n, std::size_t d);

}  // namespace civsim::design
