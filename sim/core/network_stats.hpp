#pragma once
// Summary statistics of a follower network: degrees, reciprocity, clustering, components, path
// lengths and the leading eigenvalue. Stored under /network in every run file
// (docs/output-format.md defines each field).
//
// Every statistic is linear in the size of the graph or sampled, and the result is identical for
// any OpenMP thread count: counts are integer reductions, floating-point sums run over fixed
// blocks merged in a fixed order, and samples are drawn with the counter-based RNG.
#include <cstdint>
#include <vector>

#include "core/network.hpp"

namespace civsim {

// How the sampled and iterative statistics are computed. Costs at N nodes and E edges: clustering
// one pass over the edges plus work around each sampled node (memory for the sampled nodes'
// followees: sampling every node stores a transposed copy of the graph); paths about
// (levels x E) per batch of 64 sources; the eigenvalue E per iteration.
struct StatsOptions {
  std::uint64_t seed;                        // keys the samples (Purpose::stats_*), replicate 0
  std::uint32_t clustering_samples = 10000;  // nodes sampled for clustering (all if fewer nodes)
  std::uint32_t path_sources = 16;           // BFS sources for path lengths (all if fewer nodes)
  double eigen_tolerance = 1e-6;             // relative residual |Mx - mu x| / mu to stop at
  int eigen_max_iterations = 300;            // power-iteration budget; at least 1
  // Also stop after this many edge visits in all (one iteration visits every edge), so that the
  // statistics of a national-scale graph take minutes, not an hour; <= 0: no limit. The result
  // then says eigen_converged = false. `civsim run` and `civsim compare` set it (app/common.cpp).
  double eigen_max_edge_visits = 0;
};

// Summary of one degree (follower or followee count) over citizens. A quantile q is the count at
// 0-based position floor(q * citizens) of the ascending sorted counts (the median is the upper
// median for an even number of citizens).
struct DegreeSummary {
  double mean = 0;
  std::uint64_t median = 0;
  std::uint64_t p90 = 0;
  std::uint64_t p99 = 0;
  std::uint64_t max = 0;
  std::uint64_t zero = 0;  // citizens with count 0
  bool operator==(const DegreeSummary&) const = default;
};

// Logarithmic histogram: bin 0 holds count 0, bin k >= 1 holds counts in [2^(k-1), 2^k); the last
// bin holds the maximum. `lower[k]` is the bin's lower edge (0, 1, 2, 4, ...), `count[k]` how many
// citizens fall into it.
struct LogBins {
  std::vector<std::uint64_t> lower;
  std::vector<std::uint64_t> count;
  bool operator==(const LogBins&) const = default;
};

struct NetworkStats {
  std::uint64_t nodes = 0;
  std::uint64_t citizens = 0;
  std::uint64_t accounts = 0;  // institutional accounts (nodes after the citizens)
  std::uint64_t edges = 0;     // follow relations

  DegreeSummary followers;  // in-degree of citizens: who follows them
  DegreeSummary followees;  // out-degree of citizens: whom they follow (accounts included)
  LogBins follower_bins;
  LogBins followee_bins;
  std::uint64_t account_followers = 0;  // followers of the institutional accounts, summed

  double reciprocity = 0;  // share of edges u->v whose reverse v->u also exists

  // Average local clustering coefficient of the undirected simple projection (u ~ v when u
  // follows v or v follows u), over `clustering_samples` nodes sampled without replacement;
  // nodes with fewer than two neighbours count as 0. Standard error of that sample mean, with the
  // finite-population correction (0 when every node is used).
  double clustering = 0;
  double clustering_stderr = 0;
  std::uint64_t clustering_samples = 0;  // nodes actually used

  std::uint64_t weak_components = 0;
  std::uint64_t largest_weak_component = 0;  // nodes
  std::uint64_t strong_components = 0;
  std::uint64_t largest_strong_component = 0;  // nodes

  // Breadth-first search along the direction messages flow (from an account to its followers)
  // from `path_sources` sampled nodes. Mean hop count over the (source, target != source) pairs
  // that are reachable, and the share of all such pairs that are reachable.
  double mean_path_length = 0;
  double reachable_share = 0;
  std::uint64_t path_sources = 0;  // sources actually used

  // Largest eigenvalue (spectral radius) of the adjacency matrix by power iteration on A + I.
  // 1/leading_eigenvalue is the (mean-field) epidemic-threshold reference for independent cascades.
  double leading_eigenvalue = 0;
  int eigen_iterations = 0;
  bool eigen_converged = false;
  double eigen_tolerance = 0;  // the relative residual it was held to (StatsOptions)

  bool operator==(const NetworkStats&) const = default;
};

// Throws std::invalid_argument when options.eigen_max_iterations < 1.
NetworkStats compute_stats(const Network& net, const StatsOptions& options);

}  // namespace civsim
