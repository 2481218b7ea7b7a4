#pragma once
// Summary statistics of a follower network.
#include <cstdint>

#include "core/network.hpp"

namespace civsim {

// Summary statistics stored under /network in every run file.
struct NetworkStats {
  std::uint64_t nodes = 0;
  std::uint64_t citizens = 0;
  std::uint64_t edges = 0;
  double mean_followers = 0;        // over citizens
  double mean_followees = 0;        // over citizens
  std::uint64_t max_followers = 0;  // over citizens
  std::uint64_t max_followees = 0;  // over citizens
  std::uint64_t median_followers = 0;
  std::uint64_t p99_followers = 0;
  double reciprocity = 0;  // share of edges u->v whose reverse v->u also exists
  std::uint64_t government_followers = 0;
  std::uint64_t citizens_without_followers = 0;
};

NetworkStats compute_stats(const Network& net);

}  // namespace civsim
