#pragma once
// The standard random-graph models as followee generators (docs/networks-classic.md).
//
// Each function is pure: (parameters, seed) -> Csr whose row u is the sorted list of distinct
// citizens that citizen u follows (no self-loops, ids < n), ready for `assemble_network`. Every
// random number is a Philox draw keyed by what it is for (core/rng.hpp, purposes 30-33, replicate
// 0), so the result depends on the parameters and the seed only, never on the OpenMP thread
// count. Invalid parameters throw std::invalid_argument. n must be in [2, 2^31].
#include <cstdint>

#include "core/csr.hpp"

namespace civsim {

// Directed G(n, p) with p = mean_followees / (n - 1): each ordered pair (u, v), u != v, is a
// follow independently with probability p (Erdos & Renyi 1959; Gilbert 1959). O(n + E), parallel
// over citizens. mean_followees in [0, n - 1].
Csr erdos_renyi_followees(std::uint32_t n, double mean_followees, std::uint64_t seed);

// Directed small world (Watts & Strogatz 1998): citizen u follows its k nearest ring neighbours
// (k/2 on each side); each of these follows is independently, with probability `rewiring`,
// redirected to a citizen chosen uniformly among those u does not follow yet (never u itself,
// never the old target). Every citizen keeps exactly k followees. k even, 0 <= k < n; rewiring in
// [0, 1]. O(n k log k), parallel over citizens.
Csr watts_strogatz_followees(std::uint32_t n, std::uint32_t k, double rewiring, std::uint64_t seed);

// Price's model of directed preferential attachment (de Solla Price 1976): citizens arrive in id
// order; citizen t follows min(m, t) distinct earlier citizens, each chosen with probability
// proportional to (its followers + attachment_offset). Follower counts get a power-law tail with
// exponent 2 + attachment_offset / m. O(E) expected. Sequential: every arrival's probabilities
// depend on all earlier follows. 1 <= m < n; attachment_offset > 0.
Csr price_followees(std::uint32_t n, std::uint32_t m, double attachment_offset, std::uint64_t seed);

// What an R-MAT run dropped: attempts = entries + out_of_range + self_loops + duplicates.
struct RmatShortfall {
  std::uint64_t attempts = 0;
  std::uint64_t out_of_range = 0;  // landed on a row or column >= n
  std::uint64_t self_loops = 0;    // landed on the diagonal
  std::uint64_t duplicates = 0;    // repeated an earlier attempt's (u, v)
};

// R-MAT (Chakrabarti, Zhan & Faloutsos 2004): round(n * mean_followees) edge attempts, attempt i a
// pure function of i: on the 2^s x 2^s adjacency matrix (2^s the smallest power of two >= n) it
// descends s levels, choosing the top-left / top-right / bottom-left / bottom-right quadrant with
// probability a / b / c / d = 1 - a - b - c. Attempts outside [0, n)^2 or on the diagonal are
// dropped and rows deduplicated, so the graph has fewer than n * mean_followees follows; the
// optional `shortfall` reports by how much. No noise, no vertex permutation. Parallel over
// attempts. a, b, c in [0, 1], a + b + c <= 1; mean_followees in [0, n - 1].
Csr rmat_followees(std::uint32_t n, double mean_followees, double a, double b, double c,
                   std::uint64_t seed, RmatShortfall* shortfall = nullptr);

}  // namespace civsim
