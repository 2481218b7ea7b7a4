#include "core/network_stats.hpp"

#include <algorithm>
#include <vector>

namespace civsim {

NetworkStats compute_stats(const Network& net) {
  NetworkStats s;
  const NodeId n = net.n_nodes();
  const NodeId nc = net.n_citizens();
  s.nodes = n;
  s.citizens = nc;
  s.edges = net.n_edges();
  if (nc == 0) return s;

  const auto followees = net.followee_counts();
  std::vector<std::uint64_t> in(nc);
  std::uint64_t sum_in = 0, sum_out = 0;
  for (NodeId v = 0; v < nc; ++v) {
    in[v] = net.follower_count(v);
    sum_in += in[v];
    sum_out += followees[v];
    s.max_followees = std::max<std::uint64_t>(s.max_followees, followees[v]);
    if (in[v] == 0) ++s.citizens_without_followers;
  }
  s.mean_followers = static_cast<double>(sum_in) / nc;
  s.mean_followees = static_cast<double>(sum_out) / nc;
  std::sort(in.begin(), in.end());
  s.max_followers = in.back();
  s.median_followers = in[nc / 2];
  s.p99_followers = in[std::min<std::size_t>(nc - 1, static_cast<std::size_t>(0.99 * nc))];
  for (NodeId v = nc; v < n; ++v) s.government_followers += net.follower_count(v);

  // Reciprocity: integer count, so the parallel reduction is exact and order-free.
  std::uint64_t reciprocated = 0;
#pragma omp parallel for schedule(dynamic, 1024) reduction(+ : reciprocated)
  for (std::int64_t vi = 0; vi < static_cast<std::int64_t>(n); ++vi) {
    const auto v = static_cast<NodeId>(vi);
    for (NodeId u : net.followers(v))
      if (net.follows(v, u)) ++reciprocated;
  }
  s.reciprocity = s.edges ? static_cast<double>(reciprocated) / static_cast<double>(s.edges) : 0.0;
  return s;
}

}  // namespace civsim
